"""Default libraries built from variable names alone, in growing levels."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from .families import constant, differences, harmonics, powers, unary
from .library import Library

MAX_LEVEL = 3


def single_variable_library(variable: str, level: int) -> Library:
    """Terms of one variable at a given level (1 = smallest)."""
    if level <= 1:
        return powers(variable, [-2, -1, 1, 2, 3]) + harmonics(variable, [1, 2])
    if level == 2:
        return (
            powers(variable, [-3, -2, -1, 1, 2, 3, 4])
            + harmonics(variable, [1, 2, 3])
            + unary(variable, ["exp", "log", "sqrt"])
            + powers(variable, ["-1/2"])
        )
    return (
        powers(variable, [-4, -3, -2, -1, 1, 2, 3, 4, 5])
        + harmonics(variable, [1, 2, 3, 4])
        + unary(variable, ["exp", "log", "sqrt"])
        + powers(variable, ["-1/2", "3/2"])
    )


def default_library(variables: Sequence[str], level: int = 1, max_terms: int | None = None) -> Library:
    """The library :func:`discovery.discover` starts from when given none.

    Level ``L`` holds the constant, each variable's own terms (powers,
    harmonics; from level 2 also exp/log/sqrt) and every product of two such
    terms of different variables; from level 2 also the differences of every
    pair (x − z, (x − z)², sin and cos of x − z) and products of powers of
    three variables; from level 3 products of three variables' terms and
    differences times one or two other variables.
    Terms undefined on the data are removed later, by the regressor.

    Parameters
    ----------
    variables : sequence of str
    level : int
        1, 2 or 3; higher levels are supersets of lower ones (within ``max_terms``).
    max_terms : int, optional
        Cap on the size. Each level is the previous one plus groups of terms
        (single-variable terms, products of pairs, differences, triples), each
        group added whole when it fits under the cap and skipped otherwise.
    """
    if not 1 <= level <= MAX_LEVEL:
        raise ValueError(f"level must be between 1 and {MAX_LEVEL}, got {level}")
    library = constant() if level == 1 else default_library(variables, level - 1, max_terms)
    own = {v: single_variable_library(v, level) for v in variables}
    simple = {v: powers(v, [-2, -1, 1, 2]) for v in variables}
    pairs = {(a, b): differences(a, b) for a, b in combinations(variables, 2)}
    others = {pair: [v for v in variables if v not in pair] for pair in pairs}
    groups = [[own[v] for v in variables]]
    if level == 1:
        groups.append([simple[a] * simple[b] for a, b in combinations(variables, 2)])
    groups.append([own[a] * own[b] for a, b in combinations(variables, 2)])
    if level == 2:
        groups.append(list(pairs.values()))
        groups.append([simple[a] * simple[b] * simple[c] for a, b, c in combinations(variables, 3)])
    if level == 3:
        groups.append([diff * simple[c] for pair, diff in pairs.items() for c in others[pair]])
        trig = {v: harmonics(v, [1]) for v in variables}
        groups.append(
            [
                simple[a] * simple[b] * trig[c] + simple[a] * trig[b] * simple[c] + trig[a] * simple[b] * simple[c]
                for a, b, c in combinations(variables, 3)
            ]
        )
        groups.append(
            [
                simple[a] * simple[b] * own[c] + simple[a] * own[b] * simple[c] + own[a] * simple[b] * simple[c]
                for a, b, c in combinations(variables, 3)
            ]
        )
        groups.append(
            [diff * simple[c] * simple[d] for pair, diff in pairs.items() for c, d in combinations(others[pair], 2)]
        )
    for group in groups:  # each group whole or not at all, simplest first
        grown = library
        for part in group:
            grown = grown + part
        if max_terms is None or len(grown) <= max_terms:
            library = grown
    return library
