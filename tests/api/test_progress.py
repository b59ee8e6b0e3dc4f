"""Progress bars: shown where someone is watching, silent in pipes and tests or when verbose=False; Ctrl-C still
returns the best law."""

from __future__ import annotations

import numpy as np
import pytest

import discovery.progress as progress
from discovery import discover, discover_system
from discovery.search import levels


@pytest.fixture()
def data():
    rng = np.random.default_rng(7)
    X = rng.uniform(0.5, 3, (200, 2))
    return X, X[:, 0] ** 2 * np.sin(X[:, 1]) + 0.1 * X[:, 1]


def test_silent_when_no_one_is_watching(data, capsys):
    X, y = data
    discover(X, y, variables=["a", "b"], method="basis", random_state=0)
    assert capsys.readouterr().err == ""


def test_a_bar_where_someone_is_watching_and_the_same_law(data, capsys, monkeypatch):
    X, y = data
    quiet = discover(X, y, variables=["a", "b"], method="basis", random_state=0)
    capsys.readouterr()
    monkeypatch.setattr(progress, "interactive", lambda: True)
    shown = discover(X, y, variables=["a", "b"], method="basis", random_state=0)
    err = capsys.readouterr().err
    assert "basis search" in err and "level 1" in err and "it/s" in err  # tqdm's bar, its stage and last step
    assert shown.expression == quiet.expression
    assert progress.current() is not None and not progress.current().shown  # the bar is closed after the call


def test_verbose_false_is_silent_even_when_watched(data, capsys, monkeypatch):
    monkeypatch.setattr(progress, "interactive", lambda: True)
    X, y = data
    discover(X, y, variables=["a", "b"], method="basis", random_state=0, verbose=False)
    assert capsys.readouterr().err == ""


def test_verbose_true_writes_lines_and_no_bar_in_a_pipe(data, capsys):
    X, y = data
    discover(X, y, variables=["a", "b"], method="basis", random_state=0, verbose=True)
    err = capsys.readouterr().err
    assert "[discover] level 0, target y" in err and "it/s" not in err


def test_ctrl_c_returns_the_best_law_and_closes_the_bar(data, monkeypatch, capsys):
    monkeypatch.setattr(progress, "interactive", lambda: True)
    fit = levels.Grower.fit

    def interrupted_at_level_one(self, level, library=None):
        if level >= 1:
            raise KeyboardInterrupt
        return fit(self, level, library)

    monkeypatch.setattr(levels.Grower, "fit", interrupted_at_level_one)
    X, y = data
    with pytest.warns(RuntimeWarning, match="interrupted: returning the best law found so far"):
        law = discover(X, y, variables=["a", "b"], method="basis", random_state=0)
    assert law.info["interrupted"] is True
    assert not progress.current().shown


@pytest.mark.slow
def test_a_system_shows_one_bar_for_all_its_searches(capsys, monkeypatch):
    monkeypatch.setattr(progress, "interactive", lambda: True)
    t = np.linspace(0, 6, 200)
    states = np.column_stack([np.cos(t), -np.sin(t)])  # dx/dt = y, dy/dt = -x
    discover_system(t, states, variables=["x", "y"], random_state=0, time_limit=20, check=False)
    err = capsys.readouterr().err
    assert "discover_system" in err and "dx/dt" in err and "dy/dt" in err
    assert "discover:" not in err  # the searches inside advanced the system's bar, not bars of their own
