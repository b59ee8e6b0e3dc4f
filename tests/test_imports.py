"""Importing the packages starts nothing: no Julia, no PySR, no GPU."""

import subprocess
import sys

import pytest

CHECK = """
import sys
import discovery, bases
from discovery import discover, SparseBasisRegressor, Law
assert 'pysr' not in sys.modules, 'pysr imported'
assert 'juliacall' not in sys.modules, 'juliacall imported'
import torch
assert not torch.cuda.is_initialized(), 'CUDA initialised at import'
print('clean')
"""


@pytest.mark.slow
def test_import_has_no_side_effects():
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "clean"
