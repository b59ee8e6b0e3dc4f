"""More rows than the search needs: the law is found on a sample and refitted and measured on all rows."""

import dataclasses
import functools
import warnings

import numpy as np
import pytest
import sympy as sp
from scipy.optimize import least_squares

import discovery.io.sources
from discovery import Law, discover
from discovery.io.row_source import ArrayRows
from discovery.settle.all_rows import FreeFloats, NotFiniteRowsWarning, chunk_sums, law_on_all_rows

x = sp.Symbol("x")


def _law(expression: sp.Expr, variables=("x",), n_rows: int = 100, **info) -> Law:
    return Law(sp.sympify(expression), "y", tuple(variables), {}, [], [], np.nan, np.nan, n_rows, dict(info))


@pytest.fixture
def small_search(monkeypatch):
    """A search sample of 1,500 rows, so that a few thousand rows are already 'more than the search needs'."""
    monkeypatch.setattr(discovery.io.sources, "SEARCH_ROWS", 1500)


def test_a_law_found_on_a_sample_has_its_free_coefficient_and_error_from_all_rows(small_search):
    rng = np.random.default_rng(1)
    n = 6000
    X = rng.uniform(1, 3, (n, 2))
    y = 1.2345 * X[:, 0] ** 2 * X[:, 1] + 0.05 * rng.standard_normal(n)
    law = discover(X, y, variables=["a", "b"], random_state=0)
    assert law.n_rows == n
    assert law.info["all_rows"]["search_rows"] == 1500
    assert set(law.info["stages"]) == {"sample", "search", "finish"}
    (coefficient,) = law.coefficients
    assert coefficient.exact is None
    # Ordinary least squares of the same term over all 6,000 rows, and its standard error.
    column = X[:, 0] ** 2 * X[:, 1]
    slope = float(column @ y / (column @ column))
    residual = y - slope * column
    stderr = float(np.sqrt(residual @ residual / (n - 1) / (column @ column)))
    assert coefficient.value == pytest.approx(slope, rel=1e-10)
    assert coefficient.stderr == pytest.approx(stderr, rel=1e-6)
    assert coefficient.dof == n - 1
    assert law.rmse == pytest.approx(float(np.sqrt(np.mean((law.predict(X) - y) ** 2))), rel=1e-10)
    assert law.r2 == pytest.approx(1 - np.sum((law.predict(X) - y) ** 2) / np.sum((y - y.mean()) ** 2), rel=1e-10)


def test_a_sampled_search_is_deterministic_for_a_seed(small_search):
    rng = np.random.default_rng(2)
    X = rng.uniform(1, 3, (5000, 1))
    y = 0.731 * X[:, 0] ** 3 + 0.01 * rng.standard_normal(5000)
    first = discover(X, y, random_state=3)
    second = discover(X, y, random_state=3)
    assert first.formula == second.formula
    assert [c.value for c in first.coefficients] == [c.value for c in second.coefficients]


def test_the_cannon_law_from_many_rows_is_the_exact_law_with_its_constant_measured_on_all_rows(small_search):
    from discovery.article.cannon import cannon_shots

    data = cannon_shots(8000, seed=0, noise=0.01, clip_negative=False)
    law = discover(data.X, data.y, variables=["v", "theta"], constants={"g": 9.81}, random_state=0)
    assert str(law) == "y = v**2*sin(2*theta)/g"
    assert law.n_rows == 8000
    assert law.rmse == pytest.approx(0.01, rel=0.05)
    (coefficient,) = law.coefficients  # the exact 1/g with its free estimate and error from all 8,000 rows
    assert coefficient.dof == 8000 - 1
    assert law.info["all_rows"]["exact_values"]["v**2*sin(2*theta)"] < 4
    assert coefficient.interval()[0] < 1 / 9.81 < coefficient.interval()[1]


def test_an_exact_value_that_all_rows_refute_is_left_free_with_a_warning(small_search):
    from discovery.settle.all_rows_checks import ExactValueWarning

    # Shots under g = 9.75 while the user says 9.81: 1,500 rows cannot tell 1/g from the truth under
    # noise of σ = 1, 200,000 rows can (10 standard errors).
    rng = np.random.default_rng(14)
    X = np.column_stack([rng.uniform(0, 10, 200_000), rng.uniform(0, np.pi / 2, 200_000)])
    y = X[:, 0] ** 2 * np.sin(2 * X[:, 1]) / 9.75 + rng.standard_normal(200_000)
    with pytest.warns(
        ExactValueWarning, match=r"v\*\*2\*sin\(2\*theta\) \(\d+\.\d standard errors\); they are left free"
    ):
        law = discover(X, y, variables=["v", "theta"], constants={"g": 9.81}, random_state=0)
    (coefficient,) = law.coefficients
    assert coefficient.exact is None and not law.expression.has(sp.Symbol("g"))
    assert abs(coefficient.value - 1 / 9.75) < 3 * coefficient.stderr
    assert law.info["all_rows"]["unsnapped"] == ["v**2*sin(2*theta)"]


def test_a_nonlinear_law_is_refitted_on_all_rows_to_the_least_squares_optimum():
    rng = np.random.default_rng(4)
    X = rng.uniform(0, 3, (20000, 1))
    y = 2.5 * np.exp(-1.3 * X[:, 0]) + 0.01 * rng.standard_normal(20000)
    start = _law(2.4 * sp.exp(-1.2 * x))
    law = law_on_all_rows(start, ArrayRows(X, y, chunk_rows=3000))
    fit = least_squares(lambda p: p[0] * np.exp(-p[1] * X[:, 0]) - y, [2.4, 1.2], method="lm", xtol=1e-14)
    values = sorted(float(abs(f)) for f in law.expression.atoms(sp.Float))
    assert values == pytest.approx(sorted(abs(fit.x)), rel=1e-7)
    assert law.rmse == pytest.approx(np.sqrt(np.mean(fit.fun**2)), rel=1e-9)
    assert law.info["all_rows"]["passes"] > 2
    assert law.n_rows == 20000


def test_the_sums_do_not_depend_on_the_chunk_size():
    rng = np.random.default_rng(5)
    X = rng.uniform(0.5, 2, (10000, 2))
    y = rng.standard_normal(10000)
    spec = (sp.sympify("1.5*a*sin(0.7*b) + 0.2"), ("a", "b"), (), False)
    start = FreeFloats(*spec[:2], {}).start
    one = ArrayRows(X, y, chunk_rows=10000).total(functools.partial(chunk_sums, spec, start))
    many = ArrayRows(X, y, chunk_rows=777).total(functools.partial(chunk_sums, spec, start))
    assert many.jtj == pytest.approx(one.jtj, rel=1e-12)
    assert many.jtr == pytest.approx(one.jtr, rel=1e-12)
    assert (many.rss, many.n_rows) == (pytest.approx(one.rss, rel=1e-12), one.n_rows)


def test_rows_where_the_sampled_law_is_not_finite_are_counted_and_warned_about():
    X = np.linspace(-0.5, 4, 1000)[:, None]
    y = np.log(np.abs(X[:, 0]) + 1)
    law = _law(0.9 * sp.log(x + 1))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        refitted = law_on_all_rows(law, ArrayRows(X, y))
    assert refitted.info["all_rows"]["rows_not_finite"] == 0
    assert not [w for w in caught if issubclass(w.category, NotFiniteRowsWarning)]

    law = _law(0.9 * sp.log(x))
    with pytest.warns(NotFiniteRowsWarning, match=r"not finite on \d+ of all 1000 rows"):
        refitted = law_on_all_rows(law, ArrayRows(X, y))
    assert refitted.info["all_rows"]["rows_not_finite"] == int(np.sum(X[:, 0] <= 0))


def test_relative_errors_weight_the_refit_on_all_rows():
    rng = np.random.default_rng(6)
    X = rng.uniform(1, 100, (8000, 1))
    y = 3.0 * X[:, 0] ** 2 * (1 + 0.05 * rng.standard_normal(8000))
    law = law_on_all_rows(_law(2.9 * x**2, noise="relative"), ArrayRows(X, y))
    column = X[:, 0] ** 2
    w = 1 / y**2
    weighted = float((w * column) @ y / ((w * column) @ column))
    (value,) = [float(f) for f in law.expression.atoms(sp.Float)]
    assert value == pytest.approx(weighted, rel=1e-9)


def _write_parquet(path, columns: dict, files: int = 1) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = len(next(iter(columns.values())))
    bounds = np.linspace(0, n, files + 1).astype(int)
    if files == 1:
        pq.write_table(pa.table(columns), path, row_group_size=1000)
        return
    path.mkdir()
    for i in range(files):
        part = {k: v[bounds[i] : bounds[i + 1]] for k, v in columns.items()}
        pq.write_table(pa.table(part), path / f"part-{i}.parquet", row_group_size=1000)


@pytest.mark.slow
def test_a_parquet_file_gives_the_law_the_same_rows_in_memory_give(small_search, tmp_path):
    pytest.importorskip("pyarrow")
    rng = np.random.default_rng(7)
    X = rng.uniform(1, 3, (6000, 2))
    y = 0.8123 * X[:, 0] / X[:, 1] + 0.01 * rng.standard_normal(6000)
    _write_parquet(tmp_path / "rows.parquet", {"p": X[:, 0], "q": X[:, 1], "out": y})
    from_file = discover(tmp_path / "rows.parquet", target="out", random_state=0)
    in_memory = discover(X, y, variables=["p", "q"], target="out", random_state=0)
    assert from_file.formula == in_memory.formula
    assert from_file.n_rows == 6000 and from_file.variables == ("p", "q")
    values = [c.value for c in in_memory.coefficients]
    assert [c.value for c in from_file.coefficients] == pytest.approx(values, rel=1e-12)
    assert from_file.rmse == pytest.approx(in_memory.rmse, rel=1e-12)


def test_a_folder_of_parquet_files_is_one_dataset_and_few_rows_are_searched_whole(tmp_path):
    pytest.importorskip("pyarrow")
    rng = np.random.default_rng(8)
    x_values = rng.uniform(1, 2, 900)
    _write_parquet(tmp_path / "parts", {"x": x_values, "y": 2 * x_values**2}, files=3)
    law = discover(str(tmp_path / "parts"), target="y", random_state=0)
    assert law.formula == "y = 2*x**2"
    assert law.n_rows == 900 and "all_rows" not in law.info  # 900 rows: no sample needed


def test_bad_parquet_input_names_the_column_and_the_row(tmp_path):
    pytest.importorskip("pyarrow")
    from discovery import DataError
    from discovery.io.parquet import ParquetRows

    x_values = np.linspace(1, 2, 5000)
    y = x_values**2
    y[3456] = np.nan
    _write_parquet(tmp_path / "gap.parquet", {"x": x_values, "y": y, "label": np.array(["a"] * 5000)})
    with pytest.raises(DataError, match=r"the target 'y' has 1 NaN value \(rows 3456\)"):
        ParquetRows(tmp_path / "gap.parquet", "y", ["x"], chunk_rows=1000).sample(100, 0)
    with pytest.raises(DataError, match=r"column 'label' .* holds string, not numbers; pass variables="):
        discover(tmp_path / "gap.parquet", target="y")
    with pytest.raises(DataError, match=r"the target 'z' is not a column .* its columns are \['x', 'y', 'label'\]"):
        discover(tmp_path / "gap.parquet", target="z", variables=["x"])
    with pytest.raises(DataError, match="needs target='name'"):
        discover(tmp_path / "gap.parquet", variables=["x"])
    with pytest.raises(DataError, match="give target='name' and no y"):
        discover(tmp_path / "gap.parquet", y, target="y")
    with pytest.raises(DataError, match="does not exist"):
        discover(tmp_path / "missing.parquet", target="y")


@pytest.fixture(scope="module")
def dask_cluster():
    """Two worker processes, as a small cluster would have; the client is the process's current one."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        with distributed.Client(cluster) as client:
            yield cluster, client


def _rows_with_a_free_coefficient(n: int = 6000):
    rng = np.random.default_rng(9)
    X = rng.uniform(1, 3, (n, 2))
    return X, 0.6042 * X[:, 0] ** 2 / X[:, 1] + 0.01 * rng.standard_normal(n)


@pytest.mark.slow
def test_a_dask_frame_is_sampled_and_summed_on_the_workers_to_the_in_memory_law(small_search, dask_cluster):
    dd = pytest.importorskip("dask.dataframe")
    import pandas as pd

    X, y = _rows_with_a_free_coefficient()
    frame = dd.from_pandas(pd.DataFrame({"p": X[:, 0], "q": X[:, 1], "out": y}), npartitions=4)
    from_cluster = discover(frame, target="out", random_state=0)
    in_memory = discover(X, y, variables=["p", "q"], target="out", random_state=0)
    assert from_cluster.formula == in_memory.formula
    assert from_cluster.n_rows == 6000
    values = [c.value for c in in_memory.coefficients]
    assert [c.value for c in from_cluster.coefficients] == pytest.approx(values, rel=1e-12)
    assert from_cluster.rmse == pytest.approx(in_memory.rmse, rel=1e-12)


@pytest.mark.slow
def test_dask_arrays_through_a_scheduler_address(small_search, dask_cluster):
    da = pytest.importorskip("dask.array")
    cluster, _ = dask_cluster
    X, y = _rows_with_a_free_coefficient()
    law = discover(
        da.from_array(X, chunks=(1700, 2)),
        da.from_array(y, chunks=1000),  # other row chunks than X: aligned before the partitions are made
        variables=["p", "q"],
        random_state=0,
        cluster=cluster.scheduler_address,
    )
    assert law.formula == discover(X, y, variables=["p", "q"], random_state=0).formula
    assert law.n_rows == 6000


def test_bad_dask_input_names_the_column_and_the_row(dask_cluster):
    dd = pytest.importorskip("dask.dataframe")
    import pandas as pd

    from discovery import DataError

    X, y = _rows_with_a_free_coefficient(4000)
    X[2500, 1] = np.inf
    frame = dd.from_pandas(pd.DataFrame({"p": X[:, 0], "q": X[:, 1], "out": y}), npartitions=3)
    with pytest.raises(DataError, match=r"column 'q' has 1 infinite value \(rows 2500\)"):
        discover(frame, target="out")
    with pytest.raises(DataError, match="needs target='name'"):
        discover(frame)
    with pytest.raises(DataError, match="cluster must be"):
        discover(frame, target="out", cluster=3)


@pytest.mark.slow
def test_without_a_client_a_local_cluster_is_started_for_the_call_and_closed(monkeypatch):
    distributed = pytest.importorskip("distributed")
    dd = pytest.importorskip("dask.dataframe")
    import pandas as pd

    started = []

    class Recorded(distributed.LocalCluster):
        def __init__(self, **kwargs):
            super().__init__(n_workers=1, threads_per_worker=1, **kwargs)
            started.append(self)

    def no_client():
        raise ValueError("No global client found")

    monkeypatch.setattr(distributed, "get_client", no_client)
    monkeypatch.setattr(distributed, "LocalCluster", Recorded)
    x_values = np.linspace(1, 2, 300)
    frame = dd.from_pandas(pd.DataFrame({"x": x_values, "y": 3 * x_values**3}), npartitions=2)
    law = discover(frame, target="y", random_state=0)
    assert law.formula == "y = 3*x**3"
    assert len(started) == 1 and started[0].status.name == "closed"


def test_all_rows_choose_a_term_of_the_front_that_the_sample_could_not_support(small_search):
    # 0.25·b under noise of σ = 1: about 8 units of χ² on 1,500 rows, short of the BIC's log n + 6;
    # on 100,000 rows about 500. The sample returns a one-term stand-in, all rows the law.
    rng = np.random.default_rng(11)
    X = rng.uniform(0, 1, (100_000, 2))
    y = 3 * X[:, 0] + 0.25 * X[:, 1] + rng.standard_normal(100_000)
    law = discover(X, y, variables=["a", "b"], random_state=0)
    assert law.info["all_rows"]["front"].startswith("all rows chose this entry")
    assert law.expression.free_symbols == {sp.Symbol("a"), sp.Symbol("b")}
    by_term = {str(c.term): c for c in law.coefficients}
    assert abs(by_term["a"].value - 3) < 3 * by_term["a"].stderr
    assert abs(by_term["b"].value - 0.25) < 3 * by_term["b"].stderr
    assert sum(e.chosen for e in law.front) == 1
    assert law.rmse == pytest.approx(float(np.sqrt(np.mean((law.predict(X) - y) ** 2))), rel=1e-9)


@pytest.mark.slow
def test_an_exact_law_stays_exact_when_all_rows_judge_its_front():
    # The scale benchmark's I.10.7 at 10^5 rows: the law sqrt(c²m²/(c² − v²)) settled from a
    # two-term entry; judged by that entry's two terms, a one-float copy of it had won on all rows.
    from benchmarks.feynman_problems import judge
    from benchmarks.scale import problem_data

    X, y, *_, variables, truth, constants, ranges = problem_data("I.10.7", 100_000, 0)
    law = discover(X, y, variables=list(variables), random_state=0, time_limit=60)
    assert law.info["all_rows"]["front"].startswith("confirmed on all rows")
    assert judge(law.expression, truth, 1.0, ranges=ranges).exact
    assert not law.expression.atoms(sp.Float)


def test_the_estimator_on_many_rows_fits_a_sample_and_measures_every_row():
    from discovery import SparseBasisRegressor
    from discovery.io.rows import SEARCH_ROWS

    rng = np.random.default_rng(13)
    n = SEARCH_ROWS + 15_000
    x_values = rng.uniform(0.5, 2, n)
    y = 0.37 * x_values**2 + 1.9 * x_values + 0.01 * rng.standard_normal(n)
    model = SparseBasisRegressor(library="x, x**2, x**3", variables=["x"], snap=False, random_state=0)
    model.fit(x_values[:, None], y)
    assert model.law_.n_rows == n
    assert model.law_.info["all_rows"]["search_rows"] == SEARCH_ROWS
    design = np.column_stack([x_values, x_values**2])
    expected, *_ = np.linalg.lstsq(design, y, rcond=None)
    assert model.coef_[:2] == pytest.approx(expected, rel=1e-9) and model.coef_[2] == 0
    assert model.predict(x_values[:5, None]) == pytest.approx(design[:5] @ expected, rel=1e-9)


def test_auto_keeps_small_work_on_the_cpu_even_where_a_gpu_is_present(monkeypatch):
    import torch

    from discovery.device import GPU_CROSSOVER_ROWS, resolve_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)  # as on a GPU machine
    assert resolve_device("auto", rows=4000).type == "cpu"
    assert resolve_device("auto", rows=GPU_CROSSOVER_ROWS).type == "cuda"
    assert resolve_device("auto").type == "cuda"  # rows unknown (the neural oracle): CUDA when present
    assert resolve_device("cpu", rows=10**9).type == "cpu"


def test_past_the_time_limit_the_all_rows_stage_makes_one_pass_and_says_what_it_left_unchecked():
    from discovery.deadline import Deadline
    from discovery.law.coefficient import Coefficient
    from discovery.settle.all_rows_checks import refitted_on_all_rows

    rng = np.random.default_rng(15)
    X = rng.uniform(1, 2, (5000, 1))
    y = 2 * X[:, 0] ** 2 + 0.5 * X[:, 0] + 0.01 * rng.standard_normal(5000)
    a, b = sp.Float(0.49), sp.Integer(2)
    law = dataclasses.replace(
        _law(b * x**2 + a * x), coefficients=[Coefficient(x**2, 2.0, 0.01, b), Coefficient(x, 0.49, 0.01)]
    )
    out_of_time = refitted_on_all_rows(law, ArrayRows(X, y), Deadline(0.0))
    assert out_of_time.info["all_rows"]["passes"] == 1
    assert out_of_time.info["all_rows"]["exact_values"] == "not checked on all rows: out of time"
    assert out_of_time.rmse == pytest.approx(np.sqrt(np.mean((out_of_time.predict(X) - y) ** 2)), rel=1e-9)
    in_time = refitted_on_all_rows(law, ArrayRows(X, y), Deadline(60.0))
    assert in_time.info["all_rows"]["passes"] > 1
    assert in_time.info["all_rows"]["exact_values"]["x**2"] < 4
