"""Periodic terms the rows cannot resolve are left out of the library before it is searched."""

import numpy as np
import pytest
import sympy as sp

from bases import Library, default_library
from discovery import AliasedTermWarning, discover
from discovery.search.aliasing import resolved_terms


def _names(library: Library) -> set[str]:
    return {sp.sstr(t.expr) for t in library.terms}


def _kept(library: Library, X: np.ndarray, variables: list[str], n_rows: int) -> set[str]:
    return _names(library[resolved_terms(library.terms, X, variables, n_rows)])


def test_a_sine_winding_faster_than_the_rows_is_left_out():
    year = np.linspace(1790, 1970, 19)[:, None]  # cos(2·year) turns through 57 periods between 19 rows
    library = default_library(["year"], 2)
    kept = _kept(library, year, ["year"], 19)
    assert "cos(2*year)" in _names(library) and "sin(year)" in _names(library)
    assert not {"cos(2*year)", "sin(year)", "sin(2*year)", "cos(year)"} & kept
    assert {"year", "year**2", "1"} <= kept  # terms with no periodic part are untouched


def test_an_angle_over_its_period_keeps_its_harmonics():
    theta = np.linspace(0, 2 * np.pi, 10)[:, None]
    library = default_library(["theta"], 2)
    assert resolved_terms(library.terms, theta, ["theta"], 10) == list(range(len(library)))


def test_the_rows_count_decides_not_the_sample():
    """The range is read from a sample; the rows the law is fitted on set the Nyquist limit."""
    x = np.linspace(0, 200, 50)[:, None]  # sin(x): 32 periods
    library = Library(["sin(x)", "x"])
    assert "sin(x)" not in _kept(library, x, ["x"], 50)
    assert "sin(x)" in _kept(library, x, ["x"], 10_000)


def test_a_user_library_is_told_what_was_left_out():
    x = np.linspace(0, 200, 50)[:, None]
    library = Library(["sin(x)", "x"])
    with pytest.warns(AliasedTermWarning, match=r"sin\(x\)"):
        resolved_terms(library.terms, x, ["x"], 50, warn=True)


def test_a_small_table_spanning_decades_gets_no_aliased_harmonic():
    rng = np.random.default_rng(3)
    year = np.linspace(1790, 1970, 19)
    y = 250 / (1 + np.exp(-(year - 1915) / 25)) * (1 + 0.01 * rng.normal(size=19))
    law = discover(year[:, None], y, variables=["year"], random_state=0, time_limit=10)
    assert not law.expression.atoms(sp.sin, sp.cos), law
