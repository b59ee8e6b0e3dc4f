"""Supports that hold a power law's logarithms whole: the search for log y = log C + Σ aᵢ·log xᵢ + g(x).

A law y = C·Π xᵢ^aᵢ·exp(g(x)), such as Maxwell–Boltzmann's
4π·(M/(2πRT))^(3/2)·v²·exp(−M·v²/(2RT)), is linear in log y: the constant,
every input's logarithm and the few terms of g. Those logarithms matter only
together, and a sparse search that adds terms one or two at a time does not
reach them (it found five other terms at a residual of 1e-4 where these five
leave none). So the block [1, log x₁, …, log x_d] is projected out of the
Gram matrix and the target (the Schur complement), the solver looks for g's
terms alone, and each support it proposes comes back with the block added.
The block counts against ``max_terms`` like any other term: it is tried only
while room is left for at least one term of g. Terms whose coefficients turn
out zero are pruned later, as everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import sympy as sp

from ..solvers import Problem, Solver
from ..solvers.base import Support

MIN_LEFT = 1e-7  # a standardised column whose variance left after the block is below this lies in the block


def block_indices(terms: Sequence[sp.Expr], variables: Sequence[str]) -> list[int] | None:
    """Positions of the constant and of every input's logarithm among ``terms``; None when one is missing."""
    wanted = [sp.Integer(1)] + [sp.log(sp.Symbol(v)) for v in variables]
    position = {expr: j for j, expr in enumerate(terms)}
    if any(w not in position for w in wanted):
        return None
    return [position[w] for w in wanted]


def supports_with_block(problem: Problem, block: Sequence[int], solver: Solver) -> list[Support]:
    """The solver's supports for what the block leaves, each with the block added.

    Returns an empty list when the block fills ``problem.max_terms`` or is
    singular, or when it explains the target already.
    """
    import torch

    room = problem.max_terms - len(block)
    if room < 1:
        return []
    index = torch.as_tensor(list(block), dtype=torch.long, device=problem.rhs.device)
    rest = torch.ones(problem.n_terms, dtype=torch.bool, device=problem.rhs.device)
    rest[index] = False
    inner = problem.gram[index[:, None], index[None, :]]
    chol, info = torch.linalg.cholesky_ex(inner)
    if int(info) != 0:
        return []
    across = problem.gram[index]  # (b, p)
    solved = torch.cholesky_solve(across, chol)  # G_bb⁻¹ G_b·
    gram = problem.gram - across.T @ solved
    rhs = problem.rhs - solved.T @ problem.rhs[index]
    target_left = float(problem.batch_residual(index[None, :])[0])  # share of the target the block leaves
    if not MIN_LEFT < target_left < math.inf:  # explained already, or a block too near singular to project
        return []
    diagonal = torch.diagonal(gram)
    usable = torch.nonzero(rest & (diagonal > MIN_LEFT)).flatten()
    if len(usable) == 0:
        return []
    scale = torch.sqrt(diagonal[usable])
    projected = Problem(
        gram=gram[usable[:, None], usable[None, :]] / torch.outer(scale, scale),
        rhs=rhs[usable] / (scale * target_left**0.5),
        n_rows=problem.n_rows,
        complexity=problem.complexity[usable.cpu().numpy()],
        max_terms=room,
        random_state=problem.random_state,
    )
    original = usable.tolist()
    return [tuple(sorted(set(block) | {original[j] for j in support})) for support in solver.path(projected)]
