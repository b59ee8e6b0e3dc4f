"""The one row-sampling rule: a seeded draw over the whole table, in row order."""

import numpy as np

from discovery.io.dataset import as_dataset
from discovery.io.rows import ROW_CAP, sample_rows
from discovery.search.proposals import power_law_terms


def test_small_tables_keep_every_row():
    assert np.array_equal(sample_rows(ROW_CAP, 0), np.arange(ROW_CAP))


def test_large_tables_are_sampled_over_their_whole_length_in_order():
    rows = sample_rows(100_000, 0)
    assert len(rows) == ROW_CAP == len(np.unique(rows))
    assert np.all(np.diff(rows) > 0)
    counts = np.bincount(rows // 10_000, minlength=10)  # every tenth of a sorted file is seen
    assert counts.min() > 0.8 * ROW_CAP / 10
    assert np.array_equal(rows, sample_rows(100_000, 0))
    assert not np.array_equal(rows, sample_rows(100_000, 1))


def test_proposals_see_the_whole_range_of_a_sorted_file(rng):
    # y = 2·x^1.5 for x ≥ 5 but a different law below: a file sorted by x whose first 4,000 rows all lie
    # below 5 would propose the wrong power; a draw over the whole file sees both halves.
    x = np.sort(rng.uniform(1, 9, 20_000))
    y = np.where(x < 5, 7.0 * x**0.5, 2 * x**1.5)
    terms = power_law_terms(as_dataset(x[:, None], y, variables=["x"]), random_state=0)
    exponents = {float(t.as_base_exp()[1]) for t in terms}
    first_rows_only = power_law_terms(as_dataset(x[:4000, None], y[:4000], variables=["x"]), random_state=0)
    assert {float(t.as_base_exp()[1]) for t in first_rows_only} == {0.5}  # what the first rows alone say
    assert exponents != {0.5}
