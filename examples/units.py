"""Units prune the search: with each variable's unit, only dimensionless groups are searched (needs pint).

Run: python examples/units.py
"""

import numpy as np

from discovery import discover


def main() -> None:
    rng = np.random.default_rng(2)
    length = rng.uniform(0.2, 3.0, 300)  # m
    g = 9.81  # m/s², given as a named constant with its unit
    period = 2 * np.pi * np.sqrt(length / g) * (1 + rng.normal(0, 0.001, 300))  # s

    law = discover(
        length[:, None],
        period,
        variables=["L"],
        target="T",
        constants={"g": g},
        units={"L": "m", "g": "m/s**2"},
        target_unit="s",
    )
    print(law)  # T = 2*pi*sqrt(L)/sqrt(g)
    # What the units decided before any search: T = sqrt(L/g)·F(groups), and here there is no group, so F = 2π.
    print(f"dimensional analysis: {law.info['units']['law']}")


if __name__ == "__main__":
    main()
