"""The self-starting models of nonlinear regression, on tables of the size an experiment gives.

A rise to a plateau from zero (BOD), an absorption and elimination with one
amplitude (a first-order pharmacokinetic curve), two decays, Antoine's
vapour pressure and a dose–response curve from zero-dose controls: each
recovered by ``discover(method="forms")`` from 8 to 19 rows (four constants
need 12, see ``terms_allowed``) with its own number of free constants, a tied
amplitude counted once.
"""

import math

import numpy as np
import pytest
import sympy as sp

from discovery import discover
from discovery.io.dataset import as_dataset
from discovery.settle.expression_fit import settle_expression

# (rows of t, truth, free constants): R's SSasympOrig, SSfol, SSbiexp and Antoine's equation.
CURVES = [
    (np.array([1, 2, 3, 4, 5, 7, 9, 12.0]), lambda t: 19.0 * (1 - np.exp(-0.5 * t)), 2),
    (np.array([0.25, 0.5, 1, 2, 3.5, 5, 7, 9, 12, 24.0]), lambda t: 11.0 * (np.exp(-0.05 * t) - np.exp(-1.8 * t)), 3),
    (
        np.array([0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8.0]),
        lambda t: 2.0 * np.exp(-1.9 * t) + 0.6 * np.exp(-0.2 * t),
        4,
    ),
    (np.linspace(0.0, 250.0, 19), lambda t: np.exp(18.0 - 6800.0 / (t + 260.0)), 3),
    # A dose–response table with its zero-dose controls: d/(1 + (u/e)^b), drc's LL.3.
    (np.array([0, 0, 0, 0.5, 0.5, 1, 1, 2, 2, 4, 4, 8, 8, 16, 16.0]), lambda t: 900.0 / (1 + (t / 2.0) ** 1.4), 3),
]


NAMES = ["rise", "first order", "two decays", "antoine", "dose response"]


@pytest.mark.parametrize("t, truth, constants", CURVES, ids=NAMES)
def test_a_self_starting_model_is_recovered_from_a_small_table(t, truth, constants):
    rng = np.random.default_rng(3)
    clean = truth(t)
    y = clean * (1 + 0.003 * rng.standard_normal(len(t)))
    law = discover(t[:, None], y, variables=["t"], method="forms", random_state=0)
    assert len(law.coefficients) == constants, law.formula
    fine = np.linspace(t.min(), t.max(), 200)
    gap = np.max(np.abs(law.predict(fine[:, None]) - truth(fine))) / np.ptp(clean)
    assert gap < 0.02, law.formula


def test_a_tied_amplitude_is_one_constant_when_settled():
    t = np.array([1, 2, 3, 4, 5, 7.0])
    y = np.array([8.3, 10.3, 19.0, 16.0, 15.6, 19.8])  # R's BOD
    symbol = sp.Symbol("Time")
    tied = sp.Mul(sp.Float(19.0), 1 - sp.exp(sp.Float(-0.5) * symbol), evaluate=False)
    settled = settle_expression(tied, as_dataset(t[:, None], y, variables=["Time"]), snap=False)
    assert len(settled.coefficients) == 2
    # SymPy prints it as A − A·e^(−r·t): the same A twice, not a second constant fitted apart.
    assert len({abs(f) for f in settled.expression.atoms(sp.Float)}) == 2, settled.expression


def test_a_probit_curve_is_read_as_a_cumulative_normal():
    age = np.linspace(9.0, 17.0, 25)
    truth = 0.5 + 0.5 * np.vectorize(math.erf)(0.65 * (age - 13.0))
    y = truth + 0.004 * np.random.default_rng(1).standard_normal(len(age))
    law = discover(age[:, None], y, variables=["age"], method="forms", random_state=0)
    assert law.expression.has(sp.erf), law.formula
    assert np.max(np.abs(law.predict(age[:, None]) - truth)) < 0.02, law.formula
