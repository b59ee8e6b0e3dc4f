"""Evaluation in the order SymPy's Python printers write an expression, for :mod:`bases.compile`.

SymPy's generated NumPy or math code evaluates the text its printer writes: terms and factors in
printed order, a product with negative powers as numerator / denominator,
``x**(-2.0)`` for a lone negative integer power on arrays, and each Float at
the 15 digits it is printed with. Evaluators of laws (fits, simulations,
substitutions) compute exactly that, bit for bit, so that what they fit, and
which exact values snap, is what SymPy's evaluation gave. The source written
here names only the operator table's functions, fixed argument names and
exact float literals, and is compiled once, so that a scalar evaluator costs
what SymPy's did inside an ODE integrator.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp
from sympy.core.mul import _keep_coeff
from sympy.printing.numpy import NumPyPrinter

from .operators import operator_for

SymbolText = Callable[[sp.Symbol], str]


def printed_function(
    expressions: Sequence[sp.Expr], backend: str, parameters: str, symbol_text: SymbolText
) -> Callable[..., list[Any]]:
    """``lambda <parameters>: [expression, ...]`` evaluated as printed, with ``symbol_text`` naming each symbol."""
    namespace: dict[str, Any] = {}
    body = ", ".join(_source(sp.sympify(e), backend, symbol_text, namespace) for e in expressions)
    return eval(f"lambda {parameters}: [{body}]", namespace)  # noqa: S307 (our own text; see the module doc)


def printed_number(expr: sp.Expr) -> float:
    """A number's value as the printed text gives it (a Float at its 15 printed digits)."""
    if expr.is_Float:
        return float(NumPyPrinter().doprint(expr))
    return float(expr)


def _source(expr: sp.Expr, backend: str, symbol_text: SymbolText, namespace: dict[str, Any]) -> str:
    def inner(e: sp.Expr) -> str:
        return _source(e, backend, symbol_text, namespace)

    if expr.is_Symbol:
        return symbol_text(expr)
    if expr.is_Atom and expr.is_number:
        if complex(expr).imag != 0:
            raise ValueError(f"complex constant {expr} is not supported")
        return f"({printed_number(expr)!r})"
    if expr.is_Add:  # left to right in printed order; a - b is bitwise a + (-b)
        return "(" + " + ".join(inner(t) for t in expr.as_ordered_terms()) + ")"
    if expr.is_Mul:
        return _product(expr, inner)
    if expr.is_Pow:
        return _power(expr, backend, inner, namespace)
    if isinstance(expr, sp.Function):
        if len(expr.args) != 1:
            raise ValueError(f"{expr} has {len(expr.args)} arguments; only unary functions are supported")
        name = f"_{type(expr).__name__}"
        namespace[name] = operator_for(type(expr)).function(backend)
        return f"{name}({inner(expr.args[0])})"
    raise ValueError(f"cannot evaluate {expr!r} ({type(expr).__name__}): unsupported expression")


def _product(expr: sp.Mul, inner: Callable[[sp.Expr], str]) -> str:
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
    text = "(" + "*".join(inner(f) for f in numerator or [sp.Integer(1)]) + ")"
    if denominator:
        text = f"({text}/(" + "*".join(inner(f) for f in denominator) + "))"
    return f"(-{text})" if negative else text


def _power(expr: sp.Pow, backend: str, inner: Callable[[sp.Expr], str], namespace: dict[str, Any]) -> str:
    base, exponent = inner(expr.base), expr.exp
    if exponent == sp.Rational(1, 2) or exponent == sp.Rational(-1, 2):
        namespace["_sqrt"] = operator_for(sp.sqrt).function(backend)
        return f"_sqrt({base})" if exponent > 0 else f"(1/_sqrt({base}))"
    if exponent == -1 and backend == "math":
        return f"(1/{base})"
    if exponent.is_Integer and exponent < 0 and backend == "numpy":
        return f"({base}**{float(exponent)!r})"  # NumPy's printer writes x**(-2.0)
    if exponent.is_Integer:
        return f"({base}**({int(exponent)}))"
    if exponent.is_number:
        return f"({base}**({printed_number(exponent)!r}))"
    return f"({base}**{inner(exponent)})"
