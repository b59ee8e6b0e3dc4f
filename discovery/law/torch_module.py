"""A law as a torch module: its free constants are parameters, so it can be trained inside a larger model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sympy as sp
import torch

from bases.compile import compile_expression

from ..errors import DataError
from .evaluate import with_constants

_ONE = "__rows__"  # a column of ones multiplies the law, so that a constant law has one value per row


class LawModule(torch.nn.Module):
    """``module(X)``: the law on a tensor whose columns are its variables, in order (like ``law.predict``).

    Attributes
    ----------
    constants : torch.nn.Parameter
        The law's free constants (its coefficients that are not exact
        values), float64, in the order of :attr:`constant_symbols`.
    constant_symbols : tuple of str
        The name each free constant stands under in :attr:`expression`.
    expression : sympy.Expr
        The law with its free constants as symbols ``c0, c1, ...``.
    variables : tuple of str
    """

    def __init__(self, expression: sp.Expr, variables: Sequence[str], constants: Mapping[str, float]) -> None:
        super().__init__()
        floats = sorted(expression.atoms(sp.Float), key=lambda f: (float(f), str(f)))
        taken = {str(s) for s in expression.free_symbols}
        names, k = [], 0
        while len(names) < len(floats):
            if f"c{k}" not in taken:
                names.append(f"c{k}")
            k += 1
        symbolic = expression.xreplace({f: sp.Symbol(n) for f, n in zip(floats, names)})
        self.expression = symbolic
        self.variables = tuple(variables)
        self.constant_symbols = tuple(names)
        self.constants = torch.nn.Parameter(torch.tensor([float(f) for f in floats], dtype=torch.float64))
        self._evaluate = compile_expression(with_constants(symbolic, constants) * sp.Symbol(_ONE), "torch")

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        if X.ndim != 2 or X.shape[1] != len(self.variables):
            raise DataError(
                f"X must have shape (n_rows, {len(self.variables)}): columns {', '.join(self.variables)}; "
                f"got {tuple(X.shape)}"
            )
        columns = {v: X[:, j] for j, v in enumerate(self.variables)}
        columns[_ONE] = torch.ones(X.shape[0], dtype=X.dtype, device=X.device)
        for j, name in enumerate(self.constant_symbols):
            columns[name] = self.constants[j].to(X.dtype)
        return self._evaluate(columns)

    def extra_repr(self) -> str:
        return f"{sp.sstr(self.expression)}; constants {dict(zip(self.constant_symbols, self.constants.tolist()))}"
