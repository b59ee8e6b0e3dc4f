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


def term_count(expressions: list[sp.Expr], constants: dict) -> int:
    """The terms of the laws' expanded sums: the size the selection rule compares within the margin."""
    return sum(len(sp.Add.make_args(sp.expand(sp.sympify(e).subs(constants)))) for e in expressions)


def fitted_bic(expressions: list[sp.Expr], case: ShortSeries, constants: dict, inner: bool = True) -> float | None:
    """χ² + k·ln n of the laws fitted to the case's noisy trajectory by simulation (None when they do not simulate).

    ``inner``: numbers inside terms count in k (a fitted saturation constant); not for the truth, whose are known.
    """
    symbols = sp.symbols(case.system.states)
    terms, owners, start, held = [], [], [], 0
    for j, expression in enumerate(expressions):
        for arg in sp.Add.make_args(sp.expand(sp.sympify(expression).subs(constants))):
            number, term = arg.as_coeff_Mul()
            terms.append(term)
            owners.append(j)
            start.append(float(number))
            held += len(term.atoms(sp.Float)) if inner else 0
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
        sizes = (term_count(list(system.truth()), constants), term_count(returned, constants))
        if mine is None or truth is None:
            outcome = "a system does not simulate"
        elif mine < truth - MARGIN:
            outcome = "returned preferred"
        elif truth < mine - MARGIN:
            outcome = "truth preferred"
        else:
            outcome = f"within the margin ({sizes[0]} true terms, {sizes[1]} returned)"
        rows.append((system.name, case.samples, len(system.states), right, mine, truth, outcome, sizes))
        current().write(
            f"{system.name:28s} n={case.samples:<3d} right {right}/{len(system.states)}  {outcome}", sys.stdout
        )
    table = summary(rows)
    command = " ".join(["python -m benchmarks.short_series_ceiling", *sys.argv[1:]])
    (RESULTS / "short_series_ceiling.md").write_text(f"Short-series ceiling: {header(command)}\n\n{table}")
    print(table)


def summary(rows: list[tuple]) -> str:
    """Per case, then per sample count: right-hand sides right, and the most a choice that follows the fit gets."""
    lines = [
        "| system | samples | right terms | returned BIC | truth BIC | outcome |",
        "|---|---:|---:|---:|---:|---|",
    ]
    number = lambda value: "—" if value is None else f"{value:.1f}"  # noqa: E731
    for name, samples, states, right, mine, truth, outcome, _ in rows:
        lines.append(f"| {name} | {samples} | {right} / {states} | {number(mine)} | {number(truth)} | {outcome} |")
    lines += [
        "",
        "| samples | right terms | ceiling: right-hand sides not in a case whose wrong system is preferred "
        "| ceiling by the selection rule: the truth preferred, or within the margin and simpler "
        "| ceiling by the lower BIC, no margin |",
        "|---:|---:|---:|---:|---:|",
    ]
    for samples in SAMPLES:
        mine = [r for r in rows if r[1] == samples]
        total = sum(r[2] for r in mine)
        lost = sum(r[2] - r[3] for r in mine if r[6] == "returned preferred")
        ruled = sum(r[2] - r[3] for r in mine if not _reached_by_rule(r))
        lower = sum(r[2] - r[3] for r in mine if r[2] != r[3] and (r[4] is None or r[5] is None or r[5] > r[4]))
        right = sum(r[3] for r in mine)
        lines.append(
            f"| {samples} | {right} / {total} | {total - lost} / {total} | {total - ruled} / {total} "
            f"| {total - lower} / {total} |"
        )
    return "\n".join(lines) + "\n"


def _reached_by_rule(row: tuple) -> bool:
    """Whether the selection rule would take the truth over the system returned (or returned it)."""
    _, _, states, right, mine, truth, outcome, (true_terms, returned_terms) = row
    if right == states or outcome == "truth preferred":
        return True
    simpler = (true_terms, truth) <= (returned_terms, mine)  # the rule's order: terms, then the criterion
    return outcome.startswith("within the margin") and simpler


if __name__ == "__main__":
    main()
