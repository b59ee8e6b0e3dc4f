"""SRBench's ground-truth track on the Feynman equations, run through ``discover``.

For each equation: sample the variables uniformly in their ranges (training
rows, ``--n``), add SRBench's target noise, call the public
``discover(X, y, variables=names, random_state=seed, time_limit=...)`` and
nothing else, and judge the law on fresh clean rows: SRBench's symbolic
solution and exact equality. Every problem is reported, failures included.

    python -m benchmarks.feynman --noise 0                  # the 100 equations
    python -m benchmarks.feynman --noise 0 0.001 0.01 0.1 --jobs 2
    python -m benchmarks.feynman --only I.12.1 II.6.15a     # a subset
    python -m benchmarks.feynman --limit 10                 # the first ten
    python -m benchmarks.feynman --distractors 2            # two columns the law does not use

With ``--distractors K`` each table gets K more columns, ``dummy1``..``dummyK``, that
the law does not depend on, drawn as the SRSD benchmark draws its dummy
variables: each uniformly in the range of one of the equation's own variables
(picked at random), from a separate random stream, so that the real columns,
y and its noise are the rows the run without distractors fits. The summary then
also counts the laws that keep a distractor.

Results go to ``benchmarks/results/feynman.json`` (one record per equation,
noise and seed; an interrupted run resumes from it) and a Markdown summary
beside it.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import date
from pathlib import Path

import numpy as np

from discovery.progress import current, track

from .feynman_problems import Equation, add_noise, judge, load_equations, sample
from .term_coverage import term_verdict

RESULTS = Path(__file__).resolve().parent / "results"


def with_distractors(X: np.ndarray, equation: Equation, count: int, rng: np.random.Generator) -> np.ndarray:
    """X with ``count`` more columns, each uniform in the range of one of the equation's variables."""
    if count == 0:
        return X
    ranges = [equation.ranges[int(j)] for j in rng.integers(0, len(equation.ranges), count)]
    return np.column_stack([X] + [rng.uniform(low, high, len(X)) for low, high in ranges])


def distractor_names(count: int, taken: tuple[str, ...] = ()) -> list[str]:
    """``dummy1``..``dummyK`` (SRSD's name for them), with an underscore added while one is an equation's."""
    names = []
    for k in range(1, count + 1):
        name = f"dummy{k}"
        while name in taken:
            name += "_"
        names.append(name)
    return names


def run_one(
    equation: Equation, noise: float, seed: int, n: int, n_test: int, time_limit: float, distractors: int = 0
) -> dict:
    """Fit one problem and judge it; never raises (a failure is a result)."""
    import sympy as sp
    import torch

    from discovery import discover

    torch.set_num_threads(1)
    rng = np.random.default_rng([seed, int(round(noise * 1e6)), zlib.crc32(equation.name.encode())])
    X, y_clean = sample(equation, n, rng)
    y = add_noise(y_clean, noise, rng)
    X_test, y_test = sample(equation, n_test, rng)
    record = {"equation": equation.name, "noise": noise, "seed": seed, "formula": equation.formula}
    names = list(equation.variables)
    if distractors:
        stream = np.random.default_rng([seed, int(round(noise * 1e6)), zlib.crc32(equation.name.encode()), 1])
        X, X_test = (with_distractors(rows, equation, distractors, stream) for rows in (X, X_test))
        names += distractor_names(distractors, equation.variables)
        record["distractors"] = distractors
    start = time.perf_counter()
    try:
        law = discover(X, y, variables=names, random_state=seed, time_limit=time_limit)
    except Exception as err:  # a crash is a failed problem, reported as such
        record.update(
            seconds=time.perf_counter() - start,
            law=None,
            error=f"{type(err).__name__}: {err}",
            r2_test=None,
            symbolic_solution=False,
            exact=False,
            kept_distractors=[],
        )
        return record
    seconds = time.perf_counter() - start
    try:
        with np.errstate(all="ignore"):
            predicted = law.predict(X_test)
    except Exception as err:  # a law that cannot predict from its own kind of table is a failed problem
        record.update(seconds=seconds, law=sp.sstr(law.expression), error=f"predict: {type(err).__name__}: {err}",
                      r2_test=None, symbolic_solution=False, exact=False, kept_distractors=[])  # fmt: skip
        return record
    residual = np.sum((y_test - predicted) ** 2)
    r2 = float(1 - residual / np.sum((y_test - y_test.mean()) ** 2)) if np.isfinite(residual) else -np.inf
    verdict = judge(law.expression, equation.expression, r2, ranges=dict(zip(equation.variables, equation.ranges)))
    terms = term_verdict(law.expression, equation.expression, coefficients=law.coefficients, exact=verdict.exact)
    record.update(
        seconds=seconds,
        law=sp.sstr(law.expression),
        r2_test=r2,
        symbolic_solution=verdict.symbolic_solution,
        exact=verdict.exact,
        right_terms=terms.right_terms,
        covered=terms.covered,
        error=None,
        kept_distractors=sorted(
            str(s) for s in law.expression.free_symbols if str(s) in names[len(equation.variables) :]
        ),
    )
    return record


def rejudge(path: Path) -> None:
    """Judge stored laws again (after a change to the judging), keeping fits and times."""
    import sympy as sp

    from .feynman_problems import FUNCTIONS

    equations = {e.name: e for e in load_equations()}
    records = json.loads(path.read_text())
    for record in records:
        equation = equations[record["equation"]]
        if record["law"] is None:
            continue
        local = dict(FUNCTIONS, **{v: sp.Symbol(v) for v in equation.variables})
        law = sp.sympify(record["law"], locals=local)
        verdict = judge(
            law, equation.expression, record["r2_test"], ranges=dict(zip(equation.variables, equation.ranges))
        )
        record.update(symbolic_solution=verdict.symbolic_solution, exact=verdict.exact)
    _save(path, records)
    noises = sorted({r["noise"] for r in records})
    table = summarise(records, noises, len({r["equation"] for r in records}))
    path.with_suffix(".md").write_text(table + "\n")
    print(table)


def summarise(records: list[dict], noises: list[float], total: int) -> str:
    lines = [
        f"Feynman benchmark, {date.today()}: {total} equations per noise level.",
        "",
        "| noise | symbolic solution (SRBench) | exact | median s | max s | errors |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    distracted = any(r.get("distractors") for r in records)
    judged_terms = any("covered" in r for r in records)  # records made before that verdict have none
    if judged_terms:
        lines[2] += " right terms | right terms, truth in 95 % CI |"
        lines[3] += "---:|---:|"
    if distracted:
        count = max(r.get("distractors", 0) for r in records)
        lines[0] = lines[0].replace(
            "equations per noise level", f"equations per noise level, {count} distractor columns"
        )
        lines[2] += " laws keeping a distractor |"
        lines[3] += "---:|"
    for noise in noises:
        rows = [r for r in records if r["noise"] == noise]
        if not rows:
            continue
        solved = sum(r["symbolic_solution"] for r in rows)
        exact = sum(r["exact"] for r in rows)
        seconds = [r["seconds"] for r in rows]
        errors = sum(r["error"] is not None for r in rows)
        lines.append(
            f"| {noise:g} | {solved}/{len(rows)} ({100 * solved / len(rows):.0f} %) | "
            f"{exact}/{len(rows)} ({100 * exact / len(rows):.0f} %) | "
            f"{statistics.median(seconds):.2f} | {max(seconds):.1f} | {errors} |"
            + (
                f" {sum(bool(r.get('right_terms')) for r in rows)} | {sum(bool(r.get('covered')) for r in rows)} |"
                if judged_terms
                else ""
            )
            + (f" {sum(bool(r.get('kept_distractors')) for r in rows)} |" if distracted else "")
        )
    return "\n".join(lines)


def _save(path: Path, records: list[dict]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(records, indent=1))
    os.replace(tmp, path)


def add_run_arguments(
    parser: argparse.ArgumentParser, noise: list[float], out: Path, what: str, time_limit: float = 30.0
) -> None:
    """The options every ground-truth benchmark takes; ``what`` names a problem in the help."""
    levels = " ".join(f"{n:g}" for n in noise)
    parser.add_argument("--noise", type=float, nargs="+", default=noise, help=f"noise levels (default {levels})")
    parser.add_argument("--n", type=int, default=10_000, help="training rows (default 10000)")
    parser.add_argument("--n-test", type=int, default=10_000, help="clean test rows (default 10000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--time-limit", type=float, default=time_limit, help=f"time_limit per problem (default {time_limit:g})"
    )
    parser.add_argument("--only", nargs="+", metavar="NAME", help=f"{what} names")
    parser.add_argument("--limit", type=int, help=f"only the first N {what}s")
    parser.add_argument("--jobs", type=int, default=1, help="problems in parallel (processes)")
    parser.add_argument("--out", type=Path, default=out)
    parser.add_argument("--fresh", action="store_true", help="ignore earlier results instead of resuming")
    parser.add_argument("--rejudge", action="store_true", help="judge the stored laws again, without refitting")


def selected(parser: argparse.ArgumentParser, problems: list, only: list[str] | None, limit: int | None, what: str):
    """The problems ``--only`` names (an unknown name is an error), then the first ``--limit`` of them."""
    if only:
        unknown = sorted(set(only) - {p.name for p in problems})
        if unknown:
            parser.error(f"unknown {what}(s): {', '.join(unknown)}")
        problems = [p for p in problems if p.name in only]
    return problems[:limit] if limit else problems


def run_benchmark(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    problems: list,
    run_one: Callable[..., dict],
    summary: Callable[[list[dict], list[float], int], str],
    what: str,
) -> None:
    """Run every (problem, noise) not yet in ``args.out``, saving after each; write and print the summary.

    ``problems`` have a ``name``; ``run_one(problem, noise, seed, n, n_test, time_limit)``
    returns a record; ``summary(records, noises, count)`` the Markdown table.
    """
    problems = selected(parser, problems, args.only, args.limit, what)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    records = [] if args.fresh or not args.out.exists() else json.loads(args.out.read_text())
    done = {(r["equation"], r["noise"], r["seed"]) for r in records}
    todo = [(p, noise) for noise in args.noise for p in problems if (p.name, noise, args.seed) not in done]
    print(f"{len(todo)} problems to run ({len(done)} already in {args.out})", file=sys.stderr, flush=True)
    width = max((len(p.name) for p in problems), default=0)

    def report(record: dict, count: int) -> None:
        status = ("solved" if record["symbolic_solution"] else "FAILED") + (", exact" if record["exact"] else "")
        current().write(  # above the progress bar where one is shown
            f"[{count:>3}/{len(todo)}] {record['equation']:<{width}} noise={record['noise']:<6g} {status:<14} "
            f"{record['seconds']:6.1f}s  {record['law'] or record['error']}"
        )

    work = [(p, noise, args.seed, args.n, args.n_test, args.time_limit) for p, noise in todo]
    try:
        if args.jobs > 1:
            with ProcessPoolExecutor(max_workers=args.jobs) as pool:
                futures = [pool.submit(run_one, *w) for w in work]
                for count, future in enumerate(track(as_completed(futures), "problems", len(futures)), 1):
                    records.append(future.result())
                    _save(args.out, records)
                    report(records[-1], count)
        else:
            for count, w in enumerate(track(work, "problems"), 1):
                records.append(run_one(*w))
                _save(args.out, records)
                report(records[-1], count)
    except KeyboardInterrupt:
        print("\ninterrupted: results so far are saved; run again to resume", file=sys.stderr)
    names = {p.name for p in problems}
    shown = [r for r in records if r["equation"] in names and r["seed"] == args.seed]
    table = summary(shown, args.noise, len(problems))
    args.out.with_suffix(".md").write_text(table + "\n")
    print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_run_arguments(parser, [0.0], RESULTS / "feynman.json", "equation")
    parser.add_argument(
        "--distractors", type=int, default=0, help="columns the law does not use, added to each table (default 0)"
    )
    args = parser.parse_args()
    if args.distractors < 0:
        parser.error("--distractors must be 0 or more")
    if args.rejudge:
        rejudge(args.out)
        return
    run = functools.partial(run_one, distractors=args.distractors) if args.distractors else run_one
    run_benchmark(parser, args, load_equations(), run, summarise, "equation")


if __name__ == "__main__":
    main()
