"""A library of candidate terms: union, products, design matrices and Gram sums."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import sympy as sp

from .compile import compile_many
from .gram import Gram
from .term import Term

DEFAULT_CHUNK_ROWS = 65_536


class TermDroppedWarning(UserWarning):
    """Terms were removed because they are undefined or overflow on the data."""


class Library:
    """An ordered set of basis terms.

    Libraries combine like PySINDy's: ``a + b`` is the union (duplicates
    removed, order kept) and ``a * b`` holds every product of a term of ``a``
    with a term of ``b``, simplified by SymPy, duplicates removed.

    Parameters
    ----------
    terms : iterable of Term, sympy.Expr, str or number
        The terms. Numeric factors are dropped and duplicates removed.

    Examples
    --------
    >>> from bases import powers, harmonics
    >>> lib = powers("v", [1, 2]) * harmonics("theta", [1, 2], functions=["sin"])
    >>> lib.names
    ['v*sin(theta)', 'v*sin(2*theta)', 'v**2*sin(theta)', 'v**2*sin(2*theta)']
    """

    def __init__(self, terms: Iterable[Any] = ()) -> None:
        seen: dict[sp.Expr, Term] = {}
        for item in terms:
            term = item if isinstance(item, Term) else Term(item)
            seen.setdefault(term.expr, term)
        self.terms: tuple[Term, ...] = tuple(seen.values())
        self._programs: dict[str, Any] = {}

    # --- set algebra -------------------------------------------------------
    def __add__(self, other: Library) -> Library:
        if not isinstance(other, Library):
            return NotImplemented
        return Library(self.terms + other.terms)

    def __mul__(self, other: Library) -> Library:
        if not isinstance(other, Library):
            return NotImplemented
        return Library(a.expr * b.expr for a in self.terms for b in other.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def __getitem__(self, index: int | slice | Sequence[int]) -> Any:
        if isinstance(index, (int, np.integer)):
            return self.terms[int(index)]
        if isinstance(index, slice):
            return Library(self.terms[index])
        return Library(self.terms[int(i)] for i in index)

    def __contains__(self, item: Any) -> bool:
        term = item if isinstance(item, Term) else Term(item)
        return term in self.terms

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Library) and self.terms == other.terms

    def __repr__(self) -> str:
        shown = ", ".join(self.names[:6])
        more = f", ... ({len(self)} terms)" if len(self) > 6 else ""
        return f"Library([{shown}{more}])"

    @property
    def names(self) -> list[str]:
        """Each term as SymPy prints it."""
        return [t.name for t in self.terms]

    @property
    def variables(self) -> tuple[str, ...]:
        """Names of all variables used by any term, sorted."""
        return tuple(sorted({v for t in self.terms for v in t.variables}))

    @property
    def complexity(self) -> np.ndarray:
        """Node count of each term."""
        return np.array([t.complexity for t in self.terms], dtype=int)

    # --- evaluation --------------------------------------------------------
    def evaluate(
        self,
        data: Any,
        variables: Sequence[str] | None = None,
        *,
        backend: str = "numpy",
        device: Any = None,
        dtype: Any = None,
        chunk_rows: int | None = DEFAULT_CHUNK_ROWS,
    ) -> Any:
        """Evaluate every term: the design matrix Θ, shape (n_rows, n_terms).

        Parameters
        ----------
        data : mapping of name → 1-D array, or 2-D array
            The variables. A 2-D array needs ``variables`` naming its columns.
        variables : sequence of str, optional
            Column names of a 2-D ``data``.
        backend : {"numpy", "torch"}
            NumPy array (float64 by default) or torch tensor on ``device``.
        device, dtype
            torch device and dtype (torch backend; default CPU, float64).
        chunk_rows : int or None
            Rows evaluated at a time, bounding temporary memory.

        Returns
        -------
        numpy.ndarray or torch.Tensor
            Raw values: undefined entries are NaN or inf. Use
            :meth:`defined_on` first to drop such terms.
        """
        columns, n_rows = _as_columns(data, variables, self.variables)
        if backend == "numpy":
            out = np.empty((n_rows, len(self)), dtype=dtype or np.float64)
        else:
            import torch

            out = torch.empty((n_rows, len(self)), dtype=dtype or torch.float64, device=device)
        for rows, block in self._chunks(columns, n_rows, backend, device, dtype, chunk_rows):
            out[rows] = block
        return out

    def gram(
        self,
        data: Any,
        y: Any,
        variables: Sequence[str] | None = None,
        *,
        device: Any = None,
        dtype: Any = None,
        chunk_rows: int | None = DEFAULT_CHUNK_ROWS,
        groups: Any = None,
        warn: bool = True,
        weights: Any = None,
    ) -> Gram:
        """Accumulate ΘᵀΘ, Θᵀy and yᵀy chunk by chunk, in torch.

        Memory does not grow with the number of rows. Terms that are not
        finite on some row (or whose squares overflow) are dropped, with a
        :class:`TermDroppedWarning` naming them when ``warn`` is true.

        Parameters
        ----------
        data, variables : see :meth:`evaluate`.
        y : 1-D array
            The target.
        device, dtype : torch device and dtype (default CPU, float64).
        chunk_rows : int or None
            Rows per chunk.
        groups : 1-D int array, optional
            A group label 0..K-1 per row (cross-validation folds): the result
            then also holds one Gram per group in ``folds``.
        warn : bool
            Warn about dropped terms.
        weights : 1-D array, optional
            A non-negative weight per row: the sums are then ΘᵀWΘ, ΘᵀWy and
            yᵀWy (weighted least squares).

        Returns
        -------
        Gram
            Statistics over the terms that stayed finite.
        """
        import torch

        dtype = dtype or torch.float64
        columns, n_rows = _as_columns(data, variables, self.variables)
        y_all = torch.as_tensor(np.asarray(y, dtype=np.float64).reshape(-1), dtype=dtype, device=device)
        if y_all.shape[0] != n_rows:
            raise ValueError(f"y has {y_all.shape[0]} rows but the data has {n_rows}")
        root = None
        if weights is not None:
            w = np.asarray(weights, dtype=np.float64).reshape(-1)
            if w.shape[0] != n_rows or not np.all(np.isfinite(w)) or np.any(w < 0):
                raise ValueError(f"weights must be {n_rows} finite non-negative values, one per row")
            root = torch.as_tensor(np.sqrt(w), dtype=dtype, device=device)
        if groups is None:
            labels, n_groups = None, 1
        else:
            labels = torch.as_tensor(np.asarray(groups, dtype=np.int64), device=device)
            n_groups = int(labels.max()) + 1 if n_rows else 1
        p = len(self)
        tt = torch.zeros((n_groups, p, p), dtype=dtype, device=device)
        ty = torch.zeros((n_groups, p), dtype=dtype, device=device)
        yy = torch.zeros(n_groups, dtype=dtype, device=device)
        counts = torch.zeros(n_groups, dtype=torch.long, device=device)
        bad = torch.zeros(p, dtype=torch.long, device=device)
        zero = torch.zeros((), dtype=dtype, device=device)

        for rows, block in self._chunks(columns, n_rows, "torch", device, dtype, chunk_rows):
            # A NaN or inf in a column makes its sum NaN or inf (so may a huge finite column): only flagged
            # columns are counted and zeroed elementwise, sparing two full passes over every clean chunk.
            flagged = torch.nonzero(~torch.isfinite(block.sum(dim=0))).flatten()
            if len(flagged):
                part = block[:, flagged]
                finite = torch.isfinite(part)
                bad[flagged] += (~finite).sum(dim=0)
                block[:, flagged] = torch.where(finite, part, zero)
            yc = y_all[rows]
            if root is not None:
                block, yc = block * root[rows, None], yc * root[rows]
            for g in range(n_groups):
                if labels is None:
                    b, yg = block, yc
                else:
                    mask = labels[rows] == g
                    b, yg = block[mask], yc[mask]
                tt[g] += b.T @ b
                ty[g] += b.T @ yg
                yy[g] += yg @ yg
                counts[g] += b.shape[0]
        # A column whose squares overflow is as unusable as one with NaN.
        bad = bad.cpu().numpy() + (~torch.isfinite(torch.diagonal(tt.sum(0)))).cpu().numpy()
        folds = None
        if labels is not None:
            folds = [Gram(tt[g], ty[g], float(yy[g]), int(counts[g]), self.terms) for g in range(n_groups)]
        gram = Gram(tt.sum(0), ty.sum(0), float(yy.sum()), n_rows, self.terms, folds)
        dropped = {i: int(bad[i]) for i in range(p) if bad[i] > 0}
        if dropped:
            if warn:
                _warn_dropped([(self.terms[i], count) for i, count in dropped.items()], n_rows)
            gram = gram.restrict([i for i in range(p) if i not in dropped])
        return gram

    def defined_on(self, data: Any, variables: Sequence[str] | None = None, *, warn: bool = True) -> Library:
        """Return the library without the terms undefined or overflowing on ``data``.

        A term is dropped when any of its values is NaN or infinite (log of a
        negative number, 1/0, exp of a large value, ...). When ``warn`` is true
        a :class:`TermDroppedWarning` names each dropped term and on how many
        rows it failed.
        """
        columns, n_rows = _as_columns(data, variables, self.variables)
        bad = np.zeros(len(self), dtype=np.int64)
        for _, block in self._chunks(columns, n_rows, "numpy", None, None, DEFAULT_CHUNK_ROWS):
            bad += (~np.isfinite(block)).sum(axis=0)
        dropped = [(t, int(c)) for t, c in zip(self.terms, bad) if c > 0]
        if dropped and warn:
            _warn_dropped(dropped, n_rows)
        return Library(t for t, c in zip(self.terms, bad) if c == 0)

    def _chunks(
        self,
        columns: Mapping[str, np.ndarray],
        n_rows: int,
        backend: str,
        device: Any,
        dtype: Any,
        chunk_rows: int | None,
    ) -> Iterator[tuple[slice, Any]]:
        step = n_rows if not chunk_rows else max(1, int(chunk_rows))
        for start in range(0, max(n_rows, 1), step):
            rows = slice(start, min(start + step, n_rows))
            if backend == "numpy":
                chunk = {k: v[rows] for k, v in columns.items()}
                block = np.empty((rows.stop - rows.start, len(self)), dtype=dtype or np.float64)
                with np.errstate(all="ignore"):
                    self._program("numpy")(chunk, block)
            else:
                import torch

                dt = dtype or torch.float64
                chunk = {k: torch.as_tensor(v[rows], dtype=dt, device=device) for k, v in columns.items()}
                block = torch.empty((rows.stop - rows.start, len(self)), dtype=dt, device=device)
                self._program("torch")(chunk, block)
            yield rows, block

    def _program(self, backend: str):
        """Every term in one evaluator that computes each shared part once (see :func:`compile_many`)."""
        program = self._programs.get(backend)
        if program is None:
            program = self._programs[backend] = compile_many([t.expr for t in self.terms], backend)
        return program

    def __getstate__(self) -> dict[str, Any]:
        # The compiled programs are closures (not picklable) and a cache: recompiled on first use.
        return {"terms": self.terms}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.terms = state["terms"]
        self._programs = {}


def _as_columns(data: Any, variables: Sequence[str] | None, needed: Sequence[str]) -> tuple[dict[str, np.ndarray], int]:
    """Turn a mapping or a 2-D array into name → float64 column."""
    if isinstance(data, Mapping):
        columns = {str(k): np.asarray(v, dtype=np.float64).reshape(-1) for k, v in data.items()}
    else:
        array = np.asarray(data, dtype=np.float64)
        if array.ndim != 2:
            raise ValueError(f"data must be 2-D (rows × variables) or a mapping of columns; got shape {array.shape}")
        if variables is None:
            raise ValueError("a 2-D array needs variables=[...] naming its columns")
        if len(variables) != array.shape[1]:
            raise ValueError(f"variables names {len(variables)} columns but the data has {array.shape[1]}")
        columns = {str(name): array[:, j] for j, name in enumerate(variables)}
    missing = [name for name in needed if name not in columns]
    if missing:
        raise ValueError(
            f"the library uses {', '.join(map(repr, missing))} but the data has only "
            f"{', '.join(map(repr, columns)) or 'no columns'}"
        )
    lengths = {len(v) for v in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"data columns have different lengths: {sorted(lengths)}")
    return columns, (lengths.pop() if lengths else 0)


def _warn_dropped(dropped: list[tuple[Term, int]], n_rows: int) -> None:
    listed = "; ".join(f"{term.name} (not finite on {count} of {n_rows} rows)" for term, count in dropped)
    warnings.warn(
        f"dropped {len(dropped)} term(s) undefined or overflowing on the data: {listed}",
        TermDroppedWarning,
        stacklevel=3,
    )
