"""Choose the torch device at fit time (never at import)."""

from __future__ import annotations

from typing import Any

from .errors import DataError

# Rows below which "auto" keeps the numeric work on the CPU even where a GPU is present. Set from the
# issue's own H100 measurement of the cannon (whole discover, 16 CPU cores beside the GPU): the CPU was
# faster at 10^5 rows (2.0 s against 2.2 s), the GPU at 10^6 (12.3 s against 15.2 s). Not yet measured
# on a GPU here: benchmarks/scale.py times the Gram step on both devices over 10^4 to 10^6 rows.
GPU_CROSSOVER_ROWS = 300_000


def resolve_device(device: Any = "auto", rows: int | None = None) -> Any:
    """Return a ``torch.device``: ``"auto"`` is CUDA when present and the work sees enough rows, else CPU.

    Parameters
    ----------
    device : str, torch.device or None
    rows : int, optional
        Rows the numeric work will see: below :data:`GPU_CROSSOVER_ROWS`,
        ``"auto"`` stays on the CPU, where small problems run faster. None:
        CUDA whenever present.

    Raises
    ------
    DataError
        If the device string is invalid or CUDA is asked for but absent.
    """
    import torch

    if device is None or device == "auto":
        gpu = torch.cuda.is_available() and (rows is None or rows >= GPU_CROSSOVER_ROWS)
        return torch.device("cuda" if gpu else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError):
        raise DataError(f"unknown device {device!r}; use 'auto', 'cpu' or 'cuda'") from None
    if resolved.type not in ("cpu", "cuda"):
        raise DataError(f"unsupported device {device!r}; use 'auto', 'cpu', 'cuda' or 'cuda:k'")
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise DataError(f"device {device!r} was asked for but no CUDA GPU is available; use device='auto' or 'cpu'")
        if resolved.index is not None and resolved.index >= torch.cuda.device_count():
            raise DataError(
                f"device {device!r} was asked for but only {torch.cuda.device_count()} CUDA device(s) exist"
            )
    return resolved


def resolve_dtype(dtype: Any = "float64") -> Any:
    """Return the torch dtype for ``"float64"``/``"float32"`` (or a torch dtype)."""
    import torch

    table = {
        "float64": torch.float64,
        "float32": torch.float32,
        torch.float64: torch.float64,
        torch.float32: torch.float32,
    }
    try:
        return table[dtype]
    except (KeyError, TypeError):
        raise DataError(f"dtype must be 'float64' or 'float32', got {dtype!r}") from None
