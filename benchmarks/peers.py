"""This toolkit against its peers, side by side, in one run.

Problems: the cannon (1,000 noisy shots, seeds 0-4) and 20 Feynman equations
spread across the table's shapes (noise-free, 1,000 training rows, 2,000
clean test rows). Tools: this toolkit (``method="basis"`` and ``"auto"``),
Operon (pyoperon) directly, gplearn, PySINDy with a hand-made library, FFX, and
PySR where Julia is available. Each (tool, problem) runs in a worker process
with a hard cap; the laws are judged like the Feynman benchmark (SRBench's
symbolic solution, and exact), and the table gives each tool's time as a
ratio to this toolkit's basis regressor, measured in the same run.

    pip install -e '.[bench]'      # pyoperon, gplearn, pysindy, ffx, six
    python -m benchmarks.peers --jobs 2
    python -m benchmarks.peers --tools basis operon --only cannon-0 I.12.1
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import sys
import time
import warnings
import zlib
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import date
from pathlib import Path

import numpy as np
import sympy as sp

from .feynman_problems import judge, load_equations, sample, time_limit

RESULTS = Path(__file__).resolve().parent / "results"
FEYNMAN = (
    "I.12.1",
    "I.12.2",
    "I.14.4",
    "I.11.19",
    "I.13.4",
    "I.10.7",
    "I.8.14",
    "I.27.6",
    "I.26.2",
    "I.40.1",
    "III.4.32",
    "II.35.21",
    "III.8.54",
    "I.13.12",
    "II.2.42",
    "I.6.2a",
    "I.30.5",
    "III.17.37",
    "I.15.3x",
    "I.9.18",
)
CANNON_SEEDS = (0, 1, 2, 3, 4)
TOOLS = ("basis", "auto", "operon", "gplearn", "pysindy", "ffx", "pysr")
LABELS = {
    "basis": "this toolkit, method='basis'",
    "auto": "this toolkit, method='auto'",
    "operon": "Operon (pyoperon)",
    "gplearn": "gplearn",
    "pysindy": "PySINDy (hand-made library)",
    "ffx": "FFX",
    "pysr": "PySR",
}


class Unavailable(Exception):
    """The tool cannot run here (not installed, or PySR without Julia)."""


# ---------------------------------------------------------------- problems


def problem(name: str, n: int, n_test: int) -> dict:
    """Training and test data, the truth and the variables' ranges of one problem."""
    if name.startswith("cannon-"):
        from discovery.article.cannon import VARIABLES, G, cannon_shots, true_distance

        seed = int(name.split("-")[1])
        shots = cannon_shots(n=n, seed=seed)
        rng = np.random.default_rng(10_000 + seed)
        X_test = np.column_stack([rng.uniform(0, 10, n_test), rng.uniform(0, np.pi / 2, n_test)])
        v, theta = sp.symbols("v theta")
        return dict(
            name=name,
            variables=list(VARIABLES),
            X=shots.X,
            y=shots.y,
            X_test=X_test,
            y_test=true_distance(X_test),
            truth=v**2 * sp.sin(2 * theta) / sp.Float(G),
            ranges={"v": (0.0, 10.0), "theta": (0.0, math.pi / 2)},
            constants={"g": G},
        )
    equation = {e.name: e for e in load_equations()}[name]
    rng = np.random.default_rng([0, zlib.crc32(name.encode())])
    X, y = sample(equation, n, rng)
    X_test, y_test = sample(equation, n_test, rng)
    return dict(
        name=name,
        variables=list(equation.variables),
        X=X,
        y=y,
        X_test=X_test,
        y_test=y_test,
        truth=equation.expression,
        ranges=dict(zip(equation.variables, equation.ranges)),
        constants={},
    )


# ---------------------------------------------------------------- tools
# Each returns (SymPy expression in the problem's variables or None, predictions on X_test).


def run_toolkit(method: str, p: dict, seed: int, seconds: float):
    from discovery import discover

    law = discover(
        p["X"],
        p["y"],
        variables=p["variables"],
        constants=p["constants"] or None,
        random_state=seed,
        time_limit=seconds,
        method=method,
    )
    return law.numeric_expression, law.predict(p["X_test"])


def run_operon(p: dict, seed: int, seconds: float):
    try:
        from pyoperon.sklearn import SymbolicRegressor
    except ImportError as err:
        raise Unavailable(f"pyoperon not installed ({err})") from None

    model = SymbolicRegressor(
        allowed_symbols="add,sub,mul,div,square,constant,variable,sin,cos,exp,log,sqrt",
        max_length=40,
        population_size=1000,
        generations=10**9,
        max_evaluations=10**12,
        max_time=max(1, int(seconds)),
        n_threads=1,
        random_state=seed,
    )
    model.fit(p["X"], p["y"])
    names = [f"x{j}" for j in range(len(p["variables"]))]
    local = {f"x{j}": sp.Symbol(v) for j, v in enumerate(p["variables"])}
    local.update(square=lambda a: a**2)  # its other functions are SymPy's by name
    text = model.get_model_string(model.model_, 17, names).replace("^", "**")
    return sp.sympify(text, locals=local), model.predict(p["X_test"])


def run_gplearn(p: dict, seed: int, seconds: float):
    try:
        from gplearn.genetic import SymbolicRegressor
    except ImportError as err:
        raise Unavailable(f"gplearn not installed ({err})") from None
    model = SymbolicRegressor(
        population_size=1000,
        generations=10,
        function_set=("add", "sub", "mul", "div", "sqrt", "log", "sin", "cos"),
        parsimony_coefficient=0.001,
        random_state=seed,
        n_jobs=1,
    )
    model.fit(p["X"], p["y"])
    local = {f"X{j}": sp.Symbol(v) for j, v in enumerate(p["variables"])}
    local.update(
        add=lambda a, b: a + b,
        sub=lambda a, b: a - b,
        mul=lambda a, b: a * b,
        div=lambda a, b: a / b,
        sqrt=lambda a: sp.sqrt(sp.Abs(a)),
        log=lambda a: sp.log(sp.Abs(a)),
        sin=sp.sin,
        cos=sp.cos,
    )
    return sp.sympify(str(model._program), locals=local), model.predict(p["X_test"])


def run_pysindy(p: dict, seed: int, seconds: float):
    """Static regression with PySINDy's libraries and STLSQ, as its users do it.

    The hand-made library: for the cannon v^k (k ≤ 3) times sin/cos(mθ)
    (m ≤ 2), the article's family; for the others polynomials to degree 3
    with 1/xᵢ and 1/xᵢ² added, and first harmonics. STLSQ with threshold 0.01.
    """
    try:
        import pysindy as ps
    except ImportError as err:
        raise Unavailable(f"pysindy not installed ({err})") from None
    if p["name"].startswith("cannon-"):  # v^k times harmonics of θ: the article's family
        library = ps.TensoredLibrary(
            [ps.PolynomialLibrary(degree=3), ps.FourierLibrary(n_frequencies=2)], inputs_per_library=[[0], [1]]
        )
    else:
        inverse = ps.CustomLibrary(
            library_functions=[lambda x: 1 / x, lambda x: 1 / x**2],
            function_names=[lambda x: f"{x}^-1", lambda x: f"{x}^-2"],
        )
        library = ps.GeneralizedLibrary([ps.PolynomialLibrary(degree=3), inverse, ps.FourierLibrary(n_frequencies=1)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        library.fit(p["X"])
        theta = np.asarray(library.transform(p["X"]))
        optimizer = ps.STLSQ(threshold=0.01, alpha=1e-5)
        optimizer.fit(theta, p["y"].reshape(-1, 1))
    coef = np.asarray(optimizer.coef_).reshape(-1)
    names = library.get_feature_names()
    local = {f"x{j}": sp.Symbol(v) for j, v in enumerate(p["variables"])}
    expression = sp.Integer(0)
    for c, feature in zip(coef, names):
        if c != 0:
            expression += sp.Float(c) * sp.sympify(feature.replace("^", "**").replace(" ", "*"), locals=local)
    predicted = np.asarray(library.transform(p["X_test"])) @ coef
    return expression, predicted


def run_ffx(p: dict, seed: int, seconds: float):
    try:
        import ffx
    except ImportError as err:
        raise Unavailable(f"ffx not installed ({err})") from None
    # FFX builds its Pareto front against held-out data: a quarter of the training rows, never the test rows.
    n = len(p["y"])
    order = np.random.default_rng(seed).permutation(n)
    fit, hold = order[: 3 * n // 4], order[3 * n // 4 :]
    names = [f"x{j}" for j in range(len(p["variables"]))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        models = ffx.run(p["X"][fit], p["y"][fit], p["X"][hold], p["y"][hold], names)
    best = min(models, key=lambda m: np.mean((m.simulate(p["X"][hold]) - p["y"][hold]) ** 2))
    local = {f"x{j}": sp.Symbol(v) for j, v in enumerate(p["variables"])}
    local.update(max=sp.Max, min=sp.Min, log10=lambda a: sp.log(a, 10), abs=sp.Abs)
    try:
        expression = sp.sympify(best.str2() if hasattr(best, "str2") else str(best).replace("^", "**"), locals=local)
    except (sp.SympifyError, TypeError, SyntaxError):
        expression = None
    return expression, best.simulate(p["X_test"])


def run_pysr(p: dict, seed: int, seconds: float):
    # PySR starts Julia on first import, which fails without Julia or the internet.
    try:
        from pysr import PySRRegressor
    except ImportError as err:
        if isinstance(err, ModuleNotFoundError) and err.name == "pysr":
            raise Unavailable(
                "method='pysr' needs the pysr package: pip install pysr (it then needs Julia; see its docs), "
                "or use method='operon' or method='basis'"
            ) from None
        raise Unavailable(julia_missing(f"{type(err).__name__}: {err}")) from None
    except Exception as err:  # juliapkg/juliacall fail with URLError, CalledProcessError, JuliaError...
        raise Unavailable(julia_missing(f"{type(err).__name__}: {str(err)[:200]}")) from None
    model = PySRRegressor(
        binary_operators=["+", "-", "*", "/"],
        unary_operators=["sin", "cos", "exp", "log", "sqrt"],
        timeout_in_seconds=seconds,
        niterations=10**6,
        random_state=seed,
        deterministic=True,
        parallelism="serial",
        verbosity=0,
        progress=False,
    )
    model.fit(p["X"], p["y"], variable_names=p["variables"])
    return model.sympy(), model.predict(p["X_test"])


def julia_missing(reason: str) -> str:
    """Why PySR cannot run here, worded as the first sentence of ``discover(method="pysr")``'s own message."""
    return f"method='pysr' needs PySR's Julia engine, which could not be started here ({reason})".split(". ")[0]


RUNNERS = {
    "basis": lambda p, s, t: run_toolkit("basis", p, s, t),
    "auto": lambda p, s, t: run_toolkit("auto", p, s, t),
    "operon": run_operon,
    "gplearn": run_gplearn,
    "pysindy": run_pysindy,
    "ffx": run_ffx,
    "pysr": run_pysr,
}
_warmed: set[str] = set()


def run_one(tool: str, name: str, seconds: float, cap: int, n: int, n_test: int) -> dict:
    """Fit one tool to one problem in this worker; never raises."""
    import torch

    torch.set_num_threads(1)
    warnings.simplefilter("ignore")
    p = problem(name, n, n_test)
    seed = int(name.split("-")[1]) if name.startswith("cannon-") else 0
    record = {"tool": tool, "problem": name, "truth": sp.sstr(p["truth"])}
    if tool in ("basis", "auto") and tool not in _warmed:  # SymPy's first simplify loads modules: not fit time
        small = problem("cannon-0", 200, 10)
        run_toolkit("basis", small, 0, 5)
        _warmed.add(tool)
    start = time.perf_counter()
    try:
        with time_limit(cap):
            expression, predicted = RUNNERS[tool](p, seed, seconds)
    except Unavailable as err:
        return dict(record, available=False, error=str(err))
    except Exception as err:  # a crash or the cap is a failed problem, reported as such
        return dict(
            record,
            available=True,
            seconds=time.perf_counter() - start,
            law=None,
            error=f"{type(err).__name__}: {err}"[:300] or "time cap",
            symbolic_solution=False,
            exact=False,
            nrmse=None,
        )
    seconds_taken = time.perf_counter() - start
    predicted = np.asarray(predicted, dtype=float).reshape(-1)
    with np.errstate(all="ignore"):
        residual = float(np.mean((p["y_test"] - predicted) ** 2))
    nrmse = math.sqrt(residual) / float(np.std(p["y_test"])) if math.isfinite(residual) else math.inf
    r2 = 1 - nrmse**2 if math.isfinite(nrmse) else -math.inf
    verdict = judge(expression, p["truth"], r2, ranges=p["ranges"]) if expression is not None else None
    return dict(
        record,
        available=True,
        seconds=seconds_taken,
        law=sp.sstr(expression) if expression is not None else None,
        error=None,
        nrmse=nrmse,
        symbolic_solution=bool(verdict and verdict.symbolic_solution),
        exact=bool(verdict and verdict.exact),
    )


# ---------------------------------------------------------------- report


def summarise(records: list[dict], tools: list[str], problems: list[str], seconds: float) -> str:
    cannon = [q for q in problems if q.startswith("cannon-")]
    feynman = [q for q in problems if not q.startswith("cannon-")]
    by_tool = {t: [r for r in records if r["tool"] == t] for t in tools}
    base = [r["seconds"] for r in by_tool.get("basis", []) if r.get("available")]
    base_median = statistics.median(base) if base else math.nan
    lines = [
        f"Peers benchmark, {date.today().isoformat()}, {platform.machine()} CPU, one thread per tool, "
        f"time limit {seconds:g} s where a tool takes one. {len(cannon)} cannon seeds (exact law v²·sin 2θ/g "
        f"with g = 9.81) and {len(feynman)} Feynman equations (noise-free).",
        "",
        f"| tool | cannon symbolic / exact (of {len(cannon)}) | Feynman symbolic solution (of {len(feynman)}) | "
        f"Feynman exact | median s | median test NRMSE | time vs basis |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for t in tools:
        rs = by_tool[t]
        if not rs:
            continue
        if not any(r.get("available") for r in rs):
            lines.append(f"| {LABELS[t]} | not available here: {rs[0]['error']} | | | | | |")
            continue
        times = [r["seconds"] for r in rs if r.get("available")]
        errors = [r["nrmse"] for r in rs if r.get("nrmse") is not None]
        median_s = statistics.median(times)
        lines.append(
            f"| {LABELS[t]} | {sum(r['symbolic_solution'] for r in rs if r['problem'] in cannon)} / "
            f"{sum(r['exact'] for r in rs if r['problem'] in cannon)} | "
            f"{sum(r['symbolic_solution'] for r in rs if r['problem'] in feynman)} | "
            f"{sum(r['exact'] for r in rs if r['problem'] in feynman)} | {median_s:.2f} | "
            f"{statistics.median(errors):.2g} | {median_s / base_median:.2f}× |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tools", nargs="+", default=list(TOOLS), choices=TOOLS)
    parser.add_argument("--only", nargs="+", metavar="PROBLEM", help="e.g. cannon-0 I.12.1")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds, for tools that take a limit")
    parser.add_argument("--cap", type=int, default=90, help="hard seconds per tool and problem")
    parser.add_argument("--n", type=int, default=1000, help="training rows")
    parser.add_argument("--n-test", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS / "peers.json")
    args = parser.parse_args()
    problems = [f"cannon-{s}" for s in CANNON_SEEDS] + list(FEYNMAN)
    if args.only:
        unknown = sorted(set(args.only) - set(problems))
        if unknown:
            parser.error(f"unknown problem(s): {', '.join(unknown)}; choose from {', '.join(problems)}")
        problems = [q for q in problems if q in args.only]
    work = [(t, q) for t in args.tools for q in problems]
    print(f"{len(work)} fits: {len(args.tools)} tools × {len(problems)} problems", file=sys.stderr, flush=True)
    records: list[dict] = []
    try:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            futures = [pool.submit(run_one, t, q, args.time_limit, args.cap, args.n, args.n_test) for t, q in work]
            for count, future in enumerate(as_completed(futures), 1):
                r = future.result()
                records.append(r)
                status = (
                    "n/a"
                    if not r.get("available")
                    else "exact"
                    if r["exact"]
                    else "solved"
                    if r["symbolic_solution"]
                    else "FAILED"
                )
                print(
                    f"[{count:>3}/{len(work)}] {r['tool']:<8} {r['problem']:<10} {status:<7} "
                    f"{r.get('seconds', 0):6.1f}s  {(r.get('law') or r.get('error') or '')[:110]}",
                    file=sys.stderr,
                    flush=True,
                )
    except KeyboardInterrupt:
        print(f"\ninterrupted: the table below covers the {len(records)} fits done", file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(records, indent=1))
    table = summarise(records, args.tools, problems, args.time_limit)
    args.out.with_suffix(".md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
