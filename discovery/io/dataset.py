"""Checked data for fitting: the ``Dataset`` every stage works on, and the user's constants."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import DataError
from .columns import check_finite, check_name, named_columns, numeric_columns, split_target, target_values

MIN_ROWS = 5  # a law with one or two free constants can be found and checked on five rows
# Least squares sums y²: beyond these sizes it overflows or underflows and every fit looks alike.
TARGET_RANGE = (1e-150, 1e150)


@dataclass(frozen=True)
class TargetError:
    """A target's error besides noise: ``relative_rmse`` of RMS(y), ``coefficient_error`` of each coefficient.

    For a target whose errors are known and are not independent noise: the
    derivatives of sampled states, whose estimation errors are smooth
    functions of time that a search would read as structure. Fits within
    ``relative_rmse`` count as exact (:func:`discovery.settle.criteria.mse_floor`), so laws that fit
    within it tie on the criteria and the simplest wins. Such errors also
    bias each coefficient by about ``coefficient_error`` of its value, however
    small its statistical error: exact values are tried within that
    (:func:`discovery.settle.snapping.snap_coefficients`). Negative values count as 0.
    """

    relative_rmse: float = 0.0
    coefficient_error: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "relative_rmse", max(float(self.relative_rmse), 0.0))
        object.__setattr__(self, "coefficient_error", max(self.coefficient_error, 0.0))


NO_KNOWN_ERROR = TargetError()  # a target whose only error is noise (and rounding)


@dataclass(frozen=True)
class Dataset:
    """Checked, float64 data: ``X`` (rows × variables), ``y`` and their names.

    ``weights`` (one per row, or None for all alike) weight the library fit's
    least squares: a transform of y carries y's noise unevenly over the rows.
    ``known_error`` is what is known of y's error besides noise (none, unless
    set: the derivatives a time series' search estimates).
    """

    X: np.ndarray
    y: np.ndarray
    variables: tuple[str, ...]
    target: str
    weights: np.ndarray | None = None
    known_error: TargetError = NO_KNOWN_ERROR

    @property
    def n_rows(self) -> int:
        return self.X.shape[0]

    def columns(self) -> dict[str, np.ndarray]:
        """Variable name → column."""
        return {name: self.X[:, j] for j, name in enumerate(self.variables)}


def check_constants(constants: Mapping[str, Any] | None, variables: Sequence[str] = ()) -> dict[str, float]:
    """Validate user constants such as ``{"g": 9.81}``.

    Raises
    ------
    DataError
        For a bad name, a name that is also a variable, or a value that is
        not a finite non-zero number.
    """
    if constants is None:
        return {}
    if not isinstance(constants, Mapping):
        raise DataError(f"constants must be a mapping such as {{'g': 9.81}}, got {type(constants).__name__}")
    out: dict[str, float] = {}
    for name, value in constants.items():
        check_name(name, "constant")
        if name in variables:
            raise DataError(f"constant {name!r} has the same name as a variable; rename one of them")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise DataError(f"constant {name!r} must be a number, got {value!r}") from None
        if not math.isfinite(number) or number == 0:
            raise DataError(f"constant {name!r} must be finite and non-zero, got {value!r}")
        out[name] = number
    return out


def as_dataset(
    X: Any,
    y: Any = None,
    *,
    variables: Sequence[str] | None = None,
    target: str | None = None,
    min_rows: int = MIN_ROWS,
) -> Dataset:
    """Check and convert user data for fitting.

    Parameters
    ----------
    X : 2-D array-like, mapping of name → column, or pandas DataFrame
        The inputs. A DataFrame may also hold the target, named by ``target``.
    y : 1-D array-like, optional
        The output; omit it when ``target`` names a column of ``X``. A column
        vector (n, 1) is read as 1-D, with a ``DataConversionWarning``.
    variables : sequence of str, optional
        Names of the input columns (default: the mapping's keys, the
        DataFrame's columns, or x0, x1, ...). With a mapping or DataFrame it
        selects and orders columns.
    target : str, optional
        Name of the output (a column of ``X`` when ``y`` is omitted).
    min_rows : int
        Fewest rows accepted.

    Raises
    ------
    DataError
        With a message naming the problem (column, row count) and the fix.
    """
    table, y_given, y_name = split_target(X, y, target)
    columns = named_columns(table, variables)
    names = tuple(columns)
    default_name = next(n for n in ("y", "f", "target", "output") if n not in names) if not y_name else None
    target_name = check_name(y_name or default_name, "target")
    if target_name in names:
        raise DataError(f"the target {target_name!r} is also an input variable; drop it from the inputs")
    arrays = numeric_columns(columns)
    n = len(next(iter(arrays.values())))
    if y_given is None:
        raise DataError(
            "no target: fitting requires y to be passed, but the target y is None; "
            "pass y, or target='name' naming a column of X"
        )
    y_arr = target_values(y_given, n, target_name, finite=False)
    for name, values in arrays.items():
        check_finite(values, f"column {name!r}")
    check_finite(y_arr, f"the target {target_name!r}")
    check_enough_rows(n, min_rows)
    if np.ptp(y_arr) == 0:
        raise DataError(f"the target {target_name!r} is constant (every row is {y_arr[0]:g}); there is no law to find")
    peak = float(np.max(np.abs(y_arr)))
    if not TARGET_RANGE[0] <= peak <= TARGET_RANGE[1]:
        raise DataError(
            f"the target {target_name!r} has values up to {peak:.3g} in size, outside the {TARGET_RANGE[0]:g} to "
            f"{TARGET_RANGE[1]:g} that double precision can square; rescale it to values near 1"
        )
    return Dataset(np.column_stack(list(arrays.values())), y_arr, names, target_name)


def check_enough_rows(n: int, min_rows: int = MIN_ROWS) -> None:
    """DataError unless there are at least ``min_rows`` rows."""
    if n < min_rows:
        raise DataError(f"got {n} rows, fewer than the {min_rows} needed to find and check a law; collect more data")
