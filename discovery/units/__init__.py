"""Units: dimensional analysis before the search (``discover(..., units=..., target_unit=...)``).

``dimensions`` reads each unit with pint (an optional extra:
``pip install 'discovery[units]'``) into powers of the base dimensions;
``buckingham`` forms the dimensionless groups of the Buckingham π theorem and
the monomial that carries the target's unit, and checks an expression for
dimensional homogeneity; ``search`` searches the dimensionless problem and
writes its laws back. pint is imported only when units are given.
"""
