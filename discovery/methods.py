"""``discover(..., method=...)``: the basis regressor, a search backend, or both.

``"auto"`` runs the basis regressor first; when its law clearly misses
structure (neighbouring rows' residuals correlate by 0.2 or more), the first
search backend that can run here (PySR, else Operon) gets the remaining time,
and the law with the lower BIC on y wins.
"""
from __future__ import annotations

import sys
import time
import warnings
from typing import Any, Mapping


from .backends import BACKENDS, BackendUnavailable
from .bootstrap import bootstrap_report
from .candidates import Candidate, law_from_candidates
from .data import Dataset
from .engine import fits_to_noise, law_bic
from .errors import DataError
from .fitting import mse_floor
from .law import Law

METHODS = ("auto", "basis", "pysr", "operon")
AUTO_ORDER = ("pysr", "operon")
DEFAULT_SEARCH_SECONDS = 30.0  # a backend's time when discover() was given no time_limit
MIN_SEARCH_SECONDS = 5.0  # auto starts no backend with less time left than this
# Auto calls a backend only on clear evidence of missed structure: a neighbour correlation of the
# residuals above this (or 5 standard errors). The engine's own stop uses 0.1, which the true
# cannon law exceeds by chance on 2 seeds in 10 (0.108, 0.129); a backend costs seconds.
AUTO_MIN_CORRELATION = 0.2

_unavailable: dict[str, str] = {}  # backends found unable to run in this process, with the reason


def check_method(method: str) -> str:
    if method not in METHODS:
        raise DataError(f"method must be one of {', '.join(map(repr, METHODS))}, got {method!r}")
    return method


def search_law(name: str, data: Dataset, constants: Mapping[str, float], time_limit: float | None,
               random_state: int | None, hint: Law | None = None, snap: bool = True, bootstrap: int = 0,
               verbose: bool = False) -> Law:
    """The law from one search backend's candidates, settled by the shared SymPy layer.

    With ``bootstrap`` resamples, the candidates are settled again on rows
    drawn with replacement, and the report goes to ``law.info["bootstrap"]``.

    Raises
    ------
    BackendUnavailable
        When the backend cannot run here.
    """
    law, candidates = _search(name, data, constants, time_limit, random_state, hint, snap)
    if bootstrap:
        _bootstrap(law, candidates, data, constants, snap, bootstrap, random_state, verbose)
    return law


def _search(name: str, data: Dataset, constants: Mapping[str, float], time_limit: float | None,
            random_state: int | None, hint: Law | None, snap: bool) -> tuple[Law, list[Candidate]]:
    """The backend's law and the candidates it was settled from."""
    if name in _unavailable:
        raise BackendUnavailable(_unavailable[name])
    seconds = DEFAULT_SEARCH_SECONDS if time_limit is None else float(time_limit)
    start = time.perf_counter()
    backend = BACKENDS[name]()
    try:
        kwargs: dict[str, Any] = {"constants": constants} if name == "pysr" else {}
        candidates = backend.search(data, seconds, random_state, hint.expression if hint else None, **kwargs)
    except BackendUnavailable as err:
        _unavailable[name] = str(err)
        raise
    settle_seconds = max(1.0, seconds - (time.perf_counter() - start))
    law = law_from_candidates(candidates, data, constants, snap, info={"method": name, "backend": name},
                              seconds=settle_seconds)
    if law is None:
        raise DataError(f"{name} returned no expression that is finite on the {data.n_rows} rows")
    law.info["seconds"] = time.perf_counter() - start
    law.info["candidates"] = len(candidates)
    # The backend's options as run, for law.info and law files.
    law.info["settings"] = dict(backend.options(data, seconds, random_state, hint.expression if hint else None,
                                                **kwargs), time_limit=time_limit, random_state=random_state)
    return law, candidates


def _bootstrap(law: Law, candidates: list[Candidate], data: Dataset, constants: Mapping[str, float], snap: bool,
               resamples: int, random_state: int | None, verbose: bool) -> None:
    """Settle the candidates again on resampled rows; the report goes to ``law.info["bootstrap"]``."""
    report = bootstrap_report(law, data, lambda rows: law_from_candidates(candidates, rows, constants, snap),
                              resamples, random_state, verbose)
    law.info["bootstrap"] = report.as_dict()


def auto_law(basis: Law, data: Dataset, constants: Mapping[str, float], time_left: float | None,
             random_state: int | None, verbose: bool = False, bootstrap: int = 0) -> Law:
    """The basis law, or a backend's when the basis law misses structure and the backend's BIC is lower."""
    basis.info.setdefault("method", "basis")
    if fits_to_noise(basis, data, random_state, min_correlation=AUTO_MIN_CORRELATION, sigmas=5.0):
        return basis  # no clear evidence of missed structure
    if time_left is not None and time_left < MIN_SEARCH_SECONDS:
        basis.info["auto"] = f"no search backend: {max(time_left, 0):.1f} s of the time limit left"
        return basis
    for name in AUTO_ORDER:
        try:
            found, candidates = _search(name, data, constants, time_left, random_state, basis, True)
        except KeyboardInterrupt:
            warnings.warn(f"interrupted during the {name} search: returning the basis law {basis.formula}",
                          RuntimeWarning, stacklevel=3)
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
            _bootstrap(found, candidates, data, constants, True, bootstrap, random_state, verbose)
        return found
    return basis


__all__ = ["METHODS", "auto_law", "check_method", "search_law"]
