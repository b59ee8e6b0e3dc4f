"""How far a discovered system holds: simulated from each trajectory's first sample, compared with the data."""

from __future__ import annotations

from typing import Any

import numpy as np

from .system import System
from .trajectories import Trajectories

# The horizon ends where a simulated state first misses the data by more than this fraction of the
# state's spread (plus four times its estimated noise, which the data carry and the simulation does not).
HORIZON_ERROR = 0.1


def simulation_check(system: System, trajectories: Trajectories, noise: dict[str, float]) -> dict[str, Any]:
    """Simulate ``system`` from each trajectory's first sample, over its times, with its inputs.

    Returns
    -------
    dict
        ``"rmse"``: per trajectory, the RMS over samples and states of the
        miss divided by each state's spread (inf where the simulation
        stopped early); ``"horizon"``: per trajectory, the time from its start
        until the first miss beyond ``HORIZON_ERROR`` plus four times the
        state's noise (its whole span when none); ``"span"``: each
        trajectory's span; ``"held"``: the fraction of trajectories that
        hold over their whole span.
    """
    spreads = np.std(np.vstack([tr.x for tr in trajectories.items]), axis=0)
    spreads = np.where(spreads > 0, spreads, 1.0)
    allowed = HORIZON_ERROR + 4 * np.array([noise.get(s, 0.0) for s in system.states])
    rmse, horizon, span = [], [], []
    for tr in trajectories.items:
        simulated = system.simulate(tr.x[0], tr.t, inputs=tr.u if system.inputs else None)
        miss = np.abs(simulated - tr.x) / spreads
        finite = np.isfinite(miss).all(axis=1)
        rmse.append(float(np.sqrt(np.mean(miss**2))) if finite.all() else float("inf"))
        beyond = np.flatnonzero(~finite | (miss > allowed).any(axis=1))
        end = tr.t[-1] if not len(beyond) else tr.t[max(beyond[0] - 1, 0)]
        horizon.append(float(end - tr.t[0]))
        span.append(float(tr.t[-1] - tr.t[0]))
    held = float(np.mean([h >= s for h, s in zip(horizon, span)]))
    return {"rmse": rmse, "horizon": horizon, "span": span, "held": held}
