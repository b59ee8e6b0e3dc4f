"""discover(..., units=..., target_unit=...): the Buckingham π groups, the law mapped back, the errors."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from discovery import DataError, discover
from discovery.units.buckingham import dimension_of_expression, pi_groups
from discovery.units.dimensions import dimensions_of

pytest.importorskip("pint", reason="units= needs pint (pip install '.[units]')")

CANNON_UNITS = {"v": "m/s", "theta": "", "g": "m/s**2"}


def _cannon_law(cannon, **kwargs):
    return discover(cannon.X, cannon.y, variables=["v", "theta"], target="s", constants={"g": 9.81}, **kwargs)


def test_the_cannon_in_units_is_one_group_and_v_squared_over_g(cannon):
    law = _cannon_law(cannon, units=CANNON_UNITS, target_unit="m", random_state=0, time_limit=30)
    assert str(law) == "s = v**2*sin(2*theta)/g"
    assert law.info["units"]["prefactor"] == "v**2/g"
    assert law.info["units"]["groups"] == {"theta": "theta"}
    length = {"length": 1}
    dimensions = dimensions_of({**CANNON_UNITS, "s": "m"})
    assert all(dimension_of_expression(e.expression, dimensions) == length for e in law.front)


def test_units_alone_give_a_law_with_no_group_left(rng):
    # T = 2π·√(L/g): L and g make the only monomial with a unit of time, and 2π is the one number left.
    L = rng.uniform(0.1, 3, 500)
    law = discover(
        {"L": L},
        2 * np.pi * np.sqrt(L / 9.81),
        target="T",
        constants={"g": 9.81},
        units={"L": "m", "g": "m/s**2"},
        target_unit="s",
        random_state=0,
    )
    assert str(law) == "T = 2*pi*sqrt(L)/sqrt(g)"
    assert law.info["units"]["groups"] == {} and law.info["method"] == "units"


def test_groups_hold_one_variable_each_over_the_constants():
    # Planck's law: one group, h·c/(λ·k·T) up to its power, and M = h·c²/λ⁵.
    dimensions = dimensions_of({"lam": "m", "T": "K", "h": "J*s", "c": "m/s", "k_B": "J/K", "B": "W/m**3"})
    pi = pi_groups(["lam", "T"], "B", dimensions, {"h": 6.6e-34, "c": 3e8, "k_B": 1.4e-23})
    lam, T, h, c, k = sp.symbols("lam T h c k_B")
    assert pi.prefactor == h * c**2 / lam**5
    [(name, group)] = pi.groups
    assert name == "pi1" and group == T * k * lam / (c * h)


def test_a_law_only_units_make_tractable_is_found(rng):
    # Planck's law in two variables and three constants: the search sees one group, 2/(exp(1/pi1) - 1).
    constants = {"h": 6.62607015e-34, "c": 2.99792458e8, "k_B": 1.380649e-23}
    lam, T = rng.uniform(2e-7, 3e-6, 3000), rng.uniform(1000, 8000, 3000)
    h, c, k = constants.values()
    B = 2 * h * c**2 / lam**5 / np.expm1(h * c / (lam * k * T))
    units = {"lam": "m", "T": "K", "h": "J*s", "c": "m/s", "k_B": "J/K"}
    law = discover(
        {"lam": lam, "T": T},
        B,
        target="B",
        constants=constants,
        units=units,
        target_unit="W/m**3",
        random_state=0,
        time_limit=30,
    )
    lam_, T_, h_, c_, k_ = sp.symbols("lam T h c k_B")
    truth = 2 * h_ * c_**2 / lam_**5 / (sp.exp(h_ * c_ / (lam_ * k_ * T_)) - 1)
    assert sp.simplify(law.expression - truth) == 0, law.expression


def test_a_variable_nothing_else_carries_the_dimension_of_is_left_out_with_a_warning(rng):
    v, m = rng.uniform(1, 3, 400), rng.uniform(1, 2, 400)
    with pytest.warns(RuntimeWarning, match="m cannot enter a dimensionally homogeneous law"):
        law = discover(
            {"v": v, "m": m},
            v**2 / 9.81,
            target="h",
            constants={"g": 9.81},
            units={"v": "m/s", "m": "kg", "g": "m/s**2"},
            target_unit="m",
            random_state=0,
        )
    assert law.info["units"]["left_out"] == ["m"]
    assert "m" not in {str(s) for s in law.expression.free_symbols}


@pytest.mark.parametrize(
    "units, target_unit, message",
    [
        ({"v": "m/s", "g": "m/s**2"}, "m", "no unit for the variable 'theta'"),
        ({"v": "m/s", "theta": "", "g": "m/secnd**2"}, "m", r"units\['g'\] = 'm/secnd\*\*2' is not a unit pint"),
        ({"v": "m/s", "theta": ""}, "m", "cannot be made from the units of v"),
        ({"v": "m/s", "theta": "", "g": "m/s**2", "w": "kg"}, "m", "units names 'w', which is neither"),
        (CANNON_UNITS, None, "needs target_unit="),
        ({**CANNON_UNITS, "s": "m"}, "m", "given twice"),
        ("m/s", "m", "units must be a mapping of name to unit"),
        (CANNON_UNITS, 1.0, "target_unit must be a unit such as 'm'"),
    ],
)
def test_bad_units_say_which_name_and_what_to_do(cannon, units, target_unit, message):
    with pytest.raises(DataError, match=message):
        _cannon_law(cannon, units=units, target_unit=target_unit, time_limit=5)


def test_units_and_a_library_or_bootstrap_do_not_mix(cannon):
    with pytest.raises(DataError, match="library= holds terms of the original variables"):
        _cannon_law(cannon, library="v**2*sin(2*theta)", units=CANNON_UNITS, target_unit="m")
    with pytest.raises(DataError, match="bootstrap= is not available with units="):
        _cannon_law(cannon, bootstrap=5, units=CANNON_UNITS, target_unit="m")


def test_without_pint_units_say_what_to_install(cannon, monkeypatch):
    import sys

    from discovery.units import dimensions

    monkeypatch.setitem(sys.modules, "pint", None)  # import pint now raises ImportError
    dimensions._registry.cache_clear()
    try:
        with pytest.raises(DataError, match=r"units= needs pint.*pip install 'discovery\[units\]'"):
            _cannon_law(cannon, units=CANNON_UNITS, target_unit="m")
    finally:
        dimensions._registry.cache_clear()


def test_homogeneity_is_checked_through_sums_powers_and_functions():
    dimensions = dimensions_of({"v": "m/s", "g": "m/s**2", "t": "s", "theta": ""})
    v, g, t, theta = sp.symbols("v g t theta")
    assert dimension_of_expression(v * t + g * t**2 / 2, dimensions) == {"length": 1}
    assert dimension_of_expression(sp.sqrt(v**2 / g**2) * sp.sin(theta), dimensions) == {"time": 1}
    assert dimension_of_expression(v + g, dimensions) is None
    assert dimension_of_expression(sp.exp(v), dimensions) is None
    assert dimension_of_expression(sp.exp(g * t / v), dimensions) == {}
    assert dimension_of_expression(t ** (g * t / v), dimensions) is None


def test_a_constant_alone_can_carry_the_unit(rng):
    # Compton: E' = m_e c² · F(E/(m_e c²), θ); the prefactor is the constant itself.
    E, theta = rng.uniform(20, 2000, 2000), rng.uniform(0.1, 3.1, 2000)
    law = discover(
        {"E": E, "theta": theta},
        E / (1 + E / 510.99895 * (1 - np.cos(theta))),
        target="Ep",
        constants={"m_e_c2": 510.99895},
        units={"E": "keV", "theta": "", "m_e_c2": "keV"},
        target_unit="keV",
        random_state=0,
        time_limit=30,
    )
    assert law.info["units"]["prefactor"] == "m_e_c2"
    E_, theta_, m = sp.symbols("E theta m_e_c2")
    assert sp.simplify(law.expression - E_ / (1 + E_ / m * (1 - sp.cos(theta_)))) == 0, law.expression


def test_an_irrational_power_is_dimensionless_only_of_a_dimensionless_base():
    """A snapped exponent such as 11·√2/5 once crashed the check (it is no fraction); now it is judged."""
    dimensions = dimensions_of({"m": "kg", "r": "m", "theta": ""})
    m, r, theta = sp.symbols("m r theta")
    power = 11 * sp.sqrt(2) / 5
    assert dimension_of_expression(m**power, dimensions) is None
    assert dimension_of_expression(theta**power * r, dimensions) == {"length": 1}
    assert dimension_of_expression(r**1.5, dimensions) == {"length": Fraction(3, 2)}


def test_a_law_snapping_would_make_inhomogeneous_keeps_its_fitted_floats(rng):
    from discovery.backends.base import ExpressionCandidate
    from discovery.backends.candidates import law_from_candidates
    from discovery.io.dataset import as_dataset
    from discovery.units.dimensionless_law import law_in_units

    # Einstein's heat capacity as a form's stand-in, 3R/(1 + 0.0145·(θ/T)²)^5.7: snapped, 0.0145 would be
    # 1/R² (R = 8.314 J/(mol·K)), a constant with a unit inside a dimensionless group.
    T, theta = rng.uniform(50, 500, 400), rng.uniform(100, 400, 400)
    C = 3 * 8.314 / (1 + 0.01447 * (theta / T) ** 2) ** 5.73 * (1 + 1e-4 * rng.standard_normal(400))
    data = as_dataset(np.column_stack([T, theta]), C, variables=["T", "theta_E"], target="C")

    def search(reduced, constants, seconds):
        u = sp.Symbol(reduced.variables[0])  # the group: theta_E/T or its inverse
        x = u if np.allclose(reduced.X[:, 0], theta / T) else 1 / u
        guess = 3 / (1 + sp.Float(0.01447) * x**2) ** sp.Float(5.73)
        return law_from_candidates([ExpressionCandidate(guess, 1, float("nan"))], reduced, constants, snap=False)

    units = {"T": "K", "theta_E": "K", "R": "J/(mol*K)"}
    law = law_in_units(data, {"R": 8.314}, units, "J/(mol*K)", search, None, 0)
    assert dimension_of_expression(law.expression, dimensions_of(units | {"C": "J/(mol*K)"})) is not None
    assert np.max(np.abs(law.predict(data.X) / C - 1)) < 1e-3, law.formula
