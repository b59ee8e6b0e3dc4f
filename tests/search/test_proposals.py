"""Search strategies: power laws from log space, confirmed in the original space."""

import numpy as np
import pytest
import sympy as sp

from discovery import discover
from discovery.io.dataset import as_dataset
from discovery.search.proposals import power_law_terms


def test_log_space_fit_proposes_the_monomial(rng):
    X = rng.uniform(1, 5, size=(2000, 4))
    y = X[:, 0] * X[:, 1] ** 2 / (4 * np.pi * X[:, 2] * np.sqrt(X[:, 3]))
    terms = power_law_terms(as_dataset(X, y, variables=["q", "v", "r", "m"]))
    q, v, r, m = sp.symbols("q v r m")
    assert q * v**2 / (r * sp.sqrt(m)) in terms


def test_monomial_times_a_sine_is_proposed(rng):
    X = rng.uniform(1, 3, size=(2000, 3))  # theta in [1, 3]: sin keeps its sign
    y = X[:, 0] * X[:, 1] * np.sin(X[:, 2])
    r, F, theta = sp.symbols("r F theta")
    assert r * F * sp.sin(theta) in power_law_terms(as_dataset(X, y, variables=["r", "F", "theta"]))


def test_no_proposal_when_y_changes_sign(rng):
    X = rng.uniform(1, 2, size=(500, 2))
    y = X[:, 0] - 1.5
    assert power_law_terms(as_dataset(X, y)) == []


def test_discover_recovers_a_product_of_powers_exactly(rng):
    X = rng.uniform(1, 5, size=(3000, 5))
    names = ["q1", "q2", "epsilon", "r", "a"]
    y = X[:, 0] * X[:, 1] * X[:, 4] ** 2 / (6 * np.pi * X[:, 2] * X[:, 3] ** 3)
    law = discover(X, y, variables=names, random_state=0)
    q1, q2, epsilon, r, a = sp.symbols(names)
    assert sp.simplify(law.expression - q1 * q2 * a**2 / (6 * sp.pi * epsilon * r**3)) == 0
    assert law.info["level"] == 0  # found from the proposal alone, before any big library


@pytest.mark.slow
def test_power_law_with_noise_keeps_the_exponents(rng):
    X = rng.uniform(1, 5, size=(10_000, 3))
    y = X[:, 0] * X[:, 1] ** 2 / X[:, 2]
    y = y + rng.normal(0, 0.01 * np.sqrt(np.mean(y**2)), len(y))
    law = discover(X, y, variables=["m", "v", "r"], random_state=0)
    m, v, r = sp.symbols("m v r")
    ratio = sp.simplify(law.expression / (m * v**2 / r))
    assert ratio.is_number and abs(float(ratio) - 1) < 1e-2


def test_a_factor_hidden_by_noise_on_small_values_is_proposed(rng):
    # m·c³/√(c² − v²) at 1 % noise: rows with small y drown the factor in log space; weighted by y²
    # (the inverse of log y's noise variance) the fit of y² still proposes m²·c⁶/(c² − v²).
    X = np.column_stack([rng.uniform(1, 5, 10000), rng.uniform(1, 2, 10000), rng.uniform(3, 10, 10000)])
    m, v, c = X.T
    y = m * c**2 / np.sqrt(1 - v**2 / c**2)
    y = y + 0.01 * np.sqrt(np.mean(y**2)) * rng.normal(size=len(y))
    names = ["m", "v", "c"]
    ms, vs, cs = sp.symbols(names)
    terms = power_law_terms(as_dataset(X, y**2, variables=names), magnitude=y)
    assert ms**2 * cs**6 / (vs**2 - cs**2) in terms or -(ms**2) * cs**6 / (cs**2 - vs**2) in terms


def test_a_monomial_is_proposed_when_noise_pushes_small_values_below_zero(rng):
    # At 10 % noise a product over wide ranges has many values near zero, and noise makes a tenth of
    # them negative: the rows clear of the noise still give the monomial.
    X = rng.uniform(0.1, 3, size=(10000, 3))
    y_true = X[:, 0] * X[:, 1] ** 2 * X[:, 2] ** 3
    y = y_true + 0.1 * np.sqrt(np.mean(y_true**2)) * rng.normal(size=len(y_true))
    assert np.mean(y < 0) > 0.05
    a, b, c = sp.symbols("a b c")
    assert a * b**2 * c**3 in power_law_terms(as_dataset(X, y, variables=["a", "b", "c"]))


def test_a_monomial_spanning_decades_is_proposed_from_the_few_rows_clear_of_noise(rng):
    # a⁴·b/c over wide ranges at 10 % noise: most values are lost in the noise and over a quarter
    # of them are negative. About a fifth stand clear of it, enough for the log fit.
    X = np.column_stack([rng.uniform(0.1, 1, 10000), rng.uniform(0.1, 5, 10000), rng.uniform(0.05, 5, 10000)])
    y_true = X[:, 0] ** 4 * X[:, 1] / X[:, 2]
    y = y_true + 0.1 * np.sqrt(np.mean(y_true**2)) * rng.normal(size=len(y_true))
    assert np.mean(y < 0) > 0.25
    a, b, c = sp.symbols("a b c")
    assert a**4 * b / c in power_law_terms(as_dataset(X, y, variables=["a", "b", "c"]))


def test_a_sum_sharing_a_factor_is_completed_from_its_largest_term(rng):
    # p·(q + s)/(q − w) with s ≪ q is fitted in log space as p·q/(q − w); the neighbour with q's
    # power moved to s is the sum's other term, and the law comes back whole.
    X = np.column_stack(
        [rng.uniform(1, 5, 5000), rng.uniform(200, 400, 5000), rng.uniform(0, 30, 5000), rng.uniform(0, 60, 5000)]
    )
    p, q, s, w = X.T
    y = p * (q + s) / (q - w)
    law = discover(X, y, variables=["p", "q", "s", "w"], random_state=0, time_limit=30)
    ps, qs, ss, ws = sp.symbols("p q s w")
    assert sp.simplify(law.expression - ps * (qs + ss) / (qs - ws)) == 0, law
