"""Save a law, load it back, and use it: predictions, a torch module to train further, C code.

Run: python examples/save_and_reload.py [folder for law.json]
"""

import sys
from pathlib import Path

import numpy as np
import torch

from discovery import Law, discover


def main(folder: Path) -> None:
    rng = np.random.default_rng(4)
    X = rng.uniform(0.5, 3.0, (300, 1))
    y = 0.37 * X[:, 0] ** 3 - X[:, 0] + rng.normal(0, 0.01, 300)
    law = discover(X, y, variables=["x"], random_state=0)

    folder.mkdir(parents=True, exist_ok=True)
    law.save(folder / "law.json")  # readable JSON: the exact expression, coefficients ± errors, the front
    again = Law.load(folder / "law.json")
    assert np.array_equal(again.predict(X), law.predict(X))
    print(f"reloaded: {again}")

    module = again.to_torch()  # its free constants are parameters
    print(module, "->", module(torch.tensor(X[:3])).tolist())
    print(again.to_code("c"))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("."))
