"""Sufficient statistics of a least-squares problem, accumulated in chunks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Gram:
    """The Gram matrix ΘᵀΘ, Θᵀy and yᵀy of a design matrix Θ and target y.

    Everything a linear least-squares fit needs, in memory that does not grow
    with the number of rows.

    Attributes
    ----------
    theta_theta : torch.Tensor, shape (p, p)
        ΘᵀΘ.
    theta_y : torch.Tensor, shape (p,)
        Θᵀy.
    y_y : float
        yᵀy.
    n_rows : int
        Number of rows accumulated.
    terms : tuple of Term
        The columns of Θ, in order.
    folds : list of Gram or None
        Per-group statistics (cross-validation folds) when accumulated by group;
        they sum to this one.
    """

    theta_theta: Any
    theta_y: Any
    y_y: float
    n_rows: int
    terms: tuple
    folds: list | None = None

    def restrict(self, keep: list[int]) -> Gram:
        """Return the statistics of the columns ``keep`` only."""
        import torch

        index = list(keep)
        at = torch.as_tensor(index, dtype=torch.long, device=self.theta_y.device)
        return Gram(
            theta_theta=self.theta_theta.index_select(0, at).index_select(1, at),
            theta_y=self.theta_y.index_select(0, at),
            y_y=self.y_y,
            n_rows=self.n_rows,
            terms=tuple(self.terms[i] for i in index),
            folds=None if self.folds is None else [f.restrict(index) for f in self.folds],
        )
