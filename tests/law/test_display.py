"""Laws and systems in Jupyter: LaTeX, HTML coefficient and front tables, Markdown; the plain repr unchanged."""

from __future__ import annotations

import re

import numpy as np
import pytest

from discovery import System, discover


@pytest.fixture(scope="module")
def law():
    """y = a·x² + b·sin(x) with noise: free coefficients with errors, and a front to show."""
    rng = np.random.default_rng(2)
    X = rng.uniform(-3, 3, (300, 1))
    y = 0.7 * X[:, 0] ** 2 + 1.3 * np.sin(X[:, 0]) + rng.normal(0, 0.01, 300)
    return discover(X, y, variables=["x"], random_state=0, method="basis")


def test_latex_display_is_the_law_typeset(law):
    assert law._repr_latex_() == f"$\\displaystyle {law.latex()}$"
    assert law._repr_latex_().startswith("$\\displaystyle y = ")


def test_html_shows_the_coefficients_with_errors_and_intervals(law):
    page = law._repr_html_()
    assert f"$${law.latex()}$$" in page
    rows = re.findall(r"<tr>(.*?)</tr>", page.split("<details>")[0].split("<tbody>")[1])
    assert len(rows) == len(law.coefficients)
    for row, c in zip(rows, law.coefficients):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        low, high = c.ci95
        assert cells[0] == str(c.term) and "±" in cells[1]
        assert cells[2] == f"{low:.6g} to {high:.6g}"


def test_html_front_marks_the_chosen_law_and_holds_the_evidence(law):
    page = law._repr_html_()
    front = page.split("<details>")[1]
    bold = re.findall(r'<td style="[^"]*font-weight:bold">([^<]*)</td>', front)
    chosen = next(e for e in law.front if e.chosen)
    assert bold and bold[0] == str(chosen.complexity)
    assert f"Pareto front ({len(law.front)} laws)" in front
    assert "evidence (criterion" in page.split("<details>")[2]


def test_markdown_has_the_law_and_a_coefficient_table(law):
    text = law._repr_markdown_()
    assert text.startswith(f"$${law.latex()}$$")
    assert text.count("\n| `") == len(law.coefficients)


def test_plain_repr_is_unchanged(law):
    assert repr(law) == f"Law({law.formula}, rmse={law.rmse:.3g})"


def test_system_displays_its_equations_as_one_aligned_block(law):
    system = System({"x": law}, ("x",))
    assert system._repr_latex_() == f"$\\displaystyle {system.latex()}$"
    assert "\\begin{aligned}" in system._repr_html_() and "<table" in system._repr_html_()


def test_the_front_coefficients_and_evidence_render_alone_and_stay_text(law):
    front, table, evidence = law.front_table(), law.coefficient_table(), law.evidence()
    assert isinstance(front, str) and front.splitlines()[0].split()[:2] == ["complexity", "terms"]
    assert front._repr_html_().startswith("<table") and "font-weight:bold" in front._repr_html_()
    assert table.splitlines() == [str(c) for c in law.coefficients] and "95 % interval" in table._repr_html_()
    assert evidence.startswith("evidence (criterion") and evidence._repr_html_().startswith("<pre>evidence")
