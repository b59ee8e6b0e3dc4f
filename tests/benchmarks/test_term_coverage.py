"""The noisy-data verdict: the true terms, and each true coefficient inside its 95 % interval."""

import sympy as sp

from benchmarks.term_coverage import TermVerdict, term_verdict
from discovery import Coefficient

theta, omega, g = sp.symbols("theta omega g")
TRUTH = -g * sp.sin(theta) - omega / 5  # a damped pendulum's domega/dt, g named


def _found(omega_value, omega_error, extra=0):
    expression = -9.81 * sp.sin(theta) + sp.Float(omega_value) * omega + extra
    coefficients = [
        Coefficient(sp.sin(theta), -9.81, 0.01, exact=-g),
        Coefficient(omega, omega_value, omega_error, dof=200),
    ]
    return expression, coefficients


def test_right_terms_with_the_truth_inside_the_intervals():
    found, coefficients = _found(-0.21, 0.02)  # -0.2 is within 0.21 ± 1.97·0.02
    verdict = term_verdict(found, TRUTH, {"g": 9.81}, coefficients)
    assert verdict.right_terms and verdict.covered


def test_an_interval_that_misses_the_truth_is_not_covered():
    found, coefficients = _found(-0.25, 0.01)
    verdict = term_verdict(found, TRUTH, {"g": 9.81}, coefficients)
    assert verdict.right_terms and verdict.covered is False


def test_an_extra_term_is_not_the_right_terms():
    found, coefficients = _found(-0.2, 0.01, extra=sp.Float(0.003) * theta**2)
    verdict = term_verdict(found, TRUTH, {"g": 9.81}, coefficients + [Coefficient(theta**2, 0.003, 0.01)])
    assert not verdict.right_terms and verdict.covered is False


def test_an_exact_value_must_be_the_truth():
    found = -9.81 * sp.sin(theta) - omega / 3
    third = Coefficient(omega, -1 / 3, 0.5, exact=-1 / sp.S(3))
    coefficients = [Coefficient(sp.sin(theta), -9.81, 0.01, exact=-g), third]
    assert term_verdict(found, TRUTH, {"g": 9.81}, coefficients).covered is False


def test_without_intervals_only_the_terms_are_judged():
    verdict = term_verdict(-9.8101 * sp.sin(theta) - 0.1999 * omega, TRUTH, {"g": 9.81})
    assert verdict.right_terms and verdict.covered is None


def test_equal_laws_written_differently_have_the_same_terms():
    x, y = sp.symbols("x y")
    pairs = [
        (-x * y / (0.5 * x**2 + 1) - x + 20, -2 * x * y / (x**2 + 2) - x + 20),  # a cancelled rational term
        (sp.cos(x) * sp.cot(y), sp.cos(x) / sp.tan(y)),
        ((0.1 * sp.sin(y) ** 2 + sp.cos(y) ** 2) * sp.sin(x), 0.45 * sp.sin(x) * sp.cos(2 * y) + 0.55 * sp.sin(x)),
    ]
    for truth, found in pairs:
        assert term_verdict(found, truth).right_terms, (truth, found)
    assert not term_verdict(x * y / (x**2 + 3), x * y / (x**2 + 2)).right_terms


def test_a_law_the_judge_found_exact_has_the_right_terms_however_written():
    k, r, t = sp.symbols("K r t")
    found, truth = k - k / (sp.exp(r * t) + 1), k / (1 + sp.exp(-r * t))
    assert not term_verdict(found, truth).right_terms  # an identity the writing-one-way does not reach
    verdict = term_verdict(found, truth, coefficients=[], exact=True)
    assert verdict.right_terms and verdict.covered


def test_the_truth_is_asked_in_the_laws_own_terms():
    x, y = sp.symbols("x y")
    truth = (0.1 * sp.sin(y) ** 2 + sp.cos(y) ** 2) * sp.sin(x)  # 0.45·sin x·cos 2y + 0.55·sin x

    def verdict(error):
        terms = [sp.sin(x) * sp.cos(2 * y), sp.sin(x)]
        coefficients = [Coefficient(terms[0], 0.4525, error, dof=800), Coefficient(terms[1], 0.5519, error, dof=800)]
        return term_verdict(0.4525 * terms[0] + 0.5519 * terms[1], truth, coefficients=coefficients)

    assert verdict(0.004).right_terms and verdict(0.004).covered
    assert verdict(0.0001).covered is False


def test_a_number_the_law_holds_outside_its_coefficients_must_be_the_truths():
    x = sp.Symbol("x")
    coefficients = [Coefficient(x, -1.01, 0.02, dof=100)]
    assert term_verdict(10 - 1.01 * x, 10 - x, coefficients=coefficients).covered
    assert term_verdict(11 - 1.01 * x, 10 - x, coefficients=coefficients).covered is False


def _saturating(constant: float, constant_error: float):
    """10 − (1.983 ± 0.041)·x·y/(K + x²), K fitted inside the term, against the truth 10 − x·y/(1 + x²/2)."""
    x, y, c = sp.symbols("x y c")
    k, a = sp.Float(constant), sp.Float(-1.983)
    coefficients = [
        Coefficient(x * y / (k + x**2), float(a), 0.041, dof=90),
        Coefficient(sp.Integer(1), 10.0, 0.05, exact=sp.Integer(10)),
        Coefficient(x * y / (c + x**2), constant, constant_error, dof=90, inner=True),
    ]
    return a * x * y / (k + x**2) + 10, coefficients, 10 - x * y / (1 + x**2 / 2)


def test_a_constant_inside_a_term_is_right_where_its_interval_holds_the_value_that_makes_the_truths_terms():
    found, coefficients, truth = _saturating(-0.4, 2.8)  # K = 2 is the truth's: 2·x·y/(2 + x²)
    assert term_verdict(found, truth, {}, coefficients) == TermVerdict(True, True)
    found, coefficients, truth = _saturating(-0.4, 0.8)  # 2 outside −0.4 ± 1.99·0.8: other terms
    assert term_verdict(found, truth, {}, coefficients) == TermVerdict(False, False)
    x, y = sp.symbols("x y")
    found, coefficients, _ = _saturating(-0.4, 2.8)  # K = 0, inside the interval, makes it y/x: another term
    assert term_verdict(found, 10 - 2 * y / x, {}, coefficients) == TermVerdict(False, False)
    assert not term_verdict(found, 10 - x * y / (1 + y**2), {}, coefficients).right_terms  # no K makes it that
