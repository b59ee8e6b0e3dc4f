"""Property-based tests: random tables, through every entry point, give a finite law or a clear error.

Tables are drawn as structure (rows, column kinds, scales 1e-12..1e12, defects) plus a NumPy seed
for the values: generation stays fast and hypothesis still shrinks the structure. Every test is
derandomised with a fixed number of examples, so a run is deterministic.
"""
from __future__ import annotations

import contextlib
import io
import math
import os
import re
import tempfile
import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bases import (Library, TermDroppedWarning, constant, differences, harmonics, parse_library,
                   power_harmonics, powers, unary)
from discovery import BackendUnavailable, DataError, Law, SparseBasisRegressor, discover
from discovery.cli import main as cli_main
from discovery.data import MIN_ROWS
from discovery.solvers import AdamL1


def examples(n: int):
    """Settings of one property: n derandomised examples, no deadline, no example database."""
    return settings(max_examples=n, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Tiny Gram problems run several times faster on one thread when the CPU is shared."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


# --- tables ----------------------------------------------------------------------------------

NAMES = ("x0", "x1", "x2")
SCALES = st.integers(-12, 12).map(lambda e: 10.0**e)
COLUMN_KINDS = ("positive", "signed", "decades", "integer", "few", "constant", "duplicate")


@dataclass
class Table:
    columns: dict  # name → 1-D array (float or int)
    y: np.ndarray

    @property
    def n(self) -> int:
        return len(self.y)

    @property
    def X(self) -> np.ndarray:
        return np.column_stack(list(self.columns.values()))


def column(kind: str, n: int, scale: float, rng: np.random.Generator, earlier: list) -> np.ndarray:
    if kind == "duplicate" and earlier:
        return earlier[rng.integers(len(earlier))] * rng.choice([1.0, -2.0])  # equal or parallel
    if kind == "positive":
        return scale * rng.uniform(0.5, 2.0, n)
    if kind == "signed":
        return scale * rng.uniform(-1.0, 1.0, n)
    if kind == "decades":
        return scale * 10.0 ** rng.uniform(-3, 3, n)
    if kind == "integer":
        return rng.integers(-3, 10, n)  # int64, with zeros and negatives
    if kind == "few":
        return scale * rng.choice([-1.0, 0.0, 1.0, 2.0], n)
    return np.full(n, scale)  # constant


@st.composite
def tables(draw, rows=st.integers(MIN_ROWS, 300), n_columns=st.integers(1, 3), library=None):
    """A clean table: finite numbers, at least 10 rows, a target that varies.

    ``y`` is noise, an integer column, a column itself, or (given ``library``) a sum of up
    to three of its terms that are finite here, exact or with 0.1 % noise.
    """
    n, k = draw(rows), draw(n_columns)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    earlier: list = []
    for _ in range(k):
        earlier.append(column(draw(st.sampled_from(COLUMN_KINDS)), n, draw(SCALES), rng, earlier))
    columns = dict(zip(NAMES, earlier))
    kind = draw(st.sampled_from(("noise", "integer", "column", "law", "law")))
    y_scale = draw(SCALES)
    y = y_scale * rng.normal(size=n)
    if kind == "integer":
        y = rng.integers(-2, 5, n)
    elif kind == "column":
        y = np.asarray(earlier[0], dtype=float).copy()
    elif kind == "law" and library is not None:
        values = [v for v in evaluate_terms(library, columns).T if np.all(np.isfinite(v)) and np.ptp(v) > 0]
        if values:
            picked = rng.choice(len(values), size=min(len(values), 1 + rng.integers(3)), replace=False)
            with np.errstate(all="ignore"):  # a sum that overflows falls back to noise below
                exact = sum(rng.choice([1.0, -2.5, 0.5, np.pi]) * values[i] for i in picked)
                y = exact + draw(st.sampled_from((0.0, 1e-3))) * np.std(exact) * rng.normal(size=n)
    if not (np.all(np.isfinite(y)) and np.ptp(y) > 0):
        y = y_scale * rng.normal(size=n)
    return Table(columns, y)


def evaluate_terms(library: Library, columns: dict) -> np.ndarray:
    """Each term of ``library`` on the table, in float64 (NaN/inf where undefined), shape (rows, terms)."""
    data = {k: np.asarray(v, dtype=float) for k, v in columns.items()}
    n = len(next(iter(data.values())))
    with np.errstate(all="ignore"):
        return np.column_stack([t(data, "numpy") for t in library]) if len(library) else np.empty((n, 0))


# --- libraries -------------------------------------------------------------------------------

ONE_VARIABLE = ("1", "{a}", "{a}**2", "{a}**3", "1/{a}", "{a}**(-2)", "sqrt({a})", "1/sqrt({a})", "sin({a})",
                "cos(2*{a})", "exp({a})", "exp(-{a})", "log({a})", "tanh({a})", "Abs({a})", "asin({a})",
                "sinh({a})", "{a}**(1/3)")
TWO_VARIABLES = ("{a}*{b}", "{a}/{b}", "{a}**2*sin({b})", "({a} - {b})**2", "exp({a} - {b})", "log({a})*{b}",
                 "{a}*cos({b})")


@st.composite
def library_text(draw, names):
    """Library text such as ``"x0, x0**2, sin(x1), exp(x0), log(x1), 1/x0"``."""
    def term():
        a, b = draw(st.permutations(names))[:2] if len(names) > 1 else (names[0], None)
        template = draw(st.sampled_from(ONE_VARIABLE + (TWO_VARIABLES if b else ())))
        return template.format(a=a, b=b)
    return ", ".join(term() for _ in range(draw(st.integers(1, 8))))


@st.composite
def family_library(draw, names):
    """A library built with bases' families: a union of 1-3 families, sometimes times another."""
    def family():
        a, b = draw(st.sampled_from(names)), draw(st.sampled_from(names))
        choice = draw(st.integers(0, 5))
        if choice == 0:
            return constant()
        if choice == 1:
            return powers(a, draw(st.lists(st.sampled_from([-2, -1, 0.5, 1, 2, 3]), min_size=1, max_size=3)))
        if choice == 2:
            return harmonics(a, draw(st.lists(st.integers(1, 3), min_size=1, max_size=2)))
        if choice == 3:
            return unary(a, draw(st.lists(st.sampled_from(["exp", "log", "sqrt", "tanh", "cosh"]), min_size=1,
                                          max_size=3)))
        if choice == 4 and a != b:
            return differences(a, b)
        return power_harmonics(a, b)
    library = sum((family() for _ in range(draw(st.integers(1, 3)))), Library())
    if draw(st.booleans()) and len(library) < 8:
        library = library * family()
    return library


@st.composite
def libraries(draw, names):
    """(what the user passes, the Library it means): text half of the time, families otherwise."""
    if draw(st.booleans()):
        text = draw(library_text(names))
        return text, parse_library(text, names)
    library = draw(family_library(names))
    return library, library


@st.composite
def tables_with_libraries(draw, rows=st.integers(MIN_ROWS, 300)):
    names = NAMES[: draw(st.integers(1, 3))]
    passed, library = draw(libraries(names))
    table = draw(tables(rows=rows, n_columns=st.just(len(names)), library=library))
    return table, passed, library


# --- the property ----------------------------------------------------------------------------

# The errors a clean table may still meet with a given library; anything else is a bug.
FIT_ERRORS = re.compile(r"no term of the library is defined and non-zero|needs more rows than terms"
                        r"|the solver proposed no terms|the target 'y' has values up to .* that double precision")


def assert_finite_law(law: Law, X, y: np.ndarray) -> None:
    """A usable law: finite coefficients and errors, predictions that reproduce its rmse."""
    assert isinstance(law, Law)
    assert law.coefficients, law
    for c in law.coefficients:
        assert math.isfinite(c.value), c
        assert c.stderr >= 0, c  # also false for NaN
        # An infinite standard error means "unknown": only with no residual degrees of freedom.
        assert math.isfinite(c.stderr) or (c.dof is not None and c.dof <= 0), c
    assert math.isfinite(law.rmse) and math.isfinite(law.r2), law
    assert all(math.isfinite(e.rmse) and math.isfinite(e.bic) for e in law.front), law.front_table()
    predicted = law.predict(X)
    assert predicted.shape == (len(y),)
    assert np.all(np.isfinite(predicted)), law
    rmse = float(np.sqrt(np.mean((y - predicted) ** 2)))
    assert abs(rmse - law.rmse) <= 1e-6 * float(np.sqrt(np.mean(y * y))) + 1e-3 * law.rmse, (rmse, law)
    str(law), law.latex(), law.summary()  # printing never fails


@examples(400)
@given(tables_with_libraries(), st.sampled_from(["l0", "l0", "l0", "stlsq", "lasso", "lstsq"]),
       st.integers(1, 5), st.sampled_from(["bic", "aic", "cv"]), st.sampled_from(["array", "mapping", "frame"]))
def test_discover_with_a_library_returns_a_finite_law_or_a_clear_error(case, solver, max_terms, criterion, form):
    table, library, _ = case
    X, y = table.X, table.y
    if form == "mapping":
        X = table.columns
    elif form == "frame":
        X = pd.DataFrame(table.columns)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TermDroppedWarning)
        try:
            law = discover(X, y, library=library, solver=solver, max_terms=max_terms, criterion=criterion,
                           method="basis", random_state=0)
        except DataError as err:
            assert FIT_ERRORS.search(str(err)), err
            return
    assert_finite_law(law, table.X, y)
    if solver in ("l0", "lasso"):  # documented for subset and penalised solvers; stlsq/lstsq keep what passes
        assert len(law.coefficients) <= max_terms, law
    if form != "array":  # a law reads mappings and DataFrames by column name
        np.testing.assert_array_equal(law.predict(X), law.predict(table.X))


@examples(120)
@given(tables_with_libraries(), st.sampled_from(["l0", "stlsq", "lasso", AdamL1(epochs=50)]))
def test_estimator_fit_predict(case, solver):
    table, library, _ = case
    model = SparseBasisRegressor(library=library, solver=solver, max_terms=3, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TermDroppedWarning)
        try:
            model.fit(table.X, table.y)
        except DataError as err:
            assert FIT_ERRORS.search(str(err)), err
            return
    assert_finite_law(model.law_, table.X, table.y)
    assert solver == "stlsq" or len(model.law_.coefficients) <= 3
    assert model.coef_.shape == (len(model.library_),) and np.all(np.isfinite(model.coef_))
    assert np.count_nonzero(model.coef_) <= len(model.law_.coefficients)
    np.testing.assert_array_equal(model.predict(table.X), model.law_.predict(table.X))
    assert model.n_features_in_ == table.X.shape[1]


@examples(40)
@given(tables(rows=st.integers(MIN_ROWS, 12)))
def test_more_terms_than_rows(table):
    """l0 copes with more candidate terms than rows; lstsq fits only fewer distinct terms than rows."""
    library = constant() + sum((powers(v, [-2, -1, 1, 2, 3]) + harmonics(v, [1, 2, 3])
                                + unary(v, ["exp", "log", "sqrt", "tanh"]) for v in table.columns), Library())
    assert len(library) > table.n
    for solver in ("l0", "lstsq"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TermDroppedWarning)
            try:
                law = discover(table.X, table.y, library=library, solver=solver, method="basis")
            except DataError as err:
                assert FIT_ERRORS.search(str(err)), err
                counts = re.search(r"(\d+) terms but only (\d+) rows", str(err))
                assert counts is None or int(counts[1]) >= int(counts[2]) == table.n, err
                continue
        assert_finite_law(law, table.X, table.y)
        assert solver == "l0" or law.info["library_size"] < table.n  # duplicates merged first


DROPPED = re.compile(r"dropped \d+ term\(s\) undefined or overflowing on the data: (.*)")


@examples(200)
@given(tables_with_libraries(rows=st.integers(MIN_ROWS, 120)))
def test_terms_undefined_on_the_data_are_named_in_a_warning(case):
    """A given library's term that is NaN/inf on some row is dropped with a warning naming it."""
    table, library, terms = case
    with np.errstate(all="ignore"):
        values = evaluate_terms(terms, table.columns)
        overflows = ~np.isfinite((values * values).sum(axis=0))
    bad = {t.name for t, v, o in zip(terms, values.T, overflows) if o or not np.all(np.isfinite(v))}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            law = discover(table.X, table.y, library=library, method="basis", max_terms=3)
        except DataError as err:
            assert FIT_ERRORS.search(str(err)), err
            if "double precision" in str(err):
                return  # refused before the library is evaluated
            law = None
    named = set()
    for w in caught:
        if issubclass(w.category, TermDroppedWarning):
            match = DROPPED.match(str(w.message))
            assert match, w.message
            named |= {part.rsplit(" (not finite on ", 1)[0] for part in match.group(1).split("; ")}
    assert named == bad  # every undefined term, and only those
    if law is not None:
        used = {str(c.term) for c in law.coefficients}
        assert not used & bad, law


SHAPES = parse_library("x0**2, sin(x0), exp(-x0), 1/x0, sqrt(Abs(x0))", ["x0"])  # targets with structure


@examples(15)
@given(tables(rows=st.integers(MIN_ROWS, 80), n_columns=st.integers(1, 2), library=SHAPES),
       st.sampled_from(["basis", "auto"]))
def test_default_search_with_a_time_limit(table, method):
    start = time.perf_counter()
    try:
        law = discover(table.X, table.y, method=method, time_limit=1.0, random_state=0)
    except BackendUnavailable:  # auto never raises it, but it is a documented outcome
        return
    except DataError as err:
        assert FIT_ERRORS.search(str(err)), err
        return
    assert time.perf_counter() - start < 60  # a limit of 1 s can overrun by one fit, not hang
    assert_finite_law(law, table.X, table.y)


@examples(5)
@given(tables(rows=st.integers(MIN_ROWS, 60), n_columns=st.integers(1, 2), library=SHAPES))
def test_operon_search_for_a_second(table):
    """The search backend's candidates go through the same refit: the law is finite too."""
    try:
        law = discover(table.X, table.y, method="operon", time_limit=1.0, random_state=0)
    except BackendUnavailable as err:  # pyoperon not installed: the documented error
        assert "operon" in str(err).lower()
        return
    except DataError as err:
        assert FIT_ERRORS.search(str(err)) or "returned no expression that is finite" in str(err), err
        return
    assert_finite_law(law, table.X, table.y)


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
            kinds = " and ".join(k for k in (f"{n_nan} NaN" if n_nan else "",
                                             f"{len(bad) - n_nan} infinite" if len(bad) > n_nan else "") if k)
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
            out.append(f"the target 'y' has values up to {np.max(np.abs(y)):.3g} in size, outside the 1e-150 to "
                       "1e+150 that double precision can square; rescale it")
    assert out
    return out


@examples(300)
@given(bad_tables(), st.sampled_from(["array", "strings", "mapping", "frame", "estimator", "default", "operon"]))
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
            discover(pd.DataFrame({**columns, "y": y}), target="y", library="x0", method="basis")
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
    message = {"array": r"X has rows of different lengths \(row \d+ has 3 values, row 0 has 2\)",
               "mapping": r"columns have different lengths \('x0' has \d+, 'x1' has \d+ rows\)",
               "frame": r"X has \d+ rows but y has \d+"}[form]
    with pytest.raises(DataError, match=message):
        if form == "array":
            discover([list(r) for r in table.X] + [[1.0, 2.0, 3.0]], np.append(table.y, 1.0),
                     library="x0", method="basis")
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
    args = ["--target", "y", "--method", "basis", "--solver", draw(st.sampled_from(["l0", "stlsq", "lasso"])),
            "--max-terms", str(draw(st.integers(1, 4)))]
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

BAD_TERMS = ("x0 +", "w", "x0, w**2", "foo(x0)", "x0 - x0", "sin(x0, x0)", "x0 > 1", "'x0'", "[x0, 'a']", "x0 = 1",
             "__import__('os')", "x0.real_part", "x0[0]", "True", "None", "{x0}", "sqrt(-1)*x0", "log(-1)*x0",
             "asin(2)*x0", "x0/0")
BAD_TEXT = BAD_TERMS + ("1/0", "10.0**400*x0", "harmonics(x0, [1e400])")  # Python errors, not SymPy's
# Where a message cannot quote the text, it names the term or the unknown name.
NAMED = re.compile(r"library term '.+' cannot be evaluated|0 is not a basis term|is not a term|cannot read the term"
                   r"|'w'")


@examples(90)
@given(tables(rows=st.integers(MIN_ROWS, 30), n_columns=st.just(1)),
       st.one_of(st.tuples(st.sampled_from(BAD_TEXT), st.sampled_from(["text", "estimator"])),
                 st.tuples(st.sampled_from(BAD_TERMS), st.just("list"))))
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


# --- regressions found by the properties -----------------------------------------------------


@pytest.mark.parametrize("solver", ["lasso", AdamL1(epochs=300)])
def test_penalised_solvers_respect_max_terms(solver):
    X = np.random.default_rng(0).uniform(0.5, 2, (50, 2))
    y = X[:, 0] + X[:, 0] ** 2 + np.sin(X[:, 1])
    law = discover(X, y, library="x0, x0**2, sin(x1), x1, x1**2", solver=solver, max_terms=1, method="basis")
    assert len(law.coefficients) == 1  # were 3 or more: supports beyond max_terms were proposed


def test_columns_of_different_lengths_are_named():
    with pytest.raises(DataError, match=r"columns have different lengths \('a' has 20, 'b' has 5 rows\)"):
        discover({"a": np.arange(20.0), "b": np.arange(5.0)}, np.arange(20.0))
    with pytest.raises(DataError, match=r"X has rows of different lengths \(row 1 has 1 values, row 0 has 2\)"):
        discover([[1.0, 2.0], [3.0]] * 10, np.arange(20.0))
    with pytest.raises(DataError, match="the target 'y' holds sequences of different lengths"):
        discover(np.ones((20, 2)), [[1.0, 2.0], [3.0]] * 10)
    with pytest.raises(DataError, match=r"column 'a' must be 1-D .* got shape \(\)"):
        discover({"a": 5.0}, np.arange(20.0))


def test_repeated_dataframe_column_names_are_refused():
    frame = pd.DataFrame(np.random.default_rng(0).uniform(size=(20, 2)), columns=["a", "a"]).assign(y=np.arange(20.0))
    with pytest.raises(DataError, match="the DataFrame repeats column name\\(s\\) 'a'"):
        discover(frame, target="y")


def test_text_cell_is_quoted_plainly():
    X = np.array([["1.5", "2"]] * 12)
    X[4, 1] = "n/a"
    with pytest.raises(DataError, match=r"column 'x1' is not numeric: row 4 holds 'n/a'\. Convert"):
        discover(X, np.arange(12.0))


def test_csv_line_numbers_count_blank_lines(tmp_path):
    from discovery.table import read_csv

    path = tmp_path / "data.csv"
    path.write_text("x,y\n\n1,2\n\n3,abc\n")
    with pytest.raises(DataError, match="line 5, column 'y': 'abc' is not a number"):
        read_csv(path)


@pytest.mark.parametrize("library, message", [
    ("1/0", "library spec '1/0': division by zero"),
    ("x0.foo", "library spec 'x0.foo': 'Symbol' object has no attribute 'foo'"),
    ("sqrt(-1)*x0", "library term 'I\\*x0' cannot be evaluated: complex constant I"),
    ("x0/0", "library term 'zoo\\*x0' cannot be evaluated"),
    (["x0", "x0 > 1"], "library must be a Library, text or a sequence of terms: x0 > 1 is not a term"),
    (["x0", "x0 +"], "cannot read the term 'x0 \\+'"),
    (5, "library must be a Library, text or a sequence of terms"),
])
def test_unusable_library_terms_are_data_errors(library, message):
    X = np.random.default_rng(0).uniform(1, 2, size=(20, 1))
    with pytest.raises(DataError, match=message):
        discover(X, X[:, 0] ** 2, library=library, method="basis")


def test_target_too_small_or_large_to_square():
    x = np.random.default_rng(0).uniform(1, 2, (20, 1))
    law = discover(x, 1e-150 * x[:, 0] ** 2, library="x0, x0**2", method="basis")  # was log(0) in the BIC
    assert law.rmse < 1e-160 and [str(c.term) for c in law.coefficients] == ["x0**2"]
    for scale in (1e-200, 1e200):  # the squares underflow or overflow: fits were wrong or crashed
        with pytest.raises(DataError, match=r"the target 'y' has values up to .* rescale it"):
            discover(x, scale * x[:, 0] ** 2, library="x0, x0**2", method="basis")


def test_integer_too_large_for_a_float_is_named():
    with pytest.raises(DataError, match=r"column 'a' has a value too large for double precision in row 3"):
        discover({"a": [1.0] * 3 + [10**400] + [2.0] * 16}, np.arange(20.0))  # was an OverflowError
