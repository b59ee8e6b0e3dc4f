"""A third ground-truth benchmark: laws built by composition (issue 11).

The problems are in ``compositional_problems.py`` (laws from physics,
chemistry, biology, astronomy and engineering texts, not in the Feynman
table: ratios whose denominator is a sum, roots and powers of sums,
exponentials and logarithms of ratios of sums, ...; chosen before the engine
was run on them and never edited to suit it). Everything else is the textbook
runner's: for each law, sample the variables uniformly in their ranges
(``--n`` rows), add SRBench's target noise, call the public ``discover(X, y,
variables=names, constants=the law's named constants, random_state=seed,
time_limit=...)`` and nothing else, and judge the law on fresh clean rows,
SRBench's way and exactly (naming its constants). The issue's time limit for
this benchmark is 60 s.

    python -m benchmarks.compositional                      # noise 0 and 0.01, time_limit=60
    python -m benchmarks.compositional --noise 0 --jobs 2
    python -m benchmarks.compositional --only compton snell_angle

Results go to ``benchmarks/results/compositional.json`` (one record per law,
noise and seed; an interrupted run resumes from it) and a Markdown summary
beside it.
"""

from __future__ import annotations

import argparse
import functools
from pathlib import Path

from .compositional_problems import load_problems
from .feynman import add_run_arguments, run_benchmark
from .textbook import rejudge, report, run_one

RESULTS = Path(__file__).resolve().parent / "results"
TIME_LIMIT = 60.0  # the limit for this benchmark

summary = functools.partial(report, title="Compositional benchmark")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_run_arguments(parser, [0.0, 0.01], RESULTS / "compositional.json", "law", time_limit=TIME_LIMIT)
    args = parser.parse_args()
    if args.rejudge:
        rejudge(args.out, load_problems(), summary)
        return
    run_benchmark(parser, args, load_problems(), run_one, summary, "law")


if __name__ == "__main__":
    main()
