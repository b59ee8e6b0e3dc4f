"""The benchmarks: each module runs one, from the repository root, as ``python -m benchmarks.NAME``.

They use the toolkit as a user would, through its public API only: what
``discovery``, ``bases``, ``discovery.solvers``, ``discovery.progress`` and
``discovery.decompose`` list in ``__all__``, and the article's experiment
(``tests/test_layout.py`` checks it). The ``*_problems`` modules hold the problem lists, committed
before the engine ran on them; ``results/`` holds the records of each run.
"""
