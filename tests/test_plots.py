"""Headless cannon figures (discovery.article.plots)."""

from __future__ import annotations

import sys

import matplotlib
import numpy as np
import pytest

from discovery.article.cannon import cannon_shots, true_distance
from discovery.article.plots import slugify, write_cannon_plots

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

MODELS = {
    "zero": lambda X: np.zeros(len(X)),
    "linear (SGD)": lambda X: 0.6 * X[:, 0] - 1.0,
    "MLP 2×256 sigmoid": lambda X: true_distance(X) + 0.1,
}


def _assert_png(path):
    data = path.read_bytes()
    assert len(data) > 1000
    assert data[:8] == PNG_SIGNATURE


def test_writes_one_png_per_model_plus_data_truth_residuals(tmp_path):
    d = cannon_shots(n=100)
    out = tmp_path / "nested" / "plots"  # created if missing
    backend = matplotlib.rcParams.copy()["backend"]  # plain get_backend() imports pyplot
    paths = write_cannon_plots(out, d.X, d.y, MODELS, true_distance)
    names = sorted(p.name for p in paths)
    assert names == sorted(
        [
            "data.png",
            "truth.png",
            "residuals.png",
            "model_zero.png",
            "model_linear_sgd.png",
            "model_mlp_2_256_sigmoid.png",
        ]
    )
    assert sorted(p.name for p in out.iterdir()) == names
    for p in paths:
        assert p.parent == out
        _assert_png(p)
    assert matplotlib.rcParams.copy()["backend"] == backend  # no global backend switch


def test_no_pyplot_and_duplicate_slugs_get_suffix(tmp_path):
    if "matplotlib.pyplot" in sys.modules:
        pytest.skip("pyplot already imported by another test")
    d = cannon_shots(n=30)
    models = {"A b": lambda X: X[:, 0], "a-b": lambda X: X[:, 1]}
    names = [p.name for p in write_cannon_plots(tmp_path, d.X, d.y, models, true_distance)]
    assert "model_a_b.png" in names and "model_a_b_2.png" in names
    assert "matplotlib.pyplot" not in sys.modules


def test_no_models_and_constant_or_nan_predictions(tmp_path):
    d = cannon_shots(n=30)
    paths = write_cannon_plots(tmp_path, d.X, d.y, {}, true_distance, v_max_extrapolation=5.0)
    assert sorted(p.name for p in paths) == ["data.png", "residuals.png", "truth.png"]
    models = {"nan": lambda X: np.full(len(X), np.nan), "const": lambda X: np.ones((len(X), 1))}
    paths = write_cannon_plots(tmp_path / "b", d.X, d.y, models, true_distance)
    assert len(paths) == 5
    for p in paths:
        _assert_png(p)


def test_bad_inputs_raise(tmp_path):
    d = cannon_shots(n=30)
    with pytest.raises(ValueError, match="shape \\(n, 2\\)"):
        write_cannon_plots(tmp_path, d.X[:, :1], d.y, {}, true_distance)
    with pytest.raises(ValueError, match="30 rows but y_train has 29"):
        write_cannon_plots(tmp_path, d.X, d.y[:29], {}, true_distance)
    with pytest.raises(ValueError, match="model 'bad' returned 1 values"):
        write_cannon_plots(tmp_path / "bad", d.X, d.y, {"bad": lambda X: np.zeros(1)}, true_distance)
    assert not (tmp_path / "bad").exists()  # fails before writing anything


@pytest.mark.parametrize(
    "name,slug",
    [
        ("MLP 2×256 sigmoid", "mlp_2_256_sigmoid"),
        ("linear (SGD)", "linear_sgd"),
        ("nearest neighbour", "nearest_neighbour"),
        ("???", "model"),
    ],
)
def test_slugify(name, slug):
    assert slugify(name) == slug
