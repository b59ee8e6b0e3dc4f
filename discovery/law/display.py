"""How laws and their numbers are shown: rounded floats, value ± error, the bootstrap table."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import sympy as sp

DISPLAY_DIGITS = 6


def rounded(expr: sp.Expr, digits: int = DISPLAY_DIGITS) -> sp.Expr:
    """``expr`` with its floats shown to ``digits`` significant digits."""
    return expr.xreplace({f: sp.Float(f, digits) for f in expr.atoms(sp.Float)})


def with_error(value: float, stderr: float) -> str:
    """``0.10194 ± 0.00012``: the value to the precision its error allows (two digits of error)."""
    if not math.isfinite(stderr) or stderr <= 0 or not math.isfinite(value):
        return f"{value:.{DISPLAY_DIGITS}g}"
    exponent = math.floor(math.log10(stderr)) - 1  # the last digit shown
    magnitude = math.floor(math.log10(abs(value))) if value else exponent + 1
    if magnitude - exponent + 1 > 12:  # known to rounding: more digits would say nothing
        return f"{value:.12g} ± {stderr:.1g}"
    if -4 <= magnitude < 6 and exponent >= -9:
        decimals = max(-exponent, 0)
        return f"{value:.{decimals}f} ± {stderr:.{decimals}f}"
    # Very large or very small: a common power of ten.
    scale = 10.0**magnitude
    digits = max(magnitude - exponent, 1)
    return f"({value / scale:.{digits}f} ± {stderr / scale:.{digits}f})e{magnitude:+d}"


def same_number(a: float, b: float) -> bool:
    """Equal, or equal to twelve significant digits."""
    return a == b or abs(a - b) <= 1e-12 * max(abs(a), abs(b))


def bootstrap_table(report: Mapping[str, Any]) -> str:
    """Each term's inclusion probability and the exact values its coefficient took.

    ``report`` is :meth:`discovery.settle.bootstrap.BootstrapReport.as_dict`'s
    data, as kept in ``law.info["bootstrap"]``.
    """
    lines = [
        f"bootstrap, {report['resamples']} resamples: the same law in {report['same_law']:.0%}",
        f"  {'inclusion':>9}  term: exact values of its coefficient",
    ]
    for term, share in report["inclusion"].items():
        values = report["exact_values"].get(term, {})
        shown = ", ".join(f"{v} {p:.0%}" for v, p in values.items())
        lines.append(f"  {share:>9.0%}  {term}" + (f": {shown}" if shown else ""))
    return "\n".join(lines)
