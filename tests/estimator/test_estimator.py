"""SparseBasisRegressor follows the scikit-learn estimator contract."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from bases import power_harmonics
from discovery import DataError, SparseBasisRegressor
from discovery.article.cannon import true_distance


@pytest.fixture
def model():
    return SparseBasisRegressor(
        library=power_harmonics("v", "theta"),
        constants={"g": 9.81},
        random_state=0,
        variables=["v", "theta"],
        target="s",
    )


def test_init_only_stores_parameters(model):
    params = model.get_params()
    assert params["constants"] == {"g": 9.81} and params["solver"] == "l0"
    assert not [k for k in vars(model) if k.endswith("_")]


def test_fit_returns_self_and_sets_fitted_state(model, cannon):
    assert model.fit(cannon.X, cannon.y) is model
    assert str(model.law_) == "s = v**2*sin(2*theta)/g"
    assert model.n_features_in_ == 2
    assert model.device_ == "cpu" or model.device_.startswith("cuda")
    assert len(model.coef_) == len(model.library_)
    assert np.count_nonzero(model.coef_) == 1


def test_predict_and_score(model, cannon):
    model.fit(cannon.X, cannon.y)
    np.testing.assert_allclose(model.predict(cannon.X), true_distance(cannon.X), rtol=1e-12)
    assert model.score(cannon.X, cannon.y) > 0.9999


def test_clone_and_set_params(model, cannon):
    copy = clone(model).set_params(solver="stlsq")
    assert copy.get_params()["solver"] == "stlsq"
    assert str(copy.fit(cannon.X, cannon.y).law_) == "s = v**2*sin(2*theta)/g"


def test_predict_before_fit_raises(model):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        model.predict(np.zeros((3, 2)))


def test_predict_checks_the_column_count(model, cannon):
    model.fit(cannon.X, cannon.y)
    with pytest.raises(DataError, match="X has 3 features, but SparseBasisRegressor is expecting 2 features"):
        model.predict(np.zeros((3, 3)))


def test_float32_on_cpu_gives_the_same_law(cannon):
    model = SparseBasisRegressor(
        library=power_harmonics("v", "theta"),
        constants={"g": 9.81},
        dtype="float32",
        variables=["v", "theta"],
        target="s",
        random_state=0,
    )
    assert str(model.fit(cannon.X, cannon.y).law_) == "s = v**2*sin(2*theta)/g"


def test_a_fitted_estimator_and_its_law_survive_pickling(cannon):
    import pickle

    model = SparseBasisRegressor(constants={"g": 9.81}, variables=["v", "theta"], random_state=0).fit(
        cannon.X, cannon.y
    )
    copy = pickle.loads(pickle.dumps(model))
    assert str(copy.law_) == str(model.law_)
    assert np.array_equal(copy.predict(cannon.X), model.predict(cannon.X))
    assert np.array_equal(
        copy.library_.evaluate(cannon.X[:5], ["v", "theta"]), model.library_.evaluate(cannon.X[:5], ["v", "theta"])
    )


def test_a_search_stopped_by_its_time_limit_resumes_where_it_stopped(rng):
    X = rng.uniform(0.5, 3, size=(2000, 2))
    y = X[:, 0] * np.sin(X[:, 1]) + X[:, 0] ** 2
    unlimited = SparseBasisRegressor(variables=["x", "z"], random_state=0).fit(X, y)
    model = SparseBasisRegressor(variables=["x", "z"], random_state=0, time_limit=1e-6).fit(X, y)
    assert model.law_.info["time_limit_reached"]  # stopped after its first fit
    assert str(model.law_) != str(unlimited.law_)
    model.resume(None)
    assert str(model.law_) == str(unlimited.law_) == "y = x*(x + sin(z))"
    assert "time_limit_reached" not in model.law_.info
    assert np.allclose(model.predict(X), y)
    assert model.resume(5.0).law_ is model.law_  # a search that ended does not run again


def test_resume_is_a_no_op_for_a_given_library(cannon):
    model = SparseBasisRegressor(library=power_harmonics("v", "theta"), constants={"g": 9.81}, variables=["v", "theta"])
    law = model.fit(cannon.X, cannon.y).law_
    assert model.search_ is None and model.resume(1.0).law_ is law
