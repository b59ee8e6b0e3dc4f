"""How a law shows itself in Jupyter: LaTeX for the law, HTML tables for its coefficients and its Pareto front.

Jupyter calls ``_repr_html_``, ``_repr_markdown_`` and ``_repr_latex_`` on the
last value of a cell; :class:`~discovery.law.law.Law` and
:class:`~discovery.dynamics.system.System` answer through these functions.
The plain-text ``repr`` is not touched.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp

from .display import rounded, with_error


class ShownText(str):
    """Text that prints as itself and, as a cell's last value in Jupyter, renders as HTML.

    ``law.front_table()``, ``law.coefficient_table()`` and ``law.evidence()``
    return it: still a ``str`` everywhere else. ``render`` builds the HTML
    when Jupyter asks for it (default: the text as laid out, in ``<pre>``).
    """

    def __new__(cls, text: str, render: Callable[[], str] | None = None) -> ShownText:
        shown = super().__new__(cls, text)
        shown._render = render
        return shown

    def _repr_html_(self) -> str:
        return self._render() if self._render is not None else f"<pre>{html.escape(str(self))}</pre>"


_STYLE = "border-collapse:collapse;font-family:monospace;font-size:90%"
_CELL = "padding:2px 8px;border-bottom:1px solid #ddd;text-align:right"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], bold: Sequence[bool] = ()) -> str:
    """An HTML table of already-escaped cells; rows whose ``bold`` is True are bold (the chosen law)."""
    head = "".join(f'<th style="{_CELL}">{h}</th>' for h in header)
    body = []
    for k, row in enumerate(rows):
        weight = ";font-weight:bold" if k < len(bold) and bold[k] else ""
        body.append("<tr>" + "".join(f'<td style="{_CELL}{weight}">{cell}</td>' for cell in row) + "</tr>")
    return f'<table style="{_STYLE}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _number(value: float) -> str:
    return "—" if not math.isfinite(value) else f"{value:.6g}"


def _coefficient_cells(c: Any) -> tuple[str, str, str, str]:
    """A coefficient's term (``inside`` it for a constant within one), estimate ± stderr, 95 % interval, exact."""
    low, high = c.ci95
    exact = sp.sstr(c.exact) if c.exact is not None else ""
    return c.label, with_error(c.free_estimate, c.stderr), f"{_number(low)} to {_number(high)}", exact


def coefficients_html(law: Any) -> str:
    """The coefficients as an HTML table: term, value ± standard error, 95 % interval, exact value."""
    rows = [[html.escape(cell) for cell in _coefficient_cells(c)] for c in law.coefficients]
    return _table(["term", "estimate ± stderr", "95 % interval", "exact"], rows)


def front_html(law: Any) -> str:
    """The Pareto front as an HTML table, the chosen law in bold."""
    rows = [
        [
            str(e.complexity),
            str(e.n_terms),
            _number(e.rmse),
            _number(e.cv_rmse),
            _number(e.bic),
            html.escape(f"{law.target} = {sp.sstr(rounded(e.expression))}"),
        ]
        for e in law.front
    ]
    return _table(
        ["complexity", "terms", "rmse", "held-out rmse", "BIC", "law"], rows, bold=[e.chosen for e in law.front]
    )


def law_latex(law: Any) -> str:
    """The law for Jupyter's LaTeX display: ``$\\displaystyle ...$``."""
    return f"$\\displaystyle {law.latex()}$"


def law_html(law: Any) -> str:
    """The law (LaTeX, typeset by the notebook's MathJax), its fit, coefficients, front and evidence."""
    parts = [
        f"<div><p>$${html.escape(law.latex())}$$</p>",
        f"<p><code>{html.escape(law.formula)}</code> — rmse {law.rmse:.4g}, R² {law.r2:.6f} on {law.n_rows} rows</p>",
    ]
    if law.coefficients:
        parts.append(coefficients_html(law))
    if law.front:
        parts.append(f"<details><summary>Pareto front ({len(law.front)} laws)</summary>{front_html(law)}</details>")
        parts.append(f"<details><summary>evidence</summary><pre>{html.escape(law.evidence())}</pre></details>")
    return "".join(parts) + "</div>"


def law_markdown(law: Any) -> str:
    """The law in LaTeX and its coefficients as a Markdown table (for frontends that prefer Markdown)."""
    lines = [f"$${law.latex()}$$", "", f"rmse {law.rmse:.4g}, R² {law.r2:.6f} on {law.n_rows} rows"]
    if law.coefficients:
        lines += ["", "| term | estimate ± stderr | 95 % interval | exact |", "|---|---:|---:|---|"]
        for c in law.coefficients:
            term, estimate, interval, exact = _coefficient_cells(c)
            term = term.replace("|", r"\|")  # a pipe would end the Markdown cell
            lines.append(f"| `{term}` | {estimate} | {interval} | {exact} |")
    return "\n".join(lines)


def system_html(system: Any) -> str:
    """A system: its equations as one aligned LaTeX block, then each law's coefficients."""
    parts = [f"<div><p>$${html.escape(system.latex())}$$</p>"]
    for state in system.states:
        law = system.laws[state]
        if law.coefficients:
            parts.append(f"<p>d{html.escape(state)}/d{html.escape(system.time)}</p>{coefficients_html(law)}")
    return "".join(parts) + "</div>"
