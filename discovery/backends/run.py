"""Run a search backend and settle its candidates into a law (``discover(..., method="forms"|"operon"|"pysr")``)."""

from __future__ import annotations

from collections.abc import Mapping

from ..deadline import Deadline
from ..errors import BackendUnavailable, DataError
from ..io.dataset import Dataset
from ..law.law import Law
from ..progress import current
from ..settle.bootstrap import bootstrap_report
from .base import ExpressionCandidate, SearchBackend
from .candidates import law_from_candidates
from .forms_backend import FormsBackend
from .operon_backend import OperonBackend
from .pysr_backend import PySRBackend

BACKENDS: dict[str, type[SearchBackend]] = {"forms": FormsBackend, "operon": OperonBackend, "pysr": PySRBackend}
DEFAULT_SEARCH_SECONDS = 30.0  # a backend's time when discover() was given no time_limit
SETTLE_SHARE = 0.3  # of a backend's time, kept for refitting, snapping and measuring its candidates
MIN_ENGINE_SECONDS = 1.0  # the engines' own limits are whole seconds

_unavailable: dict[str, str] = {}  # backends found unable to run in this process, with the reason


def backend_law(
    name: str,
    data: Dataset,
    constants: Mapping[str, float],
    time_limit: float | None,
    random_state: int | None,
    hint: Law | None = None,
    snap: bool = True,
    bootstrap: int = 0,
    verbose: bool = False,
) -> Law:
    """The law from one search backend's candidates, settled by the shared SymPy layer.

    With ``bootstrap`` resamples, the candidates are settled again on rows
    drawn with replacement, and the report goes to ``law.info["bootstrap"]``.

    Raises
    ------
    BackendUnavailable
        When the backend cannot run here.
    """
    law, candidates = run_backend(name, data, constants, time_limit, random_state, hint, snap)
    if bootstrap:
        bootstrap_backend_law(
            law, candidates, data, constants, snap=snap, resamples=bootstrap, random_state=random_state, verbose=verbose
        )
    return law


def run_backend(
    name: str,
    data: Dataset,
    constants: Mapping[str, float],
    time_limit: float | None,
    random_state: int | None,
    hint: Law | None,
    snap: bool,
) -> tuple[Law, list[ExpressionCandidate]]:
    """The backend's law and the candidates it was settled from."""
    if name in _unavailable:
        raise BackendUnavailable(_unavailable[name])
    current().stage(f"{name} search")
    deadline = Deadline(DEFAULT_SEARCH_SECONDS if time_limit is None else float(time_limit))
    # The engine stops itself at its time; settling its candidates gets the rest.
    seconds = max(MIN_ENGINE_SECONDS, deadline.limit * (1 - SETTLE_SHARE))
    backend = BACKENDS[name]()
    hint_expression = hint.expression if hint else None
    try:
        candidates = backend.search_expressions(data, seconds, random_state, hint_expression, constants)
    except BackendUnavailable as err:
        _unavailable[name] = str(err)
        raise
    settle_seconds = max(0.0, deadline.left())
    law = law_from_candidates(
        candidates,
        data,
        constants,
        snap,
        info={"method": name, "backend": name},
        seconds=settle_seconds,
        random_state=_seed(random_state),
    )
    if law is None:
        raise DataError(f"{name} returned no expression that is finite on the {data.n_rows} rows")
    law.info["seconds"] = deadline.elapsed()
    law.info["candidates"] = len(candidates)
    current().step(f"{name}: {law.formula}")
    # The backend's options as run, for law.info and law files.
    law.info["settings"] = dict(
        backend.options(data, seconds, random_state, hint_expression, constants),
        time_limit=time_limit,
        random_state=random_state,
    )
    return law, candidates


def bootstrap_backend_law(
    law: Law,
    candidates: list[ExpressionCandidate],
    data: Dataset,
    constants: Mapping[str, float],
    *,
    snap: bool,
    resamples: int,
    random_state: int | None,
    verbose: bool,
) -> None:
    """Settle the candidates again on resampled rows; the report goes to ``law.info["bootstrap"]``."""
    report = bootstrap_report(
        law,
        data,
        lambda rows: law_from_candidates(candidates, rows, constants, snap, random_state=_seed(random_state)),
        resamples,
        random_state,
        verbose,
    )
    law.info["bootstrap"] = report.as_dict()


def _seed(random_state: int | None) -> int:
    # The engines run with seed 0 when given none; their candidates are settled the same way.
    return 0 if random_state is None else random_state
