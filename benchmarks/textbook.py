"""A second ground-truth benchmark: textbook laws not in the Feynman table, with named constants.

The problems are in ``textbook_problems.py`` (47 laws from physics, chemistry,
biology, astronomy and engineering texts; chosen before the engine was run on
them and never edited to suit it). Everything else is the Feynman runner's:
for each law, sample the variables uniformly in their ranges (``--n`` rows),
add SRBench's target noise, call the public ``discover(X, y,
variables=names, constants=the law's named constants, random_state=seed,
time_limit=...)`` and nothing else, and judge the law on fresh clean rows:
SRBench's symbolic solution and exact equality, where exact needs the law to
name its constants (R, not 8.314). Every problem is reported, failures
included, with its time against the time limit.

    python -m benchmarks.textbook                            # noise 0, 0.01 and 0.1
    python -m benchmarks.textbook --noise 0 --jobs 2
    python -m benchmarks.textbook --only arrhenius ideal_gas  # a subset
    python -m benchmarks.textbook --limit 10                 # the first ten

Results go to ``benchmarks/results/textbook.json`` (one record per law, noise
and seed; an interrupted run resumes from it) and a Markdown summary beside
it: the Feynman summary's table, the largest overrun of the time limit, and
the counts per field.
"""

from __future__ import annotations

import argparse
import json
import time
import zlib
from datetime import date
from pathlib import Path

import numpy as np

from .feynman import _save, add_run_arguments, run_benchmark, summarise
from .feynman_problems import add_noise
from .term_coverage import term_verdict
from .textbook_problems import FIELDS, Problem, judge_law, load_problems, parse, sample

RESULTS = Path(__file__).resolve().parent / "results"


def run_one(
    problem: Problem,
    noise: float,
    seed: int,
    n: int,
    n_test: int,
    time_limit: float,
    units: dict[str, str] | None = None,
    target_unit: str | None = None,
) -> dict:
    """Fit one problem and judge it; never raises (a failure is a result). ``units``: discover's, when given."""
    import sympy as sp
    import torch

    from discovery import discover

    torch.set_num_threads(1)
    rng = np.random.default_rng([seed, int(round(noise * 1e6)), zlib.crc32(problem.name.encode())])
    X, y_clean = sample(problem, n, rng)
    y = add_noise(y_clean, noise, rng)
    X_test, y_test = sample(problem, n_test, rng)
    record = {
        "equation": problem.name,
        "field": problem.field,
        "noise": noise,
        "seed": seed,
        "formula": problem.formula,
        "constants": dict(problem.constants),
        "time_limit": time_limit,
    }
    if units is not None:
        record.update(units=dict(units), target_unit=target_unit)
    start = time.perf_counter()
    try:
        law = discover(
            X,
            y,
            variables=list(problem.variables),
            constants=dict(problem.constants),
            random_state=seed,
            time_limit=time_limit,
            **({} if units is None else {"units": units, "target_unit": target_unit}),
        )
    except Exception as err:  # a crash is a failed problem, reported as such
        record.update(
            seconds=time.perf_counter() - start,
            law=None,
            error=f"{type(err).__name__}: {err}",
            r2_test=None,
            symbolic_solution=False,
            exact=False,
        )
        return record
    seconds = time.perf_counter() - start
    with np.errstate(all="ignore"):
        predicted = law.predict(X_test)
    residual = np.sum((y_test - predicted) ** 2)
    r2 = float(1 - residual / np.sum((y_test - y_test.mean()) ** 2)) if np.isfinite(residual) else -np.inf
    verdict = judge_law(law.expression, problem, r2)
    terms = term_verdict(law.expression, problem.expression, problem.constants, law.coefficients, verdict.exact)
    record.update(
        seconds=seconds,
        law=sp.sstr(law.expression),
        r2_test=r2,
        symbolic_solution=verdict.symbolic_solution,
        exact=verdict.exact,
        right_terms=terms.right_terms,
        covered=terms.covered,
        error=None,
    )
    return record


def rejudge(path: Path, problem_list: list[Problem] | None = None, summary=None) -> None:
    """Judge stored laws again (after a change to the judging), keeping fits and times.

    ``problem_list`` and ``summary`` default to this benchmark's laws and :func:`report`.
    """
    problems = {p.name: p for p in (problem_list or load_problems())}
    summary = summary or report
    records = json.loads(path.read_text())
    for record in records:
        problem = problems[record["equation"]]
        if record["law"] is None:
            continue
        law = parse(record["law"], problem.variables + tuple(problem.constants))
        verdict = judge_law(law, problem, record["r2_test"])
        record.update(symbolic_solution=verdict.symbolic_solution, exact=verdict.exact)
    _save(path, records)
    noises = sorted({r["noise"] for r in records})
    table = summary(records, noises, len({r["equation"] for r in records}))
    path.with_suffix(".md").write_text(table + "\n")
    print(table)


def report(records: list[dict], noises: list[float], total: int, title: str = "Textbook benchmark") -> str:
    """The Feynman summary's table under ``title``, the time overrun, and the counts per field."""
    table = summarise(records, noises, total).splitlines()[1:]  # the first line names the Feynman benchmark
    lines = [f"{title}, {date.today()}: {total} laws per noise level.", *table]
    if records:
        worst = max(records, key=lambda r: r["seconds"] - r["time_limit"])
        late = [r for r in records if r["seconds"] > 1.1 * r["time_limit"] + 2]
        lines += [
            "",
            f"Largest overrun of time_limit: {worst['seconds'] - worst['time_limit']:+.1f} s "
            f"({worst['equation']}, noise {worst['noise']:g}, {worst['seconds']:.1f} s for {worst['time_limit']:g} s); "
            f"{len(late)} of {len(records)} runs took longer than 1.1·time_limit + 2 s.",
        ]
    shown = [noise for noise in noises if any(r["noise"] == noise for r in records)]
    if shown:
        lines += [
            "",
            "| field | laws | " + " | ".join(f"noise {noise:g}: solved (exact)" for noise in shown) + " |",
            "|---|---:|" + "---:|" * len(shown),
        ]
        for field in FIELDS:
            rows = [r for r in records if r.get("field") == field]
            if not rows:
                continue
            cells = []
            for noise in shown:
                at = [r for r in rows if r["noise"] == noise]
                solved, exact = sum(r["symbolic_solution"] for r in at), sum(r["exact"] for r in at)
                cells.append(f"{solved}/{len(at)} ({exact})")
            lines.append(f"| {field} | {len({r['equation'] for r in rows})} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_run_arguments(parser, [0.0, 0.01, 0.1], RESULTS / "textbook.json", "law")
    args = parser.parse_args()
    if args.rejudge:
        rejudge(args.out)
        return
    run_benchmark(parser, args, load_problems(), run_one, report, "law")


if __name__ == "__main__":
    main()
