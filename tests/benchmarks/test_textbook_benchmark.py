"""The textbook benchmark: its list of laws, their sampling, the judging with named constants, one real run."""

import numpy as np
import pytest
import sympy as sp

from benchmarks.feynman_problems import judge
from benchmarks.textbook import report, run_one
from benchmarks.textbook_problems import (
    CONSTANTS,
    FIELDS,
    feynman_coincidences,
    feynman_lookalikes,
    judge_law,
    load_problems,
    sample,
)

PROBLEMS = load_problems()
BY_NAME = {p.name: p for p in PROBLEMS}


def test_at_least_40_laws_with_unique_names_from_every_field():
    assert len(PROBLEMS) >= 40
    assert len(BY_NAME) == len(PROBLEMS)
    assert {p.field for p in PROBLEMS} == set(FIELDS)
    for field in FIELDS:
        assert sum(p.field == field for p in PROBLEMS) >= 5, field


def test_the_laws_the_issue_asks_for_are_there():
    for name in [
        "radioactive_decay",
        "arrhenius",
        "logistic",
        "wien_approximation",
        "maxwell_boltzmann_speed",
        "sound_level",
        "henderson_hasselbalch",
        "ideal_gas",
        "coulomb_energy",
        "pendulum_period",
        "stefan_boltzmann",
    ]:
        assert name in BY_NAME
    assert set(BY_NAME["arrhenius"].constants) == {"R"}
    assert BY_NAME["ideal_gas"].constants == {"R": CONSTANTS["R"]}
    assert set(BY_NAME["coulomb_energy"].constants) == {"k_e"}
    assert set(BY_NAME["wien_approximation"].constants) == {"h", "c", "k_B"}


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.name)
def test_formula_uses_exactly_its_variables_and_constants(problem):
    assert problem.field in FIELDS and problem.description
    expr = problem.expression
    assert {s.name for s in expr.free_symbols} == set(problem.variables) | set(problem.constants)
    assert not set(problem.variables) & set(problem.constants)
    for low, high in problem.ranges:
        assert 0 < low < high
    for name, value in problem.constants.items():
        assert CONSTANTS[name] == value


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.name)
def test_sampling_gives_finite_varying_outputs(problem):
    X, y = sample(problem, 1000, np.random.default_rng(0))
    assert X.shape == (1000, len(problem.variables)) and y.shape == (1000,)
    for j, (low, high) in enumerate(problem.ranges):
        assert X[:, j].min() >= low and X[:, j].max() <= high
    assert np.all(np.isfinite(y))
    assert np.std(y) > 1e-9 * np.max(np.abs(y))


def test_no_law_is_a_feynman_formula():
    assert feynman_coincidences() == []


def test_only_generic_monomials_match_a_feynman_formula_up_to_names():
    # x·y·z/w and b/T have the shape of several Feynman rows (q·v·B/p, q/C, ...), which says nothing
    # about the law; ideal_gas is also I.39.22's physics, in moles (see textbook_problems' docstring).
    assert {name for name, _ in feynman_lookalikes()} == {"ideal_gas", "coulomb_energy", "wien_displacement"}


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.name)
def test_the_true_law_is_exact(problem):
    verdict = judge_law(problem.expression, problem, 1.0)
    assert verdict.exact and verdict.symbolic_solution


def _with_value(problem, factor: float, names=None) -> sp.Expr:
    names = list(problem.constants) if names is None else names
    return problem.expression.xreplace({sp.Symbol(c): sp.Float(problem.constants[c] * factor) for c in names})


def _constant_is_a_factor(problem, name: str) -> bool:
    """The constant multiplies the law (to some power): doubling it scales the law by a number."""
    symbol = sp.Symbol(name)
    return not (problem.expression.subs(symbol, 2 * symbol) / problem.expression).free_symbols - {symbol}


@pytest.mark.parametrize(
    "name, constant",
    [
        ("ideal_gas", "R"),
        ("pendulum_period", "g"),
        ("coulomb_energy", "k_e"),
        ("loop_axis_field", "mu0"),
        ("kepler_third", "G"),
        ("schwarzschild_radius", "c"),
        ("equilibrium_temperature", "sigma"),
    ],
)
def test_a_constant_given_as_a_number_slightly_off_is_a_solution_not_exact(name, constant):
    problem = BY_NAME[name]
    assert _constant_is_a_factor(problem, constant)
    verdict = judge_law(_with_value(problem, 1.001, [constant]), problem, 0.99)
    assert verdict.symbolic_solution and not verdict.exact


@pytest.mark.parametrize("name", ["arrhenius", "wien_approximation"])
def test_constants_given_as_their_values_are_a_solution_not_exact(name):
    problem = BY_NAME[name]
    verdict = judge_law(_with_value(problem, 1.0), problem, 0.99)
    assert verdict.symbolic_solution and not verdict.exact


def test_a_constant_off_inside_an_exponential_is_another_law():
    # Ea/(R·T) is about 18 in the middle of the ranges: 0.1 % off in R changes the rate by 2 %, varying.
    problem = BY_NAME["arrhenius"]
    assert not judge_law(_with_value(problem, 1.001), problem, 0.99).symbolic_solution


@pytest.mark.parametrize(
    "name", ["ideal_gas", "arrhenius", "logistic", "kepler_third", "beam_deflection", "sound_level"]
)
def test_a_wrong_law_is_neither(name):
    problem = BY_NAME[name]
    wrong = problem.expression * sp.Symbol(problem.variables[0])
    verdict = judge_law(wrong, problem, 0.99)
    assert not verdict.symbolic_solution and not verdict.exact


def test_a_number_where_a_constant_is_tiny_is_not_rounded_to_zero():
    # SRBench zeroes floats under 1e-4; G·M/c² as 1.485e-27·M must still count as the law.
    problem = BY_NAME["schwarzschild_radius"]
    assert judge_law(sp.Float(1.485e-27) * sp.Symbol("M"), problem, 0.99).symbolic_solution
    assert not judge_law(sp.Float(1.485e-27) * sp.Symbol("M") ** 2, problem, 0.99).symbolic_solution


def test_without_constants_the_judge_is_the_feynman_one():
    x, y = sp.symbols("x y")
    assert judge(8.314 * x, x, 0.99).symbolic_solution
    assert not judge(8.314 * x * y, x, 0.99).symbolic_solution
    R = sp.Symbol("R")
    # Without constants, R is a variable: R·x is not x up to a constant.
    assert not judge(R * x, x, 0.99).symbolic_solution
    assert judge(R * x, x, 0.99, constants={"R": 8.314}).symbolic_solution


def test_report_has_the_overrun_and_the_fields():
    records = [
        {"equation": "ideal_gas", "field": "chemistry", "noise": 0.0, "seconds": 3.0, "time_limit": 30.0,
         "symbolic_solution": True, "exact": True, "error": None},
        {"equation": "arrhenius", "field": "chemistry", "noise": 0.0, "seconds": 40.0, "time_limit": 30.0,
         "symbolic_solution": False, "exact": False, "error": None},
    ]  # fmt: skip
    text = report(records, [0.0], 2)
    assert text.startswith("Textbook benchmark")
    assert "+10.0 s (arrhenius" in text and "1 of 2 runs took longer" in text
    assert "| chemistry | 2 | 1/2 (1) |" in text


def test_one_real_run_of_the_ideal_gas_law_is_exact():
    record = run_one(BY_NAME["ideal_gas"], noise=0.0, seed=0, n=1000, n_test=1000, time_limit=10)
    assert record["error"] is None, record["error"]
    assert record["exact"] and record["symbolic_solution"], record["law"]
    assert record["r2_test"] > 0.999 and record["time_limit"] == 10
    assert record["constants"] == {"R": CONSTANTS["R"]}
