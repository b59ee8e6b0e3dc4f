"""Hypothesis strategies shared by the property tests: random tables and random libraries.

Tables are drawn as structure (rows, column kinds, scales 1e-12..1e12) plus a NumPy seed for
the values: generation stays fast and hypothesis still shrinks the structure. Every property
is derandomised with a fixed number of examples (``examples``), so a run is deterministic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from bases import Library, constant, differences, harmonics, parse_library, power_harmonics, powers, unary
from discovery.io.dataset import MIN_ROWS


def examples(n: int):
    """Settings of one property: n derandomised examples, no deadline, no example database."""
    return settings(
        max_examples=n,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


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

ONE_VARIABLE = (
    "1",
    "{a}",
    "{a}**2",
    "{a}**3",
    "1/{a}",
    "{a}**(-2)",
    "sqrt({a})",
    "1/sqrt({a})",
    "sin({a})",
    "cos(2*{a})",
    "exp({a})",
    "exp(-{a})",
    "log({a})",
    "tanh({a})",
    "Abs({a})",
    "asin({a})",
    "sinh({a})",
    "{a}**(1/3)",
)
TWO_VARIABLES = (
    "{a}*{b}",
    "{a}/{b}",
    "{a}**2*sin({b})",
    "({a} - {b})**2",
    "exp({a} - {b})",
    "log({a})*{b}",
    "{a}*cos({b})",
)


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
            return unary(
                a, draw(st.lists(st.sampled_from(["exp", "log", "sqrt", "tanh", "cosh"]), min_size=1, max_size=3))
            )
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


# The errors a clean table may still meet with a given library; anything else is a bug.
FIT_ERRORS = re.compile(
    r"no term of the library is defined and non-zero|needs more rows than terms"
    r"|the solver proposed no terms|the target 'y' has values up to .* that double precision"
)
