"""discovery: find the law behind measurements, as a formula you can read.

>>> from discovery import discover
>>> law = discover(X, y, variables=["v", "theta"], constants={"g": 9.81})
>>> print(law)
s = v**2*sin(2*theta)/g

Importing this package starts nothing: no Julia, no network, no GPU.
"""
from .api import discover
from .backends import BackendUnavailable
from .errors import DataError
from .estimator import SparseBasisRegressor
from .law import Coefficient, FrontEntry, Law

__all__ = ["BackendUnavailable", "Coefficient", "DataError", "FrontEntry", "Law", "SparseBasisRegressor", "discover"]
__version__ = "0.1.0"
