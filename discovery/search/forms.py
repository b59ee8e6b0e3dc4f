"""Parametric forms a data analyst fits by hand, fitted over monomials of the inputs.

A form (catalogued in :mod:`discovery.search.form_catalogue`) is a few columns
``c(u; θ)`` with up to two nonlinear parameters θ:
an exponential with an offset ``[1, exp(θ₀u)]``, a rise from zero ``1 − exp(−θ₀u)``,
one amplitude of two exponentials ``exp(−θ₀u) − exp(−θ₁u)``, two exponentials,
``exp(θ₀/(u + θ₁))`` (Antoine), a logistic curve, a
saturating (Michaelis–Menten) or Hill curve, a Gaussian peak, a damped
oscillation, a power law with an offset and its limit a logarithm, a low-degree rational function,
a Planck-like ``u³/(exp(θ₀u) − 1)``, a Bose–Einstein ``u^k/(exp(θ₀(u − θ₁)) − 1)``,
two power laws ``u^θ₀, u^θ₁``, a power of a binomial ``(1 + θ₀u^k)^θ₁`` (k = 1, 2)
and an exponential with its square. ``u`` runs over monomials of the inputs
(each input, its inverse, and products and ratios of two) and, with few
inputs, over differences of two inputs alone and times a third; the model is

    y = Σ_g Σ_c a_{g,c} · g(x) · c(u; θ)

with ``g`` the constant alone or the constant and each input (an offset and
an amplitude that vary linearly with the other inputs). For fixed θ the
model is linear in the ``a``: they are solved by least squares inside the
residual (variable projection), and Levenberg–Marquardt moves θ alone, from
starts read off the data (quantiles of u, a frequency scan, a linearised
rational fit). Outer coefficients that the BIC does not need are dropped
(the one whose loss raises the RSS least first), so that a form counts only the terms it uses. The
fits with the lowest BIC become candidate expressions;
the SymPy layer then refits all their floats jointly, prunes and snaps them
like a search backend's. Variable names play no part.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..io.dataset import Dataset
from ..io.rows import sample_rows
from ..settle.criteria import bic as information_criterion
from ..settle.criteria import mse_floor, terms_allowed
from ..settle.pruning import prune_backward
from .form_catalogue import FORMS, Form, column_scale

FORM_FIT_ROWS = 400  # rows the forms are fitted on; the SymPy layer refits the winners on more
MAX_PAIR_VARIABLES = 6  # products and ratios of two inputs are tried up to this many inputs
MAX_DIFFERENCE_VARIABLES = 4  # differences, alone and times a third input, up to this many
LM_STARTS = 2  # Levenberg–Marquardt runs per form and monomial, from the best-scoring starts
LM_EVALUATIONS = 60  # residual evaluations per run
# On a small table an evaluation costs microseconds, and a few rows leave θ's optimum in a narrow
# valley that two coarse starts miss (Antoine's C on 14 steam pressures): more runs, each longer.
SMALL_TABLE_ROWS = 100
SMALL_TABLE_LM_STARTS = 6
SMALL_TABLE_LM_EVALUATIONS = 300
# Relative step of LM's finite differences. The residual is a least-squares solve, exact to ~1e-8
# relative: at SciPy's default step (√eps ≈ 1.5e-8) its slopes are rounding noise, and a θ₀ of
# 1e-17 (1 − v²/c²) never moved.
LM_DIFF_STEP = 1e-6
# Pairs (form, monomial) refined by LM, best scored at their starts first: on the textbook laws the
# pair that wins is among the first ten, and refining all of them (~350 with four inputs) took 10 s.
LM_PAIRS = 40
SCORING_SHARE = 0.6  # of the search's seconds, the most spent scoring pairs at their starts
SCORING_ROWS = 150  # of the search rows, those the starts are scored on (by the normal equations: coarse, fast)
BEST = 6  # candidates returned
# ... and only those within this much BIC of the best on the search rows (a likelihood ratio of e^15):
# settling each costs a joint refit per pruning and snapping trial, and a fit that much worse on 400
# rows is far worse on all of them.
BIC_WINDOW = 30.0


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
    """The forms fitted over the monomials of the inputs, lowest BIC first.

    At most ``BEST`` are returned, those within ``BIC_WINDOW`` of the best.

    The outer terms are the constant and, with two inputs or more, each
    input. Every (monomial, form) pair is first scored at its starts (cheap);
    Levenberg–Marquardt then refines the pairs best scored first, so that
    a short time limit is spent on the likeliest forms; at most ``LM_PAIRS``
    are refined. At most ``SCORING_SHARE`` of ``seconds`` goes to scoring; no new fit
    starts after ``seconds``.
    """
    start = time.perf_counter()

    def out_of(share: float) -> bool:
        return seconds is not None and time.perf_counter() - start > share * seconds

    rows = sample_rows(data.n_rows, random_state, cap=FORM_FIT_ROWS)
    X, y = data.X[rows], data.y[rows]
    symbols = [sp.Symbol(v) for v in data.variables]
    outer = np.ones((len(y), 1)) if X.shape[1] == 1 else np.column_stack([np.ones(len(y)), X])
    outer_terms = [sp.Integer(1)] + (symbols if X.shape[1] > 1 else [])
    n, floor = len(y), mse_floor(y, data.known_error)
    allowed = terms_allowed(data.n_rows)
    m = min(n, SCORING_ROWS)
    pairs: list[tuple[float, int, _Pair]] = []  # start BIC, order, pair
    for monomial, u in _monomials(X, symbols):
        if out_of(SCORING_SHARE):
            break
        for form in FORMS:
            if form.nonnegative and not (np.all(u >= 0) and np.any(u > 0)):
                continue
            scored = _scored_starts(form, u[:m], y[:m], outer[:m])
            if scored:
                k = outer.shape[1] * len(form.columns) + form.n_theta
                score = information_criterion(scored[0][0], m, k, floor)
                pairs.append((score, len(pairs), _Pair(form, monomial, u, [theta for _, theta in scored])))
    fits: list[tuple[float, int, _Pair, _FittedForm]] = []  # BIC, order, pair, fit
    for _, order, pair in _refined_first(pairs):
        if out_of(1.0):
            break
        fitted = _fit_form(pair.form, pair.u, y, outer, floor, pair.starts, allowed)
        k = None if fitted is None else int(fitted.keep.sum()) + pair.form.n_theta
        if k is not None and k <= allowed:
            fits.append((information_criterion(fitted.rss, n, k, floor), order, pair, fitted))
    fits.sort(key=lambda f: f[:2])
    close = [f for f in fits if f[0] <= fits[0][0] + BIC_WINDOW][:BEST]
    return [_result(p.form, p.monomial, fitted, bic, outer_terms) for bic, _, p, fitted in close]


def _refined_first(pairs: list[tuple[float, int, _Pair]]) -> list[tuple[float, int, _Pair]]:
    """The pairs LM refines, in order: each form's best-scored, then the best-scored others, ``LM_PAIRS`` in all.

    A start's score ranks forms badly across families: a one-θ exponential pair
    scores near its optimum where a logistic's coarse starts are far from it,
    and flexible forms can fill every slot with stand-ins of one curve.
    """
    pairs = sorted(pairs, key=lambda p: p[:2])
    firsts: dict[str, tuple[float, int, _Pair]] = {}
    for pair in pairs:
        firsts.setdefault(pair[2].form.name, pair)
    chosen = {pair[1] for pair in firsts.values()}
    rest = [pair for pair in pairs if pair[1] not in chosen][: max(0, LM_PAIRS - len(chosen))]
    return sorted(firsts.values(), key=lambda p: p[:2]) + rest


@dataclass(frozen=True)
class _Pair:
    """A form over one monomial, with its starts, best scored first."""

    form: Form
    monomial: sp.Expr
    u: np.ndarray
    starts: list[np.ndarray]


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
        design = (outer[:, :, None] * columns[:, None, :]).reshape(len(u), -1)
    # Finite columns times an input of 1e31 can still overflow.
    return design if np.all(np.isfinite(design)) else None


def _projected(design: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares coefficients of y on the design (columns scaled first), and the residuals."""
    scale = column_scale(design)
    coef, *_ = np.linalg.lstsq(design / scale, y, rcond=None)
    with np.errstate(over="ignore", invalid="ignore"):  # a column near 0 overflows its coefficient: the callers
        coef = coef / scale  # read the residuals that are not finite as a failed fit
        return coef, y - design @ coef


@dataclass(frozen=True)
class _FittedForm:
    """A form's fit on the search rows: θ, the outer coefficients kept and their values."""

    theta: np.ndarray
    keep: np.ndarray  # bool per design column
    coef: np.ndarray  # per design column, 0 where dropped
    rss: float


def _residual(
    form: Form, u: np.ndarray, y: np.ndarray, outer: np.ndarray, coarse: bool = False
) -> Callable[[np.ndarray], np.ndarray]:
    """θ ↦ residual of y after the least-squares outer coefficients (huge where the form is not finite).

    ``coarse`` solves the normal equations instead: three times faster, and
    good enough to rank starts, not to fit to rounding.
    """
    huge = _huge(y)
    project = _projected_coarsely if coarse else _projected

    def residual(theta: np.ndarray) -> np.ndarray:
        design = _design(form, u, theta, outer)
        if design is None:
            return np.full(len(y), huge)
        try:
            _, r = project(design, y)
        except np.linalg.LinAlgError:  # SVD that does not converge on a badly scaled design
            return np.full(len(y), huge)
        return r if np.all(np.isfinite(r)) else np.full(len(y), huge)

    return residual


def _huge(y: np.ndarray) -> float:
    return 1e6 * (float(np.abs(y).max()) + 1.0)


def _scored_starts(form: Form, u: np.ndarray, y: np.ndarray, outer: np.ndarray) -> list[tuple[float, np.ndarray]]:
    """The form's starts that are finite on the rows, as (rss, θ), lowest rss first (coarse solves)."""
    residual = _residual(form, u, y, outer, coarse=True)
    failed = len(y) * _huge(y) ** 2 / 2
    with np.errstate(all="ignore"):
        scored = [(_squared(residual(t)), i, t) for i, t in enumerate(form.starts(u, y))]
    scored.sort(key=lambda s: s[:2])
    return [(rss, theta) for rss, _, theta in scored if math.isfinite(rss) and rss < failed]


def _projected_coarsely(design: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """As :func:`_projected`, by the normal equations of the scaled columns (a tiny ridge keeps them solvable)."""
    scale = column_scale(design)
    scaled = design / scale
    gram = scaled.T @ scaled
    gram[np.diag_indices_from(gram)] += 1e-10 * len(y)
    coef = np.linalg.solve(gram, scaled.T @ y) / scale
    return coef, y - design @ coef


def _fit_form(
    form: Form,
    u: np.ndarray,
    y: np.ndarray,
    outer: np.ndarray,
    floor: float,
    starts: list[np.ndarray] | None = None,
    allowed: int | None = None,
) -> _FittedForm | None:
    """The best LM run from the best-scoring starts, its unneeded outer terms dropped; None when none is finite.

    Outer terms are dropped until at most ``allowed`` constants (θ included) are left, when the rows allow
    fewer than the form has (:func:`~discovery.settle.criteria.terms_allowed`).
    """
    from scipy.optimize import least_squares

    residual = _residual(form, u, y, outer)
    if starts is None:
        starts = [theta for _, theta in _scored_starts(form, u, y, outer)]
    best: tuple[float, np.ndarray] | None = None
    small = len(y) <= SMALL_TABLE_ROWS
    runs, evaluations = (SMALL_TABLE_LM_STARTS, SMALL_TABLE_LM_EVALUATIONS) if small else (LM_STARTS, LM_EVALUATIONS)
    with np.errstate(all="ignore"):
        for start in starts[:runs]:
            rss0 = _squared(residual(start))
            try:
                run = least_squares(residual, start, method="lm", max_nfev=evaluations, diff_step=LM_DIFF_STEP)
                theta, rss = run.x, float(run.fun @ run.fun)
            except (ValueError, np.linalg.LinAlgError):
                theta, rss = start, rss0
            if not rss < rss0:
                theta, rss = start, rss0
            if best is None or rss < best[0]:
                best = (rss, theta)
    if best is None or best[0] >= len(y) * _huge(y) ** 2 / 2:
        return None
    design = _design(form, u, best[1], outer)
    if design is None:
        return None
    try:
        keep, coef, rss = _pruned(design, y, floor, form.n_theta, allowed)
    except np.linalg.LinAlgError:
        return None
    return _FittedForm(best[1], keep, coef, rss)


def _pruned(
    design: np.ndarray, y: np.ndarray, floor: float, n_theta: int, allowed: int | None = None
) -> tuple[np.ndarray, np.ndarray, float]:
    """Drop design columns one at a time, the one the fit needs least first, while the BIC does not get worse.

    A fit with more than ``allowed`` constants counts as infinitely bad, so its columns go first.

    The column needed least is the one whose removal would raise the RSS
    least, β_j² / [(AᵀA)⁻¹]_jj for each at once; the BIC is then judged on
    the refit. Returns the columns kept (bool), the coefficients (0 where
    dropped) and the RSS.
    """
    n, k = design.shape
    coef, r = _projected(design, y)

    def trials(fit: tuple[np.ndarray, np.ndarray, float]) -> Iterator[tuple[np.ndarray, np.ndarray, float] | None]:
        keep, coef, _ = fit
        if keep.sum() <= 1:
            return
        columns = design[:, keep]
        scale = column_scale(columns)
        scaled = columns / scale
        inverse_diagonal = np.diag(np.linalg.pinv(scaled.T @ scaled))
        with np.errstate(divide="ignore", invalid="ignore"):
            increase = np.where(inverse_diagonal > 0, (coef[keep] * scale) ** 2 / inverse_diagonal, 0.0)
        trial_keep = keep.copy()
        trial_keep[np.flatnonzero(keep)[int(np.argmin(increase))]] = False
        trial_coef = np.zeros(k)
        trial_coef[trial_keep], trial_r = _projected(design[:, trial_keep], y)
        trial_rss = _squared(trial_r)
        yield (trial_keep, trial_coef, trial_rss) if math.isfinite(trial_rss) else None

    def criterion(fit: tuple[np.ndarray, np.ndarray, float]) -> float:
        constants = int(fit[0].sum()) + n_theta
        if allowed is not None and constants > allowed:
            return math.inf
        return information_criterion(fit[2], n, constants, floor)

    return prune_backward((np.ones(k, dtype=bool), coef, _squared(r)), trials, criterion)


def _squared(r: np.ndarray) -> float:
    return float(r @ r)


def _result(form: Form, monomial: sp.Expr, fitted: _FittedForm, bic: float, outer_terms: list[sp.Expr]) -> FormFit:
    coef = fitted.coef
    columns = form.symbolic(monomial, fitted.theta)
    k = len(columns)
    shares = [form.share([float(a) for a in coef[i * k : (i + 1) * k]], columns) for i in range(len(outer_terms))]
    # One flat sum, g·a·c term by term, so that the SymPy layer can prune each (N0·0.0002 beside N0·exp(−λt));
    # a tied amplitude's a·(1 − e^(−ru)) stays one float: 1·(a·c) would distribute a over c's sum.
    terms = [t if g == 1 else g * t for g, share in zip(outer_terms, shares) for t in sp.Add.make_args(share)]
    return FormFit(sp.Add(*terms), form.name, monomial, fitted.rss, bic)
