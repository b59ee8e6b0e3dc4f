"""Target transforms: laws that become linear in simple terms after transforming y.

``m0/sqrt(1 - v²/c²)`` is a sum of two simple terms after ``y → 1/y²``;
``1/(1/d1 + n/d2)`` after ``y → 1/y``; ``arcsin(n sin θ)`` after ``y → sin y``;
``exp(-θ²/2)`` after ``y → log y``. Each transform has its inverse, applied to
the law found for the transformed target.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp


@dataclass(frozen=True)
class Transform:
    """``y' = forward(y)`` and the law for y from the law for y'."""

    name: str
    forward: Callable[[np.ndarray], np.ndarray]
    inverse: Callable[[sp.Expr, int], sp.Expr]  # (law for y', sign of y) -> law for y
    applies: Callable[[np.ndarray], bool]
    # The inverse on numbers, and its derivative, for refitting a mapped law on y itself.
    numeric_inverse: Callable[[np.ndarray, int], np.ndarray]
    inverse_slope: Callable[[np.ndarray, int], np.ndarray]


def _one_sign(y: np.ndarray) -> bool:
    return bool(np.all(y > 0) or np.all(y < 0))


TRANSFORMS: tuple[Transform, ...] = (
    Transform("1/y", lambda y: 1 / y, lambda e, s: 1 / e, _one_sign, lambda u, s: 1 / u, lambda u, s: -1 / u**2),
    Transform(
        "y**2",
        lambda y: y**2,
        lambda e, s: s * sp.sqrt(e),
        _one_sign,
        lambda u, s: s * np.sqrt(u),
        lambda u, s: s / (2 * np.sqrt(u)),
    ),
    Transform(
        "1/y**2",
        lambda y: 1 / y**2,
        lambda e, s: s / sp.sqrt(e),
        _one_sign,
        lambda u, s: s / np.sqrt(u),
        lambda u, s: -s / (2 * u**1.5),
    ),
    Transform(
        "log(y)",
        lambda y: np.log(y),
        lambda e, s: sp.exp(e),
        lambda y: bool(np.all(y > 0)),
        lambda u, s: np.exp(u),
        lambda u, s: np.exp(u),
    ),
    Transform(
        "sqrt(y)",
        lambda y: np.sqrt(y),
        lambda e, s: e**2,
        lambda y: bool(np.all(y > 0)),
        lambda u, s: u**2,
        lambda u, s: 2 * u,
    ),
    Transform(
        "sin(y)",
        lambda y: np.sin(y),
        lambda e, s: sp.asin(e),
        lambda y: bool(np.all(np.abs(y) < np.pi / 2)),
        lambda u, s: np.arcsin(u),
        lambda u, s: 1 / np.sqrt(1 - u**2),
    ),
)


def applicable(y: np.ndarray) -> list[Transform]:
    """The transforms defined on every value of ``y`` (and invertible there)."""
    return [t for t in TRANSFORMS if t.applies(y)]


def sign_of(y: np.ndarray) -> int:
    """+1 when y is positive throughout, else -1 (used by square-root inverses)."""
    return 1 if np.all(y > 0) else -1
