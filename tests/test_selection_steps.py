"""The selection steps every stage shares: the preference rule."""

from __future__ import annotations

from discovery.law.preference import margin_limit, simplest_within


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
