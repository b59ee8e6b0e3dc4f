"""Time derivatives of sampled states: finite differences for clean data, a smoothing spline for noisy data.

``"finite"``: the derivative of the degree-4 polynomial through each sample
and its four nearest neighbours in time (fourth-order accurate; uneven
sampling allowed). ``"spline"``: the derivative of a cubic smoothing spline
(SciPy's ``make_smoothing_spline``), per state and trajectory, its smoothing
chosen from the data: by generalised cross-validation, checked against the
noise. The noise is measured without a model: each sample is predicted from
the cubic through its four nearest neighbours, and the median miss, scaled
by what white noise would give, estimates the noise's standard deviation
(the median ignores the few misses that fast transients cause). Where the
cross-validated spline's residuals are far from that noise (on one Lorenz
trajectory in four it smoothed the signal away: derivative errors of
100 %), the discrepancy principle chooses instead: the most smoothing whose
residuals are no larger than the noise.

Where sampling is too coarse for the dynamics (a fast transient, a
relaxation jump), no estimate is right, and a few such rows can pull a
least-squares fit off the law. With finite differences, a row's derivative
counts as resolved when the fourth-order estimate and the second-order one
(three samples) agree within :data:`RESOLVED_TOLERANCE` of the derivative's
spread; the search uses resolved rows only (``Derivatives.resolved``).

``"auto"`` tells the two apart from the same estimate: where every state's
noise is below :data:`CLEAN_NOISE` of its spread, the data are clean and
finite differences are used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.interpolate import make_smoothing_spline

from ..errors import DataError
from ..parameters import DERIVATIVES as DERIVATIVE_METHODS
from .trajectories import Trajectories

STENCIL = 5
# Of a state's standard deviation: the estimated noise below which the data count as clean. Integrator
# output at rtol 1e-10 sampled 10 per time unit reads as 1e-9 to 2e-5 of the spread; 1 % noise as ~1e-2.
CLEAN_NOISE = 1e-4
# Of a derivative's standard deviation: the most its fourth- and second-order finite differences may
# differ on a row for the row to count as resolved. On SRBench's Strogatz data (10 samples per time
# unit) 1 % keeps 67-100 % of the rows and brings the derivatives' RMS error from up to 19 % of their
# spread (Lotka-Volterra's first steps) to under 0.03 %.
RESOLVED_TOLERANCE = 0.01
GCV_BAND = 1.5  # generalised cross-validation's residuals within this factor of the noise: its smoothing stands
_MEDIAN_ABS = 0.6744897501960817  # the median of |z| for a standard normal z


@dataclass(frozen=True)
class Derivatives:
    """The estimated derivatives, one (n, states) array per trajectory, and how they were estimated.

    Attributes
    ----------
    values : list of numpy.ndarray
    resolved : list of numpy.ndarray
        Per trajectory, (n, states) booleans: where the sampling resolves
        each state's derivative (all True for the spline).
    method : str
        ``"finite"`` or ``"spline"`` (what ``"auto"`` chose).
    noise : dict of state → float
        Each state's estimated noise (standard deviation), as a fraction of
        the state's own standard deviation: the evidence ``"auto"`` used.
    error : dict of state → float
        Each derivative's estimated error on the resolved rows (RMS), as a
        fraction of the derivative's RMS there: with finite differences the
        gap to the sixth-order estimate (seven samples); with the spline, the
        miss on a replicate (the smoothed curve plus fresh noise of the
        measured size, smoothed again).
    sigma : dict of state → float
        Each state's estimated noise standard deviation, in its own units.
    states : list of numpy.ndarray
        The states the derivatives belong to: the data with finite
        differences, the smoothed curves with the spline (the terms of a law
        are then evaluated where the noise has been averaged out too).
    """

    values: list[np.ndarray]
    resolved: list[np.ndarray]
    method: str
    noise: dict[str, float]
    error: dict[str, float]
    sigma: dict[str, float]
    states: list[np.ndarray]


def estimate_derivatives(trajectories: Trajectories, method: str = "auto") -> Derivatives:
    """The time derivative of every state of every trajectory (see the module's docstring).

    Raises
    ------
    DataError
        For an unknown method.
    """
    if method not in DERIVATIVE_METHODS:
        raise DataError(f"derivatives must be one of {', '.join(map(repr, DERIVATIVE_METHODS))}, got {method!r}")
    sigma = noise_levels(trajectories)
    spreads = np.std(np.vstack([tr.x for tr in trajectories.items]), axis=0)
    noise = {
        name: float(sigma[j] / spreads[j]) if spreads[j] > 0 else 0.0 for j, name in enumerate(trajectories.states)
    }
    if method == "auto":
        method = "finite" if max(noise.values()) < CLEAN_NOISE else "spline"
    values, coarse, fine, misses, states = [], [], [], [], []
    rng = np.random.default_rng(0)  # the spline's replicates: the same data give the same estimate
    for tr in trajectories.items:
        if method == "finite":
            values.append(_finite_difference(tr.t, tr.x, STENCIL))
            coarse.append(_finite_difference(tr.t, tr.x, 3))
            fine.append(_finite_difference(tr.t, tr.x, STENCIL + 2))
        else:
            triples = [_spline_derivative(tr.t, tr.x[:, j], sigma[j], rng) for j in range(tr.x.shape[1])]
            values.append(np.column_stack([d for d, _, _ in triples]))
            misses.append(np.column_stack([m for _, m, _ in triples]))
            states.append(np.column_stack([s for _, _, s in triples]))
    if method == "finite":
        spread = np.std(np.vstack(values), axis=0)
        resolved = [np.abs(v - c) <= RESOLVED_TOLERANCE * spread for v, c in zip(values, coarse)]
        states = [tr.x for tr in trajectories.items]
        gaps = [f - v for f, v in zip(fine, values)]
    else:
        resolved = [np.ones(v.shape, dtype=bool) for v in values]
        gaps = misses
    error = {}
    for j, name in enumerate(trajectories.states):
        kept = np.concatenate([r[:, j] for r in resolved])
        gap = np.concatenate([g[:, j] for g in gaps])[kept]
        size = np.concatenate([v[:, j] for v in values])[kept]
        scale = float(np.sqrt(np.mean(size**2))) if len(size) else 0.0
        error[name] = float(np.sqrt(np.mean(gap**2))) / scale if scale > 0 else 0.0
    sigmas = dict(zip(trajectories.states, map(float, sigma)))
    return Derivatives(values, resolved, method, noise, error, sigmas, states)


def _finite_difference(t: np.ndarray, x: np.ndarray, points: int) -> np.ndarray:
    weights, index = _stencil_weights(t, derivative=1, points=points)
    return np.einsum("nk,nkj->nj", weights, x[index])


def noise_levels(trajectories: Trajectories) -> np.ndarray:
    """Each state's noise standard deviation, from the misses of samples predicted by their neighbours' cubic.

    For white noise of deviation σ, a sample predicted with weights w from
    its neighbours misses by a normal deviate of deviation σ·√(1 + Σw²); the
    median absolute miss over all samples, so scaled, estimates σ.
    """
    scaled = []
    for tr in trajectories.items:
        weights, index = _stencil_weights(tr.t, derivative=0, leave_out=True)
        predicted = np.einsum("nk,nkj->nj", weights, tr.x[index])
        scaled.append(np.abs(predicted - tr.x) / np.sqrt(1.0 + np.sum(weights**2, axis=1))[:, None])
    return np.median(np.vstack(scaled), axis=0) / _MEDIAN_ABS


def _stencil_weights(
    t: np.ndarray, derivative: int, leave_out: bool = False, points: int = STENCIL
) -> tuple[np.ndarray, np.ndarray]:
    """Weights w (n, k) and sample indices (n, k) with Σ w·x[index] the polynomial's value or derivative at t.

    The polynomial of degree k − 1 goes through the k samples nearest in time
    (centred where the trajectory allows); with ``leave_out`` the sample itself
    is left out and the polynomial (degree k − 2 through its neighbours)
    predicts it.
    """
    n = len(t)
    k = min(points, n - 1 if leave_out else n)
    offsets = np.arange(k + (1 if leave_out else 0))
    starts = np.clip(np.arange(n) - len(offsets) // 2, 0, n - len(offsets))
    index = starts[:, None] + offsets[None, :]
    if leave_out:
        keep = index != np.arange(n)[:, None]
        # Each row keeps k of its k+1 candidates: drop the sample itself (or the last one when it is absent).
        keep[keep.all(axis=1), -1] = False
        index = index[keep].reshape(n, k)
    scale = np.maximum(np.ptp(t[index], axis=1, keepdims=True), np.finfo(float).tiny)
    d = (t[index] - t[:, None]) / scale  # offsets scaled to order one: a well-conditioned Vandermonde system
    powers = np.arange(k)
    vandermonde = d[:, None, :] ** powers[None, :, None]  # (n, power, sample)
    rhs = np.zeros((n, k))
    rhs[:, derivative] = 1.0 if derivative == 0 else 1.0 / scale[:, 0]
    weights = np.linalg.solve(vandermonde, rhs[:, :, None])[:, :, 0]
    return weights, index


def _smoothing_spline(t: np.ndarray, x: np.ndarray, sigma: float):
    """The spline smoothed by cross-validation, or by the noise where that fails.

    Generalised cross-validation's spline stands when its residuals' RMS is
    within a factor :data:`GCV_BAND` of the noise ``sigma``; else (it smoothed
    the signal away, or followed the noise) the smoothest spline whose
    residuals' RMS is at most ``sigma`` (bisection in log λ).
    """
    try:
        spline = make_smoothing_spline(t, x)
        rms = float(np.sqrt(np.mean((spline(t) - x) ** 2)))
        if sigma / GCV_BAND <= rms <= sigma * GCV_BAND:
            return spline
    except (ValueError, np.linalg.LinAlgError):
        pass
    scale = float(np.ptp(t)) ** 3 / len(t)  # λ's natural unit: the penalty weighs ∫x''² over the span against Σr²
    low, high = -12.0, 6.0  # log10 of λ / scale: from interpolating to a straight line
    for _ in range(40):
        middle = 0.5 * (low + high)
        spline = make_smoothing_spline(t, x, lam=scale * 10**middle)
        if np.sqrt(np.mean((spline(t) - x) ** 2)) > sigma:
            high = middle
        else:
            low = middle
    return make_smoothing_spline(t, x, lam=scale * 10**low)


def _spline_derivative(
    t: np.ndarray, x: np.ndarray, sigma: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The smoothed derivative, its miss on a replicate (the smoothed curve plus fresh noise, smoothed again),
    and the smoothed curve.

    The replicate's derivative less the curve's own measures what the noise
    does to the estimate (its variance; the smoothing's bias is not in it).
    """
    spline = _smoothing_spline(t, x, sigma)
    derivative = spline.derivative()(t)
    replicate = _smoothing_spline(t, spline(t) + rng.normal(0.0, sigma, len(t)), sigma)
    return derivative, replicate.derivative()(t) - derivative, spline(t)
