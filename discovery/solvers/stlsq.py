"""Sequentially thresholded least squares (SINDy's solver), over a threshold sweep."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .base import Problem, Solver, Support, unique_supports


class STLSQ(Solver):
    """Ridge least squares, then repeatedly drop small weights and refit.

    As in PySINDy, a small ridge penalty keeps the weights of collinear
    libraries (powers of one variable) bounded, so that thresholding can
    tell the terms apart; the supports are refitted without it afterwards.

    Parameters
    ----------
    thresholds : sequence of float, optional
        Thresholds on standardised weights (a term's contribution relative to
        the RMS of y). Each gives one support; default: 30 values from 1e-5 to 1.
    alpha : float
        Ridge penalty in standardised units.
    max_iter : int
        Refits per threshold.
    """

    name = "stlsq"

    def __init__(self, thresholds: Sequence[float] | None = None, alpha: float = 1e-3, max_iter: int = 25) -> None:
        self.thresholds = thresholds
        self.alpha = alpha
        self.max_iter = max_iter

    def path(self, problem: Problem) -> list[Support]:
        import torch

        thresholds = self.thresholds if self.thresholds is not None else np.geomspace(1e-5, 1.0, 30)
        eye = torch.eye(problem.n_terms, dtype=problem.gram.dtype, device=problem.gram.device)
        ridged = problem.gram + self.alpha * eye
        supports = []
        for threshold in thresholds:
            support = list(range(problem.n_terms))
            kept = support
            for _ in range(self.max_iter):
                w = torch.linalg.solve(ridged[support][:, support], problem.rhs[support]).abs().cpu().numpy()
                kept = [i for i, wi in zip(support, w) if wi >= threshold]
                if kept == support or not kept:
                    break
                support = kept
            if kept:
                supports.append(kept)
        return sorted(unique_supports(supports), key=len)
