"""Shared, seeded data sets."""

from __future__ import annotations

import numpy as np
import pytest

from discovery.article.cannon import cannon_shots


@pytest.fixture
def cannon():
    """1,000 noisy shots of the article's cannon, seed 0."""
    return cannon_shots(n=1000, seed=0)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
