"""The benchmarks: each module runs one, from the repository root, as ``python -m benchmarks.NAME``.

They use the toolkit as a user would, through its public API only
(``discovery``, ``bases``, ``discovery.article``, ``discovery.progress`` and the
structure tests ``discovery.decompose`` exports; ``tests/test_layout.py``
checks it). The ``*_problems`` modules hold the problem lists, committed
before the engine ran on them; ``results/`` holds the records of each run.
"""
