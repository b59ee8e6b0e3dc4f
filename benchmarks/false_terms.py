"""How often does ``discover`` add a term the truth does not have? Laws whose truth is known.

Two sets, each judged on the terms of the law returned:

- the cannon: 1,000 shots per seed (noise 0.01, negative distances clipped to
  0 as in the article), ``discover(..., constants={"g": 9.81})`` with the
  default search; exact when the law is v²·sin(2θ)/g, and a false term is any
  term beyond it;
- random sparse laws: the trials of ``benchmarks/coverage.py`` (1-3 terms
  drawn from a random library of 8-20 terms over 1-3 variables, coefficients
  ±U[0.3, 3], 200-2000 rows, Gaussian noise 1-10 % of std(y), fitted with that
  library, ``method="basis"``); a false term is a chosen term that is not in
  the truth, a missed one a true term left out.

    python -m benchmarks.false_terms                     # 100 cannon seeds, 200 random laws
    python -m benchmarks.false_terms --cannon 20 --random 50

Prints a Markdown table; nothing here tunes the engine.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

import sympy as sp

from discovery import discover
from discovery.article.cannon import VARIABLES, G, cannon_shots

from .coverage import run_trial

ROWS = (200, 2000)  # as the coverage benchmark draws them
CANNON_TERM = sp.Symbol("v") ** 2 * sp.sin(2 * sp.Symbol("theta"))


def _terms(expression: sp.Expr) -> set[sp.Expr]:
    """The law's terms without their coefficients (numbers and named constants)."""
    out = set()
    for term in sp.Add.make_args(sp.expand(expression)):
        factors = [f for f in sp.Mul.make_args(term) if f.free_symbols - {sp.Symbol("g")}]
        out.add(sp.Mul(*factors))
    return out


def cannon(seeds: int) -> dict:
    exact = extra = 0
    seconds = []
    examples = []
    for seed in range(seeds):
        shots = cannon_shots(n=1000, seed=seed)
        start = time.perf_counter()
        law = discover(shots.X, shots.y, variables=VARIABLES, target="s", constants={"g": G}, random_state=seed)
        seconds.append(time.perf_counter() - start)
        terms = _terms(law.expression)
        if sp.simplify(law.expression - CANNON_TERM / sp.Symbol("g")) == 0:
            exact += 1
        if terms - {CANNON_TERM}:
            extra += 1
            examples.append(f"seed {seed}: {law.formula}")
    return {"runs": seeds, "exact": exact, "with_false_terms": extra, "seconds": seconds, "examples": examples}


def random_laws(count: int, seed: int) -> dict:
    """The coverage benchmark's random laws (its trials ``0..count-1``), counting chosen terms."""
    runs = false = missed = true_terms = chosen_terms = failed = 0
    for trial in range(count):
        record = run_trial(seed, trial, ROWS, snap_check=False)
        if record["error"] is not None:  # a failed fit is reported, not hidden
            failed += 1
            continue
        runs += 1
        false += record["extra_terms"]
        missed += record["missing_terms"]
        true_terms += len(record["truth"])
        chosen_terms += record["extra_terms"] + len(record["truth"]) - record["missing_terms"]
    return {
        "runs": runs,
        "failed": failed,
        "false": false,
        "missed": missed,
        "true_terms": true_terms,
        "chosen_terms": chosen_terms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cannon", type=int, default=100, help="cannon seeds (default 100)")
    parser.add_argument("--random", type=int, default=200, help="random sparse laws (default 200)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random laws")
    args = parser.parse_args()
    c = cannon(args.cannon)
    r = random_laws(args.random, args.seed)
    print(f"False-term benchmark, {date.today()}.\n")
    print("| set | runs | exact law | runs with a false term | false terms / chosen terms | missed true terms |")
    print("|---|---:|---:|---:|---:|---:|")
    print(
        f"| cannon, 1,000 shots, noise 0.01, clipped | {c['runs']} | {c['exact']} | {c['with_false_terms']} | — | — |"
    )
    print(
        f"| random sparse laws, given library | {r['runs']} | — | — | {r['false']} / {r['chosen_terms']} | "
        f"{r['missed']} / {r['true_terms']} |"
    )
    if r["failed"]:
        print(f"\n{r['failed']} random laws failed to fit")
    print(f"\ncannon: median {statistics.median(c['seconds']):.2f} s per fit")
    for line in c["examples"]:
        print(f"  {line}")


if __name__ == "__main__":
    main()
