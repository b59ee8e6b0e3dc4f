"""Backward pruning by the criterion: terms dropped one at a time while the fit does not get worse."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

Fit = TypeVar("Fit")


def prune_backward(fit: Fit, trials: Callable[[Fit], Iterable[Fit | None]], criterion: Callable[[Fit], float]) -> Fit:
    """Drop terms one at a time, each time the first removal the criterion does not judge worse.

    Parameters
    ----------
    fit : any
        The fit with every term: whatever the caller's ``trials`` and
        ``criterion`` read (kept columns and a least-squares fit, a model and
        its parameters, ...).
    trials : callable
        ``trials(fit)`` yields ``fit`` refitted with one more term removed,
        in the order worth trying: the term the fit needs least first, or
        only that one. None stands for a removal whose refit failed. The
        generator stops where no removal is left to try (one term left, a
        term too large to drop, out of time).
    criterion : callable
        ``criterion(fit)``, lower is better (the BIC).

    Returns
    -------
    any
        The fit once no trial is accepted: a trial replaces the fit when its
        criterion is not greater than the fit's, and its own trials follow.
    """
    while True:
        current = criterion(fit)
        for trial in trials(fit):
            if trial is not None and not criterion(trial) > current:
                fit = trial
                break
        else:
            return fit


def prune_in_order(
    fit: Fit,
    order: Sequence[int],
    without: Callable[[Fit, int], Fit | None],
    criterion: Callable[[Fit], float],
    more: Callable[[Fit], bool] = lambda fit: True,
) -> Fit:
    """One pass of :func:`prune_backward` over a fixed order: a removal refused once is not tried again.

    Parameters
    ----------
    fit : any
    order : sequence of int
        The terms (or parameters) to try, the least significant first.
    without : callable
        ``without(fit, j)``: the fit refitted without ``j``, or None where the refit failed.
    criterion : callable
        ``criterion(fit)``, lower is better.
    more : callable
        ``more(fit)``: whether another removal may be tried (more than one term left, time left).
    """

    def trials(state: tuple[Fit, int]) -> Iterator[tuple[Fit, int] | None]:
        fit, start = state
        for position in range(start, len(order)):
            if not more(fit):
                return
            trial = without(fit, order[position])
            yield None if trial is None else (trial, position + 1)

    return prune_backward((fit, 0), trials, lambda state: criterion(state[0]))[0]
