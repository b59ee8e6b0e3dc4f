"""Exact-value recognition: is a fitted coefficient a small rational, a power of π, a user constant?

0.10194 can be 1/g; 6.2832 can be 2π; 0.6 can be 3/5. Each candidate has a
cost (a rough description length); among the values within tolerance of a
fitted coefficient the cheapest wins. Whether the snapped law is accepted is
decided elsewhere, by comparing its fit with the free coefficient's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from itertools import product

import numpy as np
import sympy as sp

PI_POWERS = (
    Fraction(0),
    Fraction(1),
    Fraction(-1),
    Fraction(2),
    Fraction(-2),
    Fraction(3),
    Fraction(-3),
    Fraction(1, 2),
    Fraction(-1, 2),
)
CONSTANT_POWERS = (
    Fraction(0),
    Fraction(1),
    Fraction(-1),
    Fraction(2),
    Fraction(-2),
    Fraction(1, 2),  # 2*pi*sqrt(L/g): a pendulum's period
    Fraction(-1, 2),
    Fraction(3, 2),  # (M/(2*pi*R*T))**(3/2): a Maxwell–Boltzmann distribution's prefactor
    Fraction(-3, 2),
)
# Irrational factors and their cost: 1/sqrt(2*pi) needs sqrt(2); base-10 logarithms (pH, decibels,
# magnitudes, 10**(-x)) give log(x)/log(10) and exp(-log(10)*x); cube roots come from laws solved
# for a length (a Roche limit's (2ρp/ρs)^(1/3) puts 2^(1/3) before the variables' powers).
FACTORS = (
    (sp.Integer(1), 0.0),
    (sp.sqrt(2), 2.0),
    (sp.sqrt(3), 2.0),
    (sp.cbrt(2), 2.5),
    (sp.cbrt(3), 2.5),
    (1 / sp.log(10), 2.0),
    (sp.log(10), 2.0),
)
MAX_COST = 12.0  # beyond this an 'exact' value describes the number no better than its digits
# Largest denominator of the rational factor: 16 holds 1/(16·π·σ) (a planet's equilibrium
# temperature); the cost (log2 q) and the look-elsewhere test count it.
MAX_DENOMINATOR = 16


@dataclass(frozen=True)
class ExactValue:
    """A candidate exact value for a coefficient.

    Attributes
    ----------
    expr : sympy.Expr
        e.g. ``1/g``, ``2*pi``, ``3/5`` (user constants as symbols).
    value : float
        Its numeric value with the constants' values substituted.
    cost : float
        Description length; lower is simpler.
    """

    expr: sp.Expr
    value: float
    cost: float


def exact_values_near(
    value: float,
    tolerance: float,
    constants: Mapping[str, float] | None = None,
    max_denominator: int = MAX_DENOMINATOR,
    max_numerator: int = 10_000,
    max_cost: float = MAX_COST,
    limit: int | None = None,
) -> list[ExactValue]:
    """Exact values within ``tolerance`` of ``value``, simplest first.

    Values have the form ``(p/q) · f · π^a · Π c_i^b_i`` with ``q ≤ max_denominator``,
    ``f`` in {1, √2, √3, ∛2, ∛3, 1/ln 10, ln 10},
    ``|p| ≤ max_numerator``, ``a`` in {0, ±1/2, ±1, ±2, ±3} and each ``b_i`` in
    {0, ±1/2, ±1, ±3/2, ±2} for the user constants ``c_i`` (±3/2 for one of them at most).

    Parameters
    ----------
    value : float
        The fitted coefficient.
    tolerance : float
        Largest accepted ``|candidate - value|``.
    constants : mapping of name → value, optional
        Named constants such as ``{"g": 9.81}``.
    max_denominator, max_numerator : int
        Bounds on the rational factor p/q.
    max_cost : float
        Costlier candidates are not offered.
    limit : int, optional
        Return only the ``limit`` first (simplest) values.

    Returns
    -------
    list of ExactValue
        Sorted by cost, then by distance to ``value``.
    """
    if not math.isfinite(value) or value == 0:
        return []
    constants = dict(constants or {})
    names = list(constants)
    table = _family_table(tuple(constants.items()))
    ratio = value / table.base
    hit_q, hit_family, hit_p, hit_cost, hit_error = [], [], [], [], []
    for q in range(1, max_denominator + 1):
        p = np.round(ratio * q)
        cost = 1.0 + np.log2(np.maximum(np.abs(p), 1.0)) + math.log2(q) + table.cost
        error = np.abs(p / q * table.base - value)
        hits = np.flatnonzero((p != 0) & (np.abs(p) <= max_numerator) & (error <= tolerance) & (cost <= max_cost))
        hits = hits[np.gcd(np.abs(p[hits]).astype(np.int64), q) == 1]  # others were seen with a smaller q
        hit_q.append(np.full(len(hits), q))
        hit_family.append(hits)
        hit_p.append(p[hits])
        hit_cost.append(cost[hits])
        hit_error.append(error[hits])
    costs, errors = np.concatenate(hit_cost), np.concatenate(hit_error)
    qs, families, ps = np.concatenate(hit_q), np.concatenate(hit_family), np.concatenate(hit_p)
    # SymPy only for the values returned: under noise the tolerance holds thousands of hits.
    found: list[ExactValue] = []
    seen: set[sp.Expr] = set()
    for k in np.lexsort((errors, costs)):  # by cost, then distance; stable
        fraction = Fraction(int(ps[k]), int(qs[k]))
        family = table.family(int(families[k]))
        expr = sp.Rational(fraction.numerator, fraction.denominator) * family.factor
        expr *= sp.pi ** sp.Rational(family.pi_power.numerator, family.pi_power.denominator)
        for name, b in zip(names, family.exponents):
            expr *= sp.Symbol(name) ** sp.Rational(b.numerator, b.denominator)
        if expr in seen:
            continue
        seen.add(expr)
        found.append(ExactValue(expr, float(fraction) * family.base, float(costs[k])))
        if limit is not None and len(found) >= limit:
            break
    return found


def expected_false_matches(
    value: float,
    cost: float,
    width: float,
    constants: Mapping[str, float] | None = None,
    max_denominator: int = MAX_DENOMINATOR,
    with_constants_only: bool = False,
) -> float:
    """How many exact values costing at most ``cost`` lie within ``±width`` of ``value``, on average.

    The look-elsewhere test of snapping: each family ``(p/q)·f·π^a·Πc^b``
    puts values ``base/q`` apart (those with p and q coprime: φ(q) in every q),
    up to the numerator its cost allows. Where this count is not small, an
    exact value that close is what any number would find, and says nothing.

    Parameters
    ----------
    value : float
    cost : float
        The candidate's cost (see :func:`exact_values_near`).
    width : float
        Half-width of the window, e.g. two standard errors.
    constants : mapping of name → value, optional
    max_denominator : int
    with_constants_only : bool
        Count only the values that use a user constant: the look-elsewhere
        test of a candidate such as ``2*pi/sqrt(g)``. The user named the
        constants because they expect them in the law, so such a candidate
        competes with the other expressions in them, not with every small
        rational and power of π.
    """
    table = _family_table(tuple(dict(constants or {}).items()))
    base = np.abs(table.base)
    if with_constants_only:
        base = np.where(table.uses_constants, base, np.inf)
    total = 0.0
    for q in range(1, max_denominator + 1):
        left = cost - (1.0 + math.log2(q) + table.cost)  # bits left for the numerator
        # A family has values that cheap near ``value`` only when its numerator fits in the bits left.
        reachable = (left >= 0) & (abs(value) * q / base <= 2.0 ** np.maximum(left, 0.0) + 0.5)
        total += 2.0 * width * _TOTIENT[q] * float(np.sum(1.0 / base[reachable]))
    return total


@dataclass(frozen=True)
class _Family:
    """Values (p/q)·base with base = factor·π^a·Πcᵢ^bᵢ."""

    factor: sp.Expr
    pi_power: Fraction
    exponents: tuple[Fraction, ...]
    base: float


@dataclass(frozen=True)
class _FamilyTable:
    """Every family for one set of constants, as arrays (searched at once); :meth:`family` spells one out."""

    factor: np.ndarray  # index into FACTORS
    pi_power: np.ndarray  # index into PI_POWERS
    exponents: np.ndarray  # (families, constants): indices into CONSTANT_POWERS
    base: np.ndarray
    cost: np.ndarray  # of the factor and the powers; the rational p/q adds its own
    uses_constants: np.ndarray  # bool: some user constant's power is not 0

    def family(self, i: int) -> _Family:
        exponents = tuple(CONSTANT_POWERS[b] for b in self.exponents[i])
        return _Family(FACTORS[self.factor[i]][0], PI_POWERS[self.pi_power[i]], exponents, float(self.base[i]))


@lru_cache(maxsize=64)
def _family_table(constants: tuple[tuple[str, float], ...]) -> _FamilyTable:
    """Every family of exact values for these constants (computed once per set of constants).

    Built with arrays: five constants make ~280,000 families, a 20 s loop in Python.
    """
    n = len(constants)
    grid = np.array(list(product(range(len(CONSTANT_POWERS)), repeat=n)), dtype=np.int64)  # (9ⁿ, n)
    # one constant to a power ±3/2 at most: with five constants these tripled the table
    three_halves = np.array([b.denominator == 2 and abs(b) > 1 for b in CONSTANT_POWERS])
    grid = grid[three_halves[grid].sum(axis=1) <= 1]
    constants_cost = _constant_power_costs(CONSTANT_POWERS)[grid].sum(axis=1)
    powers = np.array([float(b) for b in CONSTANT_POWERS])
    values = np.array([value for _, value in constants], dtype=np.float64)
    with np.errstate(invalid="ignore"):
        constants_base = np.prod(np.power(values[None, :], powers[grid]), axis=1)
    factors, pi_powers, rows, bases, costs = [], [], [], [], []
    for (f, (factor, factor_cost)), (a, pi_power) in product(enumerate(FACTORS), enumerate(PI_POWERS)):
        cost = constants_cost + _pi_power_cost(pi_power) + factor_cost
        keep = np.flatnonzero(cost + 1.0 <= MAX_COST)  # beyond it no numerator makes it cheap enough
        factors.append(np.full(len(keep), f))
        pi_powers.append(np.full(len(keep), a))
        rows.append(keep)
        bases.append(float(factor) * math.pi ** float(pi_power) * constants_base[keep])
        costs.append(cost[keep])
    exponents = grid[np.concatenate(rows)]
    return _FamilyTable(
        np.concatenate(factors),
        np.concatenate(pi_powers),
        exponents,
        np.concatenate(bases),
        np.concatenate(costs),
        (powers[exponents] != 0).any(axis=1),
    )


_TOTIENT = {q: sum(1 for p in range(1, q + 1) if math.gcd(p, q) == 1) for q in range(1, 101)}


def _pi_power_cost(pi_power: Fraction) -> float:
    """Description length of a power of π: 2 per unit, 1 more for a half power."""
    return 2.0 * abs(float(pi_power)) + (1.0 if pi_power.denominator == 2 else 0.0)


def _constant_power_costs(powers: tuple[Fraction, ...]) -> np.ndarray:
    """Description length of each power of a user constant: 1.5 per unit, 1 more for a half power."""
    return np.array([1.5 * abs(float(b)) + (1.0 if b.denominator == 2 else 0.0) for b in powers])
