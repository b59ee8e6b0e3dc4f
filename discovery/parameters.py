"""Every parameter of the three front doors, what it must be, checked in one place.

:data:`PARAMETERS` is the table; :func:`check_parameters` checks given values
against it (``SparseBasisRegressor.fit``, ``discover`` and
``discover_system`` call it before any work, and
:func:`suggests_keywords` answers their mistyped keywords with the nearest
name); :func:`settings_for` turns the checked values and the data into the
:class:`~discovery.search.library_fit.Settings` a library fit runs with. What
depends on the data (constants against the variable names, a library's
terms) is checked there, with the data.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any, TypeVar

import numpy as np

from bases import Library

from .device import resolve_device, resolve_dtype
from .errors import DataError
from .io.dataset import Dataset, check_constants
from .io.library import resolve_library
from .io.rows import ROW_CAP
from .search.library_fit import Settings
from .settle.criteria import CRITERIA
from .solvers import SOLVERS, Solver, make_solver

METHODS = ("auto", "basis", "forms", "pysr", "operon", "decompose")
F = TypeVar("F", bound=Callable[..., Any])
DTYPES = ("float64", "float32")
DERIVATIVES = ("auto", "finite", "spline")  # how discover_system estimates the states' time derivatives


@dataclass(frozen=True)
class Constraint:
    """What one parameter must be.

    Attributes
    ----------
    requirement : str
        Said in the error: ``"max_terms must be <requirement>, got 0"``.
    accepts : callable
        True for an acceptable value.
    convert : callable, optional
        The value as used (e.g. a solver name → a Solver); may raise DataError itself.
    choices : tuple of str
        For a choice among names: offered as "did you mean" for a near miss.
    """

    requirement: str
    accepts: Callable[[Any], bool]
    convert: Callable[[Any], Any] | None = None
    choices: tuple[str, ...] = ()

    def check(self, name: str, value: Any) -> Any:
        """``value`` as used, or DataError naming the parameter, what it must be and what it got."""
        if not self.accepts(value):
            hint = get_close_matches(value, self.choices, n=1) if isinstance(value, str) and self.choices else []
            did_you_mean = f"; did you mean {hint[0]!r}?" if hint else ""
            raise DataError(f"{name} must be {self.requirement}, got {value!r}{did_you_mean}")
        return self.convert(value) if self.convert else value


def _whole(minimum: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) and v >= minimum


def _real(low: float, high: float = math.inf, *, include_low: bool = True) -> Callable[[Any], bool]:
    def accepts(v: Any) -> bool:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
            return False
        return math.isfinite(v) and (v >= low if include_low else v > low) and v < high

    return accepts


def _flag(v: Any) -> bool:
    return isinstance(v, (bool, np.bool_))


def _optional(accepts: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda v: v is None or accepts(v)


def _one_of(options: tuple[str, ...]) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, str) and v in options


def _names(v: Any) -> bool:
    return isinstance(v, (list, tuple)) and all(isinstance(name, str) for name in v)


def _library(v: Any) -> bool:
    return v is None or isinstance(v, (str, Library, list, tuple))


def _device(v: Any) -> bool:
    return v is None or isinstance(v, str) or type(v).__name__ == "device"  # a torch.device, without importing torch


def _dtype(v: Any) -> bool:
    return v in DTYPES or str(v) in ("torch.float64", "torch.float32")


def _inputs(v: Any) -> bool:
    return v is None or isinstance(v, (Mapping, list, tuple))


def _choice(options: tuple[str, ...]) -> str:
    return "one of " + ", ".join(map(repr, options))


PARAMETERS: dict[str, Constraint] = {
    "library": Constraint(
        "a Library, text or a sequence of terms (None: the default library, grown by levels)", _library
    ),
    "extra_terms": Constraint("a Library, text or a sequence of terms added to the default library, or None", _library),
    "solver": Constraint(
        f"{_choice(tuple(SOLVERS))} or a Solver instance", lambda v: isinstance(v, (str, Solver)), make_solver
    ),
    "max_terms": Constraint("a whole number, at least 1", _whole(1), int),
    "criterion": Constraint(_choice(CRITERIA), _one_of(CRITERIA), choices=CRITERIA),
    "constants": Constraint(
        "a mapping of name to value such as {'g': 9.81}, or None", lambda v: v is None or isinstance(v, Mapping)
    ),
    # Checked against the rows (discovery.io.measurement_errors): a number or one per row.
    "sigma": Constraint("a positive number, one per row, or None", lambda v: True),
    "weights": Constraint("one positive weight per row, or None", lambda v: True),
    "prune_tol": Constraint("a fraction of RMS(y) in [0, 1)", _real(0.0, 1.0), float),
    "snap": Constraint("True or False", _flag, bool),
    "cv_folds": Constraint("a whole number of folds, at least 2", _whole(2), int),
    "device": Constraint("'auto', 'cpu', 'cuda', 'cuda:k' or a torch.device", _device),
    "dtype": Constraint(_choice(DTYPES), _dtype, choices=DTYPES),
    "chunk_rows": Constraint("a whole number of rows, at least 1", _whole(1), int),
    "random_state": Constraint("a whole number, at least 0, or None", _optional(_whole(0))),
    "variables": Constraint("a list of names such as ['v', 'theta'], or None", _optional(_names)),
    "target": Constraint("a name such as 's', or None", _optional(lambda v: isinstance(v, str))),
    "time_limit": Constraint("a positive number of seconds, or None", _optional(_real(0.0, include_low=False))),
    # None: a progress bar where someone is watching (discovery.progress); True: that and a line per step.
    "verbose": Constraint("True, False or None (a progress bar when interactive)", _optional(_flag)),
    "method": Constraint(_choice(METHODS), _one_of(METHODS), choices=METHODS),
    "bootstrap": Constraint("a whole number of resamples (0 for none)", _whole(0), int),
    "units": Constraint(
        "a mapping of name to unit such as {'v': 'm/s', 'theta': ''}, or None",
        lambda v: v is None or isinstance(v, Mapping),
    ),
    "target_unit": Constraint("a unit such as 'm' ('' for none), or None", lambda v: v is None or isinstance(v, str)),
    # discover_system's own: the time series' layout and the steps around the per-state searches.
    "inputs": Constraint(
        "a mapping of input name to values (with arrays), a list of input column names (with DataFrames), or None",
        _inputs,
    ),
    "time": Constraint("a column name such as 't', or None", _optional(lambda v: isinstance(v, str))),
    "trajectory": Constraint("a column name such as 'run', or None", _optional(lambda v: isinstance(v, str))),
    "derivatives": Constraint(_choice(DERIVATIVES), _one_of(DERIVATIVES), choices=DERIVATIVES),
    "check": Constraint("True or False", _flag, bool),
    "trajectory_fit": Constraint("True or False", _flag, bool),
    "cluster": Constraint(
        "None, a Dask scheduler address such as 'tcp://10.0.0.5:8786', or a distributed.Client",
        lambda v: v is None or isinstance(v, str) or (hasattr(v, "submit") and hasattr(v, "gather")),
    ),
}


@dataclass(frozen=True)
class SearchOptions:
    """How ``discover`` searches rows, passed down whole: its parameters but the data's and the time limit."""

    constants: Mapping[str, float] | None = None
    library: Any = None
    solver: Any = "l0"
    max_terms: int = 5
    criterion: str = "bic"
    random_state: int | None = None
    device: Any = "auto"
    verbose: bool | None = None
    method: str = "auto"
    bootstrap: int = 0
    units: Mapping[str, Any] | None = None
    target_unit: Any = None
    extra_terms: Any = None

    @classmethod
    def of(cls, parameters: Mapping[str, Any]) -> SearchOptions:
        """The options among ``discover``'s parameters (checked by :func:`check_parameters`, as given)."""
        return cls(**{f.name: parameters[f.name] for f in dataclasses.fields(cls)})

    def estimator(self) -> dict[str, Any]:
        """The :class:`SparseBasisRegressor` parameters among these (but the seed, given with the data)."""
        names = ("library", "solver", "max_terms", "criterion", "constants", "device", "verbose", "extra_terms")
        return {name: getattr(self, name) for name in names}


def check_parameters(values: Mapping[str, Any]) -> dict[str, Any]:
    """Check each named value against :data:`PARAMETERS`; the values as used.

    Raises
    ------
    DataError
        For the first value that breaks its constraint, naming the parameter,
        what it must be and the value given (with a "did you mean" for a
        near-miss name).
    """
    return {name: PARAMETERS[name].check(name, value) for name, value in values.items()}


def suggests_keywords(function: F) -> F:
    """Decorate a front door: a keyword it does not take raises TypeError naming the nearest one it does.

    Python's own TypeError names only the unknown keyword; a near miss
    (``max_term=3``, ``trajectory_fitt=False``) is answered with the
    keyword meant, as a near-miss value is by :func:`check_parameters`.
    """
    taken = [
        p.name
        for p in inspect.signature(function).parameters.values()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]

    @functools.wraps(function)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        for name in kwargs:
            if name not in taken:
                hint = get_close_matches(name, taken, n=1)
                did_you_mean = f"; did you mean {hint[0]!r}?" if hint else f"; it takes {', '.join(taken)}"
                raise TypeError(f"{function.__name__}() got an unexpected keyword argument {name!r}{did_you_mean}")
        return function(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def settings_for(parameters: Mapping[str, Any], data: Dataset) -> Settings:
    """The settings of a library fit, from checked estimator parameters and the data they apply to.

    Raises
    ------
    DataError
        For constants that clash with the variables or are not finite
        non-zero numbers, an unknown device or dtype, or CUDA asked for
        where there is none.
    """
    constants = check_constants(parameters["constants"], data.variables)
    return Settings(
        solver=parameters["solver"],
        max_terms=parameters["max_terms"],
        criterion=parameters["criterion"],
        constants=constants,
        prune_tol=parameters["prune_tol"],
        snap=parameters["snap"],
        cv_folds=parameters["cv_folds"],
        # The library fit's Gram sums and solver see at most ROW_CAP rows (see library_fit.fit_library).
        device=resolve_device(parameters["device"], rows=min(data.n_rows, ROW_CAP)),
        dtype=resolve_dtype(parameters["dtype"]),
        chunk_rows=parameters["chunk_rows"],
        random_state=parameters["random_state"],
        extra_terms=(
            Library([])
            if parameters.get("extra_terms") is None
            else resolve_library(parameters["extra_terms"], data.variables, constants)
        ),
    )
