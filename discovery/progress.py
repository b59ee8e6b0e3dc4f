"""Progress on long work: a tqdm bar in terminals and notebooks, nothing elsewhere.

A bar is shown when someone is watching (standard error is a terminal, or the
code runs in a Jupyter kernel) unless ``verbose=False`` was asked; it is
silent in pipes, logs and tests. ``verbose=True`` also writes a line per step
(each library level and target tried, each bootstrap resample), above the bar
where there is one. One bar per top-level call: work nested in it (a backend,
the bootstrap, each state of a system) advances the same bar, so bars never
stack up.

Public: :func:`track`, one bar over a loop of fits (each ``discover`` call in
it shows its stage beside the bar), and :func:`current`, whose ``write``
puts a line above that bar; the rest serves the package's entry points.
"""

from __future__ import annotations

import functools
import multiprocessing
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

__all__ = ["Progress", "current", "track"]

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


class Progress:
    """The bar of the work under way (or a silent stand-in): steps, a stage name, lines written above it."""

    def __init__(self, bar: Any = None, counts: bool = True) -> None:
        self._bar = bar
        self._counts = counts  # False: work nested in a counted loop (a benchmark's problems) shows, not counts

    @property
    def shown(self) -> bool:
        return self._bar is not None

    def step(self, text: str = "", n: int = 1) -> None:
        """Advance by ``n`` steps, showing ``text`` beside the bar (e.g. the level and target just tried)."""
        if self._bar is not None:
            if text:
                self._bar.set_postfix_str(text, refresh=not self._counts)
            if self._counts:
                self._bar.update(n)

    def stage(self, text: str) -> None:
        """Name the stage under way (``"forms"``, ``"bootstrap"``): the bar's description (its postfix if nested)."""
        if self._bar is not None:
            if self._counts:
                self._bar.set_description_str(text)
            else:
                self._bar.set_postfix_str(text)

    def nested(self) -> Progress:
        """The view of this bar that work nested in one of its steps gets: it shows, but does not count."""
        return self if self._bar is None or self._bar.total is None else Progress(self._bar, counts=False)

    def write(self, line: str, file: Any = None) -> None:
        """A line above the bar (to ``file``, standard error by default), for output that must not break the bar."""
        file = sys.stderr if file is None else file
        if self._bar is not None:
            self._bar.write(line, file=file)
        else:
            print(line, file=file, flush=True)


_SILENT = Progress()
_CURRENT: ContextVar[Progress | None] = ContextVar("the progress bar of the work under way", default=None)


def interactive() -> bool:
    """Whether someone is watching: standard error is a terminal, or this runs in a Jupyter kernel.

    Never in a worker process (a process pool's): its bars would overwrite its parent's.
    """
    if multiprocessing.parent_process() is not None:
        return False
    try:
        if sys.stderr is not None and sys.stderr.isatty():
            return True
    except (AttributeError, ValueError):  # a closed or replaced stream
        pass
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        ipython = shell.get_ipython()
    except AttributeError:
        return False
    return ipython is not None and type(ipython).__name__ == "ZMQInteractiveShell"


def shows_progress(description: str) -> Callable[[F], F]:
    """Decorate a top-level entry point: its work runs under :func:`progress`, by its ``verbose`` keyword."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            verbose = kwargs.get("verbose")
            with progress(description, verbose if verbose in (None, True, False) else False):
                return function(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def _tqdm() -> type:
    """tqdm's notebook widget where ipywidgets is installed, else its text bar (which notebooks show too)."""
    try:
        import ipywidgets  # noqa: F401
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm.std import tqdm
    return tqdm


def current() -> Progress:
    """The bar of the work under way, or a silent stand-in."""
    return _CURRENT.get() or _SILENT


@contextmanager
def progress(description: str, verbose: bool | None = None, total: int | None = None) -> Iterator[Progress]:
    """A bar for the work inside the block, unless one is already shown (then that one) or none is wanted.

    Parameters
    ----------
    description : str
        What the bar counts (``"discover"``, ``"bootstrap"``).
    verbose : bool or None
        False: no bar; otherwise a bar when :func:`interactive` (True's lines are written by the callers).
    total : int, optional
        The number of steps, when known.
    """
    outer = _CURRENT.get()
    bar = None
    if outer is not None:  # nested work advances (or, inside a counted loop, only shows on) the bar already shown
        shown = outer.nested()
    elif verbose is False or not interactive():
        shown = _SILENT
    else:
        bar = _tqdm()(total=total, desc=description, file=sys.stderr, dynamic_ncols=True, leave=True)
        shown = Progress(bar)
    token = _CURRENT.set(shown)
    try:
        yield shown
    finally:
        _CURRENT.reset(token)
        if bar is not None:
            bar.close()


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Iterate over ``items`` with a bar counting them where someone is watching (benchmarks' problems).

    The work done for each item (a ``discover`` call) shows its stage beside
    the bar without counting; ``write`` lines through :func:`current`.

    Parameters
    ----------
    items : iterable
        What the loop goes over (data sets, problems, finished futures).
    description : str
        What the bar counts (``"problems"``).
    total : int, optional
        The number of items, where ``items`` has no length.

    Examples
    --------
    >>> import sys
    >>> from discovery.progress import current, track
    >>> for name in track(["a", "b"], "data sets"):
    ...     current().write(f"fitted {name}", sys.stdout)  # above the bar where one is shown
    fitted a
    fitted b
    """
    items = list(items) if total is None and not hasattr(items, "__len__") else items
    count = total if total is not None else len(items)  # type: ignore[arg-type]
    with progress(description, None, count) as bar:
        for item in items:
            yield item
            bar.step()
