"""Recursive solving: reduce the variables along what the structure tests found, split, solve, map back.

The oracle is trained on the data; the symmetry tests merge pairs of
variables that enter only through a sum or a product (``t/(R·C)``,
``E − mu``) until none is left, and drop variables that do not matter. The
reduced problem, on the data's own rows and y (no oracle values), goes to
the same search as any problem, with fewer variables. When its variables
separate (f = g·h or g + h over two groups, tested on an oracle of the
reduced variables), each group's law is searched on its own. The laws found
are written back in the original variables and returned as candidates, to be
refitted jointly on the original data by the shared SymPy layer.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from ..deadline import Deadline
from ..io.dataset import Dataset
from ..law.evaluate import numpy_evaluator
from ..law.law import Law
from .oracle import NeuralOracle
from .separability import SplitTest, split_tests
from .symmetry import PairTest, Variable, reduce_variables

ORACLE_SHARE = 0.3  # of the decomposition's time, the most the oracle trains
SECOND_ORACLE_SHARE = 0.2  # ... and the oracle of the reduced variables, for the separability tests
MAX_ORACLE_SECONDS = 8.0
# An oracle whose validation RMSE (standardised units) is above this cannot tell structure from its own
# error: every test would pass. No test is run on it.
MAX_ORACLE_ERROR = 0.1
FIRST_PART_SHARE = 0.4  # of a separable problem's search time, the first part's
SECOND_PART_SHARE = 0.75  # of the time left then, the second part's; the rest finds the first part again
MIN_REFIND_SECONDS = 1.0
LOOSE_PAIRS = 2  # of the pairs of parts, those also tried with every coefficient a float
NEAR_SHARE = 0.1  # of the rows, those nearest the second group's medians give the first part's law
MIN_NEAR_ROWS = 200
TEST_ROWS = 2000  # rows at which the oracle's gradients are read
# A variable matters when one standard deviation of it moves the oracle's output by more than this
# many of its validation errors.
UNUSED_TOLERANCE = 0.5


@dataclass
class Reduction:
    """What the structure tests found, as evidence.

    Attributes
    ----------
    variables : list of (name, sympy.Expr)
        The reduced problem's variables, each in the original variables.
    merges : list of PairTest
        The pair tests that merged variables, in order.
    dropped : list of str
        Variables the law does not depend on.
    oracle_error : float
        The oracle's validation RMSE (standardised output units): the tests' tolerance.
    oracle_seconds : float
    split : SplitTest or None
        The split over which the (reduced) law separates, when one does.
    oracle : NeuralOracle or None
        The oracle the tests read.
    """

    variables: list[tuple[str, sp.Expr]] = field(default_factory=list)
    merges: list[PairTest] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    oracle_error: float = math.nan
    oracle_seconds: float = 0.0
    split: SplitTest | None = None
    oracle: NeuralOracle | None = field(default=None, repr=False)

    @property
    def found(self) -> bool:
        """Whether the problem has fewer variables than the data."""
        return bool(self.merges or self.dropped)

    @property
    def trusted(self) -> bool:
        """Whether the oracle was accurate enough for its tests to mean anything."""
        return self.oracle_error <= MAX_ORACLE_ERROR

    def describe(self) -> str:
        """One line: the new variables and the dropped ones."""
        if not self.trusted:
            return (
                f"the neural oracle's validation error ({self.oracle_error:.3g} standard deviations) is too large "
                "for its structure tests"
            )
        if not self.found and self.split is None:
            return "no variables combine or drop out, and no split separates"
        parts = [f"{name} = {sp.sstr(expr)}" for name, expr in self.variables if not expr.is_Symbol]
        if self.dropped:
            parts.append("unused: " + ", ".join(self.dropped))
        if self.split is not None:
            sign = "·" if self.split.kind == "product" else "+"
            parts.append(f"f = g({', '.join(self.split.first)}) {sign} h({', '.join(self.split.second)})")
        return "; ".join(parts)


def find_reduction(
    data: Dataset,
    constants: Mapping[str, float],
    seconds: float,
    random_state: int | None,
    device: str = "auto",
) -> Reduction:
    """Train the oracle and run the structure tests on the data's variables."""
    oracle_seconds = min(MAX_ORACLE_SECONDS, ORACLE_SHARE * seconds)
    oracle = NeuralOracle(time_limit=oracle_seconds, random_state=random_state, device=device).fit(data.X, data.y)
    if oracle.validation_rmse_ > MAX_ORACLE_ERROR:
        return Reduction([(n, sp.Symbol(n)) for n in data.variables], [], [], oracle.validation_rmse_, oracle.seconds_)
    rng = np.random.default_rng(random_state)
    rows = rng.choice(data.n_rows, size=min(TEST_ROWS, data.n_rows), replace=False)
    X = data.X[rows]
    gradient = oracle.gradient_units(X)
    start = [Variable(name, sp.Symbol(name), X[:, j], gradient[:, j]) for j, name in enumerate(data.variables)]
    names = _fresh_names(set(data.variables) | set(constants) | {data.target})
    reduced, merges = reduce_variables(start, lambda: next(names), UNUSED_TOLERANCE * oracle.validation_rmse_)
    used = set().union(*(v.expression.free_symbols for v in reduced))
    dropped = [n for n in data.variables if sp.Symbol(n) not in used]
    return Reduction(
        [(v.name, v.expression) for v in reduced],
        merges,
        dropped,
        oracle.validation_rmse_,
        oracle.seconds_,
        oracle=oracle,
    )


def reduced_dataset(data: Dataset, reduction: Reduction) -> Dataset | None:
    """The data in the reduced variables (None when a new column is not finite on every row)."""
    columns = []
    for _, expression in reduction.variables:
        with np.errstate(all="ignore"):
            values = np.broadcast_to(numpy_evaluator(expression, {}, as_printed=True)(data.columns()), (data.n_rows,))
        if not np.all(np.isfinite(values)) or np.ptp(values) == 0:
            return None
        columns.append(values)
    names = tuple(name for name, _ in reduction.variables)
    return Dataset(np.column_stack(columns), data.y, names, data.target, data.weights, data.known_error)


def written_back(expression: sp.Expr, reduction: Reduction) -> sp.Expr:
    """A law of the reduced problem in the original variables."""
    return expression.xreplace({sp.Symbol(name): expr for name, expr in reduction.variables})


def solve_reduced(
    data: Dataset,
    constants: Mapping[str, float],
    seconds: float,
    random_state: int | None,
    search: Callable[[Dataset, Mapping[str, float], float, int | None], Law],
    device: str = "auto",
) -> tuple[list[sp.Expr], Reduction]:
    """Laws found through the structure tests, in the original variables (empty when none applies).

    ``search(data, constants, seconds, random_state)`` returns a law for a
    dataset: the caller's own search, so each smaller problem is searched as
    any other (without decomposing again: the merges already ran to the end).
    When the (reduced) variables separate into two groups, each group's law
    is searched on its own (see the module's description).
    """
    deadline = Deadline(seconds)
    reduction = find_reduction(data, constants, seconds, random_state, device)
    if not reduction.trusted:
        return [], reduction
    reduced = reduced_dataset(data, reduction) if reduction.found else data
    if reduced is None:
        return [], reduction
    if len(reduced.variables) >= 2:
        oracle = reduction.oracle
        if reduction.found:  # the tests need an oracle of the reduced variables
            oracle_seconds = min(MAX_ORACLE_SECONDS, SECOND_ORACLE_SHARE * seconds)
            oracle = NeuralOracle(time_limit=oracle_seconds, random_state=random_state, device=device)
            oracle.fit(reduced.X, reduced.y)
        if oracle is not None and oracle.validation_rmse_ <= MAX_ORACLE_ERROR:
            fired = [t for t in split_tests(oracle, reduced.X, reduced.variables, random_state) if t.fired]
            if fired:
                reduction.split = min(fired, key=lambda t: t.score)
                found = _separated(reduced, reduction.split, oracle, constants, deadline, random_state, search)
                if found:
                    return [written_back(e, reduction) for e in found], reduction
    if not reduction.found:
        return [], reduction
    law = search(reduced, constants, max(1.0, deadline.left()), random_state)
    return [written_back(e, reduction) for e in _front(law)], reduction


def _front(law: Law) -> list[sp.Expr]:
    return [law.expression] + [e.expression for e in law.front if e.expression != law.expression]


def _separated(
    data: Dataset,
    split: SplitTest,
    oracle: NeuralOracle,
    constants: Mapping[str, float],
    deadline: Deadline,
    random_state: int | None,
    search: Callable[[Dataset, Mapping[str, float], float, int | None], Law],
) -> list[sp.Expr]:
    """g·h (or g + h) over the split: g from the rows nearest h's medians, h from y / g, then g from y / h."""
    first = [data.variables.index(n) for n in split.first]
    second = [data.variables.index(n) for n in split.second]
    # The first group's law from the rows whose second group lies nearest its medians (b0): each y is
    # carried to b0 by the oracle's ratio f(a, b0)/f(a, b) (difference, for a sum). Near b0 that
    # correction is small and the oracle's errors at the two points mostly cancel; its values alone
    # carry smooth errors that the search would take for structure.
    centre = np.median(data.X[:, second], axis=0)
    spread = np.std(data.X[:, second], axis=0)
    distance = np.sum(((data.X[:, second] - centre) / np.where(spread > 0, spread, 1)) ** 2, axis=1)
    near = np.argsort(distance, kind="stable")[: max(MIN_NEAR_ROWS, int(NEAR_SHARE * data.n_rows))]
    held = data.X[near].copy()
    held[:, second] = centre
    at_centre, at_rows = oracle.predict(held), oracle.predict(data.X[near])
    with np.errstate(all="ignore"):
        y_first = data.y[near] * at_centre / at_rows if split.kind == "product" else data.y[near] + at_centre - at_rows
    if not np.all(np.isfinite(y_first)) or np.ptp(y_first) == 0:
        return []
    part = Dataset(data.X[near][:, first], y_first, tuple(split.first), data.target, known_error=data.known_error)
    first_law = search(part, constants, max(1.0, FIRST_PART_SHARE * deadline.left()), random_state)
    other = _rest_of(data, first_law, (first, second), split.second, split.kind)
    if other is None:
        return []
    second_law = search(other, constants, max(1.0, SECOND_PART_SHARE * deadline.left()), random_state)
    # The first part was found on carried rows, so its snapped values may be a near miss (2·3^(1/3)/√R for
    # 1): the first candidate holds its coefficients as floats, for the joint refit on all rows to settle.
    firsts = [_loosened(first_law.expression, split.first, constants), first_law.expression]
    seconds = _front(second_law)
    pairs = [(firsts[0], seconds[0])] if firsts[0] != firsts[1] else []
    # The oracle's error in the carried rows can still make the first part a long stand-in (q read as
    # −9.3·sin q − 2.0·sin 2q + 41/q + …): found again from y / h (or y − h) on every row, it is clean
    # wherever h is right. Tried first: it is the one part found without the oracle.
    again = None
    if deadline.left() >= MIN_REFIND_SECONDS:
        part = _rest_of(data, second_law, (second, first), split.first, split.kind)
        again = None if part is None else search(part, constants, max(1.0, deadline.left()), random_state)
    if again is not None and again.expression not in firsts:
        pairs.insert(0, (again.expression, seconds[0]))
    pairs += [(firsts[1], h) for h in seconds]
    joined = [_joined(g, h, split.kind) for g, h in pairs]
    # Each part's snapped values were chosen for that part alone (V0·2·3^(1/3)/5 times √3 − √3·exp(…)
    # for V0·(1 − exp(…))), and the refit moves floats only: the best pairs come again with every
    # coefficient a float and one scale in all, for the joint refit to settle together.
    loose = [
        _joined(_loosened(g, split.first, constants), _loosened(h, split.second, constants), split.kind)
        for g, h in pairs[:LOOSE_PAIRS]
    ]
    interleaved = [e for pair in zip(joined, loose) for e in pair]
    return list(dict.fromkeys(interleaved + joined[LOOSE_PAIRS:]))


def _joined(g: sp.Expr, h: sp.Expr, kind: str) -> sp.Expr:
    """g + h, or g·h with one free scale in all."""
    if kind == "sum":
        return g + h
    # Each part's common float factor pulled out, so that the two multiply into one: c1·g/(c2·h + c2)
    # has one free scale, and the refit could otherwise not snap c1/c2 to g = 9.81.
    return _absorbed(sp.factor_terms(g) * sp.factor_terms(h))


def _absorbed(product: sp.Expr) -> sp.Expr:
    """A float factor of a product taken into one of its sums whose terms all have float coefficients.

    c·V0·(a − b·e) has three floats for two degrees of freedom; V0·(c·a − c·b·e) has two, which
    the refit can settle (and snap to 1 and −1). A sum under a power p takes c^(1/p) (c/(a + b·e) =
    1/(a/c + b/c·e)). A sum with a coefficient ±1 already fixes the scale: the product is left as is.
    """
    coefficient, rest = product.as_coeff_Mul()
    if not coefficient.is_Float:
        return product
    factors = list(sp.Mul.make_args(rest))
    for i, factor in enumerate(factors):
        base, exponent = factor.as_base_exp()
        if not isinstance(base, sp.Add) or exponent not in (1, -1, sp.Rational(1, 2), sp.Rational(-1, 2)):
            continue
        if any(not term.as_coeff_Mul()[0].is_Float for term in base.args):
            continue
        if exponent.is_Rational and not exponent.is_Integer and coefficient < 0:
            continue  # −c·√A is not √(c²·A)
        scale = coefficient ** (1 / exponent)
        factors[i] = sp.Pow(sp.expand(scale * base), exponent)
        return sp.Mul(*factors)
    return product


def _rest_of(
    data: Dataset, found: Law, groups: tuple[list[int], list[int]], names: tuple[str, ...], kind: str
) -> Dataset | None:
    """The other group's data against y / found (y − found for a sum), on every row; None if not finite or constant.

    ``groups`` holds the columns of ``found``'s group, then those of the other group (named ``names``).
    """
    known, other = groups
    with np.errstate(all="ignore"):
        part = found.predict(data.X[:, known])
        rest = data.y / part if kind == "product" else data.y - part
    if not np.all(np.isfinite(rest)) or np.ptp(rest) == 0:
        return None
    return Dataset(data.X[:, other], rest, tuple(names), data.target, known_error=data.known_error)


def _loosened(expression: sp.Expr, variables: Sequence[str], constants: Mapping[str, float]) -> sp.Expr:
    """The expression with each term's coefficient (its factor free of the variables) as a float.

    Coefficients of ±1 and floats stay as they are; a coefficient that is
    not a finite number once the constants are put in also stays.
    """
    symbols = [sp.Symbol(n) for n in variables]
    # SymPy numbers: a coefficient that is a constant alone (mu0·I/z) would come back a Python float.
    values = {sp.Symbol(k): sp.Float(v) for k, v in constants.items()}
    terms = []
    for term in sp.Add.make_args(expression):
        coefficient, rest = term.as_independent(*symbols, as_Add=False)
        value = coefficient.xreplace(values).evalf()
        if coefficient in (1, -1) or coefficient.is_Float or not (value.is_number and value.is_finite):
            terms.append(term)
        else:
            terms.append(sp.Float(value) * rest)
    return sp.Add(*terms)


def _fresh_names(taken: set[str]):
    for k in itertools.count(1):
        name = f"u{k}"
        if name not in taken:
            yield name
