"""Data files by extension: CSV, Parquet, Feather and Excel read alike, by discover and the command line."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import sympy as sp

from discovery import DataError, discover
from discovery.cli import main
from discovery.io.tables import read_table

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(6)
    x = rng.uniform(0.5, 3, 60)
    z = rng.uniform(-1, 1, 60)
    return pd.DataFrame({"x": x, "z": z, "y": 2 * x * z + 1})


def _write(frame, path):
    suffix = path.suffix
    if suffix == ".csv":
        frame.to_csv(path, index=False, float_format="%.17g")
    elif suffix == ".parquet":
        frame.to_parquet(path)
    elif suffix == ".feather":
        frame.to_feather(path)
    else:
        pytest.importorskip("openpyxl", reason="Excel needs openpyxl (the excel extra)")
        frame.to_excel(path, index=False)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".feather", ".xlsx"])
def test_every_format_reads_the_same_columns_and_discover_takes_the_path(frame, tmp_path, suffix):
    path = _write(frame, tmp_path / f"data{suffix}")
    columns = read_table(path)
    assert list(columns) == ["x", "z", "y"]
    np.testing.assert_allclose(columns["y"].astype(float), frame["y"].to_numpy(), rtol=1e-15)
    law = discover(str(path), target="y", random_state=0, method="basis")
    assert sp.simplify(law.expression - sp.sympify("2*x*z + 1")) == 0


def test_cli_fit_reads_a_feather_file(frame, tmp_path, capsys):
    path = _write(frame, tmp_path / "data.feather")
    assert main(["fit", str(path), "--target", "y", "--method", "basis"]) == 0
    assert "y = 2*x*z + 1" in capsys.readouterr().out


def test_an_unknown_extension_lists_the_known_ones(tmp_path):
    path = tmp_path / "data.json"
    path.write_text("{}")
    with pytest.raises(DataError, match=r"cannot tell the format of .*data.json.* use one of .*\.csv.*\.xlsx"):
        read_table(path)


def test_a_missing_extra_is_named_with_the_command(frame, tmp_path, monkeypatch):
    path = _write(frame, tmp_path / "data.feather")
    monkeypatch.setitem(sys.modules, "pyarrow.feather", None)  # as if pyarrow were not installed
    with pytest.raises(DataError, match=r"needs pyarrow: pip install 'equation-discovery\[parquet\]'"):
        read_table(path)


def test_a_text_column_in_a_spreadsheet_is_named(tmp_path):
    pytest.importorskip("openpyxl", reason="Excel needs openpyxl (the excel extra)")
    path = tmp_path / "data.xlsx"
    pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0], "y": [1.0, "two", 3.0, 4.0, 5.0]}).to_excel(path, index=False)
    with pytest.raises(DataError, match="'y'"):
        discover(str(path), target="y")
