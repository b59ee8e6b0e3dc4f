"""``time_limit`` holds: discover returns within the limit plus its grace, saying when it stopped early."""

import time

import numpy as np
import pytest
import torch  # noqa: F401  (imported once per process, ~2 s, before the clock starts)

from discovery import discover
from discovery.deadline import Deadline, grace


def test_the_grace_is_two_seconds_or_a_tenth_of_the_limit():
    assert grace(5) == 2.0 and grace(30) == 3.0 and grace(600) == 60.0


def test_a_deadline_allows_work_that_ends_before_the_limit_and_half_the_grace():
    now = time.perf_counter()
    deadline = Deadline(10.0, start=now - 9.0)  # 1 s left, grace 2 s
    assert deadline.allows(1.9) and not deadline.allows(2.5)
    assert not deadline.passed() and Deadline(10.0, start=now - 11.0).passed()
    assert Deadline(None).allows(1e9) and Deadline(None).left() == np.inf


@pytest.mark.slow
def test_a_fit_that_would_end_past_the_limit_is_not_started(rng, monkeypatch):
    from discovery.search import growers

    original = growers.fit_library

    def slow_for_large_libraries(data, library, *args, **kwargs):
        if len(library) >= 50:  # the level-1 libraries, not the proposals of level 0
            time.sleep(3.0)
        return original(data, library, *args, **kwargs)

    monkeypatch.setattr(growers, "fit_library", slow_for_large_libraries)
    X = rng.uniform(1, 2, size=(500, 2))
    y = X[:, 0] ** 2 * X[:, 1] + np.sin(X[:, 1]) + rng.normal(0, 0.01, 500)  # not found at level 0
    start = time.perf_counter()
    law = discover(X, y, random_state=0, method="basis", time_limit=4.0)
    seconds = time.perf_counter() - start
    # One level-1 fit (3 s) runs; a second would end past 4 s + 1 s, so it is not started.
    assert seconds < 4.0 + grace(4.0), seconds
    assert law.info["time_limit_reached"] is True
    assert "not started" in law.info["stopped"] and "level 1" in law.info["stopped"]
    assert np.all(np.isfinite(law.predict(X)))


def test_a_search_within_the_limit_says_nothing_about_it(cannon):
    law = discover(cannon.X, cannon.y, variables=["v", "theta"], constants={"g": 9.81}, time_limit=30, random_state=0)
    assert "time_limit_reached" not in law.info


@pytest.mark.parametrize("time_limit", [3.0, 6.0])
@pytest.mark.slow
def test_operon_returns_within_its_limit(cannon, time_limit):
    pytest.importorskip("pyoperon", reason="pyoperon is not installed (pip install .[operon])")
    start = time.perf_counter()
    discover(cannon.X, cannon.y, variables=["v", "theta"], method="operon", time_limit=time_limit, random_state=0)
    assert time.perf_counter() - start < time_limit + grace(time_limit)
