"""Evaluate a law's expression on columns of data."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import sympy as sp

from bases.compile import compile_expression


def with_constants(expr: sp.Expr, constants: Mapping[str, float]) -> sp.Expr:
    """``expr`` with each named constant replaced by its value."""
    return expr.subs({sp.Symbol(k): v for k, v in constants.items()})


def numpy_evaluator(expr: sp.Expr, constants: Mapping[str, float]):
    """A float64 NumPy function of columns (name → array) evaluating ``expr``."""
    evaluate = compile_expression(with_constants(expr, constants), "numpy")
    return lambda columns: np.asarray(evaluate(columns), dtype=np.float64)
