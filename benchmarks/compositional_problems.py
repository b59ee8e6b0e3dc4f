"""Compositional laws as ground-truth benchmark problems (issue 11).

The third benchmark beside the Feynman table and the textbook laws: laws
from physics, chemistry, biology, astronomy and engineering texts that are
built by composition, out of reach of a sparse sum of library terms even
after one transform of y: a ratio whose denominator is a sum, a root or a
power of a sum of differently scaled terms, an exponential or a logarithm of
a ratio of sums, a trigonometric function of a difference times a power law,
an inverse trigonometric function of a product. None is a Feynman formula
(a test compares them, symbol names and numerically under every renaming)
and none is a textbook benchmark law.

This list was chosen from the textbooks before the engine was ever run on
any of it, and is never edited to suit the engine: no law was picked,
dropped, reworded or given other ranges because of what ``discover`` did
with it. Add laws if you like; do not take out or change the ones that fail.

The problems reuse the textbook benchmark's :class:`textbook_problems.Problem`,
its sampling and its judge; the named constants are the textbook ones plus
ε0, the electron's rest energy in keV and Boltzmann's constant in eV/K.
"""

from __future__ import annotations

from .textbook_problems import CONSTANTS as TEXTBOOK_CONSTANTS
from .textbook_problems import FIELDS, Problem, judge_law, law_builder, parse, sample

__all__ = ["CONSTANTS", "FIELDS", "PROBLEMS", "judge_law", "load_problems", "parse", "sample"]

CONSTANTS = {
    **TEXTBOOK_CONSTANTS,
    "eps0": 8.8541878128e-12,  # vacuum permittivity, F/m (CODATA 2018)
    "m_e_c2": 510.99895,  # electron rest energy, keV (CODATA 2018)
    "k_B_eV": 8.617333262e-5,  # Boltzmann constant, eV/K (exact in SI 2019)
}


_law = law_builder(CONSTANTS)


# fmt: off
PROBLEMS: tuple[Problem, ...] = (
    # --- physics -----------------------------------------------------------------------------------
    _law("compton", "physics", "Compton scattering, scattered photon energy E/(1 + E/(m_e c²)·(1 − cos θ)) in keV; "
         "any modern physics text", "E/(1 + E/m_e_c2*(1 - cos(theta)))", ("m_e_c2",), E=(20, 2000),
         theta=(0.1, 3.1)),
    _law("relativistic_kinetic_energy", "physics", "kinetic energy m·c²·(1/√(1 − v²/c²) − 1); any relativity text",
         "m*c**2*(1/sqrt(1 - v**2/c**2) - 1)", ("c",), m=(1e-30, 1e-27), v=(1e7, 2.9e8)),
    _law("gravitational_wave_power", "astronomy", "power radiated by a circular binary, "
         "32/5·G⁴/c⁵·(m1·m2)²·(m1 + m2)/r⁵; any general relativity text",
         "32*G**4*(m1*m2)**2*(m1 + m2)/(5*c**5*r**5)", ("G", "c"), m1=(2e30, 6e31), m2=(2e30, 6e31),
         r=(1e6, 1e8)),
    _law("planck_wavelength", "physics", "Planck's law per wavelength, 2hc²/λ⁵/(exp(hc/(λk_BT)) − 1); "
         "any statistical physics text", "2*h*c**2/lam**5/(exp(h*c/(lam*k_B*T)) - 1)", ("h", "c", "k_B"),
         lam=(0.2e-6, 5e-6), T=(1000, 6000)),
    _law("fermi_dirac", "physics", "Fermi–Dirac occupation 1/(exp((E − μ)/(k_B T)) + 1), energies in eV; "
         "any solid-state text", "1/(exp((E - mu)/(k_B_eV*T)) + 1)", ("k_B_eV",), E=(0.5, 10), mu=(2, 8),
         T=(300, 20000)),
    _law("damped_oscillation", "physics", "damped oscillator x0·exp(−γt)·cos(ωt + φ); any mechanics text",
         "x0*exp(-gamma*t)*cos(omega*t + phi)", x0=(0.01, 1), gamma=(0.05, 1), t=(0, 10),
         omega=(1, 10), phi=(0, 3)),
    _law("driven_damped_amplitude", "physics", "steady amplitude of a driven damped oscillator "
         "F0/(m·√((ω0² − ω²)² + (bω/m)²)); any mechanics text",
         "F0/(m*sqrt((omega0**2 - omega**2)**2 + (b*omega/m)**2))", F0=(0.1, 10), m=(0.1, 5),
         omega0=(1, 10), omega=(0.1, 15), b=(0.05, 2)),
    _law("single_slit", "physics", "Fraunhofer single-slit intensity I0·(sin β/β)², β = πa·sin θ/λ; any optics text",
         "I0*(sin(pi*a*sin(theta)/lam)/(pi*a*sin(theta)/lam))**2", I0=(1, 10), a=(1e-6, 2e-5),
         theta=(0.01, 0.5), lam=(4e-7, 7e-7)),
    _law("fresnel_s_reflectance", "physics", "Fresnel reflectance for s-polarised light, "
         "((n1 cos θ − n2 cos θt)/(n1 cos θ + n2 cos θt))², Snell's law for θt; any optics text",
         "((n1*cos(theta) - n2*sqrt(1 - (n1*sin(theta)/n2)**2))"
         "/(n1*cos(theta) + n2*sqrt(1 - (n1*sin(theta)/n2)**2)))**2",
         n1=(1, 1.2), n2=(1.3, 2.4), theta=(0, 1.5)),
    _law("snell_angle", "physics", "refraction angle arcsin(n1·sin θ/n2); any optics text",
         "asin(n1*sin(theta)/n2)", n1=(1, 1.3), n2=(1.4, 2.4), theta=(0, 1.5)),
    _law("projectile_range_from_height", "physics", "range of a projectile launched from height h, "
         "v·cos θ/g·(v·sin θ + √(v² sin² θ + 2gh)); any mechanics text",
         "v*cos(theta)/g*(v*sin(theta) + sqrt(v**2*sin(theta)**2 + 2*g*h))", ("g",), v=(1, 50),
         theta=(0.05, 1.5), h=(0.5, 50)),
    _law("rolling_acceleration", "physics", "acceleration of a body rolling down an incline, g·sin θ/(1 + I/(m r²)); "
         "any mechanics text", "g*sin(theta)/(1 + I/(m*r**2))", ("g",), theta=(0.05, 1.5), I=(1e-4, 1e-2),
         m=(0.1, 5), r=(0.02, 0.2)),
    _law("atwood_with_pulley", "physics", "Atwood machine with a massive pulley, g(m1 − m2)/(m1 + m2 + I/r²); "
         "any mechanics text", "g*(m1 - m2)/(m1 + m2 + I/r**2)", ("g",), m1=(1, 5), m2=(0.1, 1),
         I=(1e-4, 1e-2), r=(0.02, 0.2)),
    _law("lennard_jones", "physics", "Lennard-Jones potential 4ε((σ/r)¹² − (σ/r)⁶); any molecular physics text",
         "4*epsilon*((sigma_LJ/r)**12 - (sigma_LJ/r)**6)", epsilon=(0.5, 2), sigma_LJ=(0.3, 0.4), r=(0.35, 1)),
    _law("morse_potential", "physics", "Morse potential D·(1 − exp(−a(r − r0)))²; any molecular physics text",
         "D*(1 - exp(-a*(r - r0)))**2", D=(1, 5), a=(1, 3), r=(0.5, 3), r0=(0.8, 1.5)),
    _law("yukawa_potential", "physics", "Yukawa potential −g²·exp(−r/λ)/r; any nuclear physics text",
         "-g_c**2*exp(-r/lam)/r", g_c=(0.5, 2), r=(0.1, 5), lam=(0.5, 3)),
    _law("charged_disk_field", "physics", "field on the axis of a uniformly charged disk σ/(2ε0)·(1 − z/√(z² + R²)); "
         "any E&M text", "sigma_q/(2*eps0)*(1 - z/sqrt(z**2 + R_d**2))", ("eps0",), sigma_q=(1e-9, 1e-6),
         z=(0.001, 1), R_d=(0.01, 0.5)),
    _law("finite_solenoid_field", "physics", "field on the axis of a finite solenoid, "
         "μ0·n·I/2·((L/2 + x)/√((L/2 + x)² + R²) + (L/2 − x)/√((L/2 − x)² + R²)); any E&M text",
         "mu0*n*current/2*((L/2 + x)/sqrt((L/2 + x)**2 + R_s**2) + (L/2 - x)/sqrt((L/2 - x)**2 + R_s**2))",
         ("mu0",), n=(100, 5000), current=(0.1, 5), L=(0.1, 1), x=(0, 0.5), R_s=(0.01, 0.1)),
    _law("terminal_fall_velocity", "physics", "speed of a body falling with quadratic drag, v_t·tanh(g t/v_t); "
         "any mechanics text", "v_t*tanh(g*t/v_t)", ("g",), v_t=(5, 60), t=(0.1, 20)),
    _law("einstein_heat_capacity", "physics", "Einstein solid's molar heat capacity "
         "3R·(θ/T)²·exp(θ/T)/(exp(θ/T) − 1)²; any solid-state text",
         "3*R*(theta_E/T)**2*exp(theta_E/T)/(exp(theta_E/T) - 1)**2", ("R",), theta_E=(100, 500), T=(20, 1000)),
    _law("gravitational_redshift", "astronomy", "frequency received far from a mass, f0·√(1 − 2GM/(r c²)); "
         "any general relativity text", "f0*sqrt(1 - 2*G*M/(r*c**2))", ("G", "c"), f0=(1e14, 1e15),
         M=(2e30, 4e30), r=(1.5e4, 1e5)),
    _law("lorentzian_line", "physics", "Lorentzian line shape A·γ²/((f − f0)² + γ²); any spectroscopy text",
         "A*gamma**2/((f - f0)**2 + gamma**2)", A=(1, 10), gamma=(0.1, 2), f=(0, 20), f0=(5, 15)),
    # --- chemistry ---------------------------------------------------------------------------------
    _law("bet_isotherm", "chemistry", "BET adsorption v_m·C·x/((1 − x)(1 + (C − 1)x)), x = P/P0; "
         "any surface chemistry text", "v_m*C*x/((1 - x)*(1 + (C - 1)*x))", v_m=(1, 10), C=(2, 200),
         x=(0.05, 0.35)),
    _law("debye_huckel_extended", "chemistry", "extended Debye–Hückel law, log10 γ = −A z²√I/(1 + B a √I); "
         "any electrochemistry text", "-A*z**2*sqrt(I)/(1 + B*a*sqrt(I))", A=(0.5, 0.52), z=(1, 3),
         I=(0.001, 0.1), B=(3.2, 3.3), a=(0.3, 0.9)),
    _law("antoine", "chemistry", "Antoine vapour pressure 10^(A − B/(C + T)); any physical chemistry text",
         "10**(A - B/(C + T))", A=(6, 8), B=(1000, 2000), C=(200, 250), T=(0, 100)),
    _law("redlich_kwong", "chemistry", "Redlich–Kwong pressure RT/(V − b) − a/(√T·V·(V + b)); "
         "any physical chemistry text", "R*T/(V_m - b) - a/(sqrt(T)*V_m*(V_m + b))", ("R",), T=(250, 600),
         V_m=(0.5, 5), a=(1000, 20000), b=(0.02, 0.1)),
    # --- biology -----------------------------------------------------------------------------------
    _law("goldman_potential", "biology", "Goldman–Hodgkin–Katz membrane potential "
         "RT/F·ln((K_o + p·Na_o)/(K_i + p·Na_i)); any neurophysiology text",
         "R*T/F*log((K_o + p*Na_o)/(K_i + p*Na_i))", ("R", "F"), T=(280, 315), K_o=(2, 10), K_i=(100, 160),
         Na_o=(100, 160), Na_i=(5, 20), p=(0.01, 0.1)),
    _law("hodgkin_huxley_alpha_n", "biology", "Hodgkin–Huxley potassium gate rate "
         "0.01·(V + 55)/(1 − exp(−(V + 55)/10)); any computational neuroscience text",
         "0.01*(V + 55)/(1 - exp(-(V + 55)/10))", V=(-50, 30)),
    _law("allee_growth", "biology", "logistic growth with a strong Allee effect r·N·(1 − N/K)·(N/A − 1); "
         "any ecology text", "r*N*(1 - N/K)*(N/A - 1)", r=(0.1, 1), N=(1, 1000), K=(500, 1500), A=(10, 100)),
    # --- engineering -------------------------------------------------------------------------------
    _law("rlc_impedance", "engineering", "impedance of a series RLC circuit √(R² + (ωL − 1/(ωC))²); "
         "any circuits text", "sqrt(R_e**2 + (omega*L - 1/(omega*C))**2)", R_e=(1, 100), omega=(100, 1e4),
         L=(1e-3, 0.1), C=(1e-6, 1e-4)),
    _law("rc_lowpass_gain", "engineering", "gain of an RC low-pass filter 1/√(1 + (ωRC)²); any circuits text",
         "1/sqrt(1 + (omega*R_e*C)**2)", omega=(1, 1e5), R_e=(100, 1e4), C=(1e-8, 1e-5)),
    _law("torricelli_with_approach", "engineering", "jet speed through an orifice with the velocity of approach, "
         "√(2gh/(1 − (d/D)⁴)); any fluid mechanics text", "sqrt(2*g*h/(1 - (d/D)**4))", ("g",), h=(0.1, 10),
         d=(0.01, 0.05), D=(0.06, 0.2)),
    _law("barometric_lapse", "engineering", "pressure in an atmosphere with a constant lapse rate, "
         "P0·(1 − L·h/T0)^(g·M/(R·L)) with M = 0.0289644 kg/mol; any atmospheric science text",
         "P0*(1 - L_r*h/T0)**(g*0.0289644/(R*L_r))", ("g", "R"), P0=(95000, 105000), L_r=(0.004, 0.009),
         h=(0, 10000), T0=(260, 310)),
    _law("capacitor_charging", "engineering", "voltage of a charging capacitor V0·(1 − exp(−t/(RC))); "
         "any circuits text", "V0*(1 - exp(-t/(R_e*C)))", V0=(1, 24), t=(1e-3, 0.5), R_e=(1e3, 1e4),
         C=(1e-5, 1e-4)),
)
# fmt: on


def load_problems() -> list[Problem]:
    """All problems, in their order."""
    return list(PROBLEMS)
