"""A law's coefficients with their uncertainty, and the entries of its Pareto front."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sympy as sp

from .display import DISPLAY_DIGITS, with_error
from .file import decode_expression, encode_expression, field_of, number, read_number


@dataclass(frozen=True)
class Coefficient:
    """One coefficient of a law.

    Attributes
    ----------
    term : sympy.Expr
        The basis term it multiplies.
    value : float
        Its value in the law (the exact value's number when snapped).
    stderr : float
        Standard error of the free estimate (all coefficients of the final
        law refitted together, none held at an exact value).
    exact : sympy.Expr or None
        The recognised exact value (``1/g``, ``2*pi``, ``3/5``), if any.
    estimate : float or None
        The free estimate itself (None: the same as ``value``).
    dof : int or None
        Residual degrees of freedom of that fit, for Student's t (None: normal).
    inner : bool
        A constant inside a term rather than a term's factor: the K of
        ``x*y/(K + x**2)``. ``term`` is then the law's term it sits in, the
        constant written ``c`` (``x*y/(c + x**2)``). Set for the saturation
        constants of ``discover_system``'s laws; the floats inside a backend's
        expression (:mod:`discovery.settle.expression_fit`) are not marked.
    """

    term: sp.Expr
    value: float
    stderr: float
    exact: sp.Expr | None = None
    estimate: float | None = None
    dof: int | None = None
    inner: bool = False

    @property
    def label(self) -> str:
        """The term as shown beside the value: ``inside <term>`` for an inner constant."""
        return f"{'inside ' if self.inner else ''}{sp.sstr(self.term)}"

    @property
    def free_estimate(self) -> float:
        """The least-squares estimate before any exact value was recognised."""
        return self.value if self.estimate is None else self.estimate

    def interval(self, level: float = 0.95) -> tuple[float, float]:
        """Confidence interval of the coefficient: free estimate ± t·stderr.

        Parameters
        ----------
        level : float
            Coverage, between 0 and 1 (default 95 %).

        Returns
        -------
        (low, high) : tuple of float
            ``(-inf, inf)`` when the standard error is unknown (no residual
            degrees of freedom).
        """
        if not 0 < level < 1:
            raise ValueError(f"level must be between 0 and 1, got {level!r}")
        if not math.isfinite(self.stderr):
            return (-math.inf, math.inf)
        half = critical_value(level, self.dof) * self.stderr
        return (self.free_estimate - half, self.free_estimate + half)

    @property
    def ci95(self) -> tuple[float, float]:
        """The 95 % confidence interval, ``interval(0.95)``."""
        return self.interval(0.95)

    def as_record(self) -> dict[str, Any]:
        """The coefficient as plain data (e.g. a row of a DataFrame)."""
        low, high = self.ci95
        return {
            "term": sp.sstr(self.term),
            "value": self.value,
            "exact": None if self.exact is None else sp.sstr(self.exact),
            "estimate": self.free_estimate,
            "stderr": self.stderr,
            "ci95_low": low,
            "ci95_high": high,
            "inner": self.inner,
        }

    def to_dict(self) -> dict[str, Any]:
        """The coefficient as law-file JSON data (exact SymPy trees beside their text)."""
        low, high = self.ci95
        return {
            "term": encode_expression(self.term),
            "term_text": sp.sstr(self.term),
            "value": number(self.value),
            "stderr": number(self.stderr),
            "exact": None if self.exact is None else encode_expression(self.exact),
            "exact_text": None if self.exact is None else sp.sstr(self.exact),
            "estimate": number(self.free_estimate),
            "dof": self.dof,
            "ci95": [number(low), number(high)],
            "inner": self.inner,
        }

    @classmethod
    def from_dict(cls, data: dict, path: str | Path = "the law file") -> Coefficient:
        """The coefficient of :meth:`to_dict`'s data; LawFileError naming a missing field."""
        exact = field_of(data, "exact", path)
        dof = data.get("dof")
        return cls(
            term=decode_expression(field_of(data, "term", path)),
            value=read_number(field_of(data, "value", path)),
            stderr=read_number(field_of(data, "stderr", path)),
            exact=None if exact is None else decode_expression(exact),
            estimate=read_number(field_of(data, "estimate", path)),
            dof=None if dof is None else int(dof),
            inner=bool(data.get("inner", False)),  # law files written before inner constants were marked
        )

    def __str__(self) -> str:
        low, high = self.ci95
        digits = DISPLAY_DIGITS
        if math.isfinite(low) and self.stderr > 0:  # as many digits as the error allows
            top = max(abs(low), abs(high), 1e-300)
            digits = min(max(math.floor(math.log10(top)) - math.floor(math.log10(self.stderr)) + 2, 2), 12)
        shown = f"{with_error(self.free_estimate, self.stderr)} (95% CI {low:.{digits}g} to {high:.{digits}g})"
        if self.exact is not None:
            shown += f", exact {sp.sstr(self.exact)}"
        return f"{self.label}: {shown}"


@dataclass(frozen=True)
class FrontEntry:
    """One law on the Pareto front of complexity against error.

    Attributes
    ----------
    expression : sympy.Expr
        The law's right-hand side.
    complexity : int
        The nodes of its expression tree.
    n_terms : int
        Its coefficients, exact or free.
    rmse : float
        Its error on the rows fitted.
    cv_rmse : float
        Its held-out error (NaN where not measured).
    bic : float
        Its score under the criterion that chose among the front (BIC, or
        χ² + k·log n under stated errors).
    chosen : bool
        Whether it is the law returned.
    """

    expression: sp.Expr
    complexity: int
    n_terms: int
    rmse: float
    cv_rmse: float
    bic: float
    chosen: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The entry as law-file JSON data."""
        return {
            "expression": encode_expression(self.expression),
            "formula": sp.sstr(self.expression),
            "complexity": self.complexity,
            "n_terms": self.n_terms,
            "rmse": number(self.rmse),
            "cv_rmse": number(self.cv_rmse),
            "bic": number(self.bic),
            "chosen": bool(self.chosen),
        }

    @classmethod
    def from_dict(cls, data: dict, path: str | Path = "the law file") -> FrontEntry:
        """The entry of :meth:`to_dict`'s data; LawFileError naming a missing field."""

        def get(key: str) -> Any:
            return field_of(data, key, path)

        return cls(
            expression=decode_expression(get("expression")),
            complexity=int(get("complexity")),
            n_terms=int(get("n_terms")),
            rmse=read_number(get("rmse")),
            cv_rmse=read_number(get("cv_rmse")),
            bic=read_number(get("bic")),
            chosen=bool(get("chosen")),
        )


def critical_value(level: float, dof: int | None) -> float:
    """Two-sided quantile of Student's t with ``dof`` degrees of freedom (normal when None)."""
    from scipy import stats

    upper = 0.5 + level / 2
    return float(stats.norm.ppf(upper) if dof is None or dof <= 0 else stats.t.ppf(upper, dof))
