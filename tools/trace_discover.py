"""How discover's default path moves through the package: modules entered and modules re-entered.

A module is re-entered when it is called while it is already on the call
stack below another module (M -> ... -> other -> M): the reader following
the code is sent back into a module they have not finished. Each distinct
(caller function, callee function) pair counts once; only modules of the
``discovery`` package count (``bases`` is a package of its own).

    python tools/trace_discover.py                  # this checkout
    python tools/trace_discover.py --root OTHER     # another checkout of the project, e.g. an older commit

Three inputs, all through the public ``discover`` with its defaults: the
cannon (found at once), a relativistic mass at 1 % noise (laws for
transformed targets, mapped back and refitted on y), and a target no basis
law fits (``method="auto"`` hands it to Operon, when installed).
"""

from __future__ import annotations

import argparse
import collections
import functools
import os
import sys
import warnings

import numpy as np


def cases():
    rng = np.random.default_rng(0)
    v, theta = rng.uniform(0, 10, 1000), rng.uniform(0, np.pi / 2, 1000)
    s = v**2 * np.sin(2 * theta) / 9.81 + 0.01 * rng.standard_normal(1000)
    yield "cannon", np.column_stack([v, theta]), np.maximum(s, 0), ["v", "theta"], {"constants": {"g": 9.81}}
    m0, u, c = rng.uniform(1, 5, 2000), rng.uniform(1, 2, 2000), rng.uniform(3, 10, 2000)
    m = m0 / np.sqrt(1 - u**2 / c**2)
    yield (
        "mapped",
        np.column_stack([m0, u, c]),
        m + 0.01 * np.sqrt(np.mean(m**2)) * rng.standard_normal(2000),
        ["m0", "v", "c"],
        {"time_limit": 60},
    )
    x = rng.uniform(-1, 1, size=(400, 1))
    yield "auto", x, np.abs(x[:, 0]) ** 0.5 * np.sign(x[:, 0]) + np.floor(3 * x[:, 0]), ["x"], {"time_limit": 12}


def trace(root: str) -> None:
    package = os.path.join(root, "discovery") + os.sep

    def module(code) -> str | None:
        return os.path.relpath(code.co_filename, root) if code.co_filename.startswith(package) else None

    from discovery import discover

    warnings.simplefilter("ignore")
    for name, X, y, variables, options in cases():
        discover(X[:60], y[:60], variables=variables, random_state=0, method="basis")  # imports, outside the trace
        run = functools.partial(discover, X, y, variables=variables, random_state=0, **options)
        entered, reentered, law = _traced(module, run)
        worst = max((len(p) for p in reentered.values()), default=0)
        print(
            f"{name:7} method={law.info.get('method'):7} modules entered {len(entered):3d}, "
            f"re-entries {sum(map(len, reentered.values())):2d}, most in one module {worst}"
        )
        for m, pairs in sorted(reentered.items(), key=lambda kv: -len(kv[1])):
            print(f"          {len(pairs)}  {m}: " + "; ".join(f"{a} -> {b}" for a, b in sorted(pairs)))


def _traced(module, run):
    """(modules entered, module -> re-entering call pairs, result of ``run()``)."""
    entered: set[str] = set()
    reentered: dict[str, set] = collections.defaultdict(set)

    def profile(frame, event, arg):
        if event != "call" or (callee := module(frame.f_code)) is None:
            return
        entered.add(callee)
        caller = frame.f_back
        while caller is not None and module(caller.f_code) is None:
            caller = caller.f_back
        if caller is None or module(caller.f_code) == callee:
            return
        below = caller.f_back
        while below is not None:
            if module(below.f_code) == callee:
                reentered[callee].add((caller.f_code.co_qualname, frame.f_code.co_qualname))
                return
            below = below.f_back

    sys.setprofile(profile)
    try:
        result = run()
    finally:
        sys.setprofile(None)
    return entered, reentered, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--root",
        default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        help="checkout whose discovery package is traced (default: this one)",
    )
    root = os.path.abspath(parser.parse_args().root)
    sys.path.insert(0, root)
    trace(root)
    sizes = sorted(
        (sum(1 for _ in open(os.path.join(d, f), encoding="utf-8")), os.path.relpath(os.path.join(d, f), root))
        for d, _, files in os.walk(os.path.join(root, "discovery"))
        for f in files
        if f.endswith(".py")
    )
    top = [p for _, p in sizes if os.path.dirname(p) == "discovery"]
    print(f"modules directly in discovery/: {len(top)}; largest: " + ", ".join(f"{p} {n}" for n, p in sizes[-3:]))


if __name__ == "__main__":
    main()
