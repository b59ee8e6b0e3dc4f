"""The README's Python examples run as written and print what it says."""

import importlib.util
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.slow
def test_readme_examples_run(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the examples write law.json
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks
    namespace: dict = {}
    # Blocks that need an optional extra run where it is installed (all of them under make test).
    extras = {'method="operon"': ("pyoperon",), "units=": ("pint",), "parquet": ("pyarrow", "dask", "distributed")}
    skipped = set()
    for block in blocks:
        missing = [key for key, modules in extras.items() if key in block and not all(map(_installed, modules))]
        if missing:
            skipped.update(missing)
            continue
        exec(compile(block, str(README), "exec"), namespace)  # noqa: S102
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "s = v**2*sin(2*theta)/g"
    assert out[1] == r"s = \frac{v^{2} \sin{\left(2 \theta \right)}}{g}"
    assert out[2].startswith("v**2*sin(2*theta): 0.1019") and out[2].endswith("exact 1/g") and "95% CI" in out[2]
    assert (tmp_path / "law.json").exists()
    assert any(line.startswith("s = (0.1019") and "±" in line for line in out)  # a free coefficient's error
    assert any(line.startswith("evidence (criterion bic") for line in out)
    assert "n = 1/(exp((E - mu)/T) + 1)" in out  # the decomposition's example
    assert "u2 = T/(E - mu)" in out
    if "units=" not in skipped:
        assert "s = v**2/g · F(theta)" in out  # the units example: the cannon's groups
        assert "B = 2*c**2*h/(lam**5*(exp(c*h/(T*k_B*lam)) - 1))" in out  # Planck's law through its one group
        assert "B = c**2*h/lam**5 · F(pi1 = T*k_B*lam/(c*h))" in out
    if "parquet" not in skipped:
        assert "s = v**2*sin(2*theta)/g on 200000 rows" in out  # Parquet, then Dask
        assert any(line.startswith("{'sample': ") and "'finish': " in line for line in out)


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None
