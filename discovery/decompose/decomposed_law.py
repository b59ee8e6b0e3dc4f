"""The decomposition's law (``discover(..., method="decompose")`` and a step of ``"auto"``).

Its candidates are the reduced or split problem's laws written back in the
original variables (:mod:`discovery.decompose.reduce`); like a backend's,
they are refitted jointly on the original rows, pruned and snapped by the
shared SymPy layer, and the law is chosen from them the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..backends.base import ExpressionCandidate
from ..backends.candidates import law_from_candidates
from ..backends.run import DEFAULT_SEARCH_SECONDS, SETTLE_SHARE
from ..deadline import Deadline
from ..errors import DataError
from ..io.dataset import Dataset
from ..law.law import Law
from ..progress import current
from . import reduce, symmetry
from .reduce import solve_reduced


def decomposed_law(
    data: Dataset,
    constants: Mapping[str, float],
    time_limit: float | None,
    random_state: int | None,
    search: Callable[[Dataset, Mapping[str, float], float, int | None], Law],
    device: str = "auto",
) -> tuple[Law, list[ExpressionCandidate]]:
    """The law found through the structure tests, and the candidates it was settled from.

    ``search(data, constants, seconds, random_state)`` is the search each
    smaller problem gets. ``law.info["decompose"]`` describes what the tests
    found; ``law.info["merges"]`` lists each merge's evidence.

    Raises
    ------
    DataError
        When the tests find nothing to reduce or split (the message says
        why), or no law found is finite on the rows.
    """
    current().stage("decomposition")
    deadline = Deadline(DEFAULT_SEARCH_SECONDS if time_limit is None else float(time_limit))
    seconds = deadline.limit * (1 - SETTLE_SHARE)  # the rest settles the candidates, as for a backend
    expressions, reduction = solve_reduced(data, constants, seconds, random_state, search, device)
    if not expressions:
        raise DataError(f"the decomposition found no law to try: {reduction.describe()}")
    # The smaller problem's chosen law first, its front after it.
    candidates = [ExpressionCandidate(e, i, float("nan"), rank=float(i)) for i, e in enumerate(expressions)]
    info: dict[str, Any] = {
        "method": "decompose",
        "decompose": reduction.describe(),
        "oracle_error": reduction.oracle_error,
        "merges": [
            f"{t.first}, {t.second}: {t.kind} (spread {t.spread:.3g}, ratio {t.ratio:.4g})" for t in reduction.merges
        ],
        "settings": {
            "time_limit": time_limit,
            "random_state": random_state,
            "max_spread": symmetry.MAX_SPREAD,
            "oracle_share": reduce.ORACLE_SHARE,
            "max_oracle_error": reduce.MAX_ORACLE_ERROR,
        },
    }
    law = law_from_candidates(
        candidates, data, constants, True, info=info, seconds=max(0.0, deadline.left()), random_state=random_state or 0
    )
    if law is None:
        raise DataError(f"the decomposition's laws are not finite on the {data.n_rows} rows")
    law.info["seconds"] = deadline.elapsed()
    return law, candidates
