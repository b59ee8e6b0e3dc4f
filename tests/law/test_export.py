"""A law exported: as Python, C and Fortran source, as a torch module, as a JAX function, as SymPy."""

from __future__ import annotations

import ctypes
import shutil
import subprocess

import numpy as np
import pytest
import sympy as sp
import torch

from discovery import DataError, discover


@pytest.fixture(scope="module")
def cannon_law():
    """s = v²·sin(2θ)/g with g named: exact, no free constant."""
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.uniform(5, 30, 300), rng.uniform(0.1, 1.4, 300)])
    law = discover(
        X,
        X[:, 0] ** 2 * np.sin(2 * X[:, 1]) / 9.81,
        variables=["v", "theta"],
        target="s",
        constants={"g": 9.81},
        random_state=0,
    )
    assert sp.simplify(law.expression - sp.sympify("v**2*sin(2*theta)/g")) == 0
    return law, X


@pytest.fixture(scope="module")
def free_law():
    """y = a·x·exp(-x/3) + b with free floats a and b."""
    rng = np.random.default_rng(1)
    X = rng.uniform(0.5, 4.0, (200, 1))
    law = discover(X, 1.2345 * X[:, 0] * np.exp(-X[:, 0] / 3) + 0.4321, variables=["x"], random_state=0)
    assert law.expression.atoms(sp.Float)
    return law, X


def test_sympy_is_the_expression(cannon_law):
    law, _ = cannon_law
    assert law.sympy() == law.expression


def test_python_code_runs_and_agrees_with_predict(cannon_law, free_law):
    for law, X in (cannon_law, free_law):
        code = law.to_code("python")
        namespace: dict = {}
        exec(compile(code, "<law>", "exec"), namespace)
        f = namespace[law.target]
        values = np.array([f(*row) for row in X])
        np.testing.assert_allclose(values, law.predict(X), rtol=1e-12, atol=1e-12)
    assert "def s(v, theta, g=9.81):" in cannon_law[0].to_code("python")


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler on this machine")
def test_c_code_compiles_and_agrees_with_predict(cannon_law, free_law, tmp_path):
    for k, (law, X) in enumerate((cannon_law, free_law)):
        source, library = tmp_path / f"law{k}.c", tmp_path / f"law{k}.so"
        source.write_text(law.to_code("c"))
        subprocess.run(["cc", "-O2", "-shared", "-fPIC", str(source), "-o", str(library), "-lm"], check=True)
        f = getattr(ctypes.CDLL(str(library)), law.target)
        f.restype = ctypes.c_double
        f.argtypes = [ctypes.c_double] * X.shape[1]
        values = np.array([f(*map(float, row)) for row in X])
        np.testing.assert_allclose(values, law.predict(X), rtol=1e-12, atol=1e-12)
    assert "const double g = 9.81;" in cannon_law[0].to_code("c")


def test_fortran_code_declares_the_function(cannon_law, tmp_path):
    code = cannon_law[0].to_code("fortran")
    assert "pure function s(v, theta) result(res)" in code and "real(8), parameter :: g = 9.81d0" in code
    assert "res = v**2*sin(2.0d0*theta)/g" in code and code.rstrip().endswith("end function s")
    if shutil.which("gfortran"):  # compiled where a Fortran compiler exists
        source = tmp_path / "law.f90"
        source.write_text(code)
        subprocess.run(["gfortran", "-c", str(source), "-o", str(tmp_path / "law.o")], check=True)


def test_unknown_language_names_the_choices(cannon_law):
    with pytest.raises(DataError, match="python, c, fortran; got 'rust'"):
        cannon_law[0].to_code("rust")


def test_torch_module_agrees_with_predict_and_trains(cannon_law, free_law):
    law, X = free_law
    module = law.to_torch()
    assert isinstance(module, torch.nn.Module)
    out = module(torch.tensor(X))
    np.testing.assert_allclose(out.detach().numpy(), law.predict(X), rtol=1e-12, atol=1e-12)
    assert module.constants.requires_grad and len(module.constants) == len(law.expression.atoms(sp.Float))
    target = torch.tensor(law.predict(X)) * 1.1  # a step of gradient descent moves the constants towards it
    loss = torch.mean((module(torch.tensor(X)) - target) ** 2)
    loss.backward()
    before = module.constants.detach().clone()
    with torch.no_grad():
        module.constants -= 0.01 * module.constants.grad
    assert torch.mean((module(torch.tensor(X)) - target) ** 2) < loss and not torch.equal(before, module.constants)
    exact, Xc = cannon_law
    fixed = exact.to_torch()
    assert len(fixed.constants) == 0  # g and the exponents are exact: nothing to train
    np.testing.assert_allclose(fixed(torch.tensor(Xc)).numpy(), exact.predict(Xc), rtol=1e-12)
    with pytest.raises(DataError, match=r"shape \(n_rows, 2\): columns v, theta"):
        fixed(torch.zeros(3, 3, dtype=torch.float64))


def test_jax_function_agrees_with_predict(free_law):
    jax = pytest.importorskip("jax", reason="JAX is not installed (law.to_jax() needs it)")
    law, X = free_law
    jax.config.update("jax_enable_x64", True)
    try:
        f = law.to_jax()
        np.testing.assert_allclose(np.asarray(jax.jit(f)(X)), law.predict(X), rtol=1e-12, atol=1e-12)
    finally:
        jax.config.update("jax_enable_x64", False)
