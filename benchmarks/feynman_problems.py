"""The Feynman equations as benchmark problems: parsing, sampling, noise and judging.

Kept apart from the runner so tests can check the judging and the noise.
Nothing here is imported by ``discovery``: the engine never sees the table.
"""

from __future__ import annotations

import csv
import signal
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sympy as sp

TABLE = Path(__file__).resolve().parent / "data" / "FeynmanEquations.csv"
# Names the table uses for functions; every other name is a variable.
FUNCTIONS = {
    "exp": sp.exp,
    "sqrt": sp.sqrt,
    "sin": sp.sin,
    "cos": sp.cos,
    "tanh": sp.tanh,
    "ln": sp.log,
    "log": sp.log,
    "arcsin": sp.asin,
    "arccos": sp.acos,
    "arctan": sp.atan,
    "pi": sp.pi,
}


@dataclass(frozen=True)
class Equation:
    """One row of the Feynman table."""

    name: str
    output: str
    formula: str
    variables: tuple[str, ...]
    ranges: tuple[tuple[float, float], ...]

    @property
    def expression(self) -> sp.Expr:
        return parse_formula(self.formula, self.variables)


def parse_formula(formula: str, variables: tuple[str, ...]) -> sp.Expr:
    """Parse a table formula with every variable a plain symbol (so 'gamma' is not Γ)."""
    local = dict(FUNCTIONS)
    local.update({name: sp.Symbol(name) for name in variables})
    return sp.sympify(formula, locals=local)


def load_equations(path: Path = TABLE) -> list[Equation]:
    """All equations of the table, in its order."""
    with open(path, newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r.get("Filename")]
    equations = []
    for row in rows:
        count = int(row["# variables"])
        names = tuple(row[f"v{i}_name"] for i in range(1, count + 1))
        ranges = tuple((float(row[f"v{i}_low"]), float(row[f"v{i}_high"])) for i in range(1, count + 1))
        equations.append(Equation(row["Filename"], row["Output"], row["Formula"], names, ranges))
    return equations


def sample(equation: Equation, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw each variable uniformly in its range and evaluate the formula."""
    X = np.column_stack([rng.uniform(low, high, n) for low, high in equation.ranges])
    f = sp.lambdify([sp.Symbol(v) for v in equation.variables], equation.expression, "numpy")
    with np.errstate(all="ignore"):
        y = np.asarray(f(*X.T), dtype=np.float64) * np.ones(n)
    return X, y


def add_noise(y: np.ndarray, level: float, rng: np.random.Generator) -> np.ndarray:
    """SRBench's target noise: Gaussian with standard deviation ``level · sqrt(mean(y²))``."""
    if level == 0:
        return y.copy()
    return y + rng.normal(0.0, level * np.sqrt(np.mean(y**2)), size=y.shape)


class _Timeout(Exception):
    pass


@contextmanager
def time_limit(seconds: int):
    """Raise _Timeout after ``seconds`` (main thread of a process only)."""

    def handler(signum, frame):
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, handler)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def round_floats(expr: sp.Expr, digits: int = 3, zero_below: float = 1e-4) -> sp.Expr:
    """SRBench's cleaning: floats under ``zero_below`` in magnitude become 0, others are rounded."""
    replace = {}
    for f in expr.atoms(sp.Float):
        replace[f] = sp.Integer(0) if abs(f) < zero_below else sp.Float(round(float(f), digits))
    return expr.xreplace(replace)


@dataclass(frozen=True)
class Verdict:
    """How a found law compares with the true one."""

    symbolic_solution: bool  # SRBench: difference or ratio is a constant (after rounding), test R² > 0.5
    exact: bool  # the difference simplifies to 0 with the law's own (exact or float) coefficients


def on_domain(expr: sp.Expr, ranges: dict[str, tuple[float, float]]) -> sp.Expr:
    """``expr`` with each variable a positive (or non-negative) symbol, as its range says.

    All Feynman variables are sampled from non-negative ranges; SymPy needs to
    know that to see sqrt(c**2*m**2) = c*m.
    """
    swap = {}
    for name, (low, _) in ranges.items():
        if low > 0:
            swap[sp.Symbol(name)] = sp.Symbol(name, positive=True)
        elif low == 0:
            swap[sp.Symbol(name)] = sp.Symbol(name, nonnegative=True)
    return expr.xreplace(swap)


def judge(
    found: sp.Expr,
    truth: sp.Expr,
    r2_test: float,
    seconds: int = 60,
    ranges: dict[str, tuple[float, float]] | None = None,
) -> Verdict:
    """Judge a law the SRBench way and the exact way.

    SRBench's symbolic solution: after rounding floats to 3 decimals (zeroing
    those below 1e-4), the difference to the true formula or the ratio to it
    is a constant; only counted when the test R² exceeds 0.5. Exact: the
    difference simplifies to 0. With ``ranges`` the variables carry the sign
    their sampling range gives them.
    """
    if ranges:
        found, truth = on_domain(found, ranges), on_domain(truth, ranges)
    symbolic = exact = False
    try:
        with time_limit(seconds):
            difference = sp.simplify(truth - found)
            exact = difference == 0
            if r2_test > 0.5 and found != 0:
                diff = round_floats(truth - found)
                ratio = round_floats(found / truth)
                if not diff.is_constant() and not ratio.is_constant():
                    diff = round_floats(sp.simplify(diff, ratio=1))
                    ratio = round_floats(sp.simplify(ratio, ratio=1))
                symbolic = bool(diff.is_constant() or (ratio.is_constant() and ratio != 0))
            if not symbolic and r2_test > 0.5 and ranges and found.has(sp.Pow):
                # Roots hide equality from SymPy (sqrt(1/(c²−v²)) vs 1/sqrt(c²−v²)): compare
                # squares, where f² = k·g² with f/g of one sign on the domain means f = ±√k·g.
                squared = sp.simplify(found**2 / truth**2)
                if squared.is_constant() and squared != 0 and _one_sign_ratio(found, truth, ranges):
                    symbolic = True
                    exact = exact or squared == 1
    except _Timeout:
        pass
    return Verdict(symbolic or exact, exact)


def _one_sign_ratio(found: sp.Expr, truth: sp.Expr, ranges: dict[str, tuple[float, float]]) -> bool:
    """True when found/truth is positive at 200 random points of the domain."""
    names = list(ranges)
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.uniform(low, high, 200) for low, high in ranges.values()])
    symbols = [sp.Symbol(n, **({"positive": True} if ranges[n][0] > 0 else {"nonnegative": True})) for n in names]
    with np.errstate(all="ignore"):
        ratio = sp.lambdify(symbols, found / truth, "numpy")(*X.T)
    ratio = np.asarray(ratio, dtype=float) * np.ones(200)
    finite = ratio[np.isfinite(ratio)]
    return len(finite) > 100 and bool(np.all(finite > 0))
