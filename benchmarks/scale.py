"""Benchmark: does the cost of a discovery stop growing with the rows?

For each problem and each row count, one fresh process draws the data,
runs ``discover`` and judges the law on held-out rows. It prints the wall
time and the peak memory (the resident set's high-water mark, reset at each
stage's start) of every stage, and whether the law is the one found at the
smallest size. A second table measures the Gram step (ΘᵀΘ, Θᵀy, yᵀy of a
default library, chunk by chunk) against a plain matmul ``ΘᵀΘ`` of a
ready-made Θ of the same shape, on the same device in the same run: the
ratio of the two row rates is the figure.

The problems are fixed here, before any tuning, and are never edited to suit
the engine: the cannon of the seed article (two inputs, additive noise
σ = 0.01, not clipped) and five Feynman equations of three to six variables,
chosen by a rule — in the table's order, the first two with three variables
and the first with four, five and six — with SRBench's 1 % target noise.

    python -m benchmarks.scale                          # 10^4 ... 10^6 rows, every problem
    python -m benchmarks.scale --rows 1e4 1e7 --problems cannon
    python -m benchmarks.scale --gram-only --gram-rows 1e6
    python -m benchmarks.scale --rows --parquet-rows 1e8 --dask   # the cannon streamed from Parquet, and on Dask
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import time
import zlib
from datetime import date
from pathlib import Path

import numpy as np

from .feynman_problems import add_noise, judge, load_equations, sample

RESULTS = Path(__file__).resolve().parent / "results"
FEYNMAN = ("I.6.2b", "I.10.7", "I.8.14", "I.12.11", "I.11.19")
PROBLEMS = ("cannon",) + FEYNMAN
NOISE = 0.01
TIME_LIMIT = 60.0
TEST_ROWS = 2000
MATMUL_BLOCK_BYTES = 512 * 2**20


def memory_peak_reset() -> None:
    """Reset this process's resident-set high-water mark (Linux), so the next peak is one stage's."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass


def memory_peak_gb() -> float:
    """This process's resident-set high-water mark since the last reset, in GB."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / 1e9
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9


class Stages:
    """Wall time and peak memory of each stage of one run."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, float]] = {}

    def run(self, name: str, work):
        memory_peak_reset()
        start = time.perf_counter()
        result = work()
        self.records[name] = {"seconds": time.perf_counter() - start, "peak_gb": memory_peak_gb()}
        return result


def problem_data(name: str, n: int, seed: int):
    """(X, y, X_test, y_test, variables, truth, constants, ranges) of one problem at ``n`` rows."""
    import sympy as sp

    rng = np.random.default_rng([seed, n, zlib.crc32(name.encode())])
    if name == "cannon":
        from discovery.article.cannon import G, true_distance

        def draw(m: int) -> np.ndarray:
            return np.column_stack([rng.uniform(0, 10, m), rng.uniform(0, np.pi / 2, m)])

        X, X_test = draw(n), draw(TEST_ROWS)
        y = true_distance(X) + NOISE * rng.standard_normal(n)
        v, theta, g = sp.symbols("v theta g")
        ranges = {"v": (0.0, 10.0), "theta": (0.0, float(np.pi / 2))}
        return X, y, X_test, true_distance(X_test), ("v", "theta"), v**2 * sp.sin(2 * theta) / g, {"g": G}, ranges
    equation = next(e for e in load_equations() if e.name == name)
    X, y_clean = sample(equation, n, rng)
    X_test, y_test = sample(equation, TEST_ROWS, rng)
    ranges = dict(zip(equation.variables, equation.ranges))
    return X, add_noise(y_clean, NOISE, rng), X_test, y_test, equation.variables, equation.expression, {}, ranges


def write_cannon_parquet(folder: Path, n: int, seed: int, rows_per_file: int = 10_000_000) -> Path:
    """The cannon's rows as a folder of Parquet files, written 10^6 rows at a time (memory stays small).

    Kept between runs: a folder whose marker names the same rows and seed is reused.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from discovery.article.cannon import true_distance

    marker = folder / "_rows_seed.txt"
    if marker.exists() and marker.read_text() == f"{n} {seed}":
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.parquet"):
        old.unlink()
    rng = np.random.default_rng([seed, n, zlib.crc32(b"cannon parquet")])
    step = 1_000_000
    schema = pa.schema([("v", pa.float64()), ("theta", pa.float64()), ("s", pa.float64())])
    for file_index, file_start in enumerate(range(0, n, rows_per_file)):
        file_rows = min(rows_per_file, n - file_start)
        with pq.ParquetWriter(folder / f"part-{file_index:03d}.parquet", schema) as writer:
            for start in range(0, file_rows, step):
                m = min(step, file_rows - start)
                X = np.column_stack([rng.uniform(0, 10, m), rng.uniform(0, np.pi / 2, m)])
                s = true_distance(X) + NOISE * rng.standard_normal(m)
                writer.write_table(pa.table({"v": X[:, 0], "theta": X[:, 1], "s": s}, schema=schema))
    marker.write_text(f"{n} {seed}")
    return folder


def run_one(
    name: str, n: int, seed: int, time_limit: float, source: str = "memory", folder: Path | None = None
) -> dict:
    """One problem at one size, in this (fresh) process; never raises.

    ``source``: ``"memory"`` (arrays), ``"parquet"`` (the cannon from a folder of Parquet files)
    or ``"dask"`` (the same folder through ``dask.dataframe.read_parquet`` on a 2-worker LocalCluster).
    """
    import sympy as sp

    from discovery import discover
    from discovery.article.cannon import G

    stages = Stages()
    record: dict = {"problem": name if source == "memory" else f"{name} ({source})", "rows": n, "seed": seed}
    if source == "memory":
        X, y, X_test, y_test, variables, truth, constants, ranges = stages.run(
            "data", lambda: problem_data(name, n, seed)
        )
    else:
        _, _, X_test, y_test, variables, truth, constants, ranges = problem_data(name, 10, seed)
        path = stages.run("data", lambda: write_cannon_parquet(folder, n, seed))

    def fit():
        options = dict(constants=constants or None, random_state=seed, time_limit=time_limit)
        if source == "memory":
            return discover(X, y, variables=list(variables), **options)
        if source == "parquet":
            return discover(path, target="s", **options)
        import dask.dataframe as dd
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster, Client(cluster) as c:
            c.run(memory_peak_reset)
            found = discover(dd.read_parquet(str(path)), target="s", **options)
            record["workers_peak_gb"] = max(c.run(memory_peak_gb).values())
            return found

    try:
        law = stages.run("discover", fit)
    except Exception as err:  # a crash (or running out of memory in torch) is a result
        record.update(stages=stages.records, law=None, error=f"{type(err).__name__}: {err}", symbolic_solution=False)
        return record

    def judged():
        with np.errstate(all="ignore"):
            predicted = law.predict(X_test)
        residual = np.sum((y_test - predicted) ** 2)
        r2 = float(1 - residual / np.sum((y_test - y_test.mean()) ** 2)) if np.isfinite(residual) else -np.inf
        found = law.expression.subs({sp.Symbol("g"): sp.Symbol("g", positive=True)}) if constants else law.expression
        verdict = judge(found, truth, r2, ranges=ranges, constants={"g": G} if constants else None)
        return r2, verdict

    r2, verdict = stages.run("judge", lambda: judged())
    record.update(
        stages=stages.records,
        law=sp.sstr(law.expression),
        formula=law.formula,
        r2_test=r2,
        symbolic_solution=verdict.symbolic_solution,
        exact=verdict.exact,
        engine_stages=law.info.get("stages"),
        error=None,
    )
    return record


def gram_throughput(n: int, variables: tuple[str, ...], level: int, device: str, repeats: int = 3) -> dict:
    """Rows per second of the Gram step and of a plain ΘᵀΘ matmul of the same shape, on one device."""
    import torch

    from bases import default_library

    library = default_library(variables, level)
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.uniform(0.5, 2.0, n) for _ in variables])
    y = rng.standard_normal(n)
    p = len(library)

    def synchronise() -> None:
        if device.startswith("cuda"):
            torch.cuda.synchronize()

    gram_times = []
    for _ in range(repeats):
        synchronise()
        start = time.perf_counter()
        library.gram(X, y, variables, device=device, warn=False)
        synchronise()
        gram_times.append(time.perf_counter() - start)
    # The same shape, n × p, as blocks of a ready-made Θ of at most MATMUL_BLOCK_BYTES (n × p whole may not fit).
    block_rows = max(1, min(n, MATMUL_BLOCK_BYTES // (8 * p)))
    theta = torch.as_tensor(rng.standard_normal((block_rows, p)), dtype=torch.float64, device=device)
    target = torch.as_tensor(rng.standard_normal(block_rows), dtype=torch.float64, device=device)
    matmul_times = []
    for _ in range(repeats):
        synchronise()
        start = time.perf_counter()
        done = 0
        while done < n:
            rows = min(block_rows, n - done)
            block, y_block = theta[:rows], target[:rows]
            _ = block.T @ block, block.T @ y_block, y_block @ y_block
            done += rows
        synchronise()
        matmul_times.append(time.perf_counter() - start)
    gram_rate = n / statistics.median(gram_times)
    matmul_rate = n / statistics.median(matmul_times)
    return {
        "device": device,
        "rows": n,
        "variables": len(variables),
        "level": level,
        "terms": p,
        "threads": torch.get_num_threads(),
        "gram_rows_per_s": gram_rate,
        "matmul_rows_per_s": matmul_rate,
        "ratio": gram_rate / matmul_rate,
    }


def _child(queue, *arguments) -> None:
    queue.put(run_one(*arguments))


def run_isolated(name: str, n: int, seed: int, time_limit: float, source: str = "memory", folder=None) -> dict:
    """``run_one`` in a fresh process, so that each run's peak memory is its own."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(queue, name, n, seed, time_limit, source, folder))
    process.start()
    process.join()
    if not queue.empty():
        return queue.get()
    return {
        "problem": name,
        "rows": n,
        "seed": seed,
        "law": None,
        "error": f"the process ended with exit code {process.exitcode} (killed for memory?)",
        "symbolic_solution": False,
    }


def rows_label(n: int) -> str:
    exponent = int(round(np.log10(n)))
    return f"10^{exponent}" if 10**exponent == n else f"{n:,}"


def summarise(records: list[dict], gram: list[dict], devices_note: str) -> str:
    lines = [
        f"Scale benchmark, {date.today().isoformat()}, {platform.machine()} with {os.cpu_count()} cores; "
        f"{devices_note}.",
        "",
        "| problem | rows | data s | discover s | peak GB (discover) | sample s | search s | finish s | law | "
        "same as smallest | "
        "symbolic solution |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    smallest: dict[str, str | None] = {}
    order = {name: i for i, name in enumerate(PROBLEMS)}
    for r in sorted(records, key=lambda r: (order.get(r["problem"], len(order)), r["problem"], r["rows"])):
        stages = r.get("stages", {})
        engine = r.get("engine_stages") or {}
        first = smallest.setdefault(r["problem"], r.get("formula"))
        same = "—" if first is None or r.get("formula") is None else ("yes" if r.get("formula") == first else "no")
        law = r.get("formula") or r.get("error")
        lines.append(
            f"| {r['problem']} | {rows_label(r['rows'])} | {stages.get('data', {}).get('seconds', float('nan')):.2f} | "
            f"{stages.get('discover', {}).get('seconds', float('nan')):.2f} | "
            f"{stages.get('discover', {}).get('peak_gb', float('nan')):.2f} | "
            f"{engine.get('sample', float('nan')):.2f} | {engine.get('search', float('nan')):.2f} | "
            f"{engine.get('finish', float('nan')):.2f} | {law} | {same} | "
            f"{'yes' if r.get('symbolic_solution') else 'no'} |"
        )
    by_problem: dict[str, dict[int, float]] = {}
    for r in records:
        if "discover" in r.get("stages", {}):
            by_problem.setdefault(r["problem"], {})[r["rows"]] = r["stages"]["discover"]["seconds"]
    ratios = []
    for name, times in by_problem.items():
        if 10**4 in times and 10**6 in times:
            ratios.append(f"{name} {times[10**6] / times[10**4]:.1f}")
    if ratios:
        lines += ["", "time(10^6 rows) / time(10^4 rows): " + ", ".join(ratios)]
    workers = [
        f"{r['problem']} {rows_label(r['rows'])}: {r['workers_peak_gb']:.2f} GB"
        for r in records
        if "workers_peak_gb" in r
    ]
    if workers:
        lines += ["", "peak memory of each Dask worker (the table's peak is the client's): " + ", ".join(workers)]
    if gram:
        lines += [
            "",
            "| device | threads | rows | variables | level | terms | Gram step, rows/s | "
            "plain ΘᵀΘ matmul, rows/s | ratio |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for g in gram:
            lines.append(
                f"| {g['device']} | {g['threads']} | {rows_label(g['rows'])} | {g['variables']} | {g['level']} | "
                f"{g['terms']} | {g['gram_rows_per_s']:.3g} | {g['matmul_rows_per_s']:.3g} | {g['ratio']:.1%} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", nargs="*", type=float, default=[1e4, 1e5, 1e6], help="row counts")
    parser.add_argument("--problems", nargs="+", default=list(PROBLEMS), choices=PROBLEMS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT)
    parser.add_argument("--gram-rows", type=float, default=2e5, help="rows of the Gram throughput measure")
    parser.add_argument("--gram-only", action="store_true", help="measure the Gram step only")
    parser.add_argument(
        "--parquet-rows", nargs="*", type=float, default=[], help="cannon rows streamed from Parquet (e.g. 1e8)"
    )
    parser.add_argument("--dask", action="store_true", help="also run the Parquet rows through a 2-worker LocalCluster")
    parser.add_argument("--parquet-dir", type=Path, default=Path("/tmp/discovery-scale-parquet"))
    parser.add_argument("--out", type=Path, default=RESULTS / "scale.json")
    args = parser.parse_args()

    import torch

    records = []
    if not args.gram_only:
        for name in args.problems:
            for n in sorted(int(r) for r in args.rows):
                record = run_isolated(name, n, args.seed, args.time_limit)
                records.append(record)
                seconds = record.get("stages", {}).get("discover", {}).get("seconds", float("nan"))
                print(f"{name} {rows_label(n)}: {seconds:.2f} s, {record.get('formula') or record.get('error')}")
        for n in sorted(int(r) for r in args.parquet_rows):
            for source in ("parquet", "dask") if args.dask else ("parquet",):
                record = run_isolated("cannon", n, args.seed, args.time_limit, source, args.parquet_dir / f"{n}")
                records.append(record)
                seconds = record.get("stages", {}).get("discover", {}).get("seconds", float("nan"))
                found = record.get("formula") or record.get("error")
                print(f"cannon ({source}) {rows_label(n)}: {seconds:.2f} s, {found}")
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    note = (
        "GPU: " + torch.cuda.get_device_name(0)
        if torch.cuda.is_available()
        else "no GPU was available, so the GPU path was not measured"
    )
    gram = []
    for device in devices:
        for variables, level in ((("v", "theta"), 2), (("a", "b", "c"), 2)):
            gram.append(gram_throughput(int(args.gram_rows), variables, level, device))
    if torch.cuda.is_available():  # the crossover of device="auto" (discovery.device.GPU_CROSSOVER_ROWS)
        for n in (10**4, 10**5, 10**6):
            for device in devices:
                gram.append(gram_throughput(n, ("v", "theta"), 2, device))
    table = summarise(records, gram, note)
    print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"records": records, "gram": gram, "note": note}, indent=1))
    args.out.with_suffix(".md").write_text(table + "\n")


if __name__ == "__main__":
    main()
