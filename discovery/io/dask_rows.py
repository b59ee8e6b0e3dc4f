"""Rows in a Dask DataFrame or Dask arrays: sampled and summed partition by partition on Dask workers.

Every pass sends one small task per partition to the cluster: the first
checks the partition's values, sums y and y² and returns the rows of the
search's sample that fall in it; each later pass runs the caller's
per-chunk function there (the law layer's Gauss–Newton sums, a k × k
matrix) and the client adds the results. The client holds the sample and
those sums, never a partition. Needs dask and distributed (the ``dask``
extra)."""

from __future__ import annotations

import contextlib
import functools
import operator
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from ..errors import DataError
from .columns import check_finite
from .dataset import Dataset, as_dataset, check_enough_rows
from .row_source import ChunkedRows, chosen_columns
from .rows import sample_rows


def is_dask(X: Any) -> bool:
    """``X`` is a Dask collection (checked by its module, without importing dask)."""
    return type(X).__module__.split(".")[0] == "dask"


@contextlib.contextmanager
def dask_client(cluster: Any = None) -> Iterator[Any]:
    """The client to run on: the one given, one connected to a scheduler address, the current one, or a new local one.

    A ``LocalCluster`` started here is closed on leaving.
    """
    try:
        from distributed import Client, LocalCluster, get_client
    except ImportError:
        raise DataError(
            "Dask input needs dask and distributed: pip install 'equation-discovery[dask]'; "
            "or compute the collection and pass the arrays"
        ) from None
    if cluster is not None and not isinstance(cluster, str):
        yield cluster  # a Client
        return
    if isinstance(cluster, str):
        try:
            client = Client(cluster, timeout=30)
        except OSError as err:
            raise DataError(f"could not reach the Dask scheduler at {cluster!r} ({err}); check the address") from None
        with client:
            yield client
        return
    try:
        current = get_client()  # a client the user already made
    except ValueError:
        current = None
    if current is not None:
        yield current
        return
    with LocalCluster(processes=True, dashboard_address=":0") as local, Client(local) as client:
        yield client


class DaskRows(ChunkedRows):
    """The rows of a Dask DataFrame (``target`` one of its columns) or of a Dask array X with a Dask array y.

    Parameters
    ----------
    X : dask.dataframe.DataFrame or dask.array.Array
    y : dask.array.Array, optional
        With a Dask array X.
    variables : sequence of str, optional
        The input columns (a DataFrame: default every column but ``target``;
        an array: default x0, x1, ...).
    target : str, optional
    client : distributed.Client
    """

    def __init__(self, X: Any, y: Any, variables: Sequence[str] | None, target: str | None, client: Any) -> None:
        import dask

        self.client = client
        if hasattr(X, "columns"):  # a DataFrame
            if y is not None:
                raise DataError("with a Dask DataFrame, the output is one of its columns: give target='name', no y")
            chosen = chosen_columns([str(c) for c in X.columns], target, variables, "a Dask DataFrame", "the frame")
            for name in [*chosen, target]:
                kind = X[name].dtype
                if not (np.issubdtype(kind, np.number) and not np.issubdtype(kind, np.complexfloating)):
                    raise DataError(
                        f"column {name!r} holds {kind}, not numbers; pass variables=[...] without it, or convert it"
                    )
            self.parts = [dask.delayed(_frame_part)(p, chosen, target) for p in X.to_delayed()]
        else:  # arrays
            if y is None or not is_dask(y):
                raise DataError("with a Dask array X, give y as a Dask array of the same rows")
            if X.ndim != 2:
                raise DataError(f"a Dask array X must be 2-D (rows × variables), got {X.ndim}-D")
            chosen = [f"x{j}" for j in range(X.shape[1])] if variables is None else [str(v) for v in variables]
            if len(chosen) != X.shape[1]:
                raise DataError(f"variables names {len(chosen)} columns but X has {X.shape[1]}")
            target = target or "y"
            X = X.rechunk({1: -1})
            y = y.reshape(-1).rechunk((X.chunks[0],))
            self.parts = [dask.delayed(_array_part)(a, b) for a, b in zip(X.to_delayed()[:, 0], y.to_delayed())]
        self.variables, self.target = tuple(chosen), target
        lengths = self.client.gather(self.client.compute([dask.delayed(_length)(p) for p in self.parts]))
        self.lengths = np.array(lengths, dtype=np.int64)
        self.n_rows = int(self.lengths.sum())
        check_enough_rows(self.n_rows)
        self._totals: tuple[float, float] | None = None

    def _run(self, function, *arguments_per_part) -> list:
        import dask

        tasks = [dask.delayed(function)(p, *a) for p, *a in zip(self.parts, *arguments_per_part)]
        return self.client.gather(self.client.compute(tasks))

    def sample(self, cap: int, random_state: int | None) -> Dataset:
        """A pass that checks every value, sums y and y², and brings back ``cap`` rows drawn at random.

        Raises
        ------
        DataError
            For a NaN, an infinite or a missing value, naming the column and the rows (counted over all partitions).
        """
        rows = sample_rows(self.n_rows, random_state, cap=cap)
        firsts = np.concatenate([[0], np.cumsum(self.lengths)[:-1]])
        local = [rows[(rows >= f) & (rows < f + n)] - f for f, n in zip(firsts, self.lengths)]
        names = [f"column {v!r}" for v in self.variables] + [f"the target {self.target!r}"]
        results = self._run(_checked_sample, local, firsts, [names] * len(local))
        for problem in (r for r in results if isinstance(r, str)):
            raise DataError(problem)
        self._totals = (sum(r[2] for r in results), sum(r[3] for r in results))
        X = np.concatenate([r[0] for r in results])
        y = np.concatenate([r[1] for r in results])
        return as_dataset(X, y, variables=self.variables, target=self.target)

    def total(self, per_chunk: Callable[[np.ndarray, np.ndarray], Any]) -> Any:
        """``per_chunk`` of every partition, run on the workers (it must pickle), added on the client."""
        return functools.reduce(operator.add, self._run(_applied, [per_chunk] * len(self.parts)))

    def y_totals(self) -> tuple[float, float]:
        if self._totals is None:
            results = self._run(_y_totals)
            self._totals = (sum(r[0] for r in results), sum(r[1] for r in results))
        return self._totals

    def chunks(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        raise NotImplementedError("the partitions are summed on the workers; see DaskRows.total")


# The functions below run on the workers, one partition at a time.


def _frame_part(frame: Any, variables: list[str], target: str) -> tuple[np.ndarray, np.ndarray]:
    X = frame[variables].to_numpy(dtype=np.float64, na_value=np.nan)
    return X.reshape(len(frame), len(variables)), frame[target].to_numpy(dtype=np.float64, na_value=np.nan)


def _array_part(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64).reshape(-1)


def _length(part: tuple[np.ndarray, np.ndarray]) -> int:
    return len(part[1])


def _checked_sample(part, rows: np.ndarray, first: int, names: list[str]):
    """(X rows, y rows, Σy, Σy²) of a partition, or the DataError's message for its first bad column."""
    X, y = part
    try:
        for j, name in enumerate(names[:-1]):
            check_finite(X[:, j], name, first_row=int(first))
        check_finite(y, names[-1], first_row=int(first))
    except DataError as err:
        return str(err)
    return X[rows], y[rows], float(y.sum()), float(y @ y)


def _y_totals(part) -> tuple[float, float]:
    y = part[1]
    return float(y.sum()), float(y @ y)


def _applied(part, per_chunk):
    X, y = part
    return per_chunk(X, y)
