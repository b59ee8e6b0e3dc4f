"""The terms dynamics adds to the default library: saturations and ratios of trigonometric functions.

The default library (powers, harmonics, exp/log/sqrt, differences of pairs
with their sines and cosines, products) covers polynomial and trigonometric
vector fields. Rate laws of biology and chemistry saturate (Michaelis–Menten,
Holling type II and III: ``x*y/(1 + x)``, ``y/(1 + x**2)``), and flows on a
sphere or a cylinder carry ratios of sines and cosines (``cos(x)/tan(y)``);
neither is a product of the default library's terms. These are added, for
every state and input ``a`` and every other one ``b``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp


def dynamics_terms(names: Sequence[str]) -> list[sp.Expr]:
    """Saturating and trigonometric-ratio terms of the states and inputs ``names``.

    For each ``a``: ``a/(1 + a)``, ``1/(1 + a²)``, ``a/(1 + a²)`` and, with each
    other ``b``, ``a·b/(1 + a)``, ``b/(1 + a²)``, ``a·b/(1 + a²)``; ``tan a``,
    ``cot a``, ``1/sin a``, ``1/cos a``, alone and times ``sin b`` and ``cos b``.
    Terms undefined on the data are dropped by the library fit.
    """
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
        for ratio in (sp.tan(a), sp.cos(a) / sp.sin(a), 1 / sp.sin(a), 1 / sp.cos(a)):
            terms.append(ratio)
            terms.extend(ratio * f(b) for b in others for f in (sp.sin, sp.cos))
    return list(dict.fromkeys(terms))
