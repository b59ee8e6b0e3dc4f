"""The front door: ``discover(X, y, ...)`` returns a Law."""
from __future__ import annotations

import time
from typing import Any, Mapping, Sequence

import numpy as np

from bases import Library

from .bootstrap import bootstrap_report
from .data import as_dataset, check_constants
from .engine import refit_library
from .errors import DataError
from .estimator import SparseBasisRegressor
from .law import Law
from .methods import auto_law, check_method, search_law


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
        Seconds after which no further library level or target transform is
        tried (checked between fits, so a fit under way finishes).
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
        (:class:`discovery.bootstrap.BootstrapReport`). Costs that step's
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
    check_method(method)
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, (int, np.integer)) or bootstrap < 0:
        raise DataError(f"bootstrap must be a whole number of resamples (0 for none), got {bootstrap!r}")
    start = time.perf_counter()
    if method in ("pysr", "operon"):
        if library is not None:
            raise DataError(f"library= is for the basis regressor; method={method!r} searches whole expressions. "
                            "Drop library= or use method='basis'")
        data = as_dataset(X, y, variables=variables, target=target)
        return search_law(method, data, check_constants(constants, data.variables), time_limit, random_state,
                          bootstrap=int(bootstrap), verbose=verbose)
    model = SparseBasisRegressor(
        library=library, solver=solver, max_terms=max_terms, criterion=criterion, constants=constants,
        random_state=random_state, device=device, variables=variables, target=target,
        time_limit=time_limit, verbose=verbose,
    )
    law = model.fit(X, y).law_
    law.info["method"] = "basis"
    auto = method == "auto" and library is None  # a given library asks for the basis regressor alone
    if not auto and not bootstrap:
        return law
    data = as_dataset(X, y, variables=variables, target=target)
    if auto:
        left = None if time_limit is None else time_limit - (time.perf_counter() - start)
        law = auto_law(law, data, check_constants(constants, data.variables), left, random_state, verbose,
                       bootstrap=int(bootstrap))
    if bootstrap and law.info["method"] == "basis":
        settings = model._settings(data)
        transform = law.info.get("transform")
        report = bootstrap_report(law, data, lambda rows: refit_library(rows, model.library_, settings, transform),
                                  int(bootstrap), random_state, verbose)
        law.info["bootstrap"] = report.as_dict()
    return law
