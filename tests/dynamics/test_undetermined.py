"""Short or noisy series: the small libraries tried, and the reasons the data may not determine the laws."""

from __future__ import annotations

import warnings

import numpy as np
import sympy as sp
from scipy.integrate import solve_ivp

from discovery import discover_system
from discovery.dynamics.determined import UnderdeterminedWarning, undetermined
from discovery.dynamics.terms import ladder
from discovery.dynamics.trajectory_fit import STILL_MISSES
from discovery.law.coefficient import Coefficient

x, y = sp.symbols("x y")


class _Law:
    def __init__(self, *coefficients):
        self.coefficients = list(coefficients)


def test_the_first_rung_is_the_quadratic_polynomials_and_the_saturations_come_before_degree_3():
    rungs = ladder(["x", "y"])
    assert set(rungs[0]) == {sp.Integer(1), x, y, x**2, x * y, y**2}
    assert x * y / (x**2 + 1) in rungs[1] and x**3 in rungs[2]
    assert sp.sin(x - y) in rungs[-1]


def test_reasons_name_the_fit_that_misses_the_laws_fitted_as_well_and_too_many_coefficients():
    laws = {"x": _Law(*(Coefficient(x**k, 1.0, 0.1, dof=10) for k in range(1, 6))), "y": _Law(Coefficient(y, 1.0, 0.1))}
    fit = {"status": STILL_MISSES, "indistinct": {"y": ["x + y (extended BIC +0.4)"]}}
    reasons = undetermined(laws, fit, "t", samples=12)
    assert len(reasons) == 3
    assert "do not reproduce the trajectories" in reasons[0]
    assert reasons[1].startswith("dy/dt: the trajectories fit other laws as well: x + y")
    assert reasons[2] == "dx/dt: 5 free coefficients from 12 samples (3 per coefficient)"
    assert undetermined(laws, {"status": "matched"}, "t", samples=40) == []


def test_exact_coefficients_are_not_free():
    law = _Law(*(Coefficient(x**k, 1.0, 0.0, exact=sp.Integer(1)) for k in range(1, 6)))
    assert undetermined({"x": law}, {"status": "matched"}, "t", samples=6) == []


def _logistic_series(noise: float) -> tuple[np.ndarray, np.ndarray]:
    """40 uneven samples of N' = 0.8·N·(1 − N/50) from N = 3, with noise a fraction of N's RMS (seeded)."""
    rng = np.random.default_rng(3)
    t = np.concatenate([[0.0], np.sort(rng.uniform(0, 12, 39))])
    clean = solve_ivp(lambda _t, n: 0.8 * n * (1 - n / 50), (0, 12), [3.0], t_eval=t, rtol=1e-10, atol=1e-12).y.T
    return t, clean + rng.normal(0, noise * np.sqrt(np.mean(clean**2)), clean.shape)


def _found(noise: float):
    t, noisy = _logistic_series(noise)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        system = discover_system(t, noisy, variables=["N"], time_limit=20, random_state=0)
    return system, [w for w in caught if issubclass(w.category, UnderdeterminedWarning)]


def test_a_short_series_at_one_percent_gives_the_logistic_law_with_its_rate_in_the_interval():
    system, said = _found(0.01)
    law = system.laws["N"]
    n = sp.Symbol("N")
    assert {c.term for c in law.coefficients} == {n, n**2} and not said and system.info["undetermined"] == []
    low, high = next(c for c in law.coefficients if c.term == n).ci95
    assert low <= 0.8 <= high


def test_at_five_percent_the_result_says_which_laws_the_data_do_not_tell_apart():
    """The logistic law, the simplest within the margin; the saturating law with one parameter more is named."""
    system, said = _found(0.05)
    n = sp.Symbol("N")
    assert {c.term for c in system.laws["N"].coefficients} == {n, n**2}
    (reason,) = system.info["undetermined"]
    assert reason.startswith("dN/dt: the trajectories fit other laws as well: N**3 + N/(N + 7.2")
    assert len(said) == 1 and "N**3 + N/(N + 7.2" in str(said[0].message)


def test_a_saturation_constant_held_at_the_librarys_value_is_a_reason_when_the_data_know_it_poorly():
    law = {"S": _Law(Coefficient(sp.Symbol("S") / (sp.Symbol("S") + 1), -2.5, 0.04))}
    wide = {"state": "S", "term": "S/(S + 1)", "held": 1.0, "free": 1.16, "stderr": 0.29}
    (reason,) = undetermined(law, {"status": "matched", "constants_held": [wide]}, "t", samples=40)
    assert reason == "dS/dt: the saturation constant in S/(S + 1) is held at 1; the data alone give 1.16 ± 0.29"
    tight = {**wide, "free": 1.01, "stderr": 0.02}
    assert undetermined(law, {"status": "matched", "constants_held": [tight]}, "t", samples=40) == []
    (reason,) = undetermined(law, {"status": "matched", "constants_released": [wide]}, "t", samples=40)
    assert reason == (
        "dS/dt: the saturation constant of S/(S + 1) is known only to 1.16 ± 0.29, too poorly for the library's "
        "exact 1; the law has it fitted free"
    )


def _substrate(seed: int):
    """40 uneven samples of S' = −3·S/(2 + S) from S = 10 at 5 % noise: a Michaelis–Menten depletion."""
    rng = np.random.default_rng(seed)
    t = np.concatenate([[0.0], np.sort(rng.uniform(0, 10, 39))])
    clean = solve_ivp(lambda _t, s: -3 * s / (2 + s), (0, 10), [10.0], t_eval=t, rtol=1e-10, atol=1e-12).y.T
    noisy = clean + rng.normal(0, 0.05 * np.sqrt(np.mean(clean**2)), clean.shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return discover_system(t, noisy, variables=["S"], time_limit=20, random_state=0)


def test_a_saturation_constant_the_data_know_poorly_is_fitted_free_in_the_law_and_said():
    """Seed 3's data give K = 1.17 ± 0.29: the search holds it at the library's 1, the law returned has it free
    with its interval (the rate's interval widens with it), and the result says so. Seed 1 fits K = 1.70, the
    rate's interval holds the truth, and nothing is said of K (three-term polynomials that fit within the
    selection margin are named)."""
    s = sp.Symbol("S")
    released = _substrate(3)
    rate, constant = released.laws["S"].coefficients
    assert rate.term.xreplace({f: sp.Symbol("K") for f in rate.term.atoms(sp.Float)}) == s / (s + sp.Symbol("K"))
    assert constant.inner and constant.exact is None and str(constant.term) == "S/(S + c)"
    low, high = constant.ci95
    assert low < 1.17 < high and high - low > 0.5  # the data's own estimate, not the library's 1
    assert rate.stderr > 0.1  # with K free: held at 1 it was ± 0.04
    assert any("saturation constant of S/(S + 1) is known only to 1.17" in r for r in released.info["undetermined"])
    fitted = _substrate(1)
    rate, constant = fitted.laws["S"].coefficients
    assert abs(rate.value + 3) < 2 * rate.stderr and constant.inner
    assert not any("saturation constant" in r for r in fitted.info["undetermined"])


def test_only_the_constants_released_are_written_as_floats_to_be_fitted_free():
    from discovery.dynamics.released import _freed
    from discovery.dynamics.trajectory_fit import MatchedState

    terms = [x * y / (x + 1), y / (y**2 + 1), x]
    law = MatchedState(sp.Integer(0), [Coefficient(t, 1.0, 0.1) for t in terms])
    freed = [c.term for c in _freed(law, {"x*y/(x + 1)"})]
    assert freed[1:] == terms[1:] and freed[0] != terms[0] and freed[0].atoms(sp.Float) == {sp.Float(1.0)}
