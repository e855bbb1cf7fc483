"""Why one cell of a roster holds what it holds, and what the alternative would cost.

The rules that bind the cell are read from the roster as the checker judges it: the
coverage rules that count the person that day (with their margin), the pool's WFA
fairness, a pin, a request, the calendar, the weekly minimum. The cost of the alternative
(WFA, by default) comes from a re-solve of the person's part with that cell pinned: the
other parts stay as they are in the roster, and each objective term is compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from models.errors import InputIssue, InvalidInput
from models.problem import OFF, ONSITE, WFA, WFA_OPTION, Option, Problem
from models.result import CellChange, Evaluation, Roster, Violation
from models.scenario import Pin, Scenario
from optimizer.check import evaluate
from optimizer.explain import (
    NOWHERE,
    Conflict,
    Reason,
    Sources,
    minimal_conflict,
    quick_reasons,
)
from optimizer.model import PartModel
from optimizer.solve import (
    Part,
    PartOutcome,
    SolveSettings,
    partition,
    prepare_part,
    solve_part,
)


@dataclass(frozen=True)
class Alternative:
    """The cell given `option` instead, by a re-solve of the person's part.

    `status`: optimal/feasible (a roster exists), infeasible (then `quick`/`conflict` say
    why), unknown (out of time), `not allowed` (the cell can never hold it: `why_not`) or
    `current` (the roster already gives it)."""

    option: Option
    status: str
    why_not: str | None = None
    term_deltas: dict[str, int] | None = None  # each objective term: alternative - roster
    objective_delta: int | None = None
    changes: tuple[CellChange, ...] = ()  # other cells the re-solved roster changes
    quick: tuple[Reason, ...] = ()
    conflict: Conflict | None = None

    def as_json(self, problem: Problem) -> dict[str, Any]:
        return {
            "option": str(self.option),
            "status": self.status,
            "why_not": self.why_not,
            "term_deltas": self.term_deltas,
            "objective_delta": self.objective_delta,
            "changes": [change.as_json(problem) for change in self.changes],
            "quick": [reason.as_json() for reason in self.quick],
            "conflict": self.conflict.as_json() if self.conflict else None,
        }


@dataclass(frozen=True)
class CellWhy:
    person: int
    day: int
    option: Option
    reasons: tuple[str, ...]  # what binds the cell, in planner language
    alternative: Alternative

    def as_json(self, problem: Problem) -> dict[str, Any]:
        staff = problem.people[self.person]
        return {
            "staff_id": staff.id,
            "name": staff.name,
            "unit": staff.unit,
            "date": problem.days[self.day].date.isoformat(),
            "status": str(self.option),
            "reasons": list(self.reasons),
            "instead": self.alternative.as_json(problem),
        }


def parse_option(text: str) -> Option:
    """`wfa`, `off` or `onsite:SHIFT` (what a cell could be instead); ValueError otherwise."""
    status, _, shift = text.strip().partition(":")
    if status in (WFA, OFF) and not shift:
        return Option(status)
    if status == ONSITE and shift:
        return Option(ONSITE, shift)
    raise ValueError(f"{text!r}: expected wfa, off or onsite:SHIFT")


def why(
    scenario: Scenario,
    problem: Problem,
    roster: Roster,
    staff_id: str,
    on: date,
    instead: Option = WFA_OPTION,
    settings: SolveSettings | None = None,
    sources: Sources = NOWHERE,
) -> CellWhy:
    """Explain the cell (`staff_id`, `on`) of `roster`. Raises InvalidInput naming the
    option (`--staff`, `--date`) for an unknown id or a date outside the horizon."""
    issues = []
    if staff_id not in problem.person_index:
        issues.append(InputIssue("", None, "--staff", f"unknown staff id {staff_id!r}"))
    if on not in problem.day_index:
        first, last = problem.days[0].date, problem.days[-1].date
        issues.append(
            InputIssue("", None, "--date", f"{on} is outside the horizon {first}..{last}")
        )
    if issues:
        raise InvalidInput(issues)
    p, d = problem.person_index[staff_id], problem.day_index[on]
    evaluation = evaluate(problem, roster)
    reasons = _Binding(problem, roster, evaluation, p, d, sources).reasons()
    alternative = _alternative(
        scenario, problem, roster, evaluation, p, d, instead, settings, sources
    )
    return CellWhy(p, d, roster.cells[p][d], tuple(reasons), alternative)


class _Binding:
    """The rules that hold one cell where it is, read from a judged roster."""

    def __init__(
        self,
        problem: Problem,
        roster: Roster,
        evaluation: Evaluation,
        person: int,
        day: int,
        sources: Sources,
    ) -> None:
        self.problem = problem
        self.roster = roster
        self.evaluation = evaluation
        self.p, self.d = person, day
        self.staff = problem.people[person]
        self.option = roster.cells[person][day]
        self.sources = sources

    def reasons(self) -> list[str]:
        return [
            *self._cell(),
            *self._pins(),
            *self._requests(),
            *self._coverage(),
            *self._week(),
            *self._fairness(),
        ]

    def _cell(self) -> list[str]:
        """What the calendar, leave and eligibility leave open for this cell."""
        cell = self.problem.options[self.p][self.d]
        day = self.problem.days[self.d]
        if self.option not in cell:
            found = [v.message for v in self._violations() if v.rule not in ("coverage",)]
            return [f"this cell breaks a rule: {found[0] if found else 'not allowed that day'}"]
        if len(cell) > 1:
            options = [str(o) for o in cell]
            return [f"the cell could be {', '.join(options[:-1])} or {options[-1]}"]
        if self.d in self.staff.leave:
            return ["on leave that day (the staff file's leave)"]
        unit = self.problem.units[self.staff.unit]
        if unit.schedule == "office" and day.is_working:
            if not day.is_wfa:
                gap = "not one of the WFA days"
            else:
                gap = "a WFA day, but this person is not WFA-eligible"
            return [f"an office working day for {unit.id}, {gap}: the cell can only be {cell[0]}"]
        return [f"the calendar leaves this cell only {cell[0]}"]

    def _violations(self) -> list[Violation]:
        iso = self.problem.days[self.d].date.isoformat()
        return [
            v for v in self.evaluation.violations if v.staff_id == self.staff.id and v.date == iso
        ]

    def _pins(self) -> list[str]:
        out = []
        for pin in self.problem.pins:
            if (pin.person, pin.day) == (self.p, self.d):
                where = ", ".join(x.short() for x in self.sources.pin(self.problem, pin))
                shift = f":{pin.shift}" if pin.shift else ""
                out.append(f"pinned {pin.status}{shift}" + (f" [{where}]" if where else ""))
        return out

    def _requests(self) -> list[str]:
        out = []
        for request in self.problem.requests:
            if (request.person, request.day) == (self.p, self.d):
                kept = "honoured" if request.honoured_by(self.option) else "not honoured"
                shift = f":{request.shift}" if request.shift else ""
                out.append(f"asked for {request.want}{shift} (weight {request.weight}): {kept}")
        return out

    def _coverage(self) -> list[str]:
        """Each coverage rule counting this person that day in their shift, with its margin."""
        if self.option.status != ONSITE:
            return []
        out = []
        for req, figure in zip(self.problem.requirements, self.evaluation.coverage, strict=True):
            if req.day != self.d or req.shift != self.option.shift or self.p not in req.members:
                continue
            if req.min == 0:
                continue
            margin = figure.onsite - figure.required
            where = " / ".join(part for part in (req.unit, req.site, req.shift) if part)
            where += f" (skill {req.skill})" if req.skill else ""
            if margin <= 0:
                bind = "binding: without this person it falls short"
            else:
                bind = f"{margin} to spare"
            out.append(
                f"coverage: {where} needs at least {figure.required} on site (rule "
                f"{req.rule_id}); {figure.onsite} {'is' if figure.onsite == 1 else 'are'}, {bind}"
            )
        if not out:
            out.append(f"no coverage rule counts this person in {self.option.shift} that day")
        return out

    def _week(self) -> list[str]:
        """The contracted weekly minimum, when the person works exactly that many shifts."""
        if self.option.status != ONSITE:
            return []
        for week in self.problem.weeks:
            if self.d not in week:
                continue
            needed = self.problem.weekly_minimum(self.p, week)
            worked = sum(self.roster.cells[self.p][e].status == ONSITE for e in week)
            if needed is not None and needed > 0 and worked <= needed:
                first = self.problem.days[week[0]].date
                return [
                    f"min_shifts_per_week: {worked} shifts in the week of {first}, the "
                    f"minimum is {needed}: binding"
                ]
        return []

    def _fairness(self) -> list[str]:
        available = self.problem.available_wfa_days(self.p)
        if not available:
            return []
        pool = self.problem.pool_of(self.staff)
        figure = self.evaluation.fairness.get(pool)
        got = sum(o.status == WFA for o in self.roster.cells[self.p])
        history = f", history {self.staff.history}" if self.staff.history else ""
        if figure is None:
            return []
        return [
            f"WFA fairness in pool {pool}: {got} WFA day(s) of {available} available"
            f"{history}; the pool's {figure.eligible} eligible have {figure.wfa_days_min}.."
            f"{figure.wfa_days_max}, mean {figure.wfa_days_mean:.2f}"
        ]


def _alternative(
    scenario: Scenario,
    problem: Problem,
    roster: Roster,
    evaluation: Evaluation,
    p: int,
    d: int,
    instead: Option,
    settings: SolveSettings | None,
    sources: Sources,
) -> Alternative:
    if roster.cells[p][d] == instead:
        return Alternative(instead, "current")
    if instead not in problem.options[p][d]:
        return Alternative(instead, "not allowed", _why_not(problem, roster, p, d, instead))
    staff = problem.people[p]
    pin = Pin.model_validate(
        {
            "staff": staff.id,
            "date": problem.days[d].date,
            "status": instead.status,
            "shift": instead.shift,
        }
    )
    forced = Problem(scenario.model_copy(update={"pins": (*scenario.pins, pin)}))
    settings = settings or SolveSettings.from_problem(forced)
    part = next(part for part in partition(forced) if p in part.people)
    outcome = _closest_optimum(forced, part, roster, settings)
    status = outcome.report.status
    if status == "infeasible":
        return _infeasible(instead, forced, part, settings, sources)
    if status not in ("optimal", "feasible"):
        return Alternative(instead, status)
    changed = roster.replaced(outcome.rows, outcome.standby)
    after = evaluate(problem, changed)
    return Alternative(
        instead,
        status,
        term_deltas={name: after.terms[name] - value for name, value in evaluation.terms.items()},
        objective_delta=after.objective - evaluation.objective,
        changes=tuple(
            CellChange(q, e, roster.cells[q][e], changed.cells[q][e], False)
            for q in part.people
            for e in range(len(problem.days))
            if roster.cells[q][e] != changed.cells[q][e] and (q, e) != (p, d)
        ),
    )


def _closest_optimum(
    problem: Problem, part: Part, roster: Roster, settings: SolveSettings
) -> PartOutcome:
    """The best roster of the part (with the forced cell), and among rosters as good the
    one closest to `roster`: where many are equally good (WFA days swapped between
    alike people), a plain re-solve reshuffles cells that have nothing to do with the
    question. The report's objective and status are those of the best roster."""
    model = prepare_part(problem, part)
    best = solve_part(problem, part, settings, model)
    if best.report.status not in ("optimal", "feasible") or best.report.objective is None:
        return best
    model.objective_at_most(best.report.objective)
    model.keep_close_to({q: roster.cells[q] for q in part.people}, frozen_before=0)
    model.hint(best.rows)
    closest = solve_part(problem, part, settings, model)
    if closest.report.status not in ("optimal", "feasible"):
        return best
    return PartOutcome(best.report, closest.rows, standby=closest.standby)


def _why_not(problem: Problem, roster: Roster, p: int, d: int, instead: Option) -> str:
    """The checker's words for the cell holding `instead` (eligibility, calendar, leave)."""
    row = list(roster.cells[p])
    row[d] = instead
    iso = problem.days[d].date.isoformat()
    staff_id = problem.people[p].id
    for violation in evaluate(problem, roster.replaced({p: row})).violations:
        if violation.staff_id == staff_id and violation.date == iso:
            return violation.message
    allowed = ", ".join(str(o) for o in problem.options[p][d])
    return f"that day allows only {allowed}"


def _infeasible(
    instead: Option, problem: Problem, part: Part, settings: SolveSettings, sources: Sources
) -> Alternative:
    """Why the cell cannot hold `instead`: quick reasons, else a minimal conflict."""
    quick = tuple(quick_reasons(problem, sources))
    if quick:
        return Alternative(instead, "infeasible", quick=quick)
    model = PartModel(problem, part.people, part.requirements, grouped=True)
    conflict = minimal_conflict(model, settings.time_limit_s, settings.worker_count, sources)
    return Alternative(instead, "infeasible", conflict=conflict)
