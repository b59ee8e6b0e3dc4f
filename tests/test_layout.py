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
