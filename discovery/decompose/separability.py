"""Separability tests on the oracle: f(a, b) = g(a) + h(b) or g(a)·h(b) over a split of the variables.

For two rows p and q, take the first group's values from one and the
second's from the other: when f is a sum over the split,
``f(a, b) + f(a', b') − f(a, b') − f(a', b) = 0``, and when it is a product
the same holds for log|f|. The oracle's values at such mixed points give
that combination at ``PAIRS`` pairs of rows; each is divided by its own
expected error (the oracle's validation error, carried through the four
values), so a test scores about 1 on a separable law and far more on one
that is not, however noisy the data.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from .oracle import NeuralOracle

PAIRS = 1000
MAX_SCORE = 3.0  # RMS of the scaled combination below which a split counts as separable
MIN_SIZE = 3.0  # in the product test, rows whose |f| is within this many errors of 0 are left out


@dataclass(frozen=True)
class SplitTest:
    """Evidence that the law separates over a split of its variables.

    Attributes
    ----------
    first, second : tuple of str
        The two groups.
    kind : {"sum", "product"}
    score : float
        RMS of the four-point combination over its expected error (about 1
        when separable, large when not; inf when no pair could be used).
    fired : bool
        Whether ``score`` is below ``MAX_SCORE``.
    """

    first: tuple[str, ...]
    second: tuple[str, ...]
    kind: str
    score: float
    fired: bool


def split_tests(
    oracle: NeuralOracle, X: np.ndarray, names: tuple[str, ...], random_state: int | None, max_score: float = MAX_SCORE
) -> list[SplitTest]:
    """Both tests on every split of the variables into two non-empty groups."""
    rng = np.random.default_rng(random_state)
    n, d = X.shape
    p, q = rng.integers(n, size=PAIRS), rng.integers(n, size=PAIRS)
    # The oracle's error in y's units at a value f: constant, or relative where it learned log|y|.
    error_units = oracle.validation_rmse_ * oracle.y_scale_.std[0]
    out = []
    for size in range(1, d // 2 + 1):
        for group in itertools.combinations(range(d), size):
            if size * 2 == d and 0 not in group:
                continue  # the same split seen from the other side
            mask = np.zeros(d, dtype=bool)
            mask[list(group)] = True
            mixed_pq = np.where(mask, X[p], X[q])
            mixed_qp = np.where(mask, X[q], X[p])
            values = [oracle.predict(v) for v in (X[p], X[q], mixed_pq, mixed_qp)]
            errors = [error_units * (np.abs(v) if oracle.log_target_ else np.ones_like(v)) for v in values]
            first = tuple(names[j] for j in group)
            second = tuple(names[j] for j in range(d) if not mask[j])
            for kind in ("sum", "product"):
                score = _score(values, errors, kind)
                out.append(SplitTest(first, second, kind, score, bool(score < max_score)))
    return out


def _score(values: list[np.ndarray], errors: list[np.ndarray], kind: str) -> float:
    a, b, ab, ba = values
    if kind == "sum":
        combination = a + b - ab - ba
        scale = np.sqrt(sum(e**2 for e in errors))
        keep = np.ones_like(a, dtype=bool)
    else:
        keep = np.all([np.abs(v) > MIN_SIZE * e for v, e in zip(values, errors, strict=True)], axis=0)
        if np.count_nonzero(keep) < 0.2 * len(a):
            return np.inf
        with np.errstate(all="ignore"):
            logs = [np.log(np.abs(v)) for v in values]
        combination = logs[0] + logs[1] - logs[2] - logs[3]
        scale = np.sqrt(sum((e / np.abs(v)) ** 2 for v, e in zip(values, errors, strict=True)))
    z = combination[keep] / scale[keep]
    return float(np.sqrt(np.mean(z**2))) if z.size else np.inf
