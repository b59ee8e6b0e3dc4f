"""Behaviour of the article's three baselines (discovery.article.baselines)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.base import clone

from discovery.article.baselines import (
    BASELINES,
    LinearSGDRegressor,
    MLPRegressor,
    NearestNeighbourRegressor,
)
from discovery.article.cannon import cannon_shots
from discovery.errors import DataError


def _r2(y, p):
    return 1.0 - np.sum((y - p) ** 2) / np.sum((y - y.mean()) ** 2)


# --- nearest neighbour ------------------------------------------------------


def test_nn_returns_training_targets_at_training_points(rng):
    X = rng.normal(size=(200, 3))
    y = rng.normal(size=200)
    model = NearestNeighbourRegressor().fit(X, y)
    p = model.predict(X)
    assert p.dtype == np.float64 and p.shape == (200,)
    np.testing.assert_array_equal(p, y)


def test_nn_returns_target_of_closest_row_elsewhere(rng):
    X = rng.uniform(0, 10, size=(300, 2))
    y = rng.normal(size=300)
    Q = rng.uniform(-2, 12, size=(500, 2))
    brute = y[np.argmin(((Q[:, None, :] - X[None, :, :]) ** 2).sum(-1), axis=1)]
    np.testing.assert_array_equal(NearestNeighbourRegressor().fit(X, y).predict(Q), brute)


def test_nn_article_example_far_query_snaps_to_edge_of_data():
    X = np.array([[3.9268, 1.2042], [9.9885, 1.1096], [1.0, 0.3]])
    y = np.array([1.0437, 8.1159, 0.05])
    model = NearestNeighbourRegressor().fit(X, y)
    np.testing.assert_allclose(model.predict([[4.0, 1.2], [20.0, 0.85]]), [1.0437, 8.1159])


def test_nn_chunked_matches_brute_force_across_blocks(rng, monkeypatch):
    import discovery.article.baselines as b

    monkeypatch.setattr(b, "_NN_BLOCK_BYTES", 3 * 8 * 50 * 7)  # 7 query rows per block
    X = rng.normal(size=(50, 2))
    y = np.arange(50, dtype=float)
    Q = rng.normal(size=(33, 2))
    brute = y[np.argmin(((Q[:, None, :] - X[None, :, :]) ** 2).sum(-1), axis=1)]
    np.testing.assert_array_equal(NearestNeighbourRegressor().fit(X, y).predict(Q), brute)


# --- linear (SGD) -------------------------------------------------------------


def test_linear_sgd_recovers_line_and_prints_formula(rng):
    x = rng.normal(size=(200, 1))
    x = (x - x.mean()) / x.std()
    y = 2.0 * x[:, 0] + 1.0
    model = LinearSGDRegressor(epochs=500, device="cpu", random_state=0).fit(x, y)
    assert model.coef_.shape == (1,)
    assert isinstance(model.intercept_, float)
    assert model.coef_[0] == pytest.approx(2.0, abs=1e-3)
    assert model.intercept_ == pytest.approx(1.0, abs=1e-3)
    assert model.device_ == "cpu"
    text = model.formula(["x"])
    assert text.startswith("y = ")
    assert text == f"y = {model.coef_[0]:.4g}*x + {model.intercept_:.4g}"
    assert model.formula(["x"], target="s").startswith("s = 2")


def test_linear_formula_signs_and_name_count():
    model = LinearSGDRegressor()
    model.coef_ = np.array([0.631234, -1.2])
    model.intercept_ = -1.9
    assert model.formula(["v", "theta"], "s") == "s = 0.6312*v - 1.2*theta - 1.9"
    model.coef_ = np.array([-0.5, 3.0])
    model.intercept_ = 0.25
    assert model.formula(["v", "theta"]) == "y = -0.5*v + 3*theta + 0.25"
    with pytest.raises(ValueError, match="1 variable names for 2 coefficients"):
        model.formula(["v"])


def test_linear_on_cannon_is_poor_but_better_than_mean():
    d = cannon_shots(n=300, seed=1)
    model = LinearSGDRegressor(device="cpu", random_state=0).fit(d.X, d.y)
    r2 = _r2(d.y, model.predict(d.X))
    assert 0.3 < r2 < 0.8  # a plane cannot follow v² sin 2θ
    assert model.loss_curve_[-1] < model.loss_curve_[0]


# --- MLP --------------------------------------------------------------------


@pytest.mark.slow
def test_mlp_fits_cannon_data():
    d = cannon_shots(n=300)
    model = MLPRegressor(epochs=300, device="cpu", random_state=0).fit(d.X, d.y)
    p = model.predict(d.X)
    assert p.shape == (300,) and p.dtype == np.float64
    assert _r2(d.y, p) > 0.9
    assert model.score(d.X, d.y) == pytest.approx(_r2(d.y, p))
    layers = [m for m in model.model_ if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in layers] == [(2, 256), (256, 256), (256, 1)]


@pytest.mark.parametrize("cls,kw", [(LinearSGDRegressor, {"epochs": 50}), (MLPRegressor, {"epochs": 20, "hidden": 32})])
def test_same_seed_same_predictions(cls, kw):
    d = cannon_shots(n=100, seed=3)
    a = cls(device="cpu", random_state=7, **kw).fit(d.X, d.y).predict(d.X)
    b = cls(device="cpu", random_state=7, **kw).fit(d.X, d.y).predict(d.X)
    c = cls(device="cpu", random_state=8, **kw).fit(d.X, d.y).predict(d.X)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_random_state_leaves_global_rng_alone():
    d = cannon_shots(n=50)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    MLPRegressor(epochs=2, hidden=8, device="cpu", random_state=0).fit(d.X, d.y)
    assert torch.equal(torch.rand(3), expected)


# --- sklearn conventions ------------------------------------------------------


@pytest.mark.parametrize("name,factory", BASELINES)
def test_baselines_registry_and_sklearn_api(name, factory):
    est = factory(random_state=0)
    assert est.get_params()["random_state"] == 0
    assert clone(est).get_params() == est.get_params()
    assert not [k for k in vars(est) if k.endswith("_")]  # __init__ stores params only


def test_registry_names():
    assert [n for n, _ in BASELINES] == ["nearest neighbour", "linear (SGD)", "MLP 2×256 sigmoid"]


# --- validation -----------------------------------------------------------------

ALL = [
    NearestNeighbourRegressor(),
    LinearSGDRegressor(epochs=2, device="cpu"),
    MLPRegressor(epochs=2, hidden=4, device="cpu"),
]


@pytest.mark.parametrize("est", ALL, ids=lambda e: type(e).__name__)
def test_validation_errors(est, rng):
    X = rng.normal(size=(10, 2))
    y = rng.normal(size=10)
    with pytest.raises(DataError, match="X has 10 rows but y has 9"):
        clone(est).fit(X, y[:9])
    Xn = X.copy()
    Xn[[1, 4, 7], 1] = [np.nan, np.inf, -np.inf]
    with pytest.raises(DataError, match=r"column 'x1' has 1 NaN and 2 infinite values \(rows 1, 4, 7\)"):
        clone(est).fit(Xn, y)
    yn = y.copy()
    yn[2] = np.nan
    with pytest.raises(DataError, match=r"the target 'y' has 1 NaN value \(rows 2\)"):
        clone(est).fit(X, yn)
    with pytest.raises(ValueError, match="2-D"):
        clone(est).fit(X[:, 0], y)
    with pytest.raises(DataError, match="y must be 1-D"):
        clone(est).fit(X, np.column_stack([y, y]))
    with pytest.raises(ValueError, match="numeric"):
        clone(est).fit(np.array([["a", "b"]] * 10), y)
    with pytest.raises(ValueError, match="not fitted"):
        clone(est).predict(X)
    fitted = clone(est).fit(X, y)
    with pytest.raises(DataError, match=f"X has 3 features, but {type(est).__name__} is expecting 2 features"):
        fitted.predict(rng.normal(size=(4, 3)))
    with pytest.raises(DataError, match=r"column 'x0' has 1 NaN value \(rows 0\)"):
        fitted.predict(np.array([[np.nan, 0.0]]))


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is present")
@pytest.mark.parametrize("device", ["cuda", "cuda:0"])
def test_cuda_request_without_cuda_raises(device):
    d = cannon_shots(n=20)
    with pytest.raises(ValueError, match="no CUDA GPU is available"):
        LinearSGDRegressor(epochs=1, device=device).fit(d.X, d.y)


def test_device_auto_and_unknown():
    d = cannon_shots(n=20)
    model = LinearSGDRegressor(epochs=1, device="auto").fit(d.X, d.y)
    assert model.device_ == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(ValueError, match="device"):
        LinearSGDRegressor(epochs=1, device="tpu").fit(d.X, d.y)
