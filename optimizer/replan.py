"""Repair a published roster when the day changes, with as few changed cells as possible.

Absences become leave (so `min_share` minimums follow them, as for any leave). Only the
parts (see `optimizer.solve.partition`) where the published roster now breaks a rule are
re-solved; every other part is copied as it was. In a re-solved part each free cell is
marked kept or changed: CP-SAT first finds the most cells kept, then, with that many kept,
the best roster by the usual objective. Cells before the freeze date keep their published
option, and pins stay pinned. When the repair is impossible, the reasons come from
`optimizer.explain`.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from models.days import expand_dates
from models.errors import InputIssue, InvalidInput
from models.problem import Option, Problem
from models.result import CellChange, PartReport, Result, Roster
from models.scenario import Scenario
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
from optimizer.solve import Part, PartOutcome, SolveSettings, partition, solve_part, solver_info

_SOLVED = ("optimal", "feasible")


@dataclass(frozen=True)
class Absence:
    """Someone who cannot work from `first` to `last` (both included)."""

    staff_id: str
    first: date
    last: date
    text: str  # as given, for messages

    @classmethod
    def parse(cls, text: str) -> Absence:
        """`ID:DATE` or `ID:DATE..DATE`; ValueError saying what was expected otherwise."""
        staff_id, colon, days = text.rpartition(":")
        expected = "expected ID:YYYY-MM-DD or ID:YYYY-MM-DD..YYYY-MM-DD"
        if not colon or not staff_id.strip() or not days.strip():
            raise ValueError(f"{text!r}: {expected}")
        try:
            dates = expand_dates(days.strip())
        except ValueError as error:
            raise ValueError(f"{text!r}: {error}; {expected}") from None
        return cls(staff_id.strip(), dates[0], dates[-1], text)

    def dates(self) -> list[date]:
        return expand_dates(f"{self.first}..{self.last}")


def absent_problem(
    scenario: Scenario, absences: Sequence[Absence], freeze_before: date | None = None
) -> Problem:
    """The scenario's problem with each absence as leave. Raises InvalidInput naming the
    option (`--absent`, `--freeze-before`) for an unknown id or a date outside the horizon,
    or an absence before the freeze date."""
    issues = _request_issues(scenario, absences, freeze_before)
    if issues:
        raise InvalidInput(issues)
    added: dict[str, list[str]] = defaultdict(list)
    for absence in absences:
        added[absence.staff_id].append(f"{absence.first}..{absence.last}")
    staff = tuple(
        s.model_copy(update={"leave": (*s.leave, *added[s.id])}) if s.id in added else s
        for s in scenario.staff
    )
    return Problem(scenario.model_copy(update={"staff": staff}))


def _request_issues(
    scenario: Scenario, absences: Sequence[Absence], freeze_before: date | None
) -> list[InputIssue]:
    start, end = scenario.horizon.start, scenario.horizon.end
    known = {s.id for s in scenario.staff}
    issues = []
    if freeze_before is not None and not start <= freeze_before <= end:
        issues.append(
            InputIssue(
                "",
                None,
                "--freeze-before",
                f"{freeze_before} is outside the horizon {start}..{end}",
            )
        )
    for absence in absences:
        if absence.staff_id not in known:
            message = f"{absence.text!r}: unknown staff id {absence.staff_id!r}"
        elif absence.first < start or absence.last > end:
            message = f"{absence.text!r}: the dates must lie inside the horizon {start}..{end}"
        elif freeze_before is not None and absence.first < freeze_before:
            message = (
                f"{absence.text!r} starts before --freeze-before {freeze_before}: days before "
                "the freeze date are kept as published"
            )
        else:
            continue
        issues.append(InputIssue("", None, "--absent", message))
    return issues


@dataclass(frozen=True)
class Replan:
    """A replan's outcome: `result` (status, roster, evaluation, `changes`), and when the
    repair is impossible, why: quick reasons, or minimal conflicts per part."""

    result: Result
    quick: tuple[Reason, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    repaired: tuple[tuple[str, ...], ...] = ()  # units of each part re-solved

    @property
    def changed(self) -> int:
        """Cells the replan chose to change (the absences themselves not counted)."""
        return sum(not change.absent for change in self.result.changes or ())


def replan(
    problem: Problem,
    published: Roster,
    absences: Sequence[Absence],
    freeze_before: date | None = None,
    settings: SolveSettings | None = None,
    sources: Sources = NOWHERE,
) -> Replan:
    """A roster meeting every hard rule of `problem` (see `absent_problem`) with the fewest
    cells changed from `published`, then the best objective; days before `freeze_before`
    as published."""
    started = time.monotonic()
    settings = settings or SolveSettings.from_problem(problem)
    freeze = problem.day_index[freeze_before] if freeze_before else 0
    absent = {
        (problem.person_index[a.staff_id], problem.day_index[d])
        for a in absences
        for d in a.dates()
    }
    broken = _broken_parts(problem, partition(problem), published)
    rows: dict[int, tuple[Option, ...]] = {}
    standby: dict[tuple[int, int], str] = {}
    reports, failed = [], []
    for part in broken:
        left = settings.time_limit_s - (time.monotonic() - started)
        repair = _Repair(problem, part, published, freeze, settings, max(left, 1.0))
        outcome = repair.run()
        reports.append(outcome.report)
        if outcome.report.status in _SOLVED:
            rows.update(outcome.rows)
            standby.update(outcome.standby)
        else:
            failed.append((repair, outcome.report))
    repaired = tuple(report.units for report in reports)
    if failed:
        return _unrepaired(problem, failed, repaired, reports, started, settings, sources)
    elapsed = time.monotonic() - started
    info = solver_info(settings)
    optimal = all(report.status == "optimal" for report in reports)
    roster = published.replaced(rows, standby)
    evaluation = evaluate(problem, roster)
    result = Result(
        "optimal" if optimal else "feasible",
        roster,
        evaluation.objective,
        None,
        elapsed,
        info,
        evaluation=evaluation,
        parts=tuple(reports),
        changes=_changes(published, roster, absent),
    )
    return Replan(result, repaired=repaired)


def _unrepaired(
    problem: Problem,
    failed: list[tuple[_Repair, PartReport]],
    repaired: tuple[tuple[str, ...], ...],
    reports: list[PartReport],
    started: float,
    settings: SolveSettings,
    sources: Sources,
) -> Replan:
    """No repair: why, as `piket explain` says it (quick reasons, else a minimal conflict
    per part that cannot hold), or which parts ran out of time."""
    quick = tuple(quick_reasons(problem, sources))
    conflicts: list[Conflict] = []
    if not quick:
        for repair, report in failed:
            conflict = repair.conflict(sources) if report.status == "infeasible" else None
            conflicts += [conflict] if conflict else []
    late = [report for _, report in failed if report.status != "infeasible"]
    reasons = (
        tuple(str(reason) for reason in quick)
        + tuple(str(rule) for conflict in conflicts for rule in conflict.rules)
        + tuple(f"no repair found in time for {', '.join(r.units)}" for r in late)
    )
    status = "unknown" if len(late) == len(failed) else "infeasible"
    elapsed = time.monotonic() - started
    result = Result(
        status,
        None,
        None,
        None,
        elapsed,
        solver_info(settings),
        reasons=reasons,
        parts=tuple(reports),
    )
    return Replan(result, quick, tuple(conflicts), repaired)


def _broken_parts(problem: Problem, parts: list[Part], published: Roster) -> list[Part]:
    """Parts where the published roster breaks a rule of `problem`: those with an absent
    person on site, and any the published roster already broke. A broken rule that names
    no person and no coverage figure (a standby count, say) cannot be placed in a part:
    then every part is repaired."""
    evaluation = evaluate(problem, published)
    unplaced = [v for v in evaluation.violations if v.staff_id is None and v.rule != "coverage"]
    if unplaced:
        return parts
    people = {problem.person_index[v.staff_id] for v in evaluation.violations if v.staff_id}
    short = {k for k, figure in enumerate(evaluation.coverage) if not figure.met}
    return [
        part
        for part in parts
        if people.intersection(part.people) or short.intersection(part.requirements)
    ]


def _changes(
    published: Roster, roster: Roster, absent: set[tuple[int, int]]
) -> tuple[CellChange, ...]:
    """Every cell that differs, person by person (a planner messages each person once)."""
    return tuple(
        CellChange(p, d, before, after, (p, d) in absent)
        for p, (old, new) in enumerate(zip(published.cells, roster.cells, strict=True))
        if old != new
        for d, (before, after) in enumerate(zip(old, new, strict=True))
        if before != after
    )


class _Repair:
    """One broken part: most cells kept first, then the best objective with that many kept."""

    def __init__(
        self,
        problem: Problem,
        part: Part,
        published: Roster,
        freeze: int,
        settings: SolveSettings,
        time_limit_s: float,
    ) -> None:
        self.problem = problem
        self.part = part
        self.published = {p: published.cells[p] for p in part.people}
        self.freeze = freeze
        self.settings = settings
        self.deadline = time.monotonic() + time_limit_s

    def _model(self, grouped: bool = False) -> PartModel:
        model = PartModel(self.problem, self.part.people, self.part.requirements, grouped=grouped)
        model.keep_close_to(self.published, self.freeze)
        return model

    def _left(self) -> float:
        return max(0.5, self.deadline - time.monotonic())

    def run(self) -> PartOutcome:
        model = self._model()
        model.hint(self._published_as_allowed())
        fewest = solve_part(self.problem, self.part, self.settings, model, self._left())
        if fewest.report.status not in _SOLVED:
            return fewest
        model.fix_changes(self._kept(model, fewest.rows))
        model.hint(fewest.rows)
        best = solve_part(self.problem, self.part, self.settings, model, self._left())
        if best.report.status not in _SOLVED:  # out of time: the fewest-changes roster stands
            return replace(fewest, report=replace(fewest.report, status="feasible"))
        if fewest.report.status != "optimal":  # fewest not proven: neither is the whole
            return replace(best, report=replace(best.report, status="feasible"))
        return best

    def _kept(self, model: PartModel, rows: dict[int, tuple[Option, ...]]) -> int:
        """Free cells of `rows` that keep their published option (what `kept` counts)."""
        return sum(rows[p][d] == self.published[p][d] for p, d in model.literals)

    def _published_as_allowed(self) -> dict[int, list[Option]]:
        """The published rows with each cell they can no longer hold (an absence) set to
        what it must be: a hint CP-SAT repairs from."""
        rows = {}
        for p, row in self.published.items():
            cells = self.problem.pinned_options(p)
            rows[p] = [
                o if o in cell or not cell else cell[0] for o, cell in zip(row, cells, strict=True)
            ]
        return rows

    def conflict(self, sources: Sources) -> Conflict | None:
        return minimal_conflict(
            self._model(grouped=True), self._left(), self.settings.worker_count, sources
        )
