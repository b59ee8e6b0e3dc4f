"""The front door: the cannon law recovered exactly, from every kind of input."""

import numpy as np
import pandas as pd
import pytest
import sympy as sp

from bases import power_harmonics
from discovery import Law, discover
from discovery.article.cannon import cannon_shots, true_distance

v, theta, g = sp.symbols("v theta g")
CANNON = v**2 * sp.sin(2 * theta) / g


def _exact(law: Law, truth: sp.Expr) -> bool:
    return sp.simplify(law.expression - truth) == 0


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_discover_recovers_the_cannon_law_with_the_default_library(seed):
    data = cannon_shots(1000, seed=seed)
    law = discover(data.X, data.y, variables=["v", "theta"], constants={"g": 9.81}, random_state=0, target="s")
    assert _exact(law, CANNON), str(law)
    assert str(law) == "s = v**2*sin(2*theta)/g"
    assert law.latex() == r"s = \frac{v^{2} \sin{\left(2 \theta \right)}}{g}"


def test_article_library_prunes_to_the_single_true_term(cannon):
    # v^k sin(m theta) for k <= 2, m <= 2: the article's six terms and more (constant, sin θ, sin 2θ).
    library = power_harmonics("v", "theta", powers=range(0, 3), orders=range(0, 3))
    assert len(library) == 9
    law = discover(cannon.X, cannon.y, variables=["v", "theta"], constants={"g": 9.81}, library=library, random_state=0)
    assert _exact(law, CANNON)
    assert len(law.coefficients) == 1
    assert law.coefficients[0].exact == 1 / g
    assert law.coefficients[0].value == pytest.approx(1 / 9.81, rel=1e-4)


def test_without_the_constant_the_coefficient_is_kept_as_a_number(cannon):
    law = discover(cannon.X, cannon.y, variables=["v", "theta"], random_state=0)
    coefficient = law.expression.as_coeff_Mul()[0]
    assert float(coefficient) == pytest.approx(1 / 9.81, rel=1e-3)
    assert law.expression.free_symbols == {v, theta}


def test_law_predicts_and_extrapolates(cannon_law_y):
    law = cannon_law_y
    far = cannon_shots(200, seed=99, noise=0, v_range=(10, 20), clip_negative=False)
    np.testing.assert_allclose(law.predict(far.X), true_distance(far.X), rtol=1e-12)
    by_name = law.predict({"theta": far.X[:, 1], "v": far.X[:, 0]})
    np.testing.assert_allclose(by_name, true_distance(far.X), rtol=1e-12)


def test_law_reports_error_front_and_coefficients(cannon_law_y):
    law = cannon_law_y
    assert 0.008 < law.rmse < 0.012  # the noise is 0.01
    assert law.r2 > 0.9999
    assert sum(e.chosen for e in law.front) == 1
    complexities = [e.complexity for e in law.front]
    assert complexities == sorted(complexities)
    assert "1/g" in law.summary() and "Pareto front" in law.summary()


def test_dataframe_with_target_column(cannon):
    frame = pd.DataFrame({"v": cannon.X[:, 0], "theta": cannon.X[:, 1], "s": cannon.y})
    law = discover(frame, target="s", constants={"g": 9.81}, random_state=0)
    assert str(law) == "s = v**2*sin(2*theta)/g"
    np.testing.assert_allclose(law.predict(frame), true_distance(cannon.X), rtol=1e-12)


def test_mapping_input_orders_columns_by_name(cannon):
    columns = {"theta": cannon.X[:, 1], "v": cannon.X[:, 0]}
    law = discover(columns, cannon.y, constants={"g": 9.81}, random_state=0)
    assert law.variables == ("theta", "v")
    assert _exact(law, CANNON)


def test_same_seed_gives_the_same_law(cannon):
    a = discover(cannon.X, cannon.y, variables=["v", "theta"], random_state=3)
    b = discover(cannon.X, cannon.y, variables=["v", "theta"], random_state=3)
    assert a.expression == b.expression
    assert [c.value for c in a.coefficients] == [c.value for c in b.coefficients]


def test_noise_free_polynomial_law_is_exact(rng):
    X = rng.uniform(0.5, 3, size=(300, 2))
    y = 0.5 * X[:, 0] ** 2 * X[:, 1] + 3 * X[:, 1]
    law = discover(X, y, variables=["m", "h"], random_state=0)
    m, h = sp.symbols("m h")
    assert sp.simplify(law.expression - (m**2 * h / 2 + 3 * h)) == 0


def test_library_given_as_text(cannon):
    law = discover(
        cannon.X,
        cannon.y,
        variables=["v", "theta"],
        constants={"g": 9.81},
        library="v, v**2, v**2*sin(2*theta), v*sin(theta)",
        random_state=0,
    )
    assert _exact(law, CANNON)


@pytest.mark.parametrize("seed", [47, 48])
def test_no_false_term_survives_the_search_on_the_cannon(seed):
    # Under plain BIC these seeds gained 0.0026*sin(2v)*cos(theta) and 0.0015*cos(v): one of a
    # hundred candidate terms fits the noise well enough. The extended BIC charges for the search.
    shots = cannon_shots(n=1000, seed=seed)
    law = discover(shots.X, shots.y, variables=["v", "theta"], target="s", constants={"g": 9.81}, random_state=seed)
    v, theta, g = sp.symbols("v theta g")
    assert sp.simplify(law.expression - v**2 * sp.sin(2 * theta) / g) == 0, law


def test_the_search_penalty_grows_with_the_candidates_searched():
    from discovery.search.selection import search_penalty

    assert search_penalty(100, 0) == 0.0 and search_penalty(1, 1) == 0.0
    assert 0 < search_penalty(10, 1) < search_penalty(100, 1) < search_penalty(100, 2)
    assert search_penalty(100, 1) == pytest.approx(np.log(100))  # 2·γ·log C(100, 1) with γ = 1/2


def test_a_column_the_law_does_not_use_is_reported_and_still_taken_by_predict(rng):
    """A distractor column is left out of the law, named in law.info["dropped_columns"]; predict takes every column."""
    X = rng.uniform(1, 3, size=(400, 3))
    y = X[:, 0] ** 2 / X[:, 2]
    law = discover(X, y, variables=["v", "noise_column", "m"], random_state=0, time_limit=20)
    assert law.info["dropped_columns"] == ["noise_column"]
    assert _exact(law, sp.Symbol("v") ** 2 / sp.Symbol("m"))
    np.testing.assert_allclose(law.predict(X), y, rtol=1e-9)
    assert discover(X, y, variables=["v", "noise_column", "m"], method="basis").info["dropped_columns"] == [
        "noise_column"
    ]
