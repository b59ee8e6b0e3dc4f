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
