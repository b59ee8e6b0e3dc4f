"""Small data and relative errors: a handful of measured rows give the law, judged on y's own scale."""

import dataclasses

import numpy as np
import pytest
import sympy as sp

from discovery import discover
from discovery.io.dataset import Dataset
from discovery.search.library_fit import LibraryFit
from discovery.search.noise import residual_test_sees_structure
from discovery.search.selection import noise_bics
from discovery.settle.criteria import bic, relative_bic, terms_allowed


@pytest.mark.parametrize("rows, terms", [(5, 1), (6, 2), (8, 2), (11, 3), (12, 4), (20, 6), (10_000, 3333)])
def test_a_law_on_few_rows_has_at_most_one_term_per_three_rows(rows, terms):
    assert terms_allowed(rows) == terms


@pytest.mark.parametrize("rows", [5, 8])
def test_five_to_eight_rows_give_a_power_law(rows):
    x = np.array([0.4, 0.7, 1.0, 1.5, 2.8, 5.2, 9.6, 19.2])[:rows]
    rng = np.random.default_rng(1)
    y = x**1.5 * (1 + rng.normal(0, 1e-3, rows))  # measured to a part in a thousand
    law = discover(x[:, None], y, variables=["a"], random_state=0)
    assert len(law.coefficients) <= terms_allowed(rows)
    a = sp.Symbol("a", positive=True)
    ratio = sp.simplify(law.expression.xreplace({sp.Symbol("a"): a}) / a ** sp.Rational(3, 2))
    assert ratio.is_number, law  # c·a^(3/2)
    assert abs(float(ratio) - 1) < 0.01


def test_relative_and_additive_bics_are_on_one_scale(rng):
    y = np.exp(rng.uniform(0, 6, 400))  # spans decades
    relative = y * rng.normal(0, 0.01, 400)  # 1 % of each value
    additive = np.full(400, 0.01 * np.sqrt(np.mean(y**2))) * rng.normal(0, 1, 400)
    # Each noise model scores its own kind of residuals better than the other's.
    assert relative_bic(relative, y, 1) < bic(np.sum(relative**2), 400, 1, 1e-300)
    assert bic(np.sum(additive**2), 400, 1, 1e-300) < relative_bic(additive, y, 1)
    assert relative_bic(relative, np.where(y > 10, y, 0.0), 1) == np.inf  # no relative model where y is 0


@pytest.mark.slow
def test_noise_bics_score_a_law_under_both_models(rng):
    x = rng.uniform(1, 100, 300)
    y = 2 * x**2 * (1 + rng.normal(0, 0.01, 300))
    data = Dataset(x[:, None], y, ("x",), "y")
    law = discover(x[:, None], y, variables=["x"], random_state=0, method="basis")
    scores = noise_bics(law, data, 1e-300)
    assert set(scores) == {"additive", "relative"}
    assert scores["relative"] < scores["additive"]  # errors of 1 % of each value
    assert sp.simplify(law.expression / sp.Symbol("x") ** 2).is_number, law


@pytest.mark.slow
def test_relative_errors_are_recognised_and_the_law_refitted_with_weights(rng):
    x = np.exp(rng.uniform(np.log(0.1), np.log(100), 300))  # y spans six decades
    y = 2.5 * x**1.5 * (1 + rng.normal(0, 0.01, 300))
    law = discover(x[:, None], y, variables=["x"], random_state=0)
    assert law.info["noise"] == "relative"
    (coefficient,) = law.coefficients  # of x^(3/2) for y, or of x^(-3/2) for 1/y (found there)
    # Judged by relative errors, every decade counts: the estimate is good to a part in a thousand.
    assert coefficient.stderr < 1e-3 * abs(coefficient.value), law
    x_ = sp.Symbol("x", positive=True)
    factor = sp.simplify(law.expression.xreplace({sp.Symbol("x"): x_}) / x_ ** sp.Rational(3, 2))
    assert factor.is_number and abs(float(factor) - 2.5) < 0.005, law


def test_additive_errors_keep_the_unweighted_fit(rng):
    x = rng.uniform(1, 10, 300)
    y = 2.5 * x**1.5 + rng.normal(0, 0.5, 300)
    law = discover(x[:, None], y, variables=["x"], random_state=0)
    assert law.info["noise"] == "additive"


@pytest.mark.parametrize("bodies", [8, 10])
def test_kepler_from_the_measured_orbits(bodies):
    # NASA's fact-sheet values: periods known to a few parts in 10⁵, spanning three decades.
    from pathlib import Path

    import pandas as pd

    planets = pd.read_csv(Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "planets.csv")[:bodies]
    law = discover(planets[["a"]], planets["T"].to_numpy(), target="T", random_state=0)
    a = sp.Symbol("a", positive=True)
    assert sp.simplify(law.expression.xreplace({sp.Symbol("a"): a}) - a ** sp.Rational(3, 2)) == 0, law
    assert law.info["noise"] == "relative"


def test_under_relative_errors_y_is_also_fitted_with_relative_weights(rng):
    # x³ + 0.01/x at 1 % of each value: unweighted, the values near 1000 drown 0.01/x (at most 0.1).
    x = np.exp(rng.uniform(np.log(0.1), np.log(10), 2000))
    y = (x**3 + 0.01 / x) * (1 + rng.normal(0, 0.01, 2000))
    law = discover(x[:, None], y, variables=["x"], random_state=0)
    assert law.info["transform"] == "y, weighted 1/y**2"
    assert law.info["noise"] == "relative"
    x_ = sp.Symbol("x")
    assert law.expression.coeff(x_**3) == 1, law
    (free,) = [c for c in law.coefficients if c.exact is None]
    assert abs(free.value - 0.01) < 3 * free.stderr, law


def test_errors_count_as_clearly_relative_only_where_the_first_law_fits_to_noise(rng):
    from discovery.search.levels import _Best, _noise_model

    def judged_with(law, data):  # the first law of a search, its rmse on the data searched
        law = dataclasses.replace(law, rmse=float(np.sqrt(np.mean((data.y - law.predict(data.columns())) ** 2))))
        return _Best(fit=LibraryFit(law, [], np.ones(1), 0.0))

    x = np.exp(rng.uniform(np.log(0.1), np.log(10), 2000))
    cube = discover(x[:, None], x**3, variables=["x"], random_state=0)  # y = x**3
    relative = Dataset(x[:, None], (x**3 + 0.01 / x) * (1 + rng.normal(0, 0.01, 2000)), ("x",), "y")
    assert _noise_model(judged_with(cube, relative), relative, 1e-300, 0) == ("relative", True)
    # Additive errors, and a missed term that grows with y: its misses look relative, but
    # neighbouring rows share them, so they say nothing about the errors.
    missed = Dataset(x[:, None], x**3 + 5 * x**2 + rng.normal(0, 0.01, 2000), ("x",), "y")
    scores = noise_bics(judged_with(cube, missed).fit.law, missed, 1e-300)
    assert scores["relative"] < scores["additive"] - 6
    assert _noise_model(judged_with(cube, missed), missed, 1e-300, 0) == ("relative", False)


def test_the_residual_test_has_no_say_on_a_handful_of_rows():
    """On 11 rows no neighbour correlation passes 5 standard errors: such a test cannot call a law a fit."""
    assert not residual_test_sees_structure(11, 5.0)
    assert residual_test_sees_structure(100, 5.0)


def test_a_small_table_is_not_left_with_a_constant_while_a_form_fits():
    """A rise and decay on 11 rows: the forms get their turn, and no law holds more constants than rows allow."""
    rng = np.random.default_rng(0)
    t = np.array([0.25, 0.5, 1, 2, 3.5, 5, 7, 9, 12, 24, 30.0])
    y = 10 * (np.exp(-0.1 * t) - np.exp(-1.5 * t)) * (1 + 0.02 * rng.normal(size=t.size))
    law = discover(t[:, None], y, variables=["t"], random_state=0, time_limit=20)
    r2 = 1 - np.sum((y - law.predict(t[:, None])) ** 2) / np.sum((y - y.mean()) ** 2)
    assert r2 > 0.99, law
    assert len(law.coefficients) <= terms_allowed(len(t))
    assert "too few to tell" in law.info["auto"]
