"""One state's derivative as a regression problem: what every search of that state reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..io.dataset import NO_KNOWN_ERROR, TargetError
from .trajectories import Trajectories


@dataclass(frozen=True)
class StateTarget:
    """The searches' shared view of one state: its trajectories, its pointwise rows and its derivative's error.

    Attributes
    ----------
    data : Trajectories
        All the trajectories (the weak and integral formulations and the integral check read them).
    state : int
        The state's index in ``data.states``.
    names : tuple of str
        The laws' variables: the states, then the inputs.
    constants : mapping of name → float
        The named constants the laws may contain.
    target : str
        The derivative's name in a formula (``dx_dt``).
    X, y : ndarray
        The pointwise rows: the (smoothed) states and inputs, and the estimated derivative.
    random_state : int or None
        The searches' seed.
    known : TargetError
        The derivative estimate's own error, the searches' exact-fit floor.
    """

    data: Trajectories
    state: int
    names: tuple[str, ...]
    constants: Mapping[str, float]
    target: str
    X: np.ndarray
    y: np.ndarray
    random_state: int | None = None
    known: TargetError = field(default=NO_KNOWN_ERROR)
