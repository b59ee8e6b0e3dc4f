"""A user's library (text, a ``bases.Library`` or a sequence of terms), checked against the data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sympy as sp

from bases import Library, parse_library
from bases.compile import compile_expression

from ..errors import DataError


def resolve_library(library: Any, variables: Sequence[str], constants: Mapping[str, float]) -> Library:
    """The terms of ``library``, in the data's variables, with named constants folded into the coefficients.

    Raises
    ------
    DataError
        For text or terms that cannot be read, a name that is neither a
        variable nor a constant, or a term that cannot be evaluated.
    """
    if isinstance(library, str):
        try:
            resolved = parse_library(library, list(variables) + list(constants))
        except ValueError as err:
            raise DataError(str(err)) from None
    elif isinstance(library, Library):
        resolved = library
    else:
        try:
            resolved = Library(library)
        except (TypeError, ValueError) as err:  # not terms, or a term SymPy cannot read
            raise DataError(f"library must be a Library, text or a sequence of terms: {err}") from None
    known = set(variables) | set(constants)
    unknown = sorted(set(resolved.variables) - known)
    if unknown:
        raise DataError(
            f"the library uses {', '.join(map(repr, unknown))}, which is neither a variable "
            f"({', '.join(variables)}) nor a constant ({', '.join(constants) or 'none given'})"
        )
    if constants and set(resolved.variables) & set(constants):
        # A constant inside a term only rescales it: fold its value into the coefficient.
        values = {sp.Symbol(k): v for k, v in constants.items()}
        resolved = Library(t.expr.subs(values) for t in resolved)
    for term in resolved:  # sqrt(-1)*x or x/0 would otherwise fail deep inside the fit
        try:
            compile_expression(term.expr, "numpy")
        except ValueError as err:
            raise DataError(f"library term {term.name!r} cannot be evaluated: {err}") from None
    return resolved
