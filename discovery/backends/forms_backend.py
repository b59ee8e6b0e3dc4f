"""The parametric forms (:mod:`discovery.search.forms`) as a search backend: pure NumPy, always available."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy as sp

from ..io.dataset import Dataset
from ..law.expressions import complexity
from ..search.forms import FORM_FIT_ROWS, FORMS, form_fits
from .base import ExpressionCandidate, SearchBackend


class FormsBackend(SearchBackend):
    """Exponentials (with an offset, a rise from zero, two, one amplitude of two), Antoine's, logistic,
    saturating, Hill, Gaussian, damped oscillation, power law with offset, rational and Planck-like forms
    (:data:`~discovery.search.form_catalogue.FORMS`) over monomials of the inputs, fitted by variable projection and
    Levenberg–Marquardt from several starts."""

    name = "forms"

    def options(
        self,
        data: Dataset,
        time_limit: float,
        random_state: int | None,
        hint: sp.Expr | None = None,
        constants: Mapping[str, float] | None = None,
    ) -> dict[str, Any]:
        return {"forms": [f.name for f in FORMS], "search_rows": min(FORM_FIT_ROWS, data.n_rows)}

    def search_expressions(
        self,
        data: Dataset,
        time_limit: float,
        random_state: int | None,
        hint: sp.Expr | None = None,
        constants: Mapping[str, float] | None = None,
    ) -> list[ExpressionCandidate]:
        rows = min(FORM_FIT_ROWS, data.n_rows)
        return [
            ExpressionCandidate(fit.expression, complexity(fit.expression), fit.rss / rows, rank=fit.bic)
            for fit in form_fits(data, time_limit, random_state)
        ]
