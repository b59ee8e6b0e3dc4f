"""Evaluating libraries: design matrices, chunks, Gram sums, undefined terms."""

import numpy as np
import pytest
import torch

from bases import Library, TermDroppedWarning, constant, default_library, harmonics, parse_library, powers, unary


@pytest.fixture
def data(rng):
    return {"x": rng.uniform(0.5, 2.0, 500), "z": rng.uniform(-1.0, 1.0, 500)}


@pytest.fixture
def library():
    return (
        constant()
        + powers("x", [-1, 1, 2])
        + harmonics("z", [1, 2])
        + unary("x", ["exp", "log", "sqrt"])
        + powers("x", [1, 2]) * harmonics("z", [1])
    )


def test_numpy_and_torch_evaluators_agree(data, library):
    as_numpy = library.evaluate(data)
    as_torch = library.evaluate(data, backend="torch")
    assert isinstance(as_torch, torch.Tensor) and as_torch.dtype == torch.float64
    np.testing.assert_allclose(as_torch.numpy(), as_numpy, rtol=1e-14)


def test_design_matrix_columns_match_hand_computation(data):
    lib = Library(["x**2*sin(z)", "1/x", "1"])
    matrix = lib.evaluate(data)
    np.testing.assert_allclose(matrix[:, 0], data["x"] ** 2 * np.sin(data["z"]))
    np.testing.assert_allclose(matrix[:, 1], 1 / data["x"])
    np.testing.assert_allclose(matrix[:, 2], 1.0)


def test_chunked_evaluation_equals_whole(data, library):
    np.testing.assert_array_equal(library.evaluate(data, chunk_rows=37), library.evaluate(data, chunk_rows=None))


def test_two_dimensional_array_needs_names(data, library):
    X = np.column_stack([data["x"], data["z"]])
    np.testing.assert_array_equal(library.evaluate(X, ["x", "z"]), library.evaluate(data))
    with pytest.raises(ValueError, match="variables"):
        library.evaluate(X)


def test_missing_variable_is_named(library):
    with pytest.raises(ValueError, match="'z'"):
        library.evaluate({"x": np.ones(3)})


def test_gram_in_chunks_equals_the_design_products(data, library, rng):
    y = rng.normal(size=500)
    gram = library.gram(data, y, chunk_rows=64)
    theta = library.evaluate(data)
    np.testing.assert_allclose(gram.theta_theta.numpy(), theta.T @ theta, rtol=1e-12)
    np.testing.assert_allclose(gram.theta_y.numpy(), theta.T @ y, rtol=1e-12)
    assert gram.y_y == pytest.approx(y @ y)
    assert gram.n_rows == 500


def test_weighted_gram_is_the_gram_of_rows_scaled_by_root_weights(data, library, rng):
    y = rng.normal(size=500)
    w = rng.uniform(0, 3, size=500)
    gram = library.gram(data, y, chunk_rows=64, weights=w)
    theta = library.evaluate(data)
    np.testing.assert_allclose(gram.theta_theta.numpy(), theta.T @ (w[:, None] * theta), rtol=1e-12)
    np.testing.assert_allclose(gram.theta_y.numpy(), theta.T @ (w * y), rtol=1e-12)
    assert gram.y_y == pytest.approx(y @ (w * y))
    with pytest.raises(ValueError, match="500 finite non-negative"):
        library.gram(data, y, weights=-w)


def test_gram_groups_sum_to_the_total(data, library, rng):
    y = rng.normal(size=500)
    groups = np.arange(500) % 4
    gram = library.gram(data, y, groups=groups, chunk_rows=100)
    assert len(gram.folds) == 4
    total = sum(f.theta_theta for f in gram.folds)
    np.testing.assert_allclose(total.numpy(), gram.theta_theta.numpy(), rtol=1e-12)
    assert sum(f.n_rows for f in gram.folds) == 500


def test_undefined_terms_are_dropped_with_a_warning_naming_them():
    lib = powers("x", [1, -1]) + unary("x", ["log", "sqrt", "exp"])
    data = {"x": np.array([-1.0, 0.0, 2.0, 800.0])}
    with pytest.warns(TermDroppedWarning) as caught:
        kept = lib.defined_on(data)
    message = str(caught[0].message)
    for name in ("1/x", "log(x)", "sqrt(x)", "exp(x)"):
        assert name in message
    assert kept.names == ["x"]


def test_gram_drops_non_finite_terms_and_never_holds_nan():
    lib = powers("x", [1, 2]) + unary("x", ["log"])
    x = np.array([-1.0, 1.0, 2.0, 3.0])
    with pytest.warns(TermDroppedWarning, match=r"log\(x\) \(not finite on 1 of 4 rows\)"):
        gram = lib.gram({"x": x}, 2 * x)
    assert [t.name for t in gram.terms] == ["x", "x**2"]
    assert torch.isfinite(gram.theta_theta).all()


def test_overflowing_squares_are_dropped():
    lib = Library(["x", "exp(x)"])
    x = np.array([1.0, 400.0])  # exp(400) is finite but its square overflows
    with pytest.warns(TermDroppedWarning, match="exp"):
        gram = lib.gram({"x": x}, x)
    assert [t.name for t in gram.terms] == ["x"]


def test_parse_library_from_terms_and_from_families():
    assert parse_library("v, v**2*sin(2*theta)", ["v", "theta"]).names == ["v", "v**2*sin(2*theta)"]
    lib = parse_library("power_harmonics(v, theta) + constant()", ["v", "theta"])
    assert len(lib) == 7


def test_parse_library_names_unknown_names():
    with pytest.raises(ValueError, match="'w'.*Variables: v, theta"):
        parse_library("w**2", ["v", "theta"])
    with pytest.raises(ValueError, match="not valid"):
        parse_library("v +* 2", ["v"])


def test_default_library_levels_grow():
    sizes = [len(default_library(["v", "theta"], level)) for level in (1, 2, 3)]
    assert sizes[0] < sizes[1] < sizes[2]
    level1 = set(default_library(["v", "theta"], 1).terms)
    assert level1 <= set(default_library(["v", "theta"], 2).terms)
    assert "v**2*sin(2*theta)" in default_library(["v", "theta"], 1)


@pytest.mark.slow
def test_default_library_cap_skips_whole_groups_and_keeps_lower_levels():
    # Nine variables: level 3's triple products number ~10⁵; the cap keeps the groups that fit.
    names = [f"x{i}" for i in range(9)]
    level2 = default_library(names, 2, max_terms=2498)
    level3 = default_library(names, 3, max_terms=2498)
    assert len(level3) <= 2498
    assert set(level2.terms) <= set(level3.terms)
    assert "x0*x1*sin(x2)" not in level3  # the triple-product group would overflow: left out whole
    assert "x0**5" in level3  # the single-variable group fits: added
    assert default_library(names, 3, max_terms=2498) is level3  # built once per search, not per target


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_the_library_program_computes_every_term_bit_for_bit_as_the_term_alone(backend, rng):
    # Shared parts are computed once (v², sin θ, 1/√v ...), by the same operations in the same order.
    library = default_library(["v", "theta", "w"], level=2) + parse_library(
        "1, v**(-3/2)*exp(w), v**w", ["v", "theta", "w"]
    )
    X = rng.uniform(-2, 3, size=(500, 3))  # negative values: NaN and inf in places, which must match too
    columns = {name: X[:, j] for j, name in enumerate(["v", "theta", "w"])}
    if backend == "torch":
        columns = {k: torch.as_tensor(v) for k, v in columns.items()}
    alone = [term(columns, backend) for term in library.terms]
    together = library.evaluate(X, ["v", "theta", "w"], backend=backend)
    for j, column in enumerate(alone):
        expected = np.broadcast_to(np.asarray(column, dtype=np.float64), (500,))
        got = np.asarray(together[:, j], dtype=np.float64)
        assert np.array_equal(got, expected, equal_nan=True), library.terms[j].name


def test_the_scalar_backend_computes_what_the_numpy_backend_computes(rng):
    # The ODE integrators call it once per step: one float per name, the same operations as on arrays.
    import math

    import sympy as sp

    from bases.compile import compile_expression

    library = default_library(["v", "theta"], level=2) + parse_library(
        "1, v**(-3/2)*exp(theta), cot(v)", ["v", "theta"]
    )
    X = rng.uniform(0.5, 3, size=(50, 2))
    columns = {"v": X[:, 0], "theta": X[:, 1]}
    for term in library.terms:
        scalar = compile_expression(term.expr, "math")
        expected = np.broadcast_to(term(columns, "numpy"), (50,))
        got = np.array([scalar({"v": float(v), "theta": float(t)}) for v, t in X])
        np.testing.assert_allclose(got, expected, rtol=1e-15, err_msg=term.name)
    assert compile_expression(sp.Integer(3), "math")({}) == 3.0
    with pytest.raises(ValueError):
        compile_expression(sp.log(sp.Symbol("v")), "math")({"v": -1.0})
    assert math.isclose(compile_expression(sp.sec(sp.Symbol("v")), "math")({"v": 0.5}), 1 / math.cos(0.5))


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_reciprocal_trigonometric_functions_are_one_over_their_pair(backend):
    import sympy as sp

    from bases.compile import compile_expression

    x = sp.Symbol("x")
    values = np.linspace(0.2, 1.4, 7)
    column = torch.as_tensor(values) if backend == "torch" else values
    for function, pair in ((sp.cot, np.tan), (sp.sec, np.cos), (sp.csc, np.sin)):
        got = np.asarray(compile_expression(function(x), backend)({"x": column}), dtype=np.float64)
        np.testing.assert_allclose(got, 1 / pair(values), rtol=1e-15)


@pytest.mark.parametrize("backend", ["numpy", "math"])
def test_printed_order_evaluation_is_bit_for_bit_sympys_own(backend, rng):
    # Laws are fitted and simulated this way: what snaps, and the last digits shown, stay what SymPy computed.
    import sympy as sp

    from bases.compile import compile_expression

    x, y, z, p = sp.symbols("x y z _p0")
    expressions = [
        p * x * y / z,
        sp.Float(1 / 3) * x - sp.Float(0.1234567890123456789) * x**2 / (x + sp.Float(2 / 7)),
        x**-1 + x**-3 - y / (x * z) ** 2,
        sp.exp(-(x**2) / 2) / sp.sqrt(2 * sp.pi) - x / 3,
        sp.cot(x) * sp.sec(y) + sp.Rational(2, 3) * y ** sp.Rational(3, 2) * z ** sp.Rational(-5, 2),
        x ** sp.Float(0.37) * sp.Abs(x - y) * sp.E + x**y,
        sp.diff(p * x / (p + y) ** 2, p),
    ]
    X = rng.uniform(0.3, 3.0, size=(40, 3))
    for expression in expressions:
        symbols = sorted(expression.free_symbols, key=str)
        ours = compile_expression(expression, backend, as_printed=True)
        theirs = sp.lambdify(symbols, expression, backend)
        rows = [X] if backend == "numpy" else [X[i] for i in range(len(X))]
        for row in rows:
            values = {"x": row.T[0], "y": row.T[1], "z": row.T[2], "_p0": 0.731}
            expected = np.asarray(theirs(*(values[str(s)] for s in symbols)), dtype=np.float64)
            assert np.array_equal(np.asarray(ours(values), dtype=np.float64), expected), expression
