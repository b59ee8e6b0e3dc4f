"""Where ``discover``'s rows come from: one reader per kind of source, and the one rule for many rows.

A source is an array, a mapping or DataFrame in memory, a table file
(CSV, Feather, Excel), a Parquet file or folder, or a Dask collection.
:data:`READERS` maps each kind to its reader; every reader gives the same
pair: the checked rows a search runs on and, when those are a sample,
every row, to refit the law found on (:func:`search_rows` for rows in
memory; a pass over the file or cluster for the others).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..errors import DataError
from .dask_rows import DaskRows, is_dask
from .dataset import Dataset, as_dataset
from .parquet import ParquetRows, is_path
from .row_source import ArrayRows, ChunkedRows
from .rows import SEARCH_ROWS, sample_rows
from .tables import read_table, table_format

# What every reader returns: the rows to search, and all rows when those are a sample of them (else None).
Rows = tuple[Dataset, ChunkedRows | None]
Reader = Callable[[Any, Any, Sequence[str] | None, str | None, int | None, Callable[[], Any]], Rows]


def search_rows(data: Dataset, random_state: int | None) -> Rows:
    """The rows a search runs on, and all rows to refit its law on afterwards (None when they are the same).

    Beyond :data:`~discovery.io.rows.SEARCH_ROWS` rows, the search sees that
    many drawn with ``random_state`` (:func:`~discovery.io.rows.sample_rows`);
    the law it finds is then refitted and measured on every row
    (:func:`discovery.settle.all_rows_checks.refitted_on_all_rows`).
    """
    if data.n_rows <= SEARCH_ROWS:
        return data, None
    rows = sample_rows(data.n_rows, random_state, cap=SEARCH_ROWS)
    rows_of = Dataset(data.X[rows], data.y[rows], data.variables, data.target, known_error=data.known_error)
    return rows_of, ArrayRows(data.X, data.y)


def source_kind(X: Any, y: Any) -> str:
    """The key of :data:`READERS` that reads ``X`` (and ``y``).

    Raises
    ------
    DataError
        For a file path given with a ``y``: the output is one of the file's columns.
    """
    if is_dask(X) or is_dask(y):
        return "dask"
    if is_path(X):
        if y is not None:
            raise DataError("with a file path, the output is one of its columns: give target='name' and no y")
        return "parquet" if table_format(X) == "Parquet" else "table file"
    return "in memory"


def read_rows(
    X: Any,
    y: Any,
    variables: Sequence[str] | None,
    target: str | None,
    random_state: int | None,
    client: Callable[[], Any],
) -> Rows:
    """The rows to search and, when they are a sample, all rows: read by the reader of ``X``'s kind.

    ``client()`` gives the Dask client a Dask source computes on (called only for one).
    """
    return READERS[source_kind(X, y)](X, y, variables, target, random_state, client)


def _in_memory(X: Any, y: Any, variables: Any, target: Any, random_state: int | None, client: Any) -> Rows:
    return search_rows(as_dataset(X, y, variables=variables, target=target), random_state)


def _table_file(X: Any, y: Any, variables: Any, target: Any, random_state: int | None, client: Any) -> Rows:
    return _in_memory(read_table(X), y, variables, target, random_state, client)


def _parquet(X: Any, y: Any, variables: Any, target: Any, random_state: int | None, client: Any) -> Rows:
    return _sampled(ParquetRows(X, target, variables), random_state)  # read batch by batch, never all in memory


def _dask(X: Any, y: Any, variables: Any, target: Any, random_state: int | None, client: Callable[[], Any]) -> Rows:
    return _sampled(DaskRows(X, y, variables, target, client()), random_state)


def _sampled(source: ParquetRows | DaskRows, random_state: int | None) -> Rows:
    """The source's sample (drawn in one checking pass) to search, and the source when it holds more rows."""
    sample = source.sample(SEARCH_ROWS, random_state)
    data = as_dataset(sample.X, sample.y, variables=list(sample.variables), target=sample.target)
    return data, (source if source.n_rows > SEARCH_ROWS else None)


READERS: dict[str, Reader] = {"in memory": _in_memory, "table file": _table_file, "parquet": _parquet, "dask": _dask}
