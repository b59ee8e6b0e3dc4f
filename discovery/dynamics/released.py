"""Saturation constants held during the search, released in the laws returned when the data do not support them.

While structures are compared, a saturation constant that the BIC does not
need free is held at the library's 1 (:func:`~discovery.dynamics.linearised.pruned_and_snapped`):
fitted free in every trial, a constant the data barely see wanders, to 0
where x·y/(K + x²) becomes y/x, and the comparisons with it. Held in the law
returned, though, 1 is an exact value that the data must support like any
other (:data:`~discovery.settle.snapping.SNAP_MIN_T`). A held constant the data
alone know to worse than that is released: the chosen system is fitted
once more with it free, and the law reports its value and interval, from
which a scientist reads what the data say of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..settle.snapping import SNAP_MIN_T
from .fit_parameters import parameters_of
from .trajectory_fit import FitContext, MatchedState, fit_by_simulation


def supports_held_value(held: Mapping[str, Any]) -> bool:
    """Whether the data know a held constant (``info["constants_held"]``'s entry) well enough to hold it exactly."""
    return held["stderr"] * SNAP_MIN_T <= abs(held["held"])


def released(
    matched: dict[int, MatchedState] | None, info: dict[str, Any], context: FitContext
) -> tuple[dict[int, MatchedState] | None, dict[str, Any]]:
    """The whole system's laws refitted with the constants free that it held without the data's support.

    Kept only when that fit matches the trajectories with every term kept; then
    ``info["constants_released"]`` lists the constants released, as
    ``info["constants_held"]`` listed them. Otherwise (or out of time) the laws
    are returned as they were.
    """
    unsupported = [held for held in info.get("constants_held", []) if not supports_held_value(held)]
    if matched is None or info.get("status") != "matched" or not unsupported:
        return matched, info
    states = list(context.data.states)
    if set(matched) != set(range(len(states))):
        return matched, info
    parameters = parameters_of(
        {s: matched[j].expression for j, s in enumerate(states)},
        {s: matched[j].coefficients for j, s in enumerate(states)},
        states,
        context.data,
        context.constants,
    )
    if parameters is None:
        return matched, info
    refitted, refit_info, _ = fit_by_simulation(parameters, list(range(len(states))), context, hold_constants=False)
    if refitted is None or refit_info.get("status") != "matched" or refit_info.get("pruned"):
        return matched, info
    return refitted, {
        **info,
        "chi_after": refit_info["chi_after"],
        "constants_held": refit_info["constants_held"],
        "constants_released": unsupported,
    }
