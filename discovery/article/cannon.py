"""The cannon experiment of the seed article: data and the true law."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

G = 9.81
VARIABLES = ("v", "theta")
TRUE_LAW = "v**2*sin(2*theta)/g"


@dataclass(frozen=True)
class CannonData:
    """Shots of the cannon: ``X[:, 0]`` is v, ``X[:, 1]`` is θ, ``y`` the distance s."""

    X: np.ndarray
    y: np.ndarray


def true_distance(X: np.ndarray, g: float = G) -> np.ndarray:
    """Noise-free range s = v² sin(2θ) / g of shots ``X = [v, theta]``."""
    X = np.asarray(X, dtype=np.float64)
    return X[:, 0] ** 2 * np.sin(2 * X[:, 1]) / g


def cannon_shots(
    n: int = 1000,
    seed: int | None = 0,
    noise: float = 0.01,
    v_range: tuple[float, float] = (0.0, 10.0),
    clip_negative: bool = True,
) -> CannonData:
    """Simulate the article's day of firing.

    v is uniform in ``v_range``, θ uniform in [0, π/2], s = v² sin(2θ)/g with
    g = 9.81 plus Gaussian noise of standard deviation ``noise``; negative
    measured distances are set to 0, as in the article.

    Parameters
    ----------
    n : int
        Number of shots.
    seed : int or None
        Seed of the random generator.
    noise : float
        Standard deviation of the additive measurement noise.
    v_range : (float, float)
        Range of muzzle speeds.
    clip_negative : bool
        Set negative distances to 0.
    """
    rng = np.random.default_rng(seed)
    v = rng.uniform(*v_range, size=n)
    theta = rng.uniform(0.0, np.pi / 2, size=n)
    X = np.column_stack([v, theta])
    y = true_distance(X) + noise * rng.standard_normal(n)
    if clip_negative:
        y = np.maximum(y, 0.0)
    return CannonData(X, y)
