"""The resolved problem: a scenario turned into indexed days, people, cells and requirements.

Built once from a validated `Scenario`; the optimizer and the checker both read it, so a
roster from anywhere is judged against the same facts. It also fixes the objective's
constants (cost tables and the tier scale), which are part of what the roster is judged by,
not of how the model is built.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from fractions import Fraction
from functools import cached_property
from typing import NamedTuple

from models.days import CalendarView, calendar_view, dates_of, select_days
from models.scenario import WEEKDAYS, CoverageRule, Rules, Scenario

MINUTES_PER_DAY = 24 * 60
NIGHT_END_MINUTE = 5 * 60  # The format: a night shift covers any time between 00:00 and 05:00
# Relative WFA fairness divides by each person's available days; the common multiple keeps
# the per-day costs integral (exact for up to 6 distinct availabilities), capped so costs
# stay small on long horizons (then rounded up, which keeps them strictly increasing).
_FAIRNESS_SCALE_CAP = 720

ONSITE, WFA, OFF, LEAVE = "onsite", "wfa", "off", "leave"
NOT_ONSITE = "not_onsite"  # a request's `want` only: not on site (in its shift, if given)


class Option(NamedTuple):
    """What one cell (person, day) can hold: a status, and a shift when on site.

    A named tuple rather than a dataclass: cells are compared and hashed millions of times
    while a model is built, and tuple equality runs in C (measured: 2 s of 28 s on Bekasi).
    """

    status: str
    shift: str | None = None

    def __str__(self) -> str:
        return f"{self.status}:{self.shift}" if self.shift else self.status


OFF_OPTION, WFA_OPTION, LEAVE_OPTION = Option(OFF), Option(WFA), Option(LEAVE)


@dataclass(frozen=True)
class Day:
    index: int
    date: date
    is_working: bool
    is_wfa: bool
    holiday: str | None  # national holiday name
    collective_leave: str | None  # cuti bersama name

    @property
    def weekday(self) -> str:
        return WEEKDAYS[self.date.weekday()]

    @property
    def is_holiday_duty_day(self) -> bool:
        """The format: holiday duty is on-site work on holidays and collective-leave days."""
        return self.holiday is not None or self.collective_leave is not None


@dataclass(frozen=True)
class ShiftSpec:
    id: str
    start_minute: int
    length_minutes: int
    not_followed_by: frozenset[str] = frozenset()  # shifts forbidden on the next day

    def interval(self, day: int) -> tuple[int, int]:
        """[start, end) in minutes from the horizon's first midnight."""
        start = day * MINUTES_PER_DAY + self.start_minute
        return start, start + self.length_minutes

    @property
    def is_night(self) -> bool:
        start, end = self.interval(0)
        return any(
            start < midnight + NIGHT_END_MINUTE and midnight < end
            for midnight in (0, MINUTES_PER_DAY, 2 * MINUTES_PER_DAY)
        )


@dataclass(frozen=True)
class UnitSpec:
    id: str
    name: str
    schedule: str  # "roster" | "office"
    shifts: tuple[str, ...]
    rules: Rules  # global rules with this unit's overrides applied


@dataclass(frozen=True)
class Person:
    index: int
    id: str
    name: str
    unit: str
    site: str | None
    skills: frozenset[str]
    wfa_eligible: bool
    leave: frozenset[int]  # day indexes inside the horizon
    history: Decimal  # piket days carried in earlier periods (fractions from standby days)
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
    superior: str | None = None  # the direct superior's staff id
    phone: str | None = None  # +62...
    # The unit's rules with this person's own (staff columns) applied: what binds them.
    rules: Rules = field(default_factory=Rules, compare=False, hash=False)


@dataclass(frozen=True)
class Requirement:
    """One coverage rule instantiated for one unit and one day."""

    rule_id: str
    unit: str
    site: str | None
    skill: str | None
    shift: str
    day: int
    min: int  # hard minimum head count (min and min_share resolved)
    max: int | None
    target: int | None
    weight: int
    members: tuple[int, ...]  # people matching unit, site and skill (on leave or not)
    standby: int = 0  # members on WFA that day named as standby for this shift: exactly this many
    over_weight: int = 0  # with a target: the cost of each person on site above it
    resilient: bool = False  # hard: holds with any one person on site absent

    @property
    def rule_label(self) -> str:
        where = "/".join(part for part in (self.unit, self.site, self.skill) if part)
        return f"{self.rule_id} ({where} / {self.shift})"

    def label(self, problem: Problem) -> str:
        return f"{self.rule_label} on {problem.days[self.day].date}"


@dataclass(frozen=True)
class RequestSpec:
    person: int
    day: int
    want: str
    shift: str | None
    weight: int

    def honoured_by(self, option: Option) -> bool:
        if self.want == NOT_ONSITE:
            return not (option.status == ONSITE and self.shift in (None, option.shift))
        if option.status != self.want:
            return False
        return self.shift is None or option.shift == self.shift


@dataclass(frozen=True)
class PinSpec:
    person: int
    day: int
    status: str
    shift: str | None

    def allows(self, option: Option) -> bool:
        if option.status != self.status:
            return False
        return self.shift is None or option.shift == self.shift


@dataclass(frozen=True)
class Weights:
    wfa_days: int
    holiday_duty: int
    night_shifts: int
    onsite_days: int = 1


class Problem:
    """Everything the optimizer and the checker need, indexed and resolved."""

    def __init__(self, scenario: Scenario) -> None:
        self.name = scenario.name
        self.calendar = calendar_view(scenario.horizon, scenario.calendar)
        self.days = _days(scenario, self.calendar)
        self.shifts = {
            sid: ShiftSpec(sid, s.start_minute, s.length_minutes, frozenset(s.not_followed_by))
            for sid, s in scenario.shifts.items()
        }
        self.units = {
            uid: UnitSpec(
                uid, u.name or uid, u.schedule, u.shifts, scenario.rules.overridden_by(u.rules)
            )
            for uid, u in scenario.units.items()
        }
        self.people = _people(scenario, self.days)
        self.person_index = {p.id: p.index for p in self.people}
        self.requirements = _requirements(scenario, self)
        self.requests = tuple(
            RequestSpec(
                self.person_index[r.staff], self.day_index[r.date], r.want, r.shift, r.weight
            )
            for r in scenario.requests
        )
        self.pins = tuple(
            PinSpec(self.person_index[p.staff], self.day_index[p.date], p.status, p.shift)
            for p in scenario.pins
        )
        w = scenario.fairness.weights
        self.weights = Weights(w.wfa_days, w.holiday_duty, w.night_shifts, w.onsite_days)
        self.pool = scenario.fairness.pool
        self.use_history = scenario.fairness.use_history
        self.standby_weight = scenario.fairness.standby_weight
        self.options = [self._cell_options(p) for p in self.people]
        self.solver_defaults = scenario.solver.model_dump()
        self._rest_conflicts: dict[str, tuple[tuple[str, str, int], ...]] = {}

    # --- indexes -------------------------------------------------------------------------

    @cached_property
    def day_index(self) -> dict[date, int]:
        return {d.date: d.index for d in self.days}

    @cached_property
    def weeks(self) -> tuple[tuple[int, ...], ...]:
        """Mon–Sun weeks wholly inside the horizon, as day indexes (weekly limits use these)."""
        weeks = []
        for day in self.days:
            if day.date.weekday() == 0 and day.index + 6 < len(self.days):
                weeks.append(tuple(range(day.index, day.index + 7)))
        return tuple(weeks)

    @cached_property
    def weekends(self) -> tuple[tuple[int, ...], ...]:
        """Each weekend inside the horizon, as day indexes: the `calendar.weekend` days of one
        Monday-to-Sunday week (Sat + Sun by default). `max_weekends_worked` counts these."""
        weekends: dict[date, list[int]] = {}
        for day in self.days:
            if day.date.weekday() in self.calendar.weekend:
                monday = day.date - timedelta(days=day.date.weekday())
                weekends.setdefault(monday, []).append(day.index)
        return tuple(tuple(days) for days in weekends.values())

    def units_of(self, people: Iterable[int]) -> tuple[str, ...]:
        """The units these people belong to, sorted: how a part is named in reports."""
        return tuple(sorted({self.people[p].unit for p in people}))

    def pool_of(self, person: Person) -> str:
        if self.pool == "all":
            return "all"
        if self.pool == "site" and person.site:
            return f"{person.unit}/{person.site}"
        return person.unit

    # --- what each cell can be (the format's "What each day can be") -----------------------------

    @cached_property
    def _covered_shifts(self) -> dict[tuple[str, int], frozenset[str]]:
        """(unit, day) -> shifts some coverage rule of the unit asks for that day."""
        covered: dict[tuple[str, int], set[str]] = defaultdict(set)
        for req in self.requirements:
            covered[(req.unit, req.day)].add(req.shift)
        return {key: frozenset(value) for key, value in covered.items()}

    def _cell_options(self, person: Person) -> tuple[tuple[Option, ...], ...]:
        unit = self.units[person.unit]
        return tuple(self._options_on(person, unit, day) for day in self.days)

    def _options_on(self, person: Person, unit: UnitSpec, day: Day) -> tuple[Option, ...]:
        if day.index in person.leave:
            return (LEAVE_OPTION,)
        # A shift type this person may work 0 times is no option at all (a nurse not
        # trained for nights): leaving it out keeps the model as small as the real choice.
        limits = person.rules.max_shifts_per_type or {}
        onsite = [Option(ONSITE, s) for s in unit.shifts if limits.get(s) != 0]
        wfa = [WFA_OPTION] if day.is_wfa and person.wfa_eligible else []
        if unit.schedule == "roster":
            return (*onsite, *wfa, OFF_OPTION)
        if day.is_working:
            return (*onsite, *wfa)
        covered = self._covered_shifts.get((unit.id, day.index), frozenset())
        return (*[o for o in onsite if o.shift in covered], OFF_OPTION)

    def available_wfa_days(self, person: int) -> int:
        """Days this person could have WFA: a `wfa_days` day, eligible, not on leave."""
        return self._available_wfa[person]

    @cached_property
    def _available_wfa(self) -> tuple[int, ...]:
        return tuple(sum(WFA_OPTION in cell for cell in row) for row in self.options)

    # --- objective constants ------------------------------------------------------------

    @cached_property
    def _fairness_scale(self) -> int:
        counts = {self.available_wfa_days(p.index) for p in self.people} - {0}
        scale = math.lcm(*counts) if counts else 1
        return scale if scale <= _FAIRNESS_SCALE_CAP else _FAIRNESS_SCALE_CAP

    def wfa_burden_costs(self, person: int) -> tuple[int, ...]:
        """Cost of the 1st, 2nd, ... available WFA day this person does NOT get WFA: the
        sum of that day's `burden_unit` unit costs (`wfa_burden_unit_costs`)."""
        units, step = self.wfa_burden_unit_costs(person), self.burden_unit
        return tuple(sum(units[k : k + step]) for k in range(0, len(units), step))

    def wfa_burden_unit_costs(self, person: int) -> tuple[int, ...]:
        """Cost of the 1st, 2nd, ... unit of WFA burden this person carries.

        A WFA day without WFA is `burden_unit` units, a standby day `standby_units`
        (`burden_in_days` says the same in piket days). Burden is relative to availability
        and starts after `history` (burden already carried): with burden and history in
        units, the i-th unit costs (h + i)^2 - (h + i - 1)^2 = 2(h + i) - 1, divided by the
        days available (the unit's own square scale, 1/burden_unit^2, is left out: it is
        common to everyone). Strictly increasing, so moving burden from a heavier to a
        lighter load always lowers the sum: that is the format's testable form of fairness.
        With whole days only (no standby, whole histories) a unit is a day.
        """
        available = self.available_wfa_days(person)
        history = self.people[person].history if self.use_history else 0
        step = self.burden_unit
        carried = int(history * step)  # whole units: burden_unit clears history's fraction
        scale = self._fairness_scale
        return tuple(
            -(-scale * (2 * (carried + i) - 1) // available) for i in range(1, available * step + 1)
        )

    @cached_property
    def burden_unit(self) -> int:
        """Units of burden in one piket day: the least that makes a standby day
        (`standby_weight`) and every history counted a whole number of units; 1 for a
        scenario without standby and with whole histories."""
        fractions = [p.history for p in self.people] if self.use_history else []
        if any(req.standby for req in self.requirements):
            fractions.append(self.standby_weight)
        return math.lcm(1, *(Fraction(value).denominator for value in fractions))

    @property
    def standby_units(self) -> int:
        """Units of burden one standby day adds (a WFA day without WFA adds burden_unit)."""
        return int(self.standby_weight * self.burden_unit)

    def burden_in_days(self, missed: int, standby: int) -> Decimal:
        """A roster's WFA burden on one person, in piket days, as the objective counts it:
        each available WFA day without WFA is 1, each standby day `standby_weight`. What
        `piket ledger` adds to `history`."""
        return missed + standby * self.standby_weight

    def standby_candidates(self, req: Requirement) -> tuple[int, ...]:
        """Members who could be named standby for `req`: able to be on WFA that day
        (eligible, not on leave, a WFA day)."""
        return tuple(p for p in req.members if WFA_OPTION in self.options[p][req.day])

    @staticmethod
    def spread_costs(count: int) -> tuple[int, ...]:
        """Marginal costs of the 1st..count-th holiday duty or night shift: squares' steps."""
        return tuple(2 * j - 1 for j in range(1, count + 1))

    def holiday_duty_days(self, person: int) -> int:
        """Days this person could be on holiday duty (an on-site option on such a day)."""
        return sum(
            self.days[d].is_holiday_duty_day and any(o.status == ONSITE for o in cell)
            for d, cell in enumerate(self.options[person])
        )

    def night_shift_days(self, person: int) -> int:
        return sum(
            any(o.shift is not None and self.shifts[o.shift].is_night for o in cell)
            for cell in self.options[person]
        )

    @staticmethod
    def onsite_counts_as_idle(cell: tuple[Option, ...]) -> bool:
        """On site where `off` was allowed counts in the `onsite_days` term (the format's aim 4)."""
        return OFF_OPTION in cell and any(o.status == ONSITE for o in cell)

    @cached_property
    def tier_scale(self) -> int:
        """Multiplier that puts WFA fairness strictly above every other term.

        One more than the largest value all lower terms together can reach, so no gain
        below can pay for any loss in WFA fairness (the format lists its aims in order of importance).
        """
        w = self.weights
        bound = sum(r.weight for r in self.requests)
        bound += sum((req.target or 0) * req.weight for req in self.requirements)
        bound += sum(
            req.over_weight * max(0, len(req.members) - req.target)
            for req in self.requirements
            if req.target is not None
        )
        for p in self.people:  # a weight of 0 switches a term off: no need to count it
            if w.holiday_duty:
                bound += w.holiday_duty * self.holiday_duty_days(p.index) ** 2
            if w.night_shifts:
                bound += w.night_shifts * self.night_shift_days(p.index) ** 2
            if w.onsite_days:
                idle = sum(self.onsite_counts_as_idle(cell) for cell in self.options[p.index])
                bound += w.onsite_days * idle
        return bound + 1

    # --- rules ---------------------------------------------------------------------------

    def rest_conflicts(self, unit: str) -> tuple[tuple[str, str, int], ...]:
        """(shift a, shift b, k): working a on day d forbids b on day d+k."""
        if unit not in self._rest_conflicts:
            self._rest_conflicts[unit] = self._unit_rest_conflicts(unit)
        return self._rest_conflicts[unit]

    def _unit_rest_conflicts(self, unit: str) -> tuple[tuple[str, str, int], ...]:
        """The pairs for one unit.

        Overlapping shifts are always forbidden; `min_rest_hours` widens the gap needed
        between the end of one and the start of the next; a shift's `not_followed_by`
        forbids those shifts on the next day whatever the times.
        """
        spec = self.units[unit]
        rest = round((spec.rules.min_rest_hours or 0) * 60)
        conflicts = []
        for a in spec.shifts:
            _, end_a = self.shifts[a].interval(0)
            for b in spec.shifts:
                k = 1
                while True:
                    start_b, _ = self.shifts[b].interval(k)
                    if start_b - end_a >= rest:
                        break
                    conflicts.append((a, b, k))
                    k += 1
                if k == 1 and b in self.shifts[a].not_followed_by:
                    conflicts.append((a, b, 1))
        return tuple(conflicts)

    def repeat_gap(self, unit: str, shift: str) -> int:
        """Fewest days between two of the same shift for one person under the unit's rest
        rules: 3 for a 24 h jaga with 48 h rest (conflicts for k = 1, 2, ... are contiguous)."""
        blocked = {k for a, b, k in self.rest_conflicts(unit) if a == b == shift}
        return 1 + max(blocked, default=0)

    def weekly_minimum(self, person: int, week: tuple[int, ...]) -> int | None:
        """Shifts a roster-unit person must work in a Mon–Sun week: `min_shifts_per_week`
        less one for each leave day that week (may be <= 0); None where no minimum applies."""
        staff = self.people[person]
        unit = self.units[staff.unit]
        minimum = unit.rules.min_shifts_per_week
        if unit.schedule != "roster" or not minimum:
            return None
        return minimum - sum(d in staff.leave for d in week)

    def pinned_options(self, person: int) -> list[tuple[Option, ...]]:
        """The person's cell options with their pins applied (an impossible pin leaves a
        cell with no option)."""
        cells = list(self.options[person])
        for pin in self._pins_by_person.get(person, ()):
            cells[pin.day] = tuple(o for o in cells[pin.day] if pin.allows(o))
        return cells

    @cached_property
    def _pins_by_person(self) -> dict[int, list[PinSpec]]:
        pins: dict[int, list[PinSpec]] = defaultdict(list)
        for pin in self.pins:
            pins[pin.person].append(pin)
        return dict(pins)

    def cells(self) -> Iterator[tuple[int, int, tuple[Option, ...]]]:
        for p, row in enumerate(self.options):
            for d, cell in enumerate(row):
                yield p, d, cell


def _days(scenario: Scenario, view: CalendarView) -> tuple[Day, ...]:
    cal = scenario.calendar
    return tuple(
        Day(
            index=k,
            date=d,
            is_working=view.is_working(d),
            is_wfa=d in view.wfa_days,
            holiday=cal.holidays.get(d),
            collective_leave=cal.collective_leave.get(d),
        )
        for k, d in enumerate(view.dates)
    )


def _people(scenario: Scenario, days: tuple[Day, ...]) -> tuple[Person, ...]:
    index_of = {d.date: d.index for d in days}
    unit_rules = {uid: scenario.rules.overridden_by(u.rules) for uid, u in scenario.units.items()}
    people = []
    for k, s in enumerate(scenario.staff):
        unit = scenario.units[s.unit]
        own = s.own_rules
        people.append(
            Person(
                index=k,
                id=s.id,
                name=s.name,
                unit=s.unit,
                site=s.site,
                skills=frozenset(s.skills),
                wfa_eligible=s.wfa_eligible if s.wfa_eligible is not None else unit.wfa_default,
                leave=frozenset(index_of[d] for d in dates_of(s.leave) if d in index_of),
                history=s.history,
                extra=s.extra,
                superior=s.superior,
                phone=s.phone,
                rules=unit_rules[s.unit].overridden_by(Rules(**own)) if own else unit_rules[s.unit],
            )
        )
    return tuple(people)


def rule_ids(rules: tuple[CoverageRule, ...]) -> list[str]:
    """Each rule's id: its own, or one derived from what it covers (stable, readable)."""
    taken = {r.id for r in rules if r.id}
    ids = []
    for rule in rules:
        if rule.id:
            ids.append(rule.id)
            continue
        units = rule.unit if isinstance(rule.unit, str) else "+".join(rule.unit)
        base = "-".join(
            p for p in ("all" if units == "*" else units, rule.site, rule.skill, rule.shift) if p
        )
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        taken.add(candidate)
        ids.append(candidate)
    return ids


def _rule_units(rule: CoverageRule, problem: Problem) -> list[str]:
    named = (
        list(problem.units)
        if rule.unit == "*"
        else ([rule.unit] if isinstance(rule.unit, str) else list(rule.unit))
    )
    return [u for u in named if rule.shift in problem.units[u].shifts]


def _requirements(scenario: Scenario, problem: Problem) -> tuple[Requirement, ...]:
    by_unit: dict[str, list[Person]] = defaultdict(list)
    for person in problem.people:
        by_unit[person.unit].append(person)
    requirements = []
    for rule, rule_id in zip(scenario.coverage, rule_ids(scenario.coverage), strict=True):
        days = sorted(select_days(rule.days, problem.calendar))
        for unit in _rule_units(rule, problem):
            members = [
                p
                for p in by_unit[unit]
                if (rule.site is None or p.site == rule.site)
                and (rule.skill is None or rule.skill in p.skills)
            ]
            for d in days:
                day = problem.day_index[d]
                present = sum(day not in p.leave for p in members)
                requirements.append(
                    Requirement(
                        rule_id=rule_id,
                        unit=unit,
                        site=rule.site,
                        skill=rule.skill,
                        shift=rule.shift,
                        day=day,
                        min=_required(rule, present),
                        max=rule.max,
                        target=rule.target,
                        weight=rule.weight,
                        over_weight=rule.over_weight,
                        members=tuple(p.index for p in members),
                        standby=rule.standby,
                        resilient=rule.resilient,
                    )
                )
    return tuple(requirements)


def _required(rule: CoverageRule, present: int) -> int:
    """max(min, ceil(min_share * present)), in exact decimal arithmetic (as the format says)."""
    share = 0
    if rule.min_share is not None:
        share = int((rule.min_share * Decimal(present)).to_integral_value(ROUND_CEILING))
    return max(rule.min or 0, share)
