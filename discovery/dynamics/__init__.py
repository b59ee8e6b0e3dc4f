"""Dynamics: the differential equations behind time series (``discover_system`` → :class:`System`)."""

from .search import discover_system
from .system import System

__all__ = ["System", "discover_system"]
