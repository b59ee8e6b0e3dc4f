"""The seed's way, generalised: train the weights with Adam and an L1 penalty."""

from __future__ import annotations

from collections.abc import Sequence

from .base import Problem, Solver, Support, unique_supports


class AdamL1(Solver):
    """Gradient training of all weights with Adam, then rank terms by weight.

    The article trained its six weights with Adam on the mean squared error;
    here the loss (in standardised units) comes from the Gram sums, so a step
    costs O(p²) whatever the number of rows, and an L1 penalty pushes
    unneeded weights towards zero. All penalties train together (Adam is
    per-coordinate, so a batch of penalties is exact). Each penalty then
    proposes its k largest weights for k = 1 … max_terms, and the weights
    above ``threshold`` when there are at most max_terms of them.

    Parameters
    ----------
    penalties : sequence of float
        L1 strengths.
    epochs : int
        Adam steps (the rate decays linearly to zero).
    lr : float
        Learning rate.
    threshold : float
        Standardised weights at least this large form one more support.
    """

    name = "adam"

    def __init__(
        self,
        penalties: Sequence[float] = (1e-4, 1e-3, 1e-2),
        epochs: int = 1500,
        lr: float = 0.05,
        threshold: float = 1e-2,
    ) -> None:
        self.penalties = penalties
        self.epochs = epochs
        self.lr = lr
        self.threshold = threshold

    def path(self, problem: Problem) -> list[Support]:
        import torch

        gram, rhs = problem.gram, problem.rhs
        generator = torch.Generator(device="cpu")
        generator.manual_seed(0 if problem.random_state is None else int(problem.random_state))
        lam = torch.as_tensor(list(self.penalties), dtype=gram.dtype, device=gram.device)
        # Uniform [0, 1) start, as in the article.
        init = torch.rand((len(self.penalties), problem.n_terms), generator=generator, dtype=gram.dtype)
        weights = init.to(gram.device).requires_grad_(True)
        optimizer = torch.optim.Adam([weights], lr=self.lr)
        # Decaying the rate to zero lets weights held at zero by the penalty settle there.
        schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 - step / self.epochs)
        for _ in range(self.epochs):
            optimizer.zero_grad()
            # mean((Θw − y)²) = wᵀGw − 2bᵀw + 1 in standardised units.
            quad = ((weights @ gram) * weights).sum(dim=1) - 2 * (weights @ rhs)
            loss = (quad + lam * weights.abs().sum(dim=1)).sum()
            loss.backward()
            optimizer.step()
            schedule.step()
        magnitude = weights.detach().abs()
        supports = []
        for row in magnitude:
            order = torch.argsort(row, descending=True).tolist()
            supports += [order[:k] for k in range(1, problem.max_terms + 1)]
            above = torch.nonzero(row >= self.threshold).flatten().tolist()
            if len(above) <= problem.max_terms:  # max_terms bounds the law
                supports.append(above)
        return sorted(unique_supports(supports), key=len)
