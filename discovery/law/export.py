"""A law as source code (Python, C, Fortran) and as a JAX function, through SymPy's printers.

Each printed function takes the law's variables in order, returns the
target, and holds the named constants (``g = 9.81``) as named values, so the
code reads like the law.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sympy as sp

from ..errors import DataError

LANGUAGES = ("python", "c", "fortran")


def function_name(target: str) -> str:
    """A valid identifier in every language from the target's name (``"s"``, ``"dtheta_dt"``)."""
    name = re.sub(r"\W", "_", target) or "law"
    if name[0].isdigit():
        name = f"law_{name}"
    return f"{name}_" if keyword.iskeyword(name) else name


def to_code(
    expression: sp.Expr, variables: Sequence[str], constants: Mapping[str, float], target: str, language: str
) -> str:
    """Source code of one function evaluating ``target = expression``.

    Parameters
    ----------
    expression : sympy.Expr
    variables : sequence of str
        The function's arguments, in order.
    constants : mapping of name → float
        Named constants in the expression, written as named values.
    target : str
        The function's name (made a valid identifier).
    language : {"python", "c", "fortran"}

    Returns
    -------
    str
        Python: a ``def`` using ``math`` (constants as keyword arguments with
        their values as defaults); C99: a ``double`` function using
        ``math.h``; Fortran 95: a pure function of ``real(8)`` arguments.

    Raises
    ------
    DataError
        For a language not in :data:`LANGUAGES`.
    """
    language = str(language).lower()
    if language not in LANGUAGES:
        raise DataError(f"language must be one of {', '.join(LANGUAGES)}; got {language!r}")
    name = function_name(target)
    used = {str(s) for s in expression.free_symbols}
    named = {k: float(v) for k, v in constants.items() if k in used}
    comment = f"{target} = {sp.sstr(expression)}"
    if language == "python":
        arguments = ", ".join([*variables, *(f"{k}={v!r}" for k, v in named.items())])
        body = sp.pycode(expression, fully_qualified_modules=True)
        return f'import math\n\n\ndef {name}({arguments}):\n    """{comment}"""\n    return {body}\n'
    if language == "c":
        arguments = ", ".join(f"double {v}" for v in variables) or "void"
        lines = [f"    const double {k} = {v!r};" for k, v in named.items()]
        body = sp.ccode(sp.sympify(expression), standard="C99")
        return "\n".join(
            [
                "#include <math.h>",
                "",
                f"/* {comment} */",
                f"double {name}({arguments}) {{",
                *lines,
                f"    return {body};",
                "}",
                "",
            ]
        )
    declarations = [f"    real(8), intent(in) :: {', '.join(variables)}"] if variables else []
    declarations += [f"    real(8), parameter :: {k} = {_fortran_number(v)}" for k, v in named.items()]
    body = sp.fcode(sp.sympify(expression), assign_to="res", source_format="free", standard=95)
    return "\n".join(
        [
            f"! {comment}",
            f"pure function {name}({', '.join(variables)}) result(res)",
            "    implicit none",
            *declarations,
            "    real(8) :: res",
            *(f"    {line}" for line in body.splitlines()),
            f"end function {name}",
            "",
        ]
    )


def _fortran_number(value: float) -> str:
    """The shortest exact decimal of the double, as a double-precision literal (9.81d0, 1.5d-05)."""
    text = repr(float(value))
    return text.replace("e", "d") if "e" in text else f"{text}d0"


def jax_function(expression: sp.Expr, variables: Sequence[str], constants: Mapping[str, float]) -> Callable[..., Any]:
    """``f(X)``: the law in JAX (jittable, differentiable) on an array whose columns are the variables.

    Raises
    ------
    ImportError
        With what to install, where JAX is missing.
    """
    try:
        import jax.numpy as jnp
    except ImportError:
        raise ImportError(
            "law.to_jax() needs JAX: pip install jax (law.to_torch() and law.to_numpy() need no more)"
        ) from None
    from .evaluate import with_constants

    symbols = [sp.Symbol(v) for v in variables]
    evaluate = sp.lambdify(symbols, with_constants(expression, constants), modules="jax")

    def f(X: Any) -> Any:
        X = jnp.asarray(X)
        if X.ndim != 2 or X.shape[1] != len(symbols):
            raise DataError(
                f"X must have shape (n_rows, {len(symbols)}): columns {', '.join(variables)}; got {X.shape}"
            )
        return jnp.broadcast_to(evaluate(*(X[:, j] for j in range(len(symbols)))), (X.shape[0],))

    return f
