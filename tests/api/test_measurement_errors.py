"""discover(sigma=...) chooses by a χ² test against the stated errors; weights= refits by weighted least squares."""

import numpy as np
import pytest
from scipy.stats import norm

from discovery import DataError, discover


def _inverse_law_table(rng):
    """25 hand measurements of y = 3/x: 0.3 % errors and a slow systematic drift (the issue's first table)."""
    x = np.linspace(1, 5, 25)
    y = 3.0 / x * (1 + 0.003 * rng.normal(size=25) + 0.001 * (x - 3) ** 2)
    return x, y


def test_stated_errors_choose_the_one_constant_law_a_drift_would_hide(rng):
    x, y = _inverse_law_table(rng)
    law = discover({"x": x}, y, random_state=0, time_limit=10, sigma=0.005 * y)
    test = law.info["measurement_errors"]
    assert test["given"] == "sigma" and test["consistent"] is True and test["p_value"] > 0.05
    assert sum(c.exact is None for c in law.coefficients) <= 1
    grid = {"x": np.linspace(1, 10, 50)}  # out to twice the measured range
    np.testing.assert_allclose(law.predict(grid), 3.0 / grid["x"], rtol=0.01)
    assert "consistent with them" in law.evidence()


def test_coefficient_errors_follow_from_the_stated_sigma(rng):
    x = np.linspace(0, 4, 40)
    sigma = 0.01
    y = 1.3172 + 0.4689 * x + rng.normal(0, sigma, 40)
    law = discover({"x": x}, y, random_state=0, method="basis", sigma=sigma)
    assert law.formula.count("x") == 1 and law.info["measurement_errors"]["consistent"] is True
    slope = next(c for c in law.coefficients if str(c.term) == "x")
    expected = sigma / np.sqrt(np.sum((x - x.mean()) ** 2))  # least squares' error for a known σ
    assert slope.stderr == pytest.approx(expected, rel=1e-6)
    low, high = slope.interval(0.95)
    assert high - slope.value == pytest.approx(norm.ppf(0.975) * expected, rel=1e-6)


def test_errors_stated_far_too_small_are_reported_not_hidden(rng):
    x = np.linspace(1, 3, 30)
    y = 2.0 * x**2 + rng.normal(0, 0.1, 30)
    law = discover({"x": x}, y, random_state=0, time_limit=10, sigma=1e-4)
    test = law.info["measurement_errors"]
    assert test["consistent"] is False and test["p_value"] < 0.05 and test["chi_square"] > test["dof"]
    assert "no candidate is consistent" in law.evidence()
    # Not trusted to choose: the law is the one the residuals support, not a long one fitted to χ².
    assert law.formula == "y = 2*x**2" and law.info["criterion"] == "weighted bic"


def test_weights_refit_the_law_by_weighted_least_squares(rng):
    x = np.linspace(1, 4, 30)
    weights = 1 / x**4  # errors that grow as x²
    y = 2.5 * x**2 * (1 + 0.02 * rng.normal(size=30))
    law = discover({"x": x}, y, random_state=0, method="basis", weights=weights)
    assert law.info["criterion"] == "weighted bic" and law.info["measurement_errors"]["given"] == "weights"
    (coefficient,) = law.coefficients
    expected = np.sum(weights * x**2 * y) / np.sum(weights * x**4)  # weighted least squares of y = a·x²
    unweighted = np.sum(x**2 * y) / np.sum(x**4)
    assert coefficient.value == pytest.approx(expected, rel=1e-9) and abs(expected - unweighted) > 1e-4


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"sigma": 0.1, "weights": np.ones(20)}, "not both"),
        ({"sigma": np.ones(19)}, r"one per row of 'y' \(20\); got shape \(19,\)"),
        ({"sigma": np.r_[np.ones(18), 0.0, -1.0]}, r"0 or less \(rows 18, 19\)"),
        ({"weights": np.r_[np.ones(19), np.nan]}, r"weights has 1 NaN value \(rows 19\)"),
        ({"sigma": "small"}, "sigma is not numeric"),
    ],
)
def test_unusable_errors_are_refused_with_the_rows_named(options, message):
    x = np.linspace(1, 2, 20)
    with pytest.raises(DataError, match=message):
        discover({"x": x}, 2 * x, **options)


def test_per_row_errors_beyond_the_rows_searched_are_refused():
    x = np.linspace(1, 2, 20_001)
    with pytest.raises(DataError, match="up to 20,000 rows"):
        discover({"x": x}, 2 * x, sigma=0.1)
