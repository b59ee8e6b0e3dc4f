"""``method="auto"``: after the basis search, the decomposition, the resumed basis search, the forms, a backend.

Each step runs only while the best law so far misses structure (or holds
more fitted floats than a form would), within the time ``discover`` has
left; at each step the law with the lower BIC on y wins. ``searched_law``
is the same search without decomposing: the decomposition's own inner
search.
"""

from __future__ import annotations

import functools
import time
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import sympy as sp

from .backends.base import ExpressionCandidate
from .backends.run import bootstrap_backend_law, run_backend
from .deadline import Deadline, grace
from .decompose.decomposed_law import decomposed_law
from .errors import BackendUnavailable, DataError
from .estimator import SparseBasisRegressor
from .io.dataset import Dataset
from .law.law import Law
from .progress import current
from .search.noise import exact_fit, fits_to_noise, residual_test_sees_structure
from .stage_choice import better, demoted

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
AUTO_SIGMAS = 5.0  # or this many standard errors of the correlation


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
            basis,
            data,
            constants,
            deadline=deadline,
            forms_reserve=forms_reserve,
            random_state=random_state,
            verbose=verbose,
            device=device,
        )
        if _fits(best, data, random_state) and len(best.expression.atoms(sp.Float)) <= MAX_FLOATS_WITHOUT_FORMS:
            return _bootstrapped(best, candidates, data, constants, bootstrap, random_state, verbose)
        if resume is not None:
            best, candidates = _with_resumed_basis(best, candidates, data, resume, deadline, forms_reserve, verbose)
            if _fits(best, data, random_state) and len(best.expression.atoms(sp.Float)) <= MAX_FLOATS_WITHOUT_FORMS:
                return _bootstrapped(best, candidates, data, constants, bootstrap, random_state, verbose)
    best, candidates = _with_forms(
        best,
        data,
        constants,
        deadline=deadline,
        reserve=forms_reserve,
        overrun=forms_overrun,
        random_state=random_state,
        verbose=verbose,
        best_candidates=candidates,
    )
    if fits or _fits(best, data, random_state):
        return _bootstrapped(best, candidates, data, constants, bootstrap, random_state, verbose)
    left = deadline.left()
    reason = _no_backend(data, time_left, left)
    if reason is not None:
        best.info["auto"] = reason
        return _bootstrapped(best, candidates, data, constants, bootstrap, random_state, verbose)
    seconds = None if time_left is None else left
    best, candidates, interrupted = _with_backend(best, candidates, data, constants, seconds, random_state, verbose)
    if interrupted:
        return best
    return _bootstrapped(best, candidates, data, constants, bootstrap, random_state, verbose)


def _no_backend(data: Dataset, time_left: float | None, left: float) -> str | None:
    """Why no search backend runs after the forms, or None when one may."""
    if not residual_test_sees_structure(data.n_rows, AUTO_SIGMAS):
        # A search backend's many-constant expressions would fit such a table's noise, and nothing could tell.
        return f"no search backend: {data.n_rows} rows are too few to tell missed structure from noise"
    if time_left is not None and left < MIN_SEARCH_SECONDS:
        return f"no search backend: {max(left, 0):.1f} s of the time limit left"
    return None


def _with_backend(
    best: Law,
    candidates: list[ExpressionCandidate] | None,
    data: Dataset,
    constants: Mapping[str, float],
    seconds: float | None,
    random_state: int | None,
    verbose: bool,
) -> tuple[Law, list[ExpressionCandidate] | None, bool]:
    """The first search backend that runs here, its law when it beats ``best``; and whether it was interrupted."""
    for name in AUTO_ORDER:
        try:
            found, found_candidates = run_backend(name, data, constants, seconds, random_state, best, True)
        except KeyboardInterrupt:
            warnings.warn(
                f"interrupted during the {name} search: returning the law found before it, {best.formula}",
                RuntimeWarning,
                stacklevel=4,
            )
            best.info["interrupted"] = True
            return best, candidates, True
        except BackendUnavailable as err:
            if name == "pysr":
                warnings.warn(f"method='auto' skips PySR: {err}", RuntimeWarning, stacklevel=4)
            continue
        except (ArithmeticError, ValueError, RuntimeError) as err:
            # A fallback that fails inside its own library must not lose the law already found.
            _keep_after_failure(best, f"the {name} search", err, "auto", stacklevel=5)
            continue
        _report(verbose, name, found)
        if better(found, best, data):
            return demoted(best, found, data), found_candidates, False
        demoted(found, best, data)
        break
    return best, candidates, False


def _with_forms(
    basis: Law,
    data: Dataset,
    constants: Mapping[str, float],
    *,
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
    if better(found, basis, data):
        return demoted(basis, found, data), candidates
    return demoted(found, basis, data), best_candidates


def _with_decomposition(
    basis: Law,
    data: Dataset,
    constants: Mapping[str, float],
    *,
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
    if better(found, basis, data):
        return demoted(basis, found, data), candidates
    return demoted(found, basis, data), None


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
    if found is best:
        return best, candidates
    if better(found, best, data):
        return demoted(best, found, data), None
    return demoted(found, best, data), candidates


def basis_then_auto(
    data: Dataset,
    time_limit: float | None,
    random_state: int | None,
    estimator: Mapping[str, Any],
    *,
    verbose: bool | None = False,
    bootstrap: int = 0,
    decompose: bool = False,
    device: Any = "auto",
) -> tuple[Law, SparseBasisRegressor]:
    """``method="auto"`` on checked data: the basis search, then :func:`auto_law` with the time it left.

    The basis search (a :class:`SparseBasisRegressor` with the parameters
    ``estimator``) takes :data:`BASIS_SHARE` of ``time_limit``, the forms
    keep :data:`FORMS_RESERVE` of it; with ``decompose``, the decomposition
    runs too and the basis search is resumed after it. Returns the law and
    the fitted basis model (whose library and settings a bootstrap of a basis
    law reuses).
    """
    limit = None if time_limit is None else time_limit * BASIS_SHARE
    start = time.perf_counter()
    model = SparseBasisRegressor(
        **estimator,
        random_state=random_state,
        variables=list(data.variables),
        target=data.target,
        time_limit=limit,
    )
    law = model.fit_with_known_error(data.X, data.y, data.known_error).law_
    law.info["method"] = "basis"
    left = None if time_limit is None else time_limit - (time.perf_counter() - start)
    law = auto_law(
        law,
        data,
        model.settings_.constants,
        left,
        random_state,
        verbose,
        bootstrap=bootstrap,
        forms_reserve=0.0 if time_limit is None else time_limit * FORMS_RESERVE,
        forms_overrun=0.0 if time_limit is None else 0.5 * grace(time_limit),
        decompose=decompose,
        device=device,
        resume=(lambda seconds: model.resume(seconds).law_) if decompose else None,
    )
    return law, model


def searched_law(
    data: Dataset,
    constants: Mapping[str, float],
    time_limit: float | None,
    random_state: int | None,
    device: Any = "auto",
) -> Law:
    """``discover``'s automatic search on checked data, without decomposing (the decomposition's inner search)."""
    estimator = {"constants": dict(constants), "device": device}
    return basis_then_auto(data, time_limit, random_state, estimator)[0]


def _keep_after_failure(law: Law, what: str, err: Exception, key: str, stacklevel: int = 4) -> None:
    """Warn that a step failed, and record why in ``law.info[key]``: the law found before it stands."""
    warnings.warn(
        f"method='auto': {what} failed ({type(err).__name__}: {err}); keeping the law found before it, {law.formula}",
        RuntimeWarning,
        stacklevel=stacklevel,
    )
    law.info[key] = f"{what} failed: {type(err).__name__}: {err}"


def _fits(law: Law, data: Dataset, random_state: int | None) -> bool:
    """Exact, or residuals like noise by a test that could have seen missed structure on these rows."""
    if not residual_test_sees_structure(data.n_rows, AUTO_SIGMAS) and not exact_fit(law, data):
        return False  # too few rows to tell: the forms get their turn
    return fits_to_noise(law, data, random_state, min_correlation=AUTO_MIN_CORRELATION, sigmas=AUTO_SIGMAS)


def _report(verbose: bool, name: str, found: Law) -> None:
    current().step(f"{name}: {found.formula}")
    if verbose:
        current().write(f"[discover] {name}: {found} (rmse {found.rmse:.3g})")


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
        bootstrap_backend_law(
            law, candidates, data, constants, snap=True, resamples=bootstrap, random_state=random_state, verbose=verbose
        )
    return law
