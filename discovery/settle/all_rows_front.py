"""The sample's Pareto front judged again on all rows, by the same rule that chose from it.

On 20,000 rows a small term can fall short of the evidence the BIC asks
for (log n per parameter, and a margin of 6), while all rows hold plenty:
a law y = 1.5x + 0.05x³ under noise of σ = 0.5 returns y = c·x from the
sample. Each entry of the front is refitted on all rows (Gauss–Newton, in
chunks) and the simplest entry within the margin of the lowest BIC is the
law. Only under the BIC and additive noise, the rule the front was built
for.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import sympy as sp

from ..deadline import Deadline
from ..io.row_source import ChunkedRows
from ..law.coefficient import Coefficient
from ..law.expressions import complexity
from ..law.law import Law
from ..law.margins import MARGIN
from .all_rows import FreeFloats, refit_floats
from .criteria import EXACT_RELATIVE_RMSE, bic
from .fitting import term_of
from .preference import simplest_within


def front_on_all_rows(law: Law, rows: ChunkedRows, deadline: Deadline | None = None) -> Law:
    """The law, or the front entry that all ``rows`` choose instead, with the front scored on all rows.

    ``law`` is already refitted on all rows (:func:`~discovery.settle.all_rows.law_on_all_rows`);
    it stands for the chosen entry. ``law.info["all_rows"]["front"]`` says what happened. When
    ``deadline`` passes before every entry is refitted, the law is kept as the sample chose it.
    """
    chosen = next((i for i, e in enumerate(law.front) if e.chosen), None)
    record = law.info.setdefault("all_rows", {})
    if chosen is None or len(law.front) < 2:
        return law
    if law.info.get("criterion", "bic") != "bic" or law.info.get("noise") == "relative":
        record["front"] = "not judged on all rows (criterion or noise model other than BIC, additive)"
        return law
    n = rows.n_rows
    y_sum, y_squares = rows.y_totals()
    floor = max((EXACT_RELATIVE_RMSE * math.sqrt(y_squares / n)) ** 2, float(np.finfo(float).tiny))
    fits: dict[int, tuple | None] = {chosen: None}
    rss = {chosen: law.rmse**2 * n}
    for i, entry in enumerate(law.front):
        if i == chosen:
            continue
        if deadline is not None and deadline.passed():
            record["front"] = f"not judged on all rows: out of time after {len(rss)} of {len(law.front)} entries"
            return law
        model = FreeFloats(entry.expression, law.variables, law.constants)
        theta, stderr, sums, _ = refit_floats(model, rows, deadline)
        if sums.n_not_finite == 0 and math.isfinite(sums.rss):
            fits[i], rss[i] = (model, theta, stderr, sums), sums.rss
    # The law stands for its entry as settled: pruning and snapping may have left it simpler than the
    # entry (sqrt(c²m²/(c² − v²) − 0.0084) settles to sqrt(c²m²/(c² − v²)), one term, no float).
    terms = {i: len(law.coefficients) if i == chosen else law.front[i].n_terms for i in rss}
    size = {i: complexity(law.expression) if i == chosen else law.front[i].complexity for i in rss}
    scores = {i: bic(rss[i], n, terms[i], floor) for i in rss}
    judged = list(scores)
    pick = judged[simplest_within([scores[i] for i in judged], [size[i] for i in judged], MARGIN["bic"])]
    front = [
        dataclasses.replace(e, rmse=math.sqrt(rss[i] / n), bic=scores[i], chosen=i == pick)
        if i in scores
        else dataclasses.replace(e, chosen=False)
        for i, e in enumerate(law.front)
    ]
    for i, fit in fits.items():  # each entry with its floats as all rows give them
        if fit is not None:
            front[i] = dataclasses.replace(front[i], expression=_with_values(fit[0], fit[1]))
    # The law's entry shows the law as settled (as after every settling), its cv rmse the sample's.
    front[chosen] = dataclasses.replace(
        front[chosen], expression=law.expression, complexity=size[chosen], n_terms=terms[chosen]
    )
    if pick == chosen:
        record["front"] = f"confirmed on all rows ({len(scores)} entries refitted)"
        return dataclasses.replace(law, front=front)
    model, theta, stderr, sums = fits[pick]
    expression = _with_values(model, theta)
    coefficients = [
        Coefficient(
            term_of(model.expression, model.parameters, j),
            float(theta[j]),
            float(stderr[j]),
            estimate=float(theta[j]),
            dof=sums.n_rows - len(theta),
        )
        for j in range(len(theta))
    ]
    spread = y_squares - y_sum * y_sum / n
    record["front"] = (
        f"all rows chose this entry of the sample's front over {law.formula} "
        f"(BIC {scores[pick]:.1f} against {scores[chosen]:.1f})"
    )
    return dataclasses.replace(
        law,
        expression=expression,
        coefficients=coefficients,
        front=front,
        rmse=math.sqrt(sums.rss / n),
        r2=float(1 - sums.rss / spread) if spread > 0 else math.nan,
    )


def _with_values(model: FreeFloats, theta: np.ndarray) -> sp.Expr:
    return model.expression.xreplace({p: sp.Float(v) for p, v in zip(model.parameters, theta)})
