"""Default libraries built from variable names alone, in growing levels."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import combinations, product

import sympy as sp

from .families import constant, differences, harmonics, powers, unary
from .library import Library
from .term import Term

MAX_LEVEL = 3
# Poles 1/(x − z) times a third input's powers go in with up to this many inputs: 130 terms with five,
# 255 with six, and with nine (G·m1·m2 over a sum of squared differences) 1,044, which more than doubled
# the level-2 library and its fits' time for laws that have no pole.
MAX_POLE_VARIABLES = 5
# Products x^±1·z^±1·log(w) go in at level 3 with up to this many inputs (120 terms with five); with
# seven or nine they would fit under the cap where nothing else of level 3 does, and add 600-1,000
# terms to fits that reach level 3 near the time limit.
MAX_LOG_PRODUCT_VARIABLES = 5


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
    pair (x − z, (x − z)², sin and cos of x − z), products of powers of
    three variables and, with up to five variables, 1/(x − z) alone, times a
    power of a third variable and times exp, log or sqrt of x or z (divided
    differences such as (log x − log z)/(x − z)); from level 3 products of three variables' terms and
    differences times one or two other variables. A single variable's
    library also holds, from level 2, exp(±x) and sin, cos of x and 2x
    times its powers.
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
    return _default_library(tuple(variables), level, max_terms)


# One search asks for the same library once per target transform: build it once. A group
# over the cap is abandoned as soon as it overflows, so its size never costs SymPy time (a
# level-3 group over nine variables has ~10⁵ products).
@lru_cache(maxsize=16)
def _default_library(variables: tuple[str, ...], level: int, max_terms: int | None) -> Library:
    library = constant() if level == 1 else _default_library(variables, level - 1, max_terms)
    own = {v: single_variable_library(v, level) for v in variables}
    simple = {v: powers(v, [-2, -1, 1, 2]) for v in variables}
    pairs = {(a, b): differences(a, b) for a, b in combinations(variables, 2)}
    others = {pair: [v for v in variables if v not in pair] for pair in pairs}
    # A group is a list of products, each product a tuple of libraries whose terms multiply.
    groups: list[list[tuple[Library, ...]]] = [[(own[v],) for v in variables]]
    if level == 1:
        groups.append([(simple[a], simple[b]) for a, b in combinations(variables, 2)])
    groups.append([(own[a], own[b]) for a, b in combinations(variables, 2)])
    if level == 2:
        groups.append([(diff,) for diff in pairs.values()])
        groups.append([(simple[a], simple[b], simple[c]) for a, b, c in combinations(variables, 3)])
        if len(variables) <= MAX_POLE_VARIABLES:
            # A pole where two inputs meet, alone and times a third one's power: R·T/(V − b).
            poles = {pair: differences(*pair, powers=[-1], functions=[]) for pair in pairs}
            groups.append(
                [(pole,) for pole in poles.values()]
                + [(pole, simple[c]) for pair, pole in poles.items() for c in others[pair]]
            )
            # Divided differences (f(x) − f(z))/(x − z) of the unary functions: the logarithmic mean
            # (x − z)/log(x/z) through 1/y. Six terms a pair.
            functions = {v: unary(v, ["exp", "log", "sqrt"]) for v in variables}
            groups.append([(poles[pair], functions[v]) for pair in pairs for v in pair])
    if level == 3:
        groups.append([(diff, simple[c]) for pair, diff in pairs.items() for c in others[pair]])
        trig = {v: harmonics(v, [1]) for v in variables}
        for third in (trig, own):
            groups.append(
                [
                    product
                    for a, b, c in combinations(variables, 3)
                    for product in (
                        (simple[a], simple[b], third[c]),
                        (simple[a], third[b], simple[c]),
                        (third[a], simple[b], simple[c]),
                    )
                ]
            )
        groups.append(
            [(diff, simple[c], simple[d]) for pair, diff in pairs.items() for c, d in combinations(others[pair], 2)]
        )
        if len(variables) <= MAX_LOG_PRODUCT_VARIABLES:
            # A product or ratio of two inputs times a third one's logarithm: R·T/(z·F)·log(c).
            linear = {v: powers(v, [-1, 1]) for v in variables}
            logarithm = {v: unary(v, ["log"]) for v in variables}
            groups.append(
                [
                    (linear[a], linear[b], logarithm[c])
                    for a, b in combinations(variables, 2)
                    for c in variables
                    if c not in (a, b)
                ]
            )
    if len(variables) == 1 and level >= 2:
        # One input alone (often a part of a split problem) can afford its own products: u²·eᵘ/(eᵘ − 1)²
        # through 1/y is eᵘ/u² − 2/u² + e⁻ᵘ/u². 29 terms.
        (v,) = variables
        growth = Library([sp.exp(sp.Symbol(v)), sp.exp(-sp.Symbol(v))])
        groups.append([(growth,), (growth, powers(v, [-3, -2, -1, 1, 2, 3])), (harmonics(v, [1, 2]), simple[v])])
    for group in groups:  # each group whole or not at all, simplest first
        grown = _with_group(library, group, max_terms)
        if grown is not None:
            library = grown
    return library


def _with_group(library: Library, group: list[tuple[Library, ...]], max_terms: int | None) -> Library | None:
    """``library`` plus every product of the group (duplicates removed), or None past ``max_terms``."""
    seen: dict[sp.Expr, Term] = {term.expr: term for term in library}
    for factors in group:
        for combination in product(*(factor.terms for factor in factors)):
            term = Term(sp.Mul(*(t.expr for t in combination)))
            seen.setdefault(term.expr, term)
            if max_terms is not None and len(seen) > max_terms:
                return None
    return Library(seen.values())
