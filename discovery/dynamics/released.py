"""Saturation constants held during the search, released in the laws returned when the data do not support them.

While structures are compared, a saturation constant that the BIC does not
need free is held at the library's 1 (:func:`~discovery.dynamics.linearised.pruned_and_snapped`):
fitted free in every trial, a constant the data barely see wanders, to 0
where x·y/(K + x²) becomes y/x, and the comparisons with it. Held in the law
returned, though, 1 is an exact value that the data must support like any
other (:data:`~discovery.settle.snapping.SNAP_MIN_T`). A held constant the data
alone know to worse than that is released: the chosen system is fitted
once more with it free (the others held as before), and the law reports its
value and interval, from which a scientist reads what the data say of it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import sympy as sp

from ..law.coefficient import Coefficient
from ..settle.snapping import SNAP_MIN_T
from .fit_parameters import with_saturation_constants
from .terms import saturation_constants
from .trajectory_fit import FitContext, MatchedState, fit_by_simulation


def supports_held_value(held: Mapping[str, Any]) -> bool:
    """Whether the data know a held constant (``info["constants_held"]``'s entry) well enough to hold it exactly."""
    return held["stderr"] * SNAP_MIN_T <= abs(held["held"])


def released(
    matched: dict[int, MatchedState] | None, info: dict[str, Any], context: FitContext
) -> tuple[dict[int, MatchedState] | None, dict[str, Any]]:
    """The whole system's laws refitted with the constants free that it held without the data's support.

    Those constants are written as floats, which are fitted and never held;
    the constants the data support stay held. Kept only when that fit matches
    the trajectories with every term kept; then ``info["constants_released"]``
    lists the constants released, as ``info["constants_held"]`` listed them
    but with the estimate and error of the refit, the law's.
    Otherwise (or out of time) the laws are returned as they were.
    """
    unsupported = [held for held in info.get("constants_held", []) if not supports_held_value(held)]
    if matched is None or info.get("status") != "matched" or not unsupported:
        return matched, info
    states = list(context.data.states)
    if set(matched) != set(range(len(states))):
        return matched, info
    laws = [_freed(matched[j], {h["term"] for h in unsupported if h["state"] == s}) for j, s in enumerate(states)]
    parameters = with_saturation_constants(
        [c.term for law in laws for c in law],
        [j for j, law in enumerate(laws) for _ in law],
        [c.value for law in laws for c in law],
    )
    refitted, refit_info, _ = fit_by_simulation(parameters, list(range(len(states))), context)
    if refitted is None or refit_info.get("status") != "matched" or refit_info.get("pruned"):
        return matched, info
    return refitted, {
        **info,
        "chi_after": refit_info["chi_after"],
        "constants_held": refit_info["constants_held"],
        "constants_released": [_as_fitted(held, refitted[states.index(held["state"])]) for held in unsupported],
    }


def _as_fitted(held: Mapping[str, Any], law: MatchedState) -> dict[str, Any]:
    """A released constant's entry with the estimate and error the law reports for it."""
    for c in law.coefficients:
        if c.inner and str(c.term.xreplace({sp.Symbol("c"): sp.nsimplify(held["held"])})) == held["term"]:
            return {**held, "free": c.value, "stderr": c.stderr}
    return dict(held)


def _freed(law: MatchedState, terms: set[str]) -> list[Coefficient]:
    """The law's term coefficients, the saturation constants of the ``terms`` named written as floats."""
    out = []
    for c in law.coefficients:
        if c.inner:
            continue  # the constants are the terms' own, refitted with them
        if str(c.term) in terms:
            symbolic, constants = saturation_constants(c.term)
            c = dataclasses.replace(c, term=symbolic.xreplace({k: sp.Float(v) for k, v in constants}))
        out.append(c)
    return out
