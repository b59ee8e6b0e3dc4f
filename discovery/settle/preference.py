"""The preference rule among candidate laws: the simplest whose score is within a margin of the best."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def margin_limit(scores: Sequence[float], margin: float = 0.0, relative: float = 0.0) -> float:
    """The worst score still as good as the best: ``min(scores)·(1 + relative) + margin``."""
    return min(scores) * (1 + relative) + margin


def simplest_within(scores: Sequence[float], sizes: Sequence[Any], margin: float = 0.0, relative: float = 0.0) -> int:
    """The index of the simplest candidate whose score is within a margin of the best (lower scores are better).

    Parameters
    ----------
    scores : sequence of float
        Each candidate's criterion (BIC, held-out error, a miss).
    sizes : sequence
        Each candidate's size, compared as Python compares them: a tuple
        ranks by its first entry, then the next (terms, then free floats, …).
    margin : float
        How much worse than the best a score may be (in the criterion's units).
    relative : float
        And by this fraction of the best (see :func:`margin_limit`).

    Returns
    -------
    int
        Among the candidates within the limit, the smallest size; of equal
        sizes the lower score, then the earlier candidate.
    """
    limit = margin_limit(scores, margin, relative)
    return min((i for i in range(len(scores)) if scores[i] <= limit), key=lambda i: (sizes[i], scores[i]))
