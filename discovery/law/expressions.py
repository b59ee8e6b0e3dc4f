"""Generic helpers on SymPy expressions: their complexity, and a tidier form where one is shorter."""

from __future__ import annotations

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
