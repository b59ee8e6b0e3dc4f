"""PySINDy as its users run it: defaults, the weak form, and tuned with ensemble (E-SINDy) intervals.

``defaults``: ``ps.SINDy()`` (polynomials to degree 2, STLSQ with threshold
0.1, finite differences). ``weak``: ``WeakPDELibrary`` over the same
polynomials, STLSQ 0.1. ``tuned``, as a careful user runs it: smoothed finite
differences (Savitzky–Golay, cubic, over 11 samples or a third of the
shortest series if that is fewer, at least 5), ``normalize_columns=True``, the STLSQ threshold
chosen from :data:`THRESHOLDS` by cross-validation (leave one trajectory
out; a single trajectory is split into two halves, each predicting the
other), then E-SINDy (``EnsembleOptimizer``, bagging, :data:`MODELS`
models): the median model, and each kept coefficient's 95 % interval the
2.5 to 97.5 percentiles of its bagged values.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import sympy as sp

THRESHOLDS = (0.01, 0.03, 0.1, 0.3, 1.0)
MODELS = 100
SEED = 0


@dataclass(frozen=True)
class EnsembleCoefficient:
    """A coefficient of the E-SINDy median model and its percentile interval (read as a Law's coefficients are)."""

    term: sp.Expr
    value: float
    ci95: tuple[float, float]
    exact: None = None
    inner: bool = False  # SINDy's terms have no constants inside them


def fit_pysindy(kind: str, t: list[np.ndarray], xs: list[np.ndarray], states: tuple[str, ...]) -> dict:
    """Fit one way (``"defaults"``, ``"weak"`` or ``"tuned"``); the right-hand sides and, when tuned, intervals."""
    import pysindy as ps

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "weak":
            library = ps.WeakPDELibrary(
                function_library=ps.PolynomialLibrary(degree=2), spatiotemporal_grid=t[0], K=100, p=4
            )
            model = ps.SINDy(feature_library=library, optimizer=ps.STLSQ(threshold=0.1))
            model.fit(xs, t=t[0], feature_names=list(states))
        elif kind == "defaults":
            model = ps.SINDy()
            model.fit(xs, t=list(t), feature_names=list(states))
        else:
            return _tuned(t, xs, states)
    return {"expressions": _expressions(np.asarray(model.coefficients()), model.get_feature_names(), states)}


def _tuned(t: list[np.ndarray], xs: list[np.ndarray], states: tuple[str, ...]) -> dict:
    import pysindy as ps

    threshold = max(THRESHOLDS, key=lambda h: _cross_validated(h, t, xs, states))
    np.random.seed(SEED)  # EnsembleOptimizer draws its bags from NumPy's global generator
    optimizer = ps.EnsembleOptimizer(_stlsq(threshold), bagging=True, n_models=MODELS)
    model = ps.SINDy(optimizer=optimizer, differentiation_method=_smoothed(t))
    model.fit(xs, t=list(t), feature_names=list(states))
    names = model.get_feature_names()
    median = np.asarray(model.coefficients())
    bags = np.asarray(model.optimizer.coef_list)
    expressions = _expressions(median, names, states)
    coefficients = [
        [
            EnsembleCoefficient(
                _feature(names[k], states),
                float(median[j, k]),
                tuple(float(v) for v in np.percentile(bags[:, j, k], [2.5, 97.5])),
            )
            for k in np.flatnonzero(median[j])
        ]
        for j in range(len(states))
    ]
    return {"expressions": expressions, "coefficients": coefficients, "threshold": threshold}


def _smoothed(t: list[np.ndarray]):
    """Smoothed finite differences whose window fits the shortest series (SINDy's 11 samples at most)."""
    import pysindy as ps

    window = max(5, min(11, min(len(tt) for tt in t) // 3))
    window -= 1 - window % 2  # odd
    return ps.SmoothedFiniteDifference(smoother_kws={"window_length": window, "polyorder": 3})


def _stlsq(threshold: float):
    import pysindy as ps

    return ps.STLSQ(threshold=threshold, normalize_columns=True)


def _cross_validated(threshold: float, t: list[np.ndarray], xs: list[np.ndarray], states: tuple[str, ...]) -> float:
    """The mean held-out R² of the derivatives (smoothed finite differences) for one threshold."""
    import pysindy as ps

    if len(xs) > 1:
        folds = [
            ([x for i, x in enumerate(xs) if i != k], [tt for i, tt in enumerate(t) if i != k], xs[k], t[k])
            for k in range(len(xs))
        ]
    else:
        half = len(t[0]) // 2
        a, b = (xs[0][:half], t[0][:half]), (xs[0][half:], t[0][half:])
        folds = [([a[0]], [a[1]], b[0], b[1]), ([b[0]], [b[1]], a[0], a[1])]
    scores = []
    for train_x, train_t, test_x, test_t in folds:
        model = ps.SINDy(optimizer=_stlsq(threshold), differentiation_method=_smoothed([*train_t, test_t]))
        try:
            model.fit(train_x, t=train_t, feature_names=list(states))
            scores.append(float(model.score(test_x, t=test_t)))
        except Exception:  # a fold too short to smooth, or a fit that fails: this threshold scores nothing there
            scores.append(float("-inf"))
    return float(np.mean(scores))


def _feature(name: str, states: tuple[str, ...]) -> sp.Expr:
    local = {s: sp.Symbol(s) for s in states}
    return sp.sympify(name.replace("^", "**").replace(" ", "*"), locals=local)


def _expressions(coefficients: np.ndarray, names: list[str], states: tuple[str, ...]) -> list[sp.Expr]:
    out = []
    for row in coefficients:
        expression = sp.Integer(0)
        for c, name in zip(row, names):
            if c != 0:
                expression += sp.Float(c) * _feature(name, states)
        out.append(expression)
    return out
