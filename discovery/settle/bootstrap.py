"""How stable is a law? Refit it on rows drawn with replacement and count what comes back.

Each resample repeats the step that chose the law's terms (the library fit
that produced it, on the same target transform, or the settling of the search
backend's candidates) on n rows drawn with replacement from the n rows. A term
kept in nearly every resample is supported by the data; one kept in half of
them is a coin toss. For each coefficient the report also counts which exact
value it snapped to (or none), so a constant such as 1/g that survives every
resample can be trusted, and one that flips between 7/(3√π) and 4/3 cannot.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from ..io.dataset import Dataset
from ..law.display import bootstrap_table
from ..law.law import Law
from ..progress import current

FREE = "free"  # a coefficient that snapped to no exact value


@dataclass(frozen=True)
class BootstrapReport:
    """Inclusion probabilities and snapped-constant stability over bootstrap resamples.

    Attributes
    ----------
    resamples : int
        Resamples refitted (fewer than asked when interrupted).
    inclusion : dict of str → float
        For every term seen in any resample's law, the fraction of resamples
        whose law has it (the chosen law's terms first).
    exact_values : dict of str → dict of str → float
        For each term of the chosen law, the fraction of resamples in which
        its coefficient snapped to each exact value (``"free"``: to none).
    same_law : float
        Fraction of resamples that gave the chosen law: the same terms, each
        with the same exact value or, like the chosen one, none.
    """

    resamples: int
    inclusion: dict[str, float]
    exact_values: dict[str, dict[str, float]]
    same_law: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "resamples": self.resamples,
            "inclusion": dict(self.inclusion),
            "exact_values": {k: dict(v) for k, v in self.exact_values.items()},
            "same_law": self.same_law,
        }

    def table(self) -> str:
        """Each term's inclusion probability and the exact values its coefficient took."""
        return bootstrap_table(self.as_dict())


def _shape(law: Law) -> frozenset[tuple[str, str]]:
    """A law's terms and exact values, free coefficients' numbers left out."""
    return frozenset((sp.sstr(c.term), FREE if c.exact is None else sp.sstr(c.exact)) for c in law.coefficients)


def bootstrap_report(
    law: Law,
    data: Dataset,
    refit: Callable[[Dataset], Law | None],
    resamples: int,
    random_state: int | None,
    verbose: bool = False,
) -> BootstrapReport:
    """Refit ``resamples`` times on rows drawn with replacement.

    Parameters
    ----------
    law : Law
        The chosen law.
    data : Dataset
        The rows it was found on.
    refit : callable
        ``refit(resampled) -> Law or None``: the step that chose ``law``'s terms,
        repeated on other rows (None when nothing finite comes back).
    resamples : int
    random_state : int or None
        Seeds the row draws.
    verbose : bool
        Print a line per resample to stderr.

    Ctrl-C stops the loop; the report covers the resamples done (with a warning).
    """
    rng = np.random.default_rng(random_state)
    chosen_terms = [sp.sstr(c.term) for c in law.coefficients]
    kept: Counter[str] = Counter()
    exact: dict[str, Counter[str]] = {t: Counter() for t in chosen_terms}
    same = done = 0
    current().stage("bootstrap")
    try:
        for b in range(resamples):
            rows = rng.integers(0, data.n_rows, data.n_rows)
            found = refit(
                Dataset(data.X[rows], data.y[rows], data.variables, data.target, known_error=data.known_error)
            )
            done += 1
            if found is None:
                continue
            terms = {sp.sstr(c.term): c for c in found.coefficients}
            kept.update(terms.keys())
            for t in chosen_terms:
                if t in terms:
                    exact[t][FREE if terms[t].exact is None else sp.sstr(terms[t].exact)] += 1
            same += _shape(found) == _shape(law)
            current().step(f"bootstrap {b + 1}/{resamples}")
            if verbose:
                current().write(f"[bootstrap] {b + 1}/{resamples}: {found.formula}")
    except KeyboardInterrupt:
        warnings.warn(
            f"bootstrap interrupted after {done} of {resamples} resamples; the report covers those",
            RuntimeWarning,
            stacklevel=2,
        )
    n = max(done, 1)
    order = chosen_terms + sorted((t for t in kept if t not in chosen_terms), key=lambda t: -kept[t])
    return BootstrapReport(
        resamples=done,
        inclusion={t: kept[t] / n for t in order},
        exact_values={t: {v: c / n for v, c in exact[t].most_common()} for t in chosen_terms},
        same_law=same / n,
    )
