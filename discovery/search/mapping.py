"""Laws found for a transformed target (1/y, log y, ...), mapped back to laws for y.

The law for y' = T(y) gives y = T⁻¹(law). Its error is measured on y itself,
and when it is not exact it is refitted there: a law for log y fitted by
least squares weighs every row's log alike; with noise added to y, rows where
y is small carry far more noise in log y, and the coefficients come out
biased (−0.4987·θ² where y has −θ²/2). Refitting the same terms through the
inverse transform, y ≈ T⁻¹(Σ cⱼ·termⱼ), by nonlinear least squares on y
removes the bias; the coefficients are then snapped to exact values as for
any law, with the BIC measured on y.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Mapping, Sequence

import numpy as np
import sympy as sp

from bases import Library

from ..io.dataset import Dataset
from ..law.coefficient import Coefficient, FrontEntry
from ..law.evaluate import numpy_evaluator
from ..law.expressions import complexity, constant_positions
from ..law.law import Law
from ..settle.criteria import bic, mse_floor
from ..settle.exact_values import exact_values_near
from ..settle.expression_fit import SettledExpression, settle_expression
from ..settle.fitting import ParameterFit, fit_through_inverse
from ..settle.pruning import prune_in_order
from ..settle.snapping import snap_coefficients
from .library_fit import Settings, fit_library
from .selection import expression_bics, noise_bics
from .transforms import (
    TRANSFORM_NAMED,
    Transform,
    neighbour_means,
    noise_crosses_zero,
    propagated_weights,
    sign_of,
    transform_rows,
)

MAX_REFIT_TERMS = 8  # longer laws are approximations; refitting them is not worth the time


def refit_on_y(
    coefficients: Sequence[Coefficient],
    transform: Transform,
    sign: int,
    columns: Mapping[str, np.ndarray],
    y: np.ndarray,
    constants: Mapping[str, float],
    floor: float,
    *,
    coefficient_error: float = 0.0,
    snap: bool = True,
) -> tuple[sp.Expr, list[Coefficient], float] | None:
    """The law ``T⁻¹(Σ cⱼ·termⱼ)`` with the cⱼ refitted on y and snapped.

    Parameters
    ----------
    coefficients : sequence of Coefficient
        The terms of the law for the transformed target, and their values (the start).
    transform : Transform
    sign : int
        Sign of y, for square-root inverses.
    columns : mapping of name → array
        The inputs.
    y : numpy.ndarray
    constants : mapping of name → value
    floor, coefficient_error : float
        The exact-fit MSE floor of the BIC; the relative error each coefficient carries from y's known error.
    snap : bool
        Recognise exact coefficients.

    Returns
    -------
    (expression for y, coefficients, rmse on y), or None when the law has
    more than ``MAX_REFIT_TERMS`` terms or the refit leaves the inverse's domain.
    """
    k, n = len(coefficients), len(y)
    if k == 0 or k > MAX_REFIT_TERMS or n <= k:
        return None
    with np.errstate(all="ignore"):
        design = np.column_stack(
            [np.broadcast_to(numpy_evaluator(c.term, constants)(columns), y.shape) for c in coefficients]
        )
    if not np.all(np.isfinite(design)):
        return None
    start = np.array([c.value for c in coefficients])

    inverse = functools.partial(transform.numeric_inverse, s=sign)
    slope = functools.partial(transform.inverse_slope, s=sign)

    def fit(fixed: dict[int, float], x0: np.ndarray = start) -> ParameterFit:
        return fit_through_inverse(design, y, inverse, slope, x0, fixed)

    free_fit = fit({})
    if not np.isfinite(free_fit.rss) or free_fit.rss >= 1e299:
        return None
    zeros, free_fit = _dropped_on_y(fit, free_fit, n, floor)
    exact: dict[int, sp.Expr] = {}
    final = free_fit
    if snap:

        def holding(fixed: dict[int, float]) -> ParameterFit:
            return fit({**zeros, **fixed}, free_fit.coef)

        logarithms = constant_positions([c.term for c in coefficients]) if transform.logarithmic else []
        exact, final = snap_coefficients(
            holding,
            free_fit,
            n,
            constants,
            floor,
            logarithms=logarithms,
            exponential_factors=(),
            coefficient_error=coefficient_error,
        )
    if bic(final.rss, n, final.n_free, floor) > bic(free_fit.rss, n, free_fit.n_free, floor):
        final, exact = free_fit, {}
    inner = sp.Integer(0)
    refitted = []
    for j, c in enumerate(coefficients):
        if j in zeros:
            continue
        value = exact.get(j)
        refitted.append(
            Coefficient(
                c.term,
                float(final.coef[j]),
                float(free_fit.stderr[j]),
                value,
                estimate=float(free_fit.coef[j]),
                dof=n - free_fit.n_free,
            )
        )
        inner += (value if value is not None else sp.Float(final.coef[j])) * c.term
    return transform.inverse(inner, sign), refitted, float(np.sqrt(final.rss / n))


def _dropped_on_y(fit, free_fit: ParameterFit, n: int, floor: float) -> tuple[dict[int, float], ParameterFit]:
    """Terms held at 0 because y's own BIC does not need them, least significant first.

    The terms were chosen on the transformed target, whose noise the transform
    distorts: 1/y magnifies the noise of small y, and a term such as
    −3e-7·a³b³ that fits it survives there. On y the same term buys nothing.
    """
    order = np.argsort(np.abs(free_fit.coef) / np.maximum(free_fit.stderr, 1e-300))

    def without(held: tuple[dict[int, float], ParameterFit], j: int) -> tuple[dict[int, float], ParameterFit] | None:
        zeros, current = held
        trial = fit({**zeros, j: 0.0}, current.coef)
        return ({**zeros, j: 0.0}, trial) if np.isfinite(trial.rss) else None

    return prune_in_order(
        ({}, free_fit),
        [int(j) for j in order],
        without,
        lambda held: bic(held[1].rss, n, held[1].n_free, floor),
        lambda held: len(held[0]) + 1 < len(free_fit.coef),
    )


def fit_library_on_target(
    data: Dataset, library: Library, settings: Settings, transform_name: str | None
) -> Law | None:
    """The law ``library`` gives on ``data``, for y or mapped back from the named transform of y.

    The step that chose a basis law, repeated on other rows (the bootstrap).
    None when the transform does not apply to these rows or nothing finite comes back.
    """
    if transform_name is None:
        return fit_library(data, library, settings, warn=False).law
    transform = TRANSFORM_NAMED[transform_name]
    transformed = transformed_data(data, transform)
    if transformed is None:
        return None
    fit = fit_library(transformed, library, settings, warn=False, log_target=transform.logarithmic)
    return map_to_y(fit.law, transform, sign_of(data.y), data, mse_floor(data.y, data.known_error))


def transformed_data(
    data: Dataset, transform: Transform, noise: str = "additive", smoothed: np.ndarray | None = None
) -> Dataset | None:
    """The rows of :func:`transform_rows` with ``transform(y)`` as target; None where it does not apply.

    The rows are weighted by :func:`propagated_weights` under the ``noise``
    model ("additive" or "relative"); where some were cut as too close to zero,
    none weighs more than the heaviest row of the half of y farther from zero.
    ``smoothed`` (y's neighbour means, :func:`smoothed_y`) places that cut;
    computed here when not given.
    """
    rows = transform_rows(transform, data.y, smoothed_y(data) if smoothed is None else smoothed)
    if rows is None:
        return None
    noise = transform.noise or noise
    with np.errstate(all="ignore"):
        y_t = transform.forward(data.y[rows])
        slope = transform.inverse_slope(y_t, sign_of(data.y))
        weights = propagated_weights(slope if noise == "additive" else slope / data.y[rows])
    if weights is not None and len(rows) < data.n_rows:
        # Rows cut at a threshold in y are biased near it (noise pushed up is kept, pushed down is
        # not), and the weights of y² would put the fit there: Kleiber's B0·M^(3/4) at 10 % noise
        # gained a spurious −0.65·B0²·M. No row then weighs more than the heaviest of the half
        # farther from zero; where y' is noisier near the cut (log y, 1/y) nothing changes.
        far = np.abs(data.y[rows]) >= np.median(np.abs(data.y[rows]))
        weights = np.minimum(weights, weights[far].max())
        weights = weights / weights.mean()
    if not np.all(np.isfinite(y_t)) or np.ptp(y_t) == 0:
        return None
    return Dataset(data.X[rows], y_t, data.variables, data.target, weights, data.known_error)


def smoothed_y(data: Dataset) -> np.ndarray | None:
    """y's neighbour means (:func:`~discovery.search.transforms.neighbour_means`) where the rows near zero are cut.

    None elsewhere: each transform's rows are then all rows or none.
    """
    return neighbour_means(data.X, data.y) if noise_crosses_zero(data.y) else None


def map_to_y(law: Law, transform, sign: int, data: Dataset, floor: float) -> Law | None:
    """The law for y from a law for transform(y), measured on y; None if it is not finite."""
    expression = transform.inverse(law.expression, sign)
    rmse = _rmse_on(expression, law, data)
    if rmse is None:
        return None
    coefficients = law.coefficients
    if rmse**2 > floor:  # not exact: with additive noise on y, the transformed fit's coefficients are biased
        error = data.known_error.coefficient_error
        refitted = refit_on_y(
            law.coefficients, transform, sign, data.columns(), data.y, law.constants, floor, coefficient_error=error
        )
        # With relative noise on y, the fit of log y (or of another transform) can be the better one:
        # the two are compared under both noise models, as laws from different targets are.
        if refitted is not None and bic_on_y(*refitted, law, data, floor) < bic_on_y(
            expression, coefficients, rmse, law, data, floor
        ):
            expression, coefficients, rmse = refitted
    expression, rmse = _snap_mapped_floats(expression, rmse, law, data)
    front = []
    for e in law.front:
        mapped = transform.inverse(e.expression, sign)
        entry_rmse = _rmse_on(mapped, law, data)
        if entry_rmse is None:
            continue
        front.append(
            FrontEntry(
                mapped,
                complexity(mapped),
                e.n_terms,
                entry_rmse,
                math.nan,
                bic(entry_rmse**2 * data.n_rows, data.n_rows, e.n_terms, floor),
                e.chosen,
            )
        )
    return Law.fitted(
        expression,
        data,
        constants=law.constants,
        coefficients=coefficients,
        front=front,
        rmse=rmse,
        info=dict(law.info, transform=transform.name),
    )


def _snap_mapped_floats(expression: sp.Expr, rmse: float, law: Law, data: Dataset) -> tuple[sp.Expr, float]:
    """Recognise numbers that appear only after mapping back (exp(c) from log y = c + ...).

    A float is replaced by the simplest exact value within a relative 1e-6
    when the law's RMSE on y does not grow by more than a part in a thousand.
    """
    for number in sorted(expression.atoms(sp.Float), key=lambda f: -abs(float(f))):
        value = float(number)
        for candidate in exact_values_near(value, 1e-6 * abs(value), law.constants, limit=3):
            trial = expression.xreplace({number: candidate.expr})
            trial_rmse = _rmse_on(trial, law, data)
            if trial_rmse is not None and trial_rmse <= rmse * (1 + 1e-3) + 1e-300:
                expression, rmse = trial, trial_rmse
                break
    return expression, rmse


def bic_on_y(
    expression: sp.Expr, coefficients: Sequence[Coefficient], rmse: float, law: Law, data: Dataset, floor: float
) -> float:
    """The BIC on y (free coefficients counted) under the noise model the residuals support best.

    ``law`` lends its constants.
    """
    free = sum(c.exact is None for c in coefficients)
    return min(expression_bics(expression, law.constants, rmse, free, data, floor).values())


def _rmse_on(expression: sp.Expr, law: Law, data: Dataset) -> float | None:
    try:
        with np.errstate(all="ignore"):
            predicted = numpy_evaluator(expression, law.constants)(data.columns())
    except (ValueError, TypeError):
        return None
    if predicted.shape != data.y.shape or not np.all(np.isfinite(predicted)) or np.iscomplexobj(predicted):
        return None
    return float(np.sqrt(np.mean((data.y - predicted) ** 2)))


def settled_on_y(law: Law, data: Dataset, settings: Settings) -> Law:
    """A mapped law with its remaining floats refitted and snapped in the form it is read in.

    A coefficient snapped in the transformed target's terms (4π²/g·L under y²)
    can fail where the same number is simple for y (2π/√g·√L): the floats of
    the law for y go through the same refit, prune and snap once more, and the
    result is kept when its BIC on y is no worse.
    """
    if not settings.snap or law.info.get("transform") is None or not law.expression.atoms(sp.Float):
        return law
    settled = settle_expression(law.expression, data, settings.constants, True, settings.random_state)
    if settled is None or len(settled.expression.atoms(sp.Float)) >= len(law.expression.atoms(sp.Float)):
        return law
    floor = mse_floor(data.y, data.known_error)
    before = bic_on_y(law.expression, law.coefficients, law.rmse, law, data, floor)
    if bic_on_y(settled.expression, settled.coefficients, settled.rmse, law, data, floor) > before:
        return law
    return _resettled(law, settled, data)


# The relative noise model must beat the additive one by this much (strong evidence) before the
# law is refitted with weights 1/|y|.
RELATIVE_EVIDENCE = 6.0


def clearly_relative(scores: Mapping[str, float]) -> bool:
    """The relative noise model beats the additive one by ``RELATIVE_EVIDENCE`` (``scores`` of :func:`noise_bics`)."""
    return scores.get("relative", math.inf) < scores["additive"] - RELATIVE_EVIDENCE


def refitted_for_its_noise(law: Law, data: Dataset, settings: Settings) -> Law:
    """The law refitted with weights 1/|y| when its residuals say the errors are relative.

    ``law.info["noise"]`` records the model: ``"additive"`` (constant σ) or
    ``"relative"`` (σ ∝ |y|). Under relative errors an unweighted fit lets
    the largest values alone set the coefficients (0.9986·a^(3/2) for the
    planets' periods); the weighted refit, pruned and snapped like any other,
    is kept when its BIC on y is no worse.
    """
    floor = mse_floor(data.y, data.known_error)
    scores = noise_bics(law, data, floor)
    relative = clearly_relative(scores)
    law.info["noise"] = "relative" if relative else "additive"
    if not relative or not law.expression.atoms(sp.Float):
        return law
    weights = 1.0 / np.abs(data.y)
    settled = settle_expression(
        law.expression, data, settings.constants, settings.snap, settings.random_state, weights=weights
    )
    if settled is None:
        return law
    before = bic_on_y(law.expression, law.coefficients, law.rmse, law, data, floor)
    if bic_on_y(settled.expression, settled.coefficients, settled.rmse, law, data, floor) > before:
        return law
    return _resettled(law, settled, data)


def _resettled(law: Law, settled: SettledExpression, data: Dataset) -> Law:
    """The law with its settled form, shown as the chosen entry of its front."""
    front = [
        dataclasses.replace(
            e,
            expression=settled.expression,
            complexity=complexity(settled.expression),
            rmse=settled.rmse,
            cv_rmse=math.nan,  # measured again for the settled form
            bic=settled.bic,
        )
        if e.chosen
        else e
        for e in law.front
    ]
    return Law.fitted(
        settled.expression,
        data,
        constants=law.constants,
        coefficients=settled.coefficients,
        front=front,
        rmse=settled.rmse,
        info=law.info,
    )
