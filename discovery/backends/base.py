"""The backend interface and what backends share."""
from __future__ import annotations

from abc import ABC, abstractmethod

import sympy as sp

from ..candidates import Candidate
from ..data import Dataset

# Unary functions every backend may use; a hint law's own functions are added to these.
DEFAULT_UNARY = ("sin", "cos", "exp", "log", "sqrt")


class BackendUnavailable(RuntimeError):
    """The backend's engine cannot run here; the message says what to install or which method to use."""


class SearchBackend(ABC):
    """Finds candidate expressions for y from X.

    Subclasses implement :meth:`search`; they import their engine there, never
    at module import.
    """

    name: str = ""

    @abstractmethod
    def search(self, data: Dataset, time_limit: float, random_state: int | None,
               hint: sp.Expr | None = None) -> list[Candidate]:
        """Candidate expressions, in the data's variable symbols.

        Parameters
        ----------
        data : Dataset
        time_limit : float
            Seconds the engine may search.
        random_state : int or None
            Seed; backends run single-threaded and deterministic where their engine allows.
        hint : sympy.Expr, optional
            A law already found (the basis regressor's), to seed the search and
            to choose its operators.

        Raises
        ------
        BackendUnavailable
            When the engine is not installed or cannot start.
        """


def unary_operators_for(hint: sp.Expr | None) -> list[str]:
    """The default unary functions plus those the hint uses (e.g. ``tanh``), by name."""
    names = list(DEFAULT_UNARY)
    if hint is not None:
        for f in sorted({type(a).__name__ for a in sp.preorder_traversal(hint) if isinstance(a, sp.Function)}):
            if f not in names:
                names.append(f)
    return names
