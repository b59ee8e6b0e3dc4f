"""What every sparse solver shares: the standardised problem and the interface.

Like PySINDy's optimisers, the solvers share one set-up (standardising the
columns, scoring supports in batched solves) and each implements one hook,
:meth:`Solver.path`, returning the supports it proposes. Scoring, refitting on
the rows and choosing among the supports happen elsewhere, once for all.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

Support = tuple[int, ...]


@dataclass
class Problem:
    """A least-squares problem in standardised units, given by its Gram sums.

    Columns are scaled to unit root-mean-square and the target too, so the
    Gram matrix has a unit diagonal and the residual of a support is the
    fraction of ``mean(y**2)`` it leaves unexplained.

    Attributes
    ----------
    gram : torch.Tensor, shape (p, p)
        Standardised ΘᵀΘ / n.
    rhs : torch.Tensor, shape (p,)
        Standardised Θᵀy / n.
    n_rows : int
    complexity : numpy.ndarray, shape (p,)
        Node count of each term, to break ties towards simpler terms.
    max_terms : int
        Largest support worth proposing.
    random_state : int or None
    """

    gram: Any
    rhs: Any
    n_rows: int
    complexity: np.ndarray
    max_terms: int
    random_state: int | None = None

    @property
    def n_terms(self) -> int:
        return int(self.rhs.shape[0])

    def batch_residual(self, supports: Any) -> Any:
        """Residuals of many supports of equal size at once.

        Parameters
        ----------
        supports : torch.LongTensor, shape (B, k)

        Returns
        -------
        torch.Tensor, shape (B,)
            Singular supports (collinear terms) get +inf.
        """
        import torch

        sub = self.gram[supports[:, :, None], supports[:, None, :]]
        rhs = self.rhs[supports]
        chol, info = torch.linalg.cholesky_ex(sub)
        w = torch.cholesky_solve(rhs[..., None], chol)[..., 0]
        explained = (rhs * w).sum(dim=1)
        res = torch.clamp(1.0 - explained, min=0.0)
        # Near-singular blocks give meaningless weights: treat them as unusable.
        diag = torch.diagonal(chol, dim1=1, dim2=2)
        ill = (info != 0) | (diag.min(dim=1).values < 1e-7) | ~torch.isfinite(res)
        return torch.where(ill, torch.full_like(res, float("inf")), res)


class Solver(ABC):
    """A sparse solver: proposes supports (sets of term indices) for a problem."""

    name: str = ""

    @abstractmethod
    def path(self, problem: Problem) -> list[Support]:
        """Return candidate supports, sparsest first where that has meaning."""

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({params})"


def unique_supports(supports: Sequence[Sequence[int]]) -> list[Support]:
    """Sorted, de-duplicated, non-empty supports in first-seen order."""
    seen: dict[Support, None] = {}
    for s in supports:
        key = tuple(sorted(int(i) for i in s))
        if key:
            seen.setdefault(key, None)
    return list(seen)
