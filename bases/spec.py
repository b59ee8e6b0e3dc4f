"""Parse a library written as text, as the command line receives it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sympy as sp

from . import families
from .library import Library
from .operators import OPERATORS
from .term import as_symbol

FAMILIES = {
    "constant": families.constant,
    "powers": families.powers,
    "harmonics": families.harmonics,
    "unary": families.unary,
    "power_harmonics": families.power_harmonics,
}


def parse_library(spec: str, variables: Iterable[str]) -> Library:
    """Build a library from text.

    The text is either a comma-separated list of terms or an expression of
    family calls combined with ``+`` and ``*``; variables are available by
    name, and so are the functions of the operator table.

    Parameters
    ----------
    spec : str
        e.g. ``"v, v**2, v**2*sin(2*theta)"`` or
        ``"power_harmonics(v, theta, powers=range(1, 3)) + constant()"``.
    variables : iterable of str
        The names the spec may use.

    Raises
    ------
    ValueError
        On a syntax error or a name that is neither a variable, a family nor a
        function, naming what is available.
    """
    names = list(variables)
    namespace: dict[str, Any] = {name: as_symbol(name) for name in names}
    namespace.update(FAMILIES)
    namespace.update({name: op.sympy for name, op in OPERATORS.items()})
    namespace.update({"pi": sp.pi, "range": range})
    try:
        value = eval(compile(spec, "<library>", "eval"), {"__builtins__": {}}, namespace)  # noqa: S307
    except NameError as err:
        raise ValueError(
            f"library spec {spec!r}: {err}. Variables: {', '.join(names)}; "
            f"families: {', '.join(FAMILIES)}; functions: {', '.join(OPERATORS)}"
        ) from None
    except SyntaxError as err:
        raise ValueError(f"library spec {spec!r} is not valid: {err.msg}") from None
    except (TypeError, ValueError, ArithmeticError, AttributeError, LookupError) as err:  # 1/0, x.y, [x][1]
        raise ValueError(f"library spec {spec!r}: {err}") from None
    return _as_library(value, spec)


def _as_library(value: Any, spec: str) -> Library:
    if isinstance(value, Library):
        return value
    if isinstance(value, (tuple, list)):
        out = Library()
        for item in value:
            out = out + _as_library(item, spec)
        return out
    if isinstance(value, (sp.Expr, int, float)):
        return Library([value])
    raise ValueError(f"library spec {spec!r} gave a {type(value).__name__}, not terms")
