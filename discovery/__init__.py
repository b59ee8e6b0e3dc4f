"""discovery: find the law behind measurements, as a formula you can read.

>>> from discovery import discover
>>> law = discover(X, y, variables=["v", "theta"], constants={"g": 9.81})
>>> print(law)
s = v**2*sin(2*theta)/g

The public API is what this module lists in ``__all__`` (and the article's
experiment in :mod:`discovery.article`, the progress bar over a loop of fits in
:mod:`discovery.progress`, the structure tests :mod:`discovery.decompose`
exports, each by its ``__all__``); the stage subpackages (``io``, ``search``,
``law``, ``backends``, ``decompose``, ``units``, ``dynamics``) are otherwise internal;
``discover_system`` and ``System`` are the dynamics room's front door. Importing this package
starts nothing: no Julia, no network, no GPU.
"""

from .api import discover
from .dynamics import System, UnderdeterminedWarning, discover_system
from .errors import AliasedTermWarning, BackendUnavailable, DataError
from .estimator import SparseBasisRegressor
from .law.coefficient import Coefficient, FrontEntry
from .law.file import LawFileError, package_version
from .law.law import Law
from .settle.bootstrap import BootstrapReport

__all__ = [
    "AliasedTermWarning",
    "BackendUnavailable",
    "BootstrapReport",
    "Coefficient",
    "DataError",
    "FrontEntry",
    "Law",
    "LawFileError",
    "SparseBasisRegressor",
    "System",
    "UnderdeterminedWarning",
    "discover",
    "discover_system",
]
__version__ = package_version()
