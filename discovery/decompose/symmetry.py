"""Structure tests on the oracle: which variables enter the law only through one combination.

Two variables x and y enter f only through ``x + c·y`` exactly when the
ratio of f's partial derivatives, ``∂f/∂x / ∂f/∂y``, is the same at every
row (it is then 1/c), and only through ``x·y**c`` when ``x·∂f/∂x / (y·∂f/∂y)``
is (it is then 1/c). The oracle's gradients give both ratios at the rows; a
ratio's constancy is measured as the spread of the angle of the pair of
derivatives, each scaled to unit size over the rows so that units do not
matter, weighted by the pair's size (where both derivatives are small the
oracle's are mostly error). A pair whose spread is below ``MAX_SPREAD`` is
merged into one new variable (a product only when the ratio of its
exponents is a simple fraction); the derivative of f with respect to it follows
from the chain rule, so merges repeat until no pair is left (x − y, then
(x − y)/z). Zero dependence is the same measure: a variable whose derivative
moves the output by less than the oracle's error does not matter.

Each test returns its evidence (:class:`PairTest`); the merged variables are
checked where it counts, by the law found with them on the data itself.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp

# Angle spread (radians) below which a ratio counts as constant. Measured on laws whose truth is
# known: a true pair's spread with a 200-epoch oracle on clean data is up to ~0.05.
MAX_SPREAD = 0.06
SNAP_TOLERANCE = 0.03  # a measured ratio within 3 % of a simple fraction is that fraction
MAX_DENOMINATOR = 3
MAX_NUMERATOR = 6


@dataclass(frozen=True)
class PairTest:
    """Evidence that two variables enter the law only through one combination.

    Attributes
    ----------
    first, second : str
        The variables (or merged variables), by name.
    kind : {"sum", "product"}
        ``"sum"``: through ``first + coefficient·second``; ``"product"``:
        through ``first**a·second**b``.
    spread : float
        Spread of the derivatives' angle over the rows (radians; 0 when the
        ratio is exactly constant).
    ratio : float
        The measured ratio (of the derivatives, or of the log-derivatives).
    fired : bool
        Whether ``spread`` is below the threshold.
    """

    first: str
    second: str
    kind: str
    spread: float
    ratio: float
    fired: bool


@dataclass(frozen=True)
class Variable:
    """A variable of the (possibly reduced) problem: its name, expression in the originals, values and derivative."""

    name: str
    expression: sp.Expr
    values: np.ndarray
    gradient: np.ndarray  # d(oracle output units)/d(this variable) at the rows


def angle_spread(a: np.ndarray, b: np.ndarray) -> float:
    """Spread (radians) of the angle of (a, b) over the rows, each scaled to unit RMS, weighted by size."""
    ra, rb = np.sqrt(np.mean(a * a)), np.sqrt(np.mean(b * b))
    if ra == 0 or rb == 0:
        return np.inf
    a, b = a / ra, b / rb
    weight = a * a + b * b
    doubled = np.exp(2j * np.arctan2(a, b))  # an angle and its opposite are the same ratio
    centre = np.sum(weight * doubled)
    if abs(centre) == 0:
        return np.inf
    deviation = np.angle(doubled * np.conj(centre / abs(centre))) / 2
    return float(np.sqrt(np.sum(weight * deviation**2) / np.sum(weight)))


def pair_tests(variables: list[Variable], max_spread: float = MAX_SPREAD) -> list[PairTest]:
    """Both tests (sum and product) on every pair, products only where neither is ever zero.

    Parameters
    ----------
    variables : list of Variable
        Each variable's values at the rows and the oracle's derivative there
        (``NeuralOracle.gradient_units`` of the rows, one column each).
    max_spread : float
        Angle spread (radians) below which a test fires.

    Returns
    -------
    list of PairTest
        One per pair and kind, in the variables' order.
    """
    out = []
    for i, u in enumerate(variables):
        for v in variables[i + 1 :]:
            for kind in ("sum", "product"):
                if kind == "product":
                    if np.min(np.abs(u.values)) == 0 or np.min(np.abs(v.values)) == 0:
                        continue
                    a, b = u.values * u.gradient, v.values * v.gradient
                else:
                    a, b = u.gradient, v.gradient
                spread = angle_spread(a, b)
                ratio = _ratio(a, b)
                # A product's exponents are simple fractions in every law we know (x/y, x·y², x/√y); an
                # unsnappable ratio is a near-symmetry (r/A**1.076), not one.
                simple = kind == "sum" or simple_fraction(ratio) is not None
                out.append(PairTest(u.name, v.name, kind, spread, ratio, bool(spread < max_spread and simple)))
    return out


def _ratio(a: np.ndarray, b: np.ndarray) -> float:
    """The typical a/b, over the rows where b is largest (least relative error)."""
    big = np.abs(b) >= np.quantile(np.abs(b), 0.5)
    return float(np.median(a[big] / b[big])) if np.any(big) else np.nan


def simple_fraction(value: float) -> Fraction | None:
    """``value`` as p/q (q ≤ 3, |p| ≤ 6) when within ``SNAP_TOLERANCE`` of one, else None."""
    if not np.isfinite(value) or value == 0:
        return None
    best = Fraction(value).limit_denominator(MAX_DENOMINATOR)
    if best == 0 or abs(best.numerator) > MAX_NUMERATOR:
        return None
    return best if abs(float(best) / value - 1) <= SNAP_TOLERANCE else None


def merge(u: Variable, v: Variable, test: PairTest, name: str) -> Variable:
    """One variable for the pair, with its derivative by the chain rule."""
    r = test.ratio
    snapped = simple_fraction(r)
    if test.kind == "sum":
        # f = F(x + c·y): ∂f/∂x = F', ∂f/∂y = c·F', so c = 1/r.
        c = sp.Rational(snapped.denominator, snapped.numerator) if snapped else sp.Float(1 / r, 6)
        values = u.values + float(c) * v.values
        expression = u.expression + c * v.expression
        gradient = 0.5 * (u.gradient + v.gradient / float(c))
    else:
        # f = F(x**a·y**b): x∂f/∂x = a·w F', y∂f/∂y = b·w F', so r = a/b; exponents (1, 1/r) or (r, 1).
        if snapped is not None and snapped.denominator == 1 and abs(snapped.numerator) != 1:
            a, b = sp.Integer(snapped.numerator), sp.Integer(1)
        elif snapped is not None:
            a, b = sp.Integer(1), sp.Rational(snapped.denominator, snapped.numerator)
        else:
            a, b = sp.Integer(1), sp.Float(1 / r, 6)
        values = u.values ** float(a) * v.values ** float(b)
        expression = u.expression**a * v.expression**b
        # w∂F/∂w = x∂f/∂x / a = y∂f/∂y / b.
        gradient = 0.5 * (u.values * u.gradient / float(a) + v.values * v.gradient / float(b)) / values
    return Variable(name, expression, values, gradient)


def without_unused(variables: list[Variable], tolerance: float) -> list[Variable]:
    """The variables that move the output by more than ``tolerance`` (output units per standard deviation)."""
    kept = [v for v in variables if np.sqrt(np.mean(v.gradient**2)) * np.std(v.values) > tolerance]
    return kept or variables  # no dependence seen at all: keep everything, the search will say


def reduce_variables(
    variables: list[Variable], fresh_name, tolerance: float, max_spread: float = MAX_SPREAD
) -> tuple[list[Variable], list[PairTest]]:
    """Merge the most clearly combined pair until none is left; also drop unused variables.

    Returns the reduced variables and every merge's test, in order.
    """
    variables = without_unused(variables, tolerance)
    merges: list[PairTest] = []
    while len(variables) > 1:
        fired = [t for t in pair_tests(variables, max_spread) if t.fired and np.isfinite(t.ratio) and t.ratio != 0]
        if not fired:
            break
        by_name = {v.name: v for v in variables}
        # The clearest first; a product with a fractional power of a negative variable is not a variable.
        for best in sorted(fired, key=lambda t: t.spread):
            with np.errstate(all="ignore"):
                merged = merge(by_name[best.first], by_name[best.second], best, "")
            if np.all(np.isfinite(merged.values)) and np.ptp(merged.values) > 0:
                break
        else:
            break
        merged = dataclasses.replace(merged, name=fresh_name())
        variables = [v for v in variables if v.name not in (best.first, best.second)] + [merged]
        merges.append(best)
    return variables, merges
