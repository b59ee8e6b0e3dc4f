"""Families of terms and how libraries combine."""

import numpy as np
import pytest
import sympy as sp

from bases import Library, Term, constant, differences, harmonics, power_harmonics, powers, unary

v, theta, x = sp.symbols("v theta x")


def test_powers_allow_negative_and_fractional_degrees():
    lib = powers("x", [-2, -1, 1, 2, "1/2"])
    assert [t.expr for t in lib] == [x**-2, 1 / x, x, x**2, sp.sqrt(x)]


def test_powers_degree_zero_is_the_constant():
    assert powers("x", [0, 1]).names == ["1", "x"]


def test_harmonics_give_sin_and_cos_of_each_order():
    lib = harmonics("x", [1, 3])
    assert [t.expr for t in lib] == [sp.sin(x), sp.cos(x), sp.sin(3 * x), sp.cos(3 * x)]


def test_harmonics_reject_non_positive_orders():
    with pytest.raises(ValueError, match="positive integers"):
        harmonics("x", [0])


def test_unary_functions_come_from_the_operator_table():
    assert [t.expr for t in unary("x", ["exp", "log", "sqrt", "tanh"])] == [
        sp.exp(x),
        sp.log(x),
        sp.sqrt(x),
        sp.tanh(x),
    ]
    with pytest.raises(ValueError, match="unknown function 'sinc'"):
        unary("x", ["sinc"])


def test_power_harmonics_defaults_are_the_articles_six_terms():
    lib = power_harmonics("v", "theta")
    expected = {v, v**2, v * sp.sin(theta), v * sp.sin(2 * theta), v**2 * sp.sin(theta), v**2 * sp.sin(2 * theta)}
    assert {t.expr for t in lib} == expected
    assert len(lib) == 6


def test_power_harmonics_ranges_and_cosine():
    lib = power_harmonics("v", "theta", powers=range(0, 3), orders=range(0, 3), function="cos")
    assert len(lib) == 9
    assert v**2 * sp.cos(2 * theta) in {t.expr for t in lib}
    assert sp.Integer(1) in {t.expr for t in lib}


def test_union_removes_duplicates_and_keeps_order():
    lib = powers("x", [1, 2]) + powers("x", [2, 3]) + constant()
    assert lib.names == ["x", "x**2", "x**3", "1"]


def test_product_simplifies_and_removes_duplicates():
    lib = powers("x", [1, 2]) * powers("x", [1, -1])
    # x*x, x/x, x**2*x, x**2/x -> x**2, 1, x**3, x (no repeats)
    assert lib.names == ["x**2", "1", "x**3", "x"]


def test_product_of_two_variables_is_every_pair():
    lib = powers("v", [1, 2]) * harmonics("theta", [1, 2], functions=["sin"])
    assert len(lib) == 4
    assert v**2 * sp.sin(2 * theta) in {t.expr for t in lib}


def test_terms_drop_numeric_factors():
    assert Term("3*x**2") == Term("x**2")
    assert Term("-sin(x)") == Term("sin(x)")
    assert Library(["2*x", "x", "-x"]).names == ["x"]


def test_library_indexing_and_membership():
    lib = powers("x", [1, 2, 3])
    assert lib[0] == Term("x")
    assert lib[1:].names == ["x**2", "x**3"]
    assert lib[[2, 0]].names == ["x**3", "x"]
    assert "x**2" in lib and "x**5" not in lib


def test_variable_names_must_be_identifiers():
    with pytest.raises(ValueError, match="identifiers"):
        powers("2x", [1])


def test_complexity_counts_nodes():
    assert Term("x").complexity == 1
    assert Term("v**2*sin(2*theta)").complexity > Term("v**2").complexity


def test_term_evaluates_like_numpy():
    t = Term("v**2*sin(2*theta)")
    cols = {"v": np.array([1.0, 2.0]), "theta": np.array([np.pi / 4, np.pi / 12])}
    np.testing.assert_allclose(t(cols), cols["v"] ** 2 * np.sin(2 * cols["theta"]))


def test_differences_family():
    z = sp.Symbol("z")
    lib = differences("x", "z", powers=[1, 2, -1], functions=["cos"])
    assert [t.expr for t in lib] == [x - z, (x - z) ** 2, 1 / (x - z), sp.cos(x - z)]
