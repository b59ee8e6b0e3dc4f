"""One state's law chosen among its searches' candidates by how well it reproduces the states' changes over time.

The pointwise searches' fronts and the weak and integral formulations' laws
are scored by their integral misses (:mod:`discovery.dynamics.integral`);
the simplest within a margin of the best is the state's law, and the next
best structures are kept for the trajectory fit to decide between
(:mod:`discovery.dynamics.matching`).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..api import discover_with_known_error
from ..law.expressions import complexity
from ..law.law import Law
from ..settle.preference import margin_limit, simplest_within
from .integral import WINDOW, integral_misses, window_changes
from .state_target import StateTarget
from .weak import weak_laws

# A law whose integral miss (see discovery.dynamics.integral) is within this fraction of the best
# candidate's, plus INTEGRAL_FLOOR, reproduces the data as well: the least complex such law is chosen.
INTEGRAL_TOLERANCE = 0.05
INTEGRAL_FLOOR = 1e-6
# On noisy data the misses are the noise's, and a longer law always fits some of it: there a law is as good
# as the best when its BIC over the independent windows (a window's length apart) is within this margin.
INTEGRAL_MARGIN = 2.0
# Structures after the chosen one, best integral criterion first, that the trajectory fit tries in its place:
# on noisy or short series the integral criterion ranks the right structure near, not at, the top.
ALTERNATIVES = 6


def chosen_law(
    found: list[Law], weak: list[Law], problem: StateTarget, noisy: bool = False
) -> tuple[Law, float, list[sp.Expr]]:
    """The simplest law of the searches' fronts that reproduces the state's changes over time as well as any.

    ``found`` are the pointwise searches' laws, ``weak`` the weak
    and integral formulations' (one per size). Every front entry and weak law is scored
    by :func:`~discovery.dynamics.integral.integral_misses` (on ``noisy`` data with its terms refitted);
    of those within :data:`INTEGRAL_TOLERANCE` of the best score, the least
    complex is taken: the fewest terms, then the fewest free floats (of two
    laws that reproduce the data equally, the one with exact values says
    more), then the lowest complexity. An entry that is not a search's chosen law is refitted
    on its own terms (a library of them) to become a Law with coefficients and
    errors (with the derivative's known error, as the searches had); if that refit scores worse, the
    best-scoring chosen law stands. Also returned: up to :data:`ALTERNATIVES`
    other structures, best criterion first (:func:`next_best`).
    """
    candidates: list[tuple[sp.Expr, Law | None, int]] = []
    for law in found:
        chosen = next((e for e in law.front if e.chosen), None)
        candidates.append((law.expression, law, chosen.complexity if chosen else complexity(law.expression)))
        candidates += [(e.expression, None, e.complexity) for e in law.front if not e.chosen]
    candidates += [(law.expression, law, complexity(law.expression)) for law in weak]
    data, state, names, constants = problem.data, problem.state, problem.names, dict(problem.constants)
    scores = integral_misses([c[0] for c in candidates], constants, data, state, names, refit=noisy)
    if noisy:  # misses dominated by the noise: how much lower a longer law's must be, the BIC says
        windows = max(len(window_changes(data, state)) / WINDOW, 2.0)  # overlapping windows: the independent ones
        tiny = np.finfo(float).tiny

        def judged(i: int, score: float) -> float:
            terms = _parsimony(candidates[i][0])[0]
            return windows * np.log(max(score, tiny) ** 2) + terms * np.log(windows)

        margin, relative = INTEGRAL_MARGIN, 0.0
    else:

        def judged(i: int, score: float) -> float:
            return score

        margin, relative = INTEGRAL_FLOOR, INTEGRAL_TOLERANCE
    criteria = [judged(i, scores[i]) for i in range(len(candidates))]
    limit = margin_limit(criteria, margin, relative)
    # The fewest terms, then free floats, then complexity; then the smaller miss.
    sizes = [(*_parsimony(c[0]), c[2], scores[i]) for i, c in enumerate(candidates)]
    pick = simplest_within(criteria, sizes, margin, relative)
    expression, law, _ = candidates[pick]
    others = next_best([c[0] for c in candidates], criteria, expression)
    fallback = min((i for i in range(len(candidates)) if candidates[i][1] is not None), key=lambda i: scores[i])
    if law is None:
        terms = [term for _, term in (arg.as_coeff_Mul() for arg in sp.Add.make_args(expression))]
        refit = discover_with_known_error(
            problem.X,
            problem.y,
            problem.known,
            variables=list(names),
            target=found[0].target,
            constants=constants or None,
            library=terms,
            max_terms=len(terms),
            method="basis",
            random_state=problem.random_state,
        )
        score = integral_misses([refit.expression], constants, data, state, names, refit=noisy)[0]
        if judged(pick, score) <= limit:
            return refit, float(score), others
        return candidates[fallback][1], float(scores[fallback]), others
    return law, float(scores[pick]), others


def next_best(expressions: list[sp.Expr], criteria: list[float], chosen: sp.Expr) -> list[sp.Expr]:
    """Up to :data:`ALTERNATIVES` expressions of other structures than ``chosen``'s, lowest criterion first."""
    seen, out = {structure(chosen)}, []
    for i in sorted((i for i in range(len(expressions)) if np.isfinite(criteria[i])), key=lambda i: criteria[i]):
        terms = structure(expressions[i])
        if terms not in seen and len(out) < ALTERNATIVES:
            seen.add(terms)
            out.append(expressions[i])
    return out


def structure(expression: sp.Expr) -> frozenset[sp.Expr]:
    """A law's terms, its numeric coefficients taken off."""
    return frozenset(arg.as_coeff_Mul()[1] for arg in sp.Add.make_args(sp.expand(expression)))


def _parsimony(expression: sp.Expr) -> tuple[int, int]:
    """Terms of the expanded expression, and its free floats."""
    return len(sp.Add.make_args(sp.expand(expression))), len(expression.atoms(sp.Float))


def ladder_laws(problem: StateTarget, rungs: list[list[sp.Expr]], max_terms: int, noise: float) -> list[sp.Expr]:
    """Each small library's best law of the state's derivative in the weak formulation (the lowest BIC).

    They are alternatives for the trajectory fit to decide on: the weak rows'
    BIC, on noisy data, picks within a small library what a large one's
    search misses among its flexible terms.
    """
    out = []
    for terms in rungs:
        laws = weak_laws(problem, terms, max_terms, noise=noise)
        if laws:
            out.append(min(laws, key=lambda law: next(e.bic for e in law.front if e.chosen)).expression)
    return out
