"""The Feynman benchmark's own logic: parsing, noise, and the judging of laws."""

import numpy as np
import pytest
import sympy as sp

from benchmarks.feynman_problems import add_noise, judge, load_equations, parse_formula, round_floats, sample


def test_the_table_has_the_100_equations_with_ranges():
    equations = load_equations()
    assert len(equations) == 100
    first = equations[0]
    assert first.name == "I.6.2a" and first.variables == ("theta",) and first.ranges == ((1.0, 3.0),)


def test_function_names_in_variables_stay_symbols():
    expr = parse_formula("1/(gamma-1)*pr*V", ("gamma", "pr", "V"))
    assert expr.free_symbols == {sp.Symbol("gamma"), sp.Symbol("pr"), sp.Symbol("V")}
    assert parse_formula("arcsin(n*sin(theta2))", ("n", "theta2")) == sp.asin(
        sp.Symbol("n") * sp.sin(sp.Symbol("theta2"))
    )


def test_sampling_respects_ranges_and_formula():
    equation = next(e for e in load_equations() if e.name == "I.12.1")  # F = mu*Nn
    X, y = sample(equation, 500, np.random.default_rng(0))
    for j, (low, high) in enumerate(equation.ranges):
        assert X[:, j].min() >= low and X[:, j].max() <= high
    np.testing.assert_allclose(y, X[:, 0] * X[:, 1])


def test_noise_has_srbench_scale():
    rng = np.random.default_rng(0)
    y = rng.uniform(1, 3, 200_000)
    noisy = add_noise(y, 0.1, rng)
    expected = 0.1 * np.sqrt(np.mean(y**2))
    assert np.std(noisy - y) == pytest.approx(expected, rel=0.01)
    assert np.array_equal(add_noise(y, 0.0, rng), y)


def test_round_floats_rounds_and_zeroes():
    x = sp.Symbol("x")
    assert round_floats(sp.Float(0.33333) * x + sp.Float(0.00001)) == sp.Float(0.333) * x


x, y, z = sp.symbols("x y z")


@pytest.mark.parametrize(
    "found, truth",
    [
        (x * y / (4 * sp.pi), x * y / (4 * sp.pi)),  # identical
        (sp.Float(0.0795775) * x * y, x * y / (4 * sp.pi)),  # float constant: a symbolic solution
        (x * y + 3, x * y),  # offset by a constant
        (2 * x * y, x * y),  # off by a factor
        (sp.sin(x) ** 2 + sp.cos(x) ** 2 + y, 1 + y),  # needs simplification
    ],
)
def test_equivalent_pairs_are_symbolic_solutions(found, truth):
    assert judge(found, truth, r2_test=0.99).symbolic_solution


@pytest.mark.parametrize(
    "found, truth",
    [
        (x * y, x * z),
        (x**2 * y, x * y),
        (sp.sin(x) * y, x * y),
        (x * y + sp.Float(0.1) * z, x * y),
    ],
)
def test_different_laws_are_not(found, truth):
    assert not judge(found, truth, r2_test=0.99).symbolic_solution


def test_exact_needs_the_same_constant():
    assert judge(x / (2 * sp.pi), x / (2 * sp.pi), 1.0).exact
    assert not judge(sp.Float(0.159155) * x, x / (2 * sp.pi), 1.0).exact
    assert not judge(2 * x, x, 1.0).exact


def test_low_test_r2_is_never_a_solution():
    assert not judge(2 * x, x, r2_test=0.3).symbolic_solution


def test_judging_knows_the_variables_are_positive():
    m, v, c = sp.symbols("m_0 v c")
    truth = m / sp.sqrt(1 - v**2 / c**2)
    found = sp.sqrt(c**2 * m**2 / (c**2 - v**2))
    ranges = {"m_0": (1, 5), "v": (1, 2), "c": (3, 10)}
    assert judge(found, truth, 1.0, ranges=ranges).exact


@pytest.mark.slow
def test_square_comparison_does_not_accept_a_different_law():
    m, v, c = sp.symbols("m_0 v c")
    truth = m / sp.sqrt(1 - v**2 / c**2)
    ranges = {"m_0": (1, 5), "v": (1, 2), "c": (3, 10)}
    assert not judge(sp.sqrt(c**2 * m**2 / (c**2 - v**2)) + v, truth, 0.99, ranges=ranges).symbolic_solution
    assert not judge(sp.sqrt(c**2 * m**2 / (c**2 - 2 * v**2)), truth, 0.99, ranges=ranges).symbolic_solution
    assert judge(sp.sqrt(c**2 * m**2 / (c**2 - v**2)), truth, 0.99, ranges=ranges).exact


def test_a_law_whose_rounded_coefficients_vanish_is_not_a_solution():
    # Coefficients of 1e-11 in a denominator round to 0: the difference is zoo, which SymPy calls constant.
    s, z, R = sp.symbols("sigma_q z R_d")
    truth = s / 2 * (1 - z / sp.sqrt(z**2 + R**2))
    found = s / (sp.Float(3.55e-11) - sp.Float(1.78e-11) * sp.exp(-z / R) + sp.Float(3.48e-11) * z**2 / R**2)
    ranges = {"sigma_q": (1e-9, 1e-6), "z": (0.01, 1.0), "R_d": (0.05, 0.5)}
    assert not judge(found, truth, 0.99, ranges=ranges).symbolic_solution


def test_distractors_are_drawn_in_the_ranges_of_real_variables():
    from benchmarks.feynman import distractor_names, with_distractors

    equation = next(e for e in load_equations() if e.name == "I.12.1")
    X, _ = sample(equation, 300, np.random.default_rng(0))
    distracted = with_distractors(X, equation, 2, np.random.default_rng(1))
    assert distracted.shape == (300, 4) and np.array_equal(distracted[:, :2], X)
    lows, highs = np.min([r[0] for r in equation.ranges]), np.max([r[1] for r in equation.ranges])
    assert distracted[:, 2:].min() >= lows and distracted[:, 2:].max() <= highs
    assert not np.allclose(distracted[:, 2], distracted[:, 3])
    assert distractor_names(2) == ["dummy1", "dummy2"]
    assert distractor_names(2, ("dummy2", "x")) == ["dummy1", "dummy2_"]
    assert with_distractors(X, equation, 0, np.random.default_rng(1)) is X


def test_a_distracted_run_fits_the_same_rows_and_names_what_it_kept(monkeypatch):
    """The real columns and y are the undistracted run's; a law using a distractor is reported as keeping it."""
    import discovery
    from benchmarks import feynman

    seen = {}

    class Kept:
        expression = sp.Symbol("Nn") * sp.Symbol("mu") + 0 * sp.Symbol("dummy1") + sp.Symbol("dummy2") * 1e-9
        coefficients = []  # a Law's, which the noisy-data verdict reads

        def predict(self, X):
            return X[:, 0] * X[:, 1]

    def fake_discover(X, y, variables, random_state, time_limit):
        seen.setdefault("calls", []).append((X.copy(), y.copy(), list(variables)))
        return Kept()

    monkeypatch.setattr(discovery, "discover", fake_discover)
    equation = next(e for e in load_equations() if e.name == "I.12.1")
    plain = feynman.run_one(equation, 0.01, 0, 200, 50, 1.0)
    record = feynman.run_one(equation, 0.01, 0, 200, 50, 1.0, distractors=2)
    (X0, y0, names0), (X2, y2, names2) = seen["calls"]
    assert np.array_equal(X0, X2[:, :2]) and np.array_equal(y0, y2)
    assert names2 == names0 + ["dummy1", "dummy2"] and record["distractors"] == 2
    assert record["kept_distractors"] == ["dummy2"] and "distractors" not in plain
