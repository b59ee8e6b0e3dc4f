"""Evaluation in the order SymPy's Python printers write an expression, for :mod:`bases.compile`.

``sympy.lambdify`` evaluates the text its printer writes: terms and factors in
printed order, a product with negative powers as numerator / denominator,
``x**(-2.0)`` for a lone negative integer power on arrays, and each Float at
the 15 digits it is printed with. Evaluators of laws (fits, simulations,
substitutions) compute exactly that, bit for bit, so that what they fit, and
which exact values snap, is what SymPy's evaluation gave.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy as sp
from sympy.core.mul import _keep_coeff
from sympy.printing.numpy import NumPyPrinter

Node = Callable[[Any], Any]


def printed_number(expr: sp.Expr) -> float:
    """A number's value as the printed text gives it (a Float at its 15 printed digits)."""
    if expr.is_Float:
        return float(NumPyPrinter().doprint(expr))
    return float(expr)


def printed_add(expr: sp.Add, compile_node: Callable[[sp.Expr], Node]) -> Node:
    """Σ terms, added left to right in printed order (``a - b`` is bitwise ``a + (-b)``)."""
    parts = [compile_node(term) for term in expr.as_ordered_terms()]

    def add(columns: Any) -> Any:
        total = parts[0](columns)
        for part in parts[1:]:
            total = total + part(columns)
        return total

    return add


def printed_mul(expr: sp.Mul, compile_node: Callable[[sp.Expr], Node]) -> Node:
    """Numerator factors left to right, divided by the denominator's product; the sign applied last."""
    c, rest = expr.as_coeff_Mul()
    negative = bool(c < 0)
    if negative:
        expr = _keep_coeff(-c, rest)
    numerator, denominator = [], []
    for item in expr.as_ordered_factors():
        if item.is_commutative and item.is_Pow and item.exp.is_Rational and item.exp.is_negative:
            denominator.append(sp.Pow(item.base, -item.exp, evaluate=False) if item.exp != -1 else item.base)
        else:
            numerator.append(item)
    top = [compile_node(f) for f in numerator or [sp.Integer(1)]]
    bottom = [compile_node(f) for f in denominator]

    def mul(columns: Any) -> Any:
        total = top[0](columns)
        for part in top[1:]:
            total = total * part(columns)
        if bottom:
            below = bottom[0](columns)
            for part in bottom[1:]:
                below = below * part(columns)
            total = total / below
        return -total if negative else total

    return mul


def printed_power(exponent: sp.Expr, backend: str, sqrt: Node) -> Callable[[Any], Any] | None:
    """``b ↦ b**exponent`` as printed for a numeric exponent; None for a symbolic one."""
    if exponent == sp.Rational(1, 2):
        return lambda b: sqrt(b)
    if exponent == sp.Rational(-1, 2):
        return lambda b: 1 / sqrt(b)
    if exponent == -1 and backend == "math":
        return lambda b: 1 / b
    if exponent.is_Integer and exponent < 0 and backend == "numpy":
        power = float(exponent)  # NumPy's printer writes x**(-2.0)
        return lambda b: b**power
    if exponent.is_Integer:
        k = int(exponent)
        return lambda b: b**k
    if exponent.is_number:
        power = printed_number(exponent)
        return lambda b: b**power
    return None
