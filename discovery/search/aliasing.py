"""Periodic terms the rows cannot resolve: a sine that winds faster than the sampling is a column of noise.

A term such as ``cos(2·year)`` over years 1790–1970 turns through 57 periods
between 19 rows: sampled below the Nyquist rate (two rows per period), its
column is as good as random, and a search with many such columns finds one
that fits the noise of a small table. A periodic function of an argument
that spans more than ``n_rows / 2`` periods on the rows is aliased, and a
term holding one is left out of the library before it is searched.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import sympy as sp

from bases.term import Term

from ..errors import AliasedTermWarning
from ..law.evaluate import numpy_evaluator

# The functions whose argument turns through periods, and their period in it.
PERIODS = {
    sp.sin: 2 * math.pi,
    sp.cos: 2 * math.pi,
    sp.sec: 2 * math.pi,
    sp.csc: 2 * math.pi,
    sp.tan: math.pi,
    sp.cot: math.pi,
}
# Rows per period at least: below two (the Nyquist rate) a sampled sinusoid aliases.
ROWS_PER_PERIOD = 2.0


def resolved_terms(
    terms: Sequence[Term], X: np.ndarray, variables: Sequence[str], n_rows: int, warn: bool = False
) -> list[int]:
    """Indices of the ``terms`` that hold no periodic function the ``n_rows`` rows cannot resolve.

    Parameters
    ----------
    terms : sequence of bases.Term
    X : ndarray
        Rows of the inputs (a sample of them will do: only their range is read).
    variables : sequence of str
        X's columns' names.
    n_rows : int
        The rows the law is fitted on.
    warn : bool
        Name the terms left out in an :class:`~discovery.errors.AliasedTermWarning` (for a library the user gave).
    """
    columns = {name: X[:, j] for j, name in enumerate(variables)}
    spans: dict[sp.Expr, float] = {}
    most = n_rows / ROWS_PER_PERIOD

    def turns(argument: sp.Expr, period: float) -> float:
        if argument not in spans:  # the range the argument spans on the rows
            with np.errstate(all="ignore"):
                values = numpy_evaluator(argument, {})(columns) * np.ones(len(X))
            finite = values[np.isfinite(values)]
            spans[argument] = float(np.ptp(finite)) if finite.size else 0.0
        return spans[argument] / period

    kept = [
        j
        for j, term in enumerate(terms)
        if all(turns(f.args[0], PERIODS[f.func]) <= most for f in term.expr.atoms(*PERIODS))
    ]
    if warn and len(kept) < len(terms):
        resolved = set(kept)
        left_out = ", ".join(t.name for j, t in enumerate(terms) if j not in resolved)
        warnings.warn(
            f"left out term(s) {left_out}: their sines turn through more than one period per {ROWS_PER_PERIOD:g} "
            f"of the {n_rows} rows, too fast for the rows to resolve",
            AliasedTermWarning,
            stacklevel=4,
        )
    return kept
