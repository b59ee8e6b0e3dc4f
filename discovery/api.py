"""The front door: ``discover(X, y, ...)`` returns a Law.

``method="auto"`` runs the basis regressor first; when its law clearly misses
structure (neighbouring rows' residuals correlate by 0.2 or more) or holds
more than two fitted floats, the decomposition (a neural oracle's structure
tests reduce and split the problem, and each smaller problem is searched),
the basis search again (resumed with the time the decomposition left) and
the parametric forms (exponentials with offsets, logistic, Hill, Gaussian
peaks, ...) are tried next, and when the best law still misses structure
the first search backend that can run here (PySR, else Operon) gets the
remaining time; at each step the law with the lower BIC on y wins. With
``units=``, all of this runs on the data's dimensionless groups
(:mod:`discovery.units`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bases import Library

from .auto import basis_then_auto, searched_law
from .backends.run import backend_law, bootstrap_backend_law
from .decompose.decomposed_law import decomposed_law
from .errors import DataError
from .estimator import SparseBasisRegressor
from .io.dask_rows import dask_client
from .io.dataset import NO_KNOWN_ERROR, Dataset, TargetError, as_dataset, check_constants
from .io.measurement_errors import measurement_errors
from .io.sources import read_rows
from .law.law import Law
from .parameters import SearchOptions, check_parameters, suggests_keywords
from .progress import shows_progress
from .search.mapping import fit_library_on_target
from .settle.all_rows_checks import searched_on_a_sample
from .settle.bootstrap import bootstrap_report
from .settle.chi_square import chosen_by_errors, search_error
from .units.dimensionless_law import law_in_units


@suggests_keywords
@shows_progress("discover")
def discover(
    X: Any,
    y: Any = None,
    *,
    variables: Sequence[str] | None = None,
    target: str | None = None,
    sigma: Any = None,
    weights: Any = None,
    constants: Mapping[str, float] | None = None,
    library: Library | str | None = None,
    solver: Any = "l0",
    max_terms: int = 5,
    criterion: str = "bic",
    random_state: int | None = None,
    time_limit: float | None = None,
    device: Any = "auto",
    verbose: bool | None = None,
    method: str = "auto",
    bootstrap: int = 0,
    units: Mapping[str, Any] | None = None,
    target_unit: Any = None,
    cluster: Any = None,
    extra_terms: Library | str | Sequence[Any] | None = None,
) -> Law:
    """Find the law behind the data.

    With ``method="basis"``, a shortcut for ``SparseBasisRegressor(...).fit(X, y).law_``.

    Parameters
    ----------
    X : 2-D array-like, mapping of name → column, pandas DataFrame, file path or Dask collection
        The inputs, one column per variable. A path or a Dask DataFrame holds
        the target too: name it with ``target``. Paths are read by their
        extension: ``.csv``, ``.feather``, ``.xlsx`` (first sheet; needs the
        ``excel`` extra) and ``.parquet`` or a folder of Parquet files (read
        with pyarrow, batch by batch). A Dask array comes with a Dask
        array ``y``. Beyond :data:`~discovery.io.rows.SEARCH_ROWS` (20,000)
        rows, the search runs on 20,000 rows drawn at random (with
        ``random_state``), and the law's free floats, errors, RMSE and R² are
        then refitted and measured on every row, chunk by chunk: arrays in
        memory 262,144 rows at a time, Parquet batch by batch (never all in
        memory), Dask partition by partition on the workers.
        ``law.info["stages"]`` holds the seconds of both parts.
    y : 1-D array-like, optional
        The output; omit it when ``target`` names a column of ``X``.
    variables : sequence of str, optional
        Names of the inputs (default: the mapping's or DataFrame's column
        names, else x0, x1, ...).
    target : str, optional
        Name of the output; with a DataFrame or mapping and no ``y``, the
        column holding it.
    sigma : float or 1-D array-like, optional
        y's measurement error (standard deviation, in y's units): one number
        or one per row. A law that fits within it counts as exact in the
        search, and the law is chosen by a χ² test among the search's law,
        its front and its alternatives, each refitted by least squares
        weighted by 1/σᵢ²: the simplest (fewest free constants, then nodes)
        whose χ² is below the 95 % quantile on n − k degrees of freedom;
        where none is, as with ``weights``. Coefficient errors follow from σ.
        ``law.info["measurement_errors"]`` holds χ², dof, p-value, verdict.
    weights : 1-D array-like, optional
        Each row's weight on its squared residual (∝ 1/σᵢ², the errors' scale
        unknown): the candidates are refitted by weighted least squares and
        chosen by weighted BIC. Not with ``sigma``; either goes with tables of
        up to 20,000 rows, and the search's own proposals are unweighted.
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
        candidates. When the search stopped early, ``law.info["time_limit_reached"]`` is True and
        ``law.info["stopped"]`` says what was left undone.
    device : str
        ``"auto"``, ``"cpu"`` or ``"cuda"``. ``"auto"`` is CUDA when present and
        the library fits see at least 300,000 rows
        (:data:`~discovery.device.GPU_CROSSOVER_ROWS`), else the CPU: they
        see at most 4,000, so ``discover`` runs on the CPU (the neural oracle
        of the decomposition uses CUDA whenever present).
    verbose : bool or None
        None (default) or True: a progress bar on stderr where someone is
        watching (a terminal or a notebook; see :mod:`discovery.progress`),
        silent elsewhere; True also writes a line per fitted level and target.
        False: neither.
    method : {"auto", "basis", "forms", "decompose", "pysr", "operon"}
        ``"basis"``: the sparse basis regressor. ``"forms"``: parametric forms
        (exponential or power law with an offset, logistic, saturating, Hill,
        Gaussian peak, damped oscillation, rational, Planck-like,
        Bose–Einstein, two power laws, a power of a binomial, an exponential
        with its square) over
        monomials of the inputs, fitted by Levenberg–Marquardt from several
        starts. ``"decompose"``: a neural network is fitted to the data and
        its gradients tested for variables that enter only through a sum
        or a product (``E - mu``, ``t/(R*C)``), which are merged, and for a
        split over which the law is a sum or a product of two parts; the
        smaller problems are searched as ``"auto"`` would, and their laws
        refitted together on the data (``law.info["decompose"]`` says what
        was found; DataError when nothing reduces). ``"pysr"`` / ``"operon"``: that search backend alone, for
        ``time_limit`` seconds (30 when None). The candidates of forms and
        backends go through the same SymPy layer (refit, prune, snap).
        ``"auto"`` (default): the basis regressor (with 50 % of
        ``time_limit``), then — only when its law clearly misses structure
        (neighbouring rows' residuals correlate by 0.2 or more) or holds more
        than two fitted floats — the decomposition (with the time left but
        15 % of ``time_limit``), then the basis search again, resumed where it
        stopped, with the time the decomposition left but those 15 %
        (``law.info["resumed"]`` says so), then the parametric forms (with those 15 %,
        or half the time left when more is), then, when the best law
        still misses structure, the first
        backend that runs here (PySR, else Operon) for the time left; the
        lower BIC wins at each step. PySR needs
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
    units : mapping of name → unit, optional
        Each variable's unit as pint reads it (``{"v": "m/s", "theta": "",
        "g": "m/s**2"}``; ``""`` for a dimensionless one), and those of the
        constants that carry one; needs ``target_unit`` and the ``units``
        extra (pint). The search then runs on the Buckingham π groups:
        y = M·F(π1, ...), with M a monomial of the quantities with y's unit
        (v²/g) and each πj a dimensionless monomial holding one variable
        (θ), found with the chosen ``method``; its laws are written back,
        refitted on the data, and any that is not dimensionally homogeneous
        is left out of the front. Fewer variables make some laws tractable
        that are not otherwise. ``law.info["units"]`` holds the groups and M.
        Only dimensions count: units of different scales (km and m) give the
        same groups and a numeric factor in the law.
    target_unit : str, optional
        The unit of y (with ``units``).
    extra_terms : bases.Library, str or sequence of terms, optional
        Terms added to the default library of the basis search at every
        level (``"x*y/(1 + x)"``, or SymPy expressions in the variables and
        constants): candidates it lacks. Not with ``library``, ``units`` or
        a method other than ``"auto"`` and ``"basis"``.
    cluster : str or distributed.Client, optional
        Where a Dask input is computed: a scheduler address
        (``"tcp://10.0.0.5:8786"``) or a client. Default: the client already
        made in this process, else a ``LocalCluster`` started for the call and
        closed after it.

    Returns
    -------
    Law
        ``str(law)`` is e.g. ``s = v**2*sin(2*theta)/g``; see :class:`Law`.
        ``law.info["dropped_columns"]`` lists the input columns the law does
        not use (``law.predict`` still takes every column).

    Raises
    ------
    DataError
        For unusable input, with a message naming the problem and the fix.
    BackendUnavailable
        When ``method`` names a backend that cannot run here.

    Notes
    -----
    The basis regressor's own settings (``prune_tol``, ``snap``, ``cv_folds``,
    ``dtype``, ``chunk_rows``) are :class:`SparseBasisRegressor`'s alone: the
    parameters here hold for every ``method``, and those tune one.
    """
    given = {name: value for name, value in locals().items() if name not in ("X", "y")}  # the parameters, in order
    return _discovered(X, y, given, NO_KNOWN_ERROR)


@shows_progress("discover")
def discover_with_known_error(X: Any, y: Any, known_error: TargetError, **parameters: Any) -> Law:
    """:func:`discover` (its ``parameters``) for a target with a ``known_error`` besides noise.

    The derivatives of a time series: see :class:`~discovery.io.dataset.TargetError`.
    """
    bound = inspect.signature(discover).bind(X, y, **parameters)
    bound.apply_defaults()
    given = {name: value for name, value in bound.arguments.items() if name not in ("X", "y")}
    return _discovered(X, y, given, known_error)


def _discovered(X: Any, y: Any, given: dict[str, Any], known_error: TargetError) -> Law:
    """:func:`discover` with its parameters checked from ``given``, for a target with ``known_error``."""
    check_parameters(given)
    options = SearchOptions.of(given)
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:  # a Dask client stays open until the law is refitted on all rows

        def client() -> Any:  # opened only for a Dask source
            return stack.enter_context(dask_client(given["cluster"]))

        data, all_rows = read_rows(X, y, given["variables"], given["target"], given["random_state"], client)
        errors = measurement_errors(given["sigma"], given["weights"], data, sampled=all_rows is not None)
        known_error = known_error if errors is None else search_error(errors, data.y, known_error)
        data = dataclasses.replace(data, known_error=known_error)
        if all_rows is None:
            law = _search(data, given["time_limit"], options)
            if errors is not None:
                law = chosen_by_errors(law, data, errors, given["random_state"])
        else:
            search = functools.partial(_search, options=options)
            law = searched_on_a_sample(data, all_rows, given["time_limit"], search, started, options.verbose)
    # The columns the law does without: the search kept none of their terms (law.predict still takes them).
    used = {str(s) for s in law.expression.free_symbols}
    law.info["dropped_columns"] = [v for v in law.variables if v not in used]
    return law


def _search(data: Dataset, time_limit: float | None, options: SearchOptions) -> Law:
    """The law of checked rows (at most SEARCH_ROWS of them), by ``options.method`` (see :data:`SEARCH_BY_METHOD`)."""
    method, basis = options.method, options.method in ("auto", "basis")
    if options.extra_terms is not None and (options.library is not None or options.units is not None or not basis):
        raise DataError(
            "extra_terms= adds terms to the default library of the basis search: it does not go with library= "
            "(put them in the library), units= (which searches dimensionless groups) or method="
            f"{method!r}; drop one of them"
        )
    if options.units is not None or options.target_unit is not None:
        return _in_units(data, time_limit, options)
    if options.library is not None and not basis:
        raise DataError(
            f"library= is for the basis regressor; method={method!r} searches whole expressions. "
            "Drop library= or use method='basis'"
        )
    return SEARCH_BY_METHOD[method](data, time_limit, options)


def _basis(data: Dataset, time_limit: float | None, options: SearchOptions) -> Law:
    """``"basis"`` (or ``"auto"`` with a library): the basis regressor alone; ``"auto"``: then :func:`auto_law`."""
    bootstrap = int(options.bootstrap)
    if options.method == "auto" and options.library is None:  # a given library asks for the basis regressor alone
        law, model = basis_then_auto(
            data,
            time_limit,
            options.random_state,
            options.estimator(),
            verbose=options.verbose,
            bootstrap=bootstrap,
            decompose=True,
            device=options.device,
        )
    else:
        model = SparseBasisRegressor(
            **options.estimator(),
            random_state=options.random_state,
            variables=list(data.variables),
            target=data.target,
            time_limit=time_limit,
        )
        law = model.fit_with_known_error(data.X, data.y, data.known_error).law_
        law.info["method"] = "basis"
    if bootstrap and law.info["method"] == "basis":  # a backend's or the forms' law was resampled by auto_law
        transform = law.info.get("transform")
        report = bootstrap_report(
            law,
            data,
            lambda rows: fit_library_on_target(rows, model.library_, model.settings_, transform),
            bootstrap,
            options.random_state,
            options.verbose,
        )
        law.info["bootstrap"] = report.as_dict()
    return law


def _backend(data: Dataset, time_limit: float | None, options: SearchOptions) -> Law:
    """``"forms"``, ``"pysr"``, ``"operon"``: that search alone, its candidates settled."""
    checked = check_constants(options.constants, data.variables)
    return backend_law(
        options.method,
        data,
        checked,
        time_limit,
        options.random_state,
        bootstrap=int(options.bootstrap),
        verbose=options.verbose,
    )


def _decomposed(data: Dataset, time_limit: float | None, options: SearchOptions) -> Law:
    """``"decompose"``: the structure tests reduce and split the problem, each part searched as ``"auto"`` would."""
    checked = check_constants(options.constants, data.variables)
    search = functools.partial(searched_law, device=options.device)
    law, candidates = decomposed_law(data, checked, time_limit, options.random_state, search, options.device)
    if options.bootstrap:
        bootstrap_backend_law(
            law,
            candidates,
            data,
            checked,
            snap=True,
            resamples=int(options.bootstrap),
            random_state=options.random_state,
            verbose=options.verbose,
        )
    return law


# Each method's search of checked rows; the parameters check that method names one of them.
SEARCH_BY_METHOD: dict[str, Callable[[Dataset, float | None, SearchOptions], Law]] = {
    "auto": _basis,
    "basis": _basis,
    "forms": _backend,
    "pysr": _backend,
    "operon": _backend,
    "decompose": _decomposed,
}


def _in_units(data: Dataset, time_limit: float | None, options: SearchOptions) -> Law:
    """The law searched on the data's dimensionless groups.

    See :func:`discovery.units.dimensionless_law.law_in_units`.
    """
    if options.library is not None:
        raise DataError(
            "library= holds terms of the original variables, and units= searches their dimensionless groups: "
            "drop one of them"
        )
    if options.bootstrap:
        raise DataError("bootstrap= is not available with units= yet: drop one of them")
    checked = check_constants(options.constants, data.variables)
    plain_options = dataclasses.replace(options, units=None, target_unit=None, extra_terms=None)

    def search(reduced: Dataset, plain: Mapping[str, float], limit: float | None) -> Law:
        rows = as_dataset(reduced.X, reduced.y, variables=list(reduced.variables), target=reduced.target)
        rows = dataclasses.replace(rows, known_error=reduced.known_error)
        return _search(rows, limit, dataclasses.replace(plain_options, constants=dict(plain)))

    return law_in_units(
        data, checked, options.units or {}, options.target_unit, search, time_limit, options.random_state
    )
