"""The docs site: its code runs and prints what it says, the public API is documented, and it names no history."""

import importlib.util
import inspect
import re
from pathlib import Path

import pytest

import bases
import discovery

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
# Blocks that need an optional extra run where it is installed (all of them under make test).
EXTRAS = {'method="operon"': ("pyoperon",), "units=": ("pint",), "parquet": ("pyarrow", "dask", "distributed")}
# What each page's code prints, as its comments say (lines of its output, in any order).
PRINTS = {
    "getting-started.md": [
        "s = v**2*sin(2*theta)/g",
        r"s = \frac{v^{2} \sin{\left(2 \theta \right)}}{g}",
        "E = m*v**2/2",
    ],
    "guide/noisy-data.md": ["y = 3/x", "True"],
    "guide/units.md": [
        "s = v**2/g · F(theta)",
        "B = 2*c**2*h/(lam**5*(exp(c*h/(T*k_B*lam)) - 1))",
        "B = c**2*h/lam**5 · F(pi1 = T*k_B*lam/(c*h))",
    ],
    "guide/methods.md": ["n = 1/(exp((E - mu)/T) + 1)", "u2 = T/(E - mu)"],
    "guide/many-rows.md": ["s = v**2*sin(2*theta)/g on 200000 rows"],
    "guide/dynamics.md": [
        "['dtheta/dt = omega', 'domega/dt = -g*sin(theta) - omega/5']",
        "dN_dt = (-0.01608 ± 0.00098)*N**2 + (0.795 ± 0.043)*N",
        "dN/dt: the trajectories fit other laws as well: N**3 + N/(N",
    ],
    "guide/saving.md": ["True"],
    "guide/reproducibility.md": ["True False"],
}
PAGES = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md") if "```python" in p.read_text())


def python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(), re.S)


def run_blocks(path: Path, capsys) -> tuple[list[str], set[str]]:
    """Run a page's Python blocks in order in one namespace; its printed lines, and the extras it lacked."""
    namespace: dict = {}
    skipped = set()
    for block in python_blocks(path):
        missing = [key for key, modules in EXTRAS.items() if key in block and not all(map(_installed, modules))]
        if missing:
            skipped.update(missing)
            continue
        exec(compile(block, str(path), "exec"), namespace)  # noqa: S102
    return capsys.readouterr().out.splitlines(), skipped


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_each_page_runs_and_prints_what_it_says(page, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the examples write files
    out, skipped = run_blocks(DOCS / page, capsys)
    if skipped:
        pytest.skip(f"needs the extras for {sorted(skipped)}")
    for line in PRINTS.get(page, []):
        assert line in out, f"{page} should print {line!r}; it printed {out}"


def test_every_page_that_prints_is_checked():
    assert set(PRINTS) <= set(PAGES)


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _public():
    for module in (discovery, bases):
        for name in module.__all__:
            yield f"{module.__name__}.{name}", getattr(module, name)


@pytest.mark.parametrize(("name", "obj"), list(_public()))
def test_the_public_api_is_documented_in_the_reference(name, obj):
    doc = inspect.getdoc(obj)
    assert doc, f"{name} has no docstring"
    reference = "\n".join(p.read_text() for p in (DOCS / "reference").glob("*.md"))
    assert f"::: {name}\n" in reference, f"{name} is not in docs/reference/"
    if inspect.isclass(obj) and issubclass(obj, BaseException) or not callable(obj):
        return
    parameters = [p for p in inspect.signature(obj).parameters if p not in ("self", "args", "kwargs")]
    sections = ("Parameters\n----------",) + (("Attributes\n----------",) if inspect.isclass(obj) else ())
    if parameters:
        assert any(s in doc for s in sections), f"{name}'s docstring has no numpy-style {' or '.join(sections)}"


@pytest.mark.parametrize("path", [README, *sorted(DOCS.rglob("*.md"))], ids=lambda p: str(p.relative_to(ROOT)))
def test_readme_and_docs_name_no_issue_history_or_machine(path):
    text = path.read_text()
    for pattern in (r"\bissues? \d+", r"\bissue's\b", r"/work/", r"this (2-core|project's) machine", r"\bsession\b"):
        assert not re.search(pattern, text, re.I), f"{path.name} holds {re.search(pattern, text, re.I).group()!r}"
