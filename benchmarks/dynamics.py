"""Dynamics benchmark: discover_system against PySINDy on SRBench's Strogatz set, Lorenz and a damped pendulum.

For each system of ``dynamics_problems`` (committed before any tuning) and
each state-noise level, four trajectories are generated (seed 0), noise is
added (seed 7), and each tool fits them. Every right-hand side is judged as
the other benchmarks judge a law (``feynman_problems.judge``: SRBench's
symbolic solution after rounding to 3 decimals, and exact), and by the
verdict for noisy data (``term_coverage``: the right terms, and each true
coefficient inside the law's 95 % interval), with the test R²
measured against the exact derivatives on two held-out noise-free
trajectories from fresh initial conditions. PySINDy runs as its users run it
(``pysindy_runs``): its defaults, its weak form, and tuned (smoothed
differences, normalised columns, the threshold cross-validated, E-SINDy's
bagged intervals); it is in the ``bench`` extra and skipped, with a note,
when missing.

Usage::

    python -m benchmarks.dynamics [--noise 0 0.01 0.1] [--time-limit 30] [--systems NAME ...]

Writes ``benchmarks/results/dynamics.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import sympy as sp

from discovery.progress import current, track

from .dynamics_problems import (
    HELD_OUT_TRAJECTORIES,
    NOISE_LEVELS,
    TRAJECTORIES,
    System,
    generate,
    load_systems,
    with_noise,
)
from .feynman_problems import judge
from .pysindy_runs import fit_pysindy
from .real_data import header
from .term_coverage import term_verdict

RESULTS = Path(__file__).resolve().parent / "results"
NOISE_SEED = 7
TOOLS = ("discovery", "pysindy", "pysindy-weak", "pysindy-tuned")
SINDY_KIND = {"pysindy": "defaults", "pysindy-weak": "weak", "pysindy-tuned": "tuned"}


def r2(predicted: np.ndarray, truth: np.ndarray) -> float:
    predicted = np.asarray(predicted, dtype=float).reshape(-1)
    if not np.all(np.isfinite(predicted)):
        return float("-inf")
    return float(1 - np.sum((predicted - truth) ** 2) / np.sum((truth - truth.mean()) ** 2))


def run_discovery(system: System, t, xs, held, time_limit: float, seed: int) -> dict:
    from discovery import discover_system

    started = time.perf_counter()
    found = discover_system(
        t,
        xs,
        variables=list(system.states),
        constants=dict(system.constants) or None,
        time_limit=time_limit,
        random_state=seed,
    )
    seconds = time.perf_counter() - started
    X = np.vstack(held.states)
    expressions = [found.laws[s].expression for s in system.states]
    predicted = found.predict_derivatives(X)
    return {
        "seconds": seconds,
        "expressions": expressions,
        "coefficients": [found.laws[s].coefficients for s in system.states],
        "predicted": predicted,
        "derivatives": found.info["derivatives"],
        "check": found.info.get("check", {}),
    }


def run_pysindy(system: System, t, xs, held, kind: str) -> dict:
    started = time.perf_counter()
    result = fit_pysindy(kind, list(t), xs, system.states)
    seconds = time.perf_counter() - started
    X = np.vstack(held.states)
    symbols = [sp.Symbol(s) for s in system.states]
    predicted = np.column_stack(
        [
            np.asarray(sp.lambdify(symbols, e, "numpy")(*X.T), dtype=float) * np.ones(len(X))
            for e in result["expressions"]
        ]
    )
    return {**result, "seconds": seconds, "predicted": predicted}


def judged(system: System, result: dict, held, ranges) -> list[dict]:
    truth = np.vstack(held.derivatives)
    rows = []
    for j, (state, expected) in enumerate(zip(system.states, system.truth())):
        found = result["expressions"][j]
        score = r2(result["predicted"][:, j], truth[:, j])
        verdict = judge(found, expected, score, ranges=ranges, constants=dict(system.constants) or None)
        intervals = result.get("coefficients")  # PySINDy's plain fit gives none
        mine = None if intervals is None else intervals[j]
        terms = term_verdict(found, expected, system.constants, mine, verdict.exact)
        rows.append(
            {
                "state": state,
                "truth": sp.sstr(expected),
                "found": sp.sstr(found),
                "r2_test": score,
                "symbolic": verdict.symbolic_solution,
                "exact": verdict.exact,
                "right_terms": terms.right_terms,
                "covered": terms.covered,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--noise", type=float, nargs="+", default=list(NOISE_LEVELS))
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds per system for discover_system")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--systems", nargs="+", help="names of systems to run (default: all)")
    parser.add_argument("--tools", nargs="+", default=list(TOOLS), choices=TOOLS)
    parser.add_argument("--out", default=str(RESULTS / "dynamics.json"))
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    systems = [s for s in load_systems() if not args.systems or s.name in args.systems]
    records = []
    started = time.perf_counter()
    for system in track(systems, "systems"):
        train = generate(system, 0)
        held = generate(system, 1, HELD_OUT_TRAJECTORIES, first=TRAJECTORIES)
        clean = np.vstack(train.states)
        ranges = {s: (float(clean[:, j].min()), float(clean[:, j].max())) for j, s in enumerate(system.states)}
        for level in args.noise:
            xs = with_noise(train, level, NOISE_SEED)
            for tool in args.tools:
                try:
                    if tool == "discovery":
                        result = run_discovery(system, train.t, xs, held, args.time_limit, args.seed)
                    else:
                        result = run_pysindy(system, train.t, xs, held, SINDY_KIND[tool])
                except ImportError as err:
                    current().write(f"{tool}: not installed ({err}); skipped", sys.stdout)
                    continue
                except Exception as err:  # a tool's failure is a result, not the benchmark's end
                    current().write(
                        f"{system.name} noise {level} {tool}: failed: {type(err).__name__}: {err}", sys.stdout
                    )
                    records.append(
                        {"system": system.name, "noise": level, "tool": tool, "error": f"{type(err).__name__}: {err}"}
                    )
                    continue
                rows = judged(system, result, held, ranges)
                record = {
                    "system": system.name,
                    "strogatz": system.strogatz,
                    "noise": level,
                    "tool": tool,
                    "seconds": result["seconds"],
                    "rhs": rows,
                }
                if tool == "discovery":
                    record["derivatives"] = result["derivatives"]
                    record["check"] = result["check"]
                records.append(record)
                marks = " ".join(f"{r['state']}:{'E' if r['exact'] else 'S' if r['symbolic'] else '-'}" for r in rows)
                current().write(
                    f"{system.name:28s} noise {level:<5g} {tool:13s} {result['seconds']:6.1f}s  {marks}", sys.stdout
                )
                for r in rows:
                    current().write(f"    d{r['state']}/dt = {r['found'][:150]}  (R² {r['r2_test']:.4f})", sys.stdout)
    wall = time.perf_counter() - started
    out = Path(args.out)
    out.write_text(json.dumps({"records": records, "wall_seconds": wall, "argv": sys.argv[1:]}, indent=1, default=str))
    table = summary(records, args.noise, args.tools)
    command = " ".join(["python -m benchmarks.dynamics", *sys.argv[1:]])
    out.with_suffix(".md").write_text(f"Dynamics benchmark: {header(command)}\n\n{table}\nWall time {wall:.0f} s.\n")
    print(table)


def summary(records: list[dict], noises: list[float], tools: list[str]) -> str:
    lines = [
        "| tool | noise | Strogatz RHS symbolic (of 14) | Strogatz exact | Strogatz right terms "
        "| Strogatz right terms, truth in 95 % CI | Lorenz (3) symbolic | pendulum (2) symbolic "
        "| median s per system |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for tool in tools:
        for level in noises:
            mine = [r for r in records if r["tool"] == tool and r["noise"] == level and "rhs" in r]
            if not mine:
                continue
            strogatz = [row for r in mine if r["strogatz"] for row in r["rhs"]]
            lorenz = [row for r in mine if r["system"] == "lorenz" for row in r["rhs"]]
            pendulum = [row for r in mine if r["system"] == "damped pendulum" for row in r["rhs"]]
            failed = sum(1 for r in records if r["tool"] == tool and r["noise"] == level and "error" in r)
            lines.append(
                f"| {tool} | {level:g} | {sum(r['symbolic'] for r in strogatz)} / {len(strogatz)} "
                f"| {sum(r['exact'] for r in strogatz)} | {sum(r['right_terms'] for r in strogatz)} "
                f"| {_covered(strogatz)} | {sum(r['symbolic'] for r in lorenz)} / {len(lorenz)} "
                f"| {sum(r['symbolic'] for r in pendulum)} / {len(pendulum)} "
                f"| {statistics.median(r['seconds'] for r in mine):.1f}{f' ({failed} failed)' if failed else ''} |"
            )
    return "\n".join(lines) + "\n"


def _covered(rows: list[dict]) -> str:
    """How many right-hand sides have the right terms and the truth in their intervals ("—": no intervals)."""
    if any(r["covered"] is None for r in rows):
        return "— (no intervals)"
    return str(sum(r["covered"] for r in rows))


if __name__ == "__main__":
    main()
