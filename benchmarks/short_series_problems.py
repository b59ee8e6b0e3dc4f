"""Short series: one unevenly sampled trajectory of 20 or 40 noisy samples, what field ecology and epidemiology have.

Committed before the engine was run on any of them; not to be edited to suit it.

The systems are the seven Strogatz systems of ``dynamics_problems`` (their
first trajectory's initial condition, over their span t = 0 to 9.9) and five
textbook systems below. Each case is one trajectory: ``samples`` times drawn
uniformly over the span (seeded, sorted, the first at 0, so that the initial
condition is a sample), integrated with SciPy's LSODA (rtol 1e-10, atol
1e-12), with Gaussian state noise of ``level`` times each state's RMS over
the trajectory. An initial condition whose integration fails is drawn again
from the same seeded generator, as ``dynamics_problems.generate`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from .dynamics_problems import System, _rhs_functions, load_systems

SAMPLES = (20, 40)
NOISE_LEVELS = (0.05, 0.1)
TIMES_SEED = 11
NOISE_SEED = 7

TEXTBOOK: tuple[System, ...] = (
    System(
        "logistic growth",
        ("N",),
        ("0.8*N*(1 - N/50)",),
        lambda rng, i: [float(rng.uniform(2, 5))],
        0.12,
        100,
        strogatz=False,
    ),
    System(
        "SIR epidemic",
        ("S", "I"),
        ("-0.5*S*I", "0.5*S*I - 0.1*I"),
        lambda rng, i: [float(rng.uniform(0.95, 0.99)), float(rng.uniform(0.005, 0.02))],
        0.6,
        100,
        strogatz=False,
    ),
    System(
        "Lotka-Volterra predator-prey",
        ("x", "y"),
        ("x - 0.1*x*y", "0.075*x*y - 1.5*y"),
        lambda rng, i: [float(rng.uniform(8, 12)), float(rng.uniform(4, 6))],
        0.15,
        100,
        strogatz=False,
    ),
    System(
        "damped oscillator",
        ("x", "v"),
        ("v", "-4*x - 0.5*v"),
        lambda rng, i: list(rng.uniform(-2, 2, 2)),
        0.1,
        100,
        strogatz=False,
    ),
    System(
        "substrate depletion",
        ("S",),
        ("-3*S/(2 + S)",),
        lambda rng, i: [float(rng.uniform(8, 12))],
        0.1,
        100,
        strogatz=False,
    ),
)


@dataclass(frozen=True)
class ShortSeries:
    """One case: a system, its sample times and clean states, and the noisy states."""

    system: System
    samples: int
    level: float
    t: np.ndarray
    clean: np.ndarray
    noisy: np.ndarray


def load_short_systems() -> list[System]:
    """The Strogatz systems, then the textbook ones."""
    return [s for s in load_systems() if s.strogatz] + list(TEXTBOOK)


def short_series(system: System, samples: int, level: float, max_redraws: int = 100) -> ShortSeries:
    """The case of ``system`` with ``samples`` uneven times and noise ``level`` (seeded: the same on every run)."""
    span = system.dt * (system.samples - 1)
    times = np.random.default_rng(TIMES_SEED + samples)
    t = np.concatenate([[0.0], np.sort(times.uniform(0.0, span, samples - 1))])
    functions = _rhs_functions(system)
    draws = np.random.default_rng(0)
    for _ in range(max_redraws):
        x0 = [float(v) for v in system.draw(draws, 0)]
        solution = solve_ivp(
            lambda _t, x: [f(*x) for f in functions],
            (0.0, t[-1]),
            x0,
            t_eval=t,
            method="LSODA",
            rtol=1e-10,
            atol=1e-12,
        )
        if solution.success and solution.y.shape[1] == len(t) and np.all(np.isfinite(solution.y)):
            break
    else:
        raise RuntimeError(f"{system.name}: {max_redraws} initial conditions failed to integrate")
    clean = solution.y.T
    rms = np.sqrt(np.mean(clean**2, axis=0))
    noise = np.random.default_rng(NOISE_SEED).normal(0.0, 1.0, clean.shape) * level * rms
    return ShortSeries(system, samples, level, t, clean, clean + noise)


def cases() -> list[ShortSeries]:
    """Every case: each system at each sample count and noise level."""
    return [
        short_series(system, samples, level)
        for system in load_short_systems()
        for samples in SAMPLES
        for level in NOISE_LEVELS
    ]
