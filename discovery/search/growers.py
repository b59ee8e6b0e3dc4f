"""The default library grown level by level for one target, and the targets it is grown for.

A :class:`Grower` holds one target (y, a transform of y, or y over its
monomial factor) and its proposed terms; :mod:`discovery.search.levels`
runs the growers level by level and keeps the best law.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import sympy as sp

from bases import Library, constant, default_library

from ..io.dataset import Dataset
from .library_fit import LibraryFit, Settings, fit_library
from .mapping import transformed_data
from .noise import exact_fit
from .proposals import power_law_terms
from .transforms import RELATIVE_Y, TRANSFORM_NAMED, TRANSFORMS, sign_of
from .unary_proposals import unary_monomial_terms

MAX_LIBRARY_TERMS = 2500  # default libraries stop growing here (Gram cost ~ rows × terms²)
LEVEL0_TERMS = 2  # level 0 confirms one proposed term (and a constant)


class Grower:
    """The default library, level by level, for one target (y or a transform of it)."""

    def __init__(
        self,
        data: Dataset,
        settings: Settings,
        unary: bool = False,
        magnitude: np.ndarray | None = None,
        factor: sp.Expr | None = None,
        log_target: bool = False,
        extra: Library | None = None,
    ) -> None:
        self.data = data
        self.settings = settings
        self.log_target = log_target  # data.y is log y: its constant is the logarithm of y's factor
        # factor: a monomial every term of the library is multiplied by (see discovery.search.factors);
        # such a library is an addition to the plain one, which holds the proposals.
        self.factor = factor
        # magnitude: y's own values where data.y is a transform of y (they set the rows' noise)
        self.proposed = Library(power_law_terms(data, settings.random_state, magnitude) if factor is None else ())
        if extra is not None and len(extra):  # the caller's own terms (discover's extra_terms), at every level
            self.proposed = self.proposed + extra
        # Unary functions of monomials, proposed for y itself (not its transforms) once the power
        # laws alone are not exact: the test costs up to a second, which exact power laws need not pay.
        self.unary_pending = unary
        self.previous_size = -1

    def library(self, level: int) -> Library | None:
        """Level ``level``'s library (from level 1 on); None when it equals the last one (the size cap)."""
        cap = MAX_LIBRARY_TERMS - len(self.proposed)
        if self.factor is None:
            library = default_library(self.data.variables, level, cap) + self.proposed
        else:  # y/factor does not depend on the factor's variables: the library of the others
            inside = {str(s) for s in self.factor.free_symbols}
            others = [v for v in self.data.variables if v not in inside]
            library = Library([self.factor]) * default_library(others, level, cap)
        return None if len(library) == self.previous_size else library

    def fit(self, level: int, library: Library | None = None) -> LibraryFit | None:
        """Fit one level (``library`` is :meth:`library`'s, from level 1 on); None when there is none."""
        if level == 0:  # the proposed terms alone: a tiny library, exact when the law is one of them
            return self._fit_proposed()
        if library is None:
            return None
        self.previous_size = len(library)
        result = fit_library(self.data, library, self.settings, warn=False, tidy=False, log_target=self.log_target)
        result.law.info["level"] = level
        return result

    def _fit_proposed(self) -> LibraryFit | None:
        # A proposal confirmed, with a constant at most: under noise, sums of several proposals
        # (each fitted to the data) make long spurious laws that later levels cannot displace.
        settings = dataclasses.replace(self.settings, max_terms=min(self.settings.max_terms, LEVEL0_TERMS))
        result = None
        if len(self.proposed):
            result = fit_library(
                self.data, constant() + self.proposed, settings, warn=False, tidy=False, log_target=self.log_target
            )
            if exact_fit(result.law, self.data):
                self.unary_pending = False
        if self.unary_pending:
            self.unary_pending = False
            unary = Library(unary_monomial_terms(self.data, self.settings.random_state))
            if len(unary):
                self.proposed = self.proposed + unary
                with_unary = fit_library(
                    self.data, constant() + self.proposed, settings, warn=False, tidy=False, log_target=self.log_target
                )
                if result is None or with_unary.chosen_bic < result.chosen_bic:
                    result = with_unary
        if result is not None:
            result.law.info["level"] = 0
            self.previous_size = len(self.proposed) + 1
        return result


def target_name(transform, grower: Grower) -> str:
    """The target a grower fits, as the search reports it: y or the transform, and the factor its terms carry."""
    name = "y" if transform is None else transform.name
    return name if grower.factor is None else f"{name}, terms times {grower.factor}"


# Targets whose law a monomial factor of y turns into (factor's power): y = m·Σ, 1/y = m⁻¹·Σ
# (G·m1·m2 over a sum of squares), y² = m²·Σ (p·z/r⁵ times a square root of a sum).
FACTORED_TARGETS = ((None, 1), ("1/y", -1), ("y**2", 2))
# Rarer ones, tried after the plain transforms of the level: 1/y² = m⁻²·Σ (2π·√(a³/(G·(M1 + M2))),
# a^(3/2) over the root of a sum) and y⁴ = m⁴·Σ (a temperature from a balance of T⁴ radiation).
# Before them they cost a law that a plain transform finds (P0·exp(ΔH/R·(1/T0 − 1/T)) through log y,
# P0 its factor) two fits per level, and at 1 % noise the time limit.
LATE_FACTORED_TARGETS = (("1/y**2", -2), ("y**4", 4))


def factored_growers(
    data: Dataset, settings: Settings, noise: str, factor: sp.Expr | None, targets, smoothed: np.ndarray | None = None
) -> list[tuple[Any, Grower]]:
    """Growers for ``targets`` whose library terms carry y's monomial factor, if it has one."""
    if factor is None:
        return []
    out = []
    for name, power in targets:
        if name is None:
            out.append((None, Grower(data, settings, factor=factor)))
            continue
        transform = TRANSFORM_NAMED[name]
        transformed = transformed_data(data, transform, noise, smoothed)
        if transformed is not None:
            out.append((transform, Grower(transformed, settings, factor=factor**power)))
    return out


def transformed_growers(
    data: Dataset,
    settings: Settings,
    noise: str,
    relative_is_clear: bool = False,
    smoothed: np.ndarray | None = None,
) -> list[tuple[Any, Grower]]:
    """Growers for y's transforms (those defined on the data), each on its transformed target."""
    out = []
    sign = sign_of(data.y)
    # Where the errors are clearly relative, y itself weighted by 1/y² comes first.
    for transform in ((RELATIVE_Y,) if relative_is_clear else ()) + TRANSFORMS:
        transformed = transformed_data(data, transform, noise, smoothed)
        if transformed is not None:
            with np.errstate(all="ignore"):
                magnitude = transform.numeric_inverse(transformed.y, sign)
            grower = Grower(transformed, settings, magnitude=magnitude, log_target=transform.logarithmic)
            out.append((transform, grower))
    return out
