"""Choose the torch device at fit time (never at import)."""

from __future__ import annotations

from typing import Any

from .errors import DataError


def resolve_device(device: Any = "auto") -> Any:
    """Return a ``torch.device``: ``"auto"`` is CUDA when present, else CPU.

    Raises
    ------
    DataError
        If the device string is invalid or CUDA is asked for but absent.
    """
    import torch

    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
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
