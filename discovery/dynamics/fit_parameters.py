"""What the trajectory fit fits, and what a fit reached.

The parameters are each law's coefficients, then the saturation constants
inside its terms (:func:`~discovery.dynamics.terms.saturation_constants`);
a fit reached is each law's (term, value) pairs, each trajectory's initial
state and the misses' sums, from which the term search starts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from ..law.coefficient import Coefficient
from ..law.evaluate import numpy_evaluator
from .terms import saturation_constants
from .trajectories import Trajectories

RECONSTRUCTION_TOLERANCE = 1e-8  # a law's coefficients must rebuild its expression to this RMS over the states'


@dataclass(frozen=True)
class FitParameters:
    """The parameters being fitted: each term's coefficient, then the terms' saturation constants.

    ``terms`` hold each saturation constant as a symbol (``shapes``: the
    symbol, its value in the law as found, the index of its term); ``start``
    has the coefficients' starting values, then the constants'.
    """

    terms: list[sp.Expr]
    owners: list[int]
    start: np.ndarray
    shapes: tuple[tuple[sp.Symbol, sp.Expr, int], ...] = ()

    @property
    def size(self) -> int:
        return len(self.terms) + len(self.shapes)

    def held_value(self, i: int) -> sp.Expr:
        """The value parameter ``i`` is held at when the data do not need it: 0 for a coefficient, else the law's."""
        return sp.Integer(0) if i < len(self.terms) else self.shapes[i - len(self.terms)][1]

    def null(self, i: int) -> float:
        return float(self.held_value(i))

    def shapes_of(self, term: int) -> list[int]:
        return [len(self.terms) + k for k, (_, _, owner) in enumerate(self.shapes) if owner == term]

    def subset(self, terms: Sequence[int]) -> FitParameters:
        """Only these terms (and their constants), all owned by state 0: one state's law fitted alone."""
        shapes = [k for i in terms for k in self.shapes_of(i)]
        return FitParameters(
            [self.terms[i] for i in terms],
            [0] * len(terms),
            self.start[[*terms, *shapes]],
            tuple(
                (symbol, value, list(terms).index(owner))
                for symbol, value, owner in (self.shapes[k - len(self.terms)] for k in shapes)
            ),
        )

    def concrete(self, i: int, values: Mapping[int, sp.Expr]) -> sp.Expr:
        """Term ``i`` with its saturation constants replaced by ``values`` (parameter index → value)."""
        return self.terms[i].xreplace({self.shapes[k - len(self.terms)][0]: values[k] for k in self.shapes_of(i)})


def with_saturation_constants(terms: Sequence[sp.Expr], owners: Sequence[int], start: Sequence[float]) -> FitParameters:
    """The parameters, each term's saturation constants made symbols (see :func:`.terms.saturation_constants`).

    Fitted with the coefficients, a constant is held at its value when the BIC does not need it free, or
    snapped to an exact value.
    """
    shapes: list[tuple[sp.Symbol, sp.Expr, int]] = []
    out = []
    for i, term in enumerate(terms):
        symbolic, found = saturation_constants(term)
        out.append(symbolic)
        shapes += [(symbol, number, i) for symbol, number in found]
    starts = [*start, *(float(number) for _, number, _ in shapes)]
    return FitParameters(out, list(owners), np.array(starts, dtype=float), tuple(shapes))


def parameters_of(
    expressions: Mapping[str, sp.Expr],
    coefficients: Mapping[str, Sequence[Coefficient]],
    states: list[str],
    data: Trajectories,
    constants: Mapping[str, float],
) -> FitParameters | None:
    """The terms and starting values, when every law is rebuilt by its coefficients, or its own terms, on the data.

    A law's own terms (its sum's arguments, numbers split off) stand in where its coefficients do not
    rebuild it: a constant term left out of the coefficients (bacterial respiration's dy/dt = 10 − …).
    """
    terms, owners, start = [], [], []
    names = (*data.states, *data.inputs)
    columns = [tr.columns(names) for tr in data.items]
    scale = float(np.sqrt(np.mean(np.concatenate([tr.x for tr in data.items]) ** 2))) or 1.0

    def rebuilds(pairs: list[tuple[sp.Expr, float]], expression: sp.Expr) -> bool:
        gap = numpy_evaluator(sum((v * term for term, v in pairs), sp.Integer(0)) - expression, constants)
        with np.errstate(all="ignore"):
            miss = np.concatenate([gap(c) * np.ones(len(tr.t)) for c, tr in zip(columns, data.items)])
        return bool(np.all(np.isfinite(miss))) and float(np.sqrt(np.mean(miss**2))) <= RECONSTRUCTION_TOLERANCE * scale

    for j, state in enumerate(states):
        pairs = [(c.term, c.value) for c in coefficients[state] if not c.inner]
        if not rebuilds(pairs, expressions[state]):
            own = [arg.as_coeff_Mul() for arg in sp.Add.make_args(expressions[state])]
            pairs = [(term, float(number)) for number, term in own if not term.atoms(sp.Float)]
            if len(pairs) < len(own) or not rebuilds(pairs, expressions[state]):
                return None
        for term, value in pairs:
            terms.append(term)
            owners.append(j)
            start.append(value)
    return with_saturation_constants(terms, owners, start)


@dataclass(frozen=True)
class Reached:
    """A fit reached: each fitted state's (term, value) pairs, each trajectory's initial state, the misses' sums.

    ``relative_miss`` is the RMS miss in units of each state's RMS.
    """

    laws: list[list[tuple[sp.Expr, float]]]
    starts: list[np.ndarray]
    rss: float
    n: int
    n_free: int
    floor: float
    relative_miss: float


def reached_fit(
    parameters: FitParameters,
    n_states: int,
    held: Mapping[int, float],
    exact: Mapping[int, tuple[sp.Expr, float]],
    values: Mapping[int, sp.Expr],
    fit: Any,
    *,
    n_free: int,
    floor: float,
    noise: np.ndarray,
) -> Reached:
    """Where a fit of the trajectories ended (``fit.x`` the parameters and starts, ``fit.fun`` the misses)."""
    q, misses = fit.x, fit.fun
    laws: list[list[tuple[sp.Expr, float]]] = [[] for _ in range(n_states)]
    for i in range(len(parameters.terms)):
        if i not in held:
            value = exact[i][1] if i in exact else float(q[i])
            laws[parameters.owners[i]].append((parameters.concrete(i, values), value))
    starts = list(np.reshape(q[parameters.size :], (-1, n_states)))
    relative = float(np.sqrt(np.mean((np.reshape(misses, (-1, n_states)) * noise) ** 2)))
    return Reached(laws, starts, float(misses @ misses), len(misses), n_free, floor, relative)


def parameter_values(
    parameters: FitParameters, held: Mapping[int, float], exact: Mapping[int, tuple[sp.Expr, float]], q: np.ndarray
) -> dict[int, sp.Expr]:
    """Each parameter's value in the law: its exact value, the value it is held at, or the fitted float."""
    out: dict[int, sp.Expr] = {}
    for i in range(parameters.size):
        if i in exact:
            out[i] = exact[i][0]
        elif i in held:
            out[i] = parameters.held_value(i)
        else:
            out[i] = sp.Float(q[i])
    return out
