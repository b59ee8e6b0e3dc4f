"""Real measurements: does the search return a law a scientist would accept, from the tables scientists have?

For each measured table of ``real_data_problems`` (R's classic data sets for
nonlinear regression, Hubble 1929, the planets): fit the law its field accepts
by least squares (the reference: its RSS and its k free constants), call the
public ``discover(X, y, variables=names, random_state=seed, time_limit=T)``
and nothing else, run Operon (and PySR where Julia exists) on the same rows,
and judge every returned law two ways (``real_data_judge``): **as good** (RSS
within 2 % of the accepted law's, no more free constants) and **the accepted
form** (a member of the accepted family, RSS within 2 %). Every problem is
reported, failures included.

    pip install -e '.[bench]'                                # Operon; PySR needs Julia
    python -m benchmarks.real_data                           # all tables, all tools, 30 s each
    python -m benchmarks.real_data --tools discovery --jobs 2
    python -m benchmarks.real_data --only puromycin_treated bod --time-limit 10

Results go to ``benchmarks/results/real_data.json`` (one record per tool,
problem, seed and time limit; an interrupted run resumes from it) and the
tables to ``real_data.md`` beside it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import date
from pathlib import Path

import numpy as np
import sympy as sp

from .feynman import selected
from .feynman_problems import time_limit
from .peers import Unavailable, run_operon, run_pysr
from .real_data_judge import judge, reference_fit
from .real_data_problems import Problem, load_data, load_problems

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent
TOOLS = ("discovery", "operon", "pysr")
LABELS = {"discovery": "this toolkit, discover()", "operon": "Operon (pyoperon)", "pysr": "PySR"}
_warmed: set[str] = set()


def run_discovery(problem: Problem, X: np.ndarray, y: np.ndarray, seed: int, seconds: float):
    """The public call and nothing else: (the law's SymPy expression, its predictions on the rows)."""
    from discovery import discover

    law = discover(X, y, variables=list(problem.inputs), random_state=seed, time_limit=seconds)
    return law.sympy(), law.predict(X)


def run_peer(tool: str, problem: Problem, X: np.ndarray, y: np.ndarray, seed: int, seconds: float):
    """Operon or PySR exactly as the peers benchmark runs them, on these rows."""
    p = {"name": problem.name, "variables": list(problem.inputs), "X": X, "y": y, "X_test": X}
    return (run_operon if tool == "operon" else run_pysr)(p, seed, seconds)


def _warm_up(tool: str) -> None:
    """SymPy's first simplify loads modules: a small fit first, so that is not counted as fit time."""
    if tool == "discovery" and tool not in _warmed:
        from discovery import discover

        x = np.linspace(1.0, 2.0, 20)
        discover(x[:, None], 3.0 * x, variables=["x"], random_state=0, time_limit=5)
        _warmed.add(tool)


def run_one(tool: str, name: str, seed: int, seconds: float, cap: int) -> dict:
    """Fit one tool to one table and judge its law; never raises (a failure is a result)."""
    import torch

    torch.set_num_threads(1)
    warnings.simplefilter("ignore")
    problem = {p.name: p for p in load_problems()}[name]
    X, y = load_data(problem)
    reference = reference_fit(problem, X, y)
    record = {
        "tool": tool, "problem": name, "seed": seed, "time_limit": seconds, "field": problem.field,
        "rows": len(y), "k": problem.k, "accepted_law": problem.law, "accepted_rss": reference.rss,
        "accepted_r2": reference.r2, "accepted_values": reference.values,
    }  # fmt: skip
    _warm_up(tool)
    start = time.perf_counter()
    try:
        with time_limit(cap):
            if tool == "discovery":
                expression, predicted = run_discovery(problem, X, y, seed, seconds)
            else:
                expression, predicted = run_peer(tool, problem, X, y, seed, seconds)
    except Unavailable as err:
        return dict(record, available=False, error=str(err))
    except Exception as err:  # a crash or the cap is a failed problem, reported as such
        message = f"{type(err).__name__}: {err}"[:300] if str(err) else f"no result within the {cap} s cap"
        return dict(record, available=True, seconds=time.perf_counter() - start, law=None, error=message,
                    constants=None, rss=None, ratio=None, member=False, as_good=False, accepted_form=False)  # fmt: skip
    seconds_taken = time.perf_counter() - start
    verdict = judge(expression, problem, X, y, reference, predicted)
    return dict(
        record,
        available=True,
        seconds=seconds_taken,
        law=sp.sstr(expression) if expression is not None else None,
        error=None,
        constants=verdict.constants,
        rss=verdict.rss if math.isfinite(verdict.rss) else None,
        ratio=verdict.ratio if math.isfinite(verdict.ratio) else None,
        member=verdict.member,
        as_good=verdict.as_good,
        accepted_form=verdict.accepted_form,
    )


# ---------------------------------------------------------------- report


def verdict_text(record: dict | None) -> str:
    if record is None:
        return "not run"
    if not record.get("available"):
        return "n/a"
    if record.get("error"):
        return "error"
    words = [w for w, ok in (("as good", record["as_good"]), ("accepted form", record["accepted_form"])) if ok]
    return " + ".join(words) or "neither"


def shown_law(text: str | None, digits: int = 4) -> str:
    """The law with its floats to ``digits`` significant digits, for the table."""
    if text is None:
        return "—"
    try:
        expression = sp.sympify(text)
    except (sp.SympifyError, SyntaxError, TypeError):
        return text
    rounded = expression.xreplace({f: sp.Float(f, digits) for f in expression.atoms(sp.Float)})
    return sp.sstr(rounded).replace("|", "\\|")


def header(command: str) -> str:
    """Command, date, code commit and machine, for the top of the tables."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        # The results files a run writes before its header are not changes to the code it ran.
        status = ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!benchmarks/results"]
        dirty = subprocess.run(status, cwd=ROOT, capture_output=True, text=True)
        code = commit.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")
    except OSError:
        code = "unknown"
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        models = [ln.split(":", 1)[1].strip() for ln in cpuinfo.read_text().splitlines() if ln.startswith("model name")]
        cpu = models[0] if models else cpu
    return (
        f"`{command}`, {date.today().isoformat()}, code {code}, {cpu} ({os.cpu_count()} cores), "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}."
    )


def summarise(records: list[dict], tools: list[str], problems: list[Problem], command: str) -> str:
    by = {(r["tool"], r["problem"]): r for r in records}
    n = len(problems)
    lines = [
        f"Real-data benchmark: {header(command)}",
        "",
        f"{n} measured tables. **as good**: RSS ≤ 1.02 × the accepted law's least-squares RSS, with no more free "
        "constants (distinct floats in the printed law) than its k. **accepted form**: the law is a member of the "
        "accepted family (refitted to it within 1e-6 of its spread on the data range ± 50 %) and its RSS ≤ 1.02 × "
        "the accepted one.",
        "",
        f"| tool | as good (of {n}) | accepted form (of {n}) | median s | errors |",
        "|---|---:|---:|---:|---:|",
    ]
    for tool in tools:
        rows = [by[(tool, p.name)] for p in problems if (tool, p.name) in by]
        if not rows:
            continue
        if not any(r.get("available") for r in rows):
            lines.append(f"| {LABELS[tool]} | skipped: {rows[0]['error']} | | | |")
            continue
        good = sum(r["as_good"] for r in rows)
        form = sum(r["accepted_form"] for r in rows)
        seconds = [r["seconds"] for r in rows if r.get("available")]
        errors = sum(bool(r.get("error")) for r in rows)
        missing = f" ({n - len(rows)} not run)" if len(rows) < n else ""
        lines.append(
            f"| {LABELS[tool]} | {good}/{n} ({100 * good / n:.0f} %){missing} | {form}/{n} ({100 * form / n:.0f} %) "
            f"| {statistics.median(seconds):.1f} | {errors} |"
        )
    shown = [t for t in tools if any(by.get((t, p.name), {}).get("available") for p in problems)]
    head = "| problem | rows | accepted law | k | accepted RSS |"
    rule = "|---|---:|---|---:|---:|"
    for tool in shown:
        head += f" {tool} law | constants | RSS ratio | {tool} verdict |"
        rule += "---|---:|---:|---|"
    lines += ["", head, rule]
    for p in problems:
        any_record = next((by[(t, p.name)] for t in tools if (t, p.name) in by), None)
        rss = f"{any_record['accepted_rss']:.4g}" if any_record else "—"
        row = f"| {p.name} | {any_record['rows'] if any_record else '—'} | `{p.law}` | {p.k} | {rss} |"
        for tool in shown:
            r = by.get((tool, p.name))
            ratio = f"{r['ratio']:.3g}" if r and r.get("ratio") is not None else "—"
            law = shown_law(r.get("law")) if r else "—"
            law = f"`{law}`" if r and r.get("law") else (r.get("error") or "—") if r else "—"
            constants = r.get("constants") if r and r.get("constants") is not None else "—"
            row += f" {law} | {constants} | {ratio} | {verdict_text(r)} |"
        lines.append(row)
    return "\n".join(lines)


# ---------------------------------------------------------------- run


def _save(path: Path, records: list[dict]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(records, indent=1))
    os.replace(tmp, path)


def _line(record: dict, count: int, total: int) -> str:
    what = record.get("law") or record.get("error") or ""
    ratio = f"{record['ratio']:.3g}" if record.get("ratio") is not None else "—"
    return (
        f"[{count:>3}/{total}] {record['tool']:<9} {record['problem']:<20} {verdict_text(record):<23} "
        f"ratio={ratio:<7} c={record.get('constants')}/{record['k']} {record.get('seconds', 0):6.1f}s  {what[:100]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tools", nargs="+", default=list(TOOLS), choices=TOOLS)
    parser.add_argument("--only", nargs="+", metavar="NAME", help="problem names")
    parser.add_argument("--limit", type=int, help="only the first N problems")
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds per tool and problem (default 30)")
    parser.add_argument("--cap", type=int, help="hard seconds per tool and problem (default 4 × time limit + 60)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1, help="fits in parallel (processes)")
    parser.add_argument("--out", type=Path, default=RESULTS / "real_data.json")
    parser.add_argument("--fresh", action="store_true", help="ignore earlier results instead of resuming")
    args = parser.parse_args()
    problems = selected(parser, load_problems(), args.only, args.limit, "problem")
    cap = args.cap or int(4 * args.time_limit + 60)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    records = [] if args.fresh or not args.out.exists() else json.loads(args.out.read_text())
    key = (args.seed, args.time_limit)
    done = {(r["tool"], r["problem"]) for r in records if (r["seed"], r["time_limit"]) == key}
    todo = [(t, p.name) for p in problems for t in args.tools if (t, p.name) not in done]
    print(f"{len(todo)} fits to run ({len(done)} already in {args.out})", file=sys.stderr, flush=True)
    try:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            futures = [pool.submit(run_one, t, name, args.seed, args.time_limit, cap) for t, name in todo]
            for count, future in enumerate(as_completed(futures), 1):
                records.append(future.result())
                _save(args.out, records)
                print(_line(records[-1], count, len(todo)), file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        print("\ninterrupted: results so far are saved; run again to resume", file=sys.stderr)
    shown = [r for r in records if (r["seed"], r["time_limit"]) == key]
    command = "python -m benchmarks.real_data " + " ".join(sys.argv[1:])
    table = summarise(shown, args.tools, problems, command.strip())
    args.out.with_suffix(".md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
