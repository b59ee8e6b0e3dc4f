"""Short-series cases: one uneven, noisy trajectory per case, the same on every run; the table counts verdicts."""

import numpy as np
import pytest
import sympy as sp

from benchmarks.short_series import summary
from benchmarks.short_series_problems import NOISE_LEVELS, SAMPLES, cases, load_short_systems, short_series
from benchmarks.term_coverage import term_verdict


def test_each_case_is_one_uneven_noisy_trajectory_that_starts_at_its_initial_condition():
    system = next(s for s in load_short_systems() if s.name == "damped oscillator")
    case = short_series(system, 20, 0.05)
    assert case.t.shape == (20,) and case.t[0] == 0.0 and np.all(np.diff(case.t) > 0)
    assert np.ptp(np.diff(case.t)) > 0.1 * np.mean(np.diff(case.t))  # unevenly spaced
    noise = case.noisy - case.clean
    rms = np.sqrt(np.mean(case.clean**2, axis=0))
    assert np.all(np.abs(np.std(noise, axis=0) / rms - 0.05) < 0.03)
    again = short_series(system, 20, 0.05)
    assert np.array_equal(case.noisy, again.noisy)


def test_every_system_at_every_size_and_level():
    assert len(cases()) == len(load_short_systems()) * len(SAMPLES) * len(NOISE_LEVELS)


def test_the_table_counts_right_terms_coverage_flags_and_wrong_laws_given_as_laws():
    wrong = {"right_terms": False, "covered": False}
    records = [
        {"tool": "discovery", "system": "logistic growth", "samples": 20, "noise": 0.05, "seconds": 1.0,
         "rhs": [{"state": "N", "right_terms": True, "covered": True}], "undetermined": []},
        {"tool": "discovery", "system": "damped oscillator", "samples": 20, "noise": 0.05, "seconds": 3.0,
         "refused": "too few samples"},
        {"tool": "discovery", "system": "SIR epidemic", "samples": 20, "noise": 0.05, "seconds": 2.0,
         "rhs": [{"state": "S", **wrong}, {"state": "I", **wrong}], "undetermined": ["dS/dt: ..."]},
        {"tool": "discovery", "system": "substrate depletion", "samples": 20, "noise": 0.05, "seconds": 2.0,
         "rhs": [{"state": "S", **wrong}], "undetermined": []},
    ]  # fmt: skip
    row = summary(records, ["discovery"]).splitlines()[2]
    assert row == "| discovery | 20 | 0.05 | 1 / 6 | 1 | 2 | 1 | 0 | 2.0 |"


def test_tuned_pysindy_gives_each_kept_coefficient_an_interval():
    pytest.importorskip("pysindy")
    from benchmarks.pysindy_runs import THRESHOLDS, fit_pysindy

    t = np.linspace(0, 10, 200)
    x = np.column_stack([np.exp(-0.5 * t), 2 * np.exp(-0.2 * t)])  # x' = -0.5x, y' = -0.2y
    found = fit_pysindy("tuned", [t], [x], ("x", "y"))
    assert found["threshold"] in THRESHOLDS
    for j, (state, rate) in enumerate([("x", -0.5), ("y", -0.2)]):
        coefficients = {str(c.term): c for c in found["coefficients"][j]}
        assert all(c.ci95[0] <= c.value <= c.ci95[1] for c in coefficients.values())
        assert abs(coefficients[state].value - rate) < 0.05
        truth = rate * sp.Symbol(state)
        assert term_verdict(found["expressions"][j], truth, {}, found["coefficients"][j]).covered is not None
