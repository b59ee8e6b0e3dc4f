"""How ``method="auto"`` chooses between two stages' laws, and keeps the one that lost as an alternative."""

from __future__ import annotations

import math

import sympy as sp

from .io.dataset import Dataset
from .law.law import Law
from .search.levels import TIE_MARGIN
from .search.selection import law_bic
from .settle.criteria import mse_floor, terms_allowed


def better(found: Law, best: Law, data: Dataset) -> bool:
    """A lower BIC on y; or, within a tie, fewer fitted floats (its exact values are evidence the other lacks).

    Never a law with more coefficients than the rows allow (:func:`~discovery.settle.criteria.terms_allowed`):
    on six rows a five-constant form fits through the measurement errors, and its BIC cannot tell.
    """
    if len(found.coefficients) > terms_allowed(data.n_rows):
        return False
    new, old = _bic_on_y(found, data), _bic_on_y(best, data)
    fewer_floats = len(found.expression.atoms(sp.Float)) < len(best.expression.atoms(sp.Float))
    return new < old or (new < old + TIE_MARGIN and fewer_floats)


def demoted(loser: Law, winner: Law, data: Dataset) -> Law:
    """``winner``, with ``loser`` (and the laws it had beaten) among its alternatives, each with its BIC on y.

    ``loser.info["not_chosen"]`` says why it lost; an alternative that prints
    as the winner does, or as one already kept, is left out.
    """
    for law in (winner, loser):
        _bic_on_y(law, data)
    loser.info["not_chosen"] = _why_not(loser, winner, data)
    kept = {winner.formula}
    alternatives = []
    for law in [loser, *loser.alternatives, *winner.alternatives]:
        if law.formula not in kept:
            kept.add(law.formula)
            alternatives.append(law)
    loser.alternatives = []
    winner.alternatives = sorted(alternatives, key=lambda law: law.info.get("bic_on_y", math.inf))
    return winner


def _bic_on_y(law: Law, data: Dataset) -> float:
    """The law's BIC on y, measured once and kept in ``law.info["bic_on_y"]`` (every stage judges on the same rows)."""
    if "bic_on_y" not in law.info:
        law.info["bic_on_y"] = law_bic(law, data, mse_floor(data.y, data.known_error))
    return law.info["bic_on_y"]


def _why_not(loser: Law, winner: Law, data: Dataset) -> str:
    """Why :func:`better` chose ``winner`` over ``loser``, in words."""
    allowed = terms_allowed(data.n_rows)
    if len(loser.coefficients) > allowed:
        return f"{len(loser.coefficients)} coefficients, more than {data.n_rows} rows allow ({allowed})"
    other = winner.info.get("method", "other")
    delta = loser.info["bic_on_y"] - winner.info["bic_on_y"]
    if delta < 0:
        return f"BIC {-delta:.1f} lower than the {other} law's, a tie: that law has fewer fitted floats"
    return f"BIC {delta:.1f} higher than the {other} law's"
