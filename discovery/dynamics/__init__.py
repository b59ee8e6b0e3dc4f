"""Dynamics: the differential equations behind time series (``discover_system`` → :class:`System`)."""

from .system import System
from .system_search import discover_system

__all__ = ["System", "discover_system"]
