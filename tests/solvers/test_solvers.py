"""Each solver recovers a sparse ground truth from a library of distractors."""

import numpy as np
import pytest
import sympy as sp

from bases import constant, harmonics, powers
from discovery import SparseBasisRegressor, discover
from discovery.errors import DataError
from discovery.solvers import SOLVERS, AdamL1, SubsetSearch, make_solver

x, z = sp.symbols("x z")
TRUE = 2 * x**2 - 3 * sp.sin(z) + sp.Rational(1, 2)


@pytest.fixture
def sparse_problem(rng):
    X = np.column_stack([rng.uniform(-2, 2, 400), rng.uniform(-3, 3, 400)])
    y = 2 * X[:, 0] ** 2 - 3 * np.sin(X[:, 1]) + 0.5 + 1e-3 * rng.standard_normal(400)
    library = (
        constant()
        + powers("x", [1, 2, 3])
        + harmonics("z", [1, 2])
        + powers("z", [1, 2])
        + powers("x", [1]) * harmonics("z", [1])
    )
    return X, y, library


@pytest.mark.parametrize("solver", sorted(SOLVERS))
def test_solver_recovers_the_sparse_law(solver, sparse_problem):
    X, y, library = sparse_problem
    model = SparseBasisRegressor(library=library, solver=solver, random_state=0, variables=["x", "z"]).fit(X, y)
    assert sp.simplify(model.law_.expression - TRUE) == 0, str(model.law_)
    nonzero = {t.name for t, c in zip(model.library_, model.coef_) if c != 0}
    assert nonzero == {"1", "x**2", "sin(z)"}


def test_subset_search_finds_the_best_pair_among_many(rng):
    # y depends on two of 40 random-feature terms; exhaustive pairs must find them.
    X = rng.uniform(0.5, 2, size=(300, 2))
    library = powers("x", range(-4, 5)) * powers("z", range(-2, 3))
    y = 1.5 * X[:, 0] ** 3 / X[:, 1] ** 2 - 0.25 * X[:, 0] ** -4 * X[:, 1]
    model = SparseBasisRegressor(library=library, solver=SubsetSearch(max_terms=3), variables=["x", "z"])
    model.fit(X, y)
    assert sp.simplify(model.law_.expression - (sp.Rational(3, 2) * x**3 / z**2 - z / (4 * x**4))) == 0


def test_unknown_solver_suggests_the_closest_name():
    with pytest.raises(DataError, match="Did you mean 'stlsq'"):
        make_solver("stlsqq")


def test_solver_instances_are_accepted(sparse_problem):
    X, y, library = sparse_problem
    model = SparseBasisRegressor(library=library, solver=SOLVERS["lasso"](n_alphas=30), variables=["x", "z"])
    assert sp.simplify(model.fit(X, y).law_.expression - TRUE) == 0


@pytest.mark.parametrize("solver", ["lasso", AdamL1(epochs=300)])
def test_penalised_solvers_respect_max_terms(solver):
    X = np.random.default_rng(0).uniform(0.5, 2, (50, 2))
    y = X[:, 0] + X[:, 0] ** 2 + np.sin(X[:, 1])
    law = discover(X, y, library="x0, x0**2, sin(x1), x1, x1**2", solver=solver, max_terms=1, method="basis")
    assert len(law.coefficients) == 1  # were 3 or more: supports beyond max_terms were proposed


def _problem(columns: np.ndarray, y: np.ndarray, max_terms: int):
    """The standardised problem of the solvers (unit-RMS columns and target) from raw columns."""
    import torch

    from discovery.solvers import Problem

    columns = columns / np.sqrt(np.mean(columns**2, axis=0))
    y = y / np.sqrt(np.mean(y**2))
    n = len(y)
    return Problem(
        torch.as_tensor(columns.T @ columns / n),
        torch.as_tensor(columns.T @ y / n),
        n,
        np.ones(columns.shape[1]),
        max_terms,
    )


def test_subset_search_finds_two_terms_that_only_work_together(rng):
    # y = 10·w + (b − a)/ε with a and b nearly parallel: each of a, b alone adds almost nothing
    # (a random column adds as much), so growing the best supports one term at a time misses them;
    # growing the best support by the best pair of what it leaves finds them.
    n, p, eps = 500, 200, 0.01
    columns = rng.standard_normal((n, p))
    a, b, w = 1, 2, 0
    columns[:, b] = columns[:, a] + eps * rng.standard_normal(n)
    y = 10 * columns[:, w] + (columns[:, b] - columns[:, a]) / eps
    problem = _problem(columns, y, 3)
    assert set(SubsetSearch().path(problem)[2]) == {w, a, b}
    assert set(SubsetSearch(pair_bases=0).path(problem)[2]) != {w, a, b}  # one term at a time
