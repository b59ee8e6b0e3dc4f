"""Units to dimensions: each unit as powers of the base dimensions (length, mass, time, ...), read by pint."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from ..errors import DataError

Dimension = dict[str, Fraction]  # base dimension ("length", "time", ...) → power; {} is dimensionless

INSTALL_HINT = "pip install 'discovery[units]' (or pip install pint)"


@functools.cache
def _registry() -> Any:
    try:
        import pint
    except ImportError as err:
        raise DataError(f"units= needs pint, which is not installed: {INSTALL_HINT}") from err
    return pint.UnitRegistry()


def dimension_of(unit: Any, what: str) -> Dimension:
    """The dimension of one unit (a pint string such as ``"m/s**2"``, ``""`` for none, or a pint unit).

    ``what`` names the quantity in the error, e.g. ``"units['v']"``.

    Raises
    ------
    DataError
        When pint does not know the unit or cannot read it, naming ``what``.
    """
    if unit is None:
        unit = ""
    registry = _registry()
    text = str(unit).strip()
    try:
        parsed = registry.parse_units(text) if text else registry.dimensionless
        dimensionality = parsed.dimensionality
    except Exception as err:  # pint raises its own errors, and AssertionError or ValueError on bad syntax
        reason = str(err) or type(err).__name__
        raise DataError(
            f"{what} = {text!r} is not a unit pint can read ({reason}); write it as pint does, "
            "e.g. 'm/s**2', 'kg*m**2/s', 'J/K', or '' for a dimensionless quantity"
        ) from err
    return {key.strip("[]"): Fraction(value).limit_denominator(1000) for key, value in dimensionality.items() if value}


def dimensions_of(units: Mapping[str, Any], what: str = "units") -> dict[str, Dimension]:
    """Each name's dimension (see :func:`dimension_of`)."""
    return {name: dimension_of(unit, f"{what}[{name!r}]") for name, unit in units.items()}


def format_dimension(dimension: Dimension) -> str:
    """E.g. ``length·time^-2``; ``dimensionless`` for none."""
    if not dimension:
        return "dimensionless"
    return "·".join(name if power == 1 else f"{name}^{power}" for name, power in sorted(dimension.items()))
