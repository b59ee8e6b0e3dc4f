"""The Buckingham π theorem: dimensionless groups, the target's unit monomial, and homogeneity checks.

A dimensionally homogeneous law y = f(x1, ..., xn, constants) can be written
y = M·F(π1, ..., πk), where M is a monomial of the quantities with y's unit
and the πj are dimensionless monomials, k = n + constants − rank. The
quantities are ordered constants first, then variables: the first ones that
are independent carry the dimensions (the "repeating" quantities), and each
other variable gets its own group, itself times a monomial of them
(v²·sin(2θ)/g: M = v²/g, one group θ).
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp

from ..errors import DataError
from ..io.dataset import Dataset
from ..law.evaluate import numpy_evaluator
from .dimensions import Dimension, format_dimension


@dataclass(frozen=True)
class PiGroups:
    """The dimensionless problem: y / prefactor = F(groups).

    Attributes
    ----------
    groups : list of (name, sympy.Expr)
        Each dimensionless group, in the original variables and constants; a
        group that is a variable alone keeps the variable's name.
    prefactor : sympy.Expr
        A monomial with the target's unit.
    dimensional : tuple of str
        The constants that carry a unit (they appear only in the groups and the prefactor).
    left_out : tuple of str
        Variables that no homogeneous law can depend on (their dimension is carried by nothing else).
    """

    groups: list[tuple[str, sp.Expr]]
    prefactor: sp.Expr
    dimensional: tuple[str, ...]
    left_out: tuple[str, ...] = ()

    def describe(self) -> str:
        """E.g. ``s = v**2/g · F(theta)``."""
        inside = ", ".join(
            name if expr == sp.Symbol(name) else f"{name} = {sp.sstr(expr)}" for name, expr in self.groups
        )
        return f"{sp.sstr(self.prefactor)} · F({inside})"


def pi_groups(
    variables: Sequence[str],
    target: str,
    dimensions: Mapping[str, Dimension],
    constants: Mapping[str, float],
) -> PiGroups:
    """The dimensionless groups of the variables and the constants with a unit, and y's unit monomial.

    ``dimensions`` holds every variable's, the target's and any constant's
    dimension (a constant without one is a pure number: it stays out of the
    analysis).

    Raises
    ------
    DataError
        When no monomial of the quantities has the target's unit (a constant
        that carries it is missing, or a unit is wrong).
    """
    dimensional = tuple(c for c in constants if c in dimensions)
    quantities = list(dimensional) + list(variables)
    base = sorted({d for q in quantities + [target] for d in dimensions[q]})
    matrix = sp.Matrix(len(base), len(quantities), lambda i, j: sp.Rational(dimensions[quantities[j]].get(base[i], 0)))
    wanted = sp.Matrix([sp.Rational(dimensions[target].get(b, 0)) for b in base])
    reduced, pivots = matrix.row_join(wanted).rref() if base else (sp.zeros(0, len(quantities) + 1), ())
    if len(quantities) in pivots:
        made = ", ".join(f"{q} [{format_dimension(dimensions[q])}]" for q in quantities)
        raise DataError(
            f"the target {target!r} [{format_dimension(dimensions[target])}] cannot be made from the units of "
            f"{made}: check target_unit and units, or give the constant that carries the missing dimension "
            "(with its unit) in constants= and units="
        )
    symbol = [sp.Symbol(q) for q in quantities]
    prefactor = sp.Mul(*(symbol[p] ** reduced[i, -1] for i, p in enumerate(pivots)))
    taken = set(quantities) | {target}
    names = (f"pi{k}" for k in itertools.count(1) if f"pi{k}" not in taken)
    groups = []
    for j, q in enumerate(quantities):
        if j in pivots or q in dimensional:  # a constant's own group would be a number: nothing to learn
            continue
        group = symbol[j] * sp.Mul(*(symbol[p] ** -reduced[i, j] for i, p in enumerate(pivots)))
        groups.append((q if group == symbol[j] else next(names), group))
    used = set().union(prefactor.free_symbols, *(g.free_symbols for _, g in groups))
    left_out = tuple(v for v in variables if sp.Symbol(v) not in used)
    if left_out:
        warnings.warn(
            f"units: {', '.join(left_out)} cannot enter a dimensionally homogeneous law (no other quantity "
            "carries its dimension), so the search leaves it out; give the constant that carries it to keep it",
            RuntimeWarning,
            stacklevel=3,
        )
    return PiGroups(groups, prefactor, dimensional, left_out)


def grouped_dataset(data: Dataset, pi: PiGroups, constants: Mapping[str, float]) -> Dataset:
    """The data as y / prefactor against the groups, row for row.

    Raises
    ------
    DataError
        When a group, the prefactor or y / prefactor is not finite at a row, naming it and the row.
    """
    group_values = [_evaluated(expr, f"the group {name} =", data, constants) for name, expr in pi.groups]
    prefactor = _evaluated(pi.prefactor, "the prefactor", data, constants)
    with np.errstate(all="ignore"):
        y = data.y / prefactor
    bad = np.flatnonzero(~np.isfinite(y))
    if bad.size:
        raise DataError(f"units: y / ({sp.sstr(pi.prefactor)}) is not finite at row {bad[0]} (the prefactor is 0)")
    X = np.column_stack(group_values) if group_values else np.empty((data.n_rows, 0))
    weights = None if data.weights is None else data.weights * np.abs(prefactor)
    return Dataset(X, y, tuple(name for name, _ in pi.groups), data.target, weights, data.known_error)


def _evaluated(expr: sp.Expr, what: str, data: Dataset, constants: Mapping[str, float]) -> np.ndarray:
    numeric = sp.sympify(expr).xreplace({sp.Symbol(k): sp.Float(v) for k, v in constants.items()})
    with np.errstate(all="ignore"):
        out = np.broadcast_to(numpy_evaluator(numeric, {}, as_printed=True)(data.columns()), (data.n_rows,))
    bad = np.flatnonzero(~np.isfinite(out))
    if bad.size:
        raise DataError(
            f"units: {what} {sp.sstr(expr)} is not finite at {bad.size} of the {data.n_rows} rows "
            f"(first: row {bad[0]}); a fractional power needs positive values there"
        )
    return out


def written_back(expression: sp.Expr, pi: PiGroups) -> sp.Expr:
    """A law of the dimensionless problem as a law of y in the original variables."""
    return pi.prefactor * expression.xreplace({sp.Symbol(name): group for name, group in pi.groups})


def dimension_of_expression(expression: sp.Expr, dimensions: Mapping[str, Dimension]) -> Dimension | None:
    """The expression's dimension, or None when it is not dimensionally homogeneous.

    A sum's terms must share one dimension; the argument of exp, log, sin,
    ... and a power whose exponent is not a number must be dimensionless;
    symbols without a dimension (constants given no unit) and numbers are
    dimensionless.
    """
    if isinstance(expression, sp.Symbol):
        return dict(dimensions.get(expression.name, {}))
    if expression.is_number:
        return {}
    if isinstance(expression, sp.Add):
        parts = [dimension_of_expression(a, dimensions) for a in expression.args]
        return parts[0] if all(p is not None and p == parts[0] for p in parts) else None
    if isinstance(expression, sp.Mul):
        total: Dimension = {}
        for a in expression.args:
            part = dimension_of_expression(a, dimensions)
            if part is None:
                return None
            total = _combined(total, part, 1)
        return total
    if isinstance(expression, sp.Pow):
        base = dimension_of_expression(expression.base, dimensions)
        if base is None:
            return None
        if expression.exp.is_number:
            if not base:
                return {}  # any power of a dimensionless quantity
            exponent = sp.nsimplify(expression.exp, rational=True)
            if not exponent.is_Rational:  # a metre to the power 11·√2/5 has no dimension
                return None
            return _combined({}, base, Fraction(int(exponent.p), int(exponent.q)))
        return {} if not base and dimension_of_expression(expression.exp, dimensions) == {} else None
    if isinstance(expression, sp.Abs):
        return dimension_of_expression(expression.args[0], dimensions)
    # exp, log, sin, tanh, ...: every argument dimensionless, and so the value.
    inner = [dimension_of_expression(a, dimensions) for a in expression.args]
    return {} if all(i == {} for i in inner) else None


def _combined(total: Dimension, part: Dimension, power: Fraction | int) -> Dimension:
    out = dict(total)
    for name, p in part.items():
        out[name] = out.get(name, Fraction(0)) + p * power
        if out[name] == 0:
            del out[name]
    return out
