"""A quick first roster for one part, to hint CP-SAT with.

Only a hint: the model stays exact whatever this returns. Handing CP-SAT a complete roster
that is already close to (often at) the optimum leaves it mostly the proof, which its LP
does at the root; measured in benchmarks/README.md.
"""

from __future__ import annotations

from collections.abc import Sequence

from models.problem import OFF_OPTION, ONSITE, WFA_OPTION, Option, Problem, Requirement


def first_roster(
    problem: Problem,
    people: Sequence[int],
    requirements: Sequence[Requirement],
    allow_short: bool = False,
) -> dict[int, list[Option]] | None:
    """A quick roster to hint CP-SAT with (FirstRoster), or None when none was found.
    `allow_short`: a minimum the greedy cannot meet is left short (the relaxed solve)."""
    for holidays_first in (True, False):
        for scarce_last in (False, True):
            rows = FirstRoster(
                problem, people, requirements, scarce_last, holidays_first, allow_short
            ).build()
            if rows is not None:
                return rows
    return None


class FirstRoster:
    """A quick roster for one part, built day by day, cheapest person first.

    Only a hint for CP-SAT: the model stays exact whatever this returns. It aims at what an
    optimum looks like (coverage met with the fewest people on site, night shifts, holiday
    duty and WFA burden handed to whoever carries least so far), so that on most parts
    CP-SAT's first solution is already optimal or close, and the LP bound proves it.
    Returns None when the greedy choice runs into a dead end (the hint is then left out).
    """

    def __init__(
        self,
        problem: Problem,
        people: Sequence[int],
        requirements: Sequence[Requirement],
        scarce_last: bool = False,
        holidays_first: bool = True,
        allow_short: bool = False,
    ) -> None:
        self.problem = problem
        self.people = tuple(people)
        self.scarce_last = scarce_last
        self.holidays_first = holidays_first
        self.horizon = len(problem.days)
        self.requirements = requirements
        self.allow_short = allow_short  # a minimum left short is a dead end, unless relaxed
        self.allowed = {p: problem.pinned_options(p) for p in self.people}
        self.choice: dict[int, list[Option | None]] = {
            p: [None] * self.horizon for p in self.people
        }
        self.onsite = dict.fromkeys(self.people, 0)
        self.nights = dict.fromkeys(self.people, 0)
        self.duty = dict.fromkeys(self.people, 0)
        self.lacks = dict.fromkeys(self.people, 0)
        self.wanted = {(r.person, r.day): r for r in problem.requests if r.weight}
        self.night = {sid for sid, spec in problem.shifts.items() if spec.is_night}
        self.week_of = {d: w for w, week in enumerate(problem.weeks) for d in week}
        self.week_onsite: dict[tuple[int, int], int] = {}
        self.count: dict[int, int] = {}  # id(requirement) -> people on site in it so far
        self.member_of: dict[tuple[int, int, str], list[Requirement]] = {}
        rules_of: dict[int, set[str]] = {p: set() for p in self.people}
        for req in requirements:
            for p in req.members:
                self.member_of.setdefault((p, req.day, req.shift), []).append(req)
                rules_of[p].add(req.rule_id)
        # How many rules count a person: among equally cheap people, the general requirement
        # takes the least special, so a skill minimum later that day (or the next) still
        # finds someone with the skill who is free and rested.
        self.special = {p: len(rules) for p, rules in rules_of.items()}

    # --- the build ---------------------------------------------------------------------

    def build(self) -> dict[int, list[Option]] | None:
        for p in self.people:
            for d, cell in enumerate(self.allowed[p]):
                if not cell:
                    return None
                if len(cell) == 1:
                    self._decide(p, d, cell[0])
        # Holiday-duty days first: holiday duty weighs most after WFA, and deciding those
        # days first keeps a night shift the evening before from taking the very people
        # who have no holiday duty yet (rest then checks both ways).
        days = sorted(
            range(self.horizon),
            key=lambda d: (self.holidays_first and not self.problem.days[d].is_holiday_duty_day, d),
        )
        for d in days:
            if not self._day(d):
                return None
        return {p: [o for o in row if o is not None] for p, row in self.choice.items()}

    def _day(self, d: int) -> bool:
        requirements = sorted(
            (r for r in self.requirements if r.day == d),
            key=lambda r: (len(r.members), r.shift not in self.night, r.shift),
        )
        for p in self.people:
            if self.choice[p][d] is None and self._week_need(p, d) > self._room_after(p, d):
                self._place_needed(p, d, requirements)
        met = [self._fill(req, d) for req in requirements]  # every one filled, even if relaxed
        if not all(met) and not self.allow_short:
            return False
        self._spread_weekly_need(d, requirements)
        for p in self.people:
            if self.choice[p][d] is None:
                options = [o for o in self.allowed[p][d] if self._fits(p, d, o)]
                if not options:
                    return False
                self._decide(
                    p, d, min(options, key=lambda o: (self._cost(p, d, o), o.status != ONSITE))
                )
        return True

    def _spread_weekly_need(self, d: int, requirements: list[Requirement]) -> None:
        """Shifts the weekly minimum still asks for, spread evenly over the week's days left:
        left to the last days, they pile up there and leave no one rested for the next."""
        week = self.week_of.get(d)
        if week is None:
            return
        waiting = [
            p for p in self.people if self.choice[p][d] is None and self._week_need(p, d) > 0
        ]
        if not waiting:
            return
        today = sum(
            1
            for p in self.people
            if self._is_roster(p) and (self.choice[p][d] or OFF_OPTION).status == ONSITE
        )
        days_left = self.problem.weeks[week][-1] - d + 1
        needed = sum(max(0, self._week_need(p, d)) for p in self.people) + today
        quota = -(-needed // days_left) - today
        scarce = self.special if self.scarce_last else dict.fromkeys(self.people, 0)
        waiting.sort(key=lambda p: (self._room_after(p, d) - self._week_need(p, d), scarce[p], p))
        for p in waiting[:quota]:
            self._place_needed(p, d, requirements)

    def _place_needed(self, p: int, d: int, requirements: list[Requirement]) -> None:
        """Someone the weekly minimum needs today: put them where coverage lacks most."""
        shifts = [o for o in self.allowed[p][d] if o.status == ONSITE and self._fits(p, d, o)]
        if not shifts:
            return

        def lack(option: Option) -> int:
            reqs = self.member_of.get((p, d, option.shift or ""), [])
            return max((r.min - self.count.get(id(r), 0) for r in reqs), default=0)

        self._decide(p, d, min(shifts, key=lambda o: (-lack(o), self._cost(p, d, o))))

    def _fill(self, req: Requirement, d: int) -> bool:
        """Meet the requirement's minimum with the cheapest people, then its soft target
        while someone is cheaper than the shortfall's weight. A person's cost does not
        change when someone else is chosen, so one sort serves the whole requirement."""
        option = Option(ONSITE, req.shift)
        goal = max(req.min, req.target or 0)
        if self.count.get(id(req), 0) >= goal:
            return True
        candidates = sorted(
            (
                (*self._rank(p, d, option), p)
                for p in req.members
                if self.choice[p][d] is None and option in self.allowed[p][d]
            ),
        )
        for *_, p in candidates:
            count = self.count.get(id(req), 0)
            cost = self._cost(p, d, option)
            if count >= goal or (count >= req.min and cost >= req.weight):
                break
            if self._fits(p, d, option):
                self._decide(p, d, option)
        return self.count.get(id(req), 0) >= req.min

    def _rank(self, p: int, d: int, option: Option) -> tuple[int, ...]:
        """Who is chosen first: the cheapest; with `scarce_last`, the least special first
        (a second pass for when the cheapest-first roster ran out of a skill)."""
        cost = self._cost(p, d, option)
        if self.scarce_last:
            return (self.special[p], cost, -self._week_need(p, d), self.onsite[p])
        return (
            cost,
            -self._week_need(p, d),
            self._blocked_duty(p, d, option),
            self.special[p],
            self.onsite[p],
        )

    def _blocked_duty(self, p: int, d: int, option: Option) -> int:
        """When this shift rules out shifts on a coming holiday-duty day, choose someone who
        already carries holiday duty: the ones who carry none are needed that day."""
        unit = self.problem.people[p].unit
        blocks = any(
            a == option.shift
            and d + k < self.horizon
            and self.problem.days[d + k].is_holiday_duty_day
            for a, _, k in self.problem.rest_conflicts(unit)
        )
        return -self.duty[p] if blocks else 0

    # --- what a choice costs and whether it fits ---------------------------------------

    def _cost(self, p: int, d: int, option: Option) -> int:
        """The objective's increase from this choice, given the choices so far."""
        cost = 0
        request = self.wanted.get((p, d))
        if request is not None and not request.honoured_by(option):
            cost += request.weight
        if option.status != ONSITE:
            return cost
        cell = self.problem.options[p][d]
        w = self.problem.weights
        cost += w.onsite_days * self.problem.onsite_counts_as_idle(cell)
        if option.shift in self.night:
            cost += w.night_shifts * (2 * self.nights[p] + 1)
        if self.problem.days[d].is_holiday_duty_day:
            cost += w.holiday_duty * (2 * self.duty[p] + 1)
        if WFA_OPTION in cell:
            costs = self.problem.wfa_burden_costs(p)
            cost += w.wfa_days * self.problem.tier_scale * costs[min(self.lacks[p], len(costs) - 1)]
        return cost

    def _fits(self, p: int, d: int, option: Option) -> bool:
        if option.status != ONSITE:
            return True
        rules = self.problem.people[p].rules
        row = self.choice[p]
        for a, b, k in self.problem.rest_conflicts(self.problem.people[p].unit):
            if b == option.shift and d - k >= 0 and row[d - k] == Option(ONSITE, a):
                return False
            if a == option.shift and d + k < self.horizon and row[d + k] == Option(ONSITE, b):
                return False
        limit = rules.max_consecutive_onsite_days
        if limit is not None and self._run_through(p, d) > limit:
            return False
        if rules.max_onsite_days is not None and self.onsite[p] + 1 > rules.max_onsite_days:
            return False
        week = self.week_of.get(d)
        if (
            week is not None
            and rules.max_shifts_per_week is not None
            and self._is_roster(p)
            and self.week_onsite.get((p, week), 0) + 1 > rules.max_shifts_per_week
        ):
            return False
        return all(
            r.max is None or self.count.get(id(r), 0) < r.max
            for r in self.member_of.get((p, d, option.shift or ""), [])
        )

    def _run_through(self, p: int, d: int) -> int:
        """Length of the on-site run that working day d would make."""
        row = self.choice[p]
        run, e = 1, d - 1
        while e >= 0 and row[e] is not None and row[e].status == ONSITE:  # type: ignore[union-attr]
            run, e = run + 1, e - 1
        e = d + 1
        while e < self.horizon and row[e] is not None and row[e].status == ONSITE:  # type: ignore[union-attr]
            run, e = run + 1, e + 1
        return run

    def _is_roster(self, p: int) -> bool:
        return self.problem.units[self.problem.people[p].unit].schedule == "roster"

    def _week_need(self, p: int, d: int) -> int:
        """Shifts the weekly minimum still asks of p in the week of day d."""
        week = self.week_of.get(d)
        if week is None:
            return 0
        minimum = self.problem.weekly_minimum(p, self.problem.weeks[week])
        return 0 if minimum is None else minimum - self.week_onsite.get((p, week), 0)

    def _room_after(self, p: int, d: int) -> int:
        """How many more shifts p could take after day d until the end of its week."""
        week = self.week_of.get(d)
        if week is None:
            return 0
        unit = self.problem.people[p].unit
        gap = min(self.problem.repeat_gap(unit, s) for s in self.problem.units[unit].shifts)
        open_days = [
            e
            for e in range(d + 1, self.problem.weeks[week][-1] + 1)
            if self.choice[p][e] is None and any(o.status == ONSITE for o in self.allowed[p][e])
        ]
        room, last = 0, -self.horizon
        for e in open_days:
            if e - last >= gap:
                room, last = room + 1, e
        return room

    def _decide(self, p: int, d: int, option: Option) -> None:
        self.choice[p][d] = option
        if WFA_OPTION in self.problem.options[p][d] and option != WFA_OPTION:
            self.lacks[p] += 1
        if option.status != ONSITE:
            return
        self.onsite[p] += 1
        self.nights[p] += option.shift in self.night
        self.duty[p] += self.problem.days[d].is_holiday_duty_day
        week = self.week_of.get(d)
        if week is not None:
            self.week_onsite[(p, week)] = self.week_onsite.get((p, week), 0) + 1
        for req in self.member_of.get((p, d, option.shift or ""), []):
            self.count[id(req)] = self.count.get(id(req), 0) + 1
