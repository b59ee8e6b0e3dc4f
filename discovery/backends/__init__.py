"""Search backends: whole-expression search engines behind one interface.

A backend receives the data, a time limit, a seed and optionally a hint (the
basis regressor's law) and returns candidate expressions; the shared SymPy
layer (:mod:`discovery.candidates`) refits, snaps and chooses, exactly as for
the basis regressor. Each backend imports its engine only inside ``search``,
so importing :mod:`discovery` starts neither Julia nor anything else.
"""
from .base import BackendUnavailable, SearchBackend, unary_operators_for
from .operon_backend import OperonBackend
from .pysr_backend import PySRBackend

BACKENDS: dict[str, type[SearchBackend]] = {"operon": OperonBackend, "pysr": PySRBackend}

__all__ = ["BACKENDS", "BackendUnavailable", "OperonBackend", "PySRBackend", "SearchBackend", "unary_operators_for"]
