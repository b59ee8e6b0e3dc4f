"""``System.plot``: the data's trajectories against the simulated system, and a phase portrait.

Drawn on a :class:`matplotlib.figure.Figure` with the Agg canvas, never through
``pyplot``: headless-safe, and no global figure state is touched.
"""

from __future__ import annotations

from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..errors import DataError
from .trajectories import as_trajectories


def plot_system(
    system: Any,
    t: Any = None,
    states: Any = None,
    *,
    time: str | None = None,
    trajectory: str | None = None,
    phase: bool = True,
) -> Figure:
    """One panel per state (data as dots, the system simulated from each trajectory's first sample as lines),
    and, for two or more states, a phase portrait of the first two.

    Parameters
    ----------
    system : discovery.System
        (not imported here: ``System.plot`` imports this module)
    t, states
        The trajectories, as :func:`~discovery.dynamics.discover_system` takes
        them (times and states, or DataFrames with ``time`` and ``trajectory``).
    phase : bool
        Add the phase portrait (needs two states).

    Returns
    -------
    matplotlib.figure.Figure
        Save it with ``fig.savefig("system.png")``.
    """
    if t is None:
        raise DataError("system.plot needs the data: system.plot(t, states) or system.plot(frame, time='t')")
    frames = states is None  # DataFrames name their input columns; arrays carry none here
    data = as_trajectories(
        t,
        states,
        variables=list(system.states),
        inputs=list(system.inputs) if frames and system.inputs else None,
        time=time,
        trajectory=trajectory,
    )
    n = len(system.states)
    with_phase = phase and n >= 2
    fig = Figure(figsize=(4.5 * (n + with_phase), 3.6))
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, n + with_phase, squeeze=False)[0]
    colours = [f"C{i % 10}" for i in range(len(data.items))]
    for k, tr in enumerate(data.items):
        simulated = system.simulate(tr.x[0], tr.t, inputs=tr.u if system.inputs else None)
        for j in range(n):
            ax = axes[j]
            ax.plot(tr.t, tr.x[:, j], ".", color=colours[k], markersize=3, label="data" if k == 0 else None)
            ax.plot(tr.t, simulated[:, j], "-", color=colours[k], label="simulated" if k == 0 else None)
        if with_phase:
            axes[n].plot(tr.x[:, 0], tr.x[:, 1], ".", color=colours[k], markersize=3)
            axes[n].plot(simulated[:, 0], simulated[:, 1], "-", color=colours[k])
    for j, name in enumerate(system.states):
        axes[j].set_xlabel(system.time)
        axes[j].set_ylabel(name)
        axes[j].set_title(system.equations[j], fontsize=8)
    axes[0].legend(loc="best", fontsize=8)
    if with_phase:
        axes[n].set_xlabel(system.states[0])
        axes[n].set_ylabel(system.states[1])
        axes[n].set_title("phase portrait", fontsize=9)
    fig.tight_layout()
    return fig
