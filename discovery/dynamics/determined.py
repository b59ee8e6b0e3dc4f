"""Whether the data determine the laws found: the reasons they may not, said in the result and warned.

Short or noisy series may not determine a system's laws: the laws found then
fit the data no better than others, or do not reproduce the trajectories at
all. A scientist needs to hear that, with the reason, rather than read a
law that happens to be the search's pick.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

from ..law.law import Law
from ..settle.criteria import ROWS_PER_CONSTANT, terms_allowed
from .released import supports_held_value
from .trajectory_fit import DOES_NOT_SIMULATE, STILL_MISSES


class UnderdeterminedWarning(UserWarning):
    """The data do not determine the laws ``discover_system`` returns; ``system.info["undetermined"]`` says why."""


def undetermined(laws: Mapping[str, Law], fit: Mapping[str, Any] | None, time: str, samples: int) -> list[str]:
    """Why the data may not determine the ``laws``: from the trajectory fit's report ``fit``; empty when they do.

    The reasons: the laws do not reproduce the trajectories by simulation (the
    whole system does not simulate or still misses by more than the noise);
    other laws of a state that the trajectory fit finds as good (within the
    selection margin); a saturation constant that the data alone know less
    well than an exact value needs (:data:`~discovery.settle.snapping.SNAP_MIN_T`),
    released to be fitted free (:mod:`~discovery.dynamics.released`) or, where
    that refit failed, held at the library's 1; or more free coefficients
    than the samples allow (:func:`~discovery.settle.criteria.terms_allowed`, as for every law).
    """
    reasons = []
    status = str((fit or {}).get("status", ""))
    if any(failure in status for failure in (DOES_NOT_SIMULATE, STILL_MISSES)):
        reasons.append(f"the laws do not reproduce the trajectories by simulation ({status})")
    for state, others in (fit or {}).get("indistinct", {}).items():
        reasons.append(f"d{state}/d{time}: the trajectories fit other laws as well: {'; '.join(others)}")
    for held in (fit or {}).get("constants_held", []):
        if not supports_held_value(held):  # held where the release refit did not match, or ran out of time
            reasons.append(
                f"d{held['state']}/d{time}: the saturation constant in {held['term']} is held at {held['held']:g}; "
                f"the data alone give {held['free']:.3g} ± {held['stderr']:.2g}"
            )
    for held in (fit or {}).get("constants_released", []):
        reasons.append(
            f"d{held['state']}/d{time}: the saturation constant of {held['term']} is known only to "
            f"{held['free']:.3g} ± {held['stderr']:.2g}, too poorly for the library's exact {held['held']:g}; "
            "the law has it fitted free"
        )
    for state, law in laws.items():
        free = sum(1 for c in law.coefficients if c.exact is None)
        if free > terms_allowed(samples):
            rows = f"{samples} samples ({ROWS_PER_CONSTANT} per coefficient)"
            reasons.append(f"d{state}/d{time}: {free} free coefficients from {rows}")
    return reasons


def warn_undetermined(reasons: list[str]) -> None:
    """One warning listing the reasons, when there are any."""
    if reasons:
        warnings.warn(
            "the data may not determine these laws: " + "; ".join(reasons) + ". More samples, more "
            "trajectories or less noise would; system.info['undetermined'] lists the reasons.",
            UnderdeterminedWarning,
            stacklevel=3,
        )
