"""The Feynman equations as benchmark problems: parsing, sampling, noise and judging.

Kept apart from the runner so tests can check the judging and the noise.
Nothing here is imported by ``discovery``: the engine never sees the table.
"""

from __future__ import annotations

import csv
import signal
from collections.abc import Iterable, Mapping
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


def sample(
    equation: Equation, n: int, rng: np.random.Generator, constants: Mapping[str, float] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Draw each variable uniformly in its range and evaluate the formula.

    ``constants`` (name → value) are put into the formula first, for problems
    whose formula names constants such as ``R``; the Feynman table has none.
    """
    X = np.column_stack([rng.uniform(low, high, n) for low, high in equation.ranges])
    expression = equation.expression
    if constants:
        expression = expression.subs({sp.Symbol(name): value for name, value in constants.items()})
    f = sp.lambdify([sp.Symbol(v) for v in equation.variables], expression, "numpy")
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


def on_domain(expr: sp.Expr, ranges: dict[str, tuple[float, float]], constants: Iterable[str] = ()) -> sp.Expr:
    """``expr`` with each variable a positive (or non-negative) symbol, as its range says.

    All Feynman variables are sampled from non-negative ranges; SymPy needs to
    know that to see sqrt(c**2*m**2) = c*m. Named ``constants`` (g, R, G, ...)
    are positive symbols.
    """
    swap = {}
    for name, (low, _) in ranges.items():
        if low > 0:
            swap[sp.Symbol(name)] = sp.Symbol(name, positive=True)
        elif low == 0:
            swap[sp.Symbol(name)] = sp.Symbol(name, nonnegative=True)
    for name in constants:
        swap[sp.Symbol(name)] = sp.Symbol(name, positive=True)
    return expr.xreplace(swap)


def judge(
    found: sp.Expr,
    truth: sp.Expr,
    r2_test: float,
    seconds: int = 60,
    ranges: dict[str, tuple[float, float]] | None = None,
    constants: Mapping[str, float] | None = None,
) -> Verdict:
    """Judge a law the SRBench way and the exact way.

    SRBench's symbolic solution: after rounding floats to 3 decimals (zeroing
    those below 1e-4), the difference to the true formula or the ratio to it
    is a constant; only counted when the test R² exceeds 0.5. Exact: the
    difference simplifies to 0. With ``ranges`` the variables carry the sign
    their sampling range gives them.

    ``constants`` (name → value; the Feynman table has none) are named
    constants such as ``R`` that both laws may contain as symbols. They are
    positive symbols; exact then needs the law to name them, and "constant"
    means constant in the variables only (an offset or factor such as 8.314/R
    counts). A law that carries a constant as a number where the truth names it
    (0.1203·Ea/T inside an exponential, for Ea/(R·T)) is also a symbolic
    solution when, with every constant put in as its value and each variable
    scaled to the geometric middle of its range (so SRBench's absolute
    rounding sees numbers of order one, not SI's 1e-11), the ratio of the two
    laws is a constant after the same rounding.
    """
    constants = dict(constants or {})
    if ranges or constants:
        found, truth = on_domain(found, ranges or {}, constants), on_domain(truth, ranges or {}, constants)
    symbolic = exact = False
    try:
        with time_limit(seconds):
            difference = sp.simplify(truth - found)
            exact = difference == 0
            if r2_test > 0.5 and found != 0:
                diff = round_floats(truth - found)
                ratio = round_floats(found / truth)
                if not _is_constant(diff, constants) and not _is_constant(ratio, constants):
                    diff = round_floats(sp.simplify(diff, ratio=1))
                    ratio = round_floats(sp.simplify(ratio, ratio=1))
                symbolic = bool(_is_constant(diff, constants) or (_is_constant(ratio, constants) and ratio != 0))
            if not symbolic and r2_test > 0.5 and constants and ranges and found != 0:
                symbolic = _ratio_constant_in_numbers(found, truth, ranges, constants)
            if not symbolic and r2_test > 0.5 and ranges and found.has(sp.Pow):
                # Roots hide equality from SymPy (sqrt(1/(c²−v²)) vs 1/sqrt(c²−v²)): compare
                # squares, where f² = k·g² with f/g of one sign on the domain means f = ±√k·g.
                squared = sp.simplify(found**2 / truth**2)
                if (
                    _is_constant(squared, constants)
                    and squared != 0
                    and _one_sign_ratio(found, truth, ranges, constants)
                ):
                    symbolic = True
                    exact = exact or squared == 1
    except _Timeout:
        pass
    return Verdict(symbolic or exact, exact)


def _is_constant(expr: sp.Expr, constants: Mapping[str, float]) -> bool:
    """SymPy's ``is_constant``, in the variables only when there are named constants.

    A ratio or difference that rounding made infinite or undefined (coefficients of 1e-11 zeroed in a
    denominator give ``zoo``) is not a constant, though SymPy calls ``zoo`` one.
    """
    if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        return False
    if not constants:
        return bool(expr.is_constant())
    variables = [s for s in expr.free_symbols if s.name not in constants]
    return not variables or bool(expr.is_constant(*variables))


def _ratio_constant_in_numbers(
    found: sp.Expr, truth: sp.Expr, ranges: dict[str, tuple[float, float]], constants: Mapping[str, float]
) -> bool:
    """True when found/truth is a constant with the named constants as numbers and the variables scaled.

    Each variable x becomes s·x with s the geometric middle of its range (the
    middle for a range that reaches 0), so the rounded coefficients compare
    numbers of order one whatever the units.
    """
    swap: dict[sp.Symbol, sp.Expr] = {}
    for symbol in found.free_symbols | truth.free_symbols:
        if symbol.name in constants:
            swap[symbol] = sp.Float(constants[symbol.name])
        elif symbol.name in ranges:
            low, high = ranges[symbol.name]
            scale = float(np.sqrt(low * high)) if low > 0 else max(abs(low), abs(high))
            swap[symbol] = sp.Float(scale) * symbol
    ratio = round_floats(found.xreplace(swap) / truth.xreplace(swap))
    if not ratio.is_constant():
        ratio = round_floats(sp.simplify(ratio, ratio=1))
    return bool(ratio.is_constant() and ratio != 0 and ratio.is_finite)


def _one_sign_ratio(
    found: sp.Expr,
    truth: sp.Expr,
    ranges: dict[str, tuple[float, float]],
    constants: Mapping[str, float] | None = None,
) -> bool:
    """True when found/truth is positive at 200 random points of the domain."""
    names = list(ranges)
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.uniform(low, high, 200) for low, high in ranges.values()])
    symbols = [sp.Symbol(n, **({"positive": True} if ranges[n][0] > 0 else {"nonnegative": True})) for n in names]
    values = {sp.Symbol(name, positive=True): value for name, value in (constants or {}).items()}
    with np.errstate(all="ignore"):
        ratio = sp.lambdify(symbols, (found / truth).xreplace(values), "numpy")(*X.T)
    ratio = np.asarray(ratio, dtype=float) * np.ones(200)
    finite = ratio[np.isfinite(ratio)]
    return len(finite) > 100 and bool(np.all(finite > 0))
