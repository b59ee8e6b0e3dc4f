"""The search-backend interface, the expressions backends propose, and what backends share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sympy as sp

from ..io.dataset import Dataset

# Unary functions every backend may use; a hint law's own functions are added to these.
DEFAULT_UNARY = ("sin", "cos", "exp", "log", "sqrt")


@dataclass(frozen=True)
class ExpressionCandidate:
    """One expression proposed by a search backend.

    Attributes
    ----------
    expression : sympy.Expr
        In the dataset's variable symbols, with the backend's fitted floats.
    complexity : int
        The backend's own complexity measure.
    loss : float
        The backend's loss on its training data (mean squared error).
    rank : float, optional
        The backend's own order of merit, lower first, where it has one that
        counts parameters too (the forms' BIC); candidates are settled in
        this order, else by loss.
    """

    expression: sp.Expr
    complexity: int
    loss: float
    rank: float | None = None


class SearchBackend(ABC):
    """Finds candidate expressions for y from X.

    Subclasses implement :meth:`options` and :meth:`search_expressions`;
    they import their engine in :meth:`search_expressions`, never at module
    import. Both take the same arguments, so the options recorded with a law
    are the ones its search ran with.
    """

    name: str = ""

    @abstractmethod
    def options(
        self,
        data: Dataset,
        time_limit: float,
        random_state: int | None,
        hint: sp.Expr | None = None,
        constants: Mapping[str, float] | None = None,
    ) -> dict[str, Any]:
        """The engine's options for this search, as plain data (recorded in ``law.info["settings"]``)."""

    @abstractmethod
    def search_expressions(
        self,
        data: Dataset,
        time_limit: float,
        random_state: int | None,
        hint: sp.Expr | None = None,
        constants: Mapping[str, float] | None = None,
    ) -> list[ExpressionCandidate]:
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
        constants : mapping of name → value, optional
            Values of the named constants in ``hint``.

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
