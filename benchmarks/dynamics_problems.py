"""The dynamics benchmark's systems: SRBench's Strogatz set, Lorenz and a damped pendulum.

Committed before the engine was run on any of them; not to be edited to suit it.

The seven Strogatz systems (14 right-hand sides) are those of SRBench's
``ode-strogatz`` set, with its sampling: four trajectories per system, t from
0 to 9.9 in steps of 0.1 (100 samples each), initial conditions drawn as its
``simulate_ode.m`` draws them. Lorenz (σ = 10, ρ = 28, β = 8/3) and a damped
pendulum (θ'' = -g·sin θ - θ'/5, g = 9.81 given as a named constant) are
sampled more finely, as their time scales need. Each system is integrated
with SciPy's LSODA (rtol 1e-10, atol 1e-12). A drawn initial condition whose
integration fails (a singularity of the right-hand side reached within the
time span) is drawn again, from the same seeded generator, so the data are
the same on every run; ``generate`` records how many were redrawn.

State noise: Gaussian, independent per sample, with standard deviation
``level`` times the RMS of that state over all of the system's samples.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import sympy as sp
from scipy.integrate import solve_ivp

NOISE_LEVELS = (0.0, 0.01, 0.1)
TRAJECTORIES = 4
HELD_OUT_TRAJECTORIES = 2  # noise-free, from fresh initial conditions: where a found right-hand side is tested


@dataclass(frozen=True)
class System:
    """One system of ordinary differential equations and how it is sampled."""

    name: str
    states: tuple[str, ...]
    rhs: tuple[str, ...]  # dstate/dt, one SymPy-readable formula per state
    draw: Callable[[np.random.Generator, int], list[float]]  # the initial condition of trajectory i
    dt: float
    samples: int
    constants: Mapping[str, float] = field(default_factory=dict)
    strogatz: bool = True

    def truth(self) -> list[sp.Expr]:
        """Each right-hand side as a SymPy expression (named constants as symbols)."""
        local = {name: sp.Symbol(name) for name in (*self.states, *self.constants)}
        return [sp.sympify(formula, locals=local) for formula in self.rhs]


def _fixed(points: list[list[float]]) -> Callable[[np.random.Generator, int], list[float]]:
    """SRBench's given initial conditions (Lotka–Volterra); beyond them (held-out trajectories), drawn."""

    def draw(rng: np.random.Generator, i: int) -> list[float]:
        return [float(v) for v in points[i]] if i < len(points) else [float(v) for v in rng.uniform(0.5, 8.0, 2)]

    return draw


SYSTEMS: tuple[System, ...] = (
    System(
        "bacterial respiration",
        ("x", "y"),
        ("20 - x - x*y/(1 + 0.5*x**2)", "10 - x*y/(1 + 0.5*x**2)"),
        lambda rng, i: [5 + rng.normal(0, 1), 10 + rng.normal(0, 0.1)],
        0.1,
        100,
    ),
    System(
        "bar magnets",
        ("x", "y"),
        ("0.5*sin(x - y) - sin(x)", "0.5*sin(y - x) - sin(y)"),
        lambda rng, i: list(rng.uniform(0, 2 * np.pi, 2)),
        0.1,
        100,
    ),
    System(
        "glider",
        ("x", "y"),
        ("-0.05*x**2 - sin(y)", "x - cos(y)/x"),
        lambda rng, i: [5 + rng.normal(0, 1), rng.normal(0, 0.1)],
        0.1,
        100,
    ),
    System(
        "lotka-volterra competition",
        ("x", "y"),
        ("3*x - 2*x*y - x**2", "2*y - x*y - y**2"),
        _fixed([[1, 3], [4, 1], [8, 2], [3, 3]]),
        0.1,
        100,
    ),
    System(
        "predator-prey",
        ("x", "y"),
        ("x*(4 - x - y/(1 + x))", "y*(x/(1 + x) - 0.075*y)"),
        lambda rng, i: [5 + rng.normal(0, 1), 10 + rng.normal(0, 0.1)],
        0.1,
        100,
    ),
    System(
        "shear flow",
        ("x", "y"),
        ("cot(y)*cos(x)", "(cos(y)**2 + 0.1*sin(y)**2)*sin(x)"),
        lambda rng, i: [rng.uniform(-np.pi, np.pi), rng.uniform(-np.pi / 2, np.pi / 2)],
        0.1,
        100,
    ),
    System(
        "van der pol",
        ("x", "y"),
        ("10*(y - (x**3 - x)/3)", "-x/10"),
        lambda rng, i: list(rng.uniform(0, 1, 2)),
        0.1,
        100,
    ),
    System(
        "lorenz",
        ("x", "y", "z"),
        ("10*(y - x)", "x*(28 - z) - y", "x*y - 8*z/3"),
        lambda rng, i: [rng.uniform(-15, 15), rng.uniform(-15, 15), rng.uniform(5, 40)],
        0.01,
        500,
        strogatz=False,
    ),
    System(
        "damped pendulum",
        ("theta", "omega"),
        ("omega", "-g*sin(theta) - omega/5"),
        lambda rng, i: [rng.uniform(-2.5, 2.5), rng.uniform(-2, 2)],
        0.01,
        1000,
        constants={"g": 9.81},
        strogatz=False,
    ),
)


@dataclass
class Trajectories:
    """A system's sampled trajectories: times, states (noisy when asked) and exact derivatives."""

    t: list[np.ndarray]
    states: list[np.ndarray]  # each (samples, n_states)
    derivatives: list[np.ndarray]  # the exact right-hand sides at the noise-free states
    redrawn: int  # initial conditions drawn again after a failed integration


def _integrate(system: System, x0: list[float]) -> tuple[np.ndarray, np.ndarray] | None:
    functions = _rhs_functions(system)
    t = np.arange(system.samples) * system.dt

    def rhs(_t, x):
        return [f(*x) for f in functions]

    solution = solve_ivp(rhs, (0.0, t[-1]), x0, t_eval=t, method="LSODA", rtol=1e-10, atol=1e-12)
    if not solution.success or solution.y.shape[1] != len(t) or not np.all(np.isfinite(solution.y)):
        return None
    return t, solution.y.T


def _rhs_functions(system: System) -> list[Callable[..., float]]:
    symbols = [sp.Symbol(s) for s in system.states]
    values = {sp.Symbol(k): v for k, v in system.constants.items()}
    return [sp.lambdify(symbols, f.xreplace(values), "math") for f in system.truth()]


def derivatives_at(system: System, states: np.ndarray) -> np.ndarray:
    """The exact right-hand sides at each row of ``states``."""
    symbols = [sp.Symbol(s) for s in system.states]
    values = {sp.Symbol(k): v for k, v in system.constants.items()}
    columns = []
    for f in system.truth():
        g = sp.lambdify(symbols, f.xreplace(values), "numpy")
        columns.append(np.asarray(g(*states.T), dtype=float) * np.ones(len(states)))
    return np.column_stack(columns)


def generate(
    system: System, seed: int, count: int = TRAJECTORIES, first: int = 0, max_redraws: int = 100
) -> Trajectories:
    """``count`` noise-free trajectories of ``system``, numbered from ``first``, initial conditions drawn with ``seed``.

    The held-out trajectories are ``generate(system, seed + 1, HELD_OUT_TRAJECTORIES, first=TRAJECTORIES)``.
    """
    rng = np.random.default_rng(seed)
    ts, xs, redrawn = [], [], 0
    while len(xs) < count:
        solved = _integrate(system, [float(v) for v in system.draw(rng, first + len(xs))])
        if solved is None:
            redrawn += 1
            if redrawn > max_redraws:
                raise RuntimeError(f"{system.name}: {max_redraws} initial conditions failed to integrate")
            continue
        ts.append(solved[0])
        xs.append(solved[1])
    return Trajectories(ts, xs, [derivatives_at(system, x) for x in xs], redrawn)


def with_noise(trajectories: Trajectories, level: float, seed: int) -> list[np.ndarray]:
    """The states with Gaussian noise of ``level`` times each state's RMS over all samples."""
    if level == 0:
        return [x.copy() for x in trajectories.states]
    rng = np.random.default_rng(seed)
    rms = np.sqrt(np.mean(np.vstack(trajectories.states) ** 2, axis=0))
    return [x + rng.normal(0.0, 1.0, x.shape) * level * rms for x in trajectories.states]


def load_systems() -> list[System]:
    """Every system, Strogatz first."""
    return list(SYSTEMS)
