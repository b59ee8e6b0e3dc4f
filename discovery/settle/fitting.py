"""Fits on the rows: linear least squares (QR) and nonlinear least squares (Levenberg–Marquardt).

The nonlinear models live here beside their optimiser: an expression whose
floats are parameters (:class:`ParametrisedExpression`, for a search
backend's proposals) and a linear law seen through an inverse transform
(:func:`fit_through_inverse`, for laws found for 1/y, log y, ...).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..law.evaluate import ParameterEvaluator, with_constants

MAX_EVALUATIONS = 200  # per Levenberg-Marquardt refit of an expression: each starts near its optimum


@dataclass(frozen=True)
class ParameterFit:
    """Least-squares values of a fit's parameters (linear or not), with some held fixed.

    Attributes
    ----------
    coef : numpy.ndarray
        All coefficients (fixed ones included), in column order.
    stderr : numpy.ndarray
        Standard errors; 0 for fixed coefficients.
    rss : float
        Residual sum of squares.
    n_free : int
        Number of coefficients that were fitted.
    """

    coef: np.ndarray
    stderr: np.ndarray
    rss: float
    n_free: int


def least_squares(columns: np.ndarray, y: np.ndarray, fixed: Mapping[int, float] | None = None) -> ParameterFit:
    """Fit ``y ≈ columns @ coef`` by QR least squares, holding ``fixed`` coefficients.

    Parameters
    ----------
    columns : numpy.ndarray, shape (n, k)
    y : numpy.ndarray, shape (n,)
    fixed : mapping of column index → value, optional
    """
    fixed = dict(fixed or {})
    n, k = columns.shape
    free = [j for j in range(k) if j not in fixed]
    target = y - sum((columns[:, j] * v for j, v in fixed.items()), np.zeros(n))
    coef = np.zeros(k)
    for j, v in fixed.items():
        coef[j] = v
    stderr = np.zeros(k)
    if free:
        a = columns[:, free]
        scale = np.sqrt((a * a).mean(axis=0))
        scale[scale == 0] = 1.0
        w, *_ = np.linalg.lstsq(a / scale, target, rcond=None)
        coef[free] = w / scale
        resid = target - a @ coef[free]
        rss = float(resid @ resid)
        dof = n - len(free)
        if dof > 0:
            sigma2 = rss / dof
            # cov = σ² (AᵀA)⁻¹, through the pseudo-inverse of the scaled design.
            pinv = np.linalg.pinv(a / scale)
            stderr[free] = np.sqrt(sigma2 * (pinv * pinv).sum(axis=1)) / scale
        else:
            stderr[free] = np.inf
    else:
        resid = target
        rss = float(resid @ resid)
    return ParameterFit(coef, stderr, rss, len(free))


def fit_parameters(
    residual_of: Callable[[np.ndarray], np.ndarray],
    jacobian_of: Callable[[np.ndarray], np.ndarray],
    start: np.ndarray,
    fixed: Mapping[int, float] | None = None,
    max_evaluations: int | None = None,
) -> ParameterFit:
    """Nonlinear least squares (Levenberg–Marquardt) on the parameters not in ``fixed``.

    Parameters
    ----------
    residual_of, jacobian_of : callable
        Of the full parameter vector: residuals (n,) and their derivatives (n, k).
        Non-finite values are treated as a huge residual and a zero slope.
    start : numpy.ndarray, shape (k,)
    fixed : mapping of index → value, optional
    max_evaluations : int, optional
        Cap on residual evaluations (SciPy's ``max_nfev``).

    Returns
    -------
    ParameterFit
        With standard errors from the Jacobian at the solution.
    """
    from scipy.optimize import least_squares as solve

    full = np.asarray(start, dtype=float).copy()
    for j, v in (fixed or {}).items():
        full[j] = v
    free = [j for j in range(len(full)) if j not in (fixed or {})]

    def residual(theta: np.ndarray) -> np.ndarray:
        full[free] = theta
        with np.errstate(all="ignore"):
            r = residual_of(full)
        return np.where(np.isfinite(r), r, 1e150)

    def jacobian(theta: np.ndarray) -> np.ndarray:
        full[free] = theta
        with np.errstate(all="ignore"):
            J = jacobian_of(full)[:, free]
        return np.where(np.isfinite(J), J, 0.0)

    r = residual(full[free])
    if free and len(r) > len(free):
        full[free] = solve(residual, full[free], jac=jacobian, method="lm", max_nfev=max_evaluations).x
        r = residual(full[free])
    rss = float(r @ r)
    stderr = np.zeros(len(full))
    if free:
        J = jacobian(full[free])
        sigma2 = rss / max(len(r) - len(free), 1)
        # Scale the columns first: a prefactor of 2e10 beside an exponent of 0.12 makes JᵀJ so
        # ill-conditioned that the pseudo-inverse drops a direction, and the errors come out 1e-19.
        largest = np.abs(J).max(axis=0)
        largest[largest == 0] = 1.0
        with np.errstate(over="ignore"):
            scale = largest * np.sqrt(((J / largest) ** 2).sum(axis=0))  # the column norms, without overflow
        scale = np.where(np.isfinite(scale), scale, largest)  # a norm past 1e308: its largest entry will do
        scale[scale == 0] = 1.0
        pinv = np.linalg.pinv(J / scale)
        with np.errstate(over="ignore"):  # a direction the rows do not determine: an infinite error
            stderr[free] = np.sqrt(sigma2 * (pinv * pinv).sum(axis=1)) / scale
    return ParameterFit(full.copy(), stderr, rss, len(free))


def fit_through_inverse(
    design: np.ndarray,
    y: np.ndarray,
    inverse: Callable[[np.ndarray], np.ndarray],
    inverse_slope: Callable[[np.ndarray], np.ndarray],
    start: np.ndarray,
    fixed: Mapping[int, float] | None = None,
) -> ParameterFit:
    """Nonlinear least squares of ``y ≈ inverse(design @ c)``: a linear law for a transformed target, fitted on y.

    Parameters
    ----------
    design : numpy.ndarray, shape (n, k)
        The law's terms on the rows.
    y : numpy.ndarray, shape (n,)
    inverse, inverse_slope : callable
        The transform's inverse on numbers, and its derivative.
    start : numpy.ndarray, shape (k,)
    fixed : mapping of index → value, optional
    """
    return fit_parameters(
        lambda c: inverse(design @ c) - y, lambda c: inverse_slope(design @ c)[:, None] * design, start, fixed
    )


class ParametrisedExpression:
    """An expression with its floats replaced by parameters p0, p1, ...; fits them by Levenberg–Marquardt."""

    def __init__(
        self,
        expression: sp.Expr,
        columns: Mapping[str, np.ndarray],
        y: np.ndarray,
        constants: Mapping[str, float],
        weights: np.ndarray | None = None,
    ) -> None:
        self.weights = weights  # each row's residual is multiplied by its weight (1/σᵢ up to a factor)
        floats = sorted(expression.atoms(sp.Float), key=lambda f: sp.default_sort_key(f))
        self.parameters = [sp.Symbol(f"_p{j}") for j in range(len(floats))]
        self.expression = expression.xreplace(dict(zip(floats, self.parameters)))
        self.start = np.array([float(f) for f in floats])
        self.n = len(floats)
        self.y = y
        self.columns = dict(columns)
        self._model = ParameterEvaluator(with_constants(self.expression, constants), self.parameters)

    def evaluate(self, theta: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return self._model.value(self.columns, theta, len(self.y))

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        if not self.n:
            return np.zeros((len(self.y), 0))
        with np.errstate(all="ignore"):
            return self._model.slopes(self.columns, theta, len(self.y))

    def fit(self, fixed: Mapping[int, float], start: np.ndarray | None = None) -> ParameterFit | None:
        try:
            w = self.weights
            fit = fit_parameters(
                (lambda full: self.evaluate(full) - self.y)
                if w is None
                else (lambda full: (self.evaluate(full) - self.y) * w),
                self.jacobian if w is None else (lambda full: self.jacobian(full) * w[:, None]),
                self.start if start is None else start,
                fixed,
                MAX_EVALUATIONS,
            )
        except (ValueError, TypeError, np.linalg.LinAlgError, ZeroDivisionError, OverflowError):
            return None
        return fit if math.isfinite(fit.rss) and fit.rss < 1e299 else None

    def on_rows(self, rows: np.ndarray) -> ParametrisedExpression:
        """The same model, its compiled functions reused, on a subset of its rows."""
        subset = copy.copy(self)
        subset.y = self.y[rows]
        subset.columns = {k: v[rows] for k, v in self.columns.items()}
        subset.weights = None if self.weights is None else self.weights[rows]
        return subset

    def without_term(self, term: sp.Expr, values: np.ndarray, constants: Mapping[str, float]) -> ParametrisedExpression:
        """The same model with one additive term removed, the other parameters starting at ``values``."""
        reduced = (self.expression - term).xreplace({p: sp.Float(v) for p, v in zip(self.parameters, values)})
        return ParametrisedExpression(reduced, self.columns, self.y, constants, self.weights)

    def term_of(self, j: int) -> sp.Expr:
        """What parameter j multiplies: the smallest product it is a factor of (1 when it stands alone)."""
        return term_of(self.expression, self.parameters, j)


def term_of(expression: sp.Expr, parameters: list[sp.Symbol], j: int) -> sp.Expr:
    """What ``parameters[j]`` multiplies in ``expression``: the smallest product it is a factor of (1 alone).

    The other parameters in that product show as ``c``.
    """
    p = parameters[j]
    products = [m for m in sp.preorder_traversal(expression) if isinstance(m, sp.Mul) and p in m.args]
    if not products:
        return sp.Integer(1)
    smallest = min(products, key=sp.count_ops)
    return (smallest / p).xreplace({q: sp.Symbol("c") for q in parameters if q != p})
