"""Read a user's CSV file into named columns, with messages that point at the cell."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from ..errors import DataError


def read_csv(path: str | Path) -> dict[str, np.ndarray]:
    """Read a CSV with a header row into name → float64 column.

    Raises
    ------
    DataError
        If the file cannot be read, has no header or rows, has a row with the
        wrong number of fields, or holds a cell that is not a number (naming
        the column and the line). Cells reading ``nan`` or ``inf`` are kept so
        that the data checks report them by row.
    """
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            # Each row with its line in the file: blank lines are skipped below but still count.
            rows = [(reader.line_num, row) for row in reader]
    except FileNotFoundError:
        raise DataError(f"cannot read {str(path)!r}: no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(f"cannot read {str(path)!r}: {err}") from None
    except csv.Error as err:
        raise DataError(f"{str(path)!r} is not a readable CSV file: {err}") from None
    rows = [(line, r) for line, r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise DataError(f"{str(path)!r} is empty; expected a header row of column names, then data")
    header = [name.strip() for name in rows[0][1]]
    if len(set(header)) != len(header):
        raise DataError(f"{str(path)!r} repeats a column name in its header: {header}")
    body = rows[1:]
    if not body:
        raise DataError(f"{str(path)!r} has a header but no data rows")
    columns = np.empty((len(body), len(header)))
    for i, (line, row) in enumerate(body):
        if len(row) != len(header):
            raise DataError(f"{str(path)!r} line {line} has {len(row)} fields but the header has {len(header)}")
        for j, cell in enumerate(row):
            text = cell.strip()
            if not text:
                raise DataError(f"{str(path)!r} line {line}, column {header[j]!r} is empty; fill or remove that row")
            try:
                columns[i, j] = float(text)
            except ValueError:
                raise DataError(f"{str(path)!r} line {line}, column {header[j]!r}: {text!r} is not a number") from None
    return {name: columns[:, j] for j, name in enumerate(header)}
