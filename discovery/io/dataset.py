"""Turn what a user hands in (arrays, mappings, DataFrames) into checked columns."""
from __future__ import annotations

import keyword
import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import DataError

MIN_ROWS = 10
# Least squares sums y²: beyond these sizes it overflows or underflows and every fit looks alike.
TARGET_RANGE = (1e-150, 1e150)


@dataclass(frozen=True)
class Dataset:
    """Checked, float64 data: ``X`` (rows × variables), ``y`` and their names."""

    X: np.ndarray
    y: np.ndarray
    variables: tuple[str, ...]
    target: str

    @property
    def n_rows(self) -> int:
        return self.X.shape[0]

    def columns(self) -> dict[str, np.ndarray]:
        """Variable name → column."""
        return {name: self.X[:, j] for j, name in enumerate(self.variables)}


def check_name(name: Any, what: str) -> str:
    """Return ``name`` if it can stand in a formula, else raise DataError."""
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise DataError(
            f"{what} name {name!r} cannot appear in a formula; use letters, digits and "
            "underscores, starting with a letter (e.g. 'v', 'theta', 'x_1')"
        )
    return name


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
    """Check and convert user data.

    Parameters
    ----------
    X : 2-D array-like, mapping of name → column, or pandas DataFrame
        The inputs. A DataFrame may also hold the target, named by ``target``.
    y : 1-D array-like, optional
        The output; omit it when ``target`` names a column of ``X``.
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
    columns, y_given, y_name = _split(X, y, variables, target)
    names = tuple(columns)
    if not names:
        raise DataError("X has no columns; pass at least one input variable")
    for name in names:
        check_name(name, "variable")
    if len(set(names)) != len(names):
        raise DataError(f"variable names must be unique, got {list(names)}")
    default_name = next(n for n in ("y", "f", "target", "output") if n not in names) if not y_name else None
    target_name = check_name(y_name or default_name, "target")
    if target_name in names:
        raise DataError(f"the target {target_name!r} is also an input variable; drop it from the inputs")

    arrays = [_numeric(col, f"column {name!r}") for name, col in columns.items()]
    for name, array in zip(names, arrays):
        if array.ndim != 1:
            raise DataError(f"column {name!r} must be 1-D (one value per row); got shape {array.shape}")
    lengths = {name: len(array) for name, array in zip(names, arrays)}
    if len(set(lengths.values())) > 1:  # a mapping's columns; NumPy's own message would not name them
        shown = ", ".join(f"{name!r} has {k}" for name, k in lengths.items())
        raise DataError(f"columns have different lengths ({shown} rows); give every column one value per row")
    matrix = np.column_stack(arrays)
    if y_given is None:
        raise DataError("no target: pass y, or target='name' naming a column of X")
    y_arr = _numeric(y_given, f"the target {target_name!r}")
    if y_arr.ndim != 1:
        raise DataError(f"y must be 1-D (one value per row); got shape {y_arr.shape}")
    if len(y_arr) != matrix.shape[0]:
        raise DataError(f"X has {matrix.shape[0]} rows but y has {len(y_arr)}; they must match row for row")

    for j, name in enumerate(names):
        _check_finite(matrix[:, j], f"column {name!r}")
    _check_finite(y_arr, f"the target {target_name!r}")
    n = matrix.shape[0]
    if n < min_rows:
        raise DataError(f"got {n} rows, fewer than the {min_rows} needed to find and check a law; collect more data")
    if np.ptp(y_arr) == 0:
        raise DataError(
            f"the target {target_name!r} is constant (every row is {y_arr[0]:g}); there is no law to find"
        )
    peak = float(np.max(np.abs(y_arr)))
    if not TARGET_RANGE[0] <= peak <= TARGET_RANGE[1]:
        raise DataError(
            f"the target {target_name!r} has values up to {peak:.3g} in size, outside the {TARGET_RANGE[0]:g} to "
            f"{TARGET_RANGE[1]:g} that double precision can square; rescale it to values near 1"
        )
    return Dataset(matrix, y_arr, names, target_name)


def _split(X: Any, y: Any, variables: Sequence[str] | None, target: str | None):
    """Return (name → raw column, raw y, target name)."""
    if _is_dataframe(X):
        names = [str(c) for c in X.columns]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:  # X[name] would be a table, silently merged into one variable
            raise DataError(f"the DataFrame repeats column name(s) {', '.join(map(repr, repeated))}; rename them")
        table = {str(c): X[c].to_numpy() for c in X.columns}
        return _from_table(table, y, variables, target, "the DataFrame")
    if isinstance(X, Mapping):
        table = {str(k): v for k, v in X.items()}
        return _from_table(table, y, variables, target, "the mapping")
    try:
        array = np.asarray(X)
    except ValueError:  # NumPy refuses nested lists of different lengths
        raise DataError(
            f"X has rows of different lengths{_lengths(X)}; give every row one value per variable"
        ) from None
    if array.ndim == 1:
        if variables is not None and len(variables) == 1:
            array = array.reshape(-1, 1)
        else:
            raise DataError(
                f"X must be 2-D (rows × variables); got 1-D with {array.shape[0]} values. "
                "For a single variable pass X.reshape(-1, 1) or variables=['x']"
            )
    if array.ndim != 2:
        raise DataError(f"X must be 2-D (rows × variables); got shape {array.shape}")
    if variables is None:
        variables = [f"x{j}" for j in range(array.shape[1])]
    if len(variables) != array.shape[1]:
        raise DataError(f"variables names {len(variables)} columns but X has {array.shape[1]}: {list(variables)}")
    columns = {str(name): array[:, j] for j, name in enumerate(variables)}
    return columns, y, target


def _from_table(table: dict[str, Any], y: Any, variables, target, what: str):
    if target is not None and y is not None and target in table:
        raise DataError(f"target {target!r} is a column of {what} and y was also given; pass only one")
    if y is None:
        if target is None:
            raise DataError(f"no target: pass y, or target='name' naming a column of {what}")
        if target not in table:
            raise DataError(f"target column {target!r} is not in {what}; its columns are {', '.join(table)}")
        y = table.pop(target)
    if variables is None:
        return table, y, target
    unknown = [v for v in variables if v not in table]
    if unknown:
        raise DataError(
            f"unknown variable{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}: "
            f"{what} has columns {', '.join(table)}"
        )
    return {v: table[v] for v in variables}, y, target


def _is_dataframe(X: Any) -> bool:
    return type(X).__module__.startswith("pandas") and hasattr(X, "columns") and hasattr(X, "to_numpy")


def _lengths(rows: Any) -> str:
    """``" (row 3 has 2 values, row 0 has 3)"``: the first row whose length differs, if rows have lengths."""
    try:
        lengths = [len(row) for row in rows]
    except TypeError:
        return ""
    odd = next((i for i, k in enumerate(lengths) if k != lengths[0]), None)
    return "" if odd is None else f" (row {odd} has {lengths[odd]} values, row 0 has {lengths[0]})"


def _numeric(values: Any, what: str) -> np.ndarray:
    try:
        array = np.asarray(values)
    except ValueError:  # nested sequences of different lengths
        raise DataError(f"{what} holds sequences of different lengths; it must hold one number per row") from None
    if array.dtype.kind in "biuf":
        return array.astype(np.float64)
    if array.dtype.kind == "c":
        raise DataError(f"{what} holds complex numbers; only real values are supported")
    flat = array.reshape(-1)
    for i, value in enumerate(flat):
        try:
            float(value)
        except OverflowError:  # a Python integer beyond 1.8e308
            raise DataError(f"{what} has a value too large for double precision in row {i}; rescale it") from None
        except (TypeError, ValueError):
            value = value.item() if isinstance(value, np.generic) else value  # 'a', not np.str_('a')
            raise DataError(
                f"{what} is not numeric: row {i} holds {value!r}. Convert or drop that column"
            ) from None
    return array.astype(np.float64)


def _check_finite(values: np.ndarray, what: str) -> None:
    bad = ~np.isfinite(values)
    if bad.any():
        rows = np.flatnonzero(bad)
        n_nan = int(np.isnan(values).sum())
        n_inf = int(bad.sum()) - n_nan
        shown = ", ".join(str(r) for r in rows[:5]) + (", ..." if len(rows) > 5 else "")
        kinds = " and ".join(k for k in (f"{n_nan} NaN" if n_nan else "", f"{n_inf} infinite" if n_inf else "") if k)
        raise DataError(
            f"{what} has {kinds} value{'s' if len(rows) > 1 else ''} (rows {shown}); "
            "remove or fill those rows first: nothing is dropped silently"
        )


def input_columns(X: Any, variables: Sequence[str]) -> dict[str, np.ndarray]:
    """Read the columns a law needs from an array, mapping or DataFrame."""
    if isinstance(X, Mapping) or hasattr(X, "columns"):
        keys = list(X.keys()) if isinstance(X, Mapping) else [str(c) for c in X.columns]
        missing = [v for v in variables if v not in keys]
        if missing:
            raise DataError(f"the law needs column(s) {', '.join(map(repr, missing))}; the data has {', '.join(keys)}")
        return {v: np.asarray(X[v], dtype=np.float64).reshape(-1) for v in variables}
    try:
        array = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(f"X must be numeric, with column(s) {', '.join(variables)}") from None
    if array.ndim == 1 and len(variables) == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2 or array.shape[1] != len(variables):
        raise DataError(
            f"X must have {len(variables)} column(s) ({', '.join(variables)}); got shape {array.shape}"
        )
    return {v: array[:, j] for j, v in enumerate(variables)}
