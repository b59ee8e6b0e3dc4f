"""The README's Python example runs as written and prints what it says; its figures come from the results files."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MAX_LINES = 250


@pytest.mark.slow
def test_readme_example_runs(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the example writes law.json
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)  # noqa: S102
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "s = v**2*sin(2*theta)/g"
    assert out[1] == r"s = \frac{v^{2} \sin{\left(2 \theta \right)}}{g}"
    assert out[2].startswith("v**2*sin(2*theta): 0.1019") and out[2].endswith("exact 1/g") and "95% CI" in out[2]
    assert any(line.startswith("evidence (criterion bic") for line in out)
    assert (tmp_path / "law.json").exists()


def test_the_readme_is_short():
    assert len(README.read_text().splitlines()) <= MAX_LINES


def test_each_headline_figure_is_in_the_results_file_it_names():
    rows = re.findall(r"^\| (.+?) \| (.+?) \| `(benchmarks/results/[\w.]+\.md)` \|$", README.read_text(), re.M)
    assert len(rows) >= 5
    for what, figure, source in rows:
        assert figure in (ROOT / source).read_text(), f"README says {what}: {figure}, which {source} does not hold"


def test_the_readme_links_resolve():
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README.read_text()):
        if not target.startswith("http"):
            assert (ROOT / target).exists(), f"README links to {target}, which does not exist"
