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

import functools
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sympy as sp

from bases import Library

from .backends.base import ExpressionCandidate
from .backends.run import backend_law, bootstrap_backend_law, run_backend
from .deadline import Deadline, grace
from .decompose.search import decomposed_law
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
from .units.search import law_in_units

AUTO_ORDER = ("pysr", "operon")
MIN_SEARCH_SECONDS = 5.0  # auto starts no search backend with less time left than this
MIN_FORMS_SECONDS = 1.0  # nor the parametric forms
# Of time_limit, what the basis search leaves to the forms when method="auto": scoring the forms over
# all monomials of four inputs and refining the best takes about 3 s. Without it the forms never ran
# where the basis search spends the whole limit, i.e. wherever it misses the law.
FORMS_RESERVE = 0.15
# Of time_limit, what the basis search takes under method="auto": the rest is for the decomposition
# (a neural oracle, structure tests and the reduced problem's search), the forms and a backend.
BASIS_SHARE = 0.5
MIN_DECOMPOSE_SECONDS = 6.0  # auto starts no decomposition with less time left than this
MIN_RESUME_SECONDS = 1.0  # the basis search is not resumed with less time left than this
DEFAULT_DECOMPOSE_SECONDS = 30.0  # its time when discover() was given no time_limit
FORMS_SHARE = 0.5  # of the time left after the basis search, the most the forms take when more is left
DEFAULT_FORMS_SECONDS = 10.0  # their time when discover() was given no time_limit
# A law that fits to the noise with more fitted floats than this may still be a long stand-in for a
# form with three or four parameters (a polynomial for an exponential with an offset): forms are tried.
MAX_FLOATS_WITHOUT_FORMS = 2
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
    units: Mapping[str, Any] | None = None,
    target_unit: Any = None,
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
        candidates. When the search stopped early, ``law.info["time_limit_reached"]`` is True and
        ``law.info["stopped"]`` says what was left undone.
    device : str
        ``"auto"`` (CUDA when present), ``"cpu"`` or ``"cuda"``.
    verbose : bool
        Print a progress line per fitted level and target to stderr.
    method : {"auto", "basis", "forms", "decompose", "pysr", "operon"}
        ``"basis"``: the sparse basis regressor. ``"forms"``: parametric forms
        (exponential or power law with an offset, logistic, saturating, Hill,
        Gaussian peak, damped oscillation, rational, Planck-like) over
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
            units=units,
            target_unit=target_unit,
        )
    )
    if units is not None or target_unit is not None:
        return _discover_in_units(
            X,
            y,
            variables,
            target,
            constants,
            library,
            bootstrap,
            units or {},
            target_unit,
            time_limit,
            random_state,
            dict(
                solver=solver, max_terms=max_terms, criterion=criterion, device=device, verbose=verbose, method=method
            ),
        )
    start = time.perf_counter()
    if method in ("forms", "pysr", "operon", "decompose"):
        if library is not None:
            raise DataError(
                f"library= is for the basis regressor; method={method!r} searches whole expressions. "
                "Drop library= or use method='basis'"
            )
        data = as_dataset(X, y, variables=variables, target=target)
        if method == "decompose":
            checked = check_constants(constants, data.variables)
            search = functools.partial(searched_law, device=device)
            law, candidates = decomposed_law(data, checked, time_limit, random_state, search, device)
            if bootstrap:
                bootstrap_backend_law(law, candidates, data, checked, True, int(bootstrap), random_state, verbose)
            return law
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
    basis_limit = time_limit if not auto or time_limit is None else time_limit * BASIS_SHARE
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
        time_limit=basis_limit,
        verbose=verbose,
    )
    law = (model.fit(X, y) if data is None else model.fit(data.X, data.y)).law_
    law.info["method"] = "basis"
    if data is None:
        return law
    if auto:
        left = None if time_limit is None else time_limit - (time.perf_counter() - start)
        law = auto_law(
            law,
            data,
            model.settings_.constants,
            left,
            random_state,
            verbose,
            bootstrap=int(bootstrap),
            forms_reserve=0.0 if time_limit is None else time_limit * FORMS_RESERVE,
            forms_overrun=0.0 if time_limit is None else 0.5 * grace(time_limit),
            decompose=True,
            device=device,
            resume=lambda seconds: model.resume(seconds).law_,
        )
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


def _discover_in_units(
    X: Any,
    y: Any,
    variables: Sequence[str] | None,
    target: str | None,
    constants: Mapping[str, float] | None,
    library: Any,
    bootstrap: int,
    units: Mapping[str, Any],
    target_unit: Any,
    time_limit: float | None,
    random_state: int | None,
    options: dict[str, Any],
) -> Law:
    """``discover`` on the data's dimensionless groups (see :func:`discovery.units.search.law_in_units`)."""
    if library is not None:
        raise DataError(
            "library= holds terms of the original variables, and units= searches their dimensionless groups: "
            "drop one of them"
        )
    if bootstrap:
        raise DataError("bootstrap= is not available with units= yet: drop one of them")
    data = as_dataset(X, y, variables=variables, target=target)
    checked = check_constants(constants, data.variables)

    def search(reduced: Dataset, plain: Mapping[str, float], limit: float | None) -> Law:
        return discover(
            reduced.X,
            reduced.y,
            variables=list(reduced.variables),
            target=reduced.target,
            constants=dict(plain),
            random_state=random_state,
            time_limit=limit,
            **options,
        )

    return law_in_units(data, checked, units, target_unit, search, time_limit, random_state)


def auto_law(
    basis: Law,
    data: Dataset,
    constants: Mapping[str, float],
    time_left: float | None,
    random_state: int | None,
    verbose: bool = False,
    bootstrap: int = 0,
    forms_reserve: float = 0.0,
    forms_overrun: float = 0.0,
    decompose: bool = False,
    device: Any = "auto",
    resume: Callable[[float], Law] | None = None,
) -> Law:
    """The basis law, or the decomposition's, the parametric forms' or a backend's when it misses structure.

    After the decomposition, ``resume(seconds)`` (when given) continues the
    basis search that its time limit stopped, with the time the decomposition
    left but the forms' reserve, and returns its best law.

    ``forms_reserve`` seconds of ``time_left`` (or all of it, if less is
    left) are the forms' at least; when more is left, they take
    ``FORMS_SHARE`` of it and a backend may use the rest. The basis search
    may have ended up to half the grace past its own limit: the forms may
    then run ``forms_overrun`` seconds past ``time_left`` to have their
    reserve.

    The forms are fitted when the basis law misses structure or holds more
    than ``MAX_FLOATS_WITHOUT_FORMS`` fitted floats; a backend runs when the
    best law so far still misses structure. A law replaces the best one only
    when its BIC on y is lower.
    """
    basis.info.setdefault("method", "basis")
    fits = _fits(basis, data, random_state)
    if fits and len(basis.expression.atoms(sp.Float)) <= MAX_FLOATS_WITHOUT_FORMS:
        return basis  # no clear evidence of missed structure, and no form would be shorter
    deadline = Deadline(time_left)
    best, candidates = basis, None
    if decompose:
        best, candidates = _with_decomposition(
            basis, data, constants, deadline, forms_reserve, random_state, verbose, device
        )
        if _fits(best, data, random_state) and len(best.expression.atoms(sp.Float)) <= MAX_FLOATS_WITHOUT_FORMS:
            return _bootstrapped(best, candidates, data, constants, bootstrap, random_state, verbose)
        if resume is not None:
            best, candidates = _with_resumed_basis(best, candidates, data, resume, deadline, forms_reserve, verbose)
            if _fits(best, data, random_state) and len(best.expression.atoms(sp.Float)) <= MAX_FLOATS_WITHOUT_FORMS:
                return _bootstrapped(best, candidates, data, constants, bootstrap, random_state, verbose)
    best, candidates = _with_forms(
        best, data, constants, deadline, forms_reserve, forms_overrun, random_state, verbose, candidates
    )
    if fits or _fits(best, data, random_state):
        return _bootstrapped(best, candidates, data, constants, bootstrap, random_state, verbose)
    left = deadline.left()
    if time_left is not None and left < MIN_SEARCH_SECONDS:
        best.info["auto"] = f"no search backend: {max(left, 0):.1f} s of the time limit left"
        return _bootstrapped(best, candidates, data, constants, bootstrap, random_state, verbose)
    for name in AUTO_ORDER:
        try:
            found, found_candidates = run_backend(
                name, data, constants, None if time_left is None else left, random_state, best, True
            )
        except KeyboardInterrupt:
            warnings.warn(
                f"interrupted during the {name} search: returning the law found before it, {best.formula}",
                RuntimeWarning,
                stacklevel=3,
            )
            best.info["interrupted"] = True
            return best
        except BackendUnavailable as err:
            if name == "pysr":
                warnings.warn(f"method='auto' skips PySR: {err}", RuntimeWarning, stacklevel=3)
            continue
        except (ArithmeticError, ValueError, RuntimeError) as err:
            # A fallback that fails inside its own library must not lose the law already found.
            _keep_after_failure(best, f"the {name} search", err, "auto")
            continue
        _report(verbose, name, found)
        if _better(found, best, data):
            best, candidates = found, found_candidates
        break
    return _bootstrapped(best, candidates, data, constants, bootstrap, random_state, verbose)


def _with_forms(
    basis: Law,
    data: Dataset,
    constants: Mapping[str, float],
    deadline: Deadline,
    reserve: float,
    overrun: float,
    random_state: int | None,
    verbose: bool,
    best_candidates: list[ExpressionCandidate] | None = None,
) -> tuple[Law, list[ExpressionCandidate] | None]:
    """The parametric forms' law when its BIC beats the best law's (with its candidates), else the best law."""
    if deadline.limit is None:
        seconds = DEFAULT_FORMS_SECONDS
    else:  # the reserve, or a share of more when the basis search stopped early (a backend may follow)
        left = deadline.left()
        # The basis search may end up to half the grace past its own limit (it starts a level expected
        # to end there): the forms may then use half of discover's grace, so the reserve is not lost.
        seconds = max(FORMS_SHARE * left, min(left + overrun, reserve))
    if seconds < MIN_FORMS_SECONDS:
        return basis, best_candidates
    try:
        found, candidates = run_backend("forms", data, constants, seconds, random_state, basis, True)
    except KeyboardInterrupt:
        basis.info["interrupted"] = True
        return basis, best_candidates
    except DataError:
        return basis, best_candidates  # no form is finite on the rows
    _report(verbose, "forms", found)
    return (found, candidates) if _better(found, basis, data) else (basis, best_candidates)


def _with_decomposition(
    basis: Law,
    data: Dataset,
    constants: Mapping[str, float],
    deadline: Deadline,
    forms_reserve: float,
    random_state: int | None,
    verbose: bool,
    device: Any = "auto",
) -> tuple[Law, list[ExpressionCandidate] | None]:
    """The decomposition's law when the structure tests reduce the problem and its BIC wins, else the basis law.

    It takes the time left but the forms' reserve; with no time limit, ``DEFAULT_DECOMPOSE_SECONDS``.
    """
    if len(data.variables) < 2:
        return basis, None
    seconds = DEFAULT_DECOMPOSE_SECONDS if deadline.limit is None else deadline.left() - forms_reserve
    if seconds < MIN_DECOMPOSE_SECONDS:
        return basis, None
    try:
        search = functools.partial(searched_law, device=device)
        found, candidates = decomposed_law(data, constants, seconds, random_state, search, device)
    except KeyboardInterrupt:
        basis.info["interrupted"] = True
        return basis, None
    except DataError as err:  # nothing reduced, or no reduced law is finite on the rows
        basis.info["decompose"] = str(err)
        return basis, None
    except (ArithmeticError, ValueError, RuntimeError) as err:  # as for a backend: keep the law found
        _keep_after_failure(basis, "the decomposition", err, "decompose")
        return basis, None
    _report(verbose, "decompose", found)
    return (found, candidates) if _better(found, basis, data) else (basis, None)


def _with_resumed_basis(
    best: Law,
    candidates: list[ExpressionCandidate] | None,
    data: Dataset,
    resume: Callable[[float], Law],
    deadline: Deadline,
    forms_reserve: float,
    verbose: bool,
) -> tuple[Law, list[ExpressionCandidate] | None]:
    """The basis search's law after resuming it with the time left but the forms' reserve, when it beats ``best``.

    The time the decomposition did not use (it found nothing to reduce, or
    its laws came quickly) goes back to the basis search it was taken from.
    """
    if deadline.limit is None:
        return best, candidates  # with no time limit, the basis search ran to its end
    seconds = deadline.left() - forms_reserve
    if seconds < MIN_RESUME_SECONDS:
        return best, candidates
    try:
        found = resume(seconds)
    except KeyboardInterrupt:
        best.info["interrupted"] = True
        return best, candidates
    found.info["method"] = "basis"
    if "decompose" in best.info:  # what the structure tests found stays on record
        found.info.setdefault("decompose", best.info["decompose"])
    found.info["resumed"] = f"the basis search resumed after the decomposition, for {seconds:.1f} s"
    _report(verbose, "basis, resumed", found)
    return (found, None) if found is not best and _better(found, best, data) else (best, candidates)


def searched_law(
    data: Dataset,
    constants: Mapping[str, float],
    time_limit: float | None,
    random_state: int | None,
    device: Any = "auto",
) -> Law:
    """``discover``'s automatic search on checked data, without decomposing (the decomposition's inner search)."""
    limit = None if time_limit is None else time_limit * BASIS_SHARE
    start = time.perf_counter()
    model = SparseBasisRegressor(
        constants=dict(constants),
        random_state=random_state,
        variables=list(data.variables),
        target=data.target,
        time_limit=limit,
        device=device,
    )
    law = model.fit(data.X, data.y).law_
    law.info["method"] = "basis"
    left = None if time_limit is None else time_limit - (time.perf_counter() - start)
    return auto_law(
        law,
        data,
        model.settings_.constants,
        left,
        random_state,
        forms_reserve=0.0 if time_limit is None else time_limit * FORMS_RESERVE,
        forms_overrun=0.0 if time_limit is None else 0.5 * grace(time_limit),
    )


def _keep_after_failure(law: Law, what: str, err: Exception, key: str) -> None:
    """Warn that a step failed, and record why in ``law.info[key]``: the law found before it stands."""
    warnings.warn(
        f"method='auto': {what} failed ({type(err).__name__}: {err}); keeping the law found before it, {law.formula}",
        RuntimeWarning,
        stacklevel=4,
    )
    law.info[key] = f"{what} failed: {type(err).__name__}: {err}"


def _fits(law: Law, data: Dataset, random_state: int | None) -> bool:
    return fits_to_noise(law, data, random_state, min_correlation=AUTO_MIN_CORRELATION, sigmas=5.0)


def _better(found: Law, best: Law, data: Dataset) -> bool:
    floor = mse_floor(data.y)
    return law_bic(found, data, floor) < law_bic(best, data, floor)


def _report(verbose: bool, name: str, found: Law) -> None:
    if verbose:
        print(f"[discover] {name}: {found} (rmse {found.rmse:.3g})", file=sys.stderr, flush=True)


def _bootstrapped(
    law: Law,
    candidates: list[ExpressionCandidate] | None,
    data: Dataset,
    constants: Mapping[str, float],
    bootstrap: int,
    random_state: int | None,
    verbose: bool,
) -> Law:
    """The law, with a backend's or the forms' candidates settled again on resamples (a basis law's caller does it)."""
    if bootstrap and candidates is not None:  # only the law returned is worth resampling
        bootstrap_backend_law(law, candidates, data, constants, True, bootstrap, random_state, verbose)
    return law
