"""The examples/ folder runs as documented (each script, and the notebook executed headlessly), so none goes stale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

pytestmark = pytest.mark.slow  # each runs a script or the notebook in a new Python


def _run(name: str, *arguments: str, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *arguments], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_cannon_finds_the_range_law_and_writes_its_figures(tmp_path):
    out = _run("cannon.py", str(tmp_path / "figures"), cwd=tmp_path)
    assert out.splitlines()[0] == "s = v**2*sin(2*theta)/g"
    assert (tmp_path / "figures" / "cannon_law.png").stat().st_size > 10_000
    assert (tmp_path / "figures" / "cannon_front.png").stat().st_size > 10_000


def test_your_csv_finds_the_law_from_the_file_and_the_command_line(tmp_path):
    out = _run("your_csv.py", str(tmp_path), cwd=tmp_path).splitlines()
    assert out[0] == "power = current**2*resistance"
    assert "def power(current, resistance):" in out
    assert out[-1].startswith("power = current**2*resistance")  # the command line's first line


def test_units_give_the_pendulum_period(tmp_path):
    pytest.importorskip("pint", reason="units need pint (the units extra)")
    out = _run("units.py", cwd=tmp_path).splitlines()
    assert out[0] == "T = 2*pi*sqrt(L)/sqrt(g)"
    assert out[1].startswith("dimensional analysis: T = sqrt(L)/sqrt(g)")


def test_backend_settles_a_search_into_an_exact_law(tmp_path):
    out = _run("backend.py", cwd=tmp_path).splitlines()
    assert "y = a*exp(-b/2)" in out


def test_save_and_reload_predicts_the_same_and_exports(tmp_path):
    out = _run("save_and_reload.py", str(tmp_path), cwd=tmp_path)
    assert out.startswith("reloaded: y = ") and "LawModule(" in out and "#include <math.h>" in out
    assert (tmp_path / "law.json").exists()


def test_the_notebook_runs_and_shows_the_law_and_a_plot():
    nbformat = pytest.importorskip("nbformat", reason="the notebook needs nbformat (the test extra)")
    nbclient = pytest.importorskip("nbclient", reason="the notebook needs nbclient (the test extra)")
    pytest.importorskip("ipykernel", reason="the notebook needs ipykernel (the test extra)")
    notebook = nbformat.read(EXAMPLES / "notebook.ipynb", as_version=4)
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3").execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    shown = [o.data for o in outputs if o.output_type == "execute_result"]
    law = next(data for data in shown if "text/latex" in data)
    assert law["text/latex"] == "$\\displaystyle s = \\frac{v^{2} \\sin{\\left(2 \\theta \\right)}}{g}$"
    assert "<table" in law["text/html"] and "Pareto front" in law["text/html"]
    assert sum("image/png" in data for data in shown) == 2  # law.plot and law.plot_front, drawn inline
    printed = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stdout")
    assert "def s(v, theta, g=9.81):" in printed
