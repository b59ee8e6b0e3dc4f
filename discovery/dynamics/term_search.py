"""The term search on the trajectories: each state's law replaced where the refitted system is preferred.

Around a trajectory fit (:mod:`discovery.dynamics.trajectory_fit`) a trial
law for one state is fitted as a whole system by simulation; it replaces the
current law when it matches where the current laws did not, or when it is
the simpler within the selection margin of the better extended BIC. The
trials are terms dropped, proposals from the linearised problem
(:mod:`discovery.dynamics.restructure`) and each state's alternatives;
:mod:`discovery.dynamics.matching` runs them in that order.
"""

from __future__ import annotations

import dataclasses
import time as clock
from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy as sp

from ..law.margins import MARGIN
from .fit_parameters import Reached, with_saturation_constants
from .restructure import FitPoint, preferred, propose, ranked, refitted, structure_criterion
from .sensitivity import evaluated
from .terms import saturation_constants
from .trajectory_fit import EVALUATIONS_PER_SAMPLE, FitContext, MatchedState, fit_by_simulation

SEARCH_PASSES = 2  # passes of the term search over the states: a law replaced changes what the others need
LONGER_ALTERNATIVES = 1  # terms an alternative may have beyond the law it would replace: the fit prunes the extra


@dataclasses.dataclass
class TermSearch:
    """The term search's state: the current laws (matched or not), their fit, and each replaced law's terms."""

    context: FitContext
    library: list[sp.Expr]
    max_terms: int
    matched: dict[int, MatchedState] | None
    info: dict[str, Any]
    reached: Reached
    before: dict[str, str] = dataclasses.field(default_factory=dict)
    fitted: list[tuple[int, frozenset[str], float, str]] = dataclasses.field(default_factory=list)  # trials

    def __post_init__(self) -> None:
        if self.matched is not None:  # the laws the search starts from are a matching system too
            criterion = system_criterion(self.reached, len(self.library))
            self.fitted += [(j, _structure(law), criterion, _written(law)) for j, law in enumerate(self.reached.laws)]

    def fits_exactly(self) -> bool:
        """Whether the current laws match the trajectories within the simulations' precision."""
        return self.matched is not None and self.reached.rss <= self.reached.n * self.reached.floor

    def out_of_time(self) -> bool:
        return self.context.deadline is not None and clock.perf_counter() > self.context.deadline

    def tried(self, j: int, terms: list[sp.Expr], values: list[float]) -> bool:
        """Fit the system with state j's law made of ``terms``; keep it if preferred."""
        context, reached = self.context, self.reached
        others = [(i, term, value) for i, law in enumerate(reached.laws) if i != j for term, value in law]
        trial = with_saturation_constants(
            [term for _, term, _ in others] + terms,
            [i for i, _, _ in others] + [j] * len(terms),
            [value for _, _, value in others] + values,
        )
        laws, trial_info, trial_reached = fit_by_simulation(trial, list(range(len(context.data.states))), context)
        if trial_reached is None or (laws is None and self.matched is not None):
            return False
        size = len(self.library)
        criteria = [system_criterion(reached, size), system_criterion(trial_reached, size)]
        if laws is not None:
            law = trial_reached.laws[j]
            self.fitted.append((j, _structure(law), criteria[1], _written(law)))
        sizes = [system_size(reached), system_size(trial_reached)]
        if not ((self.matched is None and laws is not None) or preferred(criteria, sizes) == 1):
            return False
        self.before.setdefault(context.data.states[j], written_terms(reached.laws[j]))
        self.matched, self.info, self.reached = laws, trial_info, trial_reached
        return True

    def around(self, reached: Reached) -> FitPoint:
        context = self.context
        return FitPoint(
            reached.laws,
            context.data,
            reached.starts,
            context.sigma,
            context.constants,
            rtol=context.rtol,
            atol=context.atol(context.rms),
            evaluations_per_sample=EVALUATIONS_PER_SAMPLE,
        )

    def result(self) -> tuple[dict[int, MatchedState] | None, dict[str, Any]]:
        info = dict(self.info)
        if self.before:
            info["restructured"] = self.before
        if self.matched is not None:
            indistinct = self.indistinct()
            if indistinct:
                info["indistinct"] = indistinct
        return self.matched, info

    def indistinct(self) -> dict[str, list[str]]:
        """Each state's other laws whose matching system is within the selection margin of the one kept.

        Not the kept law with terms added (the extended BIC declined those terms, as pruning does), nor the
        kept law with other saturation constants (their own fit's business: ``constants_held``).
        """
        best = system_criterion(self.reached, len(self.library))
        out: dict[str, list[str]] = {}
        kept = [_structure(law) for law in self.reached.laws]
        seen = set(enumerate(kept))
        for j, law, criterion, written in sorted(self.fitted, key=lambda trial: trial[2]):
            if (j, law) not in seen and not law > kept[j] and criterion - best <= MARGIN["bic"]:
                seen.add((j, law))
                out.setdefault(self.context.data.states[j], []).append(
                    f"{written} (extended BIC {criterion - best:+.1f})"
                )
        return out

    def drop_terms(self) -> bool:
        """While the laws miss, drop terms one at a time, the smallest first; False when out of time."""
        while self.matched is None:
            reached = self.reached
            laws = reached.laws
            order = sorted(
                ((j, k) for j, law in enumerate(laws) if len(law) > 1 for k in range(len(law))),
                key=lambda jk: _contribution(*laws[jk[0]][jk[1]], self.context),
            )
            for j, k in order:
                if self.out_of_time():
                    return False
                terms = [term for i, (term, _) in enumerate(laws[j]) if i != k]
                values = refitted(self.around(reached), j, terms)
                if values is None:
                    values = np.array([value for i, (_, value) in enumerate(laws[j]) if i != k])
                if self.tried(j, terms, list(values)):
                    break
            else:
                break  # no term's removal helps
        return True

    def try_alternatives(self, alternatives: list[list[sp.Expr]]) -> None:
        """Each state's alternative laws (up to LONGER_ALTERNATIVES terms longer than its own), best first on the
        linearised problem, each fitted.

        Each starts from the linearised problem's coefficients (an alternative's own come from derivatives
        or windows, and a system simulated from them can diverge), else from its own. Laws that fit the
        trajectories exactly (within the simulations' precision) are not questioned.
        """
        if self.fits_exactly():
            return
        for j, expressions in enumerate(alternatives):
            own = {}
            current = self.reached.laws[j]
            for expression in expressions:
                pairs = [arg.as_coeff_Mul()[::-1] for arg in sp.Add.make_args(sp.expand(expression))]
                if len(pairs) <= len(current) + LONGER_ALTERNATIVES:  # the fit prunes what the data do not need
                    own.setdefault(frozenset(term for term, _ in pairs), pairs)
            own.pop(frozenset(term for term, _ in current), None)
            if self.out_of_time():
                return
            if not own:
                continue
            order = ranked(
                self.around(self.reached), j, [[t for t, _ in pairs] for pairs in own.values()], self.reached.floor
            )
            for terms, stepped in order:
                if self.out_of_time():
                    return
                if stepped is not None and self.tried(j, terms, [float(v) for v in stepped]):
                    continue
                if not self.out_of_time():
                    self.tried(j, terms, [float(v) for _, v in own[frozenset(terms)]])

    def propose_terms(self) -> None:
        """Up to SEARCH_PASSES passes over the states, each state's law offered the linearised proposal."""
        for _ in range(SEARCH_PASSES):
            changed = False
            for j in range(len(self.context.data.states)):
                if self.out_of_time():
                    return
                reached = self.reached
                proposal = propose(self.around(reached), j, self.library, self.max_terms, reached.floor)
                if proposal is not None and self.tried(j, proposal.terms, list(proposal.values)):
                    changed = True
            if not changed:
                break


def system_criterion(reached: Reached, library_size: int) -> float:
    """The extended BIC of the system a fit reached."""
    laws = [len(law) for law in reached.laws]
    return structure_criterion(reached.rss, reached.n, reached.n_free, reached.floor, library_size, laws)


def _contribution(term: sp.Expr, value: float, context: FitContext) -> float:
    """RMS of value·term over the data: how much of its law a term carries."""
    names = (*context.data.states, *context.data.inputs)
    values = np.concatenate(
        [evaluated(term, tr.columns(names), context.constants, len(tr.t)) for tr in context.data.items]
    )
    return float(abs(value) * np.sqrt(np.mean(values**2))) if np.all(np.isfinite(values)) else np.inf


def system_size(reached: Reached) -> tuple[int, int]:
    """The system's terms, then the constants fitted inside them (a saturation constant not held or snapped)."""
    laws = reached.laws
    return sum(len(law) for law in laws), sum(len(term.atoms(sp.Float)) for law in laws for term, _ in law)


def _structure(law: Sequence[tuple[sp.Expr, float]]) -> frozenset[str]:
    """A law's terms, without coefficients or saturation constants: laws that differ only in those are one."""
    return frozenset(str(saturation_constants(term)[0]) for term, _ in law)


def written_terms(law: Sequence[tuple[sp.Expr, float]]) -> str:
    """A law's terms in its order, without coefficients: what ``"restructured"`` names as a law's terms before."""
    return " + ".join(str(term) for term, _ in law)


def _written(law: Sequence[tuple[sp.Expr, float]]) -> str:
    """A law's terms as one line, without coefficients."""
    return " + ".join(sorted(str(term) for term, _ in law))
