"""The cannon experiment, end to end: every method fitted and compared in one table."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from bases import power_harmonics

from ..api import discover
from ..estimator import SparseBasisRegressor
from ..law.law import Law
from .baselines import BASELINES
from .basis_adam import ArticleBasisAdam
from .cannon import VARIABLES, G, cannon_shots, true_distance

N_TEST = 1000


@dataclass
class MethodResult:
    """One row of the demo's table."""

    name: str
    train_rmse: float
    test_rmse: float
    extrapolation_rmse: float
    seconds: float
    formula: str
    predict: Callable[[np.ndarray], np.ndarray]


@dataclass
class DemoReport:
    """Everything the demo measured."""

    results: list[MethodResult]
    law: Law
    X: np.ndarray
    y: np.ndarray


def _rmse(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


def _methods(seed: int, fast: bool) -> list[tuple[str, Callable[[], Any]]]:
    """(name, factory) of every method; the factory returns an object with fit/predict."""
    constants = {"g": G}
    article_terms = power_harmonics("v", "theta", powers=(1, 2), orders=(0, 1, 2))
    methods: list[tuple[str, Callable[[], Any]]] = [
        (
            "discover (default library)",
            lambda: SparseBasisRegressor(constants=constants, random_state=seed, variables=VARIABLES, target="s"),
        ),
        (
            "basis v^k·sin(mθ), L0 search",
            lambda: SparseBasisRegressor(
                library=article_terms, constants=constants, random_state=seed, variables=VARIABLES, target="s"
            ),
        ),
        (
            "basis v^k·sin(mθ), Adam (article)",
            lambda: ArticleBasisAdam(epochs=500 if fast else 5000, random_state=seed),
        ),
    ]
    for name, factory in BASELINES:
        kwargs: dict[str, Any] = {"random_state": seed}
        if fast and "MLP" in name:
            kwargs["epochs"] = 100
        if fast and "linear" in name:
            kwargs["epochs"] = 100
        methods.append((name, lambda factory=factory, kwargs=kwargs: factory(**kwargs)))
    return methods


def _formula(model: Any) -> str:
    if hasattr(model, "law_"):
        return str(model.law_)
    if hasattr(model, "formula"):
        return model.formula(list(VARIABLES), "s")
    return "— (no formula)"


def run_demo(
    seed: int = 0, n: int = 1000, noise: float = 0.01, fast: bool = False, log: Callable[[str], None] | None = None
) -> DemoReport:
    """Fit every method to the cannon data and measure it.

    Fit seconds are wall-clock time of ``fit`` alone, after a warm-up fit
    that pays the one-time cost of loading torch and SymPy modules.

    Parameters
    ----------
    seed : int
        Seeds the data and every method.
    n : int
        Training shots.
    noise : float
        Standard deviation of the distance measurement noise.
    fast : bool
        Fewer training epochs for the gradient-trained methods (for tests).
    log : callable, optional
        Receives a progress line per method (default: print to stderr).
    """
    log = log or (lambda line: print(line, file=sys.stderr, flush=True))
    _warm_up()
    train = cannon_shots(n, seed=seed, noise=noise)
    inside = cannon_shots(N_TEST, seed=seed + 10_000, noise=0.0, clip_negative=False)
    outside = cannon_shots(N_TEST, seed=seed + 20_000, noise=0.0, v_range=(10.0, 20.0), clip_negative=False)
    results, law = [], None
    for index, (name, factory) in enumerate(_methods(seed, fast)):
        model = factory()
        log(f"fitting {name} ...")
        start = time.perf_counter()
        model.fit(train.X, train.y)
        seconds = time.perf_counter() - start
        results.append(
            MethodResult(
                name=name,
                train_rmse=_rmse(model.predict(train.X), train.y),
                test_rmse=_rmse(model.predict(inside.X), true_distance(inside.X)),
                extrapolation_rmse=_rmse(model.predict(outside.X), true_distance(outside.X)),
                seconds=seconds,
                formula=_formula(model),
                predict=model.predict,
            )
        )
        log(f"  done in {seconds:.2f}s")
        if index == 0:
            law = model.law_
    assert law is not None
    return DemoReport(results, law, train.X, train.y)


def _warm_up() -> None:
    """Pay one-time costs (torch and SymPy loading their modules) before any clock starts."""
    small = cannon_shots(50, seed=0)
    discover(small.X, small.y, variables=list(VARIABLES), constants={"g": G}, random_state=0)


def format_table(results: list[MethodResult]) -> str:
    """The demo's table as Markdown."""
    lines = [
        "| method | train RMSE | test RMSE (v in [0,10]) | extrapolation RMSE (v in [10,20]) | fit seconds | formula |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.train_rmse:.3g} | {r.test_rmse:.3g} | {r.extrapolation_rmse:.3g} | "
            f"{r.seconds:.2f} | `{r.formula}` |"
        )
    return "\n".join(lines)
