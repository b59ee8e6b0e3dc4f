"""Rows in a Parquet file or dataset (a folder of files), read in batches and never all at once.

One pass checks every value and draws the search's sample; each later pass
(the refit on all rows) reads the batches again. Memory holds one batch and
the sample, whatever the number of rows. Needs pyarrow (the ``parquet``
extra).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataError
from .columns import check_finite
from .dataset import Dataset, as_dataset, check_enough_rows
from .row_source import CHUNK_ROWS, ChunkedRows, chosen_columns
from .rows import sample_rows


def is_path(X: Any) -> bool:
    """``X`` names a file or folder (a string or path), not data."""
    return isinstance(X, (str, os.PathLike))


class ParquetRows(ChunkedRows):
    """The rows of a Parquet file or dataset: ``variables`` and ``target`` columns, read batch by batch.

    Parameters
    ----------
    path : str or path
        A ``.parquet`` file, or a folder of them (one dataset).
    target : str
        The column holding the output.
    variables : sequence of str, optional
        The input columns (default: every other column).
    chunk_rows : int
        Rows per batch.

    Raises
    ------
    DataError
        When pyarrow is missing, the path is not Parquet, or a column is
        missing or not numeric (naming it and the columns there are).
    """

    def __init__(
        self,
        path: str | os.PathLike,
        target: str | None,
        variables: Sequence[str] | None = None,
        chunk_rows: int = CHUNK_ROWS,
    ) -> None:
        try:
            import pyarrow.dataset as pads
        except ImportError:
            raise DataError(
                "reading Parquet needs pyarrow: pip install 'equation-discovery[parquet]' (or pip install pyarrow), "
                "or load the table yourself and pass the arrays"
            ) from None
        self.path = Path(path)
        if not self.path.exists():
            raise DataError(f"{str(path)!r} does not exist; give the path of a Parquet file or of a folder of them")
        try:
            self.dataset = pads.dataset(str(self.path), format="parquet")
            names = list(self.dataset.schema.names)
        except Exception as err:  # pyarrow's ArrowInvalid and OSError for a file that is not Parquet
            message = f"{str(path)!r} is not readable as Parquet ({err}); give a Parquet file or folder"
            raise DataError(message) from None
        chosen = chosen_columns(names, target, variables, "a Parquet input", repr(str(path)))
        for name in [*chosen, target]:
            kind = self.dataset.schema.field(name).type
            if not _numeric(kind):
                raise DataError(
                    f"column {name!r} of {str(path)!r} holds {kind}, not numbers; "
                    "pass variables=[...] without it, or convert it"
                )
        self.variables, self.target, self.chunk_rows = tuple(chosen), target, chunk_rows
        self.n_rows = int(self.dataset.count_rows())
        check_enough_rows(self.n_rows)
        self._totals: tuple[float, float] | None = None

    def chunks(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for _, X, y in self._batches():
            yield X, y

    def _batches(self) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """(first row, X, y) of each batch, in file order."""
        columns = [*self.variables, self.target]
        first = 0
        # pyarrow reads ahead 16 batches of 4 files by default: 2 GB held at once for 10^8 rows of 3 columns.
        batches = self.dataset.to_batches(
            columns=columns, batch_size=self.chunk_rows, batch_readahead=2, fragment_readahead=1
        )
        for batch in batches:
            if batch.num_rows == 0:
                continue
            arrays = [_as_float(batch.column(j)) for j in range(len(columns))]
            yield first, np.column_stack(arrays[:-1]), arrays[-1]
            first += batch.num_rows

    def sample(self, cap: int, random_state: int | None) -> Dataset:
        """A pass that checks every value, sums y and y², and keeps ``cap`` rows drawn at random (all if fewer).

        Raises
        ------
        DataError
            For a NaN, an infinite value or a missing value, naming the column and the rows.
        """
        rows = sample_rows(self.n_rows, random_state, cap=cap)
        kept_X, kept_y = [], []
        y_sum = y_squares = 0.0
        for first, X, y in self._batches():
            for j, name in enumerate(self.variables):
                check_finite(X[:, j], f"column {name!r}", first_row=first)
            check_finite(y, f"the target {self.target!r}", first_row=first)
            y_sum, y_squares = y_sum + float(y.sum()), y_squares + float(y @ y)
            low, high = np.searchsorted(rows, [first, first + len(y)])
            kept_X.append(X[rows[low:high] - first])
            kept_y.append(y[rows[low:high] - first])
        self._totals = (y_sum, y_squares)
        return as_dataset(np.concatenate(kept_X), np.concatenate(kept_y), variables=self.variables, target=self.target)

    def y_totals(self) -> tuple[float, float]:
        if self._totals is None:
            y_sum = y_squares = 0.0
            for _, y in self.chunks():
                y_sum, y_squares = y_sum + float(y.sum()), y_squares + float(y @ y)
            self._totals = (y_sum, y_squares)
        return self._totals


def _numeric(kind: Any) -> bool:
    import pyarrow as pa

    return pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind)


def _as_float(column: Any) -> np.ndarray:
    """A column of a batch as float64; a missing value (null) becomes NaN, so the check names it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return np.asarray(pc.cast(column, pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False), dtype=np.float64)
