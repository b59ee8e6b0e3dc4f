"""A law found on a sample of the rows, refitted and measured on all of them, chunk by chunk.

The search decides the law's form and its exact values on a sample; the
law's free floats are then refitted on every row by Gauss–Newton, whose
each pass needs only the sums JᵀJ, Jᵀr and rᵀr over the rows (J the slopes
of the law in its floats, r the residuals). Those sums are accumulated
chunk by chunk, so memory does not grow with the rows, and a chunk's sums
depend on nothing but the chunk: partitions of a dataset can be summed
apart and added.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..deadline import Deadline
from ..io.row_source import ChunkedRows
from ..law.coefficient import Coefficient
from ..law.display import same_number
from ..law.evaluate import ParameterEvaluator, with_constants
from ..law.law import Law

MAX_PASSES = 8  # Gauss–Newton passes; from the sample's optimum two or three suffice
CONVERGED = 1e-12  # a pass that lowers the weighted RSS by less than this share ends the refit


class NotFiniteRowsWarning(UserWarning):
    """A law found on a sample of the rows is not finite on some of the other rows."""


@dataclass(frozen=True)
class RowSums:
    """What one pass over the rows gives a Gauss–Newton step, summed over rows where the law is finite.

    Attributes
    ----------
    jtj : numpy.ndarray, shape (k, k)
        JᵀWJ: the law's slopes in its k floats (weighted).
    jtr : numpy.ndarray, shape (k,)
        JᵀWr, with r = law − y.
    weighted_rss : float
        rᵀWr, what the refit minimises.
    rss : float
        rᵀr, the plain residual sum of squares on y.
    n_rows : int
        Rows summed.
    n_not_finite : int
        Rows left out because the law or a slope is not finite there.
    """

    jtj: np.ndarray
    jtr: np.ndarray
    weighted_rss: float
    rss: float
    n_rows: int
    n_not_finite: int

    def __add__(self, other: RowSums) -> RowSums:
        return RowSums(
            self.jtj + other.jtj,
            self.jtr + other.jtr,
            self.weighted_rss + other.weighted_rss,
            self.rss + other.rss,
            self.n_rows + other.n_rows,
            self.n_not_finite + other.n_not_finite,
        )


class FreeFloats:
    """A law's expression with its floats as parameters: value and slopes compiled for chunks of rows.

    Parameters
    ----------
    expression : sympy.Expr
    variables : sequence of str
        The column order of the chunks' X.
    constants : mapping of name → value
    relative : bool
        Weight each row by 1/|y| (the law's errors are relative).
    """

    def __init__(
        self, expression: sp.Expr, variables: Sequence[str], constants: Mapping[str, float], relative: bool = False
    ) -> None:
        self.original, self.constants, self.variables = expression, dict(constants), tuple(variables)
        self.floats = sorted(expression.atoms(sp.Float), key=sp.default_sort_key)
        self.parameters = [sp.Symbol(f"_p{j}") for j in range(len(self.floats))]
        self.expression = expression.xreplace(dict(zip(self.floats, self.parameters)))
        self.start = np.array([float(f) for f in self.floats])
        self.relative = relative
        self._model = ParameterEvaluator(with_constants(self.expression, constants), self.parameters)

    def sums(self, X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> RowSums:
        """The sums of one chunk at parameters ``theta``."""
        n = len(y)
        columns = {name: X[:, j] for j, name in enumerate(self.variables)}
        with np.errstate(all="ignore"):
            r = self._model.value(columns, theta, n) - y
            J = self._model.slopes(columns, theta, n)
            w = 1.0 / np.abs(y) if self.relative else None
        finite = np.isfinite(r) & np.all(np.isfinite(J), axis=1)
        if w is not None:
            finite &= np.isfinite(w)
        if not finite.all():
            r, J = r[finite], J[finite]
            w = None if w is None else w[finite]
        rss = float(r @ r)
        if w is not None:
            r, J = r * w, J * w[:, None]
        return RowSums(J.T @ J, J.T @ r, float(r @ r), rss, int(finite.sum()), int(n - finite.sum()))


def chunk_sums(spec: tuple, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> RowSums:
    """The sums of one chunk for the law ``spec`` = (expression, variables, constants, relative).

    A plain function of picklable arguments, so that a source may run it
    where its chunks are (on Dask workers); the law is compiled once per process.
    """
    return _compiled(*spec).sums(X, y, theta)


@functools.lru_cache(maxsize=8)
def _compiled(expression: sp.Expr, variables: tuple[str, ...], constants: tuple, relative: bool) -> FreeFloats:
    return FreeFloats(expression, variables, dict(constants), relative)


def _pass(model: FreeFloats, rows: ChunkedRows, theta: np.ndarray) -> RowSums:
    spec = (model.original, model.variables, tuple(sorted(model.constants.items())), model.relative)
    return rows.total(functools.partial(chunk_sums, spec, np.asarray(theta, dtype=np.float64)))


def refit_floats(
    model: FreeFloats, rows: ChunkedRows, deadline: Deadline | None = None
) -> tuple[np.ndarray, np.ndarray, RowSums, int]:
    """Gauss–Newton from the law's own floats: (values, standard errors, sums at the values, passes).

    A step that does not lower the weighted RSS is halved (up to 30 times);
    the refit ends when a pass gains less than :data:`CONVERGED` of it, or
    once ``deadline`` has passed (after the first pass, which every law needs).
    """
    theta = model.start.copy()
    current = _pass(model, rows, theta)
    passes = 1
    for _ in range(MAX_PASSES):
        if not len(theta) or current.n_rows <= len(theta):
            break
        step = _gauss_newton_step(current)
        if step is None:
            break
        improved = None
        for _ in range(30):
            if deadline is not None and deadline.passed():
                break
            trial = _pass(model, rows, theta + step)
            passes += 1
            if trial.n_rows == current.n_rows and trial.weighted_rss <= current.weighted_rss:
                improved = trial
                break
            step = step / 2
        if improved is None:
            break
        gain = current.weighted_rss - improved.weighted_rss
        theta, current = theta + step, improved
        if gain <= CONVERGED * max(current.weighted_rss, np.finfo(float).tiny):
            break
    return theta, _standard_errors(current, len(theta)), current, passes


def _scaled(sums: RowSums) -> tuple[np.ndarray, np.ndarray]:
    """JᵀJ with its columns scaled to unit norm, and the scales (a prefactor of 1e10 beside an exponent of 0.1)."""
    scale = np.sqrt(np.clip(np.diagonal(sums.jtj), 0, None))
    scale[~np.isfinite(scale) | (scale == 0)] = 1.0
    return sums.jtj / np.outer(scale, scale), scale


def _gauss_newton_step(sums: RowSums) -> np.ndarray | None:
    gram, scale = _scaled(sums)
    if not np.all(np.isfinite(gram)) or not np.all(np.isfinite(sums.jtr)):
        return None
    step = -np.linalg.pinv(gram, hermitian=True) @ (sums.jtr / scale)
    return step / scale


def _standard_errors(sums: RowSums, k: int) -> np.ndarray:
    if not k:
        return np.zeros(0)
    dof = sums.n_rows - k
    if dof <= 0:
        return np.full(k, math.inf)
    gram, scale = _scaled(sums)
    covariance = np.linalg.pinv(gram, hermitian=True) * (sums.weighted_rss / dof)
    with np.errstate(invalid="ignore"):
        return np.sqrt(np.clip(np.diagonal(covariance), 0, None)) / scale


def law_on_all_rows(law: Law, rows: ChunkedRows, deadline: Deadline | None = None) -> Law:
    """The law with its free floats refitted on all rows, and its error, R² and row count measured there.

    Parameters
    ----------
    law : Law
        The law found on a sample. Its form, exact values and front are kept.
    rows : ChunkedRows
        All rows, X's columns in ``law.variables`` order.
    deadline : Deadline, optional
        No further Gauss–Newton pass is started once it has passed.

    Returns
    -------
    Law
        ``info["all_rows"]`` records the passes and the rows where the law is not finite.
    """
    n_rows = rows.n_rows
    model = FreeFloats(law.expression, law.variables, law.constants, law.info.get("noise") == "relative")
    theta, stderr, sums, passes = refit_floats(model, rows, deadline)
    values = dict(zip(model.floats, theta))
    expression = law.expression.xreplace({f: sp.Float(v) for f, v in values.items()})
    coefficients = [_updated(c, model.floats, theta, stderr, sums.n_rows) for c in law.coefficients]
    if sums.n_not_finite:
        warnings.warn(
            f"the law {law.formula} was found on a sample of {law.n_rows} rows and is not finite on "
            f"{sums.n_not_finite} of all {n_rows} rows; its error is measured on the other rows",
            NotFiniteRowsWarning,
            stacklevel=3,
        )
    rmse = math.sqrt(sums.rss / max(sums.n_rows, 1))
    y_sum, y_squares = rows.y_totals()
    spread = y_squares - y_sum * y_sum / n_rows
    info = dict(law.info)
    info["all_rows"] = {"passes": passes, "rows_not_finite": sums.n_not_finite, "search_rows": law.n_rows}
    return dataclasses.replace(
        law,
        expression=expression,
        coefficients=coefficients,
        rmse=rmse,
        r2=float(1 - sums.rss / spread) if spread > 0 else math.nan,
        n_rows=n_rows,
        info=info,
    )


def _updated(c: Coefficient, floats: list[sp.Float], theta: np.ndarray, stderr: np.ndarray, rows: int) -> Coefficient:
    """A free coefficient with its value and error from all rows; an exact one as the sample gave it."""
    if c.exact is not None:
        return c
    j = next((j for j, f in enumerate(floats) if same_number(float(f), c.value)), None)
    if j is None:  # the float was merged into another by simplification: keep the sample's figures
        return c
    value = float(theta[j])
    return dataclasses.replace(c, value=value, stderr=float(stderr[j]), estimate=value, dof=rows - len(theta))
