"""Generic helpers on SymPy expressions: their complexity, a tidier form where one is shorter, constant terms."""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp


def tidy_expression(expression: sp.Expr) -> sp.Expr:
    """Simplify when that makes the expression shorter; keep it otherwise."""
    if expression.atoms(sp.Float):
        return expression
    simpler = sp.simplify(expression)
    return simpler if sp.count_ops(simpler) < sp.count_ops(expression) else expression


def complexity(expression: sp.Expr) -> int:
    """Nodes in the expression tree: the complexity shown on the Pareto front."""
    return sum(1 for _ in sp.preorder_traversal(expression))


def constant_positions(terms: Sequence[sp.Expr]) -> list[int]:
    """Positions of the constant term (1) among ``terms``: in a law for log y, the logarithm of y's factor."""
    return [j for j, term in enumerate(terms) if term == 1]
