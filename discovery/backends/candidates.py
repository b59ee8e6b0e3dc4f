"""A backend's candidate expressions settled by the SymPy layer, and the law chosen among them.

Each candidate's floats are refitted, pruned and snapped
(:func:`discovery.settle.expression_fit.settle_expression`); the settled
candidates form the Pareto front and the simplest within ``MARGIN["bic"]``
BIC units of the best is the law, as for the basis regressor.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sympy as sp

from ..deadline import Deadline
from ..io.dataset import Dataset
from ..law.coefficient import FrontEntry
from ..law.expressions import complexity, tidy_expression
from ..law.law import Law
from ..law.margins import MARGIN
from ..settle.expression_fit import settle_expression
from ..settle.held_out import with_held_out_errors
from ..settle.preference import simplest_within
from .base import ExpressionCandidate

MAX_CANDIDATES = 8  # the lowest-loss candidates settled (each costs a refit per snapping trial)


def law_from_candidates(
    candidates: Sequence[ExpressionCandidate],
    data: Dataset,
    constants: Mapping[str, float] | None,
    snap: bool = True,
    info: Mapping[str, Any] | None = None,
    seconds: float | None = None,
    random_state: int | None = 0,
    accept: Callable[[sp.Expr], bool] | None = None,
) -> Law | None:
    """Settle the candidates and choose the law: the simplest within ``MARGIN["bic"]`` BIC of the best.

    The ``MAX_CANDIDATES`` with the lowest loss (or the backend's rank,
    where it gives one) are settled, best first, until ``seconds`` have passed (at least one is). ``random_state``
    draws the rows of the refits and the held-out folds. A settled expression
    that ``accept`` (when given) refuses is left out, as one that is not
    finite is. Returns None when no candidate is left.
    """
    # The most accurate candidates are the ones worth settling; the cheapest come along at little cost.
    by_loss = sorted(candidates, key=lambda c: (_merit(c), c.complexity))
    deadline = None if seconds is None else Deadline(seconds)
    settled = []
    interrupted = False
    for c in by_loss[:MAX_CANDIDATES]:
        if settled and deadline is not None and deadline.passed():
            break  # out of time: the most accurate candidates are settled already
        try:
            s = settle_expression(c.expression, data, constants, snap, random_state, deadline=deadline)
        except KeyboardInterrupt:
            if not settled:
                raise
            interrupted = True  # Ctrl-C: choose among the candidates settled so far
            break
        if s is not None and (accept is None or accept(s.expression)):
            settled.append(s)
    if not settled:
        return None
    # The simplest within the margin; at equal complexity, the one with fewer coefficients (snapped or not).
    sizes = [(complexity(s.expression), len(s.coefficients)) for s in settled]
    chosen = settled[simplest_within([s.bic for s in settled], sizes, MARGIN["bic"])]
    chosen_expression = tidy_expression(chosen.expression)
    front: dict[sp.Expr, FrontEntry] = {}
    for s in settled:
        is_chosen = s is chosen
        shown = chosen_expression if is_chosen else s.expression
        entry = FrontEntry(shown, complexity(shown), len(s.coefficients), s.rmse, math.nan, s.bic, is_chosen)
        if shown not in front or is_chosen or s.bic < front[shown].bic:
            front[shown] = entry
    law = Law.fitted(
        chosen_expression,
        data,
        constants=constants or {},
        coefficients=chosen.coefficients,
        front=sorted(front.values(), key=lambda e: (e.complexity, e.rmse)),
        rmse=chosen.rmse,
        info=dict(info or {}, **({"interrupted": True} if interrupted else {})),
    )
    return with_held_out_errors(law, data, random_state, deadline)


def _merit(candidate: ExpressionCandidate) -> float:
    value = candidate.loss if candidate.rank is None else candidate.rank
    return value if math.isfinite(value) else math.inf
