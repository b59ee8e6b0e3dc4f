"""The cannon experiment: from 1,000 noisy shots, the range law s = v²·sin(2θ)/g, with g named.

Run: python examples/cannon.py [output folder for the figures]
"""

import sys
from pathlib import Path

import numpy as np

from discovery import discover


def main(out: Path) -> None:
    rng = np.random.default_rng(0)
    v = rng.uniform(5, 30, 1000)  # launch speed, m/s
    theta = rng.uniform(0.1, 1.4, 1000)  # launch angle, rad
    s = v**2 * np.sin(2 * theta) / 9.81 * (1 + rng.normal(0, 0.01, 1000))  # 1 % measurement noise

    law = discover(np.column_stack([v, theta]), s, variables=["v", "theta"], target="s", constants={"g": 9.81})
    print(law)  # s = v**2*sin(2*theta)/g
    print(law.latex())  # s = \frac{v^{2} \sin{\left(2 \theta \right)}}{g}
    print(f"R² {law.r2:.5f} on {law.n_rows} shots")

    out.mkdir(parents=True, exist_ok=True)
    law.plot(np.column_stack([v, theta]), s).savefig(out / "cannon_law.png")
    law.plot_front().savefig(out / "cannon_front.png")
    print(f"figures in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("figures"))
