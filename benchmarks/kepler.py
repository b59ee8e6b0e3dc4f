"""Kepler's third law from the measured orbits of the planets (plus Ceres and Pluto).

``data/planets.csv``: semi-major axis ``a`` in AU and sidereal period ``T`` in
years, from NASA's planetary fact sheets (semi-major axis 10⁶ km / 149.598,
period in days / 365.25). The values are measured, not generated: Saturn's
osculating semi-major axis puts it 0.7 % off T = a^(3/2).

    python -m benchmarks.kepler

Prints the law ``discover`` returns for the eight planets and for all ten
bodies, with its noise model and evidence.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from discovery import discover

DATA = Path(__file__).resolve().parent / "data" / "planets.csv"


def main() -> None:
    with open(DATA, newline="") as handle:
        rows = list(csv.DictReader(handle))
    a = np.array([float(r["a"]) for r in rows])
    T = np.array([float(r["T"]) for r in rows])
    for count, label in ((8, "the eight planets"), (len(rows), "all ten bodies")):
        law = discover(a[:count, None], T[:count], variables=["a"], target="T", random_state=0, time_limit=30)
        print(f"{label} ({count} rows): {law}   [noise model: {law.info.get('noise')}]")
        print(law.evidence())
        print()


if __name__ == "__main__":
    main()
