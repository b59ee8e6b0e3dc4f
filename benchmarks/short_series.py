"""Short series: discover_system against PySINDy on one unevenly sampled, noisy trajectory of 20 or 40 samples.

Each case of ``short_series_problems`` (committed before any tuning) is
given to each tool as one trajectory. Every right-hand side is judged by the
verdict for noisy data (``term_coverage``): the right terms, and each true
coefficient inside the law's 95 % interval (PySINDy's defaults give no
intervals; tuned, E-SINDy's bagged percentiles). A tool that refuses the
data (an error saying why) is counted as such, with its reason.

Usage::

    python -m benchmarks.short_series [--time-limit 30] [--tools discovery pysindy pysindy-tuned]

Writes ``benchmarks/results/short_series.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from pathlib import Path

from discovery import DataError
from discovery.progress import current, track

from .pysindy_runs import fit_pysindy
from .real_data import header
from .short_series_problems import NOISE_LEVELS, SAMPLES, ShortSeries, cases, load_short_systems
from .term_coverage import term_verdict

RESULTS = Path(__file__).resolve().parent / "results"
TOOLS = ("discovery", "pysindy", "pysindy-tuned")
SINDY_KIND = {"pysindy": "defaults", "pysindy-tuned": "tuned"}


def run(case: ShortSeries, tool: str, time_limit: float, seed: int) -> dict:
    """One tool on one case: each right-hand side's verdict, or the tool's refusal."""
    system = case.system
    started = time.perf_counter()
    if tool == "discovery":
        from discovery import discover_system

        try:
            found = discover_system(
                case.t, case.noisy, variables=list(system.states), time_limit=time_limit, random_state=seed
            )
        except DataError as err:
            return {"seconds": time.perf_counter() - started, "refused": str(err)}
        expressions = [found.laws[s].expression for s in system.states]
        coefficients = [found.laws[s].coefficients for s in system.states]
        undetermined = found.info.get("undetermined", [])
    else:
        result = fit_pysindy(SINDY_KIND[tool], [case.t], [case.noisy], system.states)
        expressions, coefficients, undetermined = result["expressions"], result.get("coefficients"), []
    seconds = time.perf_counter() - started
    rows = []
    for j, (state, truth) in enumerate(zip(system.states, system.truth())):
        mine = None if coefficients is None else coefficients[j]
        verdict = term_verdict(expressions[j], truth, system.constants, mine)
        rows.append(
            {
                "state": state,
                "found": str(expressions[j]),
                "right_terms": verdict.right_terms,
                "covered": verdict.covered,
            }
        )
    return {"seconds": seconds, "rhs": rows, "undetermined": undetermined}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds per case for discover_system")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tools", nargs="+", default=list(TOOLS), choices=TOOLS)
    parser.add_argument("--systems", nargs="+", help="names of systems to run (default: all)")
    parser.add_argument("--out", default=str(RESULTS / "short_series.json"))
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    chosen = [c for c in cases() if not args.systems or c.system.name in args.systems]
    records = []
    started = time.perf_counter()
    for case in track(chosen, "cases"):
        for tool in args.tools:
            try:
                result = run(case, tool, args.time_limit, args.seed)
            except ImportError as err:
                current().write(f"{tool}: not installed ({err}); skipped", sys.stdout)
                continue
            except Exception as err:  # a tool's failure is a result, not the benchmark's end
                result = {"seconds": 0.0, "error": f"{type(err).__name__}: {err}"}
            record = {"system": case.system.name, "samples": case.samples, "noise": case.level, "tool": tool, **result}
            records.append(record)
            marks = " ".join(
                f"{r['state']}:{'C' if r['covered'] else 'T' if r['right_terms'] else '-'}"
                for r in result.get("rhs", [])
            )
            why = result.get("refused") or result.get("error") or ""
            current().write(
                f"{case.system.name:28s} n={case.samples:<3d} noise {case.level:<5g} {tool:13s} "
                f"{result['seconds']:6.1f}s  {marks}{why[:100]}",
                sys.stdout,
            )
    wall = time.perf_counter() - started
    out = Path(args.out)
    out.write_text(json.dumps({"records": records, "wall_seconds": wall, "argv": sys.argv[1:]}, indent=1, default=str))
    table = summary(records, args.tools)
    command = " ".join(["python -m benchmarks.short_series", *sys.argv[1:]])
    out.with_suffix(".md").write_text(
        f"Short-series benchmark: {header(command)}\n\n{table}\nWall time {wall:.0f} s.\n"
    )
    print(table)


def summary(records: list[dict], tools: list[str]) -> str:
    """One row per tool, sample count and noise: right terms, and with the truth covered, of the right-hand sides.

    A case is flagged when the tool refused its data or said they may not
    determine its laws (``info["undetermined"]``); a wrong right-hand side in
    a case not flagged is one the user is given as if it were the law.
    """
    lines = [
        "| tool | samples | noise | right terms | right terms, truth in 95 % CI | cases flagged too few "
        "| wrong RHS not flagged | failed | median s per case |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for tool in tools:
        for samples in SAMPLES:
            for level in NOISE_LEVELS:
                mine = [r for r in records if (r["tool"], r["samples"], r["noise"]) == (tool, samples, level)]
                if not mine:
                    continue
                rows = [row for r in mine for row in r.get("rhs", [])]
                total = sum(len(_states(r)) for r in mine)
                covered = (
                    "— (no intervals)"
                    if any(row["covered"] is None for row in rows)
                    else f"{sum(bool(row['covered']) for row in rows)}"
                )
                flagged = [bool(r.get("refused") or r.get("undetermined")) for r in mine]
                unflagged = sum(
                    not row["right_terms"] for r, flag in zip(mine, flagged) if not flag for row in r.get("rhs", [])
                )
                lines.append(
                    f"| {tool} | {samples} | {level:g} | {sum(row['right_terms'] for row in rows)} / {total} "
                    f"| {covered} | {sum(flagged)} | {unflagged} | {sum('error' in r for r in mine)} "
                    f"| {statistics.median(r['seconds'] for r in mine):.1f} |"
                )
    return "\n".join(lines) + "\n"


def _states(record: dict) -> tuple[str, ...]:
    return next(s.states for s in load_short_systems() if s.name == record["system"])


if __name__ == "__main__":
    main()
