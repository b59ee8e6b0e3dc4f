"""The decomposition: a neural oracle, structure tests on it, and the smaller problems they leave.

``oracle`` fits an MLP to the data (its validation error is every test's
tolerance); ``symmetry`` finds variables that enter only through a sum or a
product and merges them; ``separability`` finds a split over which the law is
a sum or a product of two parts; ``reduce`` searches the smaller problems with
the search it is given (``discover``'s own) and writes their laws back;
``search`` settles them into a Law like a backend's candidates. Torch is
imported only when an oracle is fitted.
"""

# Public: the oracle and its pair tests, for reading a data set's structure (which variables enter
# only through a sum or a product) without a search; the rest of the room is internal.
from .oracle import NeuralOracle
from .symmetry import PairTest, Variable, pair_tests

__all__ = ["NeuralOracle", "PairTest", "Variable", "pair_tests"]
