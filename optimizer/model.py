"""The CP-SAT model of one part of a problem: one method per rule family, called in one list.

A cell (person, day) with a single allowed option is a constant, not a variable: on a long
horizon most cells are fixed by the calendar or leave, and the model stays as small as the
real choice. Rules are written against `_onsite` / `_holds` expressions that mix literals
and constants, so each family reads the same whether its cells are free or fixed.
"""

from __future__ import annotations

from collections.abc import Sequence

from ortools.sat.python import cp_model

from models.problem import ONSITE, WFA_OPTION, Option, Problem

# One literal or constant 0/1: what a cell "holds an option" is in the model.
Term = cp_model.IntVar | int


def _negate(term: Term) -> cp_model.IntVar | bool:
    """The negation of a literal, or of a constant (as a Boolean the clause accepts)."""
    return (not term) if isinstance(term, int) else term.Not()


def _is_zero(term: Term) -> bool:
    return isinstance(term, int) and term == 0


class PartModel:
    """The CP-SAT model over a set of people that share no rule with anyone outside it."""

    def __init__(self, problem: Problem, people: Sequence[int], requirements: Sequence[int]) -> None:
        self.problem = problem
        self.people = tuple(people)
        self.requirements = tuple(problem.requirements[r] for r in requirements)
        self.model = cp_model.CpModel()
        self.literals: dict[tuple[int, int], dict[Option, cp_model.IntVar]] = {}
        self.terms: dict[str, list[tuple[int, Term]]] = {}
        self.infeasible_reasons: list[str] = []
        self._cells()
        for rule_family in (
            self._pins,
            self._coverage,
            self._rest,
            self._max_consecutive_onsite_days,
            self._max_onsite_days,
            self._shifts_per_week,
        ):
            rule_family()
        for objective_term in (
            self._wfa_fairness,
            self._holiday_duty,
            self._night_shifts,
            self._requests,
            self._onsite_days,
        ):
            objective_term()
        self._set_objective()

    # --- cells ---------------------------------------------------------------------------

    def _cells(self) -> None:
        for p in self.people:
            for d, cell in enumerate(self.problem.options[p]):
                if len(cell) < 2:
                    continue
                literals = {o: self.model.new_bool_var(f"x_{p}_{d}_{o}") for o in cell}
                self.model.add_exactly_one(literals.values())
                self.literals[(p, d)] = literals

    def _holds(self, p: int, d: int, option: Option) -> Term:
        """1 when person p holds `option` on day d: a literal, or a constant if fixed."""
        literals = self.literals.get((p, d))
        if literals is None:
            return int(self.problem.options[p][d] == (option,))
        return literals.get(option, 0)

    def _onsite(self, p: int, d: int, shifts: Sequence[str] | None = None) -> list[Term]:
        """Terms summing to 1 when p is on site on day d (in one of `shifts`, if given)."""
        unit_shifts = self.problem.units[self.problem.people[p].unit].shifts
        wanted = unit_shifts if shifts is None else [s for s in shifts if s in unit_shifts]
        return [self._holds(p, d, Option(ONSITE, s)) for s in wanted]

    def _require(self, condition: bool, reason: str) -> None:
        """A rule over constants only: record why the part cannot be solved if it fails."""
        if not condition:
            self.infeasible_reasons.append(reason)
            self.model.add_bool_or([])  # an empty clause: false

    # --- hard rules ----------------------------------------------------------------------

    def _pins(self) -> None:
        members = set(self.people)
        for pin in self.problem.pins:
            if pin.person not in members:
                continue
            allowed = [o for o in self.problem.options[pin.person][pin.day] if pin.allows(o)]
            person = self.problem.people[pin.person]
            day = self.problem.days[pin.day].date
            self._bounded(
                [self._holds(pin.person, pin.day, o) for o in allowed], 1, None,
                f"pin: {person.name} ({person.id}) is pinned {pin.status}"
                f"{' ' + pin.shift if pin.shift else ''} on {day}, which that day cannot be",
            )

    def _coverage(self) -> None:
        for req in self.requirements:
            terms = [t for p in req.members for t in self._onsite(p, req.day, [req.shift])]
            onsite = sum(terms)
            self._bounded(
                terms, req.min or None, req.max,
                f"coverage: {req.label(self.problem)} needs at least {req.min}"
                + (f" and at most {req.max}" if req.max is not None else "")
                + " on site, which the fixed cells rule out",
            )
            if req.target and req.weight:
                shortfall = self.model.new_int_var(0, req.target, f"short_{req.rule_id}_{req.day}")
                self.model.add(shortfall >= req.target - onsite)  # shortfall >= 0 by its domain
                self.terms.setdefault("targets", []).append((req.weight, shortfall))

    def _rest(self) -> None:
        """Forbidden pairs (shift a on day d, shift b on day d+k): overlap or too little rest."""
        horizon = len(self.problem.days)
        for p in self.people:
            conflicts = self.problem.rest_conflicts(self.problem.people[p].unit)
            for a, b, k in conflicts:
                for d in range(horizon - k):
                    first = self._holds(p, d, Option(ONSITE, a))
                    second = self._holds(p, d + k, Option(ONSITE, b))
                    if _is_zero(first) or _is_zero(second):
                        continue
                    if isinstance(first, int) and isinstance(second, int):
                        self._require(False, self._rest_reason(p, d, a, d + k, b))
                    else:
                        self.model.add_bool_or([_negate(first), _negate(second)])

    def _rest_reason(self, p: int, d: int, a: str, e: int, b: str) -> str:
        person = self.problem.people[p]
        return (
            f"rest: {person.name} ({person.id}) is fixed to {a} on {self.problem.days[d].date} "
            f"and {b} on {self.problem.days[e].date}, too close for the rest rule"
        )

    def _max_consecutive_onsite_days(self) -> None:
        horizon = len(self.problem.days)
        for p in self.people:
            limit = self._rules(p).max_consecutive_onsite_days
            if limit is None or limit >= horizon:
                continue
            for start in range(horizon - limit):
                window = [t for d in range(start, start + limit + 1) for t in self._onsite(p, d)]
                self._add_at_most(window, limit, p, "max_consecutive_onsite_days")

    def _max_onsite_days(self) -> None:
        for p in self.people:
            limit = self._rules(p).max_onsite_days
            if limit is not None:
                days = range(len(self.problem.days))
                self._add_at_most([t for d in days for t in self._onsite(p, d)], limit, p, "max_onsite_days")

    def _shifts_per_week(self) -> None:
        for p in self.people:
            person = self.problem.people[p]
            if self.problem.units[person.unit].schedule != "roster":
                continue
            rules = self._rules(p)
            for week in self.problem.weeks:
                worked = [t for d in week for t in self._onsite(p, d)]
                if rules.max_shifts_per_week is not None:
                    self._add_at_most(worked, rules.max_shifts_per_week, p, "max_shifts_per_week")
                if rules.min_shifts_per_week:
                    needed = rules.min_shifts_per_week - sum(d in person.leave for d in week)
                    if needed > 0:
                        first = self.problem.days[week[0]].date
                        self._bounded(
                            worked, needed, None,
                            f"min_shifts_per_week: {person.name} ({person.id}) cannot work "
                            f"{needed} shifts in the week of {first}",
                        )

    def _add_at_most(self, terms: list[Term], limit: int, p: int, rule: str) -> None:
        person = self.problem.people[p]
        self._bounded(terms, None, limit, f"{rule}: {person.name} ({person.id}) is fixed on site beyond {limit}")

    def _bounded(self, terms: list[Term], low: int | None, high: int | None, reason: str) -> None:
        """low <= sum(terms) <= high; constants are folded, and a rule over constants only
        that fails records `reason` instead of building an unsatisfiable constraint."""
        fixed = sum(t for t in terms if isinstance(t, int))
        free = [t for t in terms if not isinstance(t, int)]
        lowest, highest = fixed, fixed + len(free)
        self._require(
            (low is None or highest >= low) and (high is None or lowest <= high), reason
        )
        if low is not None and lowest < low <= highest:
            self.model.add(sum(free) >= low - fixed)
        if high is not None and lowest <= high < highest:
            self.model.add(sum(free) <= high - fixed)

    def _rules(self, p: int):  # noqa: ANN202 - models.scenario.Rules
        return self.problem.units[self.problem.people[p].unit].rules

    # --- objective terms -----------------------------------------------------------------

    def _convex_count(self, name: str, weight: int, terms: list[Term], costs: Sequence[int]) -> None:
        """weight * (costs[0] + ... + costs[n-1]) where n = sum(terms); costs increase.

        Unary encoding: step literal j is on when the count reaches j. With increasing
        costs the LP relaxation is the convex hull, so bounds come cheaply.
        """
        fixed = sum(t for t in terms if isinstance(t, int))
        free = [t for t in terms if not isinstance(t, int)]
        if weight == 0 or not costs:
            return
        constant = sum(costs[:fixed])
        if constant:
            self.terms.setdefault(name, []).append((weight * constant, 1))
        if not free:
            return
        steps = [self.model.new_bool_var(f"{name}_step") for _ in free]
        self.model.add(sum(steps) == sum(free))
        for earlier, later in zip(steps, steps[1:], strict=False):
            self.model.add_implication(later, earlier)
        for cost, step in zip(costs[fixed:], steps, strict=False):
            self.terms.setdefault(name, []).append((weight * cost, step))

    def _wfa_fairness(self) -> None:
        weight = self.problem.weights.wfa_days * self.problem.tier_scale
        for p in self.people:
            costs = self.problem.wfa_burden_costs(p)
            burdens = [
                self._lacks_wfa(p, d)
                for d, cell in enumerate(self.problem.options[p])
                if WFA_OPTION in cell
            ]
            self._convex_count("wfa_fairness", weight, burdens, costs)

    def _lacks_wfa(self, p: int, d: int) -> Term:
        held = self._holds(p, d, WFA_OPTION)
        return 1 - held if isinstance(held, int) else held.Not()

    def _holiday_duty(self) -> None:
        weight = self.problem.weights.holiday_duty
        for p in self.people:
            duty = [t for day in self.problem.days if day.is_holiday_duty_day for t in self._onsite(p, day.index)]
            duty = [t for t in duty if not _is_zero(t)]
            self._convex_count("holiday_duty", weight, duty, self.problem.spread_costs(len(duty)))

    def _night_shifts(self) -> None:
        weight = self.problem.weights.night_shifts
        nights = [s for s, spec in self.problem.shifts.items() if spec.is_night]
        for p in self.people:
            worked = [t for d in range(len(self.problem.days)) for t in self._onsite(p, d, nights)]
            worked = [t for t in worked if not _is_zero(t)]
            self._convex_count("night_shifts", weight, worked, self.problem.spread_costs(len(worked)))

    def _requests(self) -> None:
        members = set(self.people)
        for request in self.problem.requests:
            if request.person not in members or not request.weight:
                continue
            cell = self.problem.options[request.person][request.day]
            honoured = sum(self._holds(request.person, request.day, o) for o in cell if request.honoured_by(o))
            self.terms.setdefault("requests", []).append((request.weight, 1 - honoured))

    def _onsite_days(self) -> None:
        for p in self.people:
            for d, cell in enumerate(self.problem.options[p]):
                if self.problem.onsite_counts_as_idle(cell):
                    for term in self._onsite(p, d):
                        self.terms.setdefault("onsite_days", []).append((1, term))

    def _set_objective(self) -> None:
        self.model.minimize(
            sum(weight * term for pairs in self.terms.values() for weight, term in pairs)
        )

    # --- reading a solution --------------------------------------------------------------

    def solution(self, value: callable) -> dict[int, tuple[Option, ...]]:  # noqa: ANN001
        """Each person's options by day, reading literals through `value(literal) -> bool`."""
        rows: dict[int, tuple[Option, ...]] = {}
        for p in self.people:
            row = []
            for d, cell in enumerate(self.problem.options[p]):
                literals = self.literals.get((p, d))
                if literals is None:
                    row.append(cell[0])
                else:
                    row.append(next(o for o, lit in literals.items() if value(lit)))
            rows[p] = tuple(row)
        return rows
