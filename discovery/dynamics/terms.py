"""The terms dynamics adds to the default library: saturations and ratios of trigonometric functions.

The default library (powers, harmonics, exp/log/sqrt, differences of pairs
with their sines and cosines, products) covers polynomial and trigonometric
vector fields. Rate laws of biology and chemistry saturate (Michaelis–Menten,
Holling type II and III: ``x*y/(1 + x)``, ``y/(1 + x**2)``), and flows on a
sphere or a cylinder carry ratios of sines and cosines (``cos(x)/tan(y)``);
neither is a product of the default library's terms. These are added, for
every state and input ``a`` and every other one ``b``, with 1 for the
half-saturation constant; the trajectory fit fits that constant
(:func:`saturation_constants`).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations_with_replacement

import sympy as sp


def dynamics_terms(names: Sequence[str]) -> list[sp.Expr]:
    """Saturating and trigonometric-ratio terms of the states and inputs ``names``.

    For each ``a``: ``a/(1 + a)``, ``1/(1 + a²)``, ``a/(1 + a²)`` and, with each
    other ``b``, ``a·b/(1 + a)``, ``b/(1 + a²)``, ``a·b/(1 + a²)``; ``tan a``,
    ``cot a``, ``1/sin a``, ``1/cos a``, alone and times ``sin b`` and ``cos b``.
    Terms undefined on the data are dropped by the library fit.
    """
    symbols = [sp.Symbol(n) for n in names]
    terms: list[sp.Expr] = saturation_terms(names)
    for a in symbols:
        others = [b for b in symbols if b != a]
        for ratio in (sp.tan(a), sp.cos(a) / sp.sin(a), 1 / sp.sin(a), 1 / sp.cos(a)):
            terms.append(ratio)
            terms.extend(ratio * f(b) for b in others for f in (sp.sin, sp.cos))
    return list(dict.fromkeys(terms))


def saturation_terms(names: Sequence[str]) -> list[sp.Expr]:
    """The saturating terms of :func:`dynamics_terms`: ``a/(1 + a)``, ``a·b/(1 + a)`` and those over ``1 + a²``."""
    symbols = [sp.Symbol(n) for n in names]
    terms: list[sp.Expr] = []
    for a in symbols:
        others = [b for b in symbols if b != a]
        # Not 1/(1 + a) beside a/(1 + a), nor b/(1 + a) beside a·b/(1 + a): each pair sums to a term of the
        # default library (1, b), and exact collinearities let the subset search trade one for the other.
        terms.append(a / (1 + a))
        terms.extend(a * b / (1 + a) for b in others)
        for numerator in (sp.Integer(1), a, *others, *(a * b for b in others)):
            terms.append(numerator / (1 + a**2))
    return terms


def polynomial_terms(names: Sequence[str], degree: int) -> list[sp.Expr]:
    """Every monomial of the ``names`` up to ``degree``, 1 included."""
    symbols = [sp.Symbol(n) for n in names]
    return [sp.Mul(*c) for d in range(degree + 1) for c in combinations_with_replacement(symbols, d)]


def ladder(names: Sequence[str]) -> list[list[sp.Expr]]:
    """Small libraries whose sparse laws a scientist would try before a large library's, in the order tried.

    Polynomials to degree 2; degree 2 with the saturations (Michaelis–Menten, Holling: rates in biology and
    chemistry); polynomials to degree 3; degree 1 with the sines and cosines of each variable and of each
    difference of two (coupled oscillators). On noisy or short series a large library's search fits the
    noise with flexible terms, and the right law is often a small library's. They are searched in this
    order while time lasts: the saturations come before degree 3, which bacterial respiration at 1 % noise
    did not reach after degree 3 in 30 s.
    """
    symbols = [sp.Symbol(n) for n in names]
    trigonometric = [f(a) for a in symbols for f in (sp.sin, sp.cos)]
    trigonometric += [f(a - b) for i, a in enumerate(symbols) for b in symbols[i + 1 :] for f in (sp.sin, sp.cos)]
    return [
        polynomial_terms(names, 2),
        list(dict.fromkeys(polynomial_terms(names, 2) + saturation_terms(names))),
        polynomial_terms(names, 3),
        polynomial_terms(names, 1) + trigonometric,
    ]


def saturation_constants(term: sp.Expr) -> tuple[sp.Expr, list[tuple[sp.Dummy, sp.Expr]]]:
    """The term with each saturation constant made a symbol, and those symbols with their values.

    A number added to the variables inside a denominator is a half-saturation
    constant, the K of ``a/(K + a)`` or ``a·b/(K + a²)`` (Michaelis–Menten,
    Holling): the library's terms have 1, data in other units need another,
    and bacterial respiration's x·y/(1 + x²/2) is 2·x·y/(2 + x²).
    """
    found: list[tuple[sp.Dummy, sp.Expr]] = []

    def visit(expression: sp.Expr) -> sp.Expr:
        if expression.is_Pow and expression.exp.is_negative and expression.base.is_Add:
            numbers = [a for a in expression.base.args if a.is_Number]
            if len(numbers) == 1 and expression.base.free_symbols:
                symbol = sp.Dummy(f"K{len(found)}")
                found.append((symbol, numbers[0]))
                return sp.Pow(expression.base - numbers[0] + symbol, expression.exp)
        if expression.args and not expression.is_Atom:
            return expression.func(*[visit(a) for a in expression.args])
        return expression

    return visit(sp.sympify(term)), found
