"""The law in units: the dimensionless problem searched, its laws written back and settled on the data."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import sympy as sp

from ..backends.base import ExpressionCandidate
from ..backends.candidates import law_from_candidates
from ..errors import DataError
from ..io.dataset import Dataset
from ..law.law import Law
from .buckingham import dimension_of_expression, grouped_dataset, pi_groups, written_back
from .dimensions import Dimension, dimension_of, dimensions_of, format_dimension

SETTLE_SHARE = 0.1  # of the time limit, what the joint refit of the written-back laws may take
MIN_SETTLE_SECONDS = 1.0


def law_in_units(
    data: Dataset,
    constants: Mapping[str, float],
    units: Mapping[str, Any],
    target_unit: Any,
    search: Callable[[Dataset, Mapping[str, float], float | None], Law],
    time_limit: float | None,
    random_state: int | None,
) -> Law:
    """The law found on the data's dimensionless groups, in the original variables.

    ``search(data, constants, time_limit)`` is ``discover``'s own search,
    given the dimensionless problem (y / M against the groups) and the
    constants without a unit. Its law and front are written back (times M),
    refitted on the original rows and snapped; a law that is not
    dimensionally homogeneous is left out of the front.
    ``law.info["units"]`` records the groups and the prefactor.

    Raises
    ------
    DataError
        For a missing, unknown or inconsistent unit (naming the variable),
        or units given for a name that is neither a variable nor a constant.
    """
    start = time.perf_counter()
    dimensions = _checked_dimensions(data, constants, units, target_unit)
    pi = pi_groups(data.variables, data.target, dimensions, constants)
    reduced = grouped_dataset(data, pi, constants)
    plain = {k: v for k, v in constants.items() if k not in pi.dimensional}  # F is dimensionless
    settle_seconds = None if time_limit is None else max(MIN_SETTLE_SECONDS, SETTLE_SHARE * time_limit)
    if pi.groups:
        inner_limit = None if time_limit is None else max(1.0, time_limit - settle_seconds)
        inner = search(reduced, plain, inner_limit)
        expressions = [inner.expression] + [e.expression for e in inner.front if e.expression != inner.expression]
        inner_method = inner.info.get("method")
    else:  # y = c·M: the units leave only a number to find
        expressions = [sp.Float(float(np.median(reduced.y)))]
        inner_method = "units"
    candidates = [
        ExpressionCandidate(written_back(e, pi), i, float("nan"), rank=float(i)) for i, e in enumerate(expressions)
    ]
    target_dimension = dimensions[data.target]
    info = {
        "method": inner_method,
        "units": {
            "law": f"{data.target} = {pi.describe()}",
            "groups": {name: sp.sstr(expr) for name, expr in pi.groups},
            "prefactor": sp.sstr(pi.prefactor),
            "left_out": list(pi.left_out),
            "target_dimension": format_dimension(target_dimension),
        },
    }
    if pi.groups:
        info["units"]["inner_law"] = inner.formula
    seconds = None if time_limit is None else max(MIN_SETTLE_SECONDS, time_limit - (time.perf_counter() - start))
    settled = functools.partial(
        law_from_candidates,
        candidates,
        data,
        constants,
        info=info,
        seconds=seconds,
        random_state=random_state or 0,
        accept=lambda e: dimension_of_expression(e, dimensions) == target_dimension,
    )
    # Snapping may put a constant with a unit where a number goes (0.0142 becomes 1/R² for R = 8.314):
    # where that leaves no homogeneous law, the floats as fitted are the law.
    law = settled(True)
    if law is None:
        law = settled(False)
    if law is None:
        raise DataError(
            f"units: no law of {data.target} = {pi.describe()} found is finite on the {data.n_rows} rows "
            "and dimensionally homogeneous"
        )
    law.info["seconds"] = time.perf_counter() - start
    return law


def _checked_dimensions(
    data: Dataset, constants: Mapping[str, float], units: Mapping[str, Any], target_unit: Any
) -> dict[str, Dimension]:
    """Every variable's, the target's and each constant-with-a-unit's dimension, checked."""
    units = dict(units)  # a mapping, as discover's parameter check made sure
    if data.target in units:  # the target's unit may come either way, but only once
        if target_unit is not None:
            raise DataError(f"the unit of {data.target!r} is given twice, in units= and target_unit=: keep one")
        target_unit = units.pop(data.target)
    if target_unit is None:
        raise DataError(f"units= needs target_unit= too: the unit of {data.target!r} (e.g. 'm', or '' for none)")
    unknown = [name for name in units if name not in set(data.variables) | set(constants)]
    if unknown:
        named = ", ".join(map(repr, unknown))
        raise DataError(
            f"units names {named}, which is neither a variable ({', '.join(data.variables)}), the target "
            f"({data.target}) nor a constant{' (' + ', '.join(constants) + ')' if constants else ''}"
        )
    missing = [v for v in data.variables if v not in units]
    if missing:
        raise DataError(
            f"units gives no unit for the variable{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}: "
            "give every variable's unit ('' for a dimensionless one, such as an angle)"
        )
    dimensions = dimensions_of(units)
    dimensions[data.target] = dimension_of(target_unit, "target_unit")
    return dimensions
