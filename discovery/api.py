"""The front door: ``discover(X, y, ...)`` returns a Law.

``method="auto"`` runs the basis regressor first; when its law clearly misses
structure (neighbouring rows' residuals correlate by 0.2 or more), the first
search backend that can run here (PySR, else Operon) gets the remaining time,
and the law with the lower BIC on y wins.
"""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from bases import Library

from .backends.run import backend_law, bootstrap_backend_law, run_backend
from .errors import BackendUnavailable, DataError
from .estimator import SparseBasisRegressor
from .io.dataset import Dataset, as_dataset, check_constants
from .law.bootstrap import bootstrap_report
from .law.criteria import mse_floor
from .law.law import Law
from .parameters import check_parameters
from .search.mapping import fit_library_on_target
from .search.noise import fits_to_noise
from .search.selection import law_bic

AUTO_ORDER = ("pysr", "operon")
MIN_SEARCH_SECONDS = 5.0  # auto starts no backend with less time left than this
# Auto calls a backend only on clear evidence of missed structure: a neighbour correlation of the
# residuals above this (or 5 standard errors). The basis search's own stop uses 0.1, which the true
# cannon law exceeds by chance on 2 seeds in 10 (0.108, 0.129); a backend costs seconds.
AUTO_MIN_CORRELATION = 0.2


def discover(
    X: Any,
    y: Any = None,
    *,
    variables: Sequence[str] | None = None,
    target: str | None = None,
    constants: Mapping[str, float] | None = None,
    library: Library | str | None = None,
    solver: Any = "l0",
    max_terms: int = 5,
    criterion: str = "bic",
    random_state: int | None = None,
    time_limit: float | None = None,
    device: Any = "auto",
    verbose: bool = False,
    method: str = "auto",
    bootstrap: int = 0,
) -> Law:
    """Find the law behind the data.

    With ``method="basis"``, a shortcut for ``SparseBasisRegressor(...).fit(X, y).law_``.

    Parameters
    ----------
    X : 2-D array-like, mapping of name → column, or pandas DataFrame
        The inputs, one column per variable.
    y : 1-D array-like, optional
        The output; omit it when ``target`` names a column of ``X``.
    variables : sequence of str, optional
        Names of the inputs (default: the mapping's or DataFrame's column
        names, else x0, x1, ...).
    target : str, optional
        Name of the output; with a DataFrame or mapping and no ``y``, the
        column holding it.
    constants : mapping of name → float, optional
        Named constants that may appear in the law, e.g. ``{"g": 9.81}``.
    library : bases.Library or str, optional
        Candidate terms. Without one, power laws proposed from log space and a
        default library of powers, harmonics, exp/log/sqrt, differences and
        their products are searched level by level, on y and on transforms of
        y (1/y, y², 1/y², log y, √y, sin y), until the law fits to the noise
        level or ``time_limit`` passes.
    solver : str or Solver
        ``"l0"`` (exact small-subset search, default), ``"stlsq"``, ``"lasso"``,
        ``"lstsq"`` or ``"adam"``.
    max_terms : int
        Most terms in the law (l0, lasso, adam; stlsq and lstsq keep every
        term that passes their threshold).
    criterion : {"bic", "aic", "cv"}
        How the law is chosen from the Pareto front.
    random_state : int or None
        Seed; the same seed gives the same law.
    time_limit : float or None
        Seconds the search may take; ``discover`` returns within
        ``time_limit + max(2 s, 10 %)``. A fit is started only when the
        largest fit so far says it will end in time, and a search backend
        stops itself with 30 % of its time left for settling its
        candidates. When the search stopped early, ``law.info["time_limit_reached"]``
        is True and ``law.info["stopped"]`` says what was left undone.
    device : str
        ``"auto"`` (CUDA when present), ``"cpu"`` or ``"cuda"``.
    verbose : bool
        Print a progress line per fitted level and target to stderr.
    method : {"auto", "basis", "pysr", "operon"}
        ``"basis"``: the sparse basis regressor. ``"pysr"`` / ``"operon"``: that
        search backend alone, for ``time_limit`` seconds (30 when None); its
        candidates go through the same SymPy layer (refit, prune, snap).
        ``"auto"`` (default): the basis regressor, then — only when its law
        clearly misses structure (neighbouring rows' residuals correlate by
        0.2 or more) — the first backend that runs here
        (PySR, else Operon) for the time left; the lower BIC wins. PySR needs
        Julia: where it cannot start, ``"pysr"`` raises BackendUnavailable
        saying how to provide it, and ``"auto"`` warns and goes on.
    bootstrap : int
        Resamples (0: none). The step that chose the law's terms (the library
        fit, or the settling of a backend's candidates) is repeated on rows
        drawn with replacement; ``law.info["bootstrap"]`` then holds each
        term's inclusion probability, how often each coefficient snapped to
        each exact value, and how often the same law came back
        (:class:`discovery.BootstrapReport`). Costs that step's
        time once per resample; Ctrl-C stops it with the resamples done.

    Returns
    -------
    Law
        ``str(law)`` is e.g. ``s = v**2*sin(2*theta)/g``; see :class:`Law`.

    Raises
    ------
    DataError
        For unusable input, with a message naming the problem and the fix.
    BackendUnavailable
        When ``method`` names a backend that cannot run here.
    """
    check_parameters(
        dict(
            variables=variables,
            target=target,
            constants=constants,
            library=library,
            solver=solver,
            max_terms=max_terms,
            criterion=criterion,
            random_state=random_state,
            time_limit=time_limit,
            device=device,
            verbose=verbose,
            method=method,
            bootstrap=bootstrap,
        )
    )
    start = time.perf_counter()
    if method in ("pysr", "operon"):
        if library is not None:
            raise DataError(
                f"library= is for the basis regressor; method={method!r} searches whole expressions. "
                "Drop library= or use method='basis'"
            )
        data = as_dataset(X, y, variables=variables, target=target)
        return backend_law(
            method,
            data,
            check_constants(constants, data.variables),
            time_limit,
            random_state,
            bootstrap=int(bootstrap),
            verbose=verbose,
        )
    auto = method == "auto" and library is None  # a given library asks for the basis regressor alone
    # auto and the bootstrap need the checked data too: check it once, and fit the estimator on it.
    data = as_dataset(X, y, variables=variables, target=target) if auto or bootstrap else None
    model = SparseBasisRegressor(
        library=library,
        solver=solver,
        max_terms=max_terms,
        criterion=criterion,
        constants=constants,
        random_state=random_state,
        device=device,
        variables=variables if data is None else list(data.variables),
        target=target if data is None else data.target,
        time_limit=time_limit,
        verbose=verbose,
    )
    law = (model.fit(X, y) if data is None else model.fit(data.X, data.y)).law_
    law.info["method"] = "basis"
    if data is None:
        return law
    if auto:
        left = None if time_limit is None else time_limit - (time.perf_counter() - start)
        law = auto_law(law, data, model.settings_.constants, left, random_state, verbose, bootstrap=int(bootstrap))
    if bootstrap and law.info["method"] == "basis":
        transform = law.info.get("transform")
        report = bootstrap_report(
            law,
            data,
            lambda rows: fit_library_on_target(rows, model.library_, model.settings_, transform),
            int(bootstrap),
            random_state,
            verbose,
        )
        law.info["bootstrap"] = report.as_dict()
    return law


def auto_law(
    basis: Law,
    data: Dataset,
    constants: Mapping[str, float],
    time_left: float | None,
    random_state: int | None,
    verbose: bool = False,
    bootstrap: int = 0,
) -> Law:
    """The basis law, or a backend's when the basis law misses structure and the backend's BIC is lower."""
    basis.info.setdefault("method", "basis")
    if fits_to_noise(basis, data, random_state, min_correlation=AUTO_MIN_CORRELATION, sigmas=5.0):
        return basis  # no clear evidence of missed structure
    if time_left is not None and time_left < MIN_SEARCH_SECONDS:
        basis.info["auto"] = f"no search backend: {max(time_left, 0):.1f} s of the time limit left"
        return basis
    for name in AUTO_ORDER:
        try:
            found, candidates = run_backend(name, data, constants, time_left, random_state, basis, True)
        except KeyboardInterrupt:
            warnings.warn(
                f"interrupted during the {name} search: returning the basis law {basis.formula}",
                RuntimeWarning,
                stacklevel=3,
            )
            basis.info["interrupted"] = True
            return basis
        except BackendUnavailable as err:
            if name == "pysr":
                warnings.warn(f"method='auto' skips PySR: {err}", RuntimeWarning, stacklevel=3)
            continue
        floor = mse_floor(data.y)
        if verbose:
            print(f"[discover] {name}: {found} (rmse {found.rmse:.3g})", file=sys.stderr, flush=True)
        if law_bic(found, data, floor) >= law_bic(basis, data, floor):
            return basis  # the caller bootstraps a basis law itself
        if bootstrap:  # only the law returned is worth resampling
            bootstrap_backend_law(found, candidates, data, constants, True, bootstrap, random_state, verbose)
        return found
    return basis
