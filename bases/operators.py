"""The one table of functions a term may contain, in SymPy, NumPy, torch and Python's math.

Every evaluator in the toolkit looks functions up here, so the symbolic form and
the numeric forms of a function cannot drift apart.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp


@dataclass(frozen=True)
class Operator:
    """A unary function known to SymPy, NumPy, torch and Python's math module.

    Attributes
    ----------
    name : str
        The name users write (``"sin"``), also SymPy's class name.
    sympy : callable
        The SymPy function (``sympy.sin``).
    numpy : callable
        The NumPy ufunc (``numpy.sin``).
    torch_name : str
        The attribute of ``torch`` with the same meaning (``"sin"``); resolved
        when a torch evaluator is compiled, so importing this table does not
        import torch.
    scalar : callable
        The same function of one Python float (``math.sin``), for evaluators
        called once per step of an ODE integrator.
    reciprocal : bool
        The function is 1/f of the NumPy, torch and math functions named (cot
        as 1/tan), as SymPy's own printers evaluate it.
    """

    name: str
    sympy: Callable[..., sp.Expr]
    numpy: Callable[[Any], Any]
    torch_name: str
    scalar: Callable[[float], float]
    reciprocal: bool = False

    def torch(self) -> Callable[[Any], Any]:
        """Return the torch function."""
        import torch

        return _reciprocal(getattr(torch, self.torch_name)) if self.reciprocal else getattr(torch, self.torch_name)

    def function(self, backend: str) -> Callable[[Any], Any]:
        """The function for an evaluator of ``backend`` ("numpy", "torch" or "math")."""
        if backend == "torch":
            return self.torch()
        plain = self.numpy if backend == "numpy" else self.scalar
        return _reciprocal(plain) if self.reciprocal else plain


def _reciprocal(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda x: 1 / f(x)


def _erf(x: Any) -> Any:
    """The error function of an array (SciPy's ufunc, imported on first use: NumPy has none)."""
    from scipy.special import erf

    return erf(x)


OPERATORS: dict[str, Operator] = {
    op.name: op
    for op in (
        Operator("sin", sp.sin, np.sin, "sin", math.sin),
        Operator("cos", sp.cos, np.cos, "cos", math.cos),
        Operator("tan", sp.tan, np.tan, "tan", math.tan),
        Operator("exp", sp.exp, np.exp, "exp", math.exp),
        Operator("log", sp.log, np.log, "log", math.log),
        Operator("sqrt", sp.sqrt, np.sqrt, "sqrt", math.sqrt),
        Operator("tanh", sp.tanh, np.tanh, "tanh", math.tanh),
        Operator("sinh", sp.sinh, np.sinh, "sinh", math.sinh),
        Operator("cosh", sp.cosh, np.cosh, "cosh", math.cosh),
        Operator("asin", sp.asin, np.arcsin, "asin", math.asin),
        Operator("acos", sp.acos, np.arccos, "acos", math.acos),
        Operator("atan", sp.atan, np.arctan, "atan", math.atan),
        Operator("Abs", sp.Abs, np.abs, "abs", abs),
        # Simplified laws may hold these (SymPy writes 1/tan(x) as cot(x) when it tidies).
        Operator("cot", sp.cot, np.tan, "tan", math.tan, reciprocal=True),
        Operator("sec", sp.sec, np.cos, "cos", math.cos, reciprocal=True),
        Operator("csc", sp.csc, np.sin, "sin", math.sin, reciprocal=True),
        Operator("asinh", sp.asinh, np.arcsinh, "asinh", math.asinh),
        Operator("acosh", sp.acosh, np.arccosh, "acosh", math.acosh),
        Operator("atanh", sp.atanh, np.arctanh, "atanh", math.atanh),
        # The probit's cumulative normal (a dose–response form); in no default library.
        Operator("erf", sp.erf, _erf, "erf", math.erf),
    )
}


def operator_for(func: type) -> Operator:
    """Return the table entry for a SymPy function class such as ``sympy.sin``.

    Raises
    ------
    ValueError
        If the function is not in the table.
    """
    name = getattr(func, "__name__", str(func))
    try:
        return OPERATORS[name]
    except KeyError:
        known = ", ".join(sorted(OPERATORS))
        raise ValueError(f"function {name!r} is not supported; known functions: {known}") from None
