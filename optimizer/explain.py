"""Reasons a planner can act on, found before any search."""

from __future__ import annotations

from collections import defaultdict

from models.problem import ONSITE, Option, Problem, Requirement


def capacity_reasons(problem: Problem) -> list[str]:
    """Rules that cannot hold whatever the search does: too few people able to be on site,
    a maximum below a minimum, people fixed on site above a maximum, impossible pins."""
    reasons = [
        reason for req in problem.requirements for reason in _requirement_reasons(problem, req)
    ]
    return reasons + _rota_reasons(problem) + _pin_reasons(problem)


def _requirement_reasons(problem: Problem, req: Requirement) -> list[str]:
    option = Option(ONSITE, req.shift)
    able = [p for p in req.members if option in problem.options[p][req.day]]
    reasons = []
    if len(able) < req.min:
        on_leave = [problem.people[p] for p in req.members if req.day in problem.people[p].leave]
        leave_note = ""
        if on_leave:
            names = ", ".join(person.name for person in on_leave[:5])
            more = f" and {len(on_leave) - 5} more" if len(on_leave) > 5 else ""
            leave_note = f" ({names}{more} on leave)"
        reasons.append(
            f"{req.label(problem)} needs {req.min} on site; only {len(able)} of the "
            f"{len(req.members)} matching staff can be{leave_note}"
        )
    if req.max is not None and req.max < req.min:
        reasons.append(f"{req.label(problem)}: max {req.max} is below the minimum {req.min}")
    fixed = [p for p in req.members if problem.options[p][req.day] == (option,)]
    if req.max is not None and len(fixed) > req.max:
        reasons.append(
            f"{req.label(problem)}: {len(fixed)} staff must be on site that day, above the max {req.max}"
        )
    return reasons


def _pin_reasons(problem: Problem) -> list[str]:
    reasons = []
    for pin in problem.pins:
        cell = problem.options[pin.person][pin.day]
        if any(pin.allows(o) for o in cell):
            continue
        person = problem.people[pin.person]
        day = problem.days[pin.day]
        pinned = f"{pin.status}{' ' + pin.shift if pin.shift else ''}"
        possible = ", ".join(str(o) for o in cell)
        why = " (on leave that day)" if day.index in person.leave else ""
        reasons.append(
            f"pin: {person.name} ({person.id}) is pinned {pinned} on {day.date}, "
            f"but that day can only be {possible}{why}"
        )
    return reasons


def _rota_reasons(problem: Problem) -> list[str]:
    """Rest rules that make a rota impossible: with 48 h rest after a 24 h jaga a person
    takes at most one jaga in any 3 days, so 3 consecutive days needing n each need 3n people."""
    by_rule: dict[tuple[str, str], list[Requirement]] = defaultdict(list)
    for req in problem.requirements:
        by_rule[(req.rule_id, req.unit)].append(req)
    reasons = []
    for (_rule_id, unit), reqs in by_rule.items():
        gap = problem.repeat_gap(unit, reqs[0].shift)
        if gap > 1:
            reason = _first_short_window(problem, sorted(reqs, key=lambda r: r.day), gap)
            if reason:
                reasons.append(reason)
    return reasons


def _first_short_window(problem: Problem, reqs: list[Requirement], gap: int) -> str | None:
    by_day = {req.day: req for req in reqs}
    option = Option(ONSITE, reqs[0].shift)
    for first in sorted(by_day):
        window = [by_day.get(d) for d in range(first, first + gap)]
        if any(req is None for req in window):
            continue
        needed = sum(req.min for req in window if req)
        able = {
            p for req in window if req for p in req.members if option in problem.options[p][req.day]
        }
        if needed > len(able):
            start, end = problem.days[first].date, problem.days[first + gap - 1].date
            return (
                f"{reqs[0].rule_label}: {start}..{end} need {needed} "
                f"{reqs[0].shift} shifts in total, but the rest rule lets each person take at "
                f"most one {reqs[0].shift} in any {gap} days and only {len(able)} can: "
                f"at least {needed} people are needed"
            )
    return None
