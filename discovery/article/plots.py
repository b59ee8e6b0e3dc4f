"""Figures of the cannon experiment, drawn headless with the Agg canvas.

Only :class:`matplotlib.figure.Figure` objects are used (never ``pyplot``), so
no global backend or figure registry is touched.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["write_cannon_plots", "slugify", "TRAIN_V_MAX"]

TRAIN_V_MAX = 10.0  # largest muzzle speed in the article's training data
_DPI = 100
_GRID = (161, 91)  # points along v and along θ

Predictor = Callable[[np.ndarray], np.ndarray]


def slugify(name: str) -> str:
    """File-name slug: lowercase, runs of non-ASCII-alphanumerics → one ``_``, trimmed.

    ``"MLP 2×256 sigmoid"`` → ``"mlp_2_256_sigmoid"``; ``"linear (SGD)"`` → ``"linear_sgd"``.
    """
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "model"


def _save(fig: Figure, path: Path) -> Path:
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=_DPI)
    return path


def _evaluate(fn: Predictor, X: np.ndarray, what: str) -> np.ndarray:
    out = np.asarray(fn(X), dtype=np.float64).ravel()
    if out.shape[0] != X.shape[0]:
        raise ValueError(f"{what} returned {out.shape[0]} values for {X.shape[0]} rows")
    return out


def _contour(fig: Figure, ax, V, T, Z, *, title: str, v_edge: float, cmap: str) -> None:
    """Filled contour of ``Z`` over the (v, θ) grid with the training edge marked."""
    Zm = np.ma.masked_invalid(Z)
    if Zm.count() == 0 or float(Zm.min()) == float(Zm.max()):
        ax.pcolormesh(V, T, Zm, cmap=cmap, shading="auto")
        if Zm.count() == 0:
            ax.text(0.5, 0.5, "no finite values", transform=ax.transAxes, ha="center")
    else:
        cs = ax.contourf(V, T, Zm, levels=20, cmap=cmap)
        fig.colorbar(cs, ax=ax)
    if v_edge <= V.max():
        ax.axvline(
            v_edge,
            color="k",
            linestyle="--",
            linewidth=1.2,
            path_effects=[patheffects.withStroke(linewidth=3, foreground="w")],
            label=f"edge of training data (v = {v_edge:g})",
        )
        ax.legend(loc="upper right", fontsize=7)
    ax.set_xlabel("v")
    ax.set_ylabel("θ (rad)")
    ax.set_title(title, fontsize=10)


def write_cannon_plots(
    out_dir: str | Path,
    X_train: np.ndarray,
    y_train: np.ndarray,
    models: dict[str, Predictor],
    truth: Predictor,
    v_max_extrapolation: float = 20.0,
) -> list[Path]:
    """Write the cannon figures as PNG files and return their paths.

    Files: ``data.png`` (v against s coloured by θ), ``truth.png`` (contour of
    the true law), one ``model_<slug>.png`` per model (prediction and
    |prediction − truth| over v ∈ [0, v_max_extrapolation] × θ ∈ [0, π/2], with a
    dashed line at v = 10, the edge of the training data) and ``residuals.png``
    (y_train − prediction against v, one panel per model).

    Parameters
    ----------
    out_dir : str or Path
        Folder to write into; created if missing.
    X_train : ndarray, shape (n, 2)
        Training shots, columns [v, θ].
    y_train : ndarray, shape (n,)
        Measured distances.
    models : dict of str to callable
        Display name → predict function mapping an (m, 2) array [v, θ] to (m,).
    truth : callable
        The true law, same calling convention as the models.
    v_max_extrapolation : float
        Upper end of the v axis of the contour plots.

    Returns
    -------
    list of Path
        ``data.png``, ``truth.png``, the model files in ``models`` order, ``residuals.png``.
    """
    X_train = np.asarray(X_train, dtype=np.float64)
    y_train = np.asarray(y_train, dtype=np.float64).ravel()
    if X_train.ndim != 2 or X_train.shape[1] != 2:
        raise ValueError(f"X_train must have shape (n, 2) [v, theta], got {X_train.shape}")
    if y_train.shape[0] != X_train.shape[0]:
        raise ValueError(f"X_train has {X_train.shape[0]} rows but y_train has {y_train.shape[0]}")
    if not v_max_extrapolation > 0:
        raise ValueError(f"v_max_extrapolation must be positive, got {v_max_extrapolation}")
    # evaluate everything first so that a bad predictor fails before any file is written
    v = np.linspace(0.0, float(v_max_extrapolation), _GRID[0])
    V, T = np.meshgrid(v, np.linspace(0.0, math.pi / 2, _GRID[1]))
    G = np.column_stack([V.ravel(), T.ravel()])
    S_true = _evaluate(truth, G, "truth").reshape(V.shape)
    surfaces = {name: _evaluate(fn, G, f"model {name!r}").reshape(V.shape) for name, fn in models.items()}
    residuals = {name: y_train - _evaluate(fn, X_train, f"model {name!r}") for name, fn in models.items()}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []

    fig = Figure(figsize=(6, 4.5))
    ax = fig.add_subplot()
    sc = ax.scatter(X_train[:, 0], y_train, c=X_train[:, 1], s=8, cmap="viridis")
    fig.colorbar(sc, ax=ax, label="θ (rad)")
    ax.set_xlabel("v")
    ax.set_ylabel("s")
    ax.set_title(f"Cannon shots (n = {len(y_train)})")
    paths.append(_save(fig, out / "data.png"))

    fig = Figure(figsize=(6, 4.5))
    _contour(fig, fig.add_subplot(), V, T, S_true, title="True law s(v, θ)", v_edge=TRAIN_V_MAX, cmap="viridis")
    paths.append(_save(fig, out / "truth.png"))

    used: dict[str, int] = {}
    for name, S in surfaces.items():
        slug = slugify(name)
        used[slug] = used.get(slug, 0) + 1
        if used[slug] > 1:
            slug = f"{slug}_{used[slug]}"
        fig = Figure(figsize=(12, 4.5))
        fig.subplots_adjust(left=0.06, right=0.98, bottom=0.12, top=0.86, wspace=0.15)
        ax1, ax2 = fig.subplots(1, 2)
        _contour(fig, ax1, V, T, S, title=f"{name}: prediction", v_edge=TRAIN_V_MAX, cmap="viridis")
        _contour(
            fig, ax2, V, T, np.abs(S - S_true), title=f"{name}: |prediction − truth|", v_edge=TRAIN_V_MAX, cmap="magma"
        )
        fig.suptitle(name)
        paths.append(_save(fig, out / f"model_{slug}.png"))

    ncols = min(max(len(models), 1), 3)
    nrows = max(math.ceil(len(models) / ncols), 1)
    w, h = 4.2 * ncols, 3.3 * nrows + 0.4
    fig = Figure(figsize=(w, h))
    fig.subplots_adjust(left=0.75 / w, right=1 - 0.15 / w, bottom=0.55 / h, top=1 - 0.75 / h, wspace=0.35, hspace=0.5)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, (name, r) in zip(axes, residuals.items()):
        rmse = float(np.sqrt(np.mean(r**2)))
        ax.scatter(X_train[:, 0], r, s=5, alpha=0.6)
        ax.axhline(0.0, color="k", linewidth=0.8)
        ax.set_xlabel("v")
        ax.set_ylabel("y − prediction")
        ax.set_title(f"{name} (RMSE {rmse:.3g})", fontsize=10)
    for ax in axes[len(models) :]:
        ax.set_axis_off()
    if not models:
        axes[0].text(0.5, 0.5, "no models", ha="center", va="center")
    fig.suptitle("Training residuals")
    paths.append(_save(fig, out / "residuals.png"))
    return paths
