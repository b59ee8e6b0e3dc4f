"""Monomial factors of y: the inputs y is simply proportional to a power of."""

import numpy as np
import pytest
import sympy as sp

from discovery import discover
from discovery.io.dataset import as_dataset
from discovery.search.factors import separable_factor


def test_the_factor_of_a_monomial_times_a_sum_is_found(rng):
    X = rng.uniform(1, 3, size=(5000, 4))
    y = X[:, 0] ** 2 / X[:, 1] * (X[:, 2] + X[:, 3] ** 2)
    a, b, c, d = sp.symbols("a b c d")
    assert separable_factor(as_dataset(X, y, variables=["a", "b", "c", "d"])) == a**2 / b


def test_inputs_inside_a_sum_or_a_function_are_not_factors(rng):
    X = rng.uniform(1, 3, size=(5000, 3))
    y = np.sqrt(X[:, 0] ** 2 + X[:, 1] ** 2) * np.exp(-X[:, 2])
    assert separable_factor(as_dataset(X, y)) is None


def test_no_factor_where_y_changes_sign(rng):
    # Where y changes sign the log-space test does not apply; none is guessed.
    X = rng.uniform(1, 5, size=(5000, 4))
    y = X[:, 0] * (X[:, 1] + X[:, 2] * np.sin(X[:, 3]))
    assert separable_factor(as_dataset(X, y, variables=["q", "E", "B", "theta"])) is None


@pytest.mark.slow
def test_a_monomial_over_a_sum_of_squared_differences_is_recovered_exactly(rng):
    # Beyond the default library's products: each squared difference carries three more factors.
    names = ["G", "m1", "m2", "x1", "x2", "y1", "y2"]
    X = rng.uniform(1, 2, size=(5000, 7))
    X[:, [4, 6]] += 2  # x2, y2 in [3, 4]
    y = X[:, 0] * X[:, 1] * X[:, 2] / ((X[:, 4] - X[:, 3]) ** 2 + (X[:, 6] - X[:, 5]) ** 2)
    law = discover(X, y, variables=names, random_state=0, time_limit=60)
    G, m1, m2, x1, x2, y1, y2 = sp.symbols(names)
    truth = G * m1 * m2 / ((x2 - x1) ** 2 + (y2 - y1) ** 2)
    assert sp.simplify(law.expression - truth) == 0, law.expression


@pytest.mark.slow
def test_a_factor_times_a_fourth_root_of_a_sum_is_recovered_exactly(rng):
    # A temperature from a T⁴ balance: y = m·(1 − f)^(1/4) with m = P^(1/4)/√d, and y⁴ = m⁴·(1 − f)
    # is two terms of the others' library times m⁴.
    names = ["P", "f", "d"]
    X = np.column_stack([rng.uniform(1, 10, 5000), rng.uniform(0.05, 0.9, 5000), rng.uniform(1, 10, 5000)])
    y = (X[:, 0] * (1 - X[:, 1]) / (16 * np.pi * X[:, 2] ** 2)) ** 0.25
    law = discover(X, y, variables=names, random_state=0, time_limit=60)
    P, f, d = sp.symbols(names, positive=True)
    truth = (P * (1 - f) / (16 * sp.pi * d**2)) ** sp.Rational(1, 4)
    found = law.expression.subs({sp.Symbol(n): s for n, s in zip(names, (P, f, d))})
    assert sp.simplify(found**4 - truth**4) == 0, law.expression


@pytest.mark.slow
def test_a_monomial_over_the_root_of_a_sum_is_recovered_exactly(rng):
    # 1/y² = (M + m)/(4π²·a³·b²): terms with a⁻³·b⁻², beyond the default library's products, but two
    # terms of the others' library times the factor's inverse square.
    names = ["a", "b", "M", "m"]
    X = rng.uniform(1, 10, size=(5000, 4))
    y = 2 * np.pi * X[:, 0] ** 1.5 * X[:, 1] / np.sqrt(X[:, 2] + X[:, 3])
    law = discover(X, y, variables=names, random_state=0, time_limit=60)
    a, b, M, m = sp.symbols(names, positive=True)
    found = law.expression.subs({sp.Symbol(n): s for n, s in zip(names, (a, b, M, m))})
    assert sp.simplify(found**2 - 4 * sp.pi**2 * a**3 * b**2 / (M + m)) == 0, law.expression
