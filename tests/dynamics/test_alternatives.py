"""The trajectory fit deciding between a state's law and its alternatives."""

from __future__ import annotations

import numpy as np
import sympy as sp
from scipy.integrate import solve_ivp

from discovery.dynamics.matching import match_trajectories
from discovery.dynamics.trajectories import as_trajectories
from discovery.law.coefficient import Coefficient

x, y = sp.symbols("x y")


def _van_der_pol(level: float):
    t = np.arange(100) * 0.1
    rhs = sp.lambdify([x, y], [10 * (y - (x**3 - x) / 3), -x / 10])
    starts = np.random.default_rng(0).uniform(0, 1, (4, 2))
    clean = [
        solve_ivp(lambda _t, s: rhs(*s), (0, t[-1]), x0, t_eval=t, method="LSODA", rtol=1e-10, atol=1e-12).y.T
        for x0 in starts
    ]
    scale = level * np.sqrt(np.mean(np.vstack(clean) ** 2, axis=0))
    rng = np.random.default_rng(7)
    noisy = [c + rng.normal(0, 1, c.shape) * scale for c in clean]
    return as_trajectories([t] * 4, noisy, variables=["x", "y"]), dict(zip("xy", scale))


def test_an_alternative_one_term_longer_is_pruned_to_the_law():
    """van der Pol at 10 % noise: sin(x) and sin(y) mimic x − x³/3 and y; the weak fit's cubic law has a spurious
    x·y beside the right three terms, and the trajectory fit prunes it, prefers it, and says the data barely differ."""
    data, noise = _van_der_pol(0.1)
    found = {"x": [(x, -17.6), (sp.sin(x), 20.9), (sp.sin(y), 9.8)], "y": [(x, -0.0994)]}
    expressions = {s: sum(v * term for term, v in pairs) for s, pairs in found.items()}
    coefficients = {s: [Coefficient(term, v, 0.0) for term, v in pairs] for s, pairs in found.items()}
    alternatives = {"x": [-1.8 * x**3 - 0.97 * x * y + 1.82 * x + 7.0 * y]}
    matched, info = match_trajectories(expressions, coefficients, data, {}, noise, alternatives=alternatives)
    assert {c.term for c in matched["x"].coefficients} == {x**3, x, y}
    assert info["restructured"] == {"x": "x + sin(x) + sin(y)"}
    assert any("sin(x)" in law for law in info["indistinct"]["x"])
    assert all(abs(c.value - truth) < 3 * c.stderr for c, truth in zip(_sorted(matched["x"]), (3.3333, -3.3333, 10)))


def _sorted(law):
    return sorted(law.coefficients, key=lambda c: str(c.term))


def test_when_the_chosen_laws_do_not_simulate_the_search_starts_from_alternatives_that_do():
    """A damped oscillator whose laws as found divide by v and sin x: the system stops where v or x crosses 0.
    The first alternatives that simulate become the start, the result is the oscillator, and the laws replaced
    are reported."""
    x_, v = sp.symbols("x v")
    t = np.sort(np.concatenate([[0.0], np.random.default_rng(51).uniform(0, 9.9, 39)]))
    clean = solve_ivp(
        lambda _t, s: [s[1], -4 * s[0] - 0.5 * s[1]], (0, t[-1]), [1.5, -1.0], t_eval=t, rtol=1e-10, atol=1e-12
    ).y.T
    scale = 0.05 * np.sqrt(np.mean(clean**2, axis=0))
    data = as_trajectories(
        [t], [clean + np.random.default_rng(7).normal(0, 1, clean.shape) * scale], variables=["x", "v"]
    )
    found = {"x": [(v, 1.0), (sp.cos(2 * x_) / v, 0.002)], "v": [(1 / sp.sin(x_), -0.007), (sp.sin(x_), -3.8)]}
    expressions = {s: sum(c * term for term, c in pairs) for s, pairs in found.items()}
    coefficients = {s: [Coefficient(term, c, 0.0) for term, c in pairs] for s, pairs in found.items()}
    noise = dict(zip(["x", "v"], scale))
    kept, info = match_trajectories(expressions, coefficients, data, {}, noise)
    assert kept is None or sp.expand(kept["v"].expression - (-4 * x_ - v / 2)) != 0  # alone, the fit cannot get there
    alternatives = {"x": [v], "v": [-3.9 * x_ - 0.4 * v]}
    matched, info = match_trajectories(expressions, coefficients, data, {}, noise, alternatives=alternatives)
    assert sp.expand(matched["x"].expression - v) == 0
    assert sp.expand(matched["v"].expression - (-4 * x_ - v / 2)) == 0
    replaced = {state: set(terms.split(" + ")) for state, terms in info["restructured"].items()}
    assert replaced == {"x": {"v", "cos(2*x)/v"}, "v": {"1/sin(x)", "sin(x)"}}
