"""More rows than the search needs: the law is found on a sample and refitted and measured on all rows."""

import warnings

import numpy as np
import pytest
import sympy as sp
from scipy.optimize import least_squares

import discovery.api
from discovery import Law, discover
from discovery.law.all_rows import FreeFloats, NotFiniteRowsWarning, array_chunks, law_on_all_rows, summed

x = sp.Symbol("x")


def _law(expression: sp.Expr, variables=("x",), n_rows: int = 100, **info) -> Law:
    return Law(sp.sympify(expression), "y", tuple(variables), {}, [], [], np.nan, np.nan, n_rows, dict(info))


def _totals(y: np.ndarray) -> tuple[float, float]:
    return float(y.sum()), float(y @ y)


@pytest.fixture
def small_search(monkeypatch):
    """A search sample of 1,500 rows, so that a few thousand rows are already 'more than the search needs'."""
    monkeypatch.setattr(discovery.api, "SEARCH_ROWS", 1500)


def test_a_law_found_on_a_sample_has_its_free_coefficient_and_error_from_all_rows(small_search):
    rng = np.random.default_rng(1)
    n = 6000
    X = rng.uniform(1, 3, (n, 2))
    y = 1.2345 * X[:, 0] ** 2 * X[:, 1] + 0.05 * rng.standard_normal(n)
    law = discover(X, y, variables=["a", "b"], random_state=0)
    assert law.n_rows == n
    assert law.info["all_rows"]["search_rows"] == 1500
    assert set(law.info["stages"]) == {"search", "finish"}
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


def test_a_nonlinear_law_is_refitted_on_all_rows_to_the_least_squares_optimum():
    rng = np.random.default_rng(4)
    X = rng.uniform(0, 3, (20000, 1))
    y = 2.5 * np.exp(-1.3 * X[:, 0]) + 0.01 * rng.standard_normal(20000)
    start = _law(2.4 * sp.exp(-1.2 * x))
    law = law_on_all_rows(start, array_chunks(X, y, chunk_rows=3000), _totals(y), len(y))
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
    model = FreeFloats(sp.sympify("1.5*a*sin(0.7*b) + 0.2"), ("a", "b"), {})
    one = summed(model, array_chunks(X, y, chunk_rows=10000), model.start)
    many = summed(model, array_chunks(X, y, chunk_rows=777), model.start)
    assert many.jtj == pytest.approx(one.jtj, rel=1e-12)
    assert many.jtr == pytest.approx(one.jtr, rel=1e-12)
    assert (many.rss, many.n_rows) == (pytest.approx(one.rss, rel=1e-12), one.n_rows)


def test_rows_where_the_sampled_law_is_not_finite_are_counted_and_warned_about():
    X = np.linspace(-0.5, 4, 1000)[:, None]
    y = np.log(np.abs(X[:, 0]) + 1)
    law = _law(0.9 * sp.log(x + 1))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        refitted = law_on_all_rows(law, array_chunks(X, y), _totals(y), len(y))
    assert refitted.info["all_rows"]["rows_not_finite"] == 0
    assert not [w for w in caught if issubclass(w.category, NotFiniteRowsWarning)]

    law = _law(0.9 * sp.log(x))
    with pytest.warns(NotFiniteRowsWarning, match=r"not finite on \d+ of all 1000 rows"):
        refitted = law_on_all_rows(law, array_chunks(X, y), _totals(y), len(y))
    assert refitted.info["all_rows"]["rows_not_finite"] == int(np.sum(X[:, 0] <= 0))


def test_relative_errors_weight_the_refit_on_all_rows():
    rng = np.random.default_rng(6)
    X = rng.uniform(1, 100, (8000, 1))
    y = 3.0 * X[:, 0] ** 2 * (1 + 0.05 * rng.standard_normal(8000))
    law = law_on_all_rows(_law(2.9 * x**2, noise="relative"), array_chunks(X, y), _totals(y), len(y))
    column = X[:, 0] ** 2
    w = 1 / y**2
    weighted = float((w * column) @ y / ((w * column) @ column))
    (value,) = [float(f) for f in law.expression.atoms(sp.Float)]
    assert value == pytest.approx(weighted, rel=1e-9)
