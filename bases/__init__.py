"""bases: libraries of candidate terms for equation discovery.

A term is a SymPy expression over named variables with vectorised NumPy and
torch evaluators compiled from one operator table. Families generate terms;
libraries combine with ``+`` (union) and ``*`` (products) and evaluate to a
design matrix or its Gram sums, in chunks.
"""

from .defaults import default_library
from .families import constant, differences, harmonics, power_harmonics, powers, unary
from .gram import Gram
from .library import Library, TermDroppedWarning
from .operators import OPERATORS, Operator
from .spec import parse_library
from .term import Term

__all__ = [
    "Gram",
    "Library",
    "OPERATORS",
    "Operator",
    "Term",
    "TermDroppedWarning",
    "constant",
    "default_library",
    "differences",
    "harmonics",
    "parse_library",
    "power_harmonics",
    "powers",
    "unary",
]
