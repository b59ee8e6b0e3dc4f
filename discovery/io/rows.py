"""The one rule for working on fewer rows than the data has: a seeded random draw, kept in row order."""

from __future__ import annotations

import numpy as np

# Proposing terms, the solver's Gram sums and the refits of whole expressions use at most this many
# rows; more add time but no information to those steps. Every law is still measured on all rows.
ROW_CAP = 4000
# discover() searches at most this many rows, drawn the same way; the law found is then refitted and
# measured on all rows in one chunked pass (discovery.settle.all_rows), so the cost stops growing with the rows.
SEARCH_ROWS = 20_000


def sample_rows(n_rows: int, random_state: int | None | np.random.Generator, cap: int = ROW_CAP) -> np.ndarray:
    """Indices of at most ``cap`` of ``n_rows`` rows, ascending: all of them, or ``cap`` drawn without replacement.

    A draw rather than the first or evenly spaced rows, so that data sorted by
    one variable (or periodic in the row order) is still sampled over its whole
    range; seeded, so the same ``random_state`` gives the same rows.

    Parameters
    ----------
    n_rows : int
    random_state : int, None or numpy.random.Generator
        A seed, or a generator to draw from (it is then advanced only when
        rows are dropped).
    cap : int
    """
    if n_rows <= cap:
        return np.arange(n_rows)
    rng = random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(random_state)
    return np.sort(rng.choice(n_rows, cap, replace=False))
