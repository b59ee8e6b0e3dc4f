"""The trajectory fit's Jacobian, from the variational equations, against finite differences of simulations."""

from __future__ import annotations

import numpy as np
import sympy as sp

from discovery.dynamics.fit_parameters import with_saturation_constants
from discovery.dynamics.sensitivity import VariationalJacobian, _sensitivities
from discovery.dynamics.system import integrate
from discovery.dynamics.trajectories import as_trajectories

x, y = sp.symbols("x y")


def test_variational_jacobian_matches_differenced_misses():
    """Every column (coefficients, a saturation constant, each trajectory's x0) equals a difference of misses."""
    parameters = with_saturation_constants([x, x * y / (x**2 + 2), y, x * y], [0, 0, 1, 1], [1.0, -2.0, 2.0, -1.0])
    t = np.linspace(0, 3, 40)
    data = as_trajectories([t, t], [np.ones((40, 2)), 2 * np.ones((40, 2))], variables=["x", "y"])
    sigma = np.array([0.1, 0.2])
    n_c = parameters.size
    terms = sp.lambdify([x, y, *(s for s, _, _ in parameters.shapes)], parameters.terms)

    def misses(q: np.ndarray) -> np.ndarray:
        out = []
        for k, trajectory in enumerate(data.items):

            def rhs(_t, state):
                theta = np.array(terms(*state, *q[len(parameters.terms) : n_c]))
                return np.bincount(parameters.owners, weights=q[: len(parameters.terms)] * theta, minlength=2)

            simulated = integrate(rhs, q[n_c + 2 * k : n_c + 2 * k + 2], trajectory.t, 1e-11, 1e-13)
            out.append(((simulated - trajectory.x) / sigma).ravel())
        return np.concatenate(out)

    q = np.concatenate([parameters.start, [1.0, 0.5, 0.5, 1.5]])
    jacobian = VariationalJacobian(
        parameters, data, {}, sigma, rtol=1e-11, atol=np.full(2, 1e-13), evaluations_per_sample=1000
    )(q).toarray()
    assert jacobian.shape == (2 * 40 * 2, n_c + 4)
    for i in range(len(q)):
        step = 1e-6 * max(1.0, abs(q[i]))
        difference = (misses(q + step * np.eye(len(q))[i]) - misses(q - step * np.eye(len(q))[i])) / (2 * step)
        assert np.max(np.abs(jacobian[:, i] - difference)) < 1e-3 * max(1.0, np.max(np.abs(difference))), i
    assert np.all(jacobian[:80, n_c + 2 :] == 0) and np.all(jacobian[80:, n_c : n_c + 2] == 0)


def test_variational_jacobian_has_zero_rows_where_the_system_does_not_simulate():
    """dx/dt = x² from x0 = 1 blows up at t = 1: that trajectory's rows are zero, the other's are not."""
    parameters = with_saturation_constants([x**2, y], [0, 1], [1.0, -1.0])
    t = np.linspace(0, 2, 20)
    data = as_trajectories([t, t], [np.ones((20, 2)), np.ones((20, 2))], variables=["x", "y"])
    q = np.array([1.0, -1.0, 1.0, 1.0, -0.5, 1.0])
    jacobian = VariationalJacobian(
        parameters, data, {}, np.ones(2), rtol=1e-8, atol=np.full(2, 1e-10), evaluations_per_sample=200
    )(q).toarray()
    assert np.all(jacobian[:40] == 0)
    assert np.any(jacobian[40:] != 0)


def _still(slope: float, forcing: np.ndarray, t: np.ndarray):
    """The sensitivities of a state that stays at 1 (x' = 0), given ∂f/∂x = ``slope`` and the candidates' terms."""

    def slopes(columns, n):
        terms = np.broadcast_to(forcing, (n, len(forcing)))
        return np.full((n, 1, 1), slope), terms, np.zeros(len(forcing), dtype=int)

    return _sensitivities(
        lambda values: [0.0],
        slopes,
        t,
        np.ones(1),
        np.zeros((len(t), 0)),
        ["x"],
        rtol=1e-8,
        atol=1e-10,
        max_evaluations=1000,
    )


def test_sensitivities_that_overflow_near_a_pole_are_none_not_infinite():
    """∂f/∂x of 20 per unit time against steps of 0.1 makes every trapezoidal step multiply by about 4e7 (as a term's
    pole along the trajectory does): the linearisation is refused, not returned infinite to the fit. At 2.6087 each
    step multiplies by 1.3: about 1e181 at the end, finite, its square not; refused too."""
    t = np.arange(200) * 0.8
    assert _still(20.000001, np.ones(1), t) is None
    assert _still(2.6087, np.ones(1), t) is None
    calm = _still(-1.0, np.ones(1), t)
    assert calm is not None and np.all(np.isfinite(calm[1]))


def test_a_candidate_whose_sensitivity_overflows_is_dropped_and_the_others_kept():
    """Two candidate terms, one of 1e200 along the trajectory: it is dropped, the other kept."""
    states, columns, usable = _still(-1.0, np.array([1e200, 1.0]), np.arange(50) * 0.1)
    assert usable == [1] and columns.shape == (50, 1, 2) and np.all(np.isfinite(columns))
