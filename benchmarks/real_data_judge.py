"""The real-data benchmark's judge: the accepted law's reference fit, and two verdicts on a returned law.

- **as good**: the law's residual sum of squares on the table is at most 1.02 times
  the accepted law's (fitted by least squares here), and it has no more free
  constants than the accepted law.
- **the accepted form**: the law belongs to the accepted family (the family,
  its constants free, refitted to the law's own predictions on a dense grid over
  the data's range extended by half of it on each side, matches them to within
  1e-6 of their spread wherever both are finite), and its RSS is at most 1.02
  times the accepted one.

A law's free constants are counted from its SymPy expression alone, the same
way for every tool: each distinct ``sp.Float`` magnitude in the tree is one
fitted constant; integers, rationals and named constants (π, E) are not. ``discover`` keeps its
coefficients as Float literals in ``law.sympy()`` (exact ones become Integer,
Rational or a named constant), and Operon's printed model has its constants
as decimals, so one count serves both.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp
from scipy.optimize import least_squares

from .real_data_problems import Problem

RSS_TOLERANCE = 1.02  # "as good": RSS within 2 % of the accepted law's
FORM_TOLERANCE = 1e-6  # "accepted form": max deviation from the refitted family, relative to the spread
MODULES = ["numpy", "scipy"]


@dataclass(frozen=True)
class Reference:
    """The accepted law's least-squares fit to the table."""

    values: dict[str, float]
    rss: float
    r2: float
    k: int


@dataclass(frozen=True)
class Verdict:
    rss: float
    ratio: float  # the law's RSS over the accepted law's
    constants: int
    member: bool  # in the accepted family (whatever its RSS)
    as_good: bool
    accepted_form: bool


def family(problem: Problem) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """``f(X, theta)``: the accepted law at the rows of X, parameters in ``problem.parameters`` order."""
    symbols = [sp.Symbol(name, real=True) for name in problem.inputs + problem.parameters]
    f = sp.lambdify(symbols, problem.expression, modules=MODULES)
    n_inputs = len(problem.inputs)

    def evaluate(X: np.ndarray, theta: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            out = f(*(X[:, j] for j in range(n_inputs)), *theta)
        return _as_rows(out, len(X))

    return evaluate


def _as_rows(out, n: int) -> np.ndarray:
    out = np.asarray(out)
    if np.iscomplexobj(out):
        out = np.where(np.abs(out.imag) <= 1e-12 * np.abs(out.real), out.real, np.nan)
    return np.broadcast_to(out.astype(float), (n,)).copy()


def evaluate_law(expression: sp.Expr, inputs: tuple[str, ...], X: np.ndarray) -> np.ndarray:
    """A returned law at the rows of X; its symbols are matched to the inputs by name."""
    symbols = sorted(expression.free_symbols, key=lambda s: s.name)
    unknown = [s.name for s in symbols if s.name not in inputs]
    if unknown:
        raise ValueError(f"the law uses names that are not inputs: {', '.join(unknown)}")
    f = sp.lambdify(symbols, expression, modules=MODULES)
    with np.errstate(all="ignore"):
        out = f(*(X[:, inputs.index(s.name)] for s in symbols))
    return _as_rows(out, len(X))


def free_constants(expression: sp.Expr) -> int:
    """Free fitted constants of a printed law: its distinct Float magnitudes (exact numbers are not counted).

    Distinct, and by magnitude, because SymPy distributes a number over a sum:
    ``a*(exp(-k*t) - exp(-m*t))`` prints as ``11.2*exp(-0.05*t) - 11.2*exp(-1.8*t)``,
    one constant ``a`` written twice.
    """
    return len({abs(node) for node in sp.preorder_traversal(expression) if isinstance(node, sp.Float)})


def _least_squares(residual: Callable[[np.ndarray], np.ndarray], starts: list[np.ndarray]) -> tuple[np.ndarray, float]:
    """The best of least-squares fits from several starts: (parameters, RSS); RSS inf if none converged."""
    best, best_rss = starts[0], math.inf
    for x0 in starts:
        try:
            fit = least_squares(residual, x0, method="lm", x_scale="jac", xtol=1e-15, ftol=1e-15, gtol=1e-15,
                                max_nfev=20_000)  # fmt: skip
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            continue
        rss = float(np.sum(fit.fun**2))
        if math.isfinite(rss) and rss < best_rss:
            best, best_rss = fit.x, rss
    return best, best_rss


def _jittered(x0: np.ndarray, count: int, rng: np.random.Generator, scale: float = 0.3) -> list[np.ndarray]:
    """``x0`` and ``count`` random starts around it (multiplicative, additive where a start is zero)."""
    starts = [x0]
    for _ in range(count):
        factor = np.exp(scale * rng.standard_normal(len(x0)))
        starts.append(np.where(x0 != 0, x0 * factor, scale * rng.standard_normal(len(x0))))
    return starts


def _penalised(values: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Residuals with non-finite predictions replaced by a large finite penalty, so the optimiser backs off."""
    residual = values - target
    penalty = 1e6 * (1 + np.max(np.abs(target)))
    return np.where(np.isfinite(residual), residual, penalty)


def reference_fit(problem: Problem, X: np.ndarray, y: np.ndarray, restarts: int = 10) -> Reference:
    """Least squares of the accepted law from its starts and ``restarts`` jittered ones; the best kept."""
    f = family(problem)
    rng = np.random.default_rng(zlib.crc32(problem.name.encode()))
    x0 = np.array(list(problem.starts.values()), dtype=float)
    theta, rss = _least_squares(lambda t: _penalised(f(X, t), y), _jittered(x0, restarts, rng))
    total = float(np.sum((y - y.mean()) ** 2))
    values = {name: float(v) for name, v in zip(problem.parameters, theta)}
    return Reference(values=values, rss=rss, r2=1 - rss / total if total > 0 else math.nan, k=problem.k)


def grid(X: np.ndarray, points: int = 200) -> np.ndarray:
    """Dense points over the data's range extended by half of it each side (not below 0 for data ≥ 0).

    Each input gets an even grid, and a geometric one over its data range when
    it is positive and spans more than a decade; several inputs, their product.
    """
    axes = []
    for column in X.T:
        low, high = float(column.min()), float(column.max())
        span = high - low
        start = low - span / 2
        if low >= 0:
            start = max(start, 0.0)
        values = [np.linspace(start, high + span / 2, points)]
        if low > 0 and high / low > 10:
            values.append(np.geomspace(low, high, points))
        axes.append(np.unique(np.concatenate(values)))
    if len(axes) == 1:
        return axes[0][:, None]
    # About 60 a side, ends kept: a 2-D grid of a few thousand points.
    thin = [a[np.unique(np.linspace(0, len(a) - 1, 60).round().astype(int))] for a in axes]
    return np.stack([m.ravel() for m in np.meshgrid(*thin, indexing="ij")], axis=1)


def in_family(expression: sp.Expr, problem: Problem, X: np.ndarray, reference: Reference, restarts: int = 4) -> bool:
    """Whether the law is a member of the accepted family, judged on ``grid(X)`` (see the module's docstring)."""
    G = grid(X)
    try:
        g = evaluate_law(expression, problem.inputs, G)
    except (ValueError, TypeError, NameError, KeyError, AttributeError, ZeroDivisionError):
        return False
    finite = np.isfinite(g)
    inside = np.all((G >= X.min(axis=0)) & (G <= X.max(axis=0)), axis=1)
    if finite.sum() < 2 or not finite[inside].all():
        return False
    f = family(problem)
    rng = np.random.default_rng(zlib.crc32(problem.name.encode()) + 1)
    x0 = np.array(list(reference.values.values()), dtype=float)

    def deviation(theta: np.ndarray) -> bool:
        both = finite & np.isfinite(values := f(G, theta))
        if not both[inside].all():
            return False
        spread = float(np.ptp(g[both]))
        return float(np.max(np.abs(values[both] - g[both]))) <= FORM_TOLERANCE * max(spread, 1e-300)

    if deviation(x0):
        return True
    theta, _ = _least_squares(lambda t: _penalised(f(G[finite], t), g[finite]), _jittered(x0, restarts, rng))
    return deviation(theta)


def judge(
    expression: sp.Expr | None,
    problem: Problem,
    X: np.ndarray,
    y: np.ndarray,
    reference: Reference,
    predicted: np.ndarray | None = None,
) -> Verdict:
    """Both verdicts on one returned law.

    The RSS is the printed law's, evaluated here; ``predicted`` (the tool's own
    predictions) stands in only where the expression cannot be evaluated.
    """
    values = None
    if expression is not None:
        try:
            values = evaluate_law(expression, problem.inputs, X)
        except (ValueError, TypeError, NameError, KeyError, AttributeError, ZeroDivisionError):
            values = None
    if values is None and predicted is not None:
        values = np.asarray(predicted, dtype=float).reshape(-1)
    rss = float(np.sum((y - values) ** 2)) if values is not None else math.inf
    rss = rss if math.isfinite(rss) else math.inf
    ratio = rss / reference.rss if reference.rss > 0 else (1.0 if rss == 0 else math.inf)
    constants = free_constants(expression) if expression is not None else 0
    close = ratio <= RSS_TOLERANCE
    member = expression is not None and in_family(expression, problem, X, reference)
    return Verdict(
        rss=rss,
        ratio=ratio,
        constants=constants,
        member=member,
        as_good=bool(close and expression is not None and constants <= reference.k),
        accepted_form=bool(close and member),
    )
