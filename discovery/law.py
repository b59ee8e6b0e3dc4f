"""The result of a discovery: a law that prints, exports and predicts."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import sympy as sp

from bases.compile import compile_expression

DISPLAY_DIGITS = 6


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
    """

    term: sp.Expr
    value: float
    stderr: float
    exact: sp.Expr | None = None
    estimate: float | None = None
    dof: int | None = None

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
        }

    def __str__(self) -> str:
        low, high = self.ci95
        digits = DISPLAY_DIGITS
        if math.isfinite(low) and self.stderr > 0:  # as many digits as the error allows
            top = max(abs(low), abs(high), 1e-300)
            digits = min(max(math.floor(math.log10(top)) - math.floor(math.log10(self.stderr)) + 2, 2), 12)
        shown = f"{with_error(self.free_estimate, self.stderr)} (95% CI {low:.{digits}g} to {high:.{digits}g})"
        if self.exact is not None:
            shown += f", exact {sp.sstr(self.exact)}"
        return f"{sp.sstr(self.term)}: {shown}"


@dataclass(frozen=True)
class FrontEntry:
    """One law on the Pareto front of complexity against error."""

    expression: sp.Expr
    complexity: int
    n_terms: int
    rmse: float
    cv_rmse: float
    bic: float
    chosen: bool = False


@dataclass(eq=False)
class Law:
    """A discovered law ``target = expression``.

    Attributes
    ----------
    expression : sympy.Expr
        The right-hand side in the variable symbols and named constants.
    target : str
        Name of the output.
    variables : tuple of str
        Input names, in the column order ``predict`` expects for arrays.
    constants : dict of str → float
        Values of the named constants in ``expression``.
    coefficients : list of Coefficient
        Each term's coefficient with its standard error.
    front : list of FrontEntry
        The Pareto front the law was chosen from (complexity ascending).
    rmse, r2 : float
        Training error and coefficient of determination.
    n_rows : int
        Rows fitted.
    info : dict
        How it was found: criterion, solver, library size, device, seconds.
    """

    expression: sp.Expr
    target: str
    variables: tuple[str, ...]
    constants: dict[str, float]
    coefficients: list[Coefficient]
    front: list[FrontEntry]
    rmse: float
    r2: float
    n_rows: int
    info: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        """The law with each free coefficient shown as ``(value ± stderr)``; exact ones as they are."""
        return f"{self.target} = {sp.sstr(self._shown(uncertainties=True))}"

    def __repr__(self) -> str:
        return f"Law({self.formula}, rmse={self.rmse:.3g})"

    @property
    def formula(self) -> str:
        """The law as one line of SymPy syntax, floats rounded, without uncertainties."""
        return f"{self.target} = {sp.sstr(rounded(self.expression))}"

    def latex(self, uncertainties: bool = False) -> str:
        """The law in LaTeX, e.g. ``s = \\frac{v^{2} \\sin{\\left(2 \\theta \\right)}}{g}``.

        With ``uncertainties``, free coefficients read ``(0.1019 \\pm 0.0001)``.
        """
        body = sp.latex(self._shown(uncertainties)).replace("±", r"\pm")
        return f"{sp.latex(sp.Symbol(self.target))} = {body}"

    def coefficient_records(self) -> list[dict[str, Any]]:
        """Each coefficient as plain data: term, value, exact, estimate, stderr, 95 % CI."""
        return [c.as_record() for c in self.coefficients]

    def _shown(self, uncertainties: bool) -> sp.Expr:
        """The expression for display: floats rounded, or written ``(value ± stderr)``."""
        if not uncertainties:
            return rounded(self.expression)
        free = [c for c in self.coefficients if c.exact is None and math.isfinite(c.stderr)]
        shown = {}
        for number in self.expression.atoms(sp.Float):
            match = next((c for c in free if _same_number(float(number), c.value)), None)
            if match is None:
                shown[number] = sp.Float(number, DISPLAY_DIGITS)
            else:
                shown[number] = sp.Symbol(f"({with_error(match.value, match.stderr)})")
        return self.expression.xreplace(shown)

    @property
    def numeric_expression(self) -> sp.Expr:
        """The expression with the named constants replaced by their values."""
        return with_constants(self.expression, self.constants)

    def to_numpy(self):
        """A vectorised NumPy function ``f(X)`` of a 2-D array (columns in ``variables`` order)."""
        evaluate = numpy_evaluator(self.expression, self.constants)
        variables = self.variables

        def f(X: Any) -> np.ndarray:
            return evaluate(input_columns(X, variables))

        return f

    def predict(self, X: Any) -> np.ndarray:
        """Evaluate the law.

        Parameters
        ----------
        X : 2-D array-like (columns in ``variables`` order), mapping or DataFrame
            The inputs; mappings and DataFrames are read by column name.

        Returns
        -------
        numpy.ndarray, shape (n_rows,)
        """
        return self.to_numpy()(X)

    def save(self, path: str | Path) -> None:
        """Write the law to a readable JSON file that :meth:`Law.load` reads back exactly.

        The file holds the expression as an exact SymPy tree (and as text),
        the variables, constants, coefficients with their errors, the Pareto
        front, how it was found (method, library, solver settings) and the
        package version.
        """
        from .law_file import law_to_dict, write_json

        write_json(law_to_dict(self), path)

    @classmethod
    def load(cls, path: str | Path) -> "Law":
        """Read a law written by :meth:`save`; it predicts exactly what the saved law did.

        Raises
        ------
        discovery.law_file.LawFileError
            (a DataError) if the file is missing, not a law file, malformed,
            or written in a newer format version than this package reads.
        """
        from .law_file import law_from_dict, read_json

        return law_from_dict(read_json(path), path)

    def front_table(self) -> str:
        """The Pareto front as a text table; the chosen law is marked ``*``."""
        lines = [f"{'':1} {'complexity':>10} {'terms':>5} {'rmse':>10} {'cv rmse':>10} {'bic':>10}  law"]
        for e in self.front:
            mark = "*" if e.chosen else " "
            lines.append(
                f"{mark} {e.complexity:>10d} {e.n_terms:>5d} {e.rmse:>10.3g} {e.cv_rmse:>10.3g} {e.bic:>10.1f}  "
                f"{self.target} = {sp.sstr(rounded(e.expression))}"
            )
        return "\n".join(lines)

    def evidence(self) -> str:
        """Why this law and not its neighbours on the front: their BIC and held-out error against the chosen one's.

        The law is the simplest front entry whose score is within a margin of
        the best (6 BIC units: strong evidence); a more complex neighbour must
        lower the BIC by more than that to be chosen, and a simpler one is
        rejected because its BIC is higher by more than that.
        """
        from .selection import MARGIN

        chosen = next((i for i, e in enumerate(self.front) if e.chosen), None)
        if chosen is None:
            return "evidence: no front recorded"
        criterion = self.info.get("criterion", "bic")
        c = self.front[chosen]
        lines = [f"evidence (criterion {criterion}; the simplest law within "
                 f"{MARGIN.get(criterion, 0):g} of the lowest score is chosen):",
                 f"  chosen          BIC {c.bic:10.1f}, held-out rmse {c.cv_rmse:.4g}: {self.target} = "
                 f"{sp.sstr(rounded(c.expression))}"]
        for label, i in (("simpler", chosen - 1), ("more complex", chosen + 1)):
            if not 0 <= i < len(self.front):
                continue
            e = self.front[i]
            delta = e.bic - c.bic
            lines.append(f"  {label:<14}  BIC {e.bic:10.1f} ({delta:+.1f}), held-out rmse {e.cv_rmse:.4g}: "
                         f"{self.target} = {sp.sstr(rounded(e.expression))}")
        return "\n".join(lines)

    def summary(self) -> str:
        """The law, its LaTeX, coefficients with errors, fit error, front and evidence, and bootstrap report."""
        parts = [str(self), f"LaTeX: {self.latex()}", "coefficients:"]
        parts += [f"  {c}" for c in self.coefficients]
        parts.append(f"rmse {self.rmse:.4g}, R² {self.r2:.6f} on {self.n_rows} rows")
        parts.append("Pareto front:")
        parts.append(self.front_table())
        parts.append(self.evidence())
        if "bootstrap" in self.info:
            from .bootstrap import BootstrapReport

            parts.append(BootstrapReport(**self.info["bootstrap"]).table())
        return "\n".join(parts)


def critical_value(level: float, dof: int | None) -> float:
    """Two-sided quantile of Student's t with ``dof`` degrees of freedom (normal when None)."""
    from scipy import stats

    upper = 0.5 + level / 2
    return float(stats.norm.ppf(upper) if dof is None or dof <= 0 else stats.t.ppf(upper, dof))


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


def _same_number(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= 1e-12 * max(abs(a), abs(b))


def with_constants(expr: sp.Expr, constants: Mapping[str, float]) -> sp.Expr:
    """``expr`` with each named constant replaced by its value."""
    return expr.subs({sp.Symbol(k): v for k, v in constants.items()})


def numpy_evaluator(expr: sp.Expr, constants: Mapping[str, float]):
    """A float64 NumPy function of columns (name → array) evaluating ``expr``."""
    evaluate = compile_expression(with_constants(expr, constants), "numpy")
    return lambda columns: np.asarray(evaluate(columns), dtype=np.float64)


def rounded(expr: sp.Expr, digits: int = DISPLAY_DIGITS) -> sp.Expr:
    """``expr`` with its floats shown to ``digits`` significant digits."""
    return expr.xreplace({f: sp.Float(f, digits) for f in expr.atoms(sp.Float)})


def input_columns(X: Any, variables: Sequence[str]) -> dict[str, np.ndarray]:
    """Read the columns a law needs from an array, mapping or DataFrame."""
    from .errors import DataError

    if isinstance(X, Mapping) or hasattr(X, "columns"):
        keys = list(X.keys()) if isinstance(X, Mapping) else [str(c) for c in X.columns]
        missing = [v for v in variables if v not in keys]
        if missing:
            raise DataError(f"the law needs column(s) {', '.join(map(repr, missing))}; the data has {', '.join(keys)}")
        return {v: np.asarray(X[v], dtype=np.float64).reshape(-1) for v in variables}
    try:
        array = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(f"X must be numeric, with column(s) {', '.join(variables)}") from None
    if array.ndim == 1 and len(variables) == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2 or array.shape[1] != len(variables):
        raise DataError(
            f"X must have {len(variables)} column(s) ({', '.join(variables)}); got shape {array.shape}"
        )
    return {v: array[:, j] for j, v in enumerate(variables)}
