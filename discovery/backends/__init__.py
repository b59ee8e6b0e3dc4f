"""Search backends: whole-expression search engines behind one interface (``base.SearchBackend``).

A backend receives the data, a time limit, a seed and optionally a hint (the
basis regressor's law) and returns candidate expressions; ``settle`` passes
them through the same SymPy layer as the basis regressor's laws and chooses;
``run`` runs a backend by name. Each backend imports its engine only inside
``search_expressions``, so importing :mod:`discovery` starts neither Julia nor
anything else.
"""
