"""All rows of a dataset as chunks, each read when needed: the passes of a refit over every row.

A source adds up what a function gives for each chunk. The function comes
from the caller (the law layer's sums for a Gauss–Newton step) and depends
on nothing but its chunk, so a source whose chunks live elsewhere (Dask
workers) can run it there and add the results.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from ..errors import DataError

CHUNK_ROWS = 262_144  # rows per chunk of a pass: a few MB per column, whatever the data's size


class ChunkedRows:
    """All rows, read one chunk at a time; every call of :meth:`chunks` is a new pass.

    Subclasses give :meth:`chunks`, ``n_rows`` and :meth:`y_totals`; one whose
    chunks live elsewhere overrides :meth:`total`.
    """

    n_rows: int

    def chunks(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """A new pass: (X, y) chunks, X's columns in the variables' order."""
        raise NotImplementedError

    def y_totals(self) -> tuple[float, float]:
        """Σy and Σy² over all rows (for R²)."""
        raise NotImplementedError

    def total(self, per_chunk: Callable[[np.ndarray, np.ndarray], Any]) -> Any:
        """One pass: ``per_chunk(X, y)`` of every chunk, added with ``+``."""
        return functools.reduce(operator.add, (per_chunk(X, y) for X, y in self.chunks()))


class ArrayRows(ChunkedRows):
    """Rows in memory, passed over ``chunk_rows`` at a time (views, no copies)."""

    def __init__(self, X: np.ndarray, y: np.ndarray, chunk_rows: int = CHUNK_ROWS) -> None:
        self.X, self.y, self.chunk_rows, self.n_rows = X, y, chunk_rows, len(y)

    def chunks(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for start in range(0, self.n_rows, self.chunk_rows):
            yield self.X[start : start + self.chunk_rows], self.y[start : start + self.chunk_rows]

    def y_totals(self) -> tuple[float, float]:
        return float(self.y.sum()), float(self.y @ self.y)


def chosen_columns(
    names: Sequence[str], target: str | None, variables: Sequence[str] | None, what: str, place: str
) -> list[str]:
    """The input columns of a table whose columns are ``names``: ``variables``, or every one but ``target``.

    ``what`` names the input in messages (``"a Parquet input"``), ``place`` where the columns are
    (``"'data.parquet'"``, ``"the frame"``).

    Raises
    ------
    DataError
        For a missing or unknown target, unknown variables, or a target among the variables.
    """
    names = list(names)
    if target is None:
        raise DataError(f"{what} needs target='name' naming the output column; its columns are {names}")
    if target not in names:
        raise DataError(f"the target {target!r} is not a column of {place}; its columns are {names}")
    chosen = [n for n in names if n != target] if variables is None else [str(v) for v in variables]
    missing = [v for v in chosen if v not in names]
    if missing:
        raise DataError(f"column(s) {missing} are not in {place}; its columns are {names}")
    if target in chosen:
        raise DataError(f"the target {target!r} is also an input variable; drop it from the inputs")
    return chosen
