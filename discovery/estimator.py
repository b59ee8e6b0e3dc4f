"""SparseBasisRegressor: a scikit-learn style estimator that returns a law."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import sympy as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from bases import Library

from .deadline import Deadline
from .io.columns import input_columns
from .io.dataset import NO_KNOWN_ERROR, TargetError, as_dataset
from .io.library import resolve_library
from .io.sources import search_rows
from .law.evaluate import numpy_evaluator
from .parameters import check_parameters, settings_for
from .progress import progress
from .search.levels import BasisSearch
from .search.library_fit import fit_library
from .settle.all_rows_checks import refitted_on_all_rows


class SparseBasisRegressor(RegressorMixin, BaseEstimator):
    """Sparse regression on a library of symbolic terms; the fit is a readable law.

    The library is evaluated in torch (on ``device``) into its Gram sums; the
    solver proposes supports; each is refitted on the rows and scored by BIC,
    AIC and a held-out error; the Pareto front of complexity against error is
    kept and the law chosen by ``criterion`` is pruned, snapped to exact
    constants and simplified.

    Parameters
    ----------
    library : bases.Library, str, sequence of terms, or None
        The candidate terms; a string is parsed by :func:`bases.parse_library`.
        None grows :func:`bases.default_library` from the variables, level by
        level, until the law stops improving or ``time_limit`` passes, and
        tries the same on transforms of the target (1/y, y², log y, ...).
    solver : {"l0", "stlsq", "lasso", "lstsq", "adam"} or Solver
        How supports are proposed.
    max_terms : int
        Largest number of terms in a law (subset and penalised solvers).
    criterion : {"bic", "aic", "cv"}
        How the law is chosen from the Pareto front.
    constants : mapping of name → float, optional
        Named constants to recognise in coefficients, e.g. ``{"g": 9.81}``.
    prune_tol : float
        Terms contributing less than this fraction of RMS(y) are pruned when
        the BIC does not get worse.
    snap : bool
        Recognise exact coefficients (rationals, π, named constants).
    cv_folds : int
        Folds of the held-out error.
    device : {"auto", "cpu", "cuda", ...}
        Where the numeric work runs; "auto" is CUDA when present and the
        library fit sees at least :data:`~discovery.device.GPU_CROSSOVER_ROWS`
        rows (it sees at most 4,000), else the CPU.
    dtype : {"float64", "float32"}
    chunk_rows : int
        Rows evaluated at a time.
    random_state : int or None
        Seeds the folds and any random initialisation.
    variables : sequence of str, optional
        Names of X's columns (default: DataFrame/mapping names, or x0, x1...).
    target : str, optional
        Name of the output (a DataFrame column when ``y`` is omitted).
    time_limit : float or None
        Seconds the default-library search may take: a level or target
        transform is fitted only when the largest fit so far says it will end
        within ``time_limit + max(1 s, 5 %)``; ``law_.info["time_limit_reached"]``
        says when the search stopped early.
    verbose : bool or None
        None (default) or True: a progress bar on stderr where someone is
        watching (a terminal or a notebook; see :mod:`discovery.progress`),
        silent elsewhere; True also writes a line per fitted level and target.
        False: neither.
    extra_terms : bases.Library, str, sequence of terms, or None
        Terms added to the default library at every level (with no
        ``library``), for the target itself: candidates the default library
        lacks, such as ``x*y/(1 + x)``.

    Notes
    -----
    Beyond 20,000 rows (:data:`~discovery.io.rows.SEARCH_ROWS`), the law is
    found on 20,000 rows drawn with ``random_state`` and then refitted and
    measured on every row, its front judged again there, as ``discover``
    does (``law_.info["all_rows"]``); :meth:`resume` continues on the sample.

    The parameters mean what :func:`discovery.discover`'s of the same name
    mean, with the same defaults. The estimator is the basis method alone, a
    model for scikit-learn's pipelines and searches: ``discover`` adds the
    other methods (``method``), the resampling of its choice (``bootstrap``),
    which refits whatever step chose the law, and the search in dimensionless
    groups (``units``), which changes the inputs the search sees.

    Attributes
    ----------
    law_ : Law
        The chosen law.
    library_ : bases.Library
        The terms actually used (undefined and duplicate terms removed).
    coef_ : numpy.ndarray
        The law's coefficient of each term of ``library_`` (0 when absent).
    front_ : list of FrontEntry
        The Pareto front.
    variables_ : tuple of str
    n_features_in_ : int
    device_ : str
        The device used.
    settings_ : discovery.search.library_fit.Settings
        The checked parameters the library fit ran with (solver instance,
        constants, torch device and dtype).
    search_ : discovery.search.levels.BasisSearch or None
        The default-library search, which :meth:`resume` continues when the
        time limit stopped it; None when a library was given (or after pickling).
    """

    def __init__(
        self,
        library: Library | str | None = None,
        solver: Any = "l0",
        max_terms: int = 5,
        criterion: str = "bic",
        constants: Mapping[str, float] | None = None,
        prune_tol: float = 1e-3,
        snap: bool = True,
        cv_folds: int = 5,
        device: Any = "auto",
        dtype: str = "float64",
        chunk_rows: int = 65_536,
        random_state: int | None = None,
        variables: Sequence[str] | None = None,
        target: str | None = None,
        time_limit: float | None = None,
        verbose: bool | None = None,
        extra_terms: Library | str | Sequence[Any] | None = None,
    ) -> None:
        self.library = library
        self.solver = solver
        self.max_terms = max_terms
        self.criterion = criterion
        self.constants = constants
        self.prune_tol = prune_tol
        self.snap = snap
        self.cv_folds = cv_folds
        self.device = device
        self.dtype = dtype
        self.chunk_rows = chunk_rows
        self.random_state = random_state
        self.variables = variables
        self.target = target
        self.time_limit = time_limit
        self.verbose = verbose
        self.extra_terms = extra_terms

    def fit(self, X: Any, y: Any = None) -> SparseBasisRegressor:
        """Find the law.

        Parameters
        ----------
        X : 2-D array-like, mapping of name → column, or DataFrame
        y : 1-D array-like, optional if ``target`` names a column of X

        Returns
        -------
        self
        """
        return self.fit_with_known_error(X, y, NO_KNOWN_ERROR)

    def fit_with_known_error(self, X: Any, y: Any, known_error: TargetError) -> SparseBasisRegressor:
        """:meth:`fit` for a target with a ``known_error`` besides noise (derivatives ``discover_system`` estimated)."""
        start = time.perf_counter()
        parameters = check_parameters(self.get_params())
        data = as_dataset(X, y, variables=parameters["variables"], target=parameters["target"])
        data = dataclasses.replace(data, known_error=known_error)
        data, all_rows = search_rows(data, parameters["random_state"])  # as discover: a sample, then all rows
        settings = settings_for(parameters, data)
        self.search_ = None
        if self.library is None:
            self.search_ = BasisSearch(data, settings)
            with progress("fit", self.verbose):
                result = self.search_.run(self.time_limit, self.verbose)
        else:
            result = fit_library(data, resolve_library(self.library, data.variables, settings.constants), settings)
        if all_rows is not None:
            deadline = None if self.time_limit is None else Deadline(self.time_limit, start)
            result.law = refitted_on_all_rows(result.law, all_rows, deadline)
            result.coef = _coef_of(result.law, result.library, result.coef)
        self._store(result, data, settings, time.perf_counter() - start)
        return self

    def resume(self, time_limit: float | None = None) -> SparseBasisRegressor:
        """Continue the default-library search that ``time_limit`` stopped, for at most ``time_limit`` more seconds.

        The search goes on from the level and target it had reached, on the
        data it was fitted to; the fitted attributes are then those of the best
        law so far. Nothing changes when the search had ended (or a library was given).

        Returns
        -------
        self
        """
        check_is_fitted(self)
        if self.search_ is None or self.search_.finished:
            return self
        start = time.perf_counter()
        seconds = self.law_.info.get("seconds", 0.0)
        with progress("resume", self.verbose):
            result = self.search_.run(time_limit, self.verbose)
        self._store(result, self.search_.data, self.settings_, seconds + time.perf_counter() - start)
        return self

    def __getstate__(self) -> dict[str, Any]:
        # The search holds its data and functions that do not pickle: a reloaded estimator has its law
        # but cannot resume.
        state = super().__getstate__()
        if state.get("search_") is not None:
            state = dict(state, search_=None)
        return state

    def _store(self, result, data, settings, seconds: float) -> None:
        result.law.info["seconds"] = seconds
        result.law.info["settings"] = settings.record(self.time_limit)
        result.law.info["library"] = self._library_record(result)
        self.law_ = result.law
        self.library_ = result.library
        self.coef_ = result.coef
        self.front_ = result.law.front
        self.variables_ = data.variables
        self.n_features_in_ = len(data.variables)
        self.device_ = str(settings.device)
        self.settings_ = settings

    def predict(self, X: Any) -> np.ndarray:
        """Evaluate the law on X (same columns as in ``fit``; checked as in ``fit``)."""
        check_is_fitted(self)
        # Checked once, here, so the message names the estimator; then evaluated as Law.predict does.
        columns = input_columns(X, self.variables_, expected_by=type(self).__name__)
        return numpy_evaluator(self.law_.expression, self.law_.constants)(columns)

    def _library_record(self, result) -> dict[str, Any]:
        """Which terms were searched: the given library's, or the default library's level and size."""
        if self.library is None:
            info = result.law.info
            return {
                "kind": "default",
                "level": info.get("level"),
                "transform": info.get("transform"),
                "size": len(result.library),
            }
        return {"kind": "given", "size": len(result.library), "terms": [sp.sstr(t.expr) for t in result.library]}


def _coef_of(law, library: Library, sample_coef: np.ndarray) -> np.ndarray:
    """The library's coefficient vector of a law refitted on all rows; the sample's where the law is not
    a plain sum of library terms (a law for a transformed target, or terms merged by settling)."""
    position = {t.expr: j for j, t in enumerate(library.terms)}
    if law.info.get("transform") or not all(c.term in position for c in law.coefficients):
        return sample_coef
    coef = np.zeros(len(library))
    for c in law.coefficients:
        coef[position[c.term]] += c.value
    return coef
