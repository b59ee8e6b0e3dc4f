"""The measurement errors a user states for y: ``sigma=`` (their size) or ``weights=`` (their relative size)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import DataError
from .columns import check_finite, numeric_values
from .dataset import Dataset
from .rows import SEARCH_ROWS


@dataclass(frozen=True)
class MeasurementErrors:
    """y's errors as the user gave them.

    Attributes
    ----------
    weights : numpy.ndarray
        One per row, on the squared residuals: 1/σᵢ² from ``sigma``, else the
        ``weights`` given.
    absolute : bool
        True when they come from ``sigma`` (in y's units): a law's χ² can
        then be tested against them. Weights alone say only which rows are
        more precise; the errors' scale is estimated from the residuals.
    """

    weights: np.ndarray
    absolute: bool

    @property
    def residual_scale(self) -> np.ndarray:
        """What each residual is multiplied by in a weighted fit: √wᵢ (1/σᵢ)."""
        return np.sqrt(self.weights)

    @property
    def mean_variance(self) -> float:
        """The mean σᵢ² (with ``sigma``), the mean error variance the χ² bound scales."""
        return float(np.mean(1.0 / self.weights))


def measurement_errors(sigma: Any, weights: Any, data: Dataset, sampled: bool = False) -> MeasurementErrors | None:
    """The errors stated by ``sigma`` or ``weights`` for the rows of ``data``, checked; None when neither is given.

    ``sampled``: ``data`` holds a sample of a larger table's rows (see
    :data:`~discovery.io.rows.SEARCH_ROWS`), whose errors are not taken.

    Raises
    ------
    DataError
        For both given; errors of a sampled table; a value that is not a
        number; a per-row array of another length than y; a σ that is not
        positive and finite, or a weight that is not (naming the rows).
    """
    if sigma is None and weights is None:
        return None
    if sampled:
        raise DataError(
            f"sigma= and weights= go with tables of up to {SEARCH_ROWS:,} rows, the rows discover searches; "
            "this one has more. Pass a sample of the rows with their errors"
        )
    if sigma is not None and weights is not None:
        raise DataError(
            "give sigma= (the size of y's errors, in its units) or weights= (their relative precision), not both: "
            "sigma=s is weights=1/s**2 with the errors' scale known"
        )
    name = "sigma" if sigma is not None else "weights"
    values = _per_row(sigma if sigma is not None else weights, name, data.n_rows, data.target)
    bad = np.flatnonzero(values <= 0)
    if len(bad):
        shown = ", ".join(str(r) for r in bad[:5]) + (", ..." if len(bad) > 5 else "")
        what = "an error of 0 or less" if name == "sigma" else "a weight of 0 or less"
        raise DataError(
            f"{name} holds {what} (rows {shown}); each row needs a positive {name}. "
            "Drop the rows that should not count, or give them their real error"
        )
    return MeasurementErrors(1.0 / values**2 if name == "sigma" else values, absolute=name == "sigma")


def _per_row(value: Any, name: str, n_rows: int, target: str) -> np.ndarray:
    """A number or one number per row, as n_rows float64 values, checked to be finite."""
    values = numeric_values(value, name)
    if values.ndim == 0:
        values = np.full(n_rows, float(values))
    if values.ndim != 1 or len(values) != n_rows:
        raise DataError(f"{name} must be one number or one per row of {target!r} ({n_rows}); got shape {values.shape}")
    check_finite(values, name)
    return values
