"""The short series' ceiling: in how many cases the data themselves prefer the true system to the one returned.

For each case of ``short_series_problems`` at one noise level, the system
``discover_system`` returns and the true structure (started at the true
values) are each fitted to the same noisy trajectory by simulation, pruned
and snapped as every trajectory fit is, and compared by their BIC with no
charge for a library searched. Where the returned system is wrong and
preferred to the truth by more than the selection margin, no choice that
follows the fit can give the truth: those right-hand sides bound what any
such method reaches.

Usage::

    python -m benchmarks.short_series_ceiling [--noise 0.05] [--time-limit 30]

Writes ``benchmarks/results/short_series_ceiling.md``.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import sympy as sp

from discovery import discover_system
from discovery.dynamics.derivatives import estimate_derivatives
from discovery.dynamics.fit_parameters import parameters_of
from discovery.dynamics.matching import MIN_NOISE_FRACTION
from discovery.dynamics.trajectories import Trajectories, as_trajectories
from discovery.dynamics.trajectory_fit import FitContext, fit_by_simulation
from discovery.law.coefficient import Coefficient
from discovery.law.margins import MARGIN
from discovery.progress import current, track
from discovery.settle.criteria import bic

from .real_data import header
from .short_series_problems import SAMPLES, cases
from .term_coverage import term_verdict

RESULTS = Path(__file__).resolve().parent / "results"


def fitted_bic(expressions: dict, coefficients: dict, data: Trajectories, constants: dict) -> float | None:
    """The BIC of a system fitted to the trajectories by simulation (None when it does not simulate)."""
    states = list(data.states)
    estimated = estimate_derivatives(data, "auto")
    rms = np.sqrt(np.mean(np.vstack([tr.x for tr in data.items]) ** 2, axis=0))
    rms = np.where(rms > 0, rms, 1.0)
    sigma = np.maximum([estimated.sigma.get(s, 0.0) for s in states], MIN_NOISE_FRACTION * rms)
    context = FitContext(data, constants, rms, sigma, None, estimated.states)
    parameters = parameters_of(expressions, coefficients, states, data, constants)
    if parameters is None:
        return None
    reached = fit_by_simulation(parameters, list(range(len(states))), context)[2]
    return None if reached is None else bic(reached.rss, reached.n, reached.n_free, reached.floor)


def truth_laws(system) -> tuple[dict, dict]:
    """The true laws as expressions and coefficients (each term's numeric factor)."""
    expressions, coefficients = {}, {}
    for state, truth in zip(system.states, system.truth()):
        expression = sp.expand(sp.sympify(truth))
        expressions[state] = expression
        pairs = [arg.as_coeff_Mul() for arg in sp.Add.make_args(expression)]
        coefficients[state] = [Coefficient(term, float(number), 0.0) for number, term in pairs]
    return expressions, coefficients


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--noise", type=float, default=0.05)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    rows = []
    for case in track([c for c in cases() if c.level == args.noise], "cases"):
        system = case.system
        found = discover_system(
            case.t, case.noisy, variables=list(system.states), time_limit=args.time_limit, random_state=args.seed
        )
        data = as_trajectories(case.t, case.noisy, variables=list(system.states))
        constants = dict(system.constants)
        laws = found.laws
        right = sum(
            term_verdict(laws[s].expression, truth, system.constants, laws[s].coefficients).right_terms
            for s, truth in zip(system.states, system.truth())
        )
        mine = fitted_bic(
            {s: laws[s].expression for s in system.states},
            {s: laws[s].coefficients for s in system.states},
            data,
            constants,
        )
        truth = fitted_bic(*truth_laws(system), data, constants)
        if mine is None or truth is None:
            outcome = "a system does not simulate"
        elif mine < truth - MARGIN["bic"]:
            outcome = "returned preferred"
        elif truth < mine - MARGIN["bic"]:
            outcome = "truth preferred"
        else:
            outcome = "within the margin"
        rows.append((system.name, case.samples, len(system.states), right, mine, truth, outcome))
        current().write(
            f"{system.name:28s} n={case.samples:<3d} right {right}/{len(system.states)}  {outcome}", sys.stdout
        )
    table = summary(rows)
    command = " ".join(["python -m benchmarks.short_series_ceiling", *sys.argv[1:]])
    (RESULTS / "short_series_ceiling.md").write_text(f"Short-series ceiling: {header(command)}\n\n{table}")
    print(table)


def summary(rows: list[tuple]) -> str:
    """Per case, then per sample count: right-hand sides right, and the most a choice that follows the fit gets."""
    lines = [
        "| system | samples | right terms | returned BIC | truth BIC | outcome |",
        "|---|---:|---:|---:|---:|---|",
    ]
    number = lambda value: "—" if value is None else f"{value:.1f}"  # noqa: E731
    for name, samples, states, right, mine, truth, outcome in rows:
        lines.append(f"| {name} | {samples} | {right} / {states} | {number(mine)} | {number(truth)} | {outcome} |")
    lines += ["", "| samples | right terms | ceiling: right-hand sides not in a case whose wrong system is preferred |"]
    lines.append("|---:|---:|---:|")
    for samples in SAMPLES:
        mine = [r for r in rows if r[1] == samples]
        total = sum(r[2] for r in mine)
        lost = sum(r[2] - r[3] for r in mine if r[6] == "returned preferred")
        lines.append(f"| {samples} | {sum(r[3] for r in mine)} / {total} | {total - lost} / {total} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
