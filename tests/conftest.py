"""Shared, seeded data sets and fits, and the test run's settings."""

from __future__ import annotations

import os

import numpy as np
import pytest

from discovery import Law, discover
from discovery.article.cannon import cannon_shots

_THREAD_LIMITS = pytest.StashKey[object]()


def pytest_configure(config: pytest.Config) -> None:
    """One BLAS and torch thread in each xdist worker: the workers fill the cores, and more threads only wait."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        import threadpoolctl
        import torch

        torch.set_num_threads(1)
        config.stash[_THREAD_LIMITS] = threadpoolctl.threadpool_limits(1)


@pytest.fixture
def cannon():
    """1,000 noisy shots of the article's cannon, seed 0."""
    return cannon_shots(n=1000, seed=0)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


# Fits that several tests only read, found once per process. A test that changes a law makes its own.


@pytest.fixture(scope="session")
def cannon_law_y() -> Law:
    """``discover`` on the ``cannon`` shots with ``g`` named: ``y = v**2*sin(2*theta)/g``."""
    shots = cannon_shots(n=1000, seed=0)
    return discover(shots.X, shots.y, variables=["v", "theta"], constants={"g": 9.81}, random_state=0)


@pytest.fixture(scope="session")
def cannon_law_s() -> Law:
    """The same search with the target named ``s``: ``s = v**2*sin(2*theta)/g``."""
    shots = cannon_shots(n=1000, seed=0)
    return discover(shots.X, shots.y, variables=["v", "theta"], target="s", constants={"g": 9.81}, random_state=0)
