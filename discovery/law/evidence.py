"""The evidence for a law: its front neighbours' scores, and the laws other stages found that lost to it."""

from __future__ import annotations

from typing import Any

import sympy as sp

from .display import rounded
from .margins import MARGIN

# The functions take a Law (Any here: the Law class imports this module).
Law = Any


def evidence_lines(law: Law) -> list[str]:
    """The lines of :meth:`Law.evidence`: the front neighbours, then the alternatives."""
    lines = _front_lines(law)
    if law.alternatives:
        lines += alternative_lines(law)
    return lines


def _front_lines(law: Law) -> list[str]:
    chosen = next((i for i, e in enumerate(law.front) if e.chosen), None)
    if chosen is None:
        return ["evidence: no front recorded"]
    c = law.front[chosen]
    lines = [
        _front_rule(law),
        f"  chosen          BIC {c.bic:10.1f}, held-out rmse {c.cv_rmse:.4g}: {law.target} = "
        f"{sp.sstr(rounded(c.expression))}",
    ]
    for label, i in (("simpler", chosen - 1), ("more complex", chosen + 1)):
        if not 0 <= i < len(law.front):
            continue
        e = law.front[i]
        lines.append(
            f"  {label:<14}  BIC {e.bic:10.1f} ({e.bic - c.bic:+.1f}), held-out rmse {e.cv_rmse:.4g}: "
            f"{law.target} = {sp.sstr(rounded(e.expression))}"
        )
    return lines


def _front_rule(law: Law) -> str:
    """How the law was chosen from its front, and under stated errors the χ² test's result."""
    criterion = law.info.get("criterion", "bic")
    test = law.info.get("measurement_errors")
    weighted = f"the simplest law within {MARGIN['bic']:g} of the lowest weighted BIC is chosen"
    if test and test["given"] == "sigma":
        rule = (
            "the simplest law whose χ² is below the 95 % quantile on n − k degrees of freedom is chosen; "
            "'BIC' is χ² + k·log n"
            if criterion == "chi2"
            else f"no candidate is consistent with them, so {weighted}, the errors' scale estimated"
        )
        verdict = "consistent with" if test["consistent"] else "not consistent with"
        return (
            f"evidence (stated errors sigma: {rule}): the chosen law's χ² {test['chi_square']:.4g} on "
            f"{test['dof']} degrees of freedom (p = {test['p_value']:.3g}) is {verdict} them; "
            f"{test['consistent_candidates']} of {test['candidates']} candidates are"
        )
    if test:
        return f"evidence (weights: {weighted}, among {test['candidates']} candidates refitted with the weights):"
    margin = MARGIN.get(criterion, 0)
    return f"evidence (criterion {criterion}; the simplest law within {margin:g} of the lowest score is chosen):"


def alternative_lines(law: Law) -> list[str]:
    """One line per alternative: its stage, BIC on y against the chosen law's, coefficients, rmse, and why it lost."""
    own = law.info.get("bic_on_y")
    head = "laws the other stages found, not chosen (their BIC on y itself, under the noise model each fits best"
    head += f"; the chosen law's: {own:.1f}):" if own is not None else "):"
    lines = [head]
    for alt in law.alternatives:
        bic = alt.info.get("bic_on_y")
        score = "BIC          ?" if bic is None else f"BIC {bic:10.1f}"
        if bic is not None and own is not None:
            score += f" ({bic - own:+.1f})"
        lines.append(
            f"  {alt.info.get('method', '?'):<14}  {score}, {len(alt.coefficients)} coefficients, rmse {alt.rmse:.4g}: "
            f"{alt.formula}"
        )
        if "not_chosen" in alt.info:
            lines.append(f"  {'':<14}  not chosen: {alt.info['not_chosen']}")
    return lines
