"""The integral (weak) check of a derivative law: does it reproduce the states' changes over windows of time?

A law f for dx/dt must satisfy x(t + Δ) − x(t) = ∫ f(x(s)) ds over any
window. That asks for no derivative of the data: the noise enters only
through the states at the window's two ends and through f along the way,
where integration averages it out, and the errors of estimated derivatives
(which neighbouring samples share, so a pointwise fit chases them with
spurious small terms) do not enter at all. ``integral_misses`` measures it
for candidate laws; the search uses it to choose among them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.interpolate import CubicSpline

from ..law.evaluate import numpy_evaluator
from .trajectories import Trajectories

WINDOW = 10  # samples a window spans


def integral_misses(
    expressions: Sequence, constants: dict[str, float], trajectories: Trajectories, state: int, names: Sequence[str]
) -> np.ndarray:
    """For each expression, the RMS miss of x(t + Δ) − x(t) against ∫ f dt, over the RMS of those changes.

    Δ spans :data:`WINDOW` samples (fewer on a short trajectory); every
    window start is used. ∫ f dt is the integral of the cubic spline through
    f's values at the samples (fourth-order accurate). An expression that is
    not finite on every sample scores inf.
    """
    changes, integrals = [], [[] for _ in expressions]
    evaluators = [numpy_evaluator(e, constants) for e in expressions]
    for tr in trajectories.items:
        w = min(WINDOW, len(tr.t) - 1)
        x = tr.x[:, state]
        changes.append(x[w:] - x[:-w])
        columns = tr.columns(names)
        for k, evaluate in enumerate(evaluators):
            with np.errstate(all="ignore"):
                f = np.asarray(evaluate(columns), dtype=float) * np.ones(len(tr.t))
            if not np.all(np.isfinite(f)):
                integrals[k].append(None)
                continue
            F = CubicSpline(tr.t, f).antiderivative()(tr.t)
            integrals[k].append(F[w:] - F[:-w])
    change = np.concatenate(changes)
    scale = max(float(np.sqrt(np.mean(change**2))), np.finfo(float).tiny)
    out = np.full(len(expressions), np.inf)
    for k, parts in enumerate(integrals):
        if all(p is not None for p in parts):
            out[k] = float(np.sqrt(np.mean((change - np.concatenate(parts)) ** 2))) / scale
    return out
