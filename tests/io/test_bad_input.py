"""Every documented bad input gets one clear message naming the problem and the fix."""

import numpy as np
import pandas as pd
import pytest

from discovery import DataError, SparseBasisRegressor, discover, discover_system


@pytest.fixture
def good(rng):
    X = rng.uniform(1, 2, size=(50, 2))
    return X, X[:, 0] ** 2 + X[:, 1]


def test_nan_in_a_column_names_the_column_and_rows(good):
    X, y = good
    X = X.copy()
    X[[3, 7], 1] = np.nan
    with pytest.raises(DataError, match=r"column 'theta' has 2 NaN values \(rows 3, 7\)"):
        discover(X, y, variables=["v", "theta"])


def test_infinite_target_is_reported(good):
    X, y = good
    y = y.copy()
    y[0] = np.inf
    with pytest.raises(DataError, match=r"the target 'y' has 1 infinite value \(rows 0\)"):
        discover(X, y)


@pytest.mark.parametrize("as_frame", [False, True])
def test_a_name_given_to_two_columns_is_refused(good, as_frame):
    """Two columns named alike once became one variable, and the law could not predict from the table it came from."""
    X, y = good
    X = np.column_stack([X, X[:, 0] * 3])
    source = pd.DataFrame(X, columns=["a", "b", "c"]) if as_frame else X
    with pytest.raises(DataError, match=r"variables repeats the name\(s\) 'a': give each column its own name"):
        discover(source, y, variables=["a", "b", "a"])


def test_lengths_must_match(good):
    X, y = good
    with pytest.raises(DataError, match="X has 50 rows but y has 49"):
        discover(X, y[:-1])


def test_non_numeric_column_is_named(good):
    X, y = good
    frame = pd.DataFrame({"v": X[:, 0], "label": ["a"] * 50})
    with pytest.raises(DataError, match=r"column 'label' is not numeric: row 0 holds 'a'"):
        discover(frame, y)


def test_too_few_rows(good):
    X, y = good
    with pytest.raises(DataError, match="got 4 rows, fewer than the 5 needed"):
        discover(X[:4], y[:4])


def test_constant_target(good):
    X, _ = good
    with pytest.raises(DataError, match="is constant"):
        discover(X, np.full(50, 3.0))


def test_unknown_variable_name(good):
    X, y = good
    with pytest.raises(DataError, match="unknown variable 'w'.*has columns v, theta"):
        discover({"v": X[:, 0], "theta": X[:, 1]}, y, variables=["v", "w"])


def test_variable_count_must_match_columns(good):
    X, y = good
    with pytest.raises(DataError, match=r"X has 2 columns but 3 variable names were given \(a, b, c\)"):
        discover(X, y, variables=["a", "b", "c"])


def test_bad_variable_name(good):
    X, y = good
    with pytest.raises(DataError, match="'2x' cannot appear in a formula"):
        discover(X, y, variables=["2x", "z"])


def test_unknown_name_in_the_library(good):
    X, y = good
    with pytest.raises(DataError, match="'w'"):
        discover(X, y, variables=["v", "theta"], library="v, w**2")
    with pytest.raises(DataError, match="uses 'k', which is neither a variable"):
        discover(X, y, variables=["v", "theta"], library=["v", "k*v**2"])


def test_bad_constants(good):
    X, y = good
    with pytest.raises(DataError, match="constant 'g' must be a number"):
        discover(X, y, constants={"g": "nine"})
    with pytest.raises(DataError, match="same name as a variable"):
        discover(X, y, variables=["g", "t"], constants={"g": 9.81})
    with pytest.raises(DataError, match="finite and non-zero"):
        discover(X, y, constants={"g": 0})


def test_missing_target_column():
    frame = pd.DataFrame({"v": np.arange(20.0), "s": np.arange(20.0) ** 2})
    with pytest.raises(DataError, match="target column 'distance' is not in the DataFrame; its columns are v, s"):
        discover(frame, target="distance")


def test_one_dimensional_x_is_explained(good):
    X, y = good
    with pytest.raises(DataError, match="X must be 2-D"):
        discover(X[:, 0], y)


def test_estimator_rejects_the_same_inputs(good):
    X, y = good
    X = X.copy()
    X[0, 0] = np.nan
    with pytest.raises(DataError, match="column 'x0' has 1 NaN value"):
        SparseBasisRegressor().fit(X, y)


def test_least_squares_needs_more_rows_than_terms(good):
    X, y = good
    with pytest.raises(DataError, match="needs more rows than terms; use solver='l0'"):
        SparseBasisRegressor(solver="lstsq").fit(X, y)


def test_cuda_request_without_a_gpu(good):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    X, y = good
    with pytest.raises(DataError, match="no CUDA GPU is available"):
        SparseBasisRegressor(device="cuda").fit(X, y)


def test_default_target_name_never_clashes_with_a_variable(good):
    X, y = good
    law = discover(X, y, variables=["x", "y"])
    assert law.target == "f" and str(law).startswith("f = ")


# Found by the property tests (test_properties*.py):


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
    from discovery.io.csv_table import read_csv

    path = tmp_path / "data.csv"
    path.write_text("x,y\n\n1,2\n\n3,abc\n")
    with pytest.raises(DataError, match="line 5, column 'y': 'abc' is not a number"):
        read_csv(path)


@pytest.mark.parametrize(
    "library, message",
    [
        ("1/0", "library spec '1/0': division by zero"),
        ("x0.foo", "library spec 'x0.foo': 'Symbol' object has no attribute 'foo'"),
        ("sqrt(-1)*x0", "library term 'I\\*x0' cannot be evaluated: complex constant I"),
        ("x0/0", "library term 'zoo\\*x0' cannot be evaluated"),
        (["x0", "x0 > 1"], "library must be a Library, text or a sequence of terms: x0 > 1 is not a term"),
        (["x0", "x0 +"], "cannot read the term 'x0 \\+'"),
        (5, "library must be a Library, text or a sequence of terms"),
    ],
)
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


# --- inputs read the same way when fitting and predicting -----------------------------------------


def test_a_column_vector_target_is_read_with_a_warning(cannon):
    # The article's own y_train has shape (n, 1).
    from sklearn.exceptions import DataConversionWarning

    with pytest.warns(DataConversionWarning, match="column-vector y"):
        law = discover(
            cannon.X,
            cannon.y[:, None],
            variables=["v", "theta"],
            constants={"g": 9.81},
            library="v**2*sin(2*theta)",
            method="basis",
        )
    assert str(law) == "y = v**2*sin(2*theta)/g"


def test_a_dataframe_without_column_names_gets_x0_x1(cannon):
    pd = pytest.importorskip("pandas")
    law = discover(pd.DataFrame(cannon.X), cannon.y, constants={"g": 9.81}, library="x0**2*sin(2*x1)", method="basis")
    assert law.variables == ("x0", "x1")
    np.testing.assert_array_equal(law.predict(pd.DataFrame(cannon.X)), law.predict(cannon.X))


def test_sparse_input_is_refused_with_what_to_do(cannon):
    sparse = pytest.importorskip("scipy.sparse")
    for form in (sparse.csr_matrix, sparse.dok_matrix):
        with pytest.raises(DataError, match=r"sparse input is not supported.*X\.toarray\(\)"):
            discover(form(cannon.X), cannon.y, method="basis")


def test_predict_checks_its_input_as_fit_does(cannon):
    law = discover(cannon.X, cannon.y, variables=["v", "theta"], library="v**2*sin(2*theta)", method="basis")
    bad = cannon.X[:4].copy()
    bad[2, 1] = np.nan
    with pytest.raises(DataError, match=r"column 'theta' has 1 NaN value \(rows 2\)"):
        law.predict(bad)
    with pytest.raises(DataError, match=r"X has 3 features, but the law is expecting 2 features as input \(v, theta\)"):
        law.predict(np.ones((4, 3)))
    with pytest.raises(DataError, match=r"column 'v' is not numeric: row 1 holds 'fast'"):
        law.predict({"v": [1.0, "fast"], "theta": [0.1, 0.2]})
    with pytest.raises(DataError, match="Reshape your data"):
        law.predict(np.ones(2))


# --- parameters: one table, checked before any work -----------------------------------------------


@pytest.mark.parametrize(
    "name, bad, message",
    [
        ("max_terms", 0, "max_terms must be a whole number, at least 1, got 0"),
        ("max_terms", 2.5, "max_terms must be a whole number, at least 1, got 2.5"),
        ("criterion", "bics", "criterion must be one of 'bic', 'aic', 'cv', got 'bics'; did you mean 'bic'?"),
        ("prune_tol", 1.5, r"prune_tol must be a fraction of RMS\(y\) in \[0, 1\), got 1.5"),
        ("cv_folds", 1, "cv_folds must be a whole number of folds, at least 2, got 1"),
        ("chunk_rows", 0, "chunk_rows must be a whole number of rows, at least 1, got 0"),
        ("time_limit", -5, "time_limit must be a positive number of seconds, or None, got -5"),
        ("random_state", -1, "random_state must be a whole number, at least 0, or None, got -1"),
        ("variables", "vt", r"variables must be a list of names such as \['v', 'theta'\], or None, got 'vt'"),
        ("snap", "yes", "snap must be True or False, got 'yes'"),
        ("dtype", "float16", "dtype must be one of 'float64', 'float32', got 'float16'"),
    ],
)
def test_each_parameter_is_checked_before_the_fit(good, name, bad, message):
    X, y = good
    with pytest.raises(DataError, match=message):
        SparseBasisRegressor(**{name: bad}).fit(X, y)


def test_discover_checks_every_parameter_even_for_a_backend(good):
    X, y = good
    with pytest.raises(DataError, match="max_terms must be a whole number"):
        discover(X, y, method="operon", max_terms=-1)
    with pytest.raises(DataError, match="method must be one of .*did you mean 'operon'"):
        discover(X, y, method="operom")


def test_every_method_the_table_accepts_has_a_search_and_every_source_a_reader():
    from discovery.api import SEARCH_BY_METHOD
    from discovery.io.sources import READERS, source_kind
    from discovery.parameters import METHODS

    assert set(SEARCH_BY_METHOD) == set(METHODS)
    assert {source_kind(np.ones((3, 1)), None), source_kind("data.csv", None), source_kind("d.parquet", None)} <= set(
        READERS
    )


@pytest.mark.parametrize(
    "name, bad, message",
    [
        ("derivatives", "splines", "derivatives must be one of 'auto', 'finite', 'spline', got 'splines'; did you"),
        ("trajectory_fit", "no", "trajectory_fit must be True or False, got 'no'"),
        ("check", 1, "check must be True or False, got 1"),
        ("method", "basic", "method must be one of .*did you mean 'basis'"),
        ("max_terms", 0, "max_terms must be a whole number, at least 1, got 0"),
    ],
)
def test_discover_system_checks_its_parameters_by_the_same_table(name, bad, message):
    t = np.linspace(0, 1, 20)
    with pytest.raises(DataError, match=message):
        discover_system(t, np.exp(-t), **{name: bad})


def test_a_mistyped_keyword_names_the_one_meant():
    t = np.linspace(0, 1, 20)
    with pytest.raises(TypeError, match="unexpected keyword argument 'trajectory_fitt'; did you mean 'trajectory_fit'"):
        discover_system(t, np.exp(-t), trajectory_fitt=False)
    with pytest.raises(TypeError, match="unexpected keyword argument 'max_term'; did you mean 'max_terms'"):
        discover(np.ones((10, 1)), np.arange(10.0), max_term=3)


def test_discover_checks_the_data_once_on_the_auto_path(cannon):
    import warnings

    from sklearn.exceptions import DataConversionWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        law = discover(cannon.X, cannon.y[:, None], variables=["v", "theta"], constants={"g": 9.81}, random_state=0)
    assert str(law) == "y = v**2*sin(2*theta)/g"
    assert sum(issubclass(w.category, DataConversionWarning) for w in caught) == 1
