"""Monomial factors of y: the inputs y is simply proportional to a power of."""

import numpy as np
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
