"""The selection steps every stage shares: the preference rule and backward pruning."""

from __future__ import annotations

from discovery.settle.preference import margin_limit, simplest_within
from discovery.settle.pruning import prune_backward, prune_in_order


def test_the_simplest_within_the_margin_wins():
    scores, sizes = [10.0, 4.0, 0.0], [1, 2, 3]
    assert simplest_within(scores, sizes, margin=6.0) == 1  # 10 is past 0 + 6
    assert simplest_within(scores, sizes, margin=10.0) == 0
    assert simplest_within(scores, sizes) == 2


def test_a_relative_margin_and_ties():
    assert margin_limit([2.0, 3.0], margin=0.5, relative=0.5) == 3.5
    assert simplest_within([2.0, 3.0], [2, 1], relative=0.5) == 1
    # Equal sizes: the lower score; equal both: the earlier candidate. Tuples rank entry by entry.
    assert simplest_within([1.0, 0.5, 0.5], [1, 1, 1], margin=1.0) == 1
    assert simplest_within([0.0, 0.0], [(2, 1), (2, 0)], margin=1.0) == 1


def test_pruning_takes_the_first_removal_not_judged_worse_until_none_is():
    cost = {(1, 2, 3): 5.0, (2, 3): 5.0, (1, 3): 4.0, (3,): 6.0}

    def trials(kept):
        for term in kept:
            rest = tuple(t for t in kept if t != term)
            yield rest if rest in cost else None  # None: a removal whose refit failed

    # (2, 3) ties with (1, 2, 3) and is tried first; from it, (3,) is worse and (2,) has no refit.
    assert prune_backward((1, 2, 3), trials, cost.__getitem__) == (2, 3)
    cost[(2,)] = 5.0
    assert prune_backward((1, 2, 3), trials, cost.__getitem__) == (2,)


def test_pruning_in_order_is_one_pass():
    cost = {(1, 2, 3): 5.0, (1, 3): 6.0, (1, 2): 5.0, (2,): 4.0, (1,): 9.0}

    def without(kept, term):
        rest = tuple(t for t in kept if t != term)
        return rest if rest in cost else None

    # Dropping 2 is refused (6 > 5), 3 is dropped, then 1; the pass does not come back to 2.
    assert prune_in_order((1, 2, 3), [2, 3, 1], without, cost.__getitem__) == (2,)
    assert prune_in_order((1, 2, 3), [2, 3, 1], without, cost.__getitem__, lambda kept: len(kept) > 2) == (1, 2)
