"""The one table of functions a term may contain, in SymPy, NumPy and torch.

Every evaluator in the toolkit looks functions up here, so the symbolic form and
the two numeric forms of a function cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp


@dataclass(frozen=True)
class Operator:
    """A unary function known to SymPy, NumPy and torch.

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
    """

    name: str
    sympy: Callable[..., sp.Expr]
    numpy: Callable[[Any], Any]
    torch_name: str

    def torch(self) -> Callable[[Any], Any]:
        """Return the torch function."""
        import torch

        return getattr(torch, self.torch_name)


OPERATORS: dict[str, Operator] = {
    op.name: op
    for op in (
        Operator("sin", sp.sin, np.sin, "sin"),
        Operator("cos", sp.cos, np.cos, "cos"),
        Operator("tan", sp.tan, np.tan, "tan"),
        Operator("exp", sp.exp, np.exp, "exp"),
        Operator("log", sp.log, np.log, "log"),
        Operator("sqrt", sp.sqrt, np.sqrt, "sqrt"),
        Operator("tanh", sp.tanh, np.tanh, "tanh"),
        Operator("sinh", sp.sinh, np.sinh, "sinh"),
        Operator("cosh", sp.cosh, np.cosh, "cosh"),
        Operator("asin", sp.asin, np.arcsin, "asin"),
        Operator("acos", sp.acos, np.arccos, "acos"),
        Operator("atan", sp.atan, np.arctan, "atan"),
        Operator("Abs", sp.Abs, np.abs, "abs"),
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
