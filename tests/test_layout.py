"""The package layout stays a one-way pipeline: no import cycles, no stage importing a later one.

Every ``import`` statement counts, those inside functions included: a cycle
hidden in a function is still a cycle for a reader following the code.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("discovery", "bases")

# Rooms of discovery/, in pipeline order: a module may import from its own room and from earlier ones.
# Top-level modules not listed (errors, device) are shared utilities that import no room. The next
# issues' rooms have their places: decompose (the neural oracle and its splits) and units (dimensional
# analysis) build on the search and the backends, and come before the front door; dynamics (time series)
# is a second front door, one discover() per state's derivative, so it comes after api.
ROOMS = [
    "io",
    "law",
    "settle",
    "solvers",
    "search",
    "backends",
    "decompose",
    "units",
    "parameters",
    "estimator",
    "auto",
    "api",
    "dynamics",
    "article",
    "cli",
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's own modules that ``name`` imports, anywhere in its body."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            # 'from .law import law' imports the submodule; 'from .law.law import Law' the module.
            targets = [
                f"{prefix}.{alias.name}" if f"{prefix}.{alias.name}" in known else prefix for alias in node.names
            ]
        else:
            continue
        found.update(t for t in targets if t in known and t != name)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return components


def test_no_import_cycles():
    assert _cycles(_graph()) == []


def test_the_cycle_check_sees_function_level_imports(tmp_path):
    graph = {"a": {"b"}, "b": {"a"}, "c": set()}
    assert _cycles(graph) == [["a", "b"]]
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from .other import g\n")
    assert _imports("pkg.m", source, {"pkg.m", "pkg.other"}) == {"pkg.other"}


def _room(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "discovery" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in ROOMS else None


def test_each_room_imports_only_earlier_rooms():
    backward = []
    for module, imported in _graph().items():
        room = _room(module)
        for target in imported:
            other = _room(target)
            if room and other and ROOMS.index(other) > ROOMS.index(room):
                backward.append(f"{module} -> {target}")
    assert backward == []


def test_bases_never_imports_discovery():
    assert [
        f"{m} -> {t}" for m, ts in _graph().items() if m.startswith("bases") for t in ts if t.startswith("discovery")
    ] == []


@pytest.mark.parametrize("module", ["discovery", "bases"])
def test_the_graph_covers_the_packages(module):
    assert module in _graph()


# The size and evaluation rules. Each list is today's known violations, exactly: the check fails when a new one
# appears and when a listed one is gone, so the lists only shrink (remove the entry with the fix).
MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 400

KNOWN_LONG_FUNCTIONS: set[str] = set()
KNOWN_LONG_MODULES: set[str] = set()
# A call passing more positional arguments than this is read by counting: name them (make them keyword-only).
MAX_POSITIONAL_ARGUMENTS = 7
KNOWN_WIDE_CALLS: set[str] = set()
# Numbers come from bases' compiler; SymPy's printers may only write exports to other languages (export.py).
KNOWN_LAMBDIFY: set[str] = set()
# A ContextVar is a hidden argument; only the progress bar's (which changes no number) may use one.
ALLOWED_CONTEXT_VARS = {"discovery/progress.py::_CURRENT"}
KNOWN_CONTEXT_VARS: set[str] = set()


def _sources() -> dict[str, ast.Module]:
    """Each module of the packages, parsed, by its path relative to the repository root."""
    paths = sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))
    return {p.relative_to(ROOT).as_posix(): ast.parse(p.read_text(encoding="utf-8")) for p in paths}


def _docstring_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of the function's docstring: documentation is not the code whose length the rule limits."""
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return first.end_lineno - first.lineno + 1
    return 0


def _functions(tree: ast.AST, prefix: str = "") -> dict[str, int]:
    """Every function and method in ``tree`` (nested ones too), by qualified name: its length, docstring aside."""
    found = {}
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name = prefix + node.name
            found[name] = node.end_lineno - node.lineno + 1 - _docstring_lines(node)
            found.update(_functions(node, name + "."))
        elif isinstance(node, ast.ClassDef):
            found.update(_functions(node, prefix + node.name + "."))
        else:
            found.update(_functions(node, prefix))
    return found


def _long_functions(sources: dict[str, ast.Module]) -> set[str]:
    return {
        f"{path}::{name}"
        for path, tree in sources.items()
        for name, length in _functions(tree).items()
        if length > MAX_FUNCTION_LINES
    }


def _long_modules(root: Path, paths: list[str]) -> set[str]:
    return {p for p in paths if len((root / p).read_text(encoding="utf-8").splitlines()) > MAX_MODULE_LINES}


def _wide_calls(sources: dict[str, ast.Module]) -> set[str]:
    """``path::callee`` of each call passing over MAX_POSITIONAL_ARGUMENTS positional arguments, ``*args`` aside."""
    return {
        f"{path}::{ast.unparse(node.func)}"
        for path, tree in sources.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and sum(not isinstance(a, ast.Starred) for a in node.args) > MAX_POSITIONAL_ARGUMENTS
    }


def _uses_lambdify(tree: ast.AST) -> bool:
    """``sp.lambdify``, ``sympy.utilities.lambdify.lambdify`` or a bare imported ``lambdify``, anywhere."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "lambdify":
            return True
        if isinstance(node, ast.Name) and node.id == "lambdify":
            return True
        if isinstance(node, ast.ImportFrom) and any(alias.name == "lambdify" for alias in node.names):
            return True
    return False


def _lambdify_users(sources: dict[str, ast.Module]) -> set[str]:
    return {path for path, tree in sources.items() if Path(path).name != "export.py" and _uses_lambdify(tree)}


def _context_vars(sources: dict[str, ast.Module]) -> set[str]:
    """``path::name`` of each ContextVar made (``name`` what it is assigned to; ``?`` if it is not assigned)."""
    found = set()
    for path, tree in sources.items():
        parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or "ContextVar" not in (
                getattr(node.func, "id", None),
                getattr(node.func, "attr", None),
            ):
                continue
            parent = parents.get(id(node))
            targets = parent.targets if isinstance(parent, ast.Assign) else [getattr(parent, "target", None)]
            found.update(f"{path}::{ast.unparse(t) if t is not None else '?'}" for t in targets)
    return found


def _known(found: set[str], known: set[str], what: str) -> None:
    """``found`` is exactly ``known``: nothing new, and nothing listed that no longer violates."""
    new, gone = sorted(found - known), sorted(known - found)
    assert not new, f"new {what}: {new}"
    assert not gone, f"no longer {what} (remove from the known list): {gone}"


def test_no_function_over_the_limit():
    _known(_long_functions(_sources()), KNOWN_LONG_FUNCTIONS, f"functions over {MAX_FUNCTION_LINES} lines")


def test_no_module_over_the_limit():
    _known(_long_modules(ROOT, list(_sources())), KNOWN_LONG_MODULES, f"modules over {MAX_MODULE_LINES} lines")


def test_no_call_with_many_positional_arguments():
    _known(
        _wide_calls(_sources()), KNOWN_WIDE_CALLS, f"calls with over {MAX_POSITIONAL_ARGUMENTS} positional arguments"
    )


def test_no_lambdify_in_the_numerical_path():
    _known(_lambdify_users(_sources()), KNOWN_LAMBDIFY, "modules evaluating by lambdify")


def test_no_context_var_changes_a_number():
    _known(_context_vars(_sources()) - ALLOWED_CONTEXT_VARS, KNOWN_CONTEXT_VARS, "ContextVars outside progress")


def test_the_rule_checks_see_violations(tmp_path):
    body = "\n".join(f"        x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    source = (
        "import sympy as sp\n"
        "from contextvars import ContextVar\n"
        "HIDDEN = ContextVar('h', default=0.0)\n"
        f"class A:\n    def long(self):\n{body}\n"
        "def short():\n    return sp.lambdify([], 1)\n"
        f"def wide():\n    return max({', '.join(['1'] * (MAX_POSITIONAL_ARGUMENTS + 1))}, *[2])\n"
        f"def narrow():\n    return max({', '.join(['1'] * MAX_POSITIONAL_ARGUMENTS)}, *[2], key=abs)\n"
    )
    sources = {"pkg/m.py": ast.parse(source), "pkg/export.py": ast.parse(source)}
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text(source + "\n" * MAX_MODULE_LINES)
    (tmp_path / "pkg" / "short.py").write_text("x = 1\n")
    assert _long_functions(sources) == {"pkg/m.py::A.long", "pkg/export.py::A.long"}
    assert _long_modules(tmp_path, ["pkg/m.py", "pkg/short.py"]) == {"pkg/m.py"}
    assert _lambdify_users(sources) == {"pkg/m.py"}
    assert _wide_calls(sources) == {"pkg/m.py::max", "pkg/export.py::max"}
    assert _context_vars(sources) == {"pkg/m.py::HIDDEN", "pkg/export.py::HIDDEN"}
    with pytest.raises(AssertionError, match="new"):
        _known({"a", "b"}, {"a"}, "violations")
    with pytest.raises(AssertionError, match="no longer"):
        _known({"a"}, {"a", "b"}, "violations")


# What a benchmark may import of the toolkit: the names these modules list in __all__ (the solvers are
# public by the README), and anything public (no leading underscore) of the article's experiment; every
# other module of discovery and bases is internal. A benchmark runs as python -m benchmarks.NAME, so it
# never needs sys.path.
PUBLIC_MODULES = ("discovery", "bases", "discovery.decompose", "discovery.progress", "discovery.solvers")
PUBLIC_PACKAGES = ("discovery.article",)


def _beyond_the_public_api(path: Path) -> list[str]:
    """Each import of ``path`` that reaches past the public API, and each use of ``sys.path``."""
    import importlib

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr == "path" and getattr(node.value, "id", None) == "sys":
            found.append((node.lineno, "uses sys.path"))
        if isinstance(node, ast.Import):
            pairs = [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:  # relative: the benchmark's own modules
            pairs = [(node.module or "", alias.name) for alias in node.names]
        else:
            continue
        for module, name in pairs:
            if module.split(".")[0] not in PACKAGES:
                continue
            if module in PUBLIC_MODULES:
                public = name is None or name in importlib.import_module(module).__all__
            else:
                in_package = any(module == p or module.startswith(p + ".") for p in PUBLIC_PACKAGES)
                public = in_package and not (name or "").startswith("_")
            if not public:
                found.append((node.lineno, f"imports {module}{'' if name is None else '.' + name}"))
    return [f"{path.name}:{line} {what}" for line, what in sorted(found)]


def test_benchmarks_use_the_public_api_only(tmp_path):
    scripts = sorted((ROOT / "benchmarks").glob("*.py"))
    assert len(scripts) > 10 and (ROOT / "benchmarks" / "__init__.py") in scripts
    assert [f for path in scripts for f in _beyond_the_public_api(path)] == []
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import sys\nsys.path.insert(0, '.')\nimport discovery.law.fitting\nfrom discovery import _x, discover\n"
        "def f():\n    from discovery.progress import _SILENT\n    from discovery.article.cannon import G\n"
    )
    assert _beyond_the_public_api(bad) == [
        "bad.py:2 uses sys.path",
        "bad.py:3 imports discovery.law.fitting",
        "bad.py:4 imports discovery._x",
        "bad.py:6 imports discovery.progress._SILENT",
    ]
