"""The result of a discovery: a law that prints, exports, predicts and saves itself."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from ..errors import DataError
from ..io.columns import input_columns
from ..io.dataset import Dataset
from .coefficient import Coefficient, FrontEntry
from .display import DISPLAY_DIGITS, bootstrap_table, rounded, same_number, with_error
from .evaluate import numpy_evaluator, with_constants
from .file import (
    FORMAT,
    FORMAT_VERSION,
    LawFileError,
    decode_expression,
    encode_expression,
    field_of,
    number,
    package_version,
    plain,
    read_json,
    read_number,
    write_json,
)


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
    alternatives : list of Law
        The laws other stages of ``method="auto"`` found that lost to this
        one (best first by BIC on y), each with ``info["method"]``,
        ``info["bic_on_y"]`` and ``info["not_chosen"]`` (why it lost). Their
        errors and scores are on the rows searched.
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
    alternatives: list[Law] = field(default_factory=list)

    @classmethod
    def fitted(
        cls,
        expression: sp.Expr,
        data: Dataset,
        *,
        constants: Mapping[str, float],
        coefficients: list[Coefficient],
        front: list[FrontEntry],
        rmse: float,
        info: Mapping[str, Any] | None = None,
    ) -> Law:
        """The law ``data.target = expression`` as fitted to ``data``, with its R² measured there.

        Every search path builds its law here, so that the error, R² and
        row count of a law mean the same whichever path found it.
        """
        rss = rmse**2 * data.n_rows
        return cls(
            expression=expression,
            target=data.target,
            variables=data.variables,
            constants=dict(constants),
            coefficients=coefficients,
            front=front,
            rmse=rmse,
            r2=float(1 - rss / np.sum((data.y - data.y.mean()) ** 2)),
            n_rows=data.n_rows,
            info=dict(info or {}),
        )

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

    def _repr_latex_(self) -> str:
        """Jupyter: the law typeset (``$\\displaystyle s = ...$``)."""
        from .notebook import law_latex

        return law_latex(self)

    def _repr_html_(self) -> str:
        """Jupyter: the law typeset, its fit, a coefficient table (± and 95 % intervals), the front and evidence."""
        from .notebook import law_html

        return law_html(self)

    def _repr_markdown_(self) -> str:
        """Jupyter frontends that prefer Markdown: the law in LaTeX and its coefficients as a table."""
        from .notebook import law_markdown

        return law_markdown(self)

    def coefficient_records(self) -> list[dict[str, Any]]:
        """Each coefficient as plain data: term, value, exact, estimate, stderr, 95 % CI."""
        return [c.as_record() for c in self.coefficients]

    def _shown(self, uncertainties: bool) -> sp.Expr:
        """The expression for display: floats rounded, or written ``(value ± stderr)``."""
        if not uncertainties:
            return rounded(self.expression)
        free = [c for c in self.coefficients if c.exact is None and math.isfinite(c.stderr)]
        shown = {}
        for literal in self.expression.atoms(sp.Float):
            match = next((c for c in free if same_number(float(literal), c.value)), None)
            if match is None:
                shown[literal] = sp.Float(literal, DISPLAY_DIGITS)
            else:
                shown[literal] = sp.Symbol(f"({with_error(match.value, match.stderr)})")
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
            return evaluate(input_columns(X, variables, expected_by="the law"))

        return f

    def plot(self, X: Any = None, y: Any = None):
        """Parity (predicted against measured), residuals against each input, and the law over one or two inputs.

        A law does not keep the rows it was found on: give them, ``law.plot(X, y)``.
        See :func:`discovery.law.plots.plot_law`; returns a matplotlib Figure
        (headless-safe: drawn without pyplot), shown inline in Jupyter.
        """
        from .plots import plot_law

        if X is None or y is None:
            raise DataError(
                "law.plot needs the data to draw the law against: law.plot(X, y), X with the columns "
                f"{', '.join(self.variables)} and y the measured {self.target} (a law does not keep its rows)"
            )
        return plot_law(self, X, y)

    def plot_front(self):
        """The Pareto front, complexity against error, the chosen law marked (a matplotlib Figure)."""
        from .plots import plot_front

        return plot_front(self)

    def sympy(self) -> sp.Expr:
        """The law's right-hand side as a SymPy expression (named constants as symbols), as PySR's ``sympy()``."""
        return self.expression

    def to_torch(self):
        """The law as a ``torch.nn.Module``: ``module(X)`` on a tensor whose columns are ``variables``, in order.

        Its free constants (coefficients not recognised as exact values) are
        float64 parameters (``module.constants``), so the law can be trained
        further inside a larger model; exact values and named constants stay
        fixed. It computes what :meth:`predict` does, through the project's
        own SymPy-to-torch compiler.
        """
        from .torch_module import LawModule

        return LawModule(self.expression, self.variables, self.constants)

    def to_jax(self):
        """The law as a JAX function ``f(X)`` of an array whose columns are ``variables`` (needs JAX installed)."""
        from .export import jax_function

        return jax_function(self.expression, self.variables, self.constants)

    def to_code(self, language: str = "python") -> str:
        """The law as the source of one function, through SymPy's printers.

        Parameters
        ----------
        language : {"python", "c", "fortran"}
            Python (``math``), C99 (``math.h``, ``double``) or Fortran 95
            (``real(8)``); the function is named after the target and takes
            the variables in order.
        """
        from .export import to_code

        return to_code(self.expression, self.variables, self.constants, self.target, language)

    def predict(self, X: Any) -> np.ndarray:
        """Evaluate the law.

        Parameters
        ----------
        X : 2-D array-like (columns in ``variables`` order), mapping or DataFrame
            The inputs; mappings and DataFrames are read by column name.

        Returns
        -------
        numpy.ndarray, shape (n_rows,)

        Raises
        ------
        DataError
            For inputs the law cannot read: a missing column, the wrong number
            of columns, a cell that is not a number, NaN or infinite values
            (naming the column and rows), as when fitting.
        """
        return self.to_numpy()(X)

    def save(self, path: str | Path) -> None:
        """Write the law to a readable JSON file that :meth:`Law.load` reads back exactly.

        The file holds the expression as an exact SymPy tree (and as text),
        the variables, constants, coefficients with their errors, the Pareto
        front, how it was found (method, library, solver settings) and the
        package version.
        """
        write_json(self.to_dict(), path)

    @classmethod
    def load(cls, path: str | Path) -> Law:
        """Read a law written by :meth:`save`; it predicts exactly what the saved law did.

        Raises
        ------
        LawFileError
            (a DataError) if the file is missing, not a law file, malformed,
            or written in a newer format version than this package reads.
        """
        return cls.from_dict(read_json(path), path)

    def to_dict(self) -> dict[str, Any]:
        """The law as the JSON data of a law file (see :meth:`save`)."""
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "package_version": package_version(),
            "formula": self.formula,
            "latex": self.latex(),
            "target": self.target,
            "variables": list(self.variables),
            "constants": {k: number(v) for k, v in self.constants.items()},
            "expression": encode_expression(self.expression),
            "coefficients": [c.to_dict() for c in self.coefficients],
            "front": [e.to_dict() for e in self.front],
            "rmse": number(self.rmse),
            "r2": number(self.r2),
            "n_rows": self.n_rows,
            "info": plain(self.info),
            "alternatives": [_entry(a) for a in self.alternatives],
        }

    @classmethod
    def from_dict(cls, data: dict, path: str | Path = "the law file") -> Law:
        """The law of a law file's JSON data (checked by :func:`discovery.law.file.read_json`)."""

        def get(key: str) -> Any:
            return field_of(data, key, path)

        variables = get("variables")
        if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
            raise LawFileError(f"{str(path)!r}: 'variables' must be a list of names, got {variables!r}")
        constants = get("constants")
        if not isinstance(constants, dict):
            raise LawFileError(f"{str(path)!r}: 'constants' must be a mapping of name to value, got {constants!r}")
        return cls(
            expression=decode_expression(get("expression")),
            target=str(get("target")),
            variables=tuple(variables),
            constants={str(k): read_number(v) for k, v in constants.items()},
            coefficients=[Coefficient.from_dict(c, path) for c in get("coefficients")],
            front=[FrontEntry.from_dict(e, path) for e in get("front")],
            rmse=read_number(get("rmse")),
            r2=read_number(get("r2")),
            n_rows=int(get("n_rows")),
            info=dict(data.get("info") or {}),
            alternatives=[cls.from_dict(a, path) for a in _alternatives_of(data, path)],
        )

    def front_table(self) -> str:
        """The Pareto front as a text table; the chosen law is marked ``*`` (in Jupyter, an HTML table, it in bold)."""
        from .notebook import ShownText, front_html

        lines = [f"{'':1} {'complexity':>10} {'terms':>5} {'rmse':>10} {'cv rmse':>10} {'bic':>10}  law"]
        for e in self.front:
            mark = "*" if e.chosen else " "
            lines.append(
                f"{mark} {e.complexity:>10d} {e.n_terms:>5d} {e.rmse:>10.3g} {e.cv_rmse:>10.3g} {e.bic:>10.1f}  "
                f"{self.target} = {sp.sstr(rounded(e.expression))}"
            )
        return ShownText("\n".join(lines), lambda: front_html(self))

    def coefficient_table(self) -> str:
        """The coefficients, one line each with ± and the 95 % interval (in Jupyter, an HTML table)."""
        from .notebook import ShownText, coefficients_html

        return ShownText("\n".join(str(c) for c in self.coefficients), lambda: coefficients_html(self))

    def evidence(self) -> str:
        """Why this law: its front neighbours' BIC and held-out error, and the laws other stages found that lost.

        The law is the simplest front entry whose score is within a margin of
        the best (6 BIC units: strong evidence); a more complex neighbour must
        lower the BIC by more than that to be chosen, and a simpler one is
        rejected because its BIC is higher by more than that. Under
        ``method="auto"`` each stage's law (the basis search's, the
        decomposition's, the parametric forms', a backend's) competes by its
        BIC on y: those that lost are :attr:`alternatives`, listed with their
        BIC against the chosen law's and why they lost.
        """
        from .evidence import evidence_lines
        from .notebook import ShownText

        return ShownText("\n".join(evidence_lines(self)))

    def summary(self) -> str:
        """The law, its LaTeX, coefficients with errors, fit error, front and evidence, and bootstrap report."""
        parts = [str(self), f"LaTeX: {self.latex()}", "coefficients:"]
        parts += [f"  {c}" for c in self.coefficients]
        parts.append(f"rmse {self.rmse:.4g}, R² {self.r2:.6f} on {self.n_rows} rows")
        parts.append("Pareto front:")
        parts.append(self.front_table())
        parts.append(self.evidence())
        if "bootstrap" in self.info:
            parts.append(bootstrap_table(self.info["bootstrap"]))
        return "\n".join(parts)


def _entry(law: Law) -> dict[str, Any]:
    """An alternative as law-file data: its own law's, without the file's header or further alternatives."""
    header = ("format", "format_version", "package_version", "alternatives")
    return {k: v for k, v in law.to_dict().items() if k not in header}


def _alternatives_of(data: dict, path: str | Path) -> list[dict]:
    """A law file's alternatives (none in files written before they were kept), checked to be a list of laws."""
    alternatives = data.get("alternatives") or []
    if not isinstance(alternatives, list) or not all(isinstance(a, dict) for a in alternatives):
        raise LawFileError(f"{str(path)!r}: 'alternatives' must be a list of laws, got {alternatives!r}")
    return alternatives
