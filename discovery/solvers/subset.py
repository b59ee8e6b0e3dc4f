"""Exact small-subset (L0) search: the best k terms for each k."""

from __future__ import annotations

from itertools import combinations
from math import comb

from .base import Problem, Solver, Support

TIE = 1e-12  # residuals this close count as equal; the simpler support wins


class SubsetSearch(Solver):
    """For each size k ≤ ``max_terms``, the k terms that leave the least residual.

    A size is searched exhaustively over the whole library while its number
    of subsets is within ``budget`` (all pairs of a 200-term library); pairs
    always are, by a closed form over all pairs at once. Larger
    sizes are searched exhaustively over a screened set (a forward-stepwise
    path, then the terms most correlated with y) and, to reach terms outside
    the screen, by a beam search over the whole library. The beam grows by one
    term, and its best support (``pair_bases`` of them) also by two at once:
    the closed form over all pairs, after projecting the support out. Two
    terms that only work together, such as ΔH/T and ΔH/T0 in
    ΔH·(1/T0 − 1/T), are each a poor addition alone. All subsets of one size are scored in a single batched
    Cholesky solve in torch.

    Parameters
    ----------
    max_terms : int or None
        Largest support (default: the problem's ``max_terms``).
    screen : int
        Size of the screened set for exhaustive search at k ≥ 3.
    beam : int
        Supports kept per size in the beam search.
    budget : int
        Most subsets scored exhaustively per size.
    pair_bases : int
        Best supports of each size grown by two terms at once (about 0.1 s
        each on a 2,000-term library).
    backward : bool
        After the sizes have been searched upward, search them downward too:
        each best support of size k + 1 less any one of its terms competes
        with the best of size k. Where the terms are collinear, the upward
        search can miss a law (2y − xy − y²) that the best larger support
        holds with spurious small terms beside it. Off by default; on for
        :func:`discovery.discover_system`.
    """

    name = "l0"

    def __init__(
        self,
        max_terms: int | None = None,
        screen: int = 24,
        beam: int = 50,
        budget: int = 20_000,
        pair_bases: int = 1,
        backward: bool = False,
    ) -> None:
        self.max_terms = max_terms
        self.screen = screen
        self.beam = beam
        self.budget = budget
        self.pair_bases = pair_bases
        self.backward = backward

    def path(self, problem: Problem) -> list[Support]:
        import torch

        p = problem.n_terms
        k_max = min(self.max_terms or problem.max_terms, p)
        device = problem.rhs.device
        complexity = torch.as_tensor(problem.complexity, dtype=problem.rhs.dtype, device=device)
        best: list[Support] = []
        frontier: torch.Tensor | None = None  # beam of (B, k-1) supports
        earlier: torch.Tensor | None = None  # beam of (B, k-2) supports
        gram32: torch.Tensor | None = None
        screened = self._screen(problem, k_max)
        for k in range(1, k_max + 1):
            pools = []
            if k == 2 and comb(p, 2) > self.budget:
                pools.append(_best_pairs(problem, max(self.beam, 1)))
            elif comb(p, k) <= self.budget:
                pools.append(_all_subsets(range(p), k, device))
            else:
                if comb(len(screened), k) <= self.budget and len(screened) >= k:
                    pools.append(_all_subsets(screened, k, device))
                if frontier is not None:
                    pools.append(_extend(frontier, p))
                if earlier is not None:
                    if gram32 is None:
                        gram32 = problem.gram.to(torch.float32)
                    bases = earlier[: self.pair_bases]
                    pools.extend(_add_best_pair(gram32, problem, base, self.beam) for base in bases)
            candidates = _unique_rows(torch.cat(pools), p) if len(pools) > 1 else pools[0]
            residual = _batched(problem, candidates)
            order = _rank(residual, complexity[candidates].sum(dim=1))
            usable = order[torch.isfinite(residual[order])]
            if len(usable) == 0:
                break
            best.append(tuple(int(i) for i in candidates[usable[0]]))
            earlier, frontier = frontier, candidates[usable[: self.beam]]
        if self.backward:
            best = _backward(problem, best, complexity)
        return best

    def _screen(self, problem: Problem, k_max: int) -> list[int]:
        """Terms worth an exhaustive search: a forward-stepwise path, then the top correlations."""
        import torch

        device = problem.rhs.device
        path = torch.empty((1, 0), dtype=torch.long, device=device)
        for _ in range(min(problem.n_terms, max(2 * k_max, 6))):
            grown = _extend(path, problem.n_terms)
            if len(grown) == 0:
                break
            residual = _batched(problem, grown)
            best = int(torch.argmin(residual))
            if not torch.isfinite(residual[best]):
                break
            path = grown[best : best + 1]
        chosen = path[0].tolist()
        for j in torch.argsort(-problem.rhs.abs()).tolist():
            if len(chosen) >= self.screen:
                break
            if j not in chosen:
                chosen.append(j)
        return sorted(chosen)


def _backward(problem: Problem, best: list[Support], complexity) -> list[Support]:
    """``best`` improved downward: each size's best against the next size's best less one term."""
    import torch

    best = list(best)
    for k in range(len(best) - 1, 0, -1):  # best[k] has k + 1 terms, best[k - 1] has k
        larger = best[k]
        rows = [best[k - 1]] + [tuple(t for t in larger if t != drop) for drop in larger]
        candidates = torch.as_tensor(sorted(set(map(tuple, map(sorted, rows)))), dtype=torch.long)
        candidates = candidates.to(problem.rhs.device)
        residual = _batched(problem, candidates)
        order = _rank(residual, complexity[candidates].sum(dim=1))
        usable = order[torch.isfinite(residual[order])]
        if len(usable):
            best[k - 1] = tuple(int(i) for i in candidates[usable[0]])
    return best


def _all_subsets(pool, k: int, device):
    import torch

    rows = list(combinations(list(pool), k))
    return torch.as_tensor(rows, dtype=torch.long, device=device).reshape(len(rows), k)


def _extend(frontier, p: int):
    """Every support of the beam with one more term."""
    import torch

    b, k = frontier.shape
    extra = torch.arange(p, device=frontier.device)
    grown = torch.cat([frontier.repeat_interleave(p, dim=0), extra.repeat(b)[:, None]], dim=1)
    keep = (grown[:, :-1] != grown[:, -1:]).all(dim=1)
    grown, _ = torch.sort(grown[keep], dim=1)
    return grown


def _best_pairs(problem: Problem, count: int):
    """The ``count`` best pairs of the whole library, from a closed form over all pairs at once.

    With unit-diagonal G, the residual of {i, j} is
    1 − (bᵢ² + bⱼ² − 2·Gᵢⱼ·bᵢ·bⱼ) / (1 − Gᵢⱼ²): one p×p array, no solves.
    """
    import torch

    g, b = problem.gram, problem.rhs
    p = len(b)
    denominator = 1 - g * g
    explained = (b[:, None] ** 2 + b[None, :] ** 2 - 2 * g * b[:, None] * b[None, :]) / denominator
    residual = 1 - explained
    upper = torch.triu(torch.ones((p, p), dtype=torch.bool, device=b.device), diagonal=1)
    residual = torch.where(upper & (denominator > 1e-7), residual, torch.full_like(residual, float("inf")))
    flat = torch.topk(residual.flatten(), min(count, p * (p - 1) // 2), largest=False).indices
    return torch.stack([flat // p, flat % p], dim=1)


def _add_best_pair(gram32, problem: Problem, base, count: int):
    """``base`` with each of the ``count`` pairs that best explain what it leaves.

    Projecting ``base`` out of the Gram matrix and the target and rescaling to a
    unit diagonal gives the problem :func:`_best_pairs` solves. The pairs are
    ranked in single precision (``gram32``), in place, since this runs on the
    whole library; the supports returned are scored exactly later.
    """
    import torch

    rhs = problem.rhs.to(torch.float32)
    across = gram32[base]  # (k, p)
    try:
        chol = torch.linalg.cholesky(problem.gram[base[:, None], base[None, :]].to(torch.float32))
    except RuntimeError:  # a singular support: nothing to grow
        return torch.empty((0, len(base) + 2), dtype=torch.long, device=rhs.device)
    solved = torch.cholesky_solve(across, chol)  # G_SS⁻¹ G_S·
    unit = torch.addmm(gram32, across.T, solved, alpha=-1)  # G − G·S G_SS⁻¹ G_S·
    left = rhs - solved.T @ rhs[base]
    diagonal = torch.diagonal(unit).clone()
    usable = diagonal > 1e-5
    usable[base] = False
    scale = torch.where(usable, torch.rsqrt(torch.clamp(diagonal, min=1e-5)), torch.zeros_like(diagonal))
    unit.mul_(scale[:, None]).mul_(scale[None, :])
    left = left * scale
    # explained by {i, j} = (bᵢ² + bⱼ² − 2·gᵢⱼ·bᵢ·bⱼ) / (1 − gᵢⱼ²), as in _best_pairs
    explained = torch.outer(left, -2 * left).mul_(unit)
    squares = left * left
    explained.add_(squares[:, None]).add_(squares[None, :])
    denominator = unit.mul_(unit).neg_().add_(1)
    explained.div_(denominator).masked_fill_(denominator <= 1e-5, 0.0)
    explained[~usable, :] = 0.0  # a term of the base, or one it explains, pairs with nothing
    explained[:, ~usable] = 0.0
    explained = torch.triu(explained, diagonal=1)
    p = len(rhs)
    flat = torch.topk(explained.flatten(), min(count, p * (p - 1) // 2)).indices
    pairs = torch.stack([flat // p, flat % p], dim=1)
    pairs = pairs[usable[pairs].all(dim=1) & (pairs[:, 0] != pairs[:, 1])]
    grown = torch.cat([base.expand(len(pairs), -1), pairs], dim=1)
    return torch.sort(grown, dim=1).values


def _unique_rows(supports, p: int):
    """Drop repeated supports (rows are sorted), by one integer key per row."""
    import torch

    if p ** supports.shape[1] >= 2**62:
        return torch.unique(supports, dim=0)
    key = torch.zeros(len(supports), dtype=torch.long, device=supports.device)
    for column in supports.T:
        key = key * p + column
    _, first = torch.unique(key, return_inverse=True)
    keep = torch.zeros(int(first.max()) + 1 if len(first) else 0, dtype=torch.long, device=supports.device)
    keep.scatter_(0, first.flip(0), torch.arange(len(first) - 1, -1, -1, device=supports.device))
    return supports[keep]


def _batched(problem: Problem, supports, chunk: int = 100_000):
    import torch

    parts = [problem.batch_residual(supports[i : i + chunk]) for i in range(0, len(supports), chunk)]
    return torch.cat(parts) if parts else torch.empty(0, dtype=problem.rhs.dtype)


def _rank(residual, complexity):
    """Order by residual; residuals within TIE of each other order by complexity."""
    import torch

    rounded = torch.floor(residual / TIE)
    # Stable two-key sort: complexity first, then the (rounded) residual.
    order = torch.argsort(complexity, stable=True)
    return order[torch.argsort(rounded[order], stable=True)]
