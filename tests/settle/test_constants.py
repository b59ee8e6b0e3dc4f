"""Recognising exact constants, and refusing when the fit would get worse."""

import numpy as np
import pytest
import sympy as sp

import discovery.settle.snapping as snapping_module
from discovery import discover
from discovery.settle.exact_values import exact_values_near
from discovery.settle.sum_of_terms import settle_terms

g = sp.Symbol("g")


def test_inverse_g_is_the_simplest_value_near_0_10194():
    best = exact_values_near(0.101937, 3e-5, {"g": 9.81})[0]
    assert best.expr == 1 / g


@pytest.mark.parametrize(
    "value, expected",
    [
        (6.283185, 2 * sp.pi),
        (0.6, sp.Rational(3, 5)),
        (0.5, sp.Rational(1, 2)),
        (0.3989423, 1 / sp.sqrt(2 * sp.pi)),
        (4 * np.pi**2, 4 * sp.pi**2),
        (-1.5, sp.Rational(-3, 2)),
        (1 / (16 * np.pi), 1 / (16 * sp.pi)),  # a T⁴ balance's factor; denominators reach 16
    ],
)
def test_rationals_and_powers_of_pi(value, expected):
    best = exact_values_near(value, 1e-6 * abs(value))[0]
    assert sp.simplify(best.expr - expected) == 0


def test_no_candidate_outside_the_tolerance():
    assert exact_values_near(0.1003, 1e-6) == []


def _line(coef, n=2000, noise=1e-3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(1, 10, n)
    return x[:, None], coef * x + noise * rng.standard_normal(n)


def test_settle_snaps_a_coefficient_to_a_named_constant():
    cols, y = _line(1 / 9.81)
    result = settle_terms(cols, y, [sp.Symbol("x")], constants={"g": 9.81})
    assert result.expression == sp.Symbol("x") / g
    assert result.coefficients[0].exact == 1 / g
    assert result.coefficients[0].stderr > 0


def test_settle_keeps_a_coefficient_that_is_not_simple():
    cols, y = _line(0.1003)
    result = settle_terms(cols, y, [sp.Symbol("x")])
    assert result.coefficients[0].exact is None
    assert result.coefficients[0].value == pytest.approx(0.1003, rel=1e-4)


def test_snapping_is_refused_when_the_fit_gets_worse(monkeypatch):
    # Widen the search so that 1/10 is offered for 0.1003; the BIC check must refuse it.
    monkeypatch.setattr(snapping_module, "SNAP_SIGMAS", 1e6)
    cols, y = _line(0.1003)
    result = settle_terms(cols, y, [sp.Symbol("x")])
    assert result.coefficients[0].exact is None
    assert result.expression != sp.Symbol("x") / 10


def test_snapping_can_be_turned_off():
    cols, y = _line(0.5)
    result = settle_terms(cols, y, [sp.Symbol("x")], snap=False)
    assert result.coefficients[0].exact is None
    assert isinstance(result.expression.as_coeff_Mul()[0], sp.Float)


def test_pruning_drops_a_negligible_term_and_refits():
    rng = np.random.default_rng(1)
    x = rng.uniform(1, 2, 1000)
    cols = np.column_stack([x, x**2])
    y = 3 * x + 0.01 * rng.standard_normal(1000)
    result = settle_terms(cols, y, [sp.Symbol("x"), sp.Symbol("x") ** 2], prune_tol=0.05)
    assert result.terms == (sp.Symbol("x"),)
    assert result.expression == 3 * sp.Symbol("x")


def test_a_number_with_no_exact_form_stays_free_under_noise():
    # 1.3172 is 13/pi**2 to 4 digits and 7/(3*sqrt(pi)) to 3: with 1 % noise both are look-elsewhere hits.
    rng = np.random.default_rng(0)
    x = rng.uniform(1, 2, size=(300, 2))
    y = 1.3172 * x[:, 0] - 0.7418 * np.sin(x[:, 1]) + rng.normal(0, 0.01, 300)
    s = settle_terms(np.column_stack([x[:, 0], np.sin(x[:, 1])]), y, [sp.Symbol("x0"), sp.sin(sp.Symbol("x1"))])
    assert all(c.exact is None for c in s.coefficients), s.expression


def test_simple_and_exact_values_still_snap():
    rng = np.random.default_rng(1)
    x = rng.uniform(1, 2, size=(1000, 2))
    noisy = x[:, 0] / 9.81 + 0.5 * x[:, 1] + rng.normal(0, 0.01, 1000)  # 1/g and 1/2 under noise
    s = settle_terms(np.column_stack([x[:, 0], x[:, 1]]), noisy, [sp.Symbol("x0"), sp.Symbol("x1")], {"g": 9.81})
    assert [c.exact for c in s.coefficients] == [1 / g, sp.Rational(1, 2)]
    exact = x[:, 0] / (2 * np.pi**3)  # noise-free: an elaborate constant is still recognised
    s = settle_terms(x[:, :1], exact, [sp.Symbol("x0")])
    assert s.coefficients[0].exact == 1 / (2 * sp.pi**3)


def test_false_matches_grow_with_cost_and_window():
    from discovery.settle.exact_values import expected_false_matches

    assert expected_false_matches(1.3172, 2.0, 0.006) < expected_false_matches(1.3172, 8.0, 0.006)
    assert expected_false_matches(1.3172, 8.0, 0.0006) < expected_false_matches(1.3172, 8.0, 0.006)
    assert expected_false_matches(1.3172, 8.0, 1e-15) < 1e-9


@pytest.mark.parametrize("noise, rows", [(0.0, 2000), (0.01, 2000), (0.1, 10_000)])
def test_a_square_root_of_a_user_constant_is_recognised(noise, rows):
    # A pendulum's period 2π·√(L/g): found through a transform of T, read (and snapped) as a law for T.
    # At 10 % noise (10,000 rows, so that 2 is outside the interval) 2π/√g meets more than 0.1 cheap
    # values of any kind within two standard errors, but fewer than 0.25 of those that use g: the user
    # named g, so those are its competitors.
    rng = np.random.default_rng(3)
    L = rng.uniform(0.1, 5, rows)
    T = 2 * np.pi * np.sqrt(L / 9.81)
    T = T + rng.normal(0, noise * np.sqrt(np.mean(T**2)), rows)
    law = discover(L[:, None], T, variables=["L"], target="T", constants={"g": 9.81}, random_state=0)
    L_, g = sp.symbols("L g", positive=True)
    found = law.expression.xreplace({sp.Symbol("L"): L_, sp.Symbol("g"): g})
    assert sp.simplify(found - 2 * sp.pi * sp.sqrt(L_ / g)) == 0, law


@pytest.mark.parametrize(
    "value, expected",
    [(0.4342944819, 1 / sp.log(10)), (-2.302585093, -sp.log(10)), (4.342944819, 10 / sp.log(10))],
)
def test_base_ten_logarithm_factors_are_recognised(value, expected):
    # pH = pKa + log10(base/acid) is fitted as 0.4343*log(base); 10**(-x) as exp(-2.3026*x).
    assert exact_values_near(value, 1e-8)[0].expr == expected


def test_a_coefficient_snaps_once_a_correlated_one_is_held():
    # M + 5·log10(d) − 5 at 1 % noise: with the intercept free, log d's coefficient is 2.167 ± 0.002,
    # too wide for 5/ln 10 to pass the look-elsewhere test; once the −5 is held it is ±0.0003.
    rng = np.random.default_rng(0)
    M, d = rng.uniform(0.5, 15, 10_000), rng.uniform(10, 1e4, 10_000)
    y_true = M + 5 * np.log10(d) - 5
    y = y_true + 0.01 * np.sqrt(np.mean(y_true**2)) * rng.normal(size=10_000)
    terms = [sp.Integer(1), sp.Symbol("M"), sp.log(sp.Symbol("d"))]
    settled = settle_terms(np.column_stack([np.ones_like(M), M, np.log(d)]), y, terms)
    assert [c.exact for c in settled.coefficients] == [-5, 1, 5 / sp.log(10)]


def test_a_large_prefactor_beside_a_small_rate_gets_an_honest_error():
    # A·T·exp(−b·x) with A = 2e10 and b = 0.12: an unscaled pseudo-inverse of JᵀJ dropped A's direction
    # and reported A ± 2e-19, so no named constant could ever be tried for it.
    from discovery.settle.fitting import fit_parameters

    rng = np.random.default_rng(0)
    x = rng.uniform(170, 280, 5000)
    model = lambda c: c[0] * np.exp(-c[1] * x)  # noqa: E731
    y = model([2.08e10, 0.1203]) * (1 + 0.01 * rng.normal(size=5000))
    jacobian = lambda c: np.column_stack([np.exp(-c[1] * x), -c[0] * x * np.exp(-c[1] * x)])  # noqa: E731
    fit = fit_parameters(lambda c: model(c) - y, jacobian, np.array([2.0e10, 0.12]))
    assert 1e-4 < fit.stderr[0] / fit.coef[0] < 0.1
    assert abs(fit.coef[0] - 2.08e10) < 4 * fit.stderr[0]


def test_a_cube_root_of_two_is_recognised():
    # A Roche limit R·(2ρp/ρs)^(1/3) is found as 1.25992·R·ρp^(1/3)/ρs^(1/3).
    cols, y = _line(2 ** (1 / 3), noise=1e-4)
    result = settle_terms(cols, y, [sp.Symbol("x")])
    assert result.coefficients[0].exact == sp.cbrt(2)


def test_a_named_constant_to_the_power_three_halves_is_recognised():
    # (M/(2π·R·T))^(3/2) in a Maxwell–Boltzmann distribution puts √(2/π)/R^(3/2) before the powers.
    R = sp.Symbol("R")
    value = np.sqrt(2 / np.pi) / 8.314462618**1.5
    best = exact_values_near(value, 1e-9 * value, {"R": 8.314462618})[0]
    assert best.expr == sp.sqrt(2 / sp.pi) / R ** sp.Rational(3, 2)
    both = {"R": 8.314462618, "F": 96485.33212}  # ±3/2 for one constant at most
    assert all(
        sum(abs(e) == sp.Rational(3, 2) for e in (c.expr.as_powers_dict()[sp.Symbol(n)] for n in both)) <= 1
        for c in exact_values_near(value, 1e-2 * value, both)
    )


def test_the_constant_of_a_law_for_log_y_is_recognised_as_the_logarithm_of_a_factor():
    # log y = log(2·g²) − x: the constant 5.2600 is no simple number, the factor 2·g² = 192.47 is.
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 3, 2000)
    log_y = np.log(2 * 9.81**2) - x + 1e-3 * rng.standard_normal(2000)
    columns, terms = np.column_stack([np.ones_like(x), x]), [sp.Integer(1), sp.Symbol("x")]
    found = settle_terms(columns, log_y, terms, constants={"g": 9.81}, log_target=True)
    assert sp.simplify(sp.exp(found.expression) - 2 * g**2 * sp.exp(-sp.Symbol("x"))) == 0
    plain = settle_terms(columns, log_y, terms, constants={"g": 9.81})
    assert plain.coefficients[0].exact is None  # without log_target the constant stays a number


def test_a_named_constant_is_recognised_as_the_reference_of_a_logarithm():
    # Decibels, 10·log10(I/I0) with I0 = 1e-12: at 1 % noise the fit of log I and a constant gives
    # 4.332 ± 0.010 and 119.94 ± 0.06, neither exact; the constant is the named I0 in disguise.
    rng = np.random.default_rng(0)
    intensity = rng.uniform(1e-8, 1e-2, 5000)
    y_true = 10 * np.log10(intensity / 1e-12)
    y = y_true + 0.01 * np.sqrt(np.mean(y_true**2)) * rng.normal(size=5000)
    law = discover({"I": intensity}, y, constants={"I0": 1e-12}, random_state=0, time_limit=30)
    i_, i0 = sp.symbols("I I0")
    assert sp.simplify(law.expression - 10 * sp.log(i_ / i0) / sp.log(10)) == 0
    # Without the constant there is nothing to fold: the law keeps its number.
    assert sp.Symbol("I0") not in discover({"I": intensity}, y, random_state=0, time_limit=30).expression.free_symbols


def test_a_logarithm_keeps_its_constant_when_no_named_reference_fits():
    # log10(I) + 3 is not relative to I0 = 1e-12 (that would need 12): the constant stays.
    rng = np.random.default_rng(1)
    intensity = rng.uniform(1e-8, 1e-2, 2000)
    terms = [sp.Integer(1), sp.log(sp.Symbol("I"))]
    y = 3 + np.log10(intensity) + 1e-3 * rng.normal(size=2000)
    settled = settle_terms(np.column_stack([np.ones_like(intensity), np.log(intensity)]), y, terms, {"I0": 1e-12})
    assert settled.terms == tuple(terms)
    assert [c.exact for c in settled.coefficients] == [3, 1 / sp.log(10)]


def test_a_term_that_only_stands_in_for_the_constant_is_replaced_by_it():
    # cos(3·I) for I below 0.01 is 1 − 1.5e-4 on average: as a law's "constant" it fits as well as 1,
    # and by chance a little better, but says nothing the constant does not.
    rng = np.random.default_rng(0)
    intensity = rng.uniform(1e-8, 1e-2, 2000)
    y = 120 + 4.3 * np.log(intensity) + 0.5 * rng.normal(size=2000)
    i_ = sp.Symbol("I")
    terms = [sp.cos(3 * i_), sp.log(i_)]
    columns = np.column_stack([np.cos(3 * intensity), np.log(intensity)])
    replaced = settle_terms(columns, y, terms, snap=False, ones=np.ones(2000))
    assert set(replaced.terms) == {sp.Integer(1), sp.log(i_)}
    assert settle_terms(columns, y, terms, snap=False).terms == tuple(terms)  # no constant in the library
    # A term that varies on the rows (exp(100·I) runs from 1 to e) is never a stand-in.
    varying = np.column_stack([np.exp(intensity * 100), np.log(intensity)])
    kept = settle_terms(varying, y, [sp.exp(100 * i_), sp.log(i_)], snap=False, ones=np.ones(2000))
    assert sp.Integer(1) not in kept.terms
