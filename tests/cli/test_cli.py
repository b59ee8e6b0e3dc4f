"""The command line: the demo's table and law, fitting a CSV, and clean failures."""

import importlib.util
import subprocess
import sys

import pytest

from discovery.article.cannon import cannon_shots
from discovery.cli import main, parse_constants, parse_units


@pytest.fixture
def cannon_csv(tmp_path):
    data = cannon_shots(400, seed=4)
    path = tmp_path / "shots.csv"
    rows = ["v,theta,s"] + [f"{v:.17g},{t:.17g},{s:.17g}" for (v, t), s in zip(data.X, data.y)]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_fit_prints_the_law_its_latex_front_and_error(cannon_csv, capsys):
    assert main(["fit", str(cannon_csv), "--target", "s", "--constants", "g=9.81"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "s = v**2*sin(2*theta)/g"
    assert r"LaTeX: s = \frac{v^{2} \sin{\left(2 \theta \right)}}{g}" in out
    assert "Pareto front" in out and "rmse" in out


def test_fit_with_a_library_and_solver(cannon_csv, capsys):
    code = main(
        [
            "fit",
            str(cannon_csv),
            "--target",
            "s",
            "--constants",
            "g=9.81",
            "--library",
            "power_harmonics(v, theta)",
            "--solver",
            "stlsq",
        ]
    )
    assert code == 0
    assert capsys.readouterr().out.startswith("s = v**2*sin(2*theta)/g")


@pytest.mark.parametrize(
    "content, message",
    [
        ("v,theta,s\n1,2\n", "line 2 has 2 fields but the header has 3"),
        ("v,theta,s\n1,abc,3\n", "line 2, column 'theta': 'abc' is not a number"),
        ("", "is empty"),
        ("v,theta,s\n", "no data rows"),
        ("v,theta,s\n1,,3\n", "column 'theta' is empty"),
    ],
)
def test_unreadable_csv_exits_nonzero_with_the_reason(tmp_path, capsys, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    assert main(["fit", str(path), "--target", "s"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    assert "Traceback" not in err


def test_missing_file_and_missing_target(cannon_csv, tmp_path, capsys):
    assert main(["fit", str(tmp_path / "nope.csv"), "--target", "s"]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["fit", str(cannon_csv), "--target", "distance"]) == 2
    assert "target column 'distance' is not in" in capsys.readouterr().err


def test_nan_in_csv_is_reported_not_dropped(tmp_path, capsys):
    rows = ["x,y"] + [f"{i},{2 * i}" for i in range(20)] + ["nan,3"]
    path = tmp_path / "nan.csv"
    path.write_text("\n".join(rows))
    assert main(["fit", str(path), "--target", "y"]) == 2
    assert "column 'x' has 1 NaN value (rows 20)" in capsys.readouterr().err


def test_constants_parsing():
    assert parse_constants(["g=9.81", "c=3e8,h=6.6e-34"]) == {"g": 9.81, "c": 3e8, "h": 6.6e-34}
    with pytest.raises(ValueError, match="NAME=VALUE"):
        parse_constants(["g"])


def test_fit_with_units_searches_the_dimensionless_groups(cannon_csv, capsys):
    pytest.importorskip("pint", reason="--units needs pint (pip install '.[units]')")
    args = ["fit", str(cannon_csv), "--target", "s", "--constants", "g=9.81", "--time-limit", "20"]
    assert main(args + ["--units", "v=m/s,theta=", "--units", "g=m/s**2", "--target-unit", "m"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "s = v**2*sin(2*theta)/g"
    assert main(args + ["--units", "v=m/s,g=m/s**2", "--target-unit", "m"]) == 2
    assert "no unit for the variable 'theta'" in capsys.readouterr().err


def test_units_parsing():
    assert parse_units(["v=m/s,theta=", "g=m/s**2"]) == {"v": "m/s", "theta": "", "g": "m/s**2"}
    assert parse_units([]) is None
    with pytest.raises(ValueError, match="NAME=UNIT"):
        parse_units(["v"])


def test_bad_constant_on_the_command_line(cannon_csv, capsys):
    assert main(["fit", str(cannon_csv), "--target", "s", "--constants", "g=fast"]) == 2
    assert "'fast' is not a number" in capsys.readouterr().err


@pytest.mark.slow
def test_demo_prints_every_method_and_the_law(tmp_path):
    plots = tmp_path / "plots"
    result = subprocess.run(
        [sys.executable, "-m", "discovery", "demo", "--fast", "--n", "400", "--plots", str(plots)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for method in ("discover (default library)", "Adam (article)", "nearest neighbour", "linear (SGD)", "MLP"):
        assert method in out
    assert "Recovered law: s = v**2*sin(2*theta)/g" in out
    assert r"LaTeX:         s = \frac{v^{2} \sin{\left(2 \theta \right)}}{g}" in out
    assert len(list(plots.glob("*.png"))) >= 8


@pytest.mark.slow
def test_demo_with_bad_arguments_fails_cleanly():
    result = subprocess.run([sys.executable, "-m", "discovery", "demo", "--n", "0"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "must be at least 1" in result.stderr


@pytest.mark.skipif(importlib.util.find_spec("pysr") is None, reason="pysr is not installed")
def test_fit_with_pysr_and_no_julia_exits_2_with_what_to_do(cannon_csv, capsys):
    try:
        import pysr  # noqa: F401
    except Exception:
        pass
    else:
        pytest.skip("PySR works here (Julia is available)")
    assert main(["fit", str(cannon_csv), "--target", "s", "--method", "pysr", "--time-limit", "5"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: method='pysr' needs") and "method='operon'" in error


def test_fit_with_a_sigma_column_tests_the_law_against_it(tmp_path, capsys):
    import numpy as np

    rng = np.random.default_rng(3)
    x = np.linspace(1, 5, 25)
    dy = 0.01 * 3 / x
    y = 3 / x + dy * rng.normal(size=25)
    path = tmp_path / "inverse.csv"
    path.write_text("x,y,dy\n" + "\n".join(f"{a:.17g},{b:.17g},{c:.17g}" for a, b, c in zip(x, y, dy)))
    assert main(["fit", str(path), "--target", "y", "--sigma", "dy", "--time-limit", "10"]) == 0
    out = capsys.readouterr().out
    assert "y = 3/x" in out and "stated errors sigma" in out and "dy" not in out.split("LaTeX")[0]
    assert main(["fit", str(path), "--target", "y", "--sigma", "tiny"]) == 2
    assert "--sigma must be a number or a column" in capsys.readouterr().err
