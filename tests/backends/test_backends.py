"""Search backends: the shared SymPy layer, Operon, PySR's adapter offline, and method='auto'."""

import importlib.util
import sys
import time
import warnings

import numpy as np
import pandas as pd
import pytest
import sympy as sp

from discovery import BackendUnavailable, DataError, discover
from discovery.backends.base import ExpressionCandidate, unary_operators_for
from discovery.backends.candidates import law_from_candidates
from discovery.backends.operon_backend import OperonBackend, parse_model
from discovery.backends.pysr_backend import PySRBackend, candidates_from_hall_of_fame, julia_form
from discovery.io.dataset import as_dataset
from discovery.settle.expression_fit import settle_expression

v, theta, g = sp.symbols("v theta g")
CANNON = v**2 * sp.sin(2 * theta) / g


def _pysr_status() -> str | None:
    """None when PySR imports (Julia works), else why not."""
    try:
        import pysr  # noqa: F401
    except Exception as err:  # URLError where Julia cannot be downloaded
        return f"{type(err).__name__}: {err}"
    return None


PYSR_MISSING = _pysr_status()
PYSR_INSTALLED = importlib.util.find_spec("pysr") is not None


@pytest.fixture
def cannon_data(cannon):
    return as_dataset(cannon.X, cannon.y, variables=["v", "theta"])


def test_an_operon_style_expression_settles_to_the_exact_law():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.uniform(0, 10, 1000), rng.uniform(0, np.pi / 2, 1000)])
    y = X[:, 0] ** 2 * np.sin(2 * X[:, 1]) / 9.81
    data = as_dataset(X, y, variables=["v", "theta"])
    found = parse_model(
        "((-0.005566) + (0.301339 * (sin(((-1.994316) * x1)) * (((-1.495609) * x0) * (0.226134 * x0)))))",
        data.variables,
    )
    settled = settle_expression(found, data, {"g": 9.81})
    assert sp.simplify(settled.expression - CANNON) == 0  # constant pruned, 2 and 1/g snapped
    assert settled.rmse < 1e-12


def test_an_offset_inside_a_product_is_dropped_when_the_bic_does_not_need_it():
    # N0·(−0.00016 + exp(−λt)) at 10 % noise: the offset is no additive term of the whole expression.
    rng = np.random.default_rng(1)
    X = np.column_stack([rng.uniform(100, 1e4, 2000), rng.uniform(0.01, 1, 2000), rng.uniform(0.1, 20, 2000)])
    clean = X[:, 0] * np.exp(-X[:, 1] * X[:, 2])
    y = clean + 0.1 * np.sqrt(np.mean(clean**2)) * rng.standard_normal(2000)
    N0, lam, t = sp.symbols("N0 lam t")
    found = N0 * (sp.Float(-0.000156) + sp.exp(sp.Float(-1.0003) * lam * t))
    settled = settle_expression(found, as_dataset(X, y, variables=["N0", "lam", "t"]))
    assert settled.expression == N0 * sp.exp(-lam * t), settled.expression
    # The rate is the one coefficient: the offset is not reported as one held at 0.
    assert [c.term for c in settled.coefficients] == [lam * t], settled.coefficients


def test_a_small_term_inside_a_product_is_dropped_when_the_bic_does_not_need_it():
    # (P0 + 8e-20·P0³)·exp(−a/T): a part found on approximate rows carries a tiny term the refit cannot use.
    rng = np.random.default_rng(2)
    X = np.column_stack([rng.uniform(1e4, 1e5, 2000), rng.uniform(1, 3, 2000), rng.uniform(1, 4, 2000)])
    y = X[:, 0] * np.exp(-X[:, 1] / X[:, 2])
    P0, a, T = sp.symbols("P0 a T")
    found = (P0 + sp.Float(8.4e-20) * P0**3) * sp.exp(-sp.Float(1.00002) * a / T)
    settled = settle_expression(found, as_dataset(X, y, variables=["P0", "a", "T"]))
    assert settled.expression == P0 * sp.exp(-a / T), settled.expression
    assert settled.rmse < 1e-9 * np.std(y)


def test_a_long_sum_of_negligible_outer_terms_settles_to_the_law_alone():
    # A form fitted over the outer terms 1, K, r, t0, t leaves nine terms, eight of them ~1e-15:
    # too long a sum for term-by-term pruning, which left K/(1 + e^(−r(t − t0))) inexact at noise 0.
    rng = np.random.default_rng(3)
    X = np.column_stack(
        [rng.uniform(100, 1000, 2000), rng.uniform(0.1, 1, 2000), rng.uniform(0, 20, 2000), rng.uniform(0, 40, 2000)]
    )
    K, r, t0, t = sp.symbols("K r t0 t")
    law = K / (1 + sp.exp(-r * (t - t0)))
    y = sp.lambdify((K, r, t0, t), law, "numpy")(*X.T)
    s = 1 / (1 + sp.exp(-r * (t - t0)))
    tiny = [sp.Float(c) for c in (-6.9e-18, 7.7e-16, -7.0e-15, -6.4e-17, -1.4e-16, 3.2e-17, 4.3e-16, 3.5e-15)]
    found = law + sum(c * term for c, term in zip(tiny, (K, r, r * s, t, t * s, t0, t0 * s, 1)))
    assert len(found.args) > 8
    settled = settle_expression(found, as_dataset(X, y, variables=["K", "r", "t0", "t"]))
    assert settled.expression == law, settled.expression


def test_the_chosen_candidate_is_the_simplest_within_the_margin(cannon_data):
    noisy = [
        ExpressionCandidate(sp.Float(0.1) * v**2 * sp.sin(sp.Float(2.0) * theta), 8, 0.1),
        ExpressionCandidate(sp.Float(1.5) * v, 3, 10.0),
    ]
    law = law_from_candidates(noisy, cannon_data, {"g": 9.81}, info={"method": "test"})
    assert sp.simplify(law.expression - CANNON) == 0
    assert [e.chosen for e in law.front].count(True) == 1
    assert law.info["method"] == "test"


@pytest.mark.slow
def test_operon_recovers_the_cannon_law(cannon):
    pytest.importorskip("pyoperon", reason="pyoperon is not installed (pip install .[operon])")
    law = discover(
        cannon.X,
        cannon.y,
        variables=["v", "theta"],
        target="s",
        constants={"g": 9.81},
        method="operon",
        time_limit=60,
        random_state=0,
    )
    assert sp.simplify(law.expression - CANNON) == 0
    assert str(law) == "s = v**2*sin(2*theta)/g"
    assert law.latex() == r"s = \frac{v^{2} \sin{\left(2 \theta \right)}}{g}"
    np.testing.assert_allclose(
        law.predict(cannon.X), cannon.X[:, 0] ** 2 * np.sin(2 * cannon.X[:, 1]) / 9.81, rtol=1e-9, atol=1e-9
    )
    assert law.info["method"] == "operon"


def test_operon_options_follow_the_hint():
    data = as_dataset(np.ones((10, 2)) + np.arange(20).reshape(10, 2), np.arange(10.0), variables=["a", "b"])
    options = OperonBackend().options(data, 7.9, 3, hint=sp.tanh(sp.Symbol("a")))
    assert "tanh" in options["allowed_symbols"].split(",") and options["max_time"] == 7
    assert options["random_state"] == 3 and options["n_threads"] == 1
    assert options["max_evaluations"] == OperonBackend().max_evaluations


def test_pysr_options_for_version_2_and_version_1():
    data = as_dataset(np.arange(20.0).reshape(10, 2) + 1, np.arange(10.0), variables=["v", "theta"])
    hint = v**2 * sp.sin(2 * theta) / g
    v2 = PySRBackend().options(
        data,
        12,
        0,
        hint,
        accepted={
            "binary_operators",
            "unary_operators",
            "maxsize",
            "niterations",
            "timeout_in_seconds",
            "random_state",
            "deterministic",
            "parallelism",
            "verbosity",
            "progress",
            "temp_equation_file",
            "guesses",
        },
        constants={"g": 9.81},
    )
    assert v2["parallelism"] == "serial" and v2["deterministic"] is True and v2["timeout_in_seconds"] == 12
    assert v2["guesses"] == [julia_form(hint, ["v", "theta"], {"g": 9.81})]
    assert "sin" in v2["unary_operators"] and "procs" not in v2
    v1 = PySRBackend().options(
        data,
        12,
        0,
        hint,
        accepted={
            "binary_operators",
            "unary_operators",
            "maxsize",
            "niterations",
            "timeout_in_seconds",
            "random_state",
            "deterministic",
            "procs",
            "multithreading",
            "verbosity",
            "progress",
            "temp_equation_file",
        },
    )
    assert v1["procs"] == 0 and v1["multithreading"] is False
    assert "parallelism" not in v1 and "guesses" not in v1


def test_pysr_guess_syntax():
    assert julia_form(v**2 * sp.sin(2 * theta) / g, ["v", "theta"], {"g": 9.81}) == "0.101936799184506*x0^2*sin(2*x1)"


def test_pysr_units_are_passed_to_fit():
    data = as_dataset(np.arange(20.0).reshape(10, 2) + 1, np.arange(10.0), variables=["v", "theta"], target="s")
    arguments = PySRBackend(units={"v": "m/s", "s": "m"}).fit_arguments(data)
    assert arguments == {"variable_names": ["x0", "x1"], "X_units": ["m/s", ""], "y_units": "m"}


def test_pysr_hall_of_fame_becomes_candidates():
    x0, x1 = sp.symbols("x0 x1")
    frame = pd.DataFrame(
        {
            "complexity": [1, 8],
            "loss": [4.0, 1e-9],
            "sympy_format": [sp.Float(1.5), sp.Float(0.1019) * x0**2 * sp.sin(sp.Float(2.0) * x1)],
        }
    )
    candidates = candidates_from_hall_of_fame(frame, ["v", "theta"])
    assert [c.complexity for c in candidates] == [1, 8]
    assert candidates[1].expression.free_symbols == {v, theta}


def test_unary_operators_include_the_hints_functions():
    assert unary_operators_for(None) == ["sin", "cos", "exp", "log", "sqrt"]
    assert unary_operators_for(sp.tanh(v) + sp.sin(theta))[-1] == "tanh"


@pytest.mark.skipif(PYSR_MISSING is None, reason="PySR works here (Julia is available)")
@pytest.mark.skipif(not PYSR_INSTALLED, reason="the pysr package is not installed here (see the next test)")
def test_pysr_without_julia_fails_fast_with_what_to_do(cannon):
    start = time.perf_counter()
    with pytest.raises(BackendUnavailable) as info:
        discover(cannon.X, cannon.y, variables=["v", "theta"], method="pysr", time_limit=5)
    assert time.perf_counter() - start < 15
    message = str(info.value)
    assert "Julia" in message and "PYTHON_JULIAPKG_EXE" in message and "method='operon'" in message


def test_pysr_not_installed_says_what_to_install(cannon, monkeypatch):
    import discovery.backends.run

    monkeypatch.setitem(sys.modules, "pysr", None)  # import pysr now raises ModuleNotFoundError, as where it is absent
    monkeypatch.setattr(discovery.backends.run, "_unavailable", {})  # forget an earlier test's reason
    with pytest.raises(BackendUnavailable, match=r"needs the pysr package: pip install pysr.*method='operon'"):
        discover(cannon.X, cannon.y, variables=["v", "theta"], method="pysr", time_limit=5)


@pytest.mark.julia
@pytest.mark.skipif(PYSR_MISSING is not None, reason=f"needs a working Julia for PySR: {PYSR_MISSING}")
def test_pysr_recovers_the_cannon_law(cannon):
    law = discover(
        cannon.X,
        cannon.y,
        variables=["v", "theta"],
        constants={"g": 9.81},
        method="pysr",
        time_limit=60,
        random_state=0,
    )
    assert sp.simplify(law.expression - CANNON) == 0


@pytest.mark.parametrize("seed", [0, 3, 9])  # on 3 and 9 the engine's looser noise test says 'not noise'
def test_auto_keeps_the_basis_law_when_it_fits_to_the_noise(seed):
    from discovery.article.cannon import cannon_shots

    shots = cannon_shots(n=1000, seed=seed)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no backend is tried, so no warning about PySR
        law = discover(shots.X, shots.y, variables=["v", "theta"], constants={"g": 9.81}, random_state=seed)
    assert law.info["method"] == "basis"
    assert sp.simplify(law.expression - CANNON) == 0
    assert time.perf_counter() - start < 5  # no search backend ran


@pytest.mark.skipif(PYSR_MISSING is None, reason="PySR works here (Julia is available)")
@pytest.mark.slow
def test_auto_skips_pysr_with_a_warning_and_returns_the_better_law(rng):
    from discovery.auto import auto_law

    X = rng.uniform(1, 2, size=(300, 1))
    y = X[:, 0] ** 2 + np.sin(9 * X[:, 0])
    data = as_dataset(X, y, variables=["a"])
    basis = discover(X, y, variables=["a"], library="a", method="basis")  # misses the sine: not noise
    with pytest.warns(RuntimeWarning, match="skips PySR"):
        law = auto_law(basis, data, {}, time_left=12, random_state=0)  # the forms take at most half
    assert law.info["method"] in ("basis", "forms", "operon")
    assert law.rmse <= basis.rmse
    assert np.all(np.isfinite([c.value for c in law.coefficients]))


def test_an_unknown_method_is_refused(cannon):
    with pytest.raises(DataError, match="method must be one of"):
        discover(cannon.X, cannon.y, method="genetic")


def test_a_library_with_a_search_backend_is_refused_not_ignored(cannon):
    with pytest.raises(DataError, match="library= is for the basis regressor"):
        discover(cannon.X, cannon.y, variables=["v", "theta"], library="v", method="operon")


@pytest.mark.slow
def test_operon_searches_values_beyond_float32_and_maps_the_law_back(rng):
    pytest.importorskip("pyoperon", reason="pyoperon is not installed (pip install .[operon])")
    # Masses of 1e30 squared overflow Operon's float32 arithmetic, and so does y of 1e40.
    X = rng.uniform(1e30, 4e30, size=(500, 2))
    y = 1e-20 * X[:, 0] ** 2 / X[:, 1]
    law = discover(X, y, variables=["m1", "m2"], method="operon", time_limit=10, random_state=0)
    assert np.sqrt(np.mean((law.predict(X) - y) ** 2)) < 1e-6 * np.sqrt(np.mean(y**2)), law


@pytest.mark.slow
def test_auto_keeps_the_law_found_when_a_backend_fails_inside_its_library(rng, monkeypatch):
    # Without pyoperon, auto finds Operon unavailable before it calls the search this test breaks.
    pytest.importorskip("pyoperon", reason="pyoperon is not installed (pip install .[operon])")
    from discovery.auto import auto_law

    def fails(self, *args, **kwargs):
        raise ValueError("Input contains NaN.")  # what pyoperon raised on values beyond float32

    monkeypatch.setattr(OperonBackend, "search_expressions", fails)
    X = rng.uniform(1, 2, size=(300, 1))
    y = X[:, 0] ** 2 + np.sin(9 * X[:, 0])
    data = as_dataset(X, y, variables=["a"])
    basis = discover(X, y, variables=["a"], library="a", method="basis")  # misses the sine: not noise
    with pytest.warns(RuntimeWarning, match="the operon search failed \\(ValueError: Input contains NaN.\\)"):
        law = auto_law(basis, data, {}, time_left=12, random_state=0)
    assert law.info["method"] in ("basis", "forms")
    assert "operon search failed" in law.info["auto"]
    assert law.rmse <= basis.rmse
