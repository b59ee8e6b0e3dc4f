"""The law file format: readable JSON that loads back exactly.

The expression is stored as a tree of SymPy node names and exact numbers
(``["Mul", ["Pow", ["Symbol", "v"], ["Integer", "2"]], ...]``), floats as
their shortest round-trip decimal, so a loaded law is the same SymPy
expression and predicts bit for bit what the saved one did. Loading never
evaluates code: only SymPy's arithmetic nodes, its named constants and its
function classes are rebuilt. A human-readable ``formula`` and ``latex``
sit beside the tree for people; the tree is what is read back.
"""

from __future__ import annotations

import json
import math
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import sympy as sp

from ..errors import DataError

DISTRIBUTION = "equation-discovery"
FORMAT = "equation-discovery.law"
FORMAT_VERSION = 1
_CONSTANTS = {"pi": sp.pi, "E": sp.E, "EulerGamma": sp.EulerGamma, "GoldenRatio": sp.GoldenRatio, "Catalan": sp.Catalan}
_OPERATIONS = {"Add": sp.Add, "Mul": sp.Mul, "Pow": sp.Pow}


class LawFileError(DataError):
    """A law file that cannot be read: not JSON, not a law, or a format this version does not know."""


def package_version() -> str:
    """The installed version of this package ("unknown" when it runs from a source tree without install)."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "unknown"


def encode_expression(expr: sp.Expr) -> list:
    """A SymPy expression as a JSON-ready tree of node names and exact numbers."""
    expr = sp.sympify(expr)
    if isinstance(expr, sp.Symbol):
        return ["Symbol", expr.name]
    if isinstance(expr, sp.Integer):
        return ["Integer", str(int(expr))]
    if isinstance(expr, sp.Rational):
        return ["Rational", str(expr.p), str(expr.q)]
    if isinstance(expr, sp.Float):
        return ["Float", repr(float(expr))]
    for name, value in _CONSTANTS.items():
        if expr == value:
            return ["Constant", name]
    name = type(expr).__name__
    if name in _OPERATIONS or _function_class(name) is type(expr):
        return [name, *(encode_expression(a) for a in expr.args)]
    raise LawFileError(f"cannot save the node {name!r} of {sp.sstr(expr)!r}: it is not a SymPy operation or function")


def decode_expression(tree: Any) -> sp.Expr:
    """The SymPy expression of a tree written by :func:`encode_expression`.

    Raises
    ------
    LawFileError
        For anything that is not such a tree.
    """
    if not isinstance(tree, list) or not tree or not isinstance(tree[0], str):
        raise LawFileError(f"an expression must be a list [name, arguments...], got {tree!r}")
    head, args = tree[0], tree[1:]
    try:
        if head == "Symbol":
            return sp.Symbol(_text(args))
        if head == "Integer":
            return sp.Integer(int(_text(args)))
        if head == "Rational":
            return sp.Rational(int(args[0]), int(args[1]))
        if head == "Float":
            return sp.Float(float(_text(args)))  # the same 53-bit number that was saved
        if head == "Constant":
            return _CONSTANTS[_text(args)]
    except (KeyError, ValueError, TypeError, IndexError):
        raise LawFileError(f"malformed {head} node: {tree!r}") from None
    operands = [decode_expression(a) for a in args]
    if head in _OPERATIONS:
        return _OPERATIONS[head](*operands)
    function = _function_class(head)
    if function is None:
        raise LawFileError(f"unknown function {head!r} in the law file; known are SymPy's functions")
    return function(*operands)


def _text(args: list) -> str:
    if len(args) != 1 or not isinstance(args[0], str):
        raise ValueError("expected one string")
    return args[0]


def _function_class(name: str) -> type | None:
    """SymPy's function class of that name (sin, exp, Abs, ...), else None; looked up, never evaluated."""
    candidate = getattr(sp, name, None)
    if isinstance(candidate, type) and issubclass(candidate, sp.Function):
        return candidate
    return None


def number(value: float) -> float | str:
    """A float for JSON; NaN and infinities as the strings 'nan', 'inf', '-inf' (strict JSON has none)."""
    value = float(value)
    return value if math.isfinite(value) else repr(value)


def read_number(value: Any) -> float:
    """The float of :func:`number`'s output."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise LawFileError(f"expected a number, got {value!r}")
    try:
        return float(value)
    except ValueError:
        raise LawFileError(f"expected a number, got {value!r}") from None


def plain(value: Any) -> Any:
    """``value`` as JSON data: numbers, strings, lists and dicts; anything else as its text."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return number(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, sp.Basic):
        return sp.sstr(value)
    try:
        return number(float(value))  # numpy scalars
    except (TypeError, ValueError):
        return str(value)


def write_json(data: dict, path: str | Path) -> None:
    """Write ``data`` as strict JSON (UTF-8): mappings indented, each expression tree or list of numbers on one line."""
    try:
        Path(path).write_text(_dumps(data, "") + "\n", encoding="utf-8")
    except OSError as err:
        raise LawFileError(f"cannot write {str(path)!r}: {err.strerror or err}") from None


def _dumps(value: Any, indent: str) -> str:
    inner = indent + "  "
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {_dumps(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        return "[\n" + ",\n".join(inner + _dumps(v, inner) for v in value) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))


def read_json(
    path: str | Path,
    format: str = FORMAT,
    noun: str = "law file",
    writer: str = "law.save(path) or 'discovery fit ... --save law.json'",
) -> dict:
    """Read a law file's JSON and check its format and version.

    Other files of the same family (a system file) give their own ``format``,
    the ``noun`` the messages call them and the ``writer`` that writes them.

    Raises
    ------
    LawFileError
        If the file is missing, not JSON, not a law file, or written in a
        newer or unknown format version.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LawFileError(f"cannot read {str(path)!r}: no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise LawFileError(f"cannot read {str(path)!r}: {err}") from None
    except json.JSONDecodeError as err:
        raise LawFileError(f"{str(path)!r} is not a {noun}: not valid JSON ({err})") from None
    if not isinstance(data, dict) or data.get("format") != format:
        raise LawFileError(
            f'{str(path)!r} is not a {noun}: it has no "format": "{format}" field; write {noun}s with {writer}'
        )
    version = data.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise LawFileError(f"{str(path)!r} has no integer format_version; it was not written by law.save")
    if version > FORMAT_VERSION:
        writer = f", written by equation-discovery {data['package_version']}" if data.get("package_version") else ""
        raise LawFileError(
            f"{str(path)!r} uses law format version {version}{writer}; this is version {package_version()}, "
            f"which reads format version {FORMAT_VERSION} and older: upgrade with 'pip install -U equation-discovery'"
        )
    if version < 1:
        raise LawFileError(
            f"{str(path)!r} has unknown law format version {version}; known versions are 1 to {FORMAT_VERSION}"
        )
    return data


def field_of(data: dict, key: str, path: str | Path = "the law file") -> Any:
    """``data[key]``, or a LawFileError naming the missing field."""
    try:
        return data[key]
    except (KeyError, TypeError):
        raise LawFileError(f"{str(path)!r} is missing the field {key!r}; was it edited by hand?") from None
