"""The compositional laws again, with their units (issue 11, item 4): what dimensional analysis buys.

Each compositional law (``compositional_problems.py``) is sampled, noised,
fitted and judged exactly as ``benchmarks/compositional.py`` does (same
rows, same seed, same ``time_limit=60``, same judge); the only difference is
that ``discover`` is also given the units of the variables, of the named
constants and of the output, from ``units_problems.py`` (written down before
any run with units, never edited to suit the engine). Compare with
``benchmarks/results/compositional.json`` from the same commit.

    python -m benchmarks.units --jobs 2                   # noise 0 and 0.01, time_limit=60
    python -m benchmarks.units --only planck_wavelength --noise 0

Results go to ``benchmarks/results/units.json`` and a Markdown summary beside it.
"""

from __future__ import annotations

import argparse
import functools
from pathlib import Path

from .compositional import TIME_LIMIT
from .compositional_problems import load_problems
from .feynman import add_run_arguments, run_benchmark
from .textbook import rejudge, report, run_one
from .units_problems import units_of

RESULTS = Path(__file__).resolve().parent / "results"

summary = functools.partial(report, title="Compositional benchmark with units")


def run_with_units(problem, noise: float, seed: int, n: int, n_test: int, time_limit: float) -> dict:
    """``textbook.run_one`` with the law's units given to ``discover``."""
    units, target_unit = units_of(problem.name, problem.constants)
    return run_one(problem, noise, seed, n, n_test, time_limit, units=units, target_unit=target_unit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_run_arguments(parser, [0.0, 0.01], RESULTS / "units.json", "law", time_limit=TIME_LIMIT)
    args = parser.parse_args()
    if args.rejudge:
        rejudge(args.out, load_problems(), summary)
        return
    run_benchmark(parser, args, load_problems(), run_with_units, summary, "law")


if __name__ == "__main__":
    main()
