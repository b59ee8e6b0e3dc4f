"""Figures of any law: parity and residuals on data, the law drawn over one or two inputs, its Pareto front.

Drawn on :class:`matplotlib.figure.Figure` objects with the Agg canvas, never
through ``pyplot``: headless-safe, and no global figure state is touched. A
returned Figure shows itself in Jupyter and saves with ``fig.savefig(path)``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import sympy as sp
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..errors import DataError
from ..io.columns import input_columns
from .display import rounded

GRID = 200  # points per axis where the law is drawn over its inputs
MAX_POINTS = 20_000  # rows drawn; beyond it an evenly spaced subset, so a figure of millions of rows stays light


def plot_law(law: Any, X: Any, y: Any) -> Figure:
    """Parity (predicted against measured), the residuals against each input, and the law over the data.

    Parameters
    ----------
    law : Law
    X : 2-D array-like (columns in ``law.variables`` order), mapping or DataFrame
    y : 1-D array-like
        The measured target, one value per row of X.

    Returns
    -------
    matplotlib.figure.Figure
        Axes in order: parity; one residual panel per input; with one input,
        the law as a line over the data; with two, the law's contours over
        the data coloured by the measured target.

    Raises
    ------
    DataError
        For inputs the law cannot read, or a y whose length differs from X's rows.
    """
    columns = input_columns(X, law.variables, expected_by="the law")
    measured = np.asarray(y, dtype=float).reshape(-1)
    n = len(next(iter(columns.values()))) if columns else len(measured)
    if len(measured) != n:
        raise DataError(f"y has {len(measured)} values but X has {n} rows: give one measured value per row")
    rows = np.unique(np.linspace(0, n - 1, min(n, MAX_POINTS)).astype(int))
    predicted = law.to_numpy()(columns)
    panels = 1 + len(law.variables) + (1 if 1 <= len(law.variables) <= 2 else 0)
    ncols = min(3, panels)
    nrows = math.ceil(panels / ncols)
    fig = Figure(figsize=(4.2 * ncols, 3.6 * nrows), layout="constrained")
    FigureCanvasAgg(fig)
    axes = [fig.add_subplot(nrows, ncols, k + 1) for k in range(panels)]
    _parity(axes[0], law, measured[rows], predicted[rows])
    residual = measured - predicted
    for ax, name in zip(axes[1:], law.variables):
        ax.scatter(columns[name][rows], residual[rows], s=6, alpha=0.5, color="tab:blue")
        ax.axhline(0.0, color="black", linewidth=0.8)
        ax.set_xlabel(name)
        ax.set_ylabel(f"measured − predicted {law.target}")
    if len(law.variables) == 1:
        _over_one_input(axes[-1], law, columns, measured, rows)
    elif len(law.variables) == 2:
        _over_two_inputs(fig, axes[-1], law, columns, measured, rows)
    fig.suptitle(f"{law.target} = {sp.sstr(rounded(law.expression))}", fontsize=10)
    return fig


def _parity(ax: Any, law: Any, measured: np.ndarray, predicted: np.ndarray) -> None:
    ax.scatter(measured, predicted, s=6, alpha=0.5, color="tab:blue", label="rows")
    low, high = float(np.min([measured.min(), predicted.min()])), float(np.max([measured.max(), predicted.max()]))
    ax.plot([low, high], [low, high], color="black", linewidth=0.8, label="predicted = measured")
    ax.set_xlabel(f"measured {law.target}")
    ax.set_ylabel(f"predicted {law.target}")
    ax.set_title(f"parity: R² {law.r2:.6f}, rmse {law.rmse:.3g}", fontsize=9)
    ax.legend(fontsize=8)


def _over_one_input(ax: Any, law: Any, columns: dict, measured: np.ndarray, rows: np.ndarray) -> None:
    (name,) = law.variables
    x = columns[name]
    grid = np.linspace(float(x.min()), float(x.max()), GRID)
    with np.errstate(all="ignore"):
        curve = np.broadcast_to(law.to_numpy()(grid[:, None]), grid.shape)
    ax.scatter(x[rows], measured[rows], s=6, alpha=0.5, color="tab:blue", label="data")
    ax.plot(grid, curve, color="tab:red", linewidth=1.5, label="law")
    ax.set_xlabel(name)
    ax.set_ylabel(law.target)
    ax.legend(fontsize=8)


def _over_two_inputs(fig: Figure, ax: Any, law: Any, columns: dict, measured: np.ndarray, rows: np.ndarray) -> None:
    a, b = law.variables
    ga = np.linspace(float(columns[a].min()), float(columns[a].max()), GRID)
    gb = np.linspace(float(columns[b].min()), float(columns[b].max()), GRID)
    A, B = np.meshgrid(ga, gb)
    with np.errstate(all="ignore"):
        Z = np.broadcast_to(law.to_numpy()(np.column_stack([A.ravel(), B.ravel()])), A.size).reshape(A.shape)
    low, high = float(np.nanmin(measured)), float(np.nanmax(measured))
    contours = ax.contour(A, B, np.clip(Z, low, high) if high > low else Z, levels=12, cmap="viridis")
    points = ax.scatter(
        columns[a][rows], columns[b][rows], c=measured[rows], s=8, cmap="viridis", vmin=low, vmax=high, label="data"
    )
    fig.colorbar(points, ax=ax, label=f"{law.target} (contours: law)")
    ax.clabel(contours, fontsize=6)
    ax.set_xlabel(a)
    ax.set_ylabel(b)


def plot_front(law: Any) -> Figure:
    """The Pareto front: complexity against training and held-out error, the chosen law marked and written.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; errors on a log scale when all are positive.
    """
    if not law.front:
        raise DataError("this law has no Pareto front to plot (it was built, not searched)")
    fig = Figure(figsize=(6.4, 4.2), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    complexity = np.array([e.complexity for e in law.front], dtype=float)
    rmse = np.array([e.rmse for e in law.front], dtype=float)
    held = np.array([e.cv_rmse for e in law.front], dtype=float)
    ax.plot(complexity, rmse, "o-", color="tab:blue", label="training rmse")
    if np.isfinite(held).any():
        ax.plot(complexity, held, "s--", color="tab:orange", alpha=0.7, label="held-out rmse")
    chosen = [e for e in law.front if e.chosen]
    for e in chosen:
        ax.plot([e.complexity], [e.rmse], marker="*", markersize=16, color="tab:red", linestyle="none", label="chosen")
        ax.annotate(
            f"{law.target} = {sp.sstr(rounded(e.expression))}",
            (e.complexity, e.rmse),
            textcoords="offset points",
            xytext=(8, 8),
            fontsize=8,
        )
    positive = np.concatenate([rmse, held[np.isfinite(held)]])
    if np.all(positive > 0):
        ax.set_yscale("log")
    ax.set_xlabel("complexity (nodes)")
    ax.set_ylabel("rmse")
    ax.set_title(f"Pareto front of {law.target}: {len(law.front)} laws", fontsize=10)
    ax.legend(fontsize=8)
    return fig
