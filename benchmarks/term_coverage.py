"""The verdict for noisy data: exactly the true terms, and each true coefficient inside its 95 % interval.

A law with the right terms and honest intervals that contain the truth is
what a scientist needs from noisy data, where an exact value may not be
claimed. Terms are compared after the named constants are replaced by their
values and the sums expanded: each term is its numeric factor times the rest
(its structure). A coefficient held at an exact value counts when that value
is the truth (to 1e-9 of it); a free one when the truth lies in its interval.
A constant fitted inside a term (the K of x·y/(K + x²), marked ``inner``)
is part of the terms: they are right when a value of it inside its interval
makes them the truth's.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import permutations

import numpy as np
import sympy as sp

EXACT_TOLERANCE = 1e-9  # relative: an exact coefficient equal to the truth


@dataclass(frozen=True)
class TermVerdict:
    """``right_terms``: the same terms as the truth; ``covered``: and every true coefficient inside its interval.

    ``covered`` is None where the tool gives no intervals (right terms alone are then reported).
    """

    right_terms: bool
    covered: bool | None


def split_terms(expression: sp.Expr, values: Mapping[sp.Symbol, float]) -> dict[sp.Expr, float]:
    """Each term's structure → its numeric coefficient, named constants replaced by ``values``.

    Both sides are written one way first, so that equal laws written
    differently have the same terms: tan and cot as sin and cos, an
    exponential of logarithms as powers (e^(u·log 10) is 10^u), a power of a
    sum with the sum's common factors taken out, logarithms of products and
    powers of products expanded (the variables taken positive, as measured
    quantities are), products and multiple angles of sines and cosines
    expanded, even powers of a sine as powers of 1 − cos², and each term's
    rational function cancelled to a monic denominator with the numbers inside
    it exact (x·y/(0.5·x² + 1) is 2·x·y/(x² + 2)).
    """
    out: dict[sp.Expr, float] = {}
    expression = sp.sympify(expression).xreplace(dict(values))
    positive = {s: sp.Symbol(s.name, positive=True) for s in expression.free_symbols}
    plain = {v: k for k, v in positive.items()}
    for term in sp.Add.make_args(_canonical(expression.xreplace(positive)).xreplace(plain)):
        factor, rest = term.as_coeff_Mul()
        inner, rest = sp.cancel(sp.nsimplify(rest, rational=True)).as_coeff_Mul()
        out[rest] = out.get(rest, 0.0) + float(factor) * float(inner)
    return {rest: c for rest, c in out.items() if c != 0.0}


def _canonical(expression: sp.Expr) -> sp.Expr:
    e = expression.replace(sp.tan, lambda a: sp.sin(a) / sp.cos(a)).replace(sp.cot, lambda a: sp.cos(a) / sp.sin(a))
    e = sp.expand_log(e, force=True).replace(sp.exp, _exp_of_logs)
    e = e.replace(lambda p: p.is_Pow and p.base.is_Add, lambda p: sp.factor_terms(sp.expand(p.base)) ** p.exp)
    e = sp.expand(sp.expand_trig(e), power_base=True, power_exp=True, log=True)
    even_sine = lambda p: p.is_Pow and isinstance(p.base, sp.sin) and p.exp.is_Integer and p.exp % 2 == 0  # noqa: E731
    e = e.replace(even_sine, lambda p: (1 - sp.cos(p.base.args[0]) ** 2) ** (p.exp // 2))
    return sp.expand(e)


def _exp_of_logs(argument: sp.Expr) -> sp.Expr:
    """exp(a·log b + c) as b^a·exp(c): a Hill curve written through exp and log is one through powers."""
    powers, rest = sp.Integer(1), sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(argument)):
        logs = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.log)]
        if len(logs) == 1:
            powers *= logs[0].args[0] ** (term / logs[0])
        else:
            rest += term
    return powers * sp.exp(rest)


def term_verdict(
    found: sp.Expr,
    truth: sp.Expr,
    constants: Mapping[str, float] | None = None,
    coefficients: Sequence | None = None,
    exact: bool = False,
) -> TermVerdict:
    """The verdict on ``found`` against ``truth``; ``coefficients`` (a Law's) where the tool gives intervals.

    ``exact``: the judge found the law equal to the truth, which has the true
    terms and coefficients however it is written (the writing-one-way above
    does not reach every identity: K − K/(eᵘ + 1) is K/(1 + e⁻ᵘ)).
    """
    if exact:
        return TermVerdict(True, None if coefficients is None else True)
    values = {sp.Symbol(k): v for k, v in (constants or {}).items()}
    have, want = split_terms(found, values), split_terms(truth, values)
    right = set(have) == set(want)
    if coefficients is None:
        return TermVerdict(right, None)
    inner = [c for c in coefficients if c.inner and c.exact is None]
    coefficients = [c for c in coefficients if not c.inner]  # an exact inner constant is in the terms compared
    if inner:
        replace = _inner_at_truth(found, want, values, inner)
        if replace is None:
            return TermVerdict(False, False)
        found = found.xreplace(replace)
        coefficients = [dataclasses.replace(c, term=c.term.xreplace(replace)) for c in coefficients]
        have = split_terms(found, values)
        right = set(have) == set(want)
    if not right:
        return TermVerdict(False, False)
    truth_values = _truth_in_law_terms(coefficients, have, want, values)
    if truth_values is None:
        return TermVerdict(True, False)
    return TermVerdict(True, all(_covers(c, v) for c, v in zip(coefficients, truth_values)))


def _inner_at_truth(
    found: sp.Expr, want: Mapping[sp.Expr, float], values: Mapping, inner: Sequence
) -> dict[sp.Float, float] | None:
    """The values, inside their intervals, of the law's inner constants that make its terms the truth's.

    Each inner constant's number in ``found`` is made a symbol; each law term
    with such symbols must be a constant multiple of a true term the others do
    not match, for some values of them (solved on the polynomial identity of
    its ratio to that term). None where no such values exist or one lies outside its interval.
    """
    floats = found.atoms(sp.Float)
    symbols, replace = [], {}
    for i, c in enumerate(inner):
        literal = next((f for f in floats if math.isclose(float(f), c.value, rel_tol=1e-12)), None)
        if literal is None:
            return None
        symbols.append(sp.Symbol(f"inner_{i}"))
        replace[literal] = symbols[-1]
    have = split_terms(found.xreplace(replace), values)
    plain = {k for k in have if not k.free_symbols & set(symbols)}
    open_terms = [k for k in have if k not in plain]
    remaining = [k for k in want if k not in plain]
    if not plain <= set(want) or len(open_terms) != len(remaining):
        return None
    for pairing in permutations(remaining):
        solved = _solved_pairing(open_terms, pairing, symbols)
        if solved is not None:
            if all(_covers(c, solved[symbol]) for c, symbol in zip(inner, symbols)):
                return {literal: solved[symbol] for literal, symbol in replace.items()}
    return None


def _solved_pairing(law_terms: Sequence[sp.Expr], true_terms: Sequence[sp.Expr], symbols: Sequence[sp.Symbol]):
    """Values of ``symbols`` making each law term a constant multiple of its true term; None where none do.

    A value that makes a term another kind of term is no match: x·y/(y + K) at K = 0 is x, but the law,
    whose interval for K holds 0, has not the term x.
    """
    equations, scales = [], []
    for k, (term, truth) in enumerate(zip(law_terms, true_terms)):
        numerator, denominator = sp.fraction(sp.cancel(term / truth))
        scales.append(sp.Symbol(f"scale_{k}"))
        variables = (numerator.free_symbols | denominator.free_symbols) - set(symbols)
        try:
            identity = sp.Poly(sp.expand(numerator - scales[-1] * denominator), *sorted(variables, key=str))
        except sp.PolynomialError:
            return None  # not a rational function of the variables: no identity to solve
        equations += identity.coeffs()
    for solution in sp.solve(equations, [*symbols, *scales], dict=True):
        if not all(s in solution and solution[s].is_real for s in symbols) or any(solution.get(s) == 0 for s in scales):
            continue
        values = {s: solution[s] for s in symbols}
        if all(_degrees(term.xreplace(values), symbols) == _degrees(term, symbols) for term in law_terms):
            return {s: float(v) for s, v in values.items()}
    return None


def _degrees(term: sp.Expr, symbols: Sequence[sp.Symbol]) -> tuple[int, int]:
    """The total degrees of a rational term's numerator and denominator in its variables, cancelled."""
    parts = sp.fraction(sp.cancel(term))
    variables = sorted(term.free_symbols - set(symbols), key=str)
    return tuple(sp.Poly(part, *variables).total_degree() if variables else 0 for part in parts)


def _truth_in_law_terms(
    coefficients: Sequence, have: Mapping[sp.Expr, float], want: Mapping[sp.Expr, float], values: Mapping
) -> np.ndarray | None:
    """The true coefficient of each of the law's own terms; None where the truth is no combination of them.

    A law's terms may be written otherwise than the truth's (sin x·cos 2y and sin x for sin x·cos² y and
    sin x): the truth is written in the law's terms, and each coefficient's interval is asked about its own
    term's true coefficient. What the law holds outside its coefficients must match the truth as it is.
    """
    rows = [split_terms(c.term, values) for c in coefficients]
    keys = sorted(set(have) | set(want) | {k for row in rows for k in row}, key=sp.default_sort_key)
    basis = np.array([[row.get(k, 0.0) for k in keys] for row in rows]).reshape(len(rows), len(keys))
    found = np.array([float(c.value) for c in coefficients])
    held = np.array([have.get(k, 0.0) for k in keys]) - found @ basis
    target = np.array([want.get(k, 0.0) for k in keys]) - held
    scale = max(1.0, float(np.abs(target).max()))
    solved = np.linalg.lstsq(basis.T, target, rcond=None)[0] if len(rows) else found
    if np.linalg.matrix_rank(basis) < len(rows) or np.abs(basis.T @ solved - target).max() > EXACT_TOLERANCE * scale:
        return None
    return solved


def _covers(coefficient, truth: float) -> bool:
    """Whether a coefficient's 95 % interval holds the truth; one held at an exact value must equal it."""
    if coefficient.exact is not None:
        return math.isclose(float(coefficient.value), truth, rel_tol=EXACT_TOLERANCE, abs_tol=EXACT_TOLERANCE)
    low, high = coefficient.ci95
    return min(low, high) <= truth <= max(low, high)
