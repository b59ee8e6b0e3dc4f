"""How often the decomposition's structure tests are right (issue 11, item 6).

For every law of the Feynman table and of the compositional benchmark, the
truth of each pair test is computed from the formula itself: two variables
enter only through ``x + c·y`` when the exact ``∂f/∂x / ∂f/∂y`` is the same
at every sampled row, and only through ``x**a·y**b`` when the exact
``x·∂f/∂x / (y·∂f/∂y)`` is (within 1e-6). The tests are then run the way
``discover`` runs them: a neural oracle trained on 10,000 noisy rows, its
gradients read at 2,000 of them, every pair of the law's own variables
tested (``discovery.decompose.symmetry.pair_tests``). A pair that fires
where the truth says no is a false positive; the rate is counted over all
pairs whose truth is no, and over the laws with no true pair at all (the
"non-separable" laws, by this test). Pairs in which a variable does not
change f are left out.

    python -m benchmarks.structure_tests                 # noise 0 and 0.01, both tables
    python -m benchmarks.structure_tests --noise 0 --jobs 2

It imports the engine's test functions, as a user would read evidence; the
problem lists are the committed ones, unedited.
"""

from __future__ import annotations

import argparse
import json
import zlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import sympy as sp

from . import compositional_problems
from .feynman_problems import add_noise, load_equations

RESULTS = Path(__file__).resolve().parent / "results"
TRUTH_TOLERANCE = 1e-6


def problems() -> list[tuple[str, str, sp.Expr, tuple[str, ...], tuple, dict]]:
    """(table, name, expression with constants put in, variables, ranges, constants) for both tables."""
    out = []
    for e in load_equations():
        out.append(("feynman", e.name, e.expression, e.variables, e.ranges, {}))
    for p in compositional_problems.load_problems():
        expr = p.expression.subs({sp.Symbol(k): v for k, v in p.constants.items()})
        out.append(("compositional", p.name, expr, p.variables, p.ranges, dict(p.constants)))
    return out


def exact_truth(expr: sp.Expr, variables: tuple[str, ...], X: np.ndarray) -> dict[tuple[int, int, str], bool]:
    """For each pair and kind, whether the exact ratio is constant over the rows.

    Pairs in which a variable does not change f are left out.
    """
    symbols = [sp.Symbol(v) for v in variables]
    with np.errstate(all="ignore"):
        G = np.column_stack(
            [
                np.broadcast_to(np.asarray(sp.lambdify(symbols, sp.diff(expr, s), "numpy")(*X.T), float), (len(X),))
                for s in symbols
            ]
        )
    truth = {}
    for i in range(len(symbols)):
        for j in range(i + 1, len(symbols)):
            if not np.any(G[:, i]) or not np.any(G[:, j]):
                continue
            for kind in ("sum", "product"):
                if kind == "product":
                    if X[:, i].min() <= 0 or X[:, j].min() <= 0:
                        continue
                    a, b = X[:, i] * G[:, i], X[:, j] * G[:, j]
                else:
                    a, b = G[:, i], G[:, j]
                ok = np.isfinite(a) & np.isfinite(b) & (b != 0)
                r = a[ok] / b[ok]
                truth[(i, j, kind)] = bool(np.max(np.abs(r / np.median(r) - 1)) < TRUTH_TOLERANCE)
    return truth


def run_one(item, noise: float) -> dict:
    import torch

    torch.set_num_threads(1)
    from discovery.decompose import NeuralOracle, Variable, pair_tests

    table, name, expr, variables, ranges, _ = item
    rng = np.random.default_rng([0, int(round(noise * 1e6)), zlib.crc32(name.encode())])
    X = np.column_stack([rng.uniform(lo, hi, 10000) for lo, hi in ranges])
    f = sp.lambdify([sp.Symbol(v) for v in variables], expr, "numpy")
    with np.errstate(all="ignore"):
        y = np.asarray(f(*X.T), float) * np.ones(len(X))
    y = add_noise(y, noise, rng)
    rows = rng.choice(len(X), 2000, replace=False)
    truth = exact_truth(expr, variables, X[rows])
    oracle = NeuralOracle(random_state=0).fit(X, y)
    g = oracle.gradient_units(X[rows])
    tests = pair_tests([Variable(v, sp.Symbol(v), X[rows, k], g[:, k]) for k, v in enumerate(variables)])
    index = {v: k for k, v in enumerate(variables)}
    pairs = []
    for t in tests:
        key = (index[t.first], index[t.second], t.kind)
        if key in truth:
            pairs.append(
                {"pair": [t.first, t.second], "kind": t.kind, "truth": truth[key], "fired": t.fired, "spread": t.spread}
            )
    return {"table": table, "name": name, "noise": noise, "oracle_error": oracle.validation_rmse_, "pairs": pairs}


def summarise(records: list[dict]) -> str:
    lines = [
        "| noise | laws | true pairs found | false pairs fired | laws with no true pair: any fired |",
        "|---:|---:|---:|---:|---:|",
    ]
    for noise in sorted({r["noise"] for r in records}):
        rs = [r for r in records if r["noise"] == noise]
        pairs = [p for r in rs for p in r["pairs"]]
        true = [p for p in pairs if p["truth"]]
        false = [p for p in pairs if not p["truth"]]
        plain = [r for r in rs if not any(p["truth"] for p in r["pairs"])]
        plain_fired = [r for r in plain if any(p["fired"] for p in r["pairs"])]
        found = sum(p["fired"] for p in true)
        false_fired = sum(p["fired"] for p in false)
        lines.append(
            f"| {noise:g} | {len(rs)} | {found}/{len(true)} ({100 * found / max(1, len(true)):.0f} %) | "
            f"{false_fired}/{len(false)} ({100 * false_fired / max(1, len(false)):.1f} %) | "
            f"{len(plain_fired)}/{len(plain)} ({100 * len(plain_fired) / max(1, len(plain)):.0f} %) |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--noise", type=float, nargs="+", default=[0.0, 0.01])
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS / "structure_tests.json")
    args = parser.parse_args()
    items = [(item, noise) for noise in args.noise for item in problems()]
    with ProcessPoolExecutor(args.jobs) as pool:
        records = list(pool.map(run_one, *zip(*items)))
    args.out.write_text(json.dumps(records, indent=1))
    table = summarise(records)
    args.out.with_suffix(".md").write_text(
        "Structure tests against the truth (`python -m benchmarks.structure_tests --jobs 2`).\n\n" + table + "\n"
    )
    print(table)


if __name__ == "__main__":
    main()
