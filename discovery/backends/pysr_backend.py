"""PySR (Python front end, Julia engine) as a search backend.

``import pysr`` downloads and starts Julia on first use. It happens only in
:meth:`PySRBackend.search_expressions`; where Julia cannot be had the user gets one
:class:`BackendUnavailable` saying how to provide it.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from typing import Any

import sympy as sp

from ..errors import BackendUnavailable
from ..io.dataset import Dataset
from .base import ExpressionCandidate, SearchBackend, unary_operators_for

PYSR_UNARY = {"sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sinh", "cosh", "asin", "acos", "atan", "abs"}
MAX_SIZE = 30

JULIA_HELP = (
    "method='pysr' needs PySR's Julia engine, which could not be started here ({reason}). "
    "PySR installs Julia and its packages on first import, which needs the internet. To use it offline, "
    "install Julia (1.10 or later) yourself, point PySR at it with PYTHON_JULIAPKG_EXE=/path/to/julia, "
    "and set PYTHON_JULIAPKG_OFFLINE=yes (with PYTHON_JULIAPKG_PROJECT at a Julia project that already has "
    "SymbolicRegression.jl) so juliapkg downloads nothing. Without Julia, use method='operon' "
    "(pip install pyoperon) or method='basis'."
)


class PySRBackend(SearchBackend):
    """PySR's regularised evolution, deterministic and single-threaded.

    Parameters
    ----------
    maxsize : int
        Largest expression PySR builds.
    units : mapping of variable (or target) name → unit string, optional
        Passed to PySR as ``X_units`` / ``y_units`` (dimensional analysis).
    """

    name = "pysr"

    def __init__(self, maxsize: int = MAX_SIZE, units: Mapping[str, str] | None = None) -> None:
        self.maxsize = maxsize
        self.units = units

    def options(
        self,
        data: Dataset,
        time_limit: float,
        random_state: int | None,
        hint: sp.Expr | None = None,
        constants: Mapping[str, float] | None = None,
        accepted: Iterable[str] | None = None,
    ) -> dict[str, Any]:
        """Keyword arguments for ``pysr.PySRRegressor``, limited to those the installed version takes.

        Parameters
        ----------
        constants : mapping, optional
            Values of named constants in ``hint`` (its guess is written with their values).
        accepted : iterable of str, optional
            The parameter names of the installed ``PySRRegressor`` (all of the
            ones below when omitted). PySR 1.x and 2.x differ in how serial,
            deterministic runs are asked for and in whether guesses exist.
        """
        unary = [f for f in unary_operators_for(hint) if f in PYSR_UNARY]
        options: dict[str, Any] = dict(
            binary_operators=["+", "-", "*", "/"],
            unary_operators=unary,
            maxsize=self.maxsize,
            niterations=10**6,  # the timeout stops it
            timeout_in_seconds=float(time_limit),
            random_state=0 if random_state is None else int(random_state),
            deterministic=True,
            parallelism="serial",  # PySR ≥ 0.19; older versions use procs=0, multithreading=False
            procs=0,
            multithreading=False,
            verbosity=0,
            progress=False,
            temp_equation_file=True,
        )
        if hint is not None:
            options["guesses"] = [julia_form(hint, data.variables, constants or {})]
        if accepted is not None:
            accepted = set(accepted)
            if "parallelism" in accepted:
                options.pop("procs"), options.pop("multithreading")
            options = {k: v for k, v in options.items() if k in accepted}
        else:
            options.pop("procs"), options.pop("multithreading")
        return options

    def fit_arguments(self, data: Dataset) -> dict:
        """Keyword arguments for ``PySRRegressor.fit``: safe variable names, and units where given."""
        arguments: dict[str, Any] = {"variable_names": [f"x{j}" for j in range(len(data.variables))]}
        if self.units:
            arguments["X_units"] = [self.units.get(v, "") for v in data.variables]
            if data.target in self.units:
                arguments["y_units"] = self.units[data.target]
        return arguments

    def search_expressions(
        self,
        data: Dataset,
        time_limit: float,
        random_state: int | None,
        hint: sp.Expr | None = None,
        constants: Mapping[str, float] | None = None,
    ) -> list[ExpressionCandidate]:
        regressor = import_pysr()
        accepted = inspect.signature(regressor.__init__).parameters
        model = regressor(**self.options(data, time_limit, random_state, hint, constants, accepted))
        model.fit(data.X, data.y, **self.fit_arguments(data))
        return candidates_from_hall_of_fame(model.equations_, data.variables)


def import_pysr():
    """``pysr.PySRRegressor``, or BackendUnavailable with the way to provide Julia."""
    try:
        from pysr import PySRRegressor
    except ImportError as err:
        if isinstance(err, ModuleNotFoundError) and err.name == "pysr":  # not installed (not: a dependency missing)
            raise BackendUnavailable(
                "method='pysr' needs the pysr package: pip install pysr (it then needs Julia; see its docs), "
                "or use method='operon' or method='basis'"
            ) from None
        raise BackendUnavailable(JULIA_HELP.format(reason=f"{type(err).__name__}: {err}")) from None
    except Exception as err:  # juliapkg/juliacall fail with URLError, CalledProcessError, JuliaError...
        raise BackendUnavailable(JULIA_HELP.format(reason=f"{type(err).__name__}: {str(err)[:200]}")) from None
    return PySRRegressor


def julia_form(expression: sp.Expr, variables, constants: Mapping[str, float]) -> str:
    """The expression in PySR's guess syntax: x0, x1, ... and ``^`` for powers."""
    names = {sp.Symbol(v): sp.Symbol(f"x{j}") for j, v in enumerate(variables)}
    values = {sp.Symbol(k): sp.Float(v) for k, v in constants.items()}
    return sp.sstr(expression.xreplace(values).xreplace(names)).replace("**", "^")


def candidates_from_hall_of_fame(equations, variables) -> list[ExpressionCandidate]:
    """PySR's ``equations_`` table (complexity, loss, sympy_format) as candidates in the variables' symbols."""
    names = {f"x{j}": sp.Symbol(v) for j, v in enumerate(variables)}
    candidates = []
    for _, row in equations.iterrows():
        expression = sp.sympify(row["sympy_format"])
        expression = expression.xreplace({s: names[s.name] for s in expression.free_symbols if s.name in names})
        candidates.append(ExpressionCandidate(expression, int(row["complexity"]), float(row["loss"])))
    return candidates
