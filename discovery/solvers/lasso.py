"""The L1 (lasso) path by coordinate descent on the Gram matrix."""

from __future__ import annotations

import numpy as np

from .base import Problem, Solver, Support, unique_supports


class LassoPath(Solver):
    """Supports along the lasso path, from the largest penalty down.

    Minimises ½wᵀGw − bᵀw + α‖w‖₁ in standardised units for a geometric grid
    of α, warm-started, by cyclic coordinate descent. The supports are later
    refitted without penalty (the relaxed lasso), so shrinkage does not bias
    the law's coefficients.

    Parameters
    ----------
    n_alphas : int
        Points on the path.
    eps : float
        Smallest α as a fraction of the largest.
    max_iter : int
        Sweeps per α.
    tol : float
        Stop sweeping when no weight moves more than this.
    """

    name = "lasso"

    def __init__(self, n_alphas: int = 60, eps: float = 1e-6, max_iter: int = 500, tol: float = 1e-9) -> None:
        self.n_alphas = n_alphas
        self.eps = eps
        self.max_iter = max_iter
        self.tol = tol

    def path(self, problem: Problem) -> list[Support]:
        gram = problem.gram.double().cpu().numpy()
        rhs = problem.rhs.double().cpu().numpy()
        p = len(rhs)
        alpha_max = float(np.abs(rhs).max())
        if alpha_max == 0:
            return []
        diag = np.maximum(np.diag(gram), 1e-300)
        w = np.zeros(p)
        grad_part = gram @ w  # G w, kept up to date
        supports = []
        limit = max(2 * problem.max_terms, problem.max_terms + 4)
        for alpha in np.geomspace(alpha_max, alpha_max * self.eps, self.n_alphas):
            for _ in range(self.max_iter):
                biggest = 0.0
                for j in range(p):
                    rho = rhs[j] - grad_part[j] + diag[j] * w[j]
                    new = np.sign(rho) * max(abs(rho) - alpha, 0.0) / diag[j]
                    delta = new - w[j]
                    if delta != 0.0:
                        grad_part += gram[:, j] * delta
                        w[j] = new
                        biggest = max(biggest, abs(delta))
                if biggest < self.tol:
                    break
            support = np.flatnonzero(w)
            if len(support) > limit:
                break
            if len(support) <= problem.max_terms:  # max_terms bounds the law; the limit only ends the path
                supports.append(support.tolist())
        return unique_supports(supports)
