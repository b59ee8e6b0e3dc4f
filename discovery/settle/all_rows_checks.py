"""A law found on a sample, made a law of all rows: refitted, its front judged, its exact values checked.

The exact values (1/g, 2π) were recognised on the sample, within its
uncertainty. All rows know each coefficient more precisely: for a law that
is a plain sum of terms, every coefficient is refitted free on all rows, so
that an exact coefficient's estimate, standard error and interval are those
of all rows (as :class:`~discovery.law.coefficient.Coefficient` promises),
and an exact value that all rows place more than :data:`DOUBT_SIGMAS`
standard errors away is reported.
"""

from __future__ import annotations

import dataclasses
import sys
import time
import warnings
from collections.abc import Callable

import numpy as np
import sympy as sp

from ..deadline import Deadline
from ..io.dataset import Dataset
from ..io.row_source import ChunkedRows
from ..law.evaluate import numpy_evaluator, with_constants
from ..law.law import Law
from .all_rows import FreeFloats, law_on_all_rows, refit_floats
from .all_rows_front import front_on_all_rows

ALL_ROWS_SHARE = 0.1  # of time_limit, kept at least for refitting on all rows a law found on a sample of them
SECONDS_PER_ROW_PASS = 5e-8  # a Gauss–Newton pass over rows in memory, per row (measured: about 3e-8 here)
DOUBT_SIGMAS = 4.0  # an exact value this many all-rows standard errors from the free estimate is in doubt


class ExactValueWarning(UserWarning):
    """All rows place an exact value recognised on the sample far from the coefficient's free estimate."""


def refitted_on_all_rows(law: Law, rows: ChunkedRows, deadline: Deadline | None = None) -> Law:
    """The law found on a sample, refitted on all ``rows``, its front judged there and its exact values checked."""
    law = law_on_all_rows(law, rows, deadline)
    law = exact_values_on_all_rows(law, rows, deadline)  # first: an exact value all rows refute would skew the front
    return front_on_all_rows(law, rows, deadline)


def exact_values_on_all_rows(law: Law, rows: ChunkedRows, deadline: Deadline | None = None) -> Law:
    """Each exact coefficient with its free estimate and error from all rows (plain sums of terms only).

    ``law.info["all_rows"]["exact_values"]`` maps each exact coefficient's
    term to how many standard errors its exact value lies from the all-rows
    estimate; beyond :data:`DOUBT_SIGMAS` an :class:`ExactValueWarning` says so.
    """
    exact = [c for c in law.coefficients if c.exact is not None]
    if not exact:
        return law
    if deadline is not None and deadline.passed():
        law.info.setdefault("all_rows", {})["exact_values"] = "not checked on all rows: out of time"
        return law
    starts = [float(c.free_estimate) for c in law.coefficients]
    if len(set(starts)) < len(starts) or not _plain_sum(law):
        return law  # a law of another shape (a transform's inverse, merged terms): the sample's figures stay
    free_sum = sum((sp.Float(v) * c.term for v, c in zip(starts, law.coefficients)), sp.Integer(0))
    model = FreeFloats(free_sum, law.variables, law.constants, law.info.get("noise") == "relative")
    if len(model.floats) != len(starts):
        return law
    theta, stderr, sums, _ = refit_floats(model, rows, deadline)
    index = {float(f): j for j, f in enumerate(model.floats)}
    coefficients, distances = [], {}
    for c, start in zip(law.coefficients, starts):
        j = index[start]
        if c.exact is None:
            coefficients.append(c)
            continue
        value = float(with_constants(c.exact, law.constants))
        distance = abs(theta[j] - value) / stderr[j] if stderr[j] > 0 else (0.0 if theta[j] == value else np.inf)
        distances[sp.sstr(c.term)] = float(distance)
        coefficients.append(
            dataclasses.replace(c, estimate=float(theta[j]), stderr=float(stderr[j]), dof=sums.n_rows - len(theta))
        )
    record = dict(law.info.get("all_rows", {}), exact_values=distances)
    doubtful = {term: d for term, d in distances.items() if d > DOUBT_SIGMAS}
    if not doubtful:
        return dataclasses.replace(law, coefficients=coefficients, info=dict(law.info, all_rows=record))
    # All rows refute these exact values: they become free coefficients, and the law is refitted with them.
    listed = ", ".join(f"{term} ({d:.1f} standard errors)" for term, d in doubtful.items())
    warnings.warn(
        f"on all {rows.n_rows} rows, exact values of {law.formula} recognised on {record.get('search_rows')} rows "
        f"lie far from the free estimates: {listed}; they are left free",
        ExactValueWarning,
        stacklevel=3,
    )
    freed = [
        dataclasses.replace(c, exact=None, value=c.free_estimate) if sp.sstr(c.term) in doubtful else c
        for c in coefficients
    ]
    expression = sum(((c.exact if c.exact is not None else sp.Float(c.value)) * c.term for c in freed), sp.Integer(0))
    refitted = law_on_all_rows(dataclasses.replace(law, expression=expression, coefficients=freed), rows, deadline)
    record["unsnapped"] = sorted(doubtful)
    return dataclasses.replace(
        refitted,
        info=dict(
            refitted.info,
            all_rows=dict(refitted.info["all_rows"], **{k: v for k, v in record.items() if k != "passes"}),
        ),
    )


def _plain_sum(law: Law) -> bool:
    """The law is Σ (exact value or value)·term over its coefficients: compared at 50 points (seeded)."""
    settled = sum(((c.exact if c.exact is not None else sp.Float(c.value)) * c.term for c in law.coefficients), 0)
    rng = np.random.default_rng(0)
    columns = {name: rng.uniform(0.1, 3.0, 50) for name in law.variables}
    with np.errstate(all="ignore"):
        a = np.broadcast_to(numpy_evaluator(law.expression, law.constants)(columns), (50,))
        b = np.broadcast_to(numpy_evaluator(sp.sympify(settled), law.constants)(columns), (50,))
    finite = np.isfinite(a) & np.isfinite(b)
    return finite.sum() >= 10 and bool(np.allclose(a[finite], b[finite], rtol=1e-9, atol=0))


def searched_on_a_sample(
    sample: Dataset,
    rows: ChunkedRows,
    time_limit: float | None,
    search: Callable[[Dataset, float | None], Law],
    started: float,
    verbose: bool | None = None,
) -> Law:
    """The law ``search(sample, limit)`` finds on a sample of the rows, then refitted on all ``rows``.

    The form of the law and its exact values come from the sample
    (:data:`~discovery.io.rows.SEARCH_ROWS` rows drawn at random); its free
    floats, their standard errors, the RMSE and R² from every row, in chunks
    (:func:`refitted_on_all_rows`). ``law.info["stages"]``
    holds the seconds of each part, from ``started`` (drawing the sample: a
    pass over the rows for Parquet and Dask). The search gets ``time_limit``
    less that pass and a reserve for four passes over all rows (between
    :data:`ALL_ROWS_SHARE` and half of ``time_limit``); the passes stop at
    ``time_limit``, leaving the exact values or the front unchecked (``law.info["all_rows"]``).
    """
    start = time.perf_counter()
    if verbose:
        print(
            f"searching {sample.n_rows:,} of {rows.n_rows:,} rows drawn at random; then refitting the law on all rows",
            file=sys.stderr,
        )
    sampled = start - started
    limit = None
    if time_limit is not None:
        # Kept for the passes over all rows: a few of them, each about as long as the sample's pass over
        # a file or cluster (in memory, SECONDS_PER_ROW_PASS a row), within ALL_ROWS_SHARE to half the limit.
        one_pass = max(sampled, rows.n_rows * SECONDS_PER_ROW_PASS)
        reserve = min(max(time_limit * ALL_ROWS_SHARE, 4 * one_pass), time_limit / 2)
        limit = max(time_limit - sampled - reserve, time_limit * ALL_ROWS_SHARE)
    law = search(sample, limit)
    searched = time.perf_counter() - start
    law = refitted_on_all_rows(law, rows, None if time_limit is None else Deadline(time_limit, started))
    law.info["stages"] = {"sample": sampled, "search": searched, "finish": time.perf_counter() - start - searched}
    return law
