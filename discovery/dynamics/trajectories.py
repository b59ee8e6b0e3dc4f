"""Time series as the dynamics search reads them: one or several trajectories, checked.

A trajectory is a strictly increasing time column, the states measured at
those times and, optionally, external inputs (forcing, controls) measured at
the same times. Every check names the trajectory and the row, so a user can
find the bad sample in their own file. Tables, numbers and non-finite values
are read and found as every input is (:mod:`discovery.io.columns`, the one
input check); only the messages say what a time series needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import DataError
from ..io.columns import check_name, is_table, not_finite_rows, numeric_columns, numeric_values, table_columns

MIN_SAMPLES = 5  # a derivative from a local polynomial of degree 4 needs five samples


@dataclass(frozen=True)
class Trajectory:
    """One trajectory: times ``t`` (n,), states ``x`` (n, states) and inputs ``u`` (n, inputs; may have 0 columns)."""

    t: np.ndarray
    x: np.ndarray
    u: np.ndarray

    def columns(self, names: Sequence[str]) -> dict[str, np.ndarray]:
        """The states then the inputs as columns named ``names`` (how laws are evaluated)."""
        return dict(zip(names, np.hstack([self.x, self.u]).T))


@dataclass(frozen=True)
class Trajectories:
    """Checked trajectories and the names of their columns."""

    items: tuple[Trajectory, ...]
    states: tuple[str, ...]
    inputs: tuple[str, ...]
    time: str = "t"

    @property
    def n_rows(self) -> int:
        return sum(len(tr.t) for tr in self.items)


def as_trajectories(
    t: Any,
    states: Any = None,
    *,
    variables: Sequence[str] | None = None,
    inputs: Any = None,
    time: str | None = None,
    trajectory: str | None = None,
) -> Trajectories:
    """Read and check time series given as arrays, lists of arrays or DataFrames.

    Parameters
    ----------
    t : 1-D array, list of 1-D arrays, DataFrame or list of DataFrames
        The times; or, with ``states=None``, DataFrames (or mappings of column
        name to values) holding a ``time`` column, the states and any inputs.
    states : 2-D array or list of 2-D arrays, optional
        The states, one row per time, one column per state (a 1-D array for a
        single state).
    variables : sequence of str, optional
        The states' names (default: the frame's columns other than the time,
        the inputs and the trajectory label; x0, x1, ... for arrays).
    inputs : mapping or sequence of str, optional
        With arrays: a mapping of input name to its values (one 1-D array, or a
        list of them, one per trajectory). With DataFrames: the names of the
        columns that are inputs, not states.
    time : str, optional
        The frames' time column (default ``"t"``).
    trajectory : str, optional
        A frame column labelling the trajectory of each row; its rows are
        split into trajectories by label, in order of first appearance.

    Raises
    ------
    DataError
        Naming the trajectory (numbered from 0) and the row: a time that does
        not increase (unsorted or repeated), a NaN or infinite value (which
        column), a state or input with another number of rows than the
        times, fewer than 5 samples, or an unknown or repeated name.
    """
    if states is None:
        if not (is_table(t) or (isinstance(t, (list, tuple)) and t and all(is_table(f) for f in t))):
            raise DataError(
                "discover_system needs times and states: discover_system(t, states, variables=[...]), "
                "or a DataFrame with a time column: discover_system(frame, time='t')"
            )
        return _from_frames(
            list(t) if isinstance(t, (list, tuple)) else [t], variables, inputs, time or "t", trajectory
        )
    if is_table(t):
        raise DataError("with a DataFrame, give the time column's name (time='t') and no states")
    if trajectory is not None:
        raise DataError("trajectory= names a DataFrame column; with arrays, pass one array per trajectory in a list")
    several = isinstance(t, (list, tuple)) and len(t) > 0 and np.ndim(t[0]) == 1
    ts = list(t) if several else [t]
    xs = list(states) if several else [states]
    if several and not isinstance(states, (list, tuple)):
        raise DataError(f"t is a list of {len(ts)} trajectories' times: give states as a list of as many arrays")
    if len(ts) != len(xs):
        raise DataError(f"{len(ts)} trajectories' times but {len(xs)} trajectories' states: give one states array each")
    raw_states = [_state_table(x, i) for i, x in enumerate(xs)]
    widths = {x.shape[1] for x in raw_states}
    if len(widths) > 1:
        raise DataError(f"the trajectories hold different numbers of states: {sorted(widths)}; give the same columns")
    width = widths.pop()
    names = _names(variables, width, "x")
    x_arrays = [_state_matrix(i, x, names) for i, x in enumerate(raw_states)]
    input_names, u_arrays = _input_arrays(inputs, len(ts))
    _checked_names(names, input_names)
    items = [
        _checked(i, np.asarray(ti), x, u, names, input_names)
        for i, (ti, x, u) in enumerate(zip(ts, x_arrays, u_arrays))
    ]
    return Trajectories(tuple(items), names, input_names, time or "t")


def _state_table(x: Any, i: int) -> np.ndarray:
    """Trajectory ``i``'s states as a 2-D array, not yet converted to numbers (a column at a time, by io)."""
    try:
        array = np.asarray(x)
    except ValueError:  # NumPy refuses nested lists of different lengths
        raise DataError(
            f"trajectory {i}: the states have rows of different lengths; give one value per state"
        ) from None
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise DataError(
            f"trajectory {i}: states must be a 2-D array (rows: times, columns: states), got {array.ndim}-D"
        )
    return array


def _state_matrix(i: int, raw: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """Trajectory ``i``'s states as float64, each column read as io reads any column."""
    columns = _numeric(i, {name: raw[:, j] for j, name in enumerate(names)})
    return np.column_stack(list(columns.values())) if columns else np.empty((len(raw), 0))


def _names(given: Sequence[str] | None, width: int, prefix: str) -> tuple[str, ...]:
    if given is None:
        return tuple(f"{prefix}{j}" for j in range(width))
    names = tuple(str(v) for v in given)
    if len(names) != width:
        raise DataError(f"variables names {len(names)} states ({', '.join(names)}) but the states have {width} columns")
    return names


def _input_arrays(inputs: Any, count: int) -> tuple[tuple[str, ...], list[np.ndarray]]:
    if inputs is None:
        return (), [np.empty((0, 0))] * count
    if not isinstance(inputs, Mapping):
        raise DataError("with arrays, inputs must be a mapping of input name to its values, e.g. {'u': u}")
    names = tuple(str(k) for k in inputs)
    per_trajectory: list[list[np.ndarray]] = [[] for _ in range(count)]
    for name, values in inputs.items():
        listed = list(values) if isinstance(values, (list, tuple)) and np.ndim(values[0]) == 1 else [values]
        if len(listed) != count:
            raise DataError(f"input {name!r} has values for {len(listed)} trajectories; the states have {count}")
        for i, v in enumerate(listed):
            per_trajectory[i].append(numeric_values(v, f"trajectory {i}: input {name!r}").reshape(-1))
    return names, [np.column_stack(cols) if cols else np.empty((0, 0)) for cols in per_trajectory]


def _from_frames(
    frames: list[Any], variables: Sequence[str] | None, inputs: Any, time: str, trajectory: str | None
) -> Trajectories:
    if inputs is not None and (isinstance(inputs, (str, Mapping)) or not all(isinstance(n, str) for n in inputs)):
        raise DataError("with DataFrames, inputs must be a list of column names, e.g. inputs=['u']")
    input_names = tuple(inputs or ())
    pieces: list[dict[str, np.ndarray]] = []
    for k, frame in enumerate(frames):
        which = f"DataFrame {k}" if len(frames) > 1 else "the data"
        table, _ = table_columns(frame)
        for name in (time, *input_names, *([trajectory] if trajectory else []), *(variables or ())):
            if name not in table:
                raise DataError(f"{which} has no column {name!r}; its columns are {', '.join(table)}")
        wanted = None if variables is None else {time, *input_names, *variables}
        used = {c: v for c, v in table.items() if c != trajectory and (wanted is None or c in wanted)}
        columns = _numeric(which if len(frames) > 1 else None, used)
        if trajectory is None:
            pieces.append(columns)
            continue
        labels = np.asarray(table[trajectory])
        if len(labels) != len(columns[time]):
            raise DataError(
                f"columns have different lengths ({trajectory!r} has {len(labels)}, {time!r} has "
                f"{len(columns[time])} rows); give every column one value per row"
            )
        for label in dict.fromkeys(labels.tolist()):
            pieces.append({c: v[labels == label] for c, v in columns.items()})
    skip = {time, *input_names}
    names = tuple(variables) if variables is not None else tuple(c for c in pieces[0] if c not in skip)
    if not names:
        raise DataError(
            f"no state columns: the data hold only {', '.join([*pieces[0], *([trajectory] if trajectory else [])])}"
        )
    _checked_names(names, input_names)
    items = []
    for i, piece in enumerate(pieces):
        x = np.column_stack([piece[n] for n in names])
        u = np.column_stack([piece[n] for n in input_names]) if input_names else np.empty((0, 0))
        items.append(_checked(i, piece[time], x, u, names, input_names))
    return Trajectories(tuple(items), names, input_names, time)


def _numeric(where: int | str | None, columns: dict[str, Any]) -> dict[str, np.ndarray]:
    """The columns as float64 of one length (:func:`~discovery.io.columns.numeric_columns`), the message
    prefixed with the trajectory (a number) or DataFrame (a text) at fault."""
    try:
        return numeric_columns(columns)
    except DataError as err:
        if where is None:
            raise
        raise DataError(f"{f'trajectory {where}' if isinstance(where, int) else where}: {err}") from None


def _checked_names(names: tuple[str, ...], input_names: tuple[str, ...]) -> None:
    """Every state and input name usable in a formula, none twice; else DataError."""
    for name in names + input_names:
        check_name(name, "state or input")
    repeated = sorted({n for n in names + input_names if (names + input_names).count(n) > 1})
    if repeated:
        raise DataError(f"{', '.join(repeated)} named twice among the states and inputs")


def _checked(
    i: int, t: np.ndarray, x: np.ndarray, u: np.ndarray, names: tuple[str, ...], input_names: tuple[str, ...]
) -> Trajectory:
    """One trajectory, or DataError naming trajectory ``i`` and the row at fault."""
    t = numeric_values(t, f"trajectory {i}: the time")
    if t.ndim > 1:
        raise DataError(f"trajectory {i}: the times must be 1-D")
    t = t.reshape(-1)
    n = len(t)
    if len(x) != n:
        raise DataError(f"trajectory {i}: {n} times but {len(x)} rows of states; give one row of states per time")
    if input_names and len(u) != n:
        raise DataError(f"trajectory {i}: {n} times but {len(u)} rows of inputs; give one row of inputs per time")
    if n < MIN_SAMPLES:
        raise DataError(f"trajectory {i} has {n} samples; derivatives need at least {MIN_SAMPLES}")
    for label, values in (("the time", t[:, None]), *((name, x[:, [j]]) for j, name in enumerate(names))):
        _check_finite(i, label, values[:, 0], t)
    for j, name in enumerate(input_names):
        _check_finite(i, name, u[:, j], t)
    steps = np.diff(t)
    bad = np.flatnonzero(steps <= 0)
    if len(bad):
        row = int(bad[0]) + 1
        if steps[bad[0]] == 0:
            raise DataError(
                f"trajectory {i}, row {row}: time {t[row]:g} repeats row {row - 1}'s; "
                "drop or average the repeated samples"
            )
        raise DataError(
            f"trajectory {i}, row {row}: time {t[row]:g} comes after {t[row - 1]:g}; sort the rows by time "
            "(or split a restart into its own trajectory)"
        )
    return Trajectory(t, np.ascontiguousarray(x), u if input_names else np.empty((n, 0)))


def _check_finite(i: int, label: str, values: np.ndarray, t: np.ndarray) -> None:
    """DataError naming trajectory ``i``, the first row at fault and its time: a derivative needs every sample."""
    bad = not_finite_rows(values)
    if len(bad):
        row = int(bad[0])
        when = "" if label == "the time" or not np.isfinite(t[row]) else f" (t = {t[row]:g})"
        more = f" and {len(bad) - 1} more rows" if len(bad) > 1 else ""
        raise DataError(
            f"trajectory {i}, row {row}{when}: {label} is {values[row]}{more}; derivatives need every sample: "
            "drop the rows with gaps (split the trajectory there) or fill them"
        )
