"""Why the rules cannot all hold, in words a planner can act on.

Three layers, cheapest first:
- quick checks before any search (`quick_reasons`): each coverage rule and day against the
  staff who can be on site, skills nobody has, several shifts of one day drawn from the
  same staff, rota capacity under rest rules, weekly contracts the coverage maximums cannot
  absorb, maximums below minimums, pins against leave, the calendar or a person's rules;
- where those see nothing, a minimal set of rules that cannot hold together
  (`minimal_conflict`): CP-SAT's assumptions over hard-rule groups (each coverage rule and
  day, each person's rule set, each pin) give a sufficient set, shrunk one rule at a time;
- a relaxed solve (`optimizer.solve` with `relax`): the best roster possible, with every
  shortfall per rule and day.

Each reason names the unit, site, shift, day and people concerned and, given `Sources`,
the file and line where the rule was written.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from ortools.sat.python import cp_model

from models.errors import Locate, Location
from models.load import LoadedScenario
from models.problem import (
    MINUTES_PER_DAY,
    ONSITE,
    WFA_OPTION,
    Option,
    PinSpec,
    Problem,
    Requirement,
    rule_ids,
)
from models.result import Result
from optimizer.model import Group, PartModel

if TYPE_CHECKING:
    from optimizer.solve import Part, SolveSettings

RULE_KEYS = (
    "min_rest_hours",
    "max_consecutive_onsite_days",
    "max_onsite_days",
    "min_shifts_per_week",
    "max_shifts_per_week",
)
_NAMES_SHOWN = 5  # people named in one reason; the rest are counted


# --- reasons and where they were written -------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """One rule that cannot hold (or one member of a set that cannot hold together)."""

    kind: str  # quick: staff, skill, day, rota, weekly, max_below_min, fixed_above_max, pin,
    # pin_rule, standby, resilient; a conflict's member: coverage, person, pin, kept
    message: str
    unit: str | None = None
    site: str | None = None
    shift: str | None = None
    dates: tuple[str, ...] = ()
    people: tuple[str, ...] = ()  # staff ids
    locations: tuple[Location, ...] = ()

    def __str__(self) -> str:
        if not self.locations:
            return self.message
        return f"{self.message} [{', '.join(dict.fromkeys(x.short() for x in self.locations))}]"

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "message": self.message,
            "unit": self.unit,
            "site": self.site,
            "shift": self.shift,
            "dates": list(self.dates),
            "people": list(self.people),
            "locations": [
                {"file": x.file, "line": x.line, "field": x.field} for x in self.locations
            ],
        }


class Sources:
    """Where each rule of a problem was written (file, line, field), to point a planner at
    the line to change. `Sources()` knows nowhere: reasons then carry no location."""

    def __init__(self, loaded: LoadedScenario | None = None) -> None:
        self._locate: Locate | None = loaded.locate if loaded else None
        scenario = loaded.scenario if loaded else None
        self._rule_index = (
            {rid: k for k, rid in enumerate(rule_ids(scenario.coverage))} if scenario else {}
        )
        self._unit_rules = (
            {uid: u.rules.model_fields_set for uid, u in scenario.units.items()} if scenario else {}
        )

    def _at(self, *path: str | int) -> tuple[Location, ...]:
        return (self._locate(path),) if self._locate else ()

    def coverage(self, rule_id: str) -> tuple[Location, ...]:
        index = self._rule_index.get(rule_id)
        return () if index is None else self._at("coverage", index)

    def pin(self, problem: Problem, pin: PinSpec) -> tuple[Location, ...]:
        return self._at("pins", problem.pins.index(pin))

    def staff(self, person: int) -> tuple[Location, ...]:
        return self._at("staff", person)

    def rule(self, unit: str, key: str) -> tuple[Location, ...]:
        """The unit's own value of a rule where it sets one, else the global `rules`."""
        if key in self._unit_rules.get(unit, ()):
            return self._at("units", unit, "rules", key)
        return self._at("rules", key)


NOWHERE = Sources()


# --- words -------------------------------------------------------------------------------


def _names(names: Sequence[str]) -> str:
    """`A`, `A and B`, `A, B and C`, `A, B, C, D, E and 3 more`."""
    shown = list(names[:_NAMES_SHOWN])
    if len(names) > _NAMES_SHOWN:
        shown.append(f"{len(names) - _NAMES_SHOWN} more")
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def _are(names: Sequence[str]) -> str:
    return "is" if len(names) == 1 else "are"


def _group_of(req: Requirement) -> str:
    """`damkar / pos-rawalumbu`, with ` (skill danru)` where the rule asks for one."""
    where = " / ".join(part for part in (req.unit, req.site) if part)
    return where + (f" (skill {req.skill})" if req.skill else "")


def _place(req: Requirement) -> str:
    """`damkar / pos-rawalumbu / jaga`: unit, site and shift as a planner says them."""
    where = " / ".join(part for part in (req.unit, req.site, req.shift) if part)
    return where + (f" (skill {req.skill})" if req.skill else "")


def _iso(problem: Problem, day: int) -> str:
    return problem.days[day].date.isoformat()


def _days_text(problem: Problem, days: Sequence[int]) -> str:
    """`2025-12-30`, `2025-12-22..2026-01-04` for consecutive days, else a short list."""
    if len(days) == 1:
        return _iso(problem, days[0])
    if list(days) == list(range(days[0], days[-1] + 1)):
        return f"{_iso(problem, days[0])}..{_iso(problem, days[-1])}"
    return _names([_iso(problem, d) for d in days])


def _who(problem: Problem, person: int) -> str:
    staff = problem.people[person]
    return f"{staff.name} ({staff.id})"


def _option_text(status: str, shift: str | None) -> str:
    return f"{status} {shift}" if shift else status


def _clock(problem: Problem, minute: int) -> str:
    day, clock = divmod(minute, MINUTES_PER_DAY)
    when = date.fromordinal(problem.days[0].date.toordinal() + day)
    return f"{when} {clock // 60:02d}:{clock % 60:02d}"


# --- quick checks --------------------------------------------------------------------------


def capacity_reasons(problem: Problem) -> list[str]:
    """The quick reasons as text (what `solve` reports before any search)."""
    return [reason.message for reason in quick_reasons(problem)]


def quick_reasons(problem: Problem, sources: Sources = NOWHERE) -> list[Reason]:
    """Rules that cannot hold whatever the search does, found by counting. Each reason is
    sound: it never names a scenario that has a roster."""
    cells = _PinnedCells(problem)
    staff = [
        r for req in problem.requirements for r in _staff_reasons(problem, req, cells, sources)
    ]
    short = {(r.unit, r.site, r.dates) for r in staff}
    return [
        *_skill_reasons(problem, sources),
        *staff,
        *_day_reasons(problem, cells, short, sources),
        *_standby_reasons(problem, cells, short, sources),
        *_max_reasons(problem, sources),
        *_rota_reasons(problem, sources),
        *_weekly_reasons(problem, cells, sources),
        *_pin_reasons(problem, sources),
        *_pin_rule_reasons(problem, cells, sources),
    ]


class _PinnedCells:
    """What each cell can hold once pins apply, looked up without copying whole rows."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.pins: dict[tuple[int, int], list[PinSpec]] = defaultdict(list)
        for pin in problem.pins:
            self.pins[(pin.person, pin.day)].append(pin)

    def __call__(self, person: int, day: int) -> tuple[Option, ...]:
        cell = self.problem.options[person][day]
        for pin in self.pins.get((person, day), ()):
            cell = tuple(o for o in cell if pin.allows(o))
        return cell


def _by_rule(problem: Problem) -> dict[tuple[str, str], list[Requirement]]:
    """Requirements of each (rule, unit), in day order."""
    groups: dict[tuple[str, str], list[Requirement]] = defaultdict(list)
    for req in problem.requirements:
        groups[(req.rule_id, req.unit)].append(req)
    return groups


def _skill_reasons(problem: Problem, sources: Sources) -> list[Reason]:
    """A rule whose unit, site and skill match nobody, while it asks for someone."""
    reasons = []
    for (rule_id, unit), reqs in _by_rule(problem).items():
        days = [req.day for req in reqs if req.min > 0 and not req.members]
        if not days:
            continue
        req = reqs[0]
        unit_people = [p for p in problem.people if p.unit == unit]
        at_site = [p for p in unit_people if req.site is None or p.site == req.site]
        if req.site and not at_site:
            gap = f"no staff of {unit} work at site {req.site}"
        else:
            where = f"{unit} / {req.site}" if req.site else unit
            gap = f"nobody in {where} has skill {req.skill}"
        reasons.append(
            _coverage_reason(
                "skill",
                f"{_place(req)} needs {max(r.min for r in reqs)} on site on "
                f"{_days_text(problem, days)} (rule {rule_id}), but {gap}",
                req,
                sources,
                [_iso(problem, d) for d in days],
            )
        )
    return reasons


def _unable(
    problem: Problem, members: Iterable[int], day: int, options: set[Option], cells: _PinnedCells
) -> tuple[list[int], list[str]]:
    """Members who cannot hold any of `options` that day, and why, in words."""
    on_leave, pinned, other = [], [], []
    for p in members:
        if options & set(cells(p, day)):
            continue
        if day in problem.people[p].leave:
            on_leave.append(p)
        elif (p, day) in cells.pins:
            pinned.append(p)
        else:
            other.append(p)
    words = []
    if on_leave:
        names = [problem.people[p].name for p in on_leave]
        words.append(f"{_names(names)} {_are(names)} on leave")
    for p in pinned:
        pins = " and ".join(_option_text(pin.status, pin.shift) for pin in cells.pins[(p, day)])
        words.append(f"{problem.people[p].name} is pinned {pins}")
    if other:
        names = [problem.people[p].name for p in other]
        shifts = " or ".join(sorted(o.shift or o.status for o in options))
        words.append(f"{_names(names)} cannot work {shifts} that day")
    return on_leave + pinned + other, words


def _staff_reasons(
    problem: Problem, req: Requirement, cells: _PinnedCells, sources: Sources
) -> list[Reason]:
    """Fewer staff able to be on site than the minimum (leave, pins, the calendar)."""
    if req.min == 0 or not req.members:
        return []  # no minimum, or nobody matches (a skill gap, reported per rule)
    unable, why = _unable(problem, req.members, req.day, {Option(ONSITE, req.shift)}, cells)
    able = len(req.members) - len(unable)
    if able >= req.min:
        return []
    return [
        _coverage_reason(
            "staff",
            f"{_place(req)} on {_iso(problem, req.day)} needs {req.min} on site (rule "
            f"{req.rule_id}); only {able} of the {len(req.members)} staff of {_group_of(req)} "
            f"can be: {'; '.join(why)}",
            req,
            sources,
            [_iso(problem, req.day)],
            [problem.people[p].id for p in unable],
        )
    ]


def _standby_reasons(
    problem: Problem,
    cells: _PinnedCells,
    already: set[tuple[str | None, str | None, tuple[str, ...]]],
    sources: Sources,
) -> list[Reason]:
    """Standby asked of people who cannot be on WFA that day (not eligible, on leave,
    pinned), on-site minimum and standby together more than the staff who can be either,
    and a `resilient` rule without standby whose one extra person on site nobody can be."""
    reasons = []
    for req in problem.requirements:
        day = _iso(problem, req.day)
        if (req.unit, req.site, (day,)) in already:
            continue  # the on-site minimum alone cannot hold; said already
        onsite, wfa = Option(ONSITE, req.shift), WFA_OPTION
        can_wfa = [p for p in req.members if wfa in cells(p, req.day)]
        either = [p for p in req.members if {onsite, wfa} & set(cells(p, req.day))]
        if req.standby and len(can_wfa) < req.standby:
            message = (
                f"{_place(req)} on {day} asks for {req.standby} standby on WFA (rule "
                f"{req.rule_id}); only {len(can_wfa)} of the {len(req.members)} staff of "
                f"{_group_of(req)} can be on WFA that day (eligible, not on leave, not pinned)"
            )
        elif req.standby and len(either) < req.min + req.standby:
            message = (
                f"{_place(req)} on {day} needs {req.min} on site and {req.standby} standby on "
                f"WFA, different people (rule {req.rule_id}); only {len(either)} of the "
                f"{len(req.members)} staff of {_group_of(req)} can be either"
            )
        elif req.resilient and not req.standby and req.min:
            able = sum(onsite in cells(p, req.day) for p in req.members)
            if able > req.min or _can_step_in(problem, req, cells):
                continue
            message = (
                f"{_place(req)} on {day} is resilient (rule {req.rule_id}) and no standby can "
                f"step in, so it needs {req.min + 1} on site, one more than its minimum; only "
                f"{able} of the {len(req.members)} staff of {_group_of(req)} can be"
            )
        else:
            continue
        reasons.append(
            _coverage_reason(
                "standby" if req.standby else "resilient", message, req, sources, [day]
            )
        )
    return reasons


def _can_step_in(problem: Problem, req: Requirement, cells: _PinnedCells) -> bool:
    """Whether a rule asking for standby that day, in the same unit and shift, could name
    one of `req`'s members (someone who can be on WFA then)."""
    members = set(req.members)
    return any(
        other.standby and WFA_OPTION in cells(p, req.day)
        for other in problem.requirements
        if (other.unit, other.day, other.shift) == (req.unit, req.day, req.shift)
        for p in members.intersection(other.members)
    )


def _day_reasons(
    problem: Problem,
    cells: _PinnedCells,
    already: set[tuple[str | None, str | None, tuple[str, ...]]],
    sources: Sources,
) -> list[Reason]:
    """Several shifts of one day drawn from the same staff: a person works one shift a day,
    so the minimums add up (`min_share` 0.4 on pagi and on siang needs 80 % on site)."""
    groups: dict[tuple[str, str | None, str | None, int], list[Requirement]] = defaultdict(list)
    for req in problem.requirements:
        if req.min > 0 and req.members:
            groups[(req.unit, req.site, req.skill, req.day)].append(req)
    reasons = []
    for (unit, site, _skill, day), reqs in groups.items():
        need: dict[str, tuple[int, Requirement]] = {}
        for req in reqs:  # the largest minimum of each shift
            if req.min > need.get(req.shift, (0, req))[0]:
                need[req.shift] = (req.min, req)
        if len(need) < 2 or (unit, site, (_iso(problem, day),)) in already:
            continue
        total = sum(n for n, _ in need.values())
        members = reqs[0].members
        options = {Option(ONSITE, shift) for shift in need}
        unable, why = _unable(problem, members, day, options, cells)
        able = len(members) - len(unable)
        if total <= able:
            continue
        parts = " and ".join(f"{shift} needs {n}" for shift, (n, _) in need.items())
        rules = ", ".join(req.rule_id for _, req in need.values())
        because = f": {'; '.join(why)}" if why else ""
        reasons.append(
            Reason(
                "day",
                f"{_group_of(reqs[0])} on {_iso(problem, day)}: {parts} on site (rules {rules}), "
                f"{total} people in all since a person works one shift a day; only {able} of "
                f"the {len(members)} staff can be{because}",
                unit,
                site,
                "+".join(need),
                (_iso(problem, day),),
                tuple(problem.people[p].id for p in unable),
                tuple(x for _, req in need.values() for x in sources.coverage(req.rule_id)),
            )
        )
    return reasons


def _coverage_reason(
    kind: str,
    message: str,
    req: Requirement,
    sources: Sources,
    dates: Sequence[str],
    people: Sequence[str] = (),
) -> Reason:
    """A reason about one coverage rule: its unit, site and shift, and where it is written."""
    return Reason(
        kind,
        message,
        req.unit,
        req.site,
        req.shift,
        tuple(dates),
        tuple(people),
        sources.coverage(req.rule_id),
    )


def _max_reasons(problem: Problem, sources: Sources) -> list[Reason]:
    """A maximum below the minimum, or more people fixed on site than the maximum."""
    reasons = []
    for (rule_id, _unit), reqs in _by_rule(problem).items():
        below = [req for req in reqs if req.max is not None and req.max < req.min]
        if below:
            req = below[0]
            reasons.append(
                _coverage_reason(
                    "max_below_min",
                    f"{_place(req)} on {_days_text(problem, [r.day for r in below])}: max "
                    f"{req.max} is below the minimum {max(r.min for r in below)} (rule {rule_id})",
                    req,
                    sources,
                    [_iso(problem, r.day) for r in below],
                )
            )
        for req in reqs:
            option = (Option(ONSITE, req.shift),)
            fixed = [p for p in req.members if problem.options[p][req.day] == option]
            if req.max is not None and len(fixed) > req.max:
                reasons.append(
                    _coverage_reason(
                        "fixed_above_max",
                        f"{_place(req)} on {_iso(problem, req.day)}: {len(fixed)} staff must be "
                        f"on site that day, above the max {req.max} (rule {rule_id})",
                        req,
                        sources,
                        [_iso(problem, req.day)],
                        [problem.people[p].id for p in fixed],
                    )
                )
    return reasons


def _rota_reasons(problem: Problem, sources: Sources) -> list[Reason]:
    """Rest rules that make a rota impossible: with 48 h rest after a 24 h jaga a person
    takes at most one jaga in any 3 days, so 3 days needing n each need 3n people."""
    reasons = []
    for (_rule_id, unit), reqs in _by_rule(problem).items():
        gap = problem.repeat_gap(unit, reqs[0].shift)
        if gap > 1:
            reason = _first_short_window(problem, reqs, gap, sources)
            if reason:
                reasons.append(reason)
    return reasons


def _first_short_window(
    problem: Problem, reqs: list[Requirement], gap: int, sources: Sources
) -> Reason | None:
    by_day = {req.day: req for req in reqs}
    first_req = reqs[0]
    option = Option(ONSITE, first_req.shift)
    shift, unit = first_req.shift, first_req.unit
    for first in sorted(by_day):
        window = [by_day.get(d) for d in range(first, first + gap)]
        if any(req is None for req in window):
            continue
        needed = sum(req.min for req in window if req)
        able = {
            p for req in window if req for p in req.members if option in problem.options[p][req.day]
        }
        if needed > len(able):
            days = list(range(first, first + gap))
            rest = problem.units[unit].rules.min_rest_hours or 0
            away = [p for p in first_req.members if p not in able]
            return Reason(
                "rota",
                f"{_place(first_req)} on {_days_text(problem, days)} needs {needed} {shift} "
                f"shifts in all (rule {first_req.rule_id}); with min_rest_hours {rest:g} in "
                f"{unit} a person takes at most one {shift} in any {gap} days, so at least "
                f"{needed} people are needed ({gap} crews), but only {len(able)} of the "
                f"{len(first_req.members)} staff of {_group_of(first_req)} can be on site then"
                + _away_text(problem, away, days),
                unit,
                first_req.site,
                shift,
                tuple(_iso(problem, d) for d in days),
                tuple(problem.people[p].id for p in away),
                sources.coverage(first_req.rule_id) + sources.rule(unit, "min_rest_hours"),
            )
    return None


def _away_text(problem: Problem, away: list[int], days: list[int]) -> str:
    """`: A and B are on leave` for people who cannot be on site on any of `days`."""
    on_leave = [p for p in away if all(d in problem.people[p].leave for d in days)]
    words = []
    if on_leave:
        names = [problem.people[p].name for p in on_leave]
        words.append(f"{_names(names)} {_are(names)} on leave")
    others = [problem.people[p].name for p in away if p not in on_leave]
    if others:
        words.append(f"{_names(others)} cannot work then")
    return f" ({'; '.join(words)})" if words else ""


def _weekly_reasons(problem: Problem, cells: _PinnedCells, sources: Sources) -> list[Reason]:
    """Contracted shifts a week (min_shifts_per_week) that the coverage maximums cannot
    absorb: the staff a rule with a max counts need more shifts in a week than the rules
    let them work."""
    limits: dict[tuple[str, int, str], list[Requirement]] = defaultdict(list)
    for req in problem.requirements:
        if req.max is not None:
            limits[(req.unit, req.day, req.shift)].append(req)
    reasons = []
    for (rule_id, unit), reqs in _by_rule(problem).items():
        if not any(req.max is not None for req in reqs) or not reqs[0].members:
            continue
        members = frozenset(reqs[0].members)
        for week in problem.weeks:
            needed = sum(max(0, problem.weekly_minimum(p, week) or 0) for p in members)
            if not needed:
                continue
            room = sum(_room(problem, members, unit, d, limits, cells) for d in week)
            if needed > room:
                req = reqs[0]
                minimum = problem.units[unit].rules.min_shifts_per_week
                reasons.append(
                    Reason(
                        "weekly",
                        f"{_group_of(req)}: the week {_days_text(problem, list(week))} needs "
                        f"{needed} shifts from its {len(members)} staff (min_shifts_per_week "
                        f"{minimum}, less leave), but the coverage maximums (rule {rule_id}) "
                        f"let them work at most {room}",
                        unit,
                        req.site,
                        req.shift,
                        tuple(_iso(problem, d) for d in week),
                        locations=sources.rule(unit, "min_shifts_per_week")
                        + sources.coverage(rule_id),
                    )
                )
                break
    return reasons


def _room(
    problem: Problem,
    members: frozenset[int],
    unit: str,
    day: int,
    limits: dict[tuple[str, int, str], list[Requirement]],
    cells: _PinnedCells,
) -> int:
    """Most of `members` on site that day: per shift, the smallest max of a rule counting
    all of them, or else everyone who can be on site in it."""
    room = 0
    for shift in problem.units[unit].shifts:
        caps = [
            req.max
            for req in limits.get((unit, day, shift), ())
            if req.max is not None and members <= set(req.members)
        ]
        able = sum(Option(ONSITE, shift) in cells(p, day) for p in members)
        room += min([able, *caps])
    return room


def _pin_reasons(problem: Problem, sources: Sources) -> list[Reason]:
    """Pins no option of their cell allows: on leave, not WFA-eligible, the calendar."""
    reasons = []
    for pin in problem.pins:
        cell = problem.options[pin.person][pin.day]
        if any(pin.allows(o) for o in cell):
            continue
        person = problem.people[pin.person]
        day = problem.days[pin.day]
        possible = ", ".join(str(o) for o in cell)
        why = " (on leave that day)" if day.index in person.leave else ""
        reasons.append(
            Reason(
                "pin",
                f"pin: {_who(problem, pin.person)} is pinned {_option_text(pin.status, pin.shift)} "
                f"on {day.date}, but that day can only be {possible}{why}",
                person.unit,
                person.site,
                pin.shift,
                (day.date.isoformat(),),
                (person.id,),
                sources.pin(problem, pin) + sources.staff(pin.person),
            )
        )
    return reasons


def _pin_rule_reasons(problem: Problem, cells: _PinnedCells, sources: Sources) -> list[Reason]:
    """Pins against a person's own rules: too little rest between fixed shifts, too many
    fixed days in a row, in a week or in all, too few days left for the weekly minimum."""
    pinned_people = sorted({pin.person for pin in problem.pins})
    reasons = []
    for p in pinned_people:
        row = [cells(p, d) for d in range(len(problem.days))]
        if any(not cell for cell in row):
            continue  # a pin its cell cannot hold: reported by _pin_reasons
        pinned = {pin.day: pin for pin in problem.pins if pin.person == p}
        check = _PersonPins(problem, p, row, pinned, sources)
        reasons += [*check.rest(), *check.runs(), *check.weeks()]
    return reasons


class _PersonPins:
    """One pinned person's fixed cells against their own rules."""

    def __init__(
        self,
        problem: Problem,
        person: int,
        row: list[tuple[Option, ...]],
        pinned: dict[int, PinSpec],
        sources: Sources,
    ) -> None:
        self.problem = problem
        self.person = person
        self.row = row
        self.pinned = pinned
        self.sources = sources
        self.staff = problem.people[person]
        self.rules = problem.units[self.staff.unit].rules

    def _onsite(self, day: int) -> Option | None:
        """The shift this day must be, when fixed on site (by a pin or the calendar)."""
        cell = self.row[day]
        return cell[0] if len(cell) == 1 and cell[0].status == ONSITE else None

    def _fixed(self, day: int) -> str:
        option = self._onsite(day)
        assert option is not None
        how = "pinned" if day in self.pinned else "fixed on site in"
        return f"{how} {option.shift} on {_iso(self.problem, day)}"

    def _reason(self, rule_key: str, message: str, days: Sequence[int]) -> Reason:
        locations = tuple(
            x
            for d in days
            if d in self.pinned
            for x in self.sources.pin(self.problem, self.pinned[d])
        )
        return Reason(
            "pin_rule",
            message,
            self.staff.unit,
            self.staff.site,
            None,
            tuple(_iso(self.problem, d) for d in days),
            (self.staff.id,),
            locations + self.sources.rule(self.staff.unit, rule_key),
        )

    def rest(self) -> list[Reason]:
        reasons = []
        hours = self.rules.min_rest_hours or 0
        for a, b, k in self.problem.rest_conflicts(self.staff.unit):
            for d in range(len(self.row) - k):
                first, second = self._onsite(d), self._onsite(d + k)
                if not (first and second and first.shift == a and second.shift == b):
                    continue
                if d not in self.pinned and d + k not in self.pinned:
                    continue
                _, end = self.problem.shifts[a].interval(d)
                start, _ = self.problem.shifts[b].interval(d + k)
                gap = (
                    "the two shifts overlap"
                    if start < end
                    else f"{(start - end) / 60:g} h of rest, unit {self.staff.unit} needs "
                    f"{hours:g} h (min_rest_hours)"
                )
                reasons.append(
                    self._reason(
                        "min_rest_hours",
                        f"pin: {_who(self.problem, self.person)} is {self._fixed(d)} and "
                        f"{self._fixed(d + k)}: {a} ends {_clock(self.problem, end)}, {b} "
                        f"starts {_clock(self.problem, start)}, {gap}",
                        [d, d + k],
                    )
                )
        return reasons

    def runs(self) -> list[Reason]:
        reasons = []
        limit = self.rules.max_consecutive_onsite_days
        fixed = [self._onsite(d) is not None for d in range(len(self.row))]
        if limit is not None:
            start = 0
            while start < len(fixed):
                end = start
                while end < len(fixed) and fixed[end]:
                    end += 1
                days = list(range(start, end))
                if len(days) > limit and any(d in self.pinned for d in days):
                    reasons.append(
                        self._reason(
                            "max_consecutive_onsite_days",
                            f"pin: {_who(self.problem, self.person)} must be on site "
                            f"{_days_text(self.problem, days)}, {len(days)} days in a row; unit "
                            f"{self.staff.unit} allows at most {limit} "
                            "(max_consecutive_onsite_days)",
                            days,
                        )
                    )
                start = end + 1
        total = self.rules.max_onsite_days
        days = [d for d, f in enumerate(fixed) if f]
        if total is not None and len(days) > total and any(d in self.pinned for d in days):
            reasons.append(
                self._reason(
                    "max_onsite_days",
                    f"pin: {_who(self.problem, self.person)} must be on site on {len(days)} "
                    f"days; unit {self.staff.unit} allows at most {total} (max_onsite_days)",
                    days,
                )
            )
        return reasons

    def weeks(self) -> list[Reason]:
        if self.problem.units[self.staff.unit].schedule != "roster":
            return []
        reasons = []
        most = self.rules.max_shifts_per_week
        for week in self.problem.weeks:
            if not any(d in self.pinned for d in week):
                continue
            fixed = [d for d in week if self._onsite(d) is not None]
            if most is not None and len(fixed) > most:
                reasons.append(
                    self._reason(
                        "max_shifts_per_week",
                        f"pin: {_who(self.problem, self.person)} must be on site on "
                        f"{len(fixed)} days in the week {_days_text(self.problem, list(week))}; "
                        f"unit {self.staff.unit} allows at most {most} (max_shifts_per_week)",
                        fixed,
                    )
                )
            needed = self.problem.weekly_minimum(self.person, week)
            can = [d for d in week if any(o.status == ONSITE for o in self.row[d])]
            if needed is not None and len(can) < needed:
                blocked = [d for d in week if d in self.pinned and d not in can]
                reasons.append(
                    self._reason(
                        "min_shifts_per_week",
                        f"pin: {_who(self.problem, self.person)} can be on site on only "
                        f"{len(can)} days of the week {_days_text(self.problem, list(week))} "
                        f"(pinned off site on {_days_text(self.problem, blocked)}); unit "
                        f"{self.staff.unit} needs at least {needed} shifts (min_shifts_per_week)",
                        blocked,
                    )
                )
        return reasons


# --- a minimal set of rules that cannot hold together ---------------------------------------


@dataclass(frozen=True)
class Conflict:
    """Rules of one part that cannot all hold; `minimal`: dropping any one of them lets the
    rest hold (False when a check ran out of time, so some may be spare)."""

    units: tuple[str, ...]
    rules: tuple[Reason, ...]
    minimal: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "units": list(self.units),
            "minimal": self.minimal,
            "rules": [rule.as_json() for rule in self.rules],
        }


def minimal_conflict(
    model: PartModel,
    time_limit_s: float,
    workers: int = 1,
    sources: Sources = NOWHERE,
) -> Conflict | None:
    """Rule groups of a grouped `PartModel` that cannot hold together, shrunk to a minimal
    set; None when they all can (or when even the first check runs out of time).

    CP-SAT's sufficient assumptions give a set that cannot hold; then each member is
    dropped in turn and kept out when the rest still cannot hold (deletion filter), using
    the smaller set CP-SAT returns each time."""
    if not model.grouped:
        raise ValueError("minimal_conflict needs a PartModel built with grouped=True")
    deadline = time.monotonic() + time_limit_s
    model.model.clear_objective()  # only whether the groups can hold matters here
    by_index = {literal.index: group for group, literal in model.group_literals.items()}
    status, core = _check(model, list(model.group_literals), deadline, workers)
    if status != cp_model.INFEASIBLE:
        return None
    groups = [by_index[i] for i in core]
    minimal = True
    for group in list(groups):
        if group not in groups:
            continue  # dropped with an earlier, smaller core
        rest = [g for g in groups if g != group]
        status, core = _check(model, rest, deadline, workers)
        if status == cp_model.INFEASIBLE:
            smaller = {by_index[i] for i in core}
            groups = [g for g in rest if g in smaller]
        elif status != cp_model.FEASIBLE and status != cp_model.OPTIMAL:
            minimal = False  # undecided in time: keep it, the set may not be minimal
    problem = model.problem
    units = problem.units_of(model.people)
    rules = tuple(describe_group(problem, group, sources) for group in groups)
    return Conflict(units, rules, minimal)


def _check(
    model: PartModel, groups: list[Group], deadline: float, workers: int
) -> tuple[cp_model.CpSolverStatus, list[int]]:
    """Can these groups hold together? The status, and when not, CP-SAT's sufficient subset
    (as variable indexes)."""
    model.model.clear_assumptions()
    model.model.add_assumptions([model.group_literals[g] for g in groups])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.max_time_in_seconds = max(0.01, deadline - time.monotonic())
    status = solver.solve(model.model)
    core = list(solver.sufficient_assumptions_for_infeasibility())
    return status, core if status == cp_model.INFEASIBLE else []


def describe_group(problem: Problem, group: Group, sources: Sources = NOWHERE) -> Reason:
    """A rule group in planner language, with where it was written."""
    subject = group.subject
    if isinstance(subject, Requirement):
        req = subject
        limits = f"at least {req.min}" + (f" and at most {req.max}" if req.max is not None else "")
        return Reason(
            "coverage",
            f"{_place(req)} on {_iso(problem, req.day)}: {limits} on site (rule {req.rule_id})",
            req.unit,
            req.site,
            req.shift,
            (_iso(problem, req.day),),
            locations=sources.coverage(req.rule_id),
        )
    if isinstance(subject, PinSpec):
        staff = problem.people[subject.person]
        return Reason(
            "pin",
            f"pin: {_who(problem, subject.person)} is pinned "
            f"{_option_text(subject.status, subject.shift)} on {_iso(problem, subject.day)}",
            staff.unit,
            staff.site,
            subject.shift,
            (_iso(problem, subject.day),),
            (staff.id,),
            sources.pin(problem, subject),
        )
    staff = problem.people[subject]
    if group.kind == "kept":
        return Reason(
            "kept",
            f"{_who(problem, subject)}: the published roster before the freeze date stays "
            "as it was",
            staff.unit,
            staff.site,
            people=(staff.id,),
            locations=sources.staff(subject),
        )
    rules = problem.units[staff.unit].rules
    stated = [(key, getattr(rules, key)) for key in RULE_KEYS if getattr(rules, key) is not None]
    said = ", ".join(f"{key} {value:g}" for key, value in stated)
    return Reason(
        "person",
        f"{_who(problem, subject)}: the working-time rules of {staff.unit} "
        + (f"({said}; shifts never overlap)" if said else "(shifts never overlap)"),
        staff.unit,
        staff.site,
        people=(staff.id,),
        locations=tuple(x for key, _ in stated[:1] for x in sources.rule(staff.unit, key))
        + sources.staff(subject),
    )


# --- everything at once ------------------------------------------------------------------------


@dataclass(frozen=True)
class Explanation:
    """What `piket explain` prints: quick reasons, minimal conflicts (where the quick
    checks see nothing), and the relaxed solve with its shortfalls."""

    quick: tuple[Reason, ...]
    conflicts: tuple[Conflict, ...]
    relaxed: Result

    @property
    def status(self) -> str:
        """feasible (a roster meets every rule), infeasible, or unknown (out of time)."""
        if self.relaxed.solved:
            return "feasible"
        if self.quick or self.conflicts or self.relaxed.status == "infeasible":
            return "infeasible"
        return "unknown"

    @property
    def fewest_proven(self) -> bool:
        """The relaxed roster's shortfalls are proven the fewest possible (every part of
        the relaxed solve optimal); otherwise more time may find fewer."""
        return bool(self.relaxed.parts) and all(
            part.status == "optimal" for part in self.relaxed.parts
        )

    def as_json(self) -> dict[str, Any]:
        relaxed = self.relaxed
        return {
            "status": self.status,
            "quick": [reason.as_json() for reason in self.quick],
            "conflicts": [conflict.as_json() for conflict in self.conflicts],
            "relaxed": {
                "status": relaxed.status,
                "roster": relaxed.roster is not None,
                "objective": relaxed.objective,
                "fewest_proven": self.fewest_proven,
                "shortfalls": [
                    {**c.as_json(), "short": c.required - c.onsite} for c in relaxed.shortfalls
                ],
                "reasons": list(relaxed.reasons) if relaxed.roster is None else [],
            },
        }


def explain(
    problem: Problem, settings: SolveSettings | None = None, sources: Sources = NOWHERE
) -> Explanation:
    """Quick reasons, the relaxed solve, and (where the quick checks see nothing) a minimal
    conflict for each part that falls short or cannot be solved even relaxed."""
    # Imported here: optimizer.solve imports this module for its quick reasons.
    from optimizer.solve import SolveSettings, partition, solve

    settings = settings or SolveSettings.from_problem(problem)
    quick = tuple(quick_reasons(problem, sources))
    started = time.monotonic()
    relaxed = solve(problem, replace(settings, relax=True))
    conflicts: list[Conflict] = []
    if not quick and not relaxed.solved:
        for part in _failing_parts(partition(problem), relaxed):
            left = settings.time_limit_s - (time.monotonic() - started)
            model = PartModel(problem, part.people, part.requirements, grouped=True)
            conflict = minimal_conflict(model, max(left, 1.0), settings.worker_count, sources)
            if conflict is not None:
                conflicts.append(conflict)
    return Explanation(quick, tuple(conflicts), relaxed)


def _failing_parts(parts: Sequence[Part], relaxed: Result) -> list[Part]:
    """Parts the relaxed solve could not solve, or that fall short of a minimum."""
    short = set()
    if relaxed.evaluation is not None:
        coverage = relaxed.evaluation.coverage
        short = {k for k, figure in enumerate(coverage) if figure.onsite < figure.required}
    failing = []
    for k, part in enumerate(parts):
        solved = k < len(relaxed.parts) and relaxed.parts[k].status in ("optimal", "feasible")
        if not solved or short & set(part.requirements):
            failing.append(part)
    return failing
