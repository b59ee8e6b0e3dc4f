"""The default search: grow the default library level by level, on y and on transforms of y."""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from bases.defaults import MAX_LEVEL

from ..deadline import Deadline, scaled_cost
from ..errors import DataError
from ..io.dataset import Dataset
from ..law.expressions import tidy_expression
from ..law.law import Law
from ..progress import current
from ..settle.criteria import mse_floor
from ..settle.held_out import with_held_out_errors
from .factors import separable_factor
from .growers import FACTORED_TARGETS, LATE_FACTORED_TARGETS, Grower, factored_growers, target_name, transformed_growers
from .library_fit import LibraryFit, Settings
from .mapping import clearly_relative, map_to_y, refitted_for_its_noise, settled_on_y, smoothed_y
from .noise import exact_fit, fits_to_noise
from .selection import law_bic, noise_bics
from .transforms import sign_of

# A larger default library must lower the BIC by this many times log(n) to
# replace a smaller one's law: searching more terms finds spurious fits more easily.
LEVEL_GAIN = 2.0
# Within a level a law must lower the best BIC by more than this to replace it: less is "not worth
# more than a bare mention" (Kass and Raftery 1995), and y's own law, tried first, keeps a tie. At 1 %
# noise asin(b/T) (through sin y) fits as well as b/T where b/T is small; at 10 % noise 2.0082·√L
# (through y², free) fits a pendulum by 1 BIC better than 2π·√(L/g).
TIE_MARGIN = 2.0
MIN_TERMS_TO_SCALE = 50  # a fit's cost is extrapolated to larger libraries from this size on


def search_levels(
    data: Dataset, settings: Settings, time_limit: float | None = None, verbose: bool = False
) -> LibraryFit:
    """Grow the default library on y and on transforms of y, cheapest levels first.

    Level 0 is the constant plus the power laws proposed from log space;
    levels 1-3 are :func:`bases.default_library` plus the proposals. Each
    level is tried on y, then, where y has a monomial factor m
    (:func:`~discovery.search.factors.separable_factor`), on y, 1/y and y² with
    the other inputs' library times m, 1/m and m², then on each applicable transform (1/y, y²,
    1/y², log y, √y, sin y, log-odds), then on 1/y² and y⁴ with the library times 1/m² and m⁴, before the
    next level; a law for a transformed target
    is mapped back and judged on y itself. A law replaces the best one when
    its BIC on y is lower by more than ``TIE_MARGIN``, or by ``LEVEL_GAIN·log(n)``
    when it comes from a higher level. The search stops as soon as a law is exact; at the end of a level
    from level 1 on when the best law fits to the noise level (residuals that
    neighbouring rows do not share); after the last level; or when
    the next fit would end past ``time_limit`` (foreseen from the largest fit
    so far) or the limit has passed; then ``law.info["time_limit_reached"]``
    is True and ``law.info["stopped"]`` says what was left undone. Once no power
    law alone is exact, y's proposals also hold the unary functions of
    monomials of :mod:`discovery.unary_proposals`, from level 0 on.
    """
    return BasisSearch(data, settings).run(time_limit, verbose)


class BasisSearch:
    """:func:`search_levels`'s search, which a time limit pauses: :meth:`run` again resumes it.

    Attributes
    ----------
    finished : bool
        True once the search has stopped for a reason other than the time
        limit (an exact law, a law that fits to the noise, the last level):
        running it again then returns the same law.
    """

    def __init__(self, data: Dataset, settings: Settings) -> None:
        self.data = data
        self.settings = settings
        self.floor = mse_floor(data.y, data.known_error)
        self.sign = sign_of(data.y)
        # The transformed targets are set up once y's level-0 law has said which noise model its
        # residuals support (their rows are weighted by it): a placeholder until then.
        self.growers: list[tuple[Any, Grower | None]] = [
            (None, Grower(data, settings, unary=True, extra=settings.extra_terms)),
            (None, None),
        ]
        self.best = _Best()
        self.costs = _FitCosts()
        self.level = 0
        self.position = 0  # the next target's place in growers, within self.level
        self.finished = False

    def run(self, time_limit: float | None = None, verbose: bool = False) -> LibraryFit:
        """Search on from where the last run stopped, for at most ``time_limit`` seconds; the best fit so far."""
        deadline = Deadline(time_limit)
        best = self.best
        if best.fit is not None:  # resumed: the law no longer stands for a stopped search unless it stops again
            best.fit.law.info.pop("time_limit_reached", None)
            best.fit.law.info.pop("stopped", None)
        if self.finished:
            return best.fit
        current().stage("basis search")
        try:
            found = _tidied(self._grow(deadline, verbose))
            if not deadline.passed():  # settling again is worth having, not worth overrunning the limit for
                found.law = refitted_for_its_noise(
                    settled_on_y(found.law, self.data, self.settings), self.data, self.settings
                )
            with_held_out_errors(
                found.law, self.data, self.settings.random_state, deadline
            )  # mapped laws have no Gram-based one
            return found
        except KeyboardInterrupt:
            if best.fit is None:
                raise  # nothing found yet: let the caller (the CLI) report the interruption
            warnings.warn(
                f"interrupted: returning the best law found so far ({best.fit.law.formula}, level {best.level})",
                RuntimeWarning,
                stacklevel=3,
            )
            best.fit.law.info["interrupted"] = True
            self.finished = True
            return _tidied(best.fit)

    def _grow(self, deadline: Deadline, verbose: bool) -> LibraryFit:
        data, settings, growers, best, costs = self.data, self.settings, self.growers, self.best, self.costs
        while self.level <= MAX_LEVEL:
            level = self.level
            while self.position < len(growers):
                transform, grower = growers[self.position]
                if grower is None:
                    noise, relative_is_clear = _noise_model(best, data, self.floor, settings.random_state)
                    factor = separable_factor(data, settings.random_state)  # see discovery.search.factors
                    smoothed = smoothed_y(data)  # where the rows near zero are cut, the cut reads it
                    # A factor found is strong evidence: its main targets come before the plain transforms.
                    growers[self.position : self.position + 1] = (
                        factored_growers(data, settings, noise, factor, FACTORED_TARGETS, smoothed)
                        + transformed_growers(data, settings, noise, relative_is_clear, smoothed)
                        + factored_growers(data, settings, noise, factor, LATE_FACTORED_TARGETS, smoothed)
                    )
                    continue
                library = grower.library(level) if level else None
                if level and library is None:
                    self.position += 1
                    continue
                expected = costs.expected(len(library), transform is not None) if library is not None else 0.0
                if best.fit is not None and not deadline.allows(expected):
                    target = target_name(transform, grower)
                    return _out_of_time(
                        best.fit, f"level {level}, target {target} not started (about {expected:.1f} s)"
                    )
                self.position += 1
                started = time.perf_counter()
                try:
                    fit = grower.fit(level, library)
                except DataError:
                    if transform is None:
                        raise
                    continue
                if fit is None:
                    continue
                fitted = time.perf_counter()
                law = fit.law if transform is None else map_to_y(fit.law, transform, self.sign, data, self.floor)
                costs.record(len(fit.library), fitted - started, time.perf_counter() - fitted)
                if law is None:
                    continue
                score = law_bic(law, data, self.floor)
                target = target_name(transform, grower)
                current().step(f"level {level}, {target}: {law.formula}")
                if verbose:
                    current().write(
                        f"[discover] level {level}, target {target}: {len(fit.library)} terms, {law} "
                        f"(rmse {law.rmse:.3g}, {deadline.elapsed():.2f}s)"
                    )
                margin = LEVEL_GAIN * math.log(data.n_rows) if level > best.level else TIE_MARGIN
                if best.fit is None or score < best.bic - margin or _shorter_and_better(law, score, best):
                    best.fit, best.bic, best.level = LibraryFit(law, fit.library, fit.coef, score), score, level
                    if exact_fit(law, data):
                        self.finished = True
                        return best.fit
                if deadline.passed():
                    return _out_of_time(best.fit, f"the limit passed during level {level}")
            self.level, self.position = level + 1, 0
            # Only after every target at this level: a short law for log y can beat a long one for y
            # that already fits to the noise. Not after level 0: its terms were themselves fitted to
            # the data, and a sum of several of them can fit the noise of a smooth 1-D law.
            if (
                level >= 1
                and best.fit is not None
                and fits_to_noise(best.fit.law, data, settings.random_state)
                and not _worth_a_cheap_level(best, data, level + 1)
            ):
                self.finished = True
                return best.fit
        self.finished = True
        assert best.fit is not None
        return best.fit


def _shorter_and_better(law: Law, score: float, best: _Best) -> bool:
    """A law of a larger library with fewer terms that lowers the BIC by more than a tie.

    The larger library's handicap (``LEVEL_GAIN``) guards against a longer spurious fit; a law with fewer
    terms and a better fit is simpler on both counts: 1/√(1.004 − u⁴) (two terms, level 2) for the
    level-1 stand-in 1/√(126.6 − 20.9·u² − 125.6·sin(u)/u), which fits the noise as well.
    """
    return (
        best.fit is not None
        and len(law.coefficients) < len(best.fit.law.coefficients)
        and score < best.bic - TIE_MARGIN
    )


def _worth_a_cheap_level(best: _Best, data: Dataset, level: int) -> bool:
    """Whether a law of three or more terms that fits the noise should still see the next level.

    Only for one variable, whose levels are small (46 and 51 terms; two variables' level 2 has 335):
    a sum of several low terms can fit the noise of a 1-D law that a higher power writes in two.
    """
    return (
        level <= MAX_LEVEL and len(data.variables) == 1 and best.fit is not None and len(best.fit.law.coefficients) >= 3
    )


@dataclass
class _Best:
    """The best law so far, kept outside the loop so that Ctrl-C can return it."""

    fit: LibraryFit | None = None
    bic: float = math.inf
    level: int = -1


class _FitCosts:
    """The fits so far and their seconds, to foresee whether the next fits in the time left.

    The library fit grows with the square of the terms: the next fit is
    foreseen from each fit of the largest library so far, scaled, and the
    median taken (one fit that stalls for a second, e.g. on its first call,
    foresaw 28 s for a level that took 2 s, and the level was not started).
    Mapping a transformed target's law back to y (a refit of its few
    coefficients) does not grow with the library, so its cost is kept apart.
    """

    def __init__(self) -> None:
        self.largest: list[tuple[int, float]] = []  # (terms, seconds) of the fits of the largest library
        self.mapping = 0.0  # the slowest mapping back to y so far

    def record(self, terms: int, seconds: float, mapping: float = 0.0) -> None:
        size = max((t for t, _ in self.largest), default=0)
        if terms > 2 * size:
            self.largest = [(terms, seconds)]
        elif 2 * terms >= size:
            self.largest.append((terms, seconds))
        self.mapping = max(self.mapping, mapping)

    def expected(self, terms: int, mapped: bool = False) -> float:
        # Before a fit of some size nothing is known; small fits take milliseconds.
        if not self.largest or max(t for t, _ in self.largest) < MIN_TERMS_TO_SCALE:
            return 0.0
        fit = float(np.median([scaled_cost(seconds, size, terms) for size, seconds in self.largest]))
        return fit + (self.mapping if mapped else 0.0)


def _out_of_time(fit: LibraryFit, where: str) -> LibraryFit:
    """The best fit so far, its law marked as returned at the time limit (``where``: what was left undone)."""
    fit.law.info["time_limit_reached"] = True
    fit.law.info["stopped"] = f"time limit: {where}"
    return fit


def _tidied(fit: LibraryFit) -> LibraryFit:
    """The same fit with its law's expression simplified where that shortens it."""
    fit.law.expression = tidy_expression(fit.law.expression)
    return fit


def _noise_model(best: _Best, data: Dataset, floor: float, random_state: int | None) -> tuple[str, bool]:
    """The noise model the best law so far supports, and whether that is clearly "relative".

    The model is "relative" where its BIC is lower, else "additive". It is
    clearly relative where :func:`clearly_relative` says so and the law's
    residuals look like noise (:func:`fits_to_noise`): where neighbouring
    rows share them, they are structure the law missed, and how they grow
    with |y| says nothing about the errors (a wrong first law for an inverse
    square, large where y is, made additive errors look relative).
    """
    if best.fit is None:
        return "additive", False
    scores = noise_bics(best.fit.law, data, floor)
    relative = scores.get("relative", math.inf)
    model = "relative" if relative < scores["additive"] else "additive"
    clear = clearly_relative(scores) and fits_to_noise(best.fit.law, data, random_state)
    return model, clear
