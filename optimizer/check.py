"""The independent checker: a roster and a `Problem` -> violations, figures and objective.

Independent of the CP-SAT model by design (by design): it imports nothing from `optimizer/`
and never `ortools`, and it recomputes everything from the facts in `Problem` in plain
Python, so a bug in the model cannot hide itself by being repeated here. In particular rest
and overlap come from the shift times, not from `Problem.rest_conflicts`.

Violation `rule` names (stable; callers may group or filter by them):
  missing      a person-day without a status (a roster CSV with no row for it)
  status       a status that is not onsite/wfa/off/leave
  leave        not `leave` on a leave day, or `leave` on a day that is not a leave day
  calendar     office staff `off` on a working day, or on site on a non-working day that no
               coverage rule of their unit covers in that shift
  wfa          WFA on a day outside `wfa_days`, or for someone not WFA-eligible
  shift        on site without a shift or in a shift the unit does not work, a shift given
               with a status that is not onsite
  cell         any other option `Problem.options` does not allow (a safety net)
  pin          a pinned cell holding something else
  coverage     fewer on site than a requirement's min, or more than its max
  standby      a standby not on WFA, not matching the rule's unit, site or skill, named for
               a rule that asks for none that day, or a rule with more or fewer than it asks
  resilient    a `resilient` rule that one absence on site would break (no margin above
               the minimum and no standby)
  overlap      two on-site shifts of one person overlap in time
  rest         less than the unit's min_rest_hours between two on-site shifts
  max_consecutive_onsite_days, max_onsite_days, min_shifts_per_week, max_shifts_per_week
  succession   a shift on the day after one whose `not_followed_by` names it
  max_shifts_per_type, min_work_minutes, max_work_minutes, min_consecutive_onsite_days,
  min_consecutive_days_off, max_weekends_worked
               a person's hospital-grade rules (the unit's, or the person's own)

A person-day the roster does not give is the option `MISSING` (status "missing"), so a
hand-edited roster with a lost row is judged, not rejected: it is a hard-rule violation.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from models.errors import InputIssue, InvalidInput
from models.problem import (
    LEAVE,
    MINUTES_PER_DAY,
    OFF,
    ONSITE,
    WFA,
    WFA_OPTION,
    Day,
    Option,
    Person,
    Problem,
    Requirement,
    UnitSpec,
)
from models.result import (
    CoverageFigure,
    Evaluation,
    PoolFairness,
    ResilienceFigure,
    Roster,
    StandbyFigure,
    Violation,
)

MISSING_STATUS = "missing"
MISSING = Option(MISSING_STATUS)
STATUSES = (ONSITE, WFA, OFF, LEAVE)
TERM_NAMES = ("wfa_fairness", "holiday_duty", "night_shifts", "targets", "requests", "onsite_days")

Cells = tuple[tuple[Option, ...], ...]


# --- evaluate --------------------------------------------------------------------------


def evaluate(problem: Problem, roster: Roster) -> Evaluation:
    """Judge `roster` against every hard rule and recompute the objective.

    The objective is computed even when rules are broken: it still says how good the
    roster is otherwise, though the format only ranks valid rosters by it.
    """
    cells = roster.cells
    _check_shape(problem, cells)
    onsite = [_onsite_count(req, cells) for req in problem.requirements]
    open_wfa = wfa_open_days(problem)
    named = _named_standby(problem, roster)
    able = _stepping_in(problem, named, cells)
    violations = [
        *_cell_violations(problem, cells),
        *_pin_violations(problem, cells),
        *_coverage_violations(problem, onsite),
        *_standby_violations(problem, roster, named),
        *_resilience_violations(problem, onsite, able),
        *_rest_violations(problem, cells),
        *_run_violations(problem, cells),
        *_weekly_violations(problem, cells),
        *_succession_violations(problem, cells),
        *_workload_violations(problem, cells),
        *_min_run_violations(problem, cells),
    ]
    standby_days = _standby_days(problem, roster, open_wfa)
    terms = objective_terms(problem, cells, onsite, open_wfa, standby_days)
    return Evaluation(
        violations=tuple(violations),
        coverage=_coverage_figures(problem, onsite),
        fairness=fairness_figures(problem, cells, open_wfa),
        terms=terms,
        objective=objective_of(problem, terms),
        wfa_person_days=_wfa_person_days(problem, cells),
        resilience=_resilience_figures(problem, onsite, able),
        standby=_standby_figures(problem, named),
        burden=tuple(
            problem.burden_in_days(_missed_wfa(row, open_days), days)
            for row, open_days, days in zip(cells, open_wfa, standby_days, strict=True)
        ),
    )


def _check_shape(problem: Problem, cells: Cells) -> None:
    # A roster for another problem is a programming error, not a rule violation.
    if len(cells) != len(problem.people) or any(len(row) != len(problem.days) for row in cells):
        raise ValueError(f"roster is not {len(problem.people)} people x {len(problem.days)} days")


def _who(person: Person) -> str:
    return f"{person.name} ({person.id})"


def _iso(problem: Problem, day: int) -> str:
    return problem.days[day].date.isoformat()


def _violation(rule: str, message: str, person: Person | None, day: str | None) -> Violation:
    return Violation(rule, message, person.id if person else None, day)


def _moment(problem: Problem, minute: int) -> str:
    """`2025-12-23 08:00` for a minute counted from the horizon's first midnight."""
    day, clock = divmod(minute, MINUTES_PER_DAY)
    when = problem.days[0].date + timedelta(days=day)  # may run past the horizon's end
    return f"{when} {clock // 60:02d}:{clock % 60:02d}"


# --- cells -----------------------------------------------------------------------------


def _cell_violations(problem: Problem, cells: Cells) -> Iterator[Violation]:
    for person, row, allowed_row in zip(problem.people, cells, problem.options, strict=True):
        for day, option, allowed in zip(problem.days, row, allowed_row, strict=True):
            if option in allowed:  # the common case: nothing to explain
                continue
            if option.status == MISSING_STATUS:
                rule, message = "missing", f"no status for {_who(person)} on {day.date}"
            else:
                rule, why = _cell_reason(problem, person, day, option)
                message = f"{_who(person)} on {day.date}: {why}"
            yield _violation(rule, message, person, day.date.isoformat())


def _cell_reason(problem: Problem, person: Person, day: Day, option: Option) -> tuple[str, str]:
    """Why `option` is not allowed in this cell, by case, as (rule, planner text).

    Only called for options outside `Problem.options`; the cases follow the format's "What each
    day can be", most specific first, so the planner reads the real cause.
    """
    unit = problem.units[person.unit]
    status, shift = option.status, option.shift
    if status not in STATUSES:
        return "status", f"status {status!r} is not one of {', '.join(STATUSES)}"
    if status != ONSITE and shift is not None:
        return "shift", f"given {status} with shift {shift}; a shift is only given when on site"
    on_leave = day.index in person.leave
    if on_leave:
        return "leave", f"on leave that day but given {option}; leave days must be `leave`"
    if status == LEAVE:
        return "leave", "given leave on a day that is not one of their leave days"
    if status == ONSITE:
        return _onsite_reason(problem, person, unit, day, shift)
    if status == OFF and unit.schedule == "office" and day.is_working:
        return "calendar", (
            f"office unit {unit.id} works on this working day, so {person.name} cannot be "
            "`off`: give onsite or (on a WFA day, if eligible) wfa"
        )
    if status == WFA and not day.is_wfa:
        return "wfa", "given wfa, but WFA may only be granted on a wfa_days day"
    if status == WFA and not person.wfa_eligible:
        return "wfa", "given wfa, but this person is not WFA-eligible"
    allowed = ", ".join(str(o) for o in problem.options[person.index][day.index])
    return "cell", f"given {option}, which this day does not allow (allowed: {allowed})"


def _onsite_reason(
    problem: Problem, person: Person, unit: UnitSpec, day: Day, shift: str | None
) -> tuple[str, str]:
    if shift is None:
        return "shift", "on site without a shift"
    if shift not in unit.shifts:
        return "shift", (
            f"on site in {shift}, which is not one of unit {unit.id}'s shifts "
            f"({', '.join(unit.shifts)})"
        )
    if (person.rules.max_shifts_per_type or {}).get(shift) == 0:
        return "max_shifts_per_type", (
            f"on site in {shift}, which this person may not work at all "
            f"({_whose(problem, person, 'max_shifts_per_type')} max_shifts_per_type {shift}=0)"
        )
    if unit.schedule == "office" and not day.is_working:
        return "calendar", (
            f"on site in {shift} on a non-working day ({_day_kind(day)}); office staff of "
            f"{unit.id} may be on site then only where a coverage rule of {unit.id} asks for "
            f"{shift} that day, and none does"
        )
    allowed = ", ".join(str(o) for o in problem.options[person.index][day.index])
    return "cell", f"given onsite:{shift}, which this day does not allow (allowed: {allowed})"


def _day_kind(day: Day) -> str:
    if day.holiday:
        return f"holiday {day.holiday}"
    if day.collective_leave:
        return f"collective leave {day.collective_leave}"
    return f"weekend, {day.weekday}"


# --- pins ------------------------------------------------------------------------------


def _pin_violations(problem: Problem, cells: Cells) -> Iterator[Violation]:
    for pin in problem.pins:
        option = cells[pin.person][pin.day]
        if pin.allows(option):
            continue
        person = problem.people[pin.person]
        wanted = f"{pin.status}:{pin.shift}" if pin.shift else pin.status
        on = _iso(problem, pin.day)
        message = f"{_who(person)} on {on}: pinned to {wanted}, roster gives {option}"
        yield _violation("pin", message, person, on)


# --- coverage --------------------------------------------------------------------------


def _onsite_count(req: Requirement, cells: Cells) -> int:
    count = 0
    for member in req.members:
        option = cells[member][req.day]
        if option.status == ONSITE and option.shift == req.shift:
            count += 1
    return count


def _where(req: Requirement) -> str:
    return "/".join(part for part in (req.unit, req.site, req.skill) if part)


def _coverage_violations(problem: Problem, onsite: list[int]) -> Iterator[Violation]:
    for req, count in zip(problem.requirements, onsite, strict=True):
        if count < req.min:
            demand = f"needs at least {req.min}"
        elif req.max is not None and count > req.max:
            demand = f"allows at most {req.max}"
        else:
            continue
        on = _iso(problem, req.day)
        message = f"{_where(req)} {req.shift} on {on}: {count} on site, rule {req.rule_id} {demand}"
        yield _violation("coverage", message, None, on)


def _rule_day(problem: Problem, req: Requirement) -> dict[str, Any]:
    """The fields every figure about one requirement starts with (models.result.RuleDay)."""
    return {
        "requirement": req.rule_id,
        "unit": req.unit,
        "site": req.site,
        "skill": req.skill,
        "shift": req.shift,
        "date": _iso(problem, req.day),
    }


def _coverage_figures(problem: Problem, onsite: list[int]) -> tuple[CoverageFigure, ...]:
    return tuple(
        CoverageFigure(
            **_rule_day(problem, req),
            required=req.min,
            max=req.max,
            onsite=count,
            met=count >= req.min and (req.max is None or count <= req.max),
            target=req.target,
        )
        for req, count in zip(problem.requirements, onsite, strict=True)
    )


# --- standby and N-1 -------------------------------------------------------------------


def _named_standby(problem: Problem, roster: Roster) -> list[list[int]]:
    """Per requirement, the people the roster names standby for it, in staff order.

    A name that matches no requirement (a rule id of another unit or day) is left out
    here; `_standby_violations` reports it.
    """
    index = {(req.rule_id, req.unit, req.day): r for r, req in enumerate(problem.requirements)}
    named: list[list[int]] = [[] for _ in problem.requirements]
    for (person, day), rule_id in sorted(roster.standby.items()):
        r = index.get((rule_id, problem.people[person].unit, day))
        if r is not None:
            named[r].append(person)
    return named


def _stepping_in(problem: Problem, named: list[list[int]], cells: Cells) -> list[int]:
    """Per requirement, the standby who can step in if someone on site is absent: on WFA,
    named that day for a rule of the same unit and shift they match, and matching this
    requirement's site and skill too."""
    ready: dict[tuple[str, int, str], set[int]] = {}
    for req, people in zip(problem.requirements, named, strict=True):
        members = set(req.members)
        for p in people:
            if p in members and cells[p][req.day].status == WFA:
                ready.setdefault((req.unit, req.day, req.shift), set()).add(p)
    counts = []
    for req in problem.requirements:
        standby = ready.get((req.unit, req.day, req.shift))
        counts.append(len(standby.intersection(req.members)) if standby else 0)
    return counts


def _standby_violations(
    problem: Problem, roster: Roster, named: list[list[int]]
) -> Iterator[Violation]:
    requirements = {(req.rule_id, req.unit, req.day): req for req in problem.requirements}
    for (p, day), rule_id in sorted(roster.standby.items()):
        person, on = problem.people[p], _iso(problem, day)
        req = requirements.get((rule_id, person.unit, day))
        head = f"{_who(person)} on {on}: named standby for rule {rule_id}"
        if req is None or not req.standby:
            why = f"{head}, which asks for no standby from unit {person.unit} that day"
            yield _violation("standby", why, person, on)
            continue
        mismatch = _standby_mismatch(req, person)
        if mismatch:
            yield _violation("standby", f"{head}, but {mismatch}", person, on)
        option = roster.cells[p][day]
        if option.status != WFA:
            why = f"{head}, but given {option}: a standby is on WFA that day"
            yield _violation("standby", why, person, on)
    for req, people in zip(problem.requirements, named, strict=True):
        if req.standby and len(people) != req.standby:
            on = _iso(problem, req.day)
            message = (
                f"{_where(req)} {req.shift} on {on}: {len(people)} standby named, rule "
                f"{req.rule_id} asks for exactly {req.standby}"
            )
            yield _violation("standby", message, None, on)


def _standby_mismatch(req: Requirement, person: Person) -> str | None:
    """Why `person` cannot stand by for `req` (unit is matched by the lookup), or None."""
    if req.site is not None and person.site != req.site:
        return f"works at {person.site or 'no site'}, not at the rule's site {req.site}"
    if req.skill is not None and req.skill not in person.skills:
        return f"lacks the rule's skill {req.skill}"
    return None


def _resilience(req: Requirement, onsite: int, standby: int) -> tuple[bool, str]:
    """Whether the rule still holds if any one person on site is absent, and why."""
    if onsite < req.min or (req.max is not None and onsite > req.max):
        return False, "not met"
    if req.min == 0:
        return True, "no minimum"
    if onsite > req.min:
        return True, f"margin {onsite - req.min}"
    if standby:
        return True, "standby"
    return False, "no margin, no standby"


def _resilience_figures(
    problem: Problem, onsite: list[int], able: list[int]
) -> tuple[ResilienceFigure, ...]:
    figures = []
    for req, count, standby in zip(problem.requirements, onsite, able, strict=True):
        resilient, reason = _resilience(req, count, standby)
        figures.append(
            ResilienceFigure(
                **_rule_day(problem, req),
                required=req.min,
                onsite=count,
                standby=standby,
                resilient=resilient,
                reason=reason,
                required_resilient=req.resilient,
            )
        )
    return tuple(figures)


def _resilience_violations(
    problem: Problem, onsite: list[int], able: list[int]
) -> Iterator[Violation]:
    for req, count, standby in zip(problem.requirements, onsite, able, strict=True):
        if not req.resilient or count < req.min:  # a shortfall is a coverage violation
            continue
        resilient, _ = _resilience(req, count, standby)
        if not resilient:
            on = _iso(problem, req.day)
            message = (
                f"{_where(req)} {req.shift} on {on}: {count} on site, rule {req.rule_id} "
                f"needs at least {req.min} and is resilient: one absence would break it "
                f"(needs {req.min + 1} on site, or a standby)"
            )
            yield _violation("resilient", message, None, on)


def _standby_figures(problem: Problem, named: list[list[int]]) -> tuple[StandbyFigure, ...]:
    return tuple(
        StandbyFigure(
            **_rule_day(problem, req),
            asked=req.standby,
            staff=tuple(problem.people[p].id for p in people),
        )
        for req, people in zip(problem.requirements, named, strict=True)
        if req.standby
    )


def _standby_days(problem: Problem, roster: Roster, open_wfa: list[tuple[int, ...]]) -> list[int]:
    """Per person, standby days on an available WFA day that the roster gives as WFA: the
    days the objective counts as standby burden."""
    days = [0] * len(problem.people)
    for person, day in roster.standby:
        if day in open_wfa[person] and roster.cells[person][day].status == WFA:
            days[person] += 1
    return days


# --- rest and overlap ------------------------------------------------------------------


def _shift_intervals(problem: Problem, row: tuple[Option, ...]) -> list[tuple[int, int, int, str]]:
    """(start, end, day, shift) of each on-site shift, in time order.

    Day order is start order because every shift starts within its own day. Unknown shift
    ids are skipped here; the cell check reports them.
    """
    shifts = problem.shifts
    out = []
    for day, option in enumerate(row):
        if option.status == ONSITE and option.shift in shifts:
            start, end = shifts[option.shift].interval(day)
            out.append((start, end, day, option.shift))
    return out


def _rest_violations(problem: Problem, cells: Cells) -> Iterator[Violation]:
    for person, row in zip(problem.people, cells, strict=True):
        hours = problem.units[person.unit].rules.min_rest_hours
        rest = round(hours * 60) if hours is not None else 0
        intervals = _shift_intervals(problem, row)
        # Compare each shift with the latest end so far, not just the previous shift, so a
        # short shift inside a long one cannot hide the long one from the next shift.
        latest: tuple[int, int, int, str] | None = None
        for current in intervals:
            # rest >= 0, so this also catches every overlap (a negative gap).
            if latest is not None and current[0] - latest[1] < rest:
                yield _rest_violation(problem, person, hours, latest, current)
            if latest is None or current[1] > latest[1]:
                latest = current


def _rest_violation(
    problem: Problem,
    person: Person,
    hours: float | None,
    before: tuple[int, int, int, str],
    after: tuple[int, int, int, str],
) -> Violation:
    """Words for a pair of shifts already found too close: overlapping, or short of rest."""
    _, end, day_a, shift_a = before
    start, _, day_b, shift_b = after
    head = f"{_who(person)} on {_iso(problem, day_b)}: {shift_a} on {_iso(problem, day_a)} "
    head += f"ends {_moment(problem, end)}, {shift_b} on {_iso(problem, day_b)} starts "
    head += _moment(problem, start)
    if start < end:
        message = f"{head}; one person's shifts may never overlap"
        return _violation("overlap", message, person, _iso(problem, day_b))
    message = (
        f"{head}: {(start - end) / 60:g} h rest, unit {person.unit} needs at least "
        f"{hours or 0:g} h (min_rest_hours)"
    )
    return _violation("rest", message, person, _iso(problem, day_b))


# --- runs, totals and weeks ------------------------------------------------------------


def _whose(problem: Problem, person: Person, rule: str) -> str:
    """Who set the rule binding `person`: `unit damkar`, or `their own` (a staff column)."""
    unit_value = getattr(problem.units[person.unit].rules, rule)
    return f"unit {person.unit}" if getattr(person.rules, rule) == unit_value else "their own"


def _run_violations(problem: Problem, cells: Cells) -> Iterator[Violation]:
    for person, row in zip(problem.people, cells, strict=True):
        rules = person.rules
        if rules.max_consecutive_onsite_days is not None:
            yield from _consecutive(problem, person, row, rules.max_consecutive_onsite_days)
        if rules.max_onsite_days is not None:
            total = sum(option.status == ONSITE for option in row)
            if total > rules.max_onsite_days:
                yield _violation(
                    "max_onsite_days",
                    f"{_who(person)} is on site {total} days over the horizon; "
                    f"{_whose(problem, person, 'max_onsite_days')} rule allows at most "
                    f"{rules.max_onsite_days} (max_onsite_days)",
                    person,
                    None,
                )


def _onsite_runs(row: tuple[Option, ...]) -> Iterator[tuple[int, int]]:
    """(first day, length) of each maximal run of on-site days."""
    start = None
    for day, option in enumerate(row):
        if option.status == ONSITE:
            if start is None:
                start = day
        elif start is not None:
            yield start, day - start
            start = None
    if start is not None:
        yield start, len(row) - start


def _consecutive(
    problem: Problem, person: Person, row: tuple[Option, ...], limit: int
) -> Iterator[Violation]:
    for start, length in _onsite_runs(row):
        if length > limit:
            first, last = _iso(problem, start), _iso(problem, start + length - 1)
            yield _violation(
                "max_consecutive_onsite_days",
                f"{_who(person)} is on site {length} days in a row, {first} to {last}; "
                f"{_whose(problem, person, 'max_consecutive_onsite_days')} rule allows at "
                f"most {limit} (max_consecutive_onsite_days)",
                person,
                _iso(problem, start + limit),  # the first day over the limit
            )


def _runs(flags: list[bool]) -> Iterator[tuple[int, int]]:
    """(first day, length) of each maximal run of True."""
    start = None
    for day, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = day
        elif not flag and start is not None:
            yield start, day - start
            start = None


def _min_run_violations(problem: Problem, cells: Cells) -> Iterator[Violation]:
    """Runs of on-site days, and of days not on site, shorter than the person's minimum.

    A run that touches the first or the last day of the horizon is never too short: it may
    go on outside it.
    """
    horizon = len(problem.days)
    for person, row in zip(problem.people, cells, strict=True):
        on_site = [option.status == ONSITE for option in row]
        for rule, flags, what in (
            ("min_consecutive_onsite_days", on_site, "on site"),
            ("min_consecutive_days_off", [not flag for flag in on_site], "not on site"),
        ):
            limit = getattr(person.rules, rule)
            if limit is None:
                continue
            for start, length in _runs(flags):
                if start > 0 and start + length < horizon and length < limit:
                    first, last = _iso(problem, start), _iso(problem, start + length - 1)
                    yield _violation(
                        rule,
                        f"{_who(person)} is {what} only {length} day(s) in a row, {first} to "
                        f"{last}; {_whose(problem, person, rule)} rule asks for at least "
                        f"{limit} ({rule})",
                        person,
                        first,
                    )


def _succession_violations(problem: Problem, cells: Cells) -> Iterator[Violation]:
    for person, row in zip(problem.people, cells, strict=True):
        for day in range(len(row) - 1):
            before, after = row[day], row[day + 1]
            if before.status != ONSITE or after.status != ONSITE:
                continue
            spec = problem.shifts.get(before.shift or "")
            if spec is not None and after.shift in spec.not_followed_by:
                on = _iso(problem, day + 1)
                yield _violation(
                    "succession",
                    f"{_who(person)} on {on}: {after.shift} the day after {before.shift} "
                    f"({_iso(problem, day)}); shift {before.shift} may not be followed by "
                    f"{after.shift} (not_followed_by)",
                    person,
                    on,
                )


def _workload_violations(problem: Problem, cells: Cells) -> Iterator[Violation]:
    """Shifts per type, working minutes and weekends worked, over the horizon."""
    weekend_days = problem.calendar.weekend  # weekday numbers, Monday = 0
    for person, row in zip(problem.people, cells, strict=True):
        rules = person.rules
        worked = [(d, o.shift) for d, o in enumerate(row) if o.status == ONSITE]
        for shift, limit in (rules.max_shifts_per_type or {}).items():
            count = sum(s == shift for _, s in worked)
            if limit and count > limit:  # a limit of 0 is reported per cell
                yield _violation(
                    "max_shifts_per_type",
                    f"{_who(person)} works {shift} {count} times over the horizon; "
                    f"{_whose(problem, person, 'max_shifts_per_type')} rule allows at most "
                    f"{limit} (max_shifts_per_type)",
                    person,
                    None,
                )
        minutes = sum(problem.shifts[s].length_minutes for _, s in worked if s in problem.shifts)
        for rule, allowed, breaks, words in (
            ("min_work_minutes", rules.min_work_minutes, lambda m, x: m < x, "at least"),
            ("max_work_minutes", rules.max_work_minutes, lambda m, x: m > x, "at most"),
        ):
            if allowed is not None and breaks(minutes, allowed):
                yield _violation(
                    rule,
                    f"{_who(person)} works {minutes} minutes over the horizon; "
                    f"{_whose(problem, person, rule)} rule asks for {words} {allowed} ({rule})",
                    person,
                    None,
                )
        if rules.max_weekends_worked is not None:
            weekends = {
                problem.days[d].date - timedelta(days=problem.days[d].date.weekday())
                for d, _ in worked
                if problem.days[d].date.weekday() in weekend_days
            }
            if len(weekends) > rules.max_weekends_worked:
                yield _violation(
                    "max_weekends_worked",
                    f"{_who(person)} works on {len(weekends)} weekends; "
                    f"{_whose(problem, person, 'max_weekends_worked')} rule allows at most "
                    f"{rules.max_weekends_worked} (max_weekends_worked)",
                    person,
                    None,
                )


def _weekly_violations(problem: Problem, cells: Cells) -> Iterator[Violation]:
    if not problem.weeks:
        return
    for person, row in zip(problem.people, cells, strict=True):
        unit = problem.units[person.unit]
        low, high = unit.rules.min_shifts_per_week, unit.rules.max_shifts_per_week
        # The format: weekly limits are contracted work of roster units only.
        if unit.schedule != "roster" or (low is None and high is None):
            continue
        for week in problem.weeks:
            yield from _week(problem, person, row, week, low, high)


def _week(
    problem: Problem,
    person: Person,
    row: tuple[Option, ...],
    week: tuple[int, ...],
    low: int | None,
    high: int | None,
) -> Iterator[Violation]:
    shifts = sum(row[d].status == ONSITE for d in week)  # WFA is not a shift
    monday = _iso(problem, week[0])
    if low is not None:
        leave = sum(d in person.leave for d in week)  # each leave day lowers the minimum
        needed = max(0, low - leave)
        if shifts < needed:
            lowered = f" ({low} less {leave} leave days)" if leave else ""
            yield _violation(
                "min_shifts_per_week",
                f"{_who(person)} works {shifts} shifts in the week {monday} to "
                f"{_iso(problem, week[-1])}; unit {person.unit} "
                f"needs at least {needed}{lowered} (min_shifts_per_week)",
                person,
                monday,
            )
    if high is not None and shifts > high:
        yield _violation(
            "max_shifts_per_week",
            f"{_who(person)} works {shifts} shifts in the week {monday} to "
            f"{_iso(problem, week[-1])}; unit {person.unit} "
            f"allows at most {high} (max_shifts_per_week)",
            person,
            monday,
        )


# --- fairness --------------------------------------------------------------------------


def jain(values: Iterable[int]) -> float:
    """Jain's index (sum x)^2 / (n sum x^2); 1.0 for no values or all zeros (the format)."""
    xs = list(values)
    squares = sum(x * x for x in xs)
    if not xs or squares == 0:
        return 1.0
    return sum(xs) ** 2 / (len(xs) * squares)


def wfa_open_days(problem: Problem) -> list[tuple[int, ...]]:
    """Per person, the days whose options include WFA: their available WFA days.

    Options carry WFA only for eligible people on a wfa_days day off leave, so this is
    the format's "available WFA day" (computed once: fairness and the objective both need it).
    """
    return [
        tuple(d for d, allowed in enumerate(row) if WFA_OPTION in allowed)
        for row in problem.options
    ]


def fairness_figures(
    problem: Problem, cells: Cells, open_wfa: list[tuple[int, ...]]
) -> dict[str, PoolFairness]:
    """WFA days granted per pool, over eligible members with an available WFA day."""
    granted: dict[str, list[int]] = {}
    for person, row, open_days in zip(problem.people, cells, open_wfa, strict=True):
        counts = granted.setdefault(problem.pool_of(person), [])
        if person.wfa_eligible and open_days:
            counts.append(sum(option.status == WFA for option in row))
    return {pool: _pool_figure(counts) for pool, counts in sorted(granted.items())}


def _pool_figure(counts: list[int]) -> PoolFairness:
    if not counts:
        return PoolFairness(0, 0, 0, 0.0, 1.0)
    return PoolFairness(
        eligible=len(counts),
        wfa_days_min=min(counts),
        wfa_days_max=max(counts),
        wfa_days_mean=sum(counts) / len(counts),
        jain=jain(counts),
    )


def _wfa_person_days(problem: Problem, cells: Cells) -> dict[str, int]:
    per_unit = dict.fromkeys(problem.units, 0)
    for person, row in zip(problem.people, cells, strict=True):
        per_unit[person.unit] += sum(option.status == WFA for option in row)
    return per_unit


# --- objective -------------------------------------------------------------------------


def objective_terms(
    problem: Problem,
    cells: Cells,
    onsite: list[int],
    open_wfa: list[tuple[int, ...]],
    standby_days: Sequence[int] | None = None,
) -> dict[str, int]:
    """Each named term, weighted, before the tier scale (names as in TERM_NAMES).

    WFA burden counts in units: `burden_unit` for each available WFA day without WFA,
    `standby_units` for each standby day (`standby_days`, per person).
    """
    w = problem.weights
    burden = holiday = night = idle = 0
    night_shift = {sid: spec.is_night for sid, spec in problem.shifts.items()}
    duty_day = [day.is_holiday_duty_day for day in problem.days]
    for p, row in enumerate(cells):
        allowed_row = problem.options[p]
        h = n = 0
        for d, option in enumerate(row):
            if option.status != ONSITE:
                continue
            h += duty_day[d]
            n += night_shift.get(option.shift or "", False)
            idle += problem.onsite_counts_as_idle(allowed_row[d])
        units = problem.burden_unit * _missed_wfa(row, open_wfa[p])
        units += problem.standby_units * (standby_days[p] if standby_days else 0)
        if units:
            burden += sum(problem.wfa_burden_unit_costs(p)[:units])
        holiday += h * h
        night += n * n
    return {
        "wfa_fairness": w.wfa_days * burden,
        "holiday_duty": w.holiday_duty * holiday,
        "night_shifts": w.night_shifts * night,
        "targets": _target_shortfall(problem, onsite),
        "requests": sum(
            r.weight for r in problem.requests if not r.honoured_by(cells[r.person][r.day])
        ),
        "onsite_days": w.onsite_days * idle,
    }


def _missed_wfa(row: tuple[Option, ...], open_days: tuple[int, ...]) -> int:
    """b_p: available WFA days on which the roster does not give WFA."""
    return sum(row[d].status != WFA for d in open_days)


def _target_shortfall(problem: Problem, onsite: list[int]) -> int:
    """Soft targets: `weight` per person short of the target, `over_weight` per person above."""
    return sum(
        req.weight * max(0, req.target - count) + req.over_weight * max(0, count - req.target)
        for req, count in zip(problem.requirements, onsite, strict=True)
        if req.target is not None
    )


def objective_of(problem: Problem, terms: dict[str, int]) -> int:
    """WFA fairness above everything else (the format's order of aims), then the rest summed."""
    rest = sum(value for name, value in terms.items() if name != "wfa_fairness")
    return problem.tier_scale * terms["wfa_fairness"] + rest


# --- reading a roster CSV --------------------------------------------------------------

REQUIRED_COLUMNS = ("staff_id", "date", "status", "shift")
STANDBY_COLUMN = "standby"  # optional: the rule id a person stands by for that day
_SCIENTIFIC = re.compile(r"^\d+([.,]\d+)?[eE]\+?\d+$")


def read_roster(problem: Problem, path: str | Path) -> Roster:
    """Read a roster CSV as the solver writes it or as a planner saved it from Excel.

    UTF-8 with or without BOM, `,` or `;` (detected from the header), extra columns and
    blank rows ignored; `name`, `unit` and `site` are informative only (the staff file is
    the truth about people). Every structural fault is collected and raised together as
    `InvalidInput`. A person-day without a row becomes `MISSING`, which `evaluate` reports
    as a hard-rule violation ("no status for ..."), so a lost row is judged, not rejected.
    """
    name = str(path)
    text = _read_text(Path(path), name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        raise InvalidInput(
            [
                InputIssue(
                    name,
                    1,
                    "header",
                    f"empty file: expected a header row with {', '.join(REQUIRED_COLUMNS)}",
                )
            ]
        )
    column = {cell.strip().lower(): k for k, cell in enumerate(header)}
    missing = [c for c in REQUIRED_COLUMNS if c not in column]
    if missing:
        raise InvalidInput(
            [
                InputIssue(name, 1, c, f"missing column {c!r} (found: {', '.join(header)})")
                for c in missing
            ]
        )
    columns = [column[c] for c in REQUIRED_COLUMNS]
    return _read_rows(problem, name, reader, columns, column.get(STANDBY_COLUMN))


def _read_rows(
    problem: Problem, name: str, reader: Any, columns: list[int], standby_column: int | None
) -> Roster:
    """Every data row into the grid; faults collected, then raised together."""
    rows = []
    width = max([*columns, standby_column or 0]) + 1
    for row in reader:
        if len(row) < width:
            row = row + [""] * (width - len(row))
        staff_id, day_text, status, shift = (row[k].strip() for k in columns)
        standby = row[standby_column].strip() if standby_column is not None else ""
        if not (staff_id or day_text or status or shift):
            continue  # a blank row (Excel leaves `;;;;` behind) or a note beside the table
        rows.append((reader.line_num, staff_id, day_text, status, shift, standby))
    # Dates first, all at once: a spreadsheet's local date format is decided per file.
    parser = _RowParser(problem, name, _resolve_dates(problem, {row[2] for row in rows}))
    grid: list[list[Option]] = [[MISSING] * len(problem.days) for _ in problem.people]
    standby_of: dict[tuple[int, int], str] = {}
    seen: dict[tuple[int, int], int] = {}
    rule_ids = {req.rule_id for req in problem.requirements}
    for line, staff_id, day_text, status, shift, standby in rows:
        cell = parser.parse(line, staff_id, day_text, status, shift)
        if standby and standby not in rule_ids:
            parser.issues.append(InputIssue(name, line, STANDBY_COLUMN, _unknown_rule(standby)))
            continue
        if cell is None:
            continue
        person, day, option = cell
        first = seen.setdefault((person, day), line)
        if first != line:
            parser.issues.append(
                InputIssue(
                    name,
                    line,
                    "date",
                    f"second row for staff {staff_id} on {day_text} (first on line {first})",
                )
            )
            continue
        grid[person][day] = option
        if standby:
            standby_of[(person, day)] = standby
    if parser.issues:
        raise InvalidInput(parser.issues)
    return Roster(tuple(tuple(row) for row in grid), standby_of)


def _unknown_rule(text: str) -> str:
    return (
        f"{text!r} is not the id of a coverage rule of the scenario: the standby column "
        "holds the rule a person stands by for that day, or nothing"
    )


def _read_text(path: Path, name: str) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        issue = InputIssue(name, None, "file", f"cannot read: {exc.strerror}")
        raise InvalidInput([issue]) from None
    try:
        return raw.decode("utf-8-sig")  # drops a BOM when Excel wrote one
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            [
                InputIssue(
                    name,
                    raw[: exc.start].count(b"\n") + 1,
                    "file",
                    "not UTF-8 text: save the file as 'CSV UTF-8'",
                )
            ]
        ) from None


def _delimiter(text: str) -> str:
    # Excel in an Indonesian (or any comma-decimal) locale saves with `;`.
    first = text.partition("\n")[0]
    return ";" if first.count(";") > first.count(",") else ","


class _RowParser:
    """Parses one row's fields; options are cached, as they repeat on every row."""

    def __init__(self, problem: Problem, name: str, days: dict[str, int | str]) -> None:
        self.problem = problem
        self.name = name
        self.issues: list[InputIssue] = []
        self._days = days
        self._options: dict[tuple[str, str], Option | list[tuple[str, str]]] = {}

    def parse(
        self, line: int, staff_id: str, day_text: str, status: str, shift: str
    ) -> tuple[int, int, Option] | None:
        """(person, day, option) of one row, or None after adding its faults to `issues`."""
        before = len(self.issues)
        person = self.problem.person_index.get(staff_id)
        if person is None:
            self._fault(line, "staff_id", _unknown_staff(staff_id))
        day = self._days[day_text]
        if isinstance(day, str):
            self._fault(line, "date", day)
        option = self._options.get((status, shift))
        if option is None:
            option = self._options[(status, shift)] = _parse_option(self.problem, status, shift)
        if isinstance(option, list):
            for field, message in option:
                self._fault(line, field, message)
        if len(self.issues) > before or person is None or not isinstance(option, Option):
            return None
        assert isinstance(day, int)
        return person, day, option

    def _fault(self, line: int, field: str, message: str) -> None:
        self.issues.append(InputIssue(self.name, line, field, message))


def _parse_option(problem: Problem, status: str, shift: str) -> Option | list[tuple[str, str]]:
    """The option a row's status and shift text mean, or its faults as (field, message)."""
    faults = []
    if status.lower() not in STATUSES:  # planners type `Onsite` too
        faults.append(
            ("status", f"{status!r} is not a status: expected one of {', '.join(STATUSES)}")
        )
    if shift and shift not in problem.shifts:
        faults.append(
            ("shift", f"{shift!r} is not a defined shift (defined: {', '.join(problem.shifts)})")
        )
    return faults or Option(status.lower(), shift or None)


def _unknown_staff(text: str) -> str:
    if not text:
        return "empty staff id"
    if _SCIENTIFIC.match(text):
        return (
            f"staff id {text!r} looks like a number a spreadsheet rewrote in scientific "
            "notation; its digits are lost: format the column as Text and re-enter the ids"
        )
    return f"unknown staff id {text!r} (not in the scenario's staff)"


_LOCAL_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$")


def _resolve_dates(problem: Problem, texts: set[str]) -> dict[str, int | str]:
    """Each distinct date text -> its day index, or the fault as text.

    ISO dates are read as such. Excel rewrites dates in the computer's short format when
    it saves a CSV (29/12/2025 in Indonesia, 12/29/2025 in the US); those are read
    day-first or month-first, whichever puts every one of them inside the horizon. When
    both readings do (and disagree) or neither does, they are faults: never a guess.
    """
    resolved: dict[str, int | str] = {}
    local: dict[str, tuple[int, int, int]] = {}
    for text in texts:
        match = _LOCAL_DATE.match(text)
        if match:
            a, b, year = (int(part) for part in match.groups())
            local[text] = (a, b, year + 2000 if year < 100 else year)
            continue
        try:
            day = date.fromisoformat(text)
        except ValueError:
            resolved[text] = f"{text!r} is not a date (expected YYYY-MM-DD)"
            continue
        resolved[text] = problem.day_index.get(day, _outside(problem, str(day)))
    resolved.update(_resolve_local_dates(problem, local))
    return resolved


def _resolve_local_dates(
    problem: Problem, local: dict[str, tuple[int, int, int]]
) -> dict[str, int | str]:
    readings = []
    for day_first in (True, False):
        reading = {text: _local_day(problem, parts, day_first) for text, parts in local.items()}
        if all(day is not None for day in reading.values()):
            readings.append(reading)
    if len(readings) == 2 and readings[0] != readings[1]:
        why = "could be read day-first or month-first (both fit the horizon)"
    elif not readings:
        why = "do not all fall inside the horizon read either day-first or month-first"
    else:
        return {text: day for text, day in readings[0].items() if day is not None}
    first, last = problem.days[0].date, problem.days[-1].date
    message = (
        f"is not a YYYY-MM-DD date, and this file's spreadsheet-style dates {why} "
        f"{first}..{last}: format the date column as yyyy-mm-dd and save again"
    )
    return {text: f"{text!r} {message}" for text in local}


def _local_day(problem: Problem, parts: tuple[int, int, int], day_first: bool) -> int | None:
    a, b, year = parts
    day, month = (a, b) if day_first else (b, a)
    try:
        return problem.day_index.get(date(year, month, day))
    except ValueError:
        return None


def _outside(problem: Problem, text: str) -> str:
    first, last = problem.days[0].date, problem.days[-1].date
    return f"{text} is outside the horizon {first}..{last}"
