"""The parametric forms' catalogue: each form's columns c(u; θ), where its LM runs start, how it is read.

:mod:`discovery.search.forms` fits them over monomials of the inputs. A new
form is one entry of ``FORMS`` and, when the shared starts do not suit it,
its own ``starts`` function here.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from bases.compile import compile_positional

FREQUENCIES = 60  # grid of the damped oscillation's frequency scan

U = sp.Symbol("u")
T0, T1 = sp.symbols("theta0 theta1")


@dataclass(frozen=True)
class Form:
    """Columns c(u; θ) with nonlinear parameters θ, and where LM starts from.

    Attributes
    ----------
    name : str
    columns : list of sympy.Expr
        In ``U`` and the first ``n_theta`` of ``T0, T1``.
    n_theta : int
    starts : callable
        ``(u, y) -> list of θ vectors`` to score before the LM runs.
    nonnegative : bool
        True when the form needs u ≥ 0 (powers with a fitted exponent). Rows
        at u = 0 are kept: where the columns are not finite there (a
        logarithm, a negative exponent), that fit fails and another is tried;
        a dose–response table's zero-dose controls stay in a Hill curve's fit.
    combine : callable, optional
        ``(coefficients, terms) -> expression`` for one outer term's share,
        when the plain sum Σ a·c is not how the form is read.
    """

    name: str
    columns: tuple[sp.Expr, ...]
    n_theta: int
    starts: Callable[[np.ndarray, np.ndarray], list[np.ndarray]]
    nonnegative: bool = False
    combine: Callable[[list[float], list[sp.Expr]], sp.Expr] | None = None

    @functools.cached_property
    def evaluate(self) -> Callable[..., list[np.ndarray]]:
        """``(u, θ) -> columns``, compiled once."""
        compiled = compile_positional(list(self.columns), (U, T0, T1)[: 1 + self.n_theta], "numpy")
        return lambda u, theta: [np.broadcast_to(c, u.shape) for c in compiled(u, *theta)]

    def symbolic(self, u: sp.Expr, theta: Sequence[float]) -> list[sp.Expr]:
        """The columns with ``u`` and the fitted θ put in."""
        values = {U: u, **{t: sp.Float(float(v)) for t, v in zip((T0, T1), theta)}}
        return [c.xreplace(values) for c in self.columns]

    def share(self, coefficients: list[float], columns: list[sp.Expr]) -> sp.Expr:
        """One outer term's share Σ a·c as the form is read (``combine``, else the plain sum)."""
        return (self.combine or _plain_sum)(coefficients, columns)


def _spread(u: np.ndarray) -> float:
    lo, hi = np.quantile(u, [0.05, 0.95])
    return float(hi - lo) or float(np.ptp(u)) or 1.0


def _rate_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    s = _spread(u)
    return [np.array([sign * k / s]) for sign in (1, -1) for k in (0.3, 1, 3, 10)]


def _no_theta(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    return [np.zeros(0)]


def _exponent_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    return [np.array([p]) for p in (-3, -2, -1, -0.5, 0.5, 1.5, 2, 3)]


def _logistic_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    s = _spread(u)
    centres = list(np.quantile(u, [0.25, 0.5, 0.75]))
    if u.min() <= 0.1 * s:  # rows from about u = 0 on: a tanh rising from 0 is centred there
        centres.append(0.0)
    return [np.array([sign * k / s, c]) for sign in (1, -1) for k in (4, 16) for c in centres]


def _half_point_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    return [np.array([c]) for c in np.quantile(u, [0.05, 0.25, 0.5, 0.75, 0.95])]


def _hill_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    return [np.array([c, n]) for c in np.quantile(u, [0.1, 0.3, 0.5, 0.7, 0.9]) for n in (1, 2, 4)]


def _peak_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    s = _spread(u)
    centres = [u[np.argmax(y)], u[np.argmin(y)], *np.quantile(u, [0.25, 0.5, 0.75])]
    return [np.array([c, w * s]) for c in centres for w in (0.05, 0.15, 0.4)]


def _oscillation_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    s = float(np.ptp(u)) or 1.0
    frequencies = 2 * np.pi * np.geomspace(0.5, len(u) / 8, FREQUENCIES) / s
    # One decay rate: LM finds the rate from a right frequency, and each start costs a solve.
    return [np.array([0.0, w]) for w in frequencies]


def _planck_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    return [np.array([k / c]) for c in np.quantile(u, [0.25, 0.5, 0.75]) for k in (0.5, 2.8, 8)]


def _rational_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    # Levy's linearisation: y·(1 + θ₀u + θ₁u²) = p₀ + p₁u + p₂u² is linear in p and θ.
    design = np.column_stack([np.ones_like(u), u, u**2, -u * y, -(u**2) * y])
    scale = column_scale(design)
    coef, *_ = np.linalg.lstsq(design / scale, y, rcond=None)
    theta = (coef / scale)[3:]
    return [theta, np.zeros(2)] if np.all(np.isfinite(theta)) else [np.zeros(2)]


# Exponents of the two power laws' starts: integers and halves common in physics (a pair's LM run
# moves them, and the SymPy layer snaps what it finds).
PAIR_EXPONENTS = (-12, -9, -6, -4, -3, -2, -1, -0.5, 0.5, 1, 2, 3, 4, 6, 9, 12)


def _exponent_pair_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    return [np.array([p, q]) for p, q in itertools.combinations(PAIR_EXPONENTS, 2)]


def _binomial_starts(power: int) -> Callable[[np.ndarray, np.ndarray], list[np.ndarray]]:
    """Starts of (1 + θ₀·u^power)^θ₁: θ₀ from the scale of u^power (negative ones keep the base positive)."""

    def starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
        w = np.abs(u) ** power
        top = float(w.max()) or 1.0
        scales = [1 / q for q in np.quantile(w, [0.05, 0.5, 0.95]) if q > 0] + [-k / top for k in (0.5, 0.9, 0.99)]
        return [np.array([s, e]) for s in scales for e in (-1, -0.5, 0.5)]

    return starts


def _bose_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """Rates ±k/spread, and a shift at 0 or just outside the rows (inside, the columns have a pole)."""
    s = _spread(u)
    lo, hi = float(u.min()), float(u.max())
    shifts = (0.0, lo - 0.05 * s, lo - 0.3 * s, hi + 0.05 * s, hi + 0.3 * s)
    return [np.array([sign * k / s, c]) for sign in (1, -1) for k in (1, 3, 10) for c in shifts]


def _two_rate_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """Pairs of rates θ₀ < θ₁ a factor 3 or more apart, on the scale of u's spread (a slow and a fast phase)."""
    s = _spread(u)
    rates = [k / s for k in (0.1, 0.3, 1, 3, 10, 30)]
    return [np.array([slow, fast]) for slow, fast in itertools.combinations(rates, 2) if fast >= 3 * slow]


def _poles_outside(u: np.ndarray, gaps: Sequence[float], right: bool = False) -> list[float]:
    """Shifts θ putting the pole of 1/(u + θ) ``gap``·spread left of the rows (or right of them)."""
    s = _spread(u)
    return [-float(u.max()) - gap * s for gap in gaps] if right else [gap * s - float(u.min()) for gap in gaps]


def _shifted_reciprocal_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """exp(θ₀/(u + θ₁)): poles θ₁ left of the rows, θ₀ from a line through log|y| against 1/(u + θ₁)."""
    fallback = -_spread(u)
    starts = []
    for shift in _poles_outside(u, (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)):
        with np.errstate(all="ignore"):
            slope = np.polyfit(1.0 / (u + shift), np.log(np.abs(y)), 1)[0] if np.all(y != 0) else fallback
        starts.append(np.array([float(slope) if np.isfinite(slope) else fallback, shift]))
    return starts


def _pole_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """1/(u + θ): the pole a little to a lot outside the rows, on either side (inside, the column is not finite)."""
    gaps = (0.05, 0.2, 1.0, 5.0)
    return [np.array([shift]) for shift in _poles_outside(u, gaps) + _poles_outside(u, gaps, right=True)]


def _tied(coefficients: list[float], columns: list[sp.Expr]) -> sp.Expr:
    """``a·c`` with c kept whole: one amplitude for the column's sum, ``a·(1 − e^(−ru))``, not two."""
    return sp.Add(*(sp.Mul(sp.Float(a), c, evaluate=False) for a, c in zip(coefficients, columns) if a != 0))


def _plain_sum(coefficients: list[float], columns: list[sp.Expr]) -> sp.Expr:
    return sp.Add(*(sp.Float(a) * c for a, c in zip(coefficients, columns) if a != 0))


def _amplitude_and_phase(coefficients: list[float], columns: list[sp.Expr]) -> sp.Expr:
    """``a₀ + e^{−θ₀u}(a₁cos θ₁u + a₂sin θ₁u)`` read as ``a₀ + R·e^{−θ₀u}·cos(θ₁u + φ)``."""
    offset, a, b = coefficients
    decay_cos = columns[1]
    # columns[1] is exp(−θ₀u)·cos(θ₁u): shift the cosine's argument by the phase.
    cosine = next(f for f in decay_cos.atoms(sp.cos))
    phase = math.atan2(-b, a)
    shifted = decay_cos.xreplace({cosine: sp.cos(cosine.args[0] + sp.Float(phase))})
    return sp.Float(offset) + sp.Float(math.hypot(a, b)) * shifted


FORMS: tuple[Form, ...] = (
    Form("exponential", (sp.Integer(1), sp.exp(T0 * U)), 1, _rate_starts),
    Form("power law", (sp.Integer(1), U**T0), 1, _exponent_starts, nonnegative=True),
    # The power law's limit as its exponent goes to 0 (Box–Cox): (u^θ − 1)/θ → log u. Without it a
    # noisy logarithmic law (pH, decibels, magnitudes) is fitted as 22·(1 − u^0.02), an extra θ.
    Form("logarithm", (sp.Integer(1), sp.log(U)), 0, _no_theta, nonnegative=True),
    Form("logistic", (sp.Integer(1), 1 / (1 + sp.exp(-T0 * (U - T1)))), 2, _logistic_starts),
    Form("saturating", (sp.Integer(1), U / (T0 + U)), 1, _half_point_starts, nonnegative=True),
    Form("hill", (sp.Integer(1), U**T1 / (T0**T1 + U**T1)), 2, _hill_starts, nonnegative=True),
    Form("gaussian", (sp.Integer(1), sp.exp(-((U - T0) ** 2) / (2 * T1**2))), 2, _peak_starts),
    Form(
        "damped oscillation",
        (sp.Integer(1), sp.exp(-T0 * U) * sp.cos(T1 * U), sp.exp(-T0 * U) * sp.sin(T1 * U)),
        2,
        _oscillation_starts,
        combine=_amplitude_and_phase,
    ),
    Form("rational", tuple(U**k / (1 + T0 * U + T1 * U**2) for k in range(3)), 2, _rational_starts),
    Form("planck", (sp.Integer(1), U**3 / (sp.exp(T0 * U) - 1)), 1, _planck_starts, nonnegative=True),
    # Two power laws (a Mie or Lennard-Jones potential, a two-regime scaling).
    Form("two powers", (sp.Integer(1), U**T0, U**T1), 2, _exponent_pair_starts, nonnegative=True),
    # A power of a binomial (a Lorentz factor, a field on an axis, a Student-t or Cauchy tail).
    Form("binomial power", (sp.Integer(1), (1 + T0 * U) ** T1), 2, _binomial_starts(1), nonnegative=True),
    Form("binomial power of u²", (sp.Integer(1), (1 + T0 * U**2) ** T1), 2, _binomial_starts(2), nonnegative=True),
    # 1/(e^z − 1) and u/(e^z − 1) with z = θ₀(u − θ₁): Bose–Einstein occupation, the Bernoulli function
    # z/(e^z − 1) of gating rates and Goldman–Hodgkin–Katz fluxes.
    Form(
        "bose",
        tuple(U**k / (sp.exp(T0 * (U - T1)) - 1) for k in range(2)) + (sp.Integer(1),),
        2,
        _bose_starts,
    ),
    # The self-starting models of nonlinear regression (R's SSasympOrig, SSfol, SSbiexp) and Antoine's
    # vapour pressure: a rise to a plateau from 0, an absorption and elimination with one amplitude, two
    # decays, and exp(θ₀/(u + θ₁)) (an Arrhenius law with a shifted temperature, Vogel–Fulcher–Tammann).
    Form("exponential rise", (1 - sp.exp(-T0 * U),), 1, _rate_starts, combine=_tied),
    Form("exponential difference", (sp.exp(-T0 * U) - sp.exp(-T1 * U),), 2, _two_rate_starts, combine=_tied),
    Form("two exponentials", (sp.exp(-T0 * U), sp.exp(-T1 * U)), 2, _two_rate_starts),
    Form("shifted reciprocal exponential", (sp.Integer(1), sp.exp(T0 / (U + T1))), 2, _shifted_reciprocal_starts),
    # A dose–response curve falling from its control level to 0, d/(1 + (u/e)^b) (drc's LL.3 with a
    # floor of 0), the probit's cumulative normal, and a hyperbola a + b/(u + θ) (Stormer's viscometer).
    Form("hill decline", (1 / (1 + (U / T0) ** T1),), 2, _hill_starts, nonnegative=True),
    Form("normal cdf", (sp.Integer(1), sp.erf(T0 * (U - T1))), 2, _logistic_starts),
    Form("hyperbola", (sp.Integer(1), 1 / (U + T0)), 1, _pole_starts),
    # An exponential and its square (a Morse potential, two relaxations at rates k and 2k).
    Form("exponential pair", (sp.Integer(1), sp.exp(T0 * U), sp.exp(2 * T0 * U)), 1, _rate_starts),
)


def column_scale(design: np.ndarray) -> np.ndarray:
    """Each column's RMS, 1 where it is 0 (or not a number): the design's columns are divided by it."""
    # RMS of the column over its largest value: squares of columns near 1e154 (e^(θu) from a far LM
    # step) overflow, and an infinite scale made NaN that LAPACK rejected, loudly.
    top = np.abs(design).max(axis=0)
    top[~(top > 0) | ~np.isfinite(top)] = 1.0
    scale = top * np.sqrt(((design / top) ** 2).mean(axis=0))
    scale[~(scale > 0) | ~np.isfinite(scale)] = 1.0
    return scale
