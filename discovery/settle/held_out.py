"""Held-out error of a law whose floats must be refitted fold by fold (mapped and backend laws)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

import numpy as np
import sympy as sp

from ..deadline import Deadline
from ..io.dataset import Dataset
from ..io.rows import sample_rows
from ..law.law import Law
from .fitting import ParametrisedExpression

HELD_OUT_FOLDS = 5


def held_out_rmse(
    expression: sp.Expr, data: Dataset, constants: Mapping[str, float] | None = None, random_state: int | None = 0
) -> float:
    """Held-out RMSE of a law's form: its floats refitted on four folds, the error measured on the fifth.

    An expression without floats has nothing to refit; its held-out error is
    its error on each fold. NaN when a fold's refit is not finite.
    """
    constants = dict(constants or {})
    rng = np.random.default_rng(random_state)
    rows = sample_rows(data.n_rows, rng)
    fold = rng.permutation(len(rows)) % HELD_OUT_FOLDS
    model = ParametrisedExpression(expression, {c: v[rows] for c, v in data.columns().items()}, data.y[rows], constants)
    squared = 0.0
    for k in range(HELD_OUT_FOLDS):
        train, test = model.on_rows(fold != k), model.on_rows(fold == k)
        theta = model.start
        if model.n:
            fit = train.fit({})
            if fit is None:
                return math.nan
            theta = fit.coef
        squared += float(np.sum((test.evaluate(theta) - test.y) ** 2))
    return math.sqrt(squared / len(rows)) if math.isfinite(squared) else math.nan


def with_held_out_errors(
    law: Law, data: Dataset, random_state: int | None = 0, deadline: Deadline | None = None
) -> Law:
    """Fill in the held-out error of the chosen front entry and its neighbours where it is missing.

    Laws mapped back from a transformed target and laws from search
    backends have no Gram-based held-out error; this refits their floats
    fold by fold instead (a few Levenberg–Marquardt fits per entry). Past
    ``deadline`` the remaining entries are left unmeasured (NaN), and
    ``law.info["held_out"]`` says so.
    """
    chosen = next((i for i, e in enumerate(law.front) if e.chosen), None)
    if chosen is None:
        return law
    front = list(law.front)
    # The chosen entry first: if time runs out, its error is the one worth having.
    for i in sorted(range(max(chosen - 1, 0), min(chosen + 2, len(front))), key=lambda i: i != chosen):
        if math.isnan(front[i].cv_rmse):
            if deadline is not None and deadline.passed():
                law.info["held_out"] = "not measured for every front entry: the time limit was reached"
                break
            front[i] = dataclasses.replace(
                front[i], cv_rmse=held_out_rmse(front[i].expression, data, law.constants, random_state)
            )
    law.front = front
    return law
