"""The units of every compositional law, for the units benchmark (issue 11, item 4).

Each compositional law (``compositional_problems.py``) with the SI unit, as
its description states or implies, of each variable, of each named constant
and of the output. Written down before ``discover`` was ever run with units
on any of these laws, and never edited to suit it: no law is left out, and
no unit is chosen for what the search does with it.

Where a formula hides a unit in a bare number, the units are those its
numbers imply, and what that costs is said here, not fixed:

- ``hodgkin_huxley_alpha_n``: 0.01·(V + 55)/(1 − exp(−(V + 55)/10)) is
  written for V in mV and a rate in 1/ms with unnamed numbers carrying
  units; as written it is a law between numbers (V and the rate
  dimensionless), so units give the search nothing.
- ``antoine``: 10^(A − B/(C + T)) gives the pressure in the unit A was
  fitted for; A is dimensionless, B, C and T in kelvin, the output a number.
- ``barometric_lapse``: the exponent g·M/(R·L) holds the molar mass of air,
  M = 0.0289644 kg/mol, as a bare number. With SI units for g, R and L the
  law is not dimensionally homogeneous without M as a named constant, which
  the problem does not give: units cannot find it as written.
- ``fresnel_s_reflectance``, ``snell_angle``: every quantity is already
  dimensionless; units change nothing.
"""

from __future__ import annotations

# Units of the named constants (compositional_problems.CONSTANTS), as pint reads them.
CONSTANT_UNITS = {
    "g": "m/s**2",
    "G": "m**3/(kg*s**2)",
    "h": "J*s",
    "c": "m/s",
    "k_B": "J/K",
    "R": "J/(mol*K)",
    "F": "C/mol",
    "mu0": "N/A**2",
    "eps0": "F/m",
    "m_e_c2": "keV",
    "k_B_eV": "eV/K",
}

# law → (units of its variables, unit of its output)
# fmt: off
UNITS: dict[str, tuple[dict[str, str], str]] = {
    "compton": ({"E": "keV", "theta": ""}, "keV"),
    "relativistic_kinetic_energy": ({"m": "kg", "v": "m/s"}, "J"),
    "gravitational_wave_power": ({"m1": "kg", "m2": "kg", "r": "m"}, "W"),
    "planck_wavelength": ({"lam": "m", "T": "K"}, "W/m**3"),
    "fermi_dirac": ({"E": "eV", "mu": "eV", "T": "K"}, ""),
    "damped_oscillation": ({"x0": "m", "gamma": "1/s", "t": "s", "omega": "1/s", "phi": ""}, "m"),
    "driven_damped_amplitude": ({"F0": "N", "m": "kg", "omega0": "1/s", "omega": "1/s", "b": "kg/s"}, "m"),
    "single_slit": ({"I0": "W/m**2", "a": "m", "theta": "", "lam": "m"}, "W/m**2"),
    "fresnel_s_reflectance": ({"n1": "", "n2": "", "theta": ""}, ""),
    "snell_angle": ({"n1": "", "n2": "", "theta": ""}, ""),
    "projectile_range_from_height": ({"v": "m/s", "theta": "", "h": "m"}, "m"),
    "rolling_acceleration": ({"theta": "", "I": "kg*m**2", "m": "kg", "r": "m"}, "m/s**2"),
    "atwood_with_pulley": ({"m1": "kg", "m2": "kg", "I": "kg*m**2", "r": "m"}, "m/s**2"),
    "lennard_jones": ({"epsilon": "J", "sigma_LJ": "m", "r": "m"}, "J"),
    "morse_potential": ({"D": "J", "a": "1/m", "r": "m", "r0": "m"}, "J"),
    "yukawa_potential": ({"g_c": "J**0.5*m**0.5", "r": "m", "lam": "m"}, "J"),
    "charged_disk_field": ({"sigma_q": "C/m**2", "z": "m", "R_d": "m"}, "V/m"),
    "finite_solenoid_field": ({"n": "1/m", "current": "A", "L": "m", "x": "m", "R_s": "m"}, "T"),
    "terminal_fall_velocity": ({"v_t": "m/s", "t": "s"}, "m/s"),
    "einstein_heat_capacity": ({"theta_E": "K", "T": "K"}, "J/(mol*K)"),
    "gravitational_redshift": ({"f0": "Hz", "M": "kg", "r": "m"}, "Hz"),
    "lorentzian_line": ({"A": "W", "gamma": "Hz", "f": "Hz", "f0": "Hz"}, "W"),
    "bet_isotherm": ({"v_m": "cm**3", "C": "", "x": ""}, "cm**3"),
    "debye_huckel_extended": (
        {"A": "kg**0.5/mol**0.5", "z": "", "I": "mol/kg", "B": "kg**0.5/(mol**0.5*m)", "a": "m"}, ""),
    "antoine": ({"A": "", "B": "K", "C": "K", "T": "K"}, ""),
    "redlich_kwong": ({"T": "K", "V_m": "m**3/mol", "a": "Pa*m**6*K**0.5/mol**2", "b": "m**3/mol"}, "Pa"),
    "goldman_potential": (
        {"T": "K", "K_o": "mmol/L", "K_i": "mmol/L", "Na_o": "mmol/L", "Na_i": "mmol/L", "p": ""}, "V"),
    "hodgkin_huxley_alpha_n": ({"V": ""}, ""),
    "allee_growth": ({"r": "1/s", "N": "", "K": "", "A": ""}, "1/s"),
    "rlc_impedance": ({"R_e": "ohm", "omega": "1/s", "L": "H", "C": "F"}, "ohm"),
    "rc_lowpass_gain": ({"omega": "1/s", "R_e": "ohm", "C": "F"}, ""),
    "torricelli_with_approach": ({"h": "m", "d": "m", "D": "m"}, "m/s"),
    "barometric_lapse": ({"P0": "Pa", "L_r": "K/m", "h": "m", "T0": "K"}, "Pa"),
    "capacitor_charging": ({"V0": "V", "t": "s", "R_e": "ohm", "C": "F"}, "V"),
}
# fmt: on


def units_of(name: str, constants) -> tuple[dict[str, str], str]:
    """The ``units=`` and ``target_unit=`` of one law: its variables' units and its constants'."""
    variables, target = UNITS[name]
    return {**variables, **{c: CONSTANT_UNITS[c] for c in constants}}, target
