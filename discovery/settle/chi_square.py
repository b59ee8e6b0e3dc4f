"""The law that stated measurement errors choose: each candidate refitted by weighted least squares, then a χ² test.

With ``sigma`` (the errors' size) a law is consistent with the data when
its χ² = Σ((yᵢ − fᵢ)/σᵢ)² is below the 95 % quantile of a χ² with n − k
degrees of freedom, and the simplest consistent law (fewest free constants,
then fewest nodes) is chosen: the search proposes, the stated errors judge.
With ``weights`` alone the errors' scale is unknown, and where no candidate
is consistent with the stated errors they are not trusted to choose: the
candidates then compete by their weighted BIC (the errors' scale estimated
from the residuals), the simplest within ``MARGIN["bic"]`` of the best, as
everywhere else.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import sympy as sp
from scipy.stats import chi2

from ..io.dataset import Dataset, TargetError
from ..io.measurement_errors import MeasurementErrors
from ..law.coefficient import FrontEntry
from ..law.display import rounded
from ..law.evaluate import numpy_evaluator
from ..law.expressions import complexity
from ..law.law import Law
from ..law.margins import MARGIN
from .criteria import bic
from .expression_fit import SettledExpression, settle_expression
from .preference import simplest_within

CONSISTENT_LEVEL = 0.95  # a law whose χ² is below this quantile is consistent with the stated errors


def search_error(errors: MeasurementErrors, y: np.ndarray, known: TargetError) -> TargetError:
    """The known error the search runs with under stated σ: a fit within the χ² bound counts as exact.

    The bound is the mean σᵢ² times the 95 % quantile of χ² on n − 1 degrees
    of freedom, per row: laws inside it tie on fit, and the fewest constants
    win (see :func:`discovery.settle.criteria.mse_floor`).
    """
    if not errors.absolute:
        return known
    n = len(y)
    bound = errors.mean_variance * chi2.ppf(CONSISTENT_LEVEL, max(n - 1, 1)) / n
    relative = math.sqrt(bound) / max(float(np.sqrt(np.mean(y * y))), 1e-300)
    return dataclasses.replace(known, relative_rmse=max(known.relative_rmse, relative))


def chosen_by_errors(law: Law, data: Dataset, errors: MeasurementErrors, random_state: int | None) -> Law:
    """The law among ``law``, its front and its alternatives that the stated errors choose, refitted with them.

    ``law.info["measurement_errors"]`` records the test: what was given, the
    chosen law's χ² (or weighted RSS), degrees of freedom, p-value and
    whether it is consistent, and how many candidates were. With ``sigma``,
    the coefficients' errors follow from the stated σ (not rescaled by the
    residuals), and their intervals are normal ones.
    """
    settled, seen = [], set()
    for expression in _candidates(law):
        s = settle_expression(expression, data, law.constants, True, random_state, weights=errors.residual_scale)
        shown = None if s is None else sp.sstr(rounded(s.expression))
        if shown is not None and shown not in seen:  # candidates that settle alike count once
            seen.add(shown)
            settled.append(_Scored(s, _chi_square(s, data, law.constants, errors.weights)))
    if not settled:
        return law
    n = data.n_rows
    sizes = [(s.free, complexity(s.settled.expression)) for s in settled]
    consistent = [i for i, s in enumerate(settled) if s.consistent(n)] if errors.absolute else []
    if consistent:
        scores = [s.chi_square + s.free * math.log(n) for s in settled]
        pick = min(consistent, key=lambda i: sizes[i] + (scores[i],))
    else:  # weights alone, or stated errors that no law meets: their scale is estimated from the residuals
        scores = [bic(s.chi_square, n, s.free, 1e-300) for s in settled]
        pick = simplest_within(scores, sizes, MARGIN["bic"])
    return _law(law, data, settled, scores, pick, errors)


@dataclasses.dataclass(frozen=True)
class _Scored:
    settled: SettledExpression
    chi_square: float  # Σ wᵢ rᵢ²: χ² under stated σ, a weighted RSS under weights

    @property
    def free(self) -> int:
        return sum(c.exact is None for c in self.settled.coefficients)

    def dof(self, n: int) -> int:
        return max(n - self.free, 1)

    def consistent(self, n: int) -> bool:
        return self.chi_square <= chi2.ppf(CONSISTENT_LEVEL, self.dof(n))


def _candidates(law: Law) -> list[sp.Expr]:
    """The law's expression, its front's and its alternatives', each once."""
    seen, out = set(), []
    for expression in [law.expression, *(e.expression for e in law.front), *(a.expression for a in law.alternatives)]:
        if expression not in seen:
            seen.add(expression)
            out.append(expression)
    return out


def _chi_square(s: SettledExpression, data: Dataset, constants: dict[str, float], weights: np.ndarray) -> float:
    with np.errstate(all="ignore"):
        predicted = np.broadcast_to(numpy_evaluator(s.expression, constants)(data.columns()), data.y.shape)
    return float(np.sum(weights * (data.y - predicted) ** 2))


def _law(
    law: Law, data: Dataset, settled: list[_Scored], scores: list[float], pick: int, errors: MeasurementErrors
) -> Law:
    chosen = settled[pick]
    n, dof = data.n_rows, chosen.dof(data.n_rows)
    coefficients = chosen.settled.coefficients
    if errors.absolute:  # the stated σ sets the errors: undo the fit's rescaling by √(χ²/dof)
        scale = math.sqrt(dof / chosen.chi_square) if chosen.chi_square > 0 else 1.0
        coefficients = [dataclasses.replace(c, stderr=c.stderr * scale, dof=None) for c in coefficients]
    front = [
        FrontEntry(
            s.settled.expression,
            complexity(s.settled.expression),
            len(s.settled.coefficients),
            s.settled.rmse,
            math.nan,
            score,
            i == pick,
        )
        for i, (s, score) in enumerate(zip(settled, scores))
    ]
    test = {
        "given": "sigma" if errors.absolute else "weights",
        "chi_square" if errors.absolute else "weighted_rss": chosen.chi_square,
        "dof": dof,
        "candidates": len(settled),
    }
    if errors.absolute:
        test["p_value"] = float(chi2.sf(chosen.chi_square, dof))
        test["consistent"] = bool(chosen.consistent(n))
        test["consistent_candidates"] = int(sum(s.consistent(n) for s in settled))
    criterion = "chi2" if errors.absolute and test["consistent_candidates"] else "weighted bic"
    info = dict(law.info, criterion=criterion, measurement_errors=test)
    info.pop("bic_on_y", None)  # the search's score; the test above now decides
    if chosen.settled.expression != law.expression:
        info.pop("bootstrap", None)  # the resamples were of the search's law, not this one
    result = Law.fitted(
        chosen.settled.expression,
        data,
        constants=law.constants,
        coefficients=coefficients,
        front=sorted(front, key=lambda e: (e.complexity, e.rmse)),
        rmse=chosen.settled.rmse,
        info=info,
    )
    result.alternatives = list(law.alternatives)
    return result
