"""Textbook laws as ground-truth benchmark problems, each with the named constants a scientist passes.

The second benchmark beside the Feynman table: 47 laws from physics,
chemistry, biology, astronomy and engineering textbooks that are not in the
Feynman table (``data/FeynmanEquations.csv``; a test compares the formulas).
Each problem has its variables, sampled uniformly in physically sensible
positive ranges in the units a scientist would use, and the named constants
(R, g, G, k_B, ...) that a scientist would hand to
``discover(constants=...)``; a law is exact only when it names them.

This list was chosen from the textbooks before the engine was ever run on
any of it, and is never edited to suit the engine: no law was picked, dropped,
reworded or given other ranges because of what ``discover`` did with it. Add
laws if you like; do not take out or change the ones that fail.

Three laws overlap a Feynman row in their physics though not in their formula:
the ideal gas law here is the molar one with R (I.39.22 counts molecules,
with k_B), and Coulomb's law here is the energy of two charges with k_e
(I.12.2 is the force, II.4.23 the potential of one charge, with 4·π·ε).
The acoustic Doppler law with source and observer moving reduces to I.34.1
when the observer stands still. The issue asked for these laws.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import permutations

import numpy as np
import sympy as sp

from .feynman_problems import FUNCTIONS, Equation, judge, load_equations
from .feynman_problems import sample as _sample

FIELDS = ("physics", "chemistry", "biology", "astronomy", "engineering")

# CODATA 2018 (exact where SI defines them), and the usual textbook values of g and I0.
CONSTANTS = {
    "g": 9.81,  # m/s², standard gravity as textbooks round it
    "k_e": 8.9875517923e9,  # Coulomb constant, N·m²/C²
    "sigma": 5.670374419e-8,  # Stefan–Boltzmann, W/(m²·K⁴)
    "G": 6.67430e-11,  # gravitation, m³/(kg·s²)
    "h": 6.62607015e-34,  # Planck, J·s
    "c": 299792458.0,  # speed of light, m/s
    "k_B": 1.380649e-23,  # Boltzmann, J/K
    "e": 1.602176634e-19,  # elementary charge, C
    "R": 8.314462618,  # gas constant, J/(mol·K)
    "F": 96485.33212,  # Faraday, C/mol
    "mu0": 1.25663706212e-6,  # vacuum permeability, N/A²
    "b": 2.897771955e-3,  # Wien's displacement constant, m·K
    "R_inf": 10973731.568160,  # Rydberg constant, 1/m
    "I0": 1e-12,  # reference sound intensity (threshold of hearing), W/m²
}


@dataclass(frozen=True)
class Problem:
    """One textbook law: its formula, variables with sampling ranges, and named constants."""

    name: str
    field: str
    description: str
    formula: str
    variables: tuple[str, ...]
    ranges: tuple[tuple[float, float], ...]
    constants: Mapping[str, float] = field(default_factory=dict)

    @cached_property
    def expression(self) -> sp.Expr:
        """The formula, with variables and constants plain symbols."""
        return parse(self.formula, self.variables + tuple(self.constants))

    @property
    def domain(self) -> dict[str, tuple[float, float]]:
        return dict(zip(self.variables, self.ranges))


def parse(text: str, names: tuple[str, ...]) -> sp.Expr:
    """Parse a formula or a stored law with every name a plain symbol ('E', 'I', 'S' are not SymPy's)."""
    local = dict(FUNCTIONS, log10=lambda x: sp.log(x, 10), tan=sp.tan)
    local.update({name: sp.Symbol(name) for name in names})
    return sp.sympify(text, locals=local)


def law_builder(table: Mapping[str, float]):
    """``law(name, field, description, formula, constants=(), **ranges)``: a Problem, constants from ``table``."""

    def law(name: str, field: str, description: str, formula: str, constants: tuple[str, ...] = (), **ranges):
        return Problem(
            name,
            field,
            description,
            formula,
            tuple(ranges),
            tuple((float(low), float(high)) for low, high in ranges.values()),
            {c: table[c] for c in constants},
        )

    return law


_law = law_builder(CONSTANTS)


# fmt: off
PROBLEMS: tuple[Problem, ...] = (
    # --- physics -----------------------------------------------------------------------------------
    _law("radioactive_decay", "physics", "nuclei left after time t, N0·exp(−λt); any introductory physics text",
         "N0*exp(-lam*t)", N0=(100, 1e4), lam=(0.01, 1), t=(0.1, 20)),
    _law("pendulum_period", "physics", "period of a simple pendulum, 2π√(L/g); any mechanics text",
         "2*pi*sqrt(L/g)", ("g",), L=(0.1, 5)),
    _law("projectile_height", "physics", "greatest height of a projectile, v²sin²θ/(2g); any mechanics text",
         "v**2*sin(theta)**2/(2*g)", ("g",), v=(1, 50), theta=(0.1, 1.5)),
    _law("coulomb_energy", "physics", "Coulomb's law, energy of two point charges k_e·q1·q2/r; any E&M text",
         "k_e*q1*q2/r", ("k_e",), q1=(1e-7, 1e-5), q2=(1e-7, 1e-5), r=(0.01, 1)),
    _law("stefan_boltzmann", "physics", "power radiated by a grey body, εσAT⁴; any thermal physics text",
         "emissivity*sigma*A*T**4", ("sigma",), emissivity=(0.1, 1), A=(0.01, 2), T=(300, 1500)),
    _law("loop_axis_field", "physics", "Biot–Savart, field on the axis of a current loop; any E&M text",
         "mu0*current*a**2/(2*(a**2 + z**2)**(3/2))", ("mu0",), current=(0.1, 10), a=(0.01, 0.2),
         z=(0.001, 0.3)),
    _law("acoustic_doppler", "physics", "Doppler shift of sound, source and observer approaching; any waves text",
         "f0*(c_s + v_o)/(c_s - v_s)", f0=(100, 2000), c_s=(330, 350), v_o=(1, 30), v_s=(1, 30)),
    _law("thin_lens", "physics", "image distance of a thin lens, 1/(1/f − 1/d_o); any optics text",
         "f*d_o/(d_o - f)", f=(0.05, 0.25), d_o=(0.3, 3)),
    _law("photoelectric", "physics", "Einstein's photoelectric law, K_max = hν/e − W in eV; any modern physics text",
         "h*nu/e - W", ("h", "e"), nu=(1.2e15, 3e15), W=(2, 4.5)),
    _law("wien_approximation", "physics", "Wien's radiation law, spectral radiance 2hc²/λ⁵·exp(−hc/λk_BT); "
         "any statistical physics text", "2*h*c**2/lam**5*exp(-h*c/(lam*k_B*T))", ("h", "c", "k_B"),
         lam=(0.4e-6, 2e-6), T=(1500, 3000)),
    _law("rydberg_wavelength", "physics", "Rydberg formula, wavelength of a hydrogen line; any atomic physics text",
         "1/(R_inf*(1/n1**2 - 1/n2**2))", ("R_inf",), n1=(1, 3), n2=(4, 7)),
    _law("bragg", "physics", "Bragg's law, first-order wavelength 2d·sinθ (nm); any solid-state text",
         "2*d*sin(theta)", d=(0.1, 0.5), theta=(0.1, 1.4)),
    # --- chemistry ---------------------------------------------------------------------------------
    _law("ideal_gas", "chemistry", "ideal gas law, P = nRT/V (kPa, L); any general chemistry text",
         "n*R*T/V", ("R",), n=(0.1, 5), T=(250, 600), V=(1, 50)),
    _law("arrhenius", "chemistry", "Arrhenius rate constant A·exp(−Ea/RT); any physical chemistry text",
         "A*exp(-Ea/(R*T))", ("R",), A=(1e8, 1e12), Ea=(4e4, 8e4), T=(300, 500)),
    _law("eyring", "chemistry", "Eyring transition-state rate k_BT/h·exp(−ΔG‡/RT); any physical chemistry text",
         "k_B*T/h*exp(-dG/(R*T))", ("k_B", "h", "R"), dG=(6e4, 8e4), T=(290, 350)),
    _law("nernst", "chemistry", "Nernst equation, E0 + RT/(zF)·ln(c_ox/c_red); any electrochemistry text",
         "E0 + R*T/(z*F)*log(c_ox/c_red)", ("R", "F"), E0=(0.1, 1), T=(273, 373), z=(1, 3),
         c_ox=(0.001, 1), c_red=(0.001, 1)),
    _law("henderson_hasselbalch", "chemistry", "buffer pH = pKa + log10([A−]/[HA]); any general chemistry text",
         "pKa + log10(base/acid)", pKa=(3, 10), base=(0.01, 1), acid=(0.01, 1)),
    _law("van_der_waals", "chemistry", "van der Waals pressure RT/(V_m − b) − a/V_m² (kPa, L/mol); "
         "any physical chemistry text", "R*T/(V_m - b) - a/V_m**2", ("R",), T=(250, 600), V_m=(0.5, 5),
         a=(100, 600), b=(0.02, 0.06)),
    _law("clausius_clapeyron", "chemistry", "vapour pressure P0·exp(−ΔH/R·(1/T − 1/T0)); "
         "any physical chemistry text", "P0*exp(-dH/R*(1/T - 1/T0))", ("R",), P0=(50, 150), dH=(3e4, 4.5e4),
         T=(280, 380), T0=(330, 380)),
    _law("beer_lambert", "chemistry", "Beer–Lambert, transmitted intensity I0·10^(−εlc); "
         "any analytical chemistry text", "I_in*10**(-eps*l*conc)", I_in=(1, 100), eps=(10, 1000), l=(0.1, 1),
         conc=(1e-5, 1e-3)),
    _law("maxwell_boltzmann_speed", "chemistry", "Maxwell–Boltzmann speed distribution of a gas of molar mass M; "
         "any physical chemistry text", "4*pi*(M/(2*pi*R*T))**(3/2)*v**2*exp(-M*v**2/(2*R*T))", ("R",),
         M=(0.004, 0.044), T=(200, 1000), v=(100, 2000)),
    # --- biology -----------------------------------------------------------------------------------
    _law("logistic", "biology", "logistic growth K/(1 + exp(−r(t − t0))); any ecology text",
         "K/(1 + exp(-r*(t - t0)))", K=(100, 1000), r=(0.1, 1), t=(0.5, 50), t0=(5, 30)),
    _law("gompertz", "biology", "Gompertz growth K·exp(ln(N0/K)·exp(−rt)); any tumour or population biology text",
         "K*exp(log(N0/K)*exp(-r*t))", N0=(1, 50), K=(100, 1000), r=(0.05, 0.5), t=(0.5, 30)),
    _law("michaelis_menten", "biology", "Michaelis–Menten rate Vmax·s/(Km + s); any biochemistry text",
         "Vmax*s/(Km + s)", Vmax=(1, 100), Km=(0.1, 10), s=(0.01, 50)),
    _law("hill", "biology", "Hill equation, fraction bound sⁿ/(K_A^n + sⁿ); any biochemistry or pharmacology text",
         "s**n/(K_A**n + s**n)", s=(0.1, 10), K_A=(0.5, 5), n=(1, 4)),
    _law("haldane_growth", "biology", "Monod growth with Haldane substrate inhibition; any microbiology text",
         "mu_max*s/(K_s + s + s**2/K_i)", mu_max=(0.1, 1), K_s=(0.1, 5), K_i=(5, 50), s=(0.1, 50)),
    _law("kleiber", "biology", "Kleiber's law, metabolic rate B0·M^(3/4) (W, kg); any physiology text",
         "B0*M**(3/4)", B0=(3, 4), M=(0.02, 1000)),
    _law("lotka_volterra_prey", "biology", "Lotka–Volterra prey growth rate αx − βxy; any ecology text",
         "alpha*x - beta*x*y", alpha=(0.5, 1.5), beta=(0.01, 0.1), x=(10, 100), y=(1, 20)),
    _law("bateman", "biology", "one-compartment oral dose (Bateman function); any pharmacokinetics text",
         "D*k_a/(V*(k_a - k_el))*(exp(-k_el*t) - exp(-k_a*t))", D=(100, 500), V=(10, 50), k_a=(0.8, 2),
         k_el=(0.05, 0.4), t=(0.5, 24)),
    # --- astronomy ---------------------------------------------------------------------------------
    _law("kepler_third", "astronomy", "Kepler's third law with Newton's masses, period 2π√(a³/(G(M1+M2))); "
         "any astronomy text", "2*pi*sqrt(a**3/(G*(M1 + M2)))", ("G",), a=(5e10, 5e12), M1=(1e29, 4e31),
         M2=(1e23, 1e28)),
    _law("escape_velocity", "astronomy", "escape velocity √(2GM/r); any astronomy text",
         "sqrt(2*G*M/r)", ("G",), M=(1e23, 2e27), r=(2e6, 7e7)),
    _law("vis_viva", "astronomy", "vis-viva orbital speed √(GM(2/r − 1/a)); any celestial mechanics text",
         "sqrt(G*M*(2/r - 1/a))", ("G",), M=(1e29, 4e30), r=(5e10, 1.5e11), a=(1e11, 3e11)),
    _law("schwarzschild_radius", "astronomy", "Schwarzschild radius 2GM/c²; any astrophysics text",
         "2*G*M/c**2", ("G", "c"), M=(2e30, 2e32)),
    _law("wien_displacement", "astronomy", "Wien's displacement law, peak wavelength b/T of a star; "
         "any astronomy text", "b/T", ("b",), T=(2500, 40000)),
    _law("distance_modulus", "astronomy", "apparent magnitude M + 5·log10(d) − 5 (d in pc); any astronomy text",
         "M_abs + 5*log10(d) - 5", M_abs=(0.5, 15), d=(10, 1e4)),
    _law("equilibrium_temperature", "astronomy", "planet's equilibrium temperature (L(1−A)/(16πσd²))^(1/4); "
         "any planetary science text", "(L*(1 - albedo)/(16*pi*sigma*d**2))**(1/4)", ("sigma",),
         L=(1e26, 1e27), albedo=(0.05, 0.9), d=(5e10, 5e11)),
    _law("roche_limit", "astronomy", "rigid-body Roche limit R·(2ρ_M/ρ_m)^(1/3); any planetary science text",
         "R_p*(2*rho_p/rho_s)**(1/3)", R_p=(1000, 70000), rho_p=(700, 5500), rho_s=(500, 3000)),
    # --- engineering -------------------------------------------------------------------------------
    _law("beam_deflection", "engineering", "tip deflection of a cantilever FL³/(3EI); any strength of materials text",
         "F*L**3/(3*E*I)", F=(100, 5000), L=(0.5, 3), E=(7e10, 2.1e11), I=(1e-6, 1e-4)),
    _law("euler_buckling", "engineering", "Euler critical load π²EI/(KL)²; any strength of materials text",
         "pi**2*E*I/(K*L)**2", E=(7e10, 2.1e11), I=(1e-6, 1e-4), K=(0.5, 2), L=(1, 10)),
    _law("hagen_poiseuille", "engineering", "Hagen–Poiseuille flow rate πr⁴Δp/(8μL); any fluid mechanics text",
         "pi*r**4*dP/(8*mu*L)", r=(2e-4, 2e-3), dP=(100, 5000), mu=(0.01, 0.5), L=(0.5, 5)),
    _law("drag_force", "engineering", "quadratic drag ½ρC_dAv²; any fluid mechanics text",
         "rho*C_d*A*v**2/2", rho=(1, 1.3), C_d=(0.2, 1.2), A=(0.1, 5), v=(1, 50)),
    _law("rc_discharge", "engineering", "capacitor discharge V0·exp(−t/(RC)); any circuits text",
         "V0*exp(-t/(R*C))", V0=(1, 24), R=(1e3, 1e4), C=(1e-5, 1e-4), t=(1e-3, 0.5)),
    _law("lc_resonance", "engineering", "resonant frequency of an LC circuit 1/(2π√(LC)); any circuits text",
         "1/(2*pi*sqrt(L*C))", L=(1e-6, 1e-3), C=(1e-10, 1e-7)),
    _law("sound_level", "engineering", "sound intensity level 10·log10(I/I0) in dB; any acoustics text",
         "10*log10(I/I0)", ("I0",), I=(1e-8, 1e-2)),
    _law("tsiolkovsky", "engineering", "rocket equation Δv = v_e·ln(m0/mf); any aerospace text",
         "v_e*log(m0/mf)", v_e=(2000, 4500), m0=(500, 1000), mf=(50, 400)),
    _law("newton_cooling", "engineering", "Newton's law of cooling T_env + (T0 − T_env)·exp(−kt); "
         "any heat transfer text",
         "T_env + (T0 - T_env)*exp(-k*t)", T_env=(280, 300), T0=(320, 370), k=(0.001, 0.01), t=(10, 1000)),
    _law("lmtd", "engineering", "log-mean temperature difference (ΔT1 − ΔT2)/ln(ΔT1/ΔT2); any heat exchanger text",
         "(dT1 - dT2)/log(dT1/dT2)", dT1=(20, 80), dT2=(2, 15)),
)
# fmt: on


def load_problems() -> list[Problem]:
    """All problems, in their order."""
    return list(PROBLEMS)


def sample(problem: Problem, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw each variable uniformly in its range and evaluate the law with its constants' values."""
    return _sample(problem, n, rng, constants=problem.constants)  # type: ignore[arg-type]


def judge_law(found: sp.Expr, problem: Problem, r2_test: float):
    """:func:`feynman_problems.judge` against the problem's law, with its ranges and named constants."""
    return judge(found, problem.expression, r2_test, ranges=problem.domain, constants=problem.constants)


def feynman_coincidences(problems: list[Problem] | None = None) -> list[tuple[str, str]]:
    """(problem, Feynman equation) pairs whose formulas are equal, names as given (best effort).

    The Feynman table counts constants such as G and c among its variables, so
    a problem's variables and constants together are compared with a Feynman
    row's variables; only rows with the same names can simplify to a zero
    difference, so only those are simplified.
    """
    equations: list[Equation] = load_equations()
    pairs = []
    for problem in problems or load_problems():
        expr = problem.expression
        names = {s.name for s in expr.free_symbols}
        for equation in equations:
            if len(equation.variables) != len(problem.variables) + len(problem.constants):
                continue
            if set(equation.variables) != names:
                continue
            if sp.simplify(expr - equation.expression) == 0:
                pairs.append((problem.name, equation.name))
    return pairs


def feynman_lookalikes(problems: list[Problem] | None = None, points: int = 6) -> list[tuple[str, str]]:
    """(problem, Feynman equation) pairs equal up to a renaming of the symbols (numerical, best effort).

    Stricter than :func:`feynman_coincidences`: both formulas are evaluated at
    the same random points with every assignment of the problem's symbols
    (variables and constants) to the Feynman row's variables.
    """
    rng = np.random.default_rng(0)
    equations = [
        (e.name, len(e.variables), sp.lambdify([sp.Symbol(v) for v in e.variables], e.expression, "numpy"))
        for e in load_equations()
    ]
    pairs = []
    for problem in problems or load_problems():
        names = problem.variables + tuple(problem.constants)
        k = len(names)
        P = rng.uniform(1, 3, (k, points))
        with np.errstate(all="ignore"):
            y = np.asarray(sp.lambdify([sp.Symbol(n) for n in names], problem.expression, "numpy")(*P), float)
        orders = np.array(list(permutations(range(k))))
        for name, count, f in equations:
            if count != k:
                continue
            with np.errstate(all="ignore"):
                z = np.asarray(f(*P[orders.T]), float) * np.ones((len(orders), points))
            both = np.isfinite(z) & np.isfinite(y)
            same = np.isclose(z, y, rtol=1e-9, atol=0) | ~both
            if np.any(same.all(axis=1) & (both.sum(axis=1) >= 3)):
                pairs.append((problem.name, name))
    return pairs
