"""Parametric forms a data analyst fits by hand, fitted over monomials of the inputs.

A form is a few columns ``c(u; θ)`` with one or two nonlinear parameters θ:
an exponential with an offset ``[1, exp(θ₀u)]``, a logistic curve, a
saturating (Michaelis–Menten) or Hill curve, a Gaussian peak, a damped
oscillation, a power law with an offset, a low-degree rational function and
a Planck-like ``u³/(exp(θ₀u) − 1)``. ``u`` runs over monomials of the inputs
(each input, its inverse, and products and ratios of two) and, with few
inputs, over differences of two inputs alone and times a third; the model is

    y = Σ_g Σ_c a_{g,c} · g(x) · c(u; θ)

with ``g`` the constant alone or the constant and each input (an offset and
an amplitude that vary linearly with the other inputs). For fixed θ the
model is linear in the ``a``: they are solved by least squares inside the
residual (variable projection), and Levenberg–Marquardt moves θ alone, from
starts read off the data (quantiles of u, a frequency scan, a linearised
rational fit). The fits with the lowest BIC become candidate expressions;
the SymPy layer then refits all their floats jointly, prunes and snaps them
like a search backend's. Variable names play no part.
"""

from __future__ import annotations

import functools
import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..io.dataset import Dataset
from ..io.rows import sample_rows

SEARCH_ROWS = 400  # rows the forms are fitted on; the SymPy layer refits the winners on more
MAX_PAIR_VARIABLES = 6  # products and ratios of two inputs are tried up to this many inputs
MAX_DIFFERENCE_VARIABLES = 4  # differences, alone and times a third input, up to this many
LM_STARTS = 2  # Levenberg–Marquardt runs per form and monomial, from the best-scoring starts
LM_EVALUATIONS = 60  # residual evaluations per run
BEST = 6  # candidates returned
FREQUENCIES = 60  # grid of the damped oscillation's frequency scan

U = sp.Symbol("u")
T0, T1 = sp.symbols("theta0 theta1")


@dataclass(frozen=True)
class Form:
    """Columns c(u; θ) with nonlinear parameters θ, and where LM starts from.

    Attributes
    ----------
    name : str
    columns : list of sympy.Expr
        In ``U`` and the first ``n_theta`` of ``T0, T1``.
    n_theta : int
    starts : callable
        ``(u, y) -> list of θ vectors`` to score before the LM runs.
    positive : bool
        True when the form needs u > 0 (powers with a fitted exponent).
    combine : callable, optional
        ``(coefficients, terms) -> expression`` for one outer term's share,
        when the plain sum Σ a·c is not how the form is read.
    """

    name: str
    columns: tuple[sp.Expr, ...]
    n_theta: int
    starts: Callable[[np.ndarray, np.ndarray], list[np.ndarray]]
    positive: bool = False
    combine: Callable[[list[float], list[sp.Expr]], sp.Expr] | None = None

    @functools.cached_property
    def evaluate(self) -> Callable[..., list[np.ndarray]]:
        """``(u, θ) -> columns``, compiled once."""
        thetas = (T0, T1)[: self.n_theta]
        compiled = sp.lambdify((U, *thetas), list(self.columns), "numpy")
        return lambda u, theta: [np.broadcast_to(c, u.shape) for c in compiled(u, *theta)]

    def symbolic(self, u: sp.Expr, theta: Sequence[float]) -> list[sp.Expr]:
        """The columns with ``u`` and the fitted θ put in."""
        values = {U: u, **{t: sp.Float(float(v)) for t, v in zip((T0, T1), theta)}}
        return [c.xreplace(values) for c in self.columns]


def _spread(u: np.ndarray) -> float:
    lo, hi = np.quantile(u, [0.05, 0.95])
    return float(hi - lo) or float(np.ptp(u)) or 1.0


def _rate_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    s = _spread(u)
    return [np.array([sign * k / s]) for sign in (1, -1) for k in (0.3, 1, 3, 10)]


def _exponent_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    return [np.array([p]) for p in (-3, -2, -1, -0.5, 0.5, 1.5, 2, 3)]


def _logistic_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    s = _spread(u)
    return [np.array([sign * k / s, c]) for sign in (1, -1) for k in (4, 16) for c in np.quantile(u, [0.25, 0.5, 0.75])]


def _half_point_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    return [np.array([c]) for c in np.quantile(u, [0.05, 0.25, 0.5, 0.75, 0.95])]


def _hill_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    return [np.array([c, n]) for c in np.quantile(u, [0.1, 0.3, 0.5, 0.7, 0.9]) for n in (1, 2, 4)]


def _peak_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    s = _spread(u)
    centres = [u[np.argmax(y)], u[np.argmin(y)], *np.quantile(u, [0.25, 0.5, 0.75])]
    return [np.array([c, w * s]) for c in centres for w in (0.05, 0.15, 0.4)]


def _oscillation_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    s = float(np.ptp(u)) or 1.0
    frequencies = 2 * np.pi * np.geomspace(0.5, len(u) / 8, FREQUENCIES) / s
    return [np.array([rate / s, w]) for rate in (0.0, 2.0) for w in frequencies]


def _planck_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    return [np.array([k / c]) for c in np.quantile(u, [0.25, 0.5, 0.75]) for k in (0.5, 2.8, 8)]


def _rational_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    # Levy's linearisation: y·(1 + θ₀u + θ₁u²) = p₀ + p₁u + p₂u² is linear in p and θ.
    design = np.column_stack([np.ones_like(u), u, u**2, -u * y, -(u**2) * y])
    scale = np.sqrt((design**2).mean(axis=0))
    scale[scale == 0] = 1
    coef, *_ = np.linalg.lstsq(design / scale, y, rcond=None)
    theta = (coef / scale)[3:]
    return [theta, np.zeros(2)] if np.all(np.isfinite(theta)) else [np.zeros(2)]


def _plain_sum(coefficients: list[float], columns: list[sp.Expr]) -> sp.Expr:
    return sp.Add(*(sp.Float(a) * c for a, c in zip(coefficients, columns) if a != 0))


def _amplitude_and_phase(coefficients: list[float], columns: list[sp.Expr]) -> sp.Expr:
    """``a₀ + e^{−θ₀u}(a₁cos θ₁u + a₂sin θ₁u)`` read as ``a₀ + R·e^{−θ₀u}·cos(θ₁u + φ)``."""
    offset, a, b = coefficients
    decay_cos = columns[1]
    # columns[1] is exp(−θ₀u)·cos(θ₁u): shift the cosine's argument by the phase.
    cosine = next(f for f in decay_cos.atoms(sp.cos))
    phase = math.atan2(-b, a)
    shifted = decay_cos.xreplace({cosine: sp.cos(cosine.args[0] + sp.Float(phase))})
    return sp.Float(offset) + sp.Float(math.hypot(a, b)) * shifted


FORMS: tuple[Form, ...] = (
    Form("exponential", (sp.Integer(1), sp.exp(T0 * U)), 1, _rate_starts),
    Form("power law", (sp.Integer(1), U**T0), 1, _exponent_starts, positive=True),
    Form("logistic", (sp.Integer(1), 1 / (1 + sp.exp(-T0 * (U - T1)))), 2, _logistic_starts),
    Form("saturating", (sp.Integer(1), U / (T0 + U)), 1, _half_point_starts, positive=True),
    Form("hill", (sp.Integer(1), U**T1 / (T0**T1 + U**T1)), 2, _hill_starts, positive=True),
    Form("gaussian", (sp.Integer(1), sp.exp(-((U - T0) ** 2) / (2 * T1**2))), 2, _peak_starts),
    Form(
        "damped oscillation",
        (sp.Integer(1), sp.exp(-T0 * U) * sp.cos(T1 * U), sp.exp(-T0 * U) * sp.sin(T1 * U)),
        2,
        _oscillation_starts,
        combine=_amplitude_and_phase,
    ),
    Form("rational", tuple(U**k / (1 + T0 * U + T1 * U**2) for k in range(3)), 2, _rational_starts),
    Form("planck", (sp.Integer(1), U**3 / (sp.exp(T0 * U) - 1)), 1, _planck_starts, positive=True),
)


@dataclass(frozen=True)
class FormFit:
    """One form fitted over one monomial.

    Attributes
    ----------
    expression : sympy.Expr
        With the fitted floats.
    form : str
    monomial : sympy.Expr
    rss : float
        On the search rows.
    bic : float
        On the search rows, counting the outer coefficients and θ.
    """

    expression: sp.Expr
    form: str
    monomial: sp.Expr
    rss: float
    bic: float


def form_fits(data: Dataset, seconds: float | None = None, random_state: int | None = 0) -> list[FormFit]:
    """The forms fitted over the monomials of the inputs, lowest BIC first (at most ``BEST``).

    The outer terms are the constant and, with two inputs or more, each
    input. The search stops starting new fits after ``seconds``.
    """
    start = time.perf_counter()
    rows = sample_rows(data.n_rows, random_state, cap=SEARCH_ROWS)
    X, y = data.X[rows], data.y[rows]
    symbols = [sp.Symbol(v) for v in data.variables]
    outer = np.ones((len(y), 1)) if X.shape[1] == 1 else np.column_stack([np.ones(len(y)), X])
    outer_terms = [sp.Integer(1)] + (symbols if X.shape[1] > 1 else [])
    fits: list[tuple[float, float, Form, sp.Expr, np.ndarray, np.ndarray]] = []  # bic, rss, form, monomial, u, θ
    for monomial, u in _monomials(X, symbols):
        for form in FORMS:
            if seconds is not None and time.perf_counter() - start > seconds:
                break
            if form.positive and not np.all(u > 0):
                continue
            fitted = _fit_form(form, u, y, outer)
            if fitted is not None:
                theta, rss, k = fitted
                fits.append((_bic(rss, len(y), k), rss, form, monomial, u, theta))
    fits.sort(key=lambda f: f[0])
    results = [
        _result(form, m, theta, rss, bic, outer, u, y, outer_terms) for bic, rss, form, m, u, theta in fits[:BEST]
    ]
    return [r for r in results if r is not None]


def _bic(rss: float, n: int, k: int) -> float:
    return n * math.log(max(rss, 1e-300) / n) + k * math.log(n)


def _monomials(X: np.ndarray, symbols: list[sp.Symbol]):
    """(sympy monomial, values): each input and its inverse, products and ratios of two, then differences."""
    d = X.shape[1]
    nonzero = [bool(np.all(X[:, j] != 0)) for j in range(d)]
    for j, s in enumerate(symbols):
        if np.ptp(X[:, j]) > 0:
            yield s, X[:, j]
            if nonzero[j]:
                yield 1 / s, 1 / X[:, j]
    if d > MAX_PAIR_VARIABLES:
        return
    for i, j in itertools.combinations(range(d), 2):
        a, b = symbols[i], symbols[j]
        yield a * b, X[:, i] * X[:, j]
        if nonzero[j]:
            yield a / b, X[:, i] / X[:, j]
        if nonzero[i]:
            yield b / a, X[:, j] / X[:, i]
    if d > MAX_DIFFERENCE_VARIABLES:
        return
    # A rate times a difference, r·(t − t0) or k·(T − T_env): the argument of many laws' exponentials.
    for i, j in itertools.combinations(range(d), 2):
        difference = X[:, i] - X[:, j]
        if np.ptp(difference) == 0:
            continue
        yield symbols[i] - symbols[j], difference
        for k in range(d):
            if k not in (i, j):
                yield symbols[k] * (symbols[i] - symbols[j]), X[:, k] * difference


def _design(form: Form, u: np.ndarray, theta: np.ndarray, outer: np.ndarray) -> np.ndarray | None:
    with np.errstate(all="ignore"):
        columns = np.column_stack(form.evaluate(u, theta))
    if not np.all(np.isfinite(columns)):
        return None
    return (outer[:, :, None] * columns[:, None, :]).reshape(len(u), -1)


def _projected(design: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares coefficients of y on the design (columns scaled first), and the residuals."""
    scale = np.sqrt((design * design).mean(axis=0))
    scale[~(scale > 0)] = 1.0
    coef, *_ = np.linalg.lstsq(design / scale, y, rcond=None)
    coef = coef / scale
    return coef, y - design @ coef


def _fit_form(form: Form, u: np.ndarray, y: np.ndarray, outer: np.ndarray) -> tuple[np.ndarray, float, int] | None:
    """(θ, rss, parameters counted) of the best LM run from the best-scoring starts; None when none is finite."""
    from scipy.optimize import least_squares

    huge = 1e6 * (float(np.abs(y).max()) + 1.0)

    def residual(theta: np.ndarray) -> np.ndarray:
        design = _design(form, u, theta, outer)
        if design is None:
            return np.full(len(y), huge)
        try:
            _, r = _projected(design, y)
        except np.linalg.LinAlgError:  # SVD that does not converge on a badly scaled design
            return np.full(len(y), huge)
        return r if np.all(np.isfinite(r)) else np.full(len(y), huge)

    with np.errstate(all="ignore"):
        candidates = form.starts(u, y)
        scored = sorted((_squared(residual(t)), i) for i, t in enumerate(candidates))
        best: tuple[float, np.ndarray] | None = None
        for rss0, i in scored[:LM_STARTS]:
            if not math.isfinite(rss0) or rss0 >= len(y) * huge**2 / 2:
                continue
            try:
                run = least_squares(residual, candidates[i], method="lm", max_nfev=LM_EVALUATIONS)
                theta, rss = run.x, float(run.fun @ run.fun)
            except (ValueError, np.linalg.LinAlgError):
                theta, rss = candidates[i], rss0
            if rss0 < rss:
                theta, rss = candidates[i], rss0
            if best is None or rss < best[0]:
                best = (rss, theta)
    if best is None or best[0] >= len(y) * huge**2 / 2:
        return None
    return best[1], best[0], outer.shape[1] * len(form.columns) + form.n_theta


def _squared(r: np.ndarray) -> float:
    return float(r @ r)


def _result(
    form: Form,
    monomial: sp.Expr,
    theta: np.ndarray,
    rss: float,
    bic: float,
    outer: np.ndarray,
    u: np.ndarray,
    y: np.ndarray,
    outer_terms: list[sp.Expr],
) -> FormFit | None:
    design = _design(form, u, theta, outer)
    if design is None:
        return None
    try:
        coef, _ = _projected(design, y)
    except np.linalg.LinAlgError:
        return None
    columns = form.symbolic(monomial, theta)
    k = len(columns)
    combine = form.combine or _plain_sum
    shares = [combine([float(a) for a in coef[i * k : (i + 1) * k]], columns) for i in range(len(outer_terms))]
    # One flat sum, g·a·c term by term, so that the SymPy layer can prune each (N0·0.0002 beside N0·exp(−λt)).
    terms = [g * t for g, share in zip(outer_terms, shares) for t in sp.Add.make_args(share)]
    return FormFit(sp.Add(*terms), form.name, monomial, rss, bic)
