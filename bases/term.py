"""A candidate basis term: a SymPy expression plus its compiled evaluators."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy as sp

from .compile import compile_expression


def as_symbol(variable: str | sp.Symbol) -> sp.Symbol:
    """Return the plain SymPy symbol for a variable name.

    Plain symbols (no assumptions) are used everywhere so that a symbol made
    here equals one parsed from a user's string.
    """
    if isinstance(variable, sp.Symbol):
        return sp.Symbol(variable.name)
    if not isinstance(variable, str) or not variable.isidentifier():
        raise ValueError(f"variable names must be identifiers such as 'v' or 'theta', got {variable!r}")
    return sp.Symbol(variable)


def canonical(expr: Any) -> sp.Expr:
    """Return ``expr`` as a monic SymPy expression: numeric factors removed.

    ``2*x`` and ``-x`` both become ``x``; a pure number becomes ``1``.

    Raises
    ------
    ValueError
        For 0, text SymPy cannot read, or anything that is not an expression.
    """
    try:
        expr = sp.sympify(expr)
    except (sp.SympifyError, TypeError, ValueError, AttributeError, ArithmeticError, LookupError) as err:
        # SymPy evaluates text, so a typo can fail in many ways; one line names it.
        raise ValueError(f"cannot read the term {expr!r}: {' '.join(str(err).split())}") from None
    if not isinstance(expr, sp.Expr):  # a tuple, a comparison, True, a bare function name
        raise ValueError(f"{expr!r} is not a term; write an expression such as 'x**2' or 'sin(x)'")
    if expr.is_number:
        if expr == 0:
            raise ValueError("0 is not a basis term")
        return sp.Integer(1)
    coeff, rest = expr.as_coeff_Mul()
    return rest if coeff != 0 else expr


class Term:
    """One basis function.

    Parameters
    ----------
    expr : sympy.Expr or str or number
        The term, over plain symbols. Numeric factors are dropped (``2*x`` is
        the term ``x``) since the regressor supplies the coefficient.

    Examples
    --------
    >>> t = Term("v**2*sin(2*theta)")
    >>> t.name
    'v**2*sin(2*theta)'
    >>> t({"v": np.array([1.0]), "theta": np.array([np.pi / 4])})
    array([1.])
    """

    __slots__ = ("expr", "_evaluators")

    def __init__(self, expr: Any) -> None:
        self.expr: sp.Expr = canonical(expr)
        self._evaluators: dict[str, Any] = {}

    @property
    def name(self) -> str:
        """The term as SymPy prints it, e.g. ``'v**2*sin(2*theta)'``."""
        return sp.sstr(self.expr)

    @property
    def variables(self) -> tuple[str, ...]:
        """Names of the variables the term uses, sorted."""
        return tuple(sorted(s.name for s in self.expr.free_symbols))

    @property
    def complexity(self) -> int:
        """Number of nodes in the expression tree (``1`` for ``x`` or ``1``)."""
        return sum(1 for _ in sp.preorder_traversal(self.expr))

    def latex(self) -> str:
        """The term in LaTeX."""
        return sp.latex(self.expr)

    def __call__(self, columns: Mapping[str, Any], backend: str = "numpy") -> Any:
        """Evaluate on ``columns`` (name → 1-D array or tensor)."""
        evaluator = self._evaluators.get(backend)
        if evaluator is None:
            evaluator = self._evaluators[backend] = compile_expression(self.expr, backend)
        return evaluator(columns)

    def __getstate__(self) -> dict[str, Any]:
        # The compiled evaluators are closures (not picklable) and a cache: recompiled on first use.
        return {"expr": self.expr}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.expr = state["expr"]
        self._evaluators = {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Term) and self.expr == other.expr

    def __hash__(self) -> int:
        return hash(self.expr)

    def __repr__(self) -> str:
        return f"Term({self.name!r})"
