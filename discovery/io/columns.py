"""The one input check: user tables (arrays, mappings, DataFrames) read into named, checked float columns.

Fitting (:func:`discovery.io.dataset.as_dataset`), predicting
(:func:`input_columns`, used by ``Law.predict``) and the article's array
models (:func:`input_matrix`, :func:`target_values`) read inputs the same way
and fail with the same messages, each naming the column, the rows and the
fix. Nothing is dropped silently.
"""

from __future__ import annotations

import keyword
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..errors import DataError


def check_name(name: Any, what: str) -> str:
    """Return ``name`` if it can stand in a formula, else raise DataError."""
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise DataError(
            f"{what} name {name!r} cannot appear in a formula; use letters, digits and "
            "underscores, starting with a letter (e.g. 'v', 'theta', 'x_1')"
        )
    return name


def input_columns(
    X: Any, variables: Sequence[str] | None = None, *, expected_by: str | None = None
) -> dict[str, np.ndarray]:
    """The input columns of ``X``, named and checked (numeric, one value per row, equal lengths, finite).

    Parameters
    ----------
    X : 2-D array-like, mapping of name → column, or pandas DataFrame
    variables : sequence of str, optional
        The columns wanted. A mapping or DataFrame must hold each of them (other
        columns are ignored); an array must have exactly that many columns, in
        that order. None: every column (an array's named x0, x1, ...).
    expected_by : str, optional
        What expects ``variables`` (e.g. ``"the law"``), for the message when
        an array has a different number of columns.

    Returns
    -------
    dict of str → numpy.ndarray
        float64 columns, in ``variables`` order.

    Raises
    ------
    DataError
        Naming the column and rows at fault and the fix.
    """
    columns = numeric_columns(named_columns(X, variables, expected_by))
    for name, values in columns.items():
        check_finite(values, f"column {name!r}")
    return columns


def input_matrix(X: Any, n_features: int | None = None, *, expected_by: str | None = None) -> np.ndarray:
    """``X`` as a checked float64 array (rows × columns), read by position, as scikit-learn models read it.

    With ``n_features``, the number of columns ``X`` must have (the message
    names ``expected_by``). Checks as :func:`input_columns`.
    """
    columns = input_columns(X)
    if n_features is not None and len(columns) != n_features:
        raise DataError(_feature_count_message(len(columns), n_features, expected_by))
    return np.column_stack(list(columns.values()))


def target_values(y: Any, n_rows: int, name: str = "y", *, finite: bool = True) -> np.ndarray:
    """The target as a checked float64 vector of ``n_rows`` values.

    A column vector (n, 1) is read as 1-D, with a ``DataConversionWarning``,
    as scikit-learn does.

    Raises
    ------
    DataError
        For a value that is not a number (naming the row), the wrong shape or
        length, or (with ``finite``) NaN or infinite values.
    """
    values = numeric_values(y, f"the target {name!r}")
    if values.ndim == 2 and values.shape[1] == 1:
        from sklearn.exceptions import DataConversionWarning

        warnings.warn(
            "A column-vector y was passed when a 1d array was expected; it is read as y.ravel()",
            DataConversionWarning,
            stacklevel=3,
        )
        values = values.ravel()
    if values.ndim != 1:
        raise DataError(f"y must be 1-D (one value per row); got shape {values.shape}")
    if len(values) != n_rows:
        raise DataError(f"X has {n_rows} rows but y has {len(values)}; they must match row for row")
    if finite:
        check_finite(values, f"the target {name!r}")
    return values


def split_target(X: Any, y: Any, target: str | None) -> tuple[Any, Any, str | None]:
    """(X without the target column, raw y, target name): the target may be a column of a mapping or DataFrame."""
    _reject_sparse(X)
    if not is_table(X):
        return X, y, target
    table, what = table_columns(X)
    if target is not None and y is not None and target in table:
        raise DataError(f"target {target!r} is a column of {what} and y was also given; pass only one")
    if y is None:
        if target is None:
            raise DataError(f"no target: pass y, or target='name' naming a column of {what}")
        if target not in table:
            raise DataError(f"target column {target!r} is not in {what}; its columns are {', '.join(table)}")
        table = dict(table)
        y = table.pop(target)
    return _Table(table, what), y, target


class _Table(dict):
    """Named raw columns taken from a mapping or DataFrame, remembering which (for messages)."""

    def __init__(self, columns: dict[str, Any], what: str) -> None:
        super().__init__(columns)
        self.what = what


def _reject_sparse(X: Any) -> None:
    # Before any other reading: SciPy's DOK format is a dict, and np.asarray of the others is a 0-d object.
    if type(X).__module__.startswith("scipy.sparse"):
        raise DataError(
            "X is a sparse matrix, and sparse input is not supported: laws are fitted and "
            "evaluated on dense columns; convert it with X.toarray()"
        )


def is_table(X: Any) -> bool:
    """True for a table of named columns: a mapping of name → column, or a pandas DataFrame."""
    return isinstance(X, Mapping) or _is_dataframe(X)


def table_columns(X: Any) -> tuple[dict[str, Any], str]:
    """Column name → raw column of a mapping or DataFrame, and how to call it in messages."""
    if isinstance(X, _Table):
        return dict(X), X.what
    if _is_dataframe(X):
        names = [_column_name(c) for c in X.columns]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:  # X[name] would be a table, silently merged into one variable
            raise DataError(f"the DataFrame repeats column name(s) {', '.join(map(repr, repeated))}; rename them")
        return {name: X[c].to_numpy() for name, c in zip(names, X.columns)}, "the DataFrame"
    return {_column_name(k): v for k, v in X.items()}, "the mapping"


def _column_name(label: Any) -> str:
    """A column label as a variable name: integer labels (a DataFrame made from an array) become x0, x1, ..."""
    if isinstance(label, (int, np.integer)) and not isinstance(label, bool):
        return f"x{int(label)}"
    return str(label)


def named_columns(X: Any, variables: Sequence[str] | None, expected_by: str | None = None) -> dict[str, Any]:
    """Variable name → raw column, for every wanted variable; names checked."""
    _reject_sparse(X)
    if variables is not None:
        names = [str(v) for v in variables]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:  # one column would silently stand for two
            raise DataError(
                f"variables repeats the name(s) {', '.join(map(repr, repeated))}: give each column its own name"
            )
    if is_table(X):
        table, what = table_columns(X)
        if variables is None:
            columns = table
        else:
            unknown = [v for v in variables if v not in table]
            if unknown:
                raise DataError(
                    f"unknown variable{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}: "
                    f"{what} has columns {', '.join(table)}"
                )
            columns = {v: table[v] for v in variables}
        if not columns:
            raise DataError("X has no columns; pass at least one input variable")
    else:
        columns = _array_columns(X, variables, expected_by)
    for name in columns:
        check_name(name, "variable")
    return columns


def _array_columns(X: Any, variables: Sequence[str] | None, expected_by: str | None) -> dict[str, Any]:
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
                f"X must be 2-D (rows × variables); got 1-D with {array.shape[0]} values. Reshape your data: "
                "X.reshape(-1, 1) for a single variable (or variables=['x']), X.reshape(1, -1) for a single row"
            )
    if array.ndim != 2:
        raise DataError(f"X must be 2-D (rows × variables); got shape {array.shape}")
    if array.shape[1] == 0:
        raise DataError(
            f"X has 0 feature(s) (shape={array.shape}) while a minimum of 1 is required; "
            "pass at least one input variable"
        )
    if variables is None:
        variables = [f"x{j}" for j in range(array.shape[1])]
    if len(variables) != array.shape[1]:
        raise DataError(_feature_count_message(array.shape[1], len(variables), expected_by, variables))
    return {str(name): array[:, j] for j, name in enumerate(variables)}


def _feature_count_message(
    found: int, expected: int, expected_by: str | None, names: Sequence[str] | None = None
) -> str:
    shown = f" ({', '.join(map(str, names))})" if names is not None else ""
    if expected_by is None:
        return f"X has {found} columns but {expected} variable names were given{shown}; give one name per column"
    return f"X has {found} features, but {expected_by} is expecting {expected} features as input{shown}"


def numeric_columns(columns: dict[str, Any]) -> dict[str, np.ndarray]:
    """Each column as float64, one value per row, all of one length."""
    arrays = {name: numeric_values(col, f"column {name!r}") for name, col in columns.items()}
    for name, array in arrays.items():
        if array.ndim != 1:
            raise DataError(f"column {name!r} must be 1-D (one value per row); got shape {array.shape}")
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:  # a mapping's columns; NumPy's own message would not name them
        shown = ", ".join(f"{name!r} has {k}" for name, k in lengths.items())
        raise DataError(f"columns have different lengths ({shown} rows); give every column one value per row")
    return arrays


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


def numeric_values(values: Any, what: str) -> np.ndarray:
    """``values`` as float64, or DataError naming ``what`` and the first row that is not a number."""
    try:
        array = np.asarray(values)
    except ValueError:  # nested sequences of different lengths
        raise DataError(f"{what} holds sequences of different lengths; it must hold one number per row") from None
    if array.dtype.kind in "biuf":
        return array.astype(np.float64)
    if array.dtype.kind == "c":
        raise DataError(
            f"{what} holds complex numbers. Complex data not supported: give the real and imaginary "
            "parts as two columns"
        )
    flat = array.reshape(-1)
    for i, value in enumerate(flat):
        try:
            float(value)
        except OverflowError:  # a Python integer beyond 1.8e308
            raise DataError(f"{what} has a value too large for double precision in row {i}; rescale it") from None
        except (TypeError, ValueError):
            value = value.item() if isinstance(value, np.generic) else value  # 'a', not np.str_('a')
            raise DataError(f"{what} is not numeric: row {i} holds {value!r}. Convert or drop that column") from None
    return array.astype(np.float64)


def not_finite_rows(values: np.ndarray) -> np.ndarray:
    """The rows of ``values`` holding NaN or an infinite value, ascending."""
    return np.flatnonzero(~np.isfinite(values))


def check_finite(values: np.ndarray, what: str, first_row: int = 0) -> None:
    """DataError naming ``what``, the kinds of bad value and the rows (counted from ``first_row``)."""
    bad = not_finite_rows(values)
    if len(bad):
        rows = bad + first_row
        n_nan = int(np.isnan(values).sum())
        n_inf = len(bad) - n_nan
        shown = ", ".join(str(r) for r in rows[:5]) + (", ..." if len(rows) > 5 else "")
        kinds = " and ".join(k for k in (f"{n_nan} NaN" if n_nan else "", f"{n_inf} infinite" if n_inf else "") if k)
        raise DataError(
            f"{what} has {kinds} value{'s' if len(rows) > 1 else ''} (rows {shown}); "
            "remove or fill those rows first: nothing is dropped silently"
        )
