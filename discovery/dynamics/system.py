"""A discovered system of differential equations: one law per state's derivative."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp
from scipy.integrate import LSODA

from ..errors import DataError
from ..io.columns import input_columns
from ..law.evaluate import numpy_evaluator
from ..law.file import FORMAT_VERSION, LawFileError, package_version, plain, read_json, write_json
from ..law.law import Law

SYSTEM_FORMAT = "equation-discovery.system"
# A simulation that needs more right-hand-side evaluations than this is stopped: a wrong law can be so
# stiff that LSODA would crawl for minutes, and the check must not cost more than the search.
MAX_EVALUATIONS = 200_000


class SimulationStopped(Exception):
    """Raised inside the integrator when a simulation exceeds its evaluations (:data:`MAX_EVALUATIONS`)."""


@dataclass
class System:
    """Differential equations d(state)/dt = f(states, inputs), one :class:`~discovery.Law` per state.

    Attributes
    ----------
    laws : dict of state → Law
        Each state's derivative law, with its front, coefficients (± errors)
        and evidence, as :func:`discovery.discover` returns them.
    states : tuple of str
    inputs : tuple of str
        External inputs the laws may use (not integrated).
    time : str
        The name of the time variable.
    info : dict
        How it was found: ``"derivatives"`` (``"finite"`` or ``"spline"``),
        ``"noise"`` (each state's estimated noise over its spread),
        ``"check"`` (the simulation from each trajectory's first sample:
        its RMS error over the states' spread, and the horizon, the time until
        the error first exceeds :data:`~discovery.dynamics.check.HORIZON_ERROR`
        plus the noise), ``"undetermined"`` (why the data may not determine
        the laws, empty when they do: see
        :func:`~discovery.dynamics.determined.undetermined`; warned as
        :class:`~discovery.UnderdeterminedWarning`),
        ``"seconds"``.
    """

    laws: dict[str, Law]
    states: tuple[str, ...]
    inputs: tuple[str, ...] = ()
    time: str = "t"
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def variables(self) -> tuple[str, ...]:
        """The laws' variables: the states, then the inputs."""
        return self.states + self.inputs

    def __str__(self) -> str:
        """One line per state, ``dx/dt = ...`` with each free coefficient as ``(value ± stderr)``."""
        return "\n".join(f"d{s}/d{self.time} = {str(self.laws[s]).split(' = ', 1)[1]}" for s in self.states)

    @property
    def equations(self) -> list[str]:
        """One line of SymPy syntax per state, ``dx/dt = ...``, floats rounded."""
        return [f"d{s}/d{self.time} = {self.laws[s].formula.split(' = ', 1)[1]}" for s in self.states]

    def __repr__(self) -> str:
        return f"System({'; '.join(self.equations)})"

    def latex(self, uncertainties: bool = False) -> str:
        """The equations as one LaTeX ``aligned`` block, ``\\frac{dx}{dt} &= ...`` per state."""
        rows = []
        for s in self.states:
            body = self.laws[s].latex(uncertainties).split(" = ", 1)[1]
            rows.append(rf"\frac{{d {_latex_name(s)}}}{{d {_latex_name(self.time)}}} &= {body}")
        return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"

    def _repr_latex_(self) -> str:
        """Jupyter: the equations typeset as one aligned block."""
        return f"$\\displaystyle {self.latex()}$"

    def _repr_html_(self) -> str:
        """Jupyter: the equations typeset, then each law's coefficient table."""
        from ..law.notebook import system_html

        return system_html(self)

    def predict_derivatives(self, X: Any) -> np.ndarray:
        """Each state's derivative at the rows of ``X``.

        Parameters
        ----------
        X : 2-D array-like (columns: the states, then the inputs), mapping or DataFrame

        Returns
        -------
        numpy.ndarray, shape (n_rows, n_states)
        """
        columns = input_columns(X, self.variables, expected_by="the system")
        return np.column_stack([self.laws[s].to_numpy()(columns) for s in self.states])

    def simulate(self, x0: Any, t: Any, inputs: Any = None, rtol: float = 1e-8, atol: float = 1e-10) -> np.ndarray:
        """Integrate the system from ``x0`` and return the states at the times ``t`` (SciPy's LSODA).

        The integration stops (and the rows from there on are NaN) where the
        solution stops being finite or needs more than
        :data:`MAX_EVALUATIONS` evaluations: a wrong law may diverge or be
        too stiff to follow.

        Parameters
        ----------
        x0 : sequence of float
            The initial states, in ``states`` order, at ``t[0]``.
        t : 1-D array-like
            Increasing times at which the states are returned.
        inputs : callable or 2-D array-like, optional
            The inputs: ``u(t)`` returning one value per input, or their values
            at the times ``t`` (one column per input), interpolated linearly.

        Returns
        -------
        numpy.ndarray, shape (len(t), n_states)

        Raises
        ------
        DataError
            For a wrong number of initial states, times that do not increase,
            or inputs missing or of the wrong shape.
        """
        x0 = np.asarray(x0, dtype=float).reshape(-1)
        t = np.asarray(t, dtype=float).reshape(-1)
        if len(x0) != len(self.states):
            raise DataError(
                f"x0 has {len(x0)} values; the system has {len(self.states)} states ({', '.join(self.states)})"
            )
        if len(t) < 2 or np.any(np.diff(t) <= 0):
            raise DataError("t must hold at least two increasing times")
        u = input_function(inputs, t, self.inputs)
        functions = [numpy_evaluator(self.laws[s].expression, self.laws[s].constants) for s in self.states]
        names = self.variables

        def rhs(time: float, x: np.ndarray) -> np.ndarray:
            columns = dict(zip(names, np.concatenate([x, u(time)])[:, None]))
            return np.array([float(np.reshape(f(columns), -1)[0]) for f in functions])

        return integrate(rhs, x0, t, rtol, atol)

    def plot(
        self,
        t: Any = None,
        states: Any = None,
        *,
        time: str | None = None,
        trajectory: str | None = None,
        phase: bool = True,
    ):
        """The data against the system simulated from each trajectory's start, and a phase portrait.

        See :func:`discovery.dynamics.plots.plot_system`; returns a matplotlib Figure.
        """
        from .plots import plot_system

        return plot_system(self, t, states, time=time, trajectory=trajectory, phase=phase)

    def save(self, path: str | Path) -> None:
        """Write the system to a readable JSON file (each law as :meth:`Law.save` writes it)."""
        write_json(self.to_dict(), path)

    @classmethod
    def load(cls, path: str | Path) -> System:
        """Read a system written by :meth:`save`; its laws predict exactly what the saved ones did."""
        data = read_json(path, SYSTEM_FORMAT, "system file", "system.save(path) or 'discovery fit-system ... --save'")
        return cls.from_dict(data, path)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": SYSTEM_FORMAT,
            "format_version": FORMAT_VERSION,
            "package_version": package_version(),
            "equations": self.equations,
            "latex": self.latex(),
            "states": list(self.states),
            "inputs": list(self.inputs),
            "time": self.time,
            "laws": {s: self.laws[s].to_dict() for s in self.states},
            "info": plain(self.info),
        }

    @classmethod
    def from_dict(cls, data: dict, path: str | Path = "the system file") -> System:
        try:
            states = tuple(str(s) for s in data["states"])
            laws = {s: Law.from_dict(data["laws"][s], path) for s in states}
            return cls(
                laws, states, tuple(data.get("inputs", ())), str(data.get("time", "t")), dict(data.get("info") or {})
            )
        except (KeyError, TypeError) as err:
            raise LawFileError(f"{str(path)!r} is missing the field {err}; was it edited by hand?") from None


def integrate(
    rhs: Callable[[float, np.ndarray], np.ndarray],
    x0: np.ndarray,
    t: np.ndarray,
    rtol: float,
    atol: float | np.ndarray,
    max_evaluations: int = MAX_EVALUATIONS,
) -> np.ndarray:
    """The states at the times ``t`` of dx/dt = rhs(t, x) from ``x0`` at ``t[0]`` (LSODA), NaN from a failure on.

    The integration stops where the solution stops being finite, the
    right-hand side fails or it needs more than ``max_evaluations``
    evaluations: a wrong law may diverge or be too stiff to follow.
    """
    evaluations = [0]

    def counted(time: float, x: np.ndarray) -> np.ndarray:
        evaluations[0] += 1
        if evaluations[0] > max_evaluations or not np.isfinite(x).all():
            raise SimulationStopped
        return rhs(time, x)

    out = np.full((len(t), len(x0)), np.nan)
    out[0] = x0
    k = 1
    try:  # stepped by hand, so the states up to a failure are kept (solve_ivp would drop them)
        with np.errstate(all="ignore"):
            solver = LSODA(counted, t[0], x0, t[-1], rtol=rtol, atol=atol)
            while k < len(t) and solver.status == "running":
                solver.step()
                if solver.status == "failed":
                    break
                reached = int(np.searchsorted(t, solver.t, side="right"))
                if reached > k:  # every sample time this step passed, interpolated at once
                    out[k:reached] = solver.dense_output()(t[k:reached]).T
                    k = reached
    except (SimulationStopped, FloatingPointError, ValueError, OverflowError, ZeroDivisionError):
        pass  # left NaN from where it stopped: the caller sees how far the law holds
    bad = np.flatnonzero(~np.isfinite(out).all(axis=1))
    if len(bad):
        out[bad[0] :] = np.nan
    return out


def _latex_name(name: str) -> str:
    return sp.latex(sp.Symbol(name))


def input_function(inputs: Any, t: np.ndarray, names: tuple[str, ...]) -> Callable[[float], np.ndarray]:
    if not names:
        return lambda _time: np.empty(0)
    if inputs is None:
        raise DataError(f"the system has inputs ({', '.join(names)}): give their values, inputs=u(t) or an array")
    if callable(inputs):
        return lambda time: np.asarray(inputs(time), dtype=float).reshape(-1)
    if isinstance(inputs, Mapping):
        values = np.column_stack([np.asarray(inputs[n], dtype=float) for n in names])
    else:
        values = np.asarray(inputs, dtype=float).reshape(len(t), -1)
    if values.shape != (len(t), len(names)):
        raise DataError(f"inputs must hold {len(names)} column(s) ({', '.join(names)}) of {len(t)} rows")
    return lambda time: np.array([np.interp(time, t, values[:, j]) for j in range(len(names))])
