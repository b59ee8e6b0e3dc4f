"""Families of terms: powers, harmonics, unary functions and the seed's v^k·sin(mθ)."""

from __future__ import annotations

from collections.abc import Iterable

import sympy as sp

from .library import Library
from .operators import OPERATORS
from .term import as_symbol

Variable = str | sp.Symbol


def _exponent(k: object) -> sp.Rational:
    """An exact exponent: an integer or an exact fraction."""
    value = sp.Rational(k) if not isinstance(k, float) else sp.nsimplify(k, rational=True)
    if not isinstance(value, sp.Rational):
        raise ValueError(f"exponents must be integers or exact fractions, got {k!r}")
    return value


def constant() -> Library:
    """The library holding the constant term ``1`` (an intercept)."""
    return Library([1])


def powers(variable: Variable, degrees: Iterable[object] = (1, 2, 3)) -> Library:
    """Integer (or fractional) powers ``x**k`` of one variable.

    Parameters
    ----------
    variable : str or sympy.Symbol
    degrees : iterable of int or fraction
        Negative degrees allowed; degree 0 gives the constant term.

    Examples
    --------
    >>> powers("x", [-1, 1, 2]).names
    ['1/x', 'x', 'x**2']
    """
    x = as_symbol(variable)
    return Library(x ** _exponent(k) for k in degrees)


def harmonics(variable: Variable, orders: Iterable[int] = (1, 2), functions: Iterable[str] = ("sin", "cos")) -> Library:
    """Harmonics ``sin(m*x)`` and ``cos(m*x)`` of one variable.

    Parameters
    ----------
    variable : str or sympy.Symbol
    orders : iterable of int
        The multipliers m (positive).
    functions : iterable of {"sin", "cos"}

    Examples
    --------
    >>> harmonics("t", [1, 2]).names
    ['sin(t)', 'cos(t)', 'sin(2*t)', 'cos(2*t)']
    """
    x = as_symbol(variable)
    funcs = [_operator(name, allowed=("sin", "cos")) for name in functions]
    terms = []
    for m in orders:
        if int(m) != m or m <= 0:
            raise ValueError(f"harmonic orders must be positive integers, got {m!r}")
        terms.extend(f(int(m) * x) for f in funcs)
    return Library(terms)


def unary(variable: Variable, functions: Iterable[str] = ("exp", "log", "sqrt")) -> Library:
    """Unary functions of one variable, e.g. ``exp(x)``, ``log(x)``, ``sqrt(x)``.

    Parameters
    ----------
    variable : str or sympy.Symbol
        The variable the functions take.
    functions : iterable of str
        Names of functions of :data:`bases.operators.OPERATORS`.

    Returns
    -------
    Library
        One term per function.
    """
    x = as_symbol(variable)
    return Library(_operator(name)(x) for name in functions)


def differences(
    first: Variable, second: Variable, powers: Iterable[object] = (1, 2), functions: Iterable[str] = ("sin", "cos")
) -> Library:
    """Terms of the difference of two variables: ``(x - z)**k`` and ``f(x - z)``.

    Parameters
    ----------
    first, second : str or sympy.Symbol
        The variables x and z of x − z.
    powers : iterable of int, float or str
        The exponents k of ``(x - z)**k``.
    functions : iterable of str
        Names of functions f of :data:`bases.operators.OPERATORS`, each giving ``f(x - z)``.

    Returns
    -------
    Library
        The powers, then the functions.

    Examples
    --------
    >>> differences("x", "z").names
    ['x - z', '(x - z)**2', 'sin(x - z)', 'cos(x - z)']
    """
    x, z = as_symbol(first), as_symbol(second)
    terms = [(x - z) ** _exponent(k) for k in powers]
    terms += [_operator(name)(x - z) for name in functions]
    return Library(terms)


def power_harmonics(
    radial: Variable,
    angle: Variable,
    powers: Iterable[object] = (1, 2),
    orders: Iterable[int] = (0, 1, 2),
    function: str = "sin",
) -> Library:
    """The seed's family ``v**k * sin(m*theta)``.

    Order ``m = 0`` stands for the bare power ``v**k``. The defaults give the
    article's six terms: v, v², v·sin θ, v·sin 2θ, v²·sin θ, v²·sin 2θ.

    Parameters
    ----------
    radial, angle : str or sympy.Symbol
        The variables ``v`` and ``theta``.
    powers : iterable of int
        The exponents k.
    orders : iterable of int
        The multipliers m (0 for no angular factor).
    function : {"sin", "cos"}
    """
    v, theta = as_symbol(radial), as_symbol(angle)
    f = _operator(function, allowed=("sin", "cos"))
    terms = []
    for k in powers:
        for m in orders:
            if int(m) != m or m < 0:
                raise ValueError(f"orders must be integers >= 0, got {m!r}")
            angular = sp.Integer(1) if m == 0 else f(int(m) * theta)
            terms.append(v ** _exponent(k) * angular)
    return Library(terms)


def _operator(name: str, allowed: Iterable[str] | None = None):
    allowed = tuple(allowed) if allowed is not None else tuple(OPERATORS)
    if name not in allowed:
        raise ValueError(f"unknown function {name!r}; choose from {', '.join(allowed)}")
    return OPERATORS[name].sympy
