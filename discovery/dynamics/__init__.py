"""Dynamics: the differential equations behind time series (``discover_system`` → :class:`System`)."""

from .determined import UnderdeterminedWarning
from .system import System
from .system_search import discover_system

__all__ = ["System", "UnderdeterminedWarning", "discover_system"]
