"""The short series' ceiling: in how many cases the data themselves prefer the true system to the one returned.

For each case of ``short_series_problems`` at one noise level, the system
``discover_system`` returns and the true structure are each fitted to the
same noisy trajectory by this judge, not the engine: every coefficient of
each law's expanded sum and the initial state are fitted by simulation
(SciPy's ``least_squares`` through LSODA, started at the law's values), the
misses in units of the noise the case was given, and the two are compared by
BIC (χ² + k·ln n; a number the engine fitted inside a term, such as a
saturation constant, counts in k and is held there; the truth's do not count). No charge is made for a library
searched. Where the returned system is wrong and preferred to the truth by
more than the selection margin (6), no choice that follows the fit can give
the truth: those right-hand sides bound what any such method reaches. A
second bound follows the engine's rule within the margin, the system with
fewer terms (equal terms: the lower BIC): there the truth is reached only
when it is preferred, or within the margin and shorter than the system
returned (as long: with no higher BIC); a third takes the lower BIC, no
margin.

Usage::

    python -m benchmarks.short_series_ceiling [--noise 0.05] [--time-limit 30]

Writes ``benchmarks/results/short_series_ceiling.md``.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import NamedTuple

import numpy as np
import sympy as sp
from scipy.integrate import solve_ivp
from scipy.optimize import least_squares

from discovery import discover_system
from discovery.progress import current, track

from .real_data import header
from .short_series_problems import SAMPLES, ShortSeries, cases
from .term_coverage import term_verdict

RESULTS = Path(__file__).resolve().parent / "results"
MARGIN = 6.0  # the selection margin in BIC units, as the engine's
MAX_FITS = 200  # simulations per fit


class Row(NamedTuple):
    """One case: its right-hand sides right, both systems' BIC (None: does not simulate), the outcome, term counts."""

    name: str
    samples: int
    states: int
    right: int
    returned_bic: float | None
    truth_bic: float | None
    outcome: str
    true_terms: int
    returned_terms: int


def expanded_terms(expressions: list[sp.Expr], constants: dict) -> list[tuple[int, float, sp.Expr]]:
    """Each law's expanded sum as (law, number, term): what is fitted, and the size the selection rule compares."""
    return [
        (j, float(number), term)
        for j, expression in enumerate(expressions)
        for number, term in (
            arg.as_coeff_Mul() for arg in sp.Add.make_args(sp.expand(sp.sympify(expression).subs(constants)))
        )
    ]


def fitted_bic(expressions: list[sp.Expr], case: ShortSeries, constants: dict, inner: bool = True) -> float | None:
    """χ² + k·ln n of the laws fitted to the case's noisy trajectory by simulation (None when they do not simulate).

    ``inner``: numbers inside terms count in k (a fitted saturation constant); not for the truth, whose are known.
    """
    symbols = sp.symbols(case.system.states)
    owners, start, terms = (list(column) for column in zip(*expanded_terms(expressions, constants)))
    held = sum(len(term.atoms(sp.Float)) for term in terms) if inner else 0
    columns = sp.lambdify(symbols, terms, "numpy")
    k, n_states = len(terms), len(symbols)
    sigma = case.level * np.sqrt(np.mean(case.clean**2, axis=0))

    def rhs(_t: float, x: np.ndarray, c: np.ndarray) -> np.ndarray:
        out = np.zeros(n_states)
        np.add.at(out, owners, c * np.asarray(columns(*x), dtype=float))
        return out

    def misses(q: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            solution = solve_ivp(
                rhs, (0.0, case.t[-1]), q[k:], t_eval=case.t, args=(q[:k],), method="LSODA", rtol=1e-8, atol=1e-10
            )
        if not solution.success or solution.y.shape[1] != len(case.t) or not np.all(np.isfinite(solution.y)):
            return np.full(case.noisy.size, 1e3)
        return ((solution.y.T - case.noisy) / sigma).ravel()

    q0 = np.concatenate([start, case.noisy[0]])
    if np.all(misses(q0) == 1e3):
        return None
    fit = least_squares(misses, q0, max_nfev=MAX_FITS)
    return float(fit.fun @ fit.fun + (len(q0) + held) * np.log(fit.fun.size))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--noise", type=float, default=0.05)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    rows = []
    for case in track([c for c in cases() if c.level == args.noise], "cases"):
        system = case.system
        found = discover_system(
            case.t, case.noisy, variables=list(system.states), time_limit=args.time_limit, random_state=args.seed
        )
        constants = {sp.Symbol(name): value for name, value in system.constants.items()}
        laws = found.laws
        right = sum(
            term_verdict(laws[s].expression, truth, system.constants, laws[s].coefficients).right_terms
            for s, truth in zip(system.states, system.truth())
        )
        returned = [laws[s].expression for s in system.states]
        mine = fitted_bic(returned, case, constants)
        truth = fitted_bic(list(system.truth()), case, constants, inner=False)
        sizes = (len(expanded_terms(list(system.truth()), constants)), len(expanded_terms(returned, constants)))
        if mine is None or truth is None:
            outcome = "a system does not simulate"
        elif mine < truth - MARGIN:
            outcome = "returned preferred"
        elif truth < mine - MARGIN:
            outcome = "truth preferred"
        else:
            outcome = f"within the margin ({sizes[0]} true terms, {sizes[1]} returned)"
        rows.append(Row(system.name, case.samples, len(system.states), right, mine, truth, outcome, *sizes))
        current().write(
            f"{system.name:28s} n={case.samples:<3d} right {right}/{len(system.states)}  {outcome}", sys.stdout
        )
    table = summary(rows)
    command = " ".join(["python -m benchmarks.short_series_ceiling", *sys.argv[1:]])
    (RESULTS / "short_series_ceiling.md").write_text(f"Short-series ceiling: {header(command)}\n\n{table}")
    print(table)


def summary(rows: list[Row]) -> str:
    """Per case, then per sample count: right-hand sides right, and the most a choice that follows the fit gets."""
    lines = [
        "| system | samples | right terms | returned BIC | truth BIC | outcome |",
        "|---|---:|---:|---:|---:|---|",
    ]
    number = lambda value: "—" if value is None else f"{value:.1f}"  # noqa: E731
    for r in rows:
        lines.append(
            f"| {r.name} | {r.samples} | {r.right} / {r.states} | {number(r.returned_bic)} | {number(r.truth_bic)} "
            f"| {r.outcome} |"
        )
    lines += [
        "",
        "| samples | right terms | ceiling: right-hand sides not in a case whose wrong system is preferred "
        "| ceiling by the selection rule: the truth preferred, or within the margin and simpler "
        "| ceiling by the lower BIC, no margin |",
        "|---:|---:|---:|---:|---:|",
    ]
    for samples in SAMPLES:
        mine = [r for r in rows if r.samples == samples]
        total = sum(r.states for r in mine)
        reached = [
            sum(r.states if reaches(r) else r.right for r in mine)
            for reaches in (lambda r: r.outcome != "returned preferred", _reached_by_rule, _reached_by_lower_bic)
        ]
        lines.append(
            f"| {samples} | {sum(r.right for r in mine)} / {total} | "
            + " | ".join(f"{k} / {total}" for k in reached)
            + " |"
        )
    return "\n".join(lines) + "\n"


def _reached_by_rule(row: Row) -> bool:
    """Whether the selection rule would take the truth over the system returned (or returned it)."""
    if row.right == row.states or row.outcome == "truth preferred":
        return True
    simpler = (row.true_terms, row.truth_bic) <= (row.returned_terms, row.returned_bic)  # terms, then the criterion
    return row.outcome.startswith("within the margin") and simpler


def _reached_by_lower_bic(row: Row) -> bool:
    """Whether the truth's BIC is no higher than the returned system's (or the truth was returned)."""
    if row.right == row.states:
        return True
    return row.returned_bic is not None and row.truth_bic is not None and row.truth_bic <= row.returned_bic


if __name__ == "__main__":
    main()
