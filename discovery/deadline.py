"""When a call must return: ``time_limit`` seconds after it started, give or take a grace.

``discover(..., time_limit=T)`` promises to return within ``T + grace(T)``
(``grace(T) = max(2 s, 10 % of T)``). Work is planned against the deadline
before it starts (a fit whose expected cost would end past it is not started)
rather than only checked after it ends.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

GRACE_SECONDS = 2.0  # the grace is at least this ...
GRACE_FRACTION = 0.10  # ... and at least this fraction of the limit


def grace(time_limit: float) -> float:
    """How far past ``time_limit`` a call may return: ``max(2 s, 10 % of the limit)``."""
    return max(GRACE_SECONDS, GRACE_FRACTION * time_limit)


@dataclass(frozen=True)
class Deadline:
    """A time limit counted from a start.

    Parameters
    ----------
    limit : float or None
        Seconds allowed; None is no limit.
    start : float
        ``time.perf_counter()`` at the start (default: now).
    """

    limit: float | None
    start: float = field(default_factory=time.perf_counter)

    def elapsed(self) -> float:
        """Seconds since the start."""
        return time.perf_counter() - self.start

    def left(self) -> float:
        """Seconds until the limit (negative once past it; infinite without one)."""
        return math.inf if self.limit is None else self.limit - self.elapsed()

    def passed(self) -> bool:
        """True once the limit is reached."""
        return self.left() <= 0

    def allows(self, expected_seconds: float) -> bool:
        """Whether work expected to take ``expected_seconds`` may start now.

        It may when it is expected to end before the limit plus half the
        grace; the other half is for what follows it (choosing, tidying,
        settling the law).
        """
        if self.limit is None:
            return True
        return expected_seconds <= self.left() + 0.5 * grace(self.limit)


def scaled_cost(seconds: float, size: float, new_size: float) -> float:
    """A fit's expected seconds on ``new_size`` terms, from one of ``size`` terms that took ``seconds``.

    Gram sums and subset scores grow with the square of the number of terms.
    """
    if size <= 0:
        return seconds
    return seconds * max(1.0, new_size / size) ** 2
