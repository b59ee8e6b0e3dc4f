"""Compile a SymPy expression into a vectorised NumPy or torch evaluator, or a scalar one."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sympy as sp

from . import printed
from .operators import operator_for

Columns = Mapping[str, Any]
Evaluator = Callable[[Columns], Any]

BACKENDS = ("numpy", "torch", "math")


def compile_expression(expr: sp.Expr, backend: str = "numpy", as_printed: bool = False) -> Evaluator:
    """Return a function that evaluates ``expr`` on columns of data.

    Parameters
    ----------
    expr : sympy.Expr
        Expression over plain SymPy symbols; every function in it must be in
        :data:`bases.operators.OPERATORS`.
    backend : {"numpy", "torch", "math"}
        Which array library the evaluator works with; "math" evaluates Python
        floats with the math module, for a function called once per step of
        an ODE integrator, where NumPy's per-call cost on one row dominates.

    Returns
    -------
    callable
        ``f(columns)`` where ``columns`` maps each symbol name to a 1-D array
        (or tensor); returns a 1-D array of the same length. Undefined values
        (log of a negative number, 1/0) come out as NaN or inf, never raise.
        With "math", ``columns`` maps names to floats and the result is a
        number; undefined values raise as the math module does.
    as_printed : bool
        Evaluate in the order and with the operations SymPy's Python printers
        write (see :mod:`bases.printed`), bit for bit what SymPy's generated
        NumPy or math code computes; for laws, whose fits and snapped values were measured that
        way. Torch evaluators compute in the terms' own order only.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if as_printed and backend == "torch":
        raise ValueError("as_printed evaluation is for the numpy and math backends")
    if as_printed:
        values = printed.printed_function([expr], backend, "_c", lambda s: f"_c[{s.name!r}]")
        node = _named(lambda columns: values(columns)[0])
    else:
        node = _compile(sp.sympify(expr), backend)
    if backend == "math":
        return node
    if backend == "numpy":
        import numpy as np

        def evaluate(columns: Columns) -> Any:
            with np.errstate(all="ignore"):
                out = node(columns)
                if not isinstance(out, np.ndarray) or out.ndim == 0:
                    out = np.full(_length(columns), float(out))
                return out

        return evaluate

    import torch

    def evaluate_torch(columns: Columns) -> Any:
        out = node(columns)
        if not isinstance(out, torch.Tensor) or out.ndim == 0:
            like = next(iter(columns.values()))
            out = torch.full_like(like, float(out))
        return out

    return evaluate_torch


def compile_positional(
    exprs: Sequence[sp.Expr], arguments: Sequence[sp.Symbol], backend: str = "math"
) -> Callable[..., list[Any]]:
    """Several expressions as one function ``f(*values) -> [value, ...]`` of positional arguments.

    Evaluated in SymPy's printed order (see ``as_printed`` in :func:`compile_expression`): for an
    ODE's right-hand side, called once per integrator step. A symbol is matched by identity, so
    two Dummy symbols that share a name are two arguments.
    """
    if backend not in ("numpy", "math"):
        raise ValueError(f"backend must be 'numpy' or 'math', got {backend!r}")
    slots = {symbol: f"_a{j}" for j, symbol in enumerate(arguments)}

    def text(symbol: sp.Symbol) -> str:
        if symbol not in slots:
            raise ValueError(f"{symbol} is not among the arguments")
        return slots[symbol]

    return printed.printed_function(exprs, backend, ", ".join(slots.values()), text)


def _length(columns: Columns) -> int:
    for value in columns.values():
        return len(value)
    raise ValueError("cannot evaluate a constant term without any data columns")


def _named(node: Callable[[Columns], Any]) -> Callable[[Columns], Any]:
    """``node`` raising, for a column it lacks, the KeyError that names the variable."""

    def evaluate(columns: Columns) -> Any:
        try:
            return node(columns)
        except KeyError as missing:
            raise KeyError(f"no data for variable {missing.args[0]!r}") from None

    return evaluate


def _compile(expr: sp.Expr, backend: str) -> Callable[[Columns], Any]:
    if expr.is_Symbol:
        name = expr.name

        def symbol(columns: Columns) -> Any:
            try:
                return columns[name]
            except KeyError:
                raise KeyError(f"no data for variable {name!r}") from None

        return symbol
    if expr.is_number:
        value = complex(expr)
        if value.imag != 0:
            raise ValueError(f"complex constant {expr} is not supported")
        real = value.real
        return lambda columns: real
    if expr.is_Add:
        parts = [_compile(arg, backend) for arg in expr.args]

        def add(columns: Columns) -> Any:
            total = parts[0](columns)
            for part in parts[1:]:
                total = total + part(columns)
            return total

        return add
    if expr.is_Mul:
        parts = [_compile(arg, backend) for arg in expr.args]

        def mul(columns: Columns) -> Any:
            total = parts[0](columns)
            for part in parts[1:]:
                total = total * part(columns)
            return total

        return mul
    if expr.is_Pow:
        return _compile_pow(expr, backend)
    if isinstance(expr, sp.Function):
        func = operator_for(type(expr)).function(backend)
        if len(expr.args) != 1:
            raise ValueError(f"{expr} has {len(expr.args)} arguments; only unary functions are supported")
        inner = _compile(expr.args[0], backend)
        return lambda columns: func(inner(columns))
    raise ValueError(f"cannot evaluate {expr!r} ({type(expr).__name__}): unsupported expression")


def _compile_pow(expr: sp.Pow, backend: str) -> Callable[[Columns], Any]:
    base = _compile(expr.base, backend)
    power = _power(expr.exp, backend)
    if power is not None:
        return lambda columns: power(base(columns))
    exp_node = _compile(expr.exp, backend)
    return lambda columns: base(columns) ** exp_node(columns)


def _power(exponent: sp.Expr, backend: str) -> Callable[[Any], Any] | None:
    """``b ↦ b**exponent`` for a numeric exponent (1/b**k for negative integers, √ for ±1/2); None otherwise."""
    if exponent.is_Integer:
        k = int(exponent)
        if k < 0:
            # x**-k as 1/x**k: integer powers of an int-free float array, inf at 0.
            return lambda b: 1.0 / (b ** (-k))
        return lambda b: b**k
    if exponent == sp.Rational(1, 2) or exponent == sp.Rational(-1, 2):
        sqrt = operator_for(sp.sqrt).function(backend)
        if exponent == sp.Rational(1, 2):
            return lambda b: sqrt(b)
        return lambda b: 1.0 / sqrt(b)
    if exponent.is_number:
        power = float(exponent)
        return lambda b: b**power
    return None


def compile_many(exprs: Sequence[sp.Expr], backend: str = "numpy") -> Callable[[Columns, Any], None]:
    """Compile several expressions into one evaluator that computes each shared sub-expression once.

    The library's terms share most of their parts (v², sin(2θ), v²·sin(θ) in
    v²·sin(θ)·cos(θ)): evaluated one term at a time, each part is computed
    again for every term that holds it. Here every distinct node is one step
    of a program; a step's value is kept only until its last use.

    Returns
    -------
    callable
        ``write(columns, out)`` fills column j of ``out`` (rows × len(exprs),
        NumPy or torch) with expression j, computed by the same operations in
        the same order as :func:`compile_expression`, so bit for bit the same.
    """
    if backend not in ("numpy", "torch"):
        raise ValueError(f"backend must be 'numpy' or 'torch', got {backend!r}")
    steps: list[tuple[Callable[..., Any], tuple[int, ...]]] = []
    slot_of: dict[sp.Expr, int] = {}

    def slot(expr: sp.Expr) -> int:
        if expr in slot_of:
            return slot_of[expr]
        step = _step(expr, backend, slot)
        steps.append(step)
        slot_of[expr] = len(steps) - 1
        return slot_of[expr]

    outputs = [slot(sp.sympify(e)) for e in exprs]
    last_use = {s: i for i, (_, args) in enumerate(steps) for s in args}  # outputs are written when computed
    written: dict[int, list[int]] = {}
    for j, s in enumerate(outputs):
        written.setdefault(s, []).append(j)
    freed_after = [[s for s, last in last_use.items() if last == i] for i in range(len(steps))]

    def write(columns: Columns, out: Any) -> None:
        values: dict[int, Any] = {}
        for i, (op, args) in enumerate(steps):
            values[i] = op(columns, *(values[a] for a in args))
            for j in written.get(i, ()):
                out[:, j] = values[i]  # a scalar (a constant term) broadcasts down the column
            for s in freed_after[i]:
                values.pop(s, None)
            if i not in last_use:
                values.pop(i, None)

    return write


def _step(expr: sp.Expr, backend: str, slot: Callable[[sp.Expr], int]) -> tuple[Callable[..., Any], tuple[int, ...]]:
    """One node of a :func:`compile_many` program: (function of the columns and argument values, argument slots)."""
    if expr.is_Symbol or expr.is_number:
        node = _compile(expr, backend)
        return (lambda columns: node(columns)), ()
    if expr.is_Add or expr.is_Mul:
        args = tuple(slot(a) for a in expr.args)
        combine = (lambda a, b: a + b) if expr.is_Add else (lambda a, b: a * b)

        def fold(columns: Columns, *values: Any) -> Any:
            total = values[0]
            for value in values[1:]:
                total = combine(total, value)
            return total

        return fold, args
    if expr.is_Pow:
        base = (slot(expr.base),)
        power = _power(expr.exp, backend)
        if power is not None:
            return (lambda columns, b: power(b)), base
        return (lambda columns, b, e: b**e), base + (slot(expr.exp),)
    if isinstance(expr, sp.Function):
        func = operator_for(type(expr)).function(backend)
        if len(expr.args) != 1:
            raise ValueError(f"{expr} has {len(expr.args)} arguments; only unary functions are supported")
        return (lambda columns, a: func(a)), (slot(expr.args[0]),)
    raise ValueError(f"cannot evaluate {expr!r} ({type(expr).__name__}): unsupported expression")
