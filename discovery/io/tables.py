"""Read a data file into named columns, by its extension: CSV, Parquet, Feather or Excel.

CSV needs nothing beyond this package; Parquet and Feather are read with
pyarrow (``pip install 'equation-discovery[parquet]'``), Excel with pandas and
openpyxl (``pip install 'equation-discovery[excel]'``). A missing one is named
in the error, with the command that installs it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataError
from .csv_table import read_csv

FORMATS = {
    ".csv": "CSV",
    ".txt": "CSV",
    ".parquet": "Parquet",
    ".pq": "Parquet",
    ".feather": "Feather",
    ".arrow": "Feather",
    ".xlsx": "Excel",
    ".xlsm": "Excel",
    ".xls": "Excel",
}
_EXTRAS = {"Parquet": ("pyarrow", "parquet"), "Feather": ("pyarrow", "parquet"), "Excel": ("openpyxl", "excel")}


def table_format(path: str | Path) -> str:
    """The format a file is read as, from its extension (a folder: a Parquet dataset).

    Raises
    ------
    DataError
        For an extension this package does not read, listing those it does.
    """
    path = Path(path)
    if path.is_dir():
        return "Parquet"
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise DataError(f"cannot tell the format of {str(path)!r} from its extension; use one of {known}") from None


def read_table(path: str | Path, sheet: str | int | None = None) -> dict[str, np.ndarray]:
    """The columns of a CSV, Parquet, Feather or Excel file (its first sheet, or ``sheet``), by name.

    Values are kept as read; the data checks then name a column holding text
    or a row holding NaN, as for any input.

    Raises
    ------
    DataError
        For a missing file, an unknown extension, an unreadable file, or a
        missing optional dependency (naming the extra to install).
    """
    path = Path(path)
    kind = table_format(path)
    if kind == "CSV":
        return read_csv(path)
    if not path.exists():
        raise DataError(f"cannot read {str(path)!r}: no such file")
    module, extra = _EXTRAS[kind]
    try:
        if kind == "Excel":
            import pandas as pd

            frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, engine="openpyxl")
            return {str(c): frame[c].to_numpy() for c in frame.columns}
        table = _arrow_table(path, kind)
    except ImportError:
        raise DataError(
            f"reading {kind} files needs {module}: pip install 'equation-discovery[{extra}]' "
            f"(or pip install {module}), or save the data as CSV"
        ) from None
    except (OSError, ValueError) as err:
        raise DataError(f"cannot read {str(path)!r} as a {kind} file: {err}") from None
    return {str(name): _numpy(table.column(name)) for name in table.column_names}


def _arrow_table(path: Path, kind: str) -> Any:
    if kind == "Parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path)
    import pyarrow.feather as feather

    return feather.read_table(path)


def _numpy(column: Any) -> np.ndarray:
    """A pyarrow column as a NumPy array; nulls become NaN (numbers) or None (text), for the checks to name."""
    return np.asarray(column.to_numpy())
