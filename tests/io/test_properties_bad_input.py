"""Property-based tests: random bad input, through every entry point, gives one clear DataError.

Tables with NaN, inf, text, too few rows, constant or unsquarable targets, ragged columns;
CSV files with defects through the command line; library text that cannot be read. Each must
raise a DataError (or exit 2 with one line) whose message names the problem.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bases import TermDroppedWarning
from discovery import DataError, SparseBasisRegressor, discover
from discovery.cli import main as cli_main
from discovery.io.dataset import MIN_ROWS
from tests.property_strategies import FIT_ERRORS, NAMES, examples, libraries, one_torch_thread, tables  # noqa: F401

# --- bad tables ------------------------------------------------------------------------------

TEXTS = ("a", "", "1,5", "n/a", "--", None)
DEFECTS = ("nan", "inf", "-inf", "short", "constant target", "text", "scaled target", "big integer")


@st.composite
def bad_tables(draw):
    """Name → object column (``"y"`` the target) with 1-3 defects."""
    table = draw(tables(rows=st.integers(MIN_ROWS, 60)))
    columns = {k: np.asarray(v, dtype=float).astype(object) for k, v in table.columns.items()}
    columns["y"] = np.asarray(table.y, dtype=float).astype(object)
    defects = draw(st.lists(st.sampled_from(DEFECTS), min_size=1, max_size=3, unique=True))
    if "short" in defects:
        n = draw(st.integers(0, MIN_ROWS - 1))
        columns = {k: v[:n] for k, v in columns.items()}
    n = len(columns["y"])
    for defect in sorted(defects, key=lambda d: not d.endswith("target")):  # rescale before text goes in
        if defect == "scaled target":  # the largest |y| becomes 1e±200: too large or small to square
            y = columns["y"].astype(float)
            if np.any(y):
                columns["y"] = (y / np.max(np.abs(y)) * draw(st.sampled_from([1e200, 1e-200]))).astype(object)
        elif defect == "constant target":
            columns["y"] = np.full(n, draw(st.sampled_from([0.0, 1.0, -1e12, 1e-12])), dtype=object)
        elif defect != "short" and n:
            name = draw(st.sampled_from(sorted(columns)))
            rows = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=8))
            if defect == "text":
                columns[name][rows] = draw(st.sampled_from(TEXTS))
            else:
                columns[name][rows] = 10**400 if defect == "big integer" else float(defect)
    return columns


def what(name: str) -> str:
    return "the target 'y'" if name == "y" else f"column {name!r}"


def as_text(values: np.ndarray) -> np.ndarray:
    """A column as the data check sees it when given as text: ``'1e-12'`` reads as a number, ``'None'`` not."""

    def read(v):
        try:
            return float(str(v))
        except ValueError:
            return str(v)

    return np.array([read(v) for v in values], dtype=object)


def expected_messages(columns: dict) -> list[str]:
    """Every message that correctly names a defect of the table (any one may be reported first)."""
    out = []
    for name, values in columns.items():
        texts = [i for i, v in enumerate(values) if not isinstance(v, float)]
        if texts:
            held = values[texts[0]]
            if isinstance(held, int):  # 10**400
                out.append(f"{what(name)} has a value too large for double precision in row {texts[0]}")
            else:
                out.append(f"{what(name)} is not numeric: row {texts[0]} holds {held!r}")
            continue
        values = values.astype(float)
        bad = np.flatnonzero(~np.isfinite(values))
        if len(bad):
            n_nan = int(np.isnan(values).sum())
            kinds = " and ".join(
                k
                for k in (f"{n_nan} NaN" if n_nan else "", f"{len(bad) - n_nan} infinite" if len(bad) > n_nan else "")
                if k
            )
            shown = ", ".join(map(str, bad[:5])) + (", ..." if len(bad) > 5 else "")
            out.append(f"{what(name)} has {kinds} value{'s' if len(bad) > 1 else ''} (rows {shown})")
    n = len(columns["y"])
    if n < MIN_ROWS:
        out.append(f"got {n} rows, fewer than the {MIN_ROWS} needed")
    y = columns["y"]
    if n and all(isinstance(v, float) for v in y) and np.all(np.isfinite(y.astype(float))):
        y = y.astype(float)
        if np.ptp(y) == 0:
            out.append("the target 'y' is constant")
        elif not 1e-150 <= np.max(np.abs(y)) <= 1e150:
            out.append(
                f"the target 'y' has values up to {np.max(np.abs(y)):.3g} in size, outside the 1e-150 to "
                "1e+150 that double precision can square; rescale it"
            )
    assert out
    return out


@examples(300)
@given(bad_tables(), st.sampled_from(["array", "strings", "mapping", "frame", "estimator", "default", "operon"]))
@pytest.mark.slow
def test_bad_tables_raise_a_data_error_naming_the_problem(table, entry):
    seen = {k: v if k == "y" or entry != "strings" else as_text(v) for k, v in table.items()}
    messages = expected_messages(seen)
    columns = dict(table)
    y = columns.pop("y")
    with pytest.raises(DataError) as err:
        if entry in ("array", "strings"):  # strings: as np.loadtxt(dtype=str) would give them
            X = np.column_stack(list(columns.values()))
            discover(X.astype(str) if entry == "strings" else X, y, library="x0", method="basis")
        elif entry == "mapping":
            discover(columns, y, library="x0", method="basis")
        elif entry == "frame":
            # Object columns, as read from a messy file: pandas 3.0 refuses to infer a dtype over 10**400.
            discover(pd.DataFrame({**columns, "y": y}, dtype=object), target="y", library="x0", method="basis")
        elif entry == "estimator":
            SparseBasisRegressor(library="x0").fit(columns, y)
        elif entry == "default":
            discover(columns, y, time_limit=1.0)
        else:
            discover(columns, y, method="operon", time_limit=1.0)
    assert any(m in str(err.value) for m in messages), (str(err.value), messages)


@examples(60)
@given(tables(rows=st.integers(MIN_ROWS, 40), n_columns=st.just(2)), st.sampled_from(["array", "mapping", "frame"]))
def test_columns_of_different_lengths_are_a_data_error(table, form):
    short = dict(table.columns, x0=np.asarray(table.columns["x0"])[:-1])
    message = {
        "array": r"X has rows of different lengths \(row \d+ has 3 values, row 0 has 2\)",
        "mapping": r"columns have different lengths \('x0' has \d+, 'x1' has \d+ rows\)",
        "frame": r"X has \d+ rows but y has \d+",
    }[form]
    with pytest.raises(DataError, match=message):
        if form == "array":
            discover(
                [list(r) for r in table.X] + [[1.0, 2.0, 3.0]], np.append(table.y, 1.0), library="x0", method="basis"
            )
        elif form == "mapping":
            discover(short, table.y, library="x0", method="basis")
        else:
            discover(pd.DataFrame(table.columns), table.y[:-1], library="x0", method="basis")


# --- the command line ------------------------------------------------------------------------

CSV_DEFECTS = ("nan", "inf", "-inf", "text", "empty", "ragged", "blank line", "missing target", "bad name")


@st.composite
def csv_cases(draw):
    """CSV text with 0-2 defects, the CLI arguments, and the messages that may name the first."""
    names = NAMES[: draw(st.integers(1, 3))]
    passed, library = draw(libraries(names))
    if not isinstance(passed, str):  # the command line takes text
        passed = ", ".join(library.names)
    table = draw(tables(rows=st.integers(MIN_ROWS, 120), n_columns=st.just(len(names)), library=library))
    header = list(names) + ["y"]
    rows = [[repr(float(v)) for v in r] + [repr(float(t))] for r, t in zip(table.X, table.y)]
    args = [
        "--target",
        "y",
        "--method",
        "basis",
        "--solver",
        draw(st.sampled_from(["l0", "stlsq", "lasso"])),
        "--max-terms",
        str(draw(st.integers(1, 4))),
    ]
    # One file in ten gets the default search, for a second; the others the library.
    args += ["--time-limit", "1"] if draw(st.integers(0, 9)) == 0 else ["--library", passed]
    defects = draw(st.lists(st.sampled_from(CSV_DEFECTS), max_size=2))
    blank = None
    for defect in defects:
        i, j = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, len(header) - 1))
        if defect in ("nan", "inf", "-inf"):
            rows[i][j] = defect
        elif defect == "text":
            rows[i][j] = draw(st.sampled_from(["abc", "1;5", "--", "1e"]))
        elif defect == "empty":
            rows[i][j] = " "
        elif defect == "ragged":
            rows[i] = rows[i][:-1] if draw(st.booleans()) else rows[i] + ["1"]
        elif defect == "blank line":
            blank = i  # an empty line before data row i: skipped, but line numbers still count it
        elif defect == "missing target":
            args[1] = "z"
        elif defect == "bad name":
            header[j] = draw(st.sampled_from(["2x", "x 1", "lambda", "a-b"]))
    lines = [",".join(header)] + [",".join(r) for r in rows]
    if blank is not None:
        lines.insert(blank + 1, "")
    return "\n".join(lines) + "\n", args, csv_messages(lines, header, args)


def csv_messages(lines: list[str], header: list[str], args: list[str]) -> list[str] | None:
    """The messages the first defect may give (None: a clean file, the fit must succeed or fail cleanly)."""
    if len(set(header)) != len(header):
        return ["repeats a column name"]
    data = []
    for line, text in enumerate(lines[1:], start=2):
        cells = text.split(",")
        if not any(c.strip() for c in cells):
            continue  # a blank line is skipped
        if len(cells) != len(header):
            return [f"line {line} has {len(cells)} fields but the header has {len(header)}"]
        for name, cell in zip(header, cells):
            if not cell.strip():
                return [f"line {line}, column {name!r} is empty"]
            try:
                float(cell)
            except ValueError:
                return [f"line {line}, column {name!r}: {cell.strip()!r} is not a number"]
        data.append([float(c) for c in cells])
    if args[1] not in header:
        return [f"target column {args[1]!r} is not in"]
    out = [f"name {h!r} cannot appear in a formula" for h in header if not h.isidentifier() or h == "lambda"]
    columns = {h: np.array(c, dtype=object) for h, c in zip(header, zip(*data))}
    if any(not np.all(np.isfinite(c.astype(float))) for c in columns.values()):
        out += expected_messages(columns)
    return out or None


@examples(250)
@given(csv_cases())
@pytest.mark.slow
def test_cli_fit_prints_a_law_or_one_clear_error_line(case):
    text, args, messages = case
    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "data.csv")
        with open(path, "w") as handle:
            handle.write(text)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
            warnings.simplefilter("ignore", TermDroppedWarning)
            status = cli_main(["fit", path, *args])
    if status == 0:
        assert messages is None, messages
        assert out.getvalue().startswith("y = ") and "coefficients:" in out.getvalue()
        return
    assert status == 2, (status, err.getvalue())
    lines = [t for t in err.getvalue().splitlines() if not t.startswith("[discover] ")]  # progress lines
    assert len(lines) == 1 and lines[0].startswith("error: "), err.getvalue()
    if messages is None:
        assert FIT_ERRORS.search(lines[0]), lines[0]
    else:
        assert any(m in lines[0] for m in messages), (lines[0], messages)


# --- library text --------------------------------------------------------------------------

BAD_TERMS = (
    "x0 +",
    "w",
    "x0, w**2",
    "foo(x0)",
    "x0 - x0",
    "sin(x0, x0)",
    "x0 > 1",
    "'x0'",
    "[x0, 'a']",
    "x0 = 1",
    "__import__('os')",
    "x0.real_part",
    "x0[0]",
    "True",
    "None",
    "{x0}",
    "sqrt(-1)*x0",
    "log(-1)*x0",
    "asin(2)*x0",
    "x0/0",
)
BAD_TEXT = BAD_TERMS + ("1/0", "10.0**400*x0", "harmonics(x0, [1e400])")  # Python errors, not SymPy's
# Where a message cannot quote the text, it names the term or the unknown name.
NAMED = re.compile(
    r"library term '.+' cannot be evaluated|0 is not a basis term|is not a term|cannot read the term"
    r"|'w'"
)


@examples(90)
@given(
    tables(rows=st.integers(MIN_ROWS, 30), n_columns=st.just(1)),
    st.one_of(
        st.tuples(st.sampled_from(BAD_TEXT), st.sampled_from(["text", "estimator"])),
        st.tuples(st.sampled_from(BAD_TERMS), st.just("list")),
    ),
)
def test_bad_library_is_a_data_error_naming_it(table, case):
    """Library text (as the command line passes it) or a list of terms that cannot be used."""
    text, form = case
    with pytest.raises(DataError) as err:
        if form == "text":
            discover(table.X, table.y, library=text, method="basis")
        elif form == "list":
            discover(table.X, table.y, library=["x0", text], method="basis")
        else:
            SparseBasisRegressor(library=text).fit(table.X, table.y)
    message = str(err.value)
    assert text in message or NAMED.search(message), message
