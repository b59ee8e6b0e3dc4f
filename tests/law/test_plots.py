"""Figures of any law: parity and residuals, the law over its inputs, the Pareto front, and `fit --plots`."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from discovery import DataError, discover
from discovery.cli import main


@pytest.fixture(scope="module")
def one_input():
    rng = np.random.default_rng(3)
    X = rng.uniform(0, 4, (150, 1))
    y = 2.5 * X[:, 0] ** 2 - X[:, 0] + rng.normal(0, 0.05, 150)
    return discover(X, y, variables=["x"], random_state=0, method="basis"), X, y


@pytest.fixture(scope="module")
def two_inputs():
    rng = np.random.default_rng(4)
    X = np.column_stack([rng.uniform(5, 30, 200), rng.uniform(0.1, 1.4, 200)])
    y = X[:, 0] ** 2 * np.sin(2 * X[:, 1]) / 9.81
    return discover(X, y, variables=["v", "theta"], target="s", constants={"g": 9.81}, random_state=0), X, y


def test_parity_residuals_and_the_law_over_one_input(one_input):
    law, X, y = one_input
    fig = law.plot(X, y)
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    parity, residuals, over = fig.axes
    np.testing.assert_allclose(parity.collections[0].get_offsets(), np.column_stack([y, law.predict(X)]))
    assert parity.get_xlabel() == "measured y" and parity.get_ylabel() == "predicted y"
    np.testing.assert_allclose(residuals.collections[0].get_offsets()[:, 1], y - law.predict(X))
    line = over.lines[0]
    np.testing.assert_allclose(line.get_ydata(), law.predict(line.get_xdata()[:, None]))
    assert [t.get_text() for t in over.get_legend().get_texts()] == ["data", "law"]


def test_two_input_law_is_drawn_as_contours_over_the_data(two_inputs):
    law, X, y = two_inputs
    fig = law.plot(X, y)
    parity, res_v, res_theta, over = fig.axes[:4]  # then the colour bar's axes
    assert res_v.get_xlabel() == "v" and res_theta.get_xlabel() == "theta"
    assert over.get_xlabel() == "v" and over.get_ylabel() == "theta"
    np.testing.assert_allclose(over.collections[-1].get_offsets(), X)  # the data, coloured by s
    assert len(fig.axes) == 5


def test_front_marks_the_chosen_law(one_input):
    law, _, _ = one_input
    fig = law.plot_front()
    ax = fig.axes[0]
    chosen = next(e for e in law.front if e.chosen)
    star = next(line for line in ax.lines if line.get_marker() == "*")
    assert list(star.get_xdata()) == [chosen.complexity] and list(star.get_ydata()) == [chosen.rmse]
    assert ax.texts[0].get_text().startswith("y = ")
    training = ax.lines[0]
    assert list(training.get_xdata()) == [e.complexity for e in law.front]


def test_plots_refuse_a_target_of_the_wrong_length_and_leave_pyplot_alone(one_input):
    law, X, y = one_input
    with pytest.raises(DataError, match="y has 149 values but X has 150 rows"):
        law.plot(X, y[:-1])
    with pytest.raises(DataError, match=r"law.plot needs the data .*: law.plot\(X, y\), X with the columns x"):
        law.plot()
    import matplotlib.pyplot as plt

    law.plot(X, y)
    law.plot_front()
    assert plt.get_fignums() == []


def test_cli_fit_writes_the_plots(tmp_path, capsys):
    rng = np.random.default_rng(5)
    x = rng.uniform(0, 3, 80)
    csv = tmp_path / "data.csv"
    csv.write_text("x,y\n" + "\n".join(f"{float(a)!r},{float(3 * a + 1)!r}" for a in x) + "\n")
    folder = tmp_path / "figures"
    assert main(["fit", str(csv), "--target", "y", "--method", "basis", "--plots", str(folder)]) == 0
    assert "wrote law.png, front.png to" in capsys.readouterr().out
    for name in ("law.png", "front.png"):
        assert (folder / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
