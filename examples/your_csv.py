"""A CSV file of your own: the law in it, the same fit from the command line, and the law as code.

Run: python examples/your_csv.py [folder to write data.csv in]
"""

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np

from discovery import discover


def write_measurements(path: Path) -> None:
    """Stand-in for your file: a header row, then one row per measurement (here Ohm's law with a power)."""
    rng = np.random.default_rng(1)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["current", "resistance", "power"])
        for _ in range(200):
            i, r = rng.uniform(0.1, 2.0), rng.uniform(1.0, 50.0)
            writer.writerow([i, r, i**2 * r])


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "data.csv"
    write_measurements(path)

    law = discover(str(path), target="power")  # every other column is an input; .parquet, .feather, .xlsx work too
    print(law)  # power = current**2*resistance
    print(law.to_code("python"))  # a plain function to paste anywhere

    # The same from the shell:
    command = [sys.executable, "-m", "discovery", "fit", str(path), "--target", "power", "--method", "basis"]
    printed = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    print(printed.splitlines()[0])


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("."))
