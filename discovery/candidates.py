"""The shared SymPy layer for laws proposed as whole expressions (search backends).

A backend such as PySR or Operon returns expressions with fitted floats,
e.g. ``-0.005566 + 0.3013*sin(-1.9943*theta)*(-1.4956*v)*(0.2261*v)``. Each
float becomes a parameter; all are refitted together on the rows (nonlinear
least squares), additive terms that the BIC does not need are dropped, and
the parameters are snapped to exact values (2, 1/g, π) one at a time, kept
only when the BIC does not get worse — the same rules as for a linear law.
The settled candidates form the Pareto front and the criterion picks the law.
"""
from __future__ import annotations

import copy
import dataclasses
import math
import time
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import sympy as sp
from sympy.core.cache import clear_cache

from .data import Dataset
from .fitting import LinearFit, bic, fit_parameters, mse_floor
from .law import Coefficient, FrontEntry, Law, numpy_evaluator, with_constants
from .selection import MARGIN
from .symbolic import complexity, snap_coefficients, tidy_expression

FIT_ROWS = 4000  # rows for refitting and snapping; the final error is measured on all rows
MAX_CANDIDATES = 8  # the lowest-loss candidates settled (each costs a refit per snapping trial)
MAX_EVALUATIONS = 200  # per Levenberg-Marquardt refit: each starts near its optimum
MAX_PRUNE_TERMS = 8  # additive terms tried for removal only in sums no longer than this


@dataclass(frozen=True)
class Candidate:
    """One expression proposed by a search backend.

    Attributes
    ----------
    expression : sympy.Expr
        In the dataset's variable symbols, with the backend's fitted floats.
    complexity : int
        The backend's own complexity measure.
    loss : float
        The backend's loss on its training data (mean squared error).
    """

    expression: sp.Expr
    complexity: int
    loss: float


@dataclass(frozen=True)
class SettledCandidate:
    """A candidate after refitting, pruning and snapping."""

    expression: sp.Expr
    coefficients: list[Coefficient]
    rmse: float
    bic: float


def settle_expression(expression: sp.Expr, data: Dataset, constants: Mapping[str, float] | None = None,
                      snap: bool = True) -> SettledCandidate | None:
    """Refit, prune and snap the floats of one expression on the data.

    Returns None when the expression is not finite on the rows.
    """
    # SymPy's cache can hand back an equal Float of another precision made by an earlier call,
    # which changes the compiled arithmetic in the last bits: start each settle from a clean cache
    # so the same candidate always settles to the same law.
    clear_cache()
    constants = dict(constants or {})
    rows = slice(None) if data.n_rows <= FIT_ROWS else np.linspace(0, data.n_rows - 1, FIT_ROWS).astype(int)
    columns = {k: v[rows] for k, v in data.columns().items()}
    y = data.y[rows]
    floor = mse_floor(data.y)
    expression = sp.sympify(expression)
    model = _Parametrised(expression, columns, y, constants)
    if model.n == 0:
        return _measured(expression, [], data, constants, floor)
    fit = model.fit({})
    if fit is None:
        return None
    model, fit = _prune(model, fit, columns, y, constants, floor)
    exact: dict[int, sp.Expr] = {}
    final = fit
    if snap:
        exact, final = snap_coefficients(lambda fixed: model.fit(fixed, fit.coef) or _failed(model.n), fit,
                                         len(y), constants, floor)
    values = {p: (exact[j] if j in exact else sp.Float(final.coef[j])) for j, p in enumerate(model.parameters)}
    settled = model.expression.xreplace(values)
    coefficients = [
        Coefficient(model.term_of(j), float(final.coef[j]), float(fit.stderr[j]), exact.get(j),
                    estimate=float(fit.coef[j]), dof=len(y) - fit.n_free)
        for j in range(model.n)
    ]
    return _measured(settled, coefficients, data, constants, floor)


def law_from_candidates(candidates: Sequence[Candidate], data: Dataset, constants: Mapping[str, float] | None,
                        snap: bool = True, info: Mapping[str, Any] | None = None,
                        seconds: float | None = None) -> Law | None:
    """Settle the candidates and choose the law: the simplest within ``MARGIN["bic"]`` BIC of the best.

    The ``MAX_CANDIDATES`` with the lowest loss are settled, most accurate
    first, until ``seconds`` have passed (at least one is). Returns None when
    no candidate is finite on the data.
    """
    # The most accurate candidates are the ones worth settling; the cheapest come along at little cost.
    by_loss = sorted(candidates, key=lambda c: (c.loss if math.isfinite(c.loss) else math.inf, c.complexity))
    start = time.perf_counter()
    settled = []
    interrupted = False
    for c in by_loss[:MAX_CANDIDATES]:
        if settled and seconds is not None and time.perf_counter() - start > seconds:
            break  # out of time: the most accurate candidates are settled already
        try:
            s = settle_expression(c.expression, data, constants, snap)
        except KeyboardInterrupt:
            if not settled:
                raise
            interrupted = True  # Ctrl-C: choose among the candidates settled so far
            break
        if s is not None:
            settled.append(s)
    if not settled:
        return None
    best = min(s.bic for s in settled)
    chosen = min((s for s in settled if s.bic <= best + MARGIN["bic"]), key=lambda s: (complexity(s.expression), s.bic))
    chosen_expression = tidy_expression(chosen.expression)
    front: dict[sp.Expr, FrontEntry] = {}
    for s in settled:
        is_chosen = s is chosen
        shown = chosen_expression if is_chosen else s.expression
        entry = FrontEntry(shown, complexity(shown), len(s.coefficients), s.rmse, math.nan, s.bic, is_chosen)
        if shown not in front or is_chosen or s.bic < front[shown].bic:
            front[shown] = entry
    rss = chosen.rmse**2 * data.n_rows
    law = Law(
        expression=chosen_expression,
        target=data.target,
        variables=data.variables,
        constants=dict(constants or {}),
        coefficients=chosen.coefficients,
        front=sorted(front.values(), key=lambda e: (e.complexity, e.rmse)),
        rmse=chosen.rmse,
        r2=float(1 - rss / np.sum((data.y - data.y.mean()) ** 2)),
        n_rows=data.n_rows,
        info=dict(info or {}, **({"interrupted": True} if interrupted else {})),
    )
    return with_held_out_errors(law, data)


class _Parametrised:
    """An expression with its floats replaced by parameters p0, p1, ...; fits them by Levenberg–Marquardt."""

    def __init__(self, expression: sp.Expr, columns: Mapping[str, np.ndarray], y: np.ndarray,
                 constants: Mapping[str, float]) -> None:
        floats = sorted(expression.atoms(sp.Float), key=lambda f: sp.default_sort_key(f))
        self.parameters = [sp.Symbol(f"_p{j}") for j in range(len(floats))]
        self.expression = expression.xreplace(dict(zip(floats, self.parameters)))
        self.start = np.array([float(f) for f in floats])
        self.n = len(floats)
        self.y = y
        self.columns = dict(columns)
        numeric = with_constants(self.expression, constants)
        names = sorted(self.columns)
        arguments = [sp.Symbol(k) for k in names] + self.parameters
        self._value = sp.lambdify(arguments, numeric, modules="numpy")
        # One function for every slope. No common-subexpression elimination: SymPy's cse orders
        # its work by hash, which Python salts per process, and the floating-point results then
        # differ in the last bits from run to run (enough to change which constant snaps).
        self._slopes = sp.lambdify(arguments, [sp.diff(numeric, p) for p in self.parameters], modules="numpy")
        self._inputs = [self.columns[k] for k in names]

    def _evaluate(self, theta: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.broadcast_to(np.asarray(self._value(*self._inputs, *theta), dtype=np.float64), self.y.shape)

    def _jacobian(self, theta: np.ndarray) -> np.ndarray:
        if not self.n:
            return np.zeros((len(self.y), 0))
        with np.errstate(all="ignore"):
            return np.column_stack([np.broadcast_to(np.asarray(o, dtype=np.float64), self.y.shape)
                                    for o in self._slopes(*self._inputs, *theta)])

    def fit(self, fixed: Mapping[int, float], start: np.ndarray | None = None) -> LinearFit | None:
        try:
            fit = fit_parameters(lambda full: self._evaluate(full) - self.y, self._jacobian,
                                 self.start if start is None else start, fixed, MAX_EVALUATIONS)
        except (ValueError, TypeError, np.linalg.LinAlgError, ZeroDivisionError, OverflowError):
            return None
        return fit if math.isfinite(fit.rss) and fit.rss < 1e299 else None

    def on_rows(self, rows: np.ndarray) -> "_Parametrised":
        """The same model, its compiled functions reused, on a subset of its rows."""
        subset = copy.copy(self)
        subset.y = self.y[rows]
        subset.columns = {k: v[rows] for k, v in self.columns.items()}
        subset._inputs = [x[rows] for x in self._inputs]
        return subset

    def without_term(self, term: sp.Expr, values: np.ndarray, constants: Mapping[str, float]) -> "_Parametrised":
        """The same model with one additive term removed, the other parameters starting at ``values``."""
        reduced = (self.expression - term).xreplace({p: sp.Float(v) for p, v in zip(self.parameters, values)})
        return _Parametrised(reduced, self.columns, self.y, constants)

    def term_of(self, j: int) -> sp.Expr:
        """What parameter j multiplies: the smallest product it is a factor of (1 when it stands alone)."""
        p = self.parameters[j]
        products = [m for m in sp.preorder_traversal(self.expression) if isinstance(m, sp.Mul) and p in m.args]
        if not products:
            return sp.Integer(1)
        smallest = min(products, key=sp.count_ops)
        return (smallest / p).xreplace({q: sp.Symbol("c") for q in self.parameters if q != p})


def _prune(model: _Parametrised, fit: LinearFit, columns, y, constants, floor) -> tuple[_Parametrised, LinearFit]:
    """Drop additive terms one at a time while the BIC does not get worse."""
    n = len(y)
    improved = True
    while improved and isinstance(model.expression, sp.Add) and len(model.expression.args) <= MAX_PRUNE_TERMS:
        improved = False
        current = bic(fit.rss, n, fit.n_free, floor)
        for term in model.expression.args:
            trial_model = model.without_term(term, fit.coef, constants)
            trial = trial_model.fit({})
            if trial is not None and bic(trial.rss, n, trial.n_free, floor) <= current:
                model, fit, improved = trial_model, trial, True
                break
    return model, fit


def _failed(n: int) -> LinearFit:
    return LinearFit(np.full(n, np.nan), np.full(n, np.inf), math.inf, 0)


def _measured(expression: sp.Expr, coefficients: list[Coefficient], data: Dataset,
              constants: Mapping[str, float], floor: float) -> SettledCandidate | None:
    try:
        with np.errstate(all="ignore"):
            predicted = np.broadcast_to(numpy_evaluator(expression, constants)(data.columns()), data.y.shape)
    except (ValueError, TypeError, KeyError, NameError):
        return None
    if not np.all(np.isfinite(predicted)):
        return None
    rss = float(np.sum((data.y - predicted) ** 2))
    free = sum(c.exact is None for c in coefficients)
    return SettledCandidate(expression, coefficients, math.sqrt(rss / data.n_rows),
                            bic(rss, data.n_rows, free, floor))


HELD_OUT_FOLDS = 5


def held_out_rmse(expression: sp.Expr, data: Dataset, constants: Mapping[str, float] | None = None,
                  random_state: int | None = 0) -> float:
    """Held-out RMSE of a law's form: its floats refitted on four folds, the error measured on the fifth.

    An expression without floats has nothing to refit; its held-out error is
    its error on each fold. NaN when a fold's refit is not finite.
    """
    constants = dict(constants or {})
    rows = np.arange(data.n_rows) if data.n_rows <= FIT_ROWS else np.linspace(0, data.n_rows - 1, FIT_ROWS).astype(int)
    fold = np.random.default_rng(random_state).permutation(len(rows)) % HELD_OUT_FOLDS
    model = _Parametrised(expression, {c: v[rows] for c, v in data.columns().items()}, data.y[rows], constants)
    squared = 0.0
    for k in range(HELD_OUT_FOLDS):
        train, test = model.on_rows(fold != k), model.on_rows(fold == k)
        theta = model.start
        if model.n:
            fit = train.fit({})
            if fit is None:
                return math.nan
            theta = fit.coef
        squared += float(np.sum((test._evaluate(theta) - test.y) ** 2))
    return math.sqrt(squared / len(rows)) if math.isfinite(squared) else math.nan


def with_held_out_errors(law: Law, data: Dataset, random_state: int | None = 0) -> Law:
    """Fill in the held-out error of the chosen front entry and its neighbours where it is missing.

    Laws mapped back from a transformed target and laws from search
    backends have no Gram-based held-out error; this refits their floats
    fold by fold instead (a few Levenberg–Marquardt fits per entry).
    """
    chosen = next((i for i, e in enumerate(law.front) if e.chosen), None)
    if chosen is None:
        return law
    front = list(law.front)
    for i in range(max(chosen - 1, 0), min(chosen + 2, len(front))):
        if math.isnan(front[i].cv_rmse):
            front[i] = dataclasses.replace(front[i], cv_rmse=held_out_rmse(front[i].expression, data,
                                                                           law.constants, random_state))
    law.front = front
    return law
