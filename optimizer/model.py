"""The CP-SAT model of one part of a problem: one method per rule family, called in one list.

A cell (person, day) with a single allowed option is a constant, not a variable: on a long
horizon most cells are fixed by the calendar or leave, and the model stays as small as the
real choice. Rules are written against `_onsite` / `_holds` expressions that mix literals
and constants, so each family reads the same whether its cells are free or fixed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from ortools.sat.python import cp_model
from ortools.sat.python.cp_model_helper import Literal

from models.problem import ONSITE, WFA_OPTION, Option, Problem

# One literal or constant 0/1: what a cell "holds an option" is in the model.
Term = Literal | int


def _negate(term: Term) -> Term:
    """The negation of a literal, or of a constant (as a Boolean the clause accepts)."""
    return (not term) if isinstance(term, int) else term.Not()


def _is_zero(term: Term) -> bool:
    return isinstance(term, int) and term == 0


def _value(values: dict[int, bool], term: Term) -> int:
    """A term's value under `values` (variable index -> value); a negated literal has
    index -i-1 in CP-SAT."""
    if isinstance(term, int):
        return term
    index = term.index
    return int(values[index]) if index >= 0 else int(not values[-index - 1])


class PartModel:
    """The CP-SAT model over a set of people that share no rule with anyone outside it."""

    def __init__(
        self, problem: Problem, people: Sequence[int], requirements: Sequence[int]
    ) -> None:
        self.problem = problem
        self.people = tuple(people)
        self.requirements = tuple(problem.requirements[r] for r in requirements)
        self.model = cp_model.CpModel()
        self.literals: dict[tuple[int, int], dict[Option, cp_model.IntVar]] = {}
        self._onsite_terms: dict[tuple[int, int], dict[str, Term]] = {}
        self.terms: dict[str, list[tuple[int, Term]]] = {}
        self.person_terms: dict[int, list[tuple[int, Term]]] = {}  # the same terms, per person
        self.infeasible_reasons: list[str] = []
        # Auxiliary variables and what they equal, so a hint can give every variable a value.
        self._steps: dict[int, list[tuple[list[cp_model.IntVar], Sequence[Term]]]] = {}
        self._rows: dict[int, tuple[list[tuple[Option, ...]], list[cp_model.IntVar]]] = {}
        self._shortfalls: list[tuple[cp_model.IntVar, int, list[Term]]] = []
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
        self._whole_rows()
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
        by_shift = self._onsite_terms.get((p, d))
        if by_shift is None:  # built once per cell: every rule family asks, often
            unit_shifts = self.problem.units[self.problem.people[p].unit].shifts
            by_shift = {s: self._holds(p, d, Option(ONSITE, s)) for s in unit_shifts}
            self._onsite_terms[(p, d)] = by_shift
        if shifts is None:
            return list(by_shift.values())
        return [by_shift[s] for s in shifts if s in by_shift]

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
                [self._holds(pin.person, pin.day, o) for o in allowed],
                1,
                None,
                f"pin: {person.name} ({person.id}) is pinned {pin.status}"
                f"{' ' + pin.shift if pin.shift else ''} on {day}, which that day cannot be",
            )

    def _coverage(self) -> None:
        for req in self.requirements:
            terms = [t for p in req.members for t in self._onsite(p, req.day, [req.shift])]
            onsite = sum(terms)
            self._bounded(
                terms,
                req.min or None,
                req.max,
                f"coverage: {req.label(self.problem)} needs at least {req.min}"
                + (f" and at most {req.max}" if req.max is not None else "")
                + " on site, which the fixed cells rule out",
            )
            if req.target and req.weight:
                shortfall = self.model.new_int_var(0, req.target, f"short_{req.rule_id}_{req.day}")
                self.model.add(shortfall >= req.target - onsite)  # shortfall >= 0 by its domain
                self._shortfalls.append((shortfall, req.target, terms))
                self._add_term("targets", req.weight, shortfall)

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
            days = [self._onsite(p, d) for d in range(horizon)]
            free = [sum(not isinstance(t, int) for t in terms) for terms in days]
            for start in range(horizon - limit):
                span = range(start, start + limit + 1)
                if not any(free[d] for d in span) and sum(sum(days[d]) for d in span) <= limit:
                    continue  # all fixed and within the limit: nothing to state
                window = [t for d in range(start, start + limit + 1) for t in days[d]]
                self._add_at_most(window, limit, p, "max_consecutive_onsite_days")

    def _max_onsite_days(self) -> None:
        for p in self.people:
            limit = self._rules(p).max_onsite_days
            if limit is not None:
                days = range(len(self.problem.days))
                self._add_at_most(
                    [t for d in days for t in self._onsite(p, d)], limit, p, "max_onsite_days"
                )

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
                needed = self.problem.weekly_minimum(p, week)
                if needed is not None and needed > 0:
                    first = self.problem.days[week[0]].date
                    self._bounded(
                        worked,
                        needed,
                        None,
                        f"min_shifts_per_week: {person.name} ({person.id}) cannot work "
                        f"{needed} shifts in the week of {first}",
                    )

    def _add_at_most(self, terms: list[Term], limit: int, p: int, rule: str) -> None:
        person = self.problem.people[p]
        self._bounded(
            terms,
            None,
            limit,
            f"{rule}: {person.name} ({person.id}) is fixed on site beyond {limit}",
        )

    def _bounded(self, terms: list[Term], low: int | None, high: int | None, reason: str) -> None:
        """low <= sum(terms) <= high; constants are folded, and a rule over constants only
        that fails records `reason` instead of building an unsatisfiable constraint."""
        fixed = sum(t for t in terms if isinstance(t, int))
        free = [t for t in terms if not isinstance(t, int)]
        lowest, highest = fixed, fixed + len(free)
        self._require((low is None or highest >= low) and (high is None or lowest <= high), reason)
        if low is not None and lowest < low <= highest:
            self.model.add(sum(free) >= low - fixed)
        if high is not None and lowest <= high < highest:
            self.model.add(sum(free) <= high - fixed)

    def _rules(self, p: int):  # noqa: ANN202 - models.scenario.Rules
        return self.problem.units[self.problem.people[p].unit].rules

    # --- objective terms -----------------------------------------------------------------

    def _add_term(self, name: str, weight: int, term: Term, person: int | None = None) -> None:
        self.terms.setdefault(name, []).append((weight, term))
        if person is not None:
            self.person_terms.setdefault(person, []).append((weight, term))

    def _convex_count(
        self, name: str, weight: int, terms: list[Term], costs: Sequence[int], person: int
    ) -> None:
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
            self._add_term(name, weight * constant, 1, person)
        if not free:
            return
        steps = [self.model.new_bool_var(f"{name}_step") for _ in free]
        self.model.add(sum(steps) == sum(free))
        for earlier, later in zip(steps, steps[1:], strict=False):
            self.model.add_implication(later, earlier)
        self._steps.setdefault(person, []).append((steps, free))
        for cost, step in zip(costs[fixed:], steps, strict=False):
            self._add_term(name, weight * cost, step, person)

    def _wfa_fairness(self) -> None:
        weight = self.problem.weights.wfa_days * self.problem.tier_scale
        for p in self.people:
            costs = self.problem.wfa_burden_costs(p)
            burdens = [
                self._lacks_wfa(p, d)
                for d, cell in enumerate(self.problem.options[p])
                if WFA_OPTION in cell
            ]
            self._convex_count("wfa_fairness", weight, burdens, costs, p)

    def _lacks_wfa(self, p: int, d: int) -> Term:
        held = self._holds(p, d, WFA_OPTION)
        return 1 - held if isinstance(held, int) else held.Not()

    def _holiday_duty(self) -> None:
        weight = self.problem.weights.holiday_duty
        for p in self.people:
            duty = [
                t
                for day in self.problem.days
                if day.is_holiday_duty_day
                for t in self._onsite(p, day.index)
            ]
            duty = [t for t in duty if not _is_zero(t)]
            self._convex_count(
                "holiday_duty", weight, duty, self.problem.spread_costs(len(duty)), p
            )

    def _night_shifts(self) -> None:
        weight = self.problem.weights.night_shifts
        nights = [s for s, spec in self.problem.shifts.items() if spec.is_night]
        for p in self.people:
            worked = [t for d in range(len(self.problem.days)) for t in self._onsite(p, d, nights)]
            worked = [t for t in worked if not _is_zero(t)]
            self._convex_count(
                "night_shifts", weight, worked, self.problem.spread_costs(len(worked)), p
            )

    def _requests(self) -> None:
        members = set(self.people)
        for request in self.problem.requests:
            if request.person not in members or not request.weight:
                continue
            cell = self.problem.options[request.person][request.day]
            # weight * (1 - honoured), one literal per term so each term is a literal or constant
            self._add_term("requests", request.weight, 1, request.person)
            for o in cell:
                if request.honoured_by(o):
                    self._add_term(
                        "requests",
                        -request.weight,
                        self._holds(request.person, request.day, o),
                        request.person,
                    )

    def _onsite_days(self) -> None:
        for p in self.people:
            for d, cell in enumerate(self.problem.options[p]):
                if self.problem.onsite_counts_as_idle(cell):
                    for term in self._onsite(p, d):
                        self._add_term("onsite_days", 1, term, p)

    # --- whole rows (redundant) ----------------------------------------------------------

    def _whole_rows(self) -> None:
        """Redundant: a person with few feasible rows also chooses one row as a whole.

        Cells and the person's share of the objective are tied to the chosen row, so the
        LP relaxation prices each person over whole rows (a Dantzig-Wolfe view) instead of
        cell by cell. On 24 h jaga posts (48 h rest, a weekly minimum, night and holiday
        spread on the same days) the cell-level LP bound stays far below the optimum and
        CP-SAT spends seconds closing the gap by search; with rows it starts at the optimum
        (benchmarks/README.md). Exact: every row the person's own rules allow is a
        candidate, and each row's cost is computed from the model's own terms.
        """
        self._row_cache: dict[tuple[object, ...], list[tuple[Option, ...]] | None] = {}
        for p in self.people:
            rows = self._feasible_rows(p)
            if not rows:
                continue
            chosen = [self.model.new_bool_var(f"row_{p}_{k}") for k in range(len(rows))]
            self.model.add_exactly_one(chosen)
            for d in range(len(self.problem.days)):
                cell = list(self.literals.get((p, d), {}).items())
                for option, literal in cell[:-1]:  # the last follows: one option per cell
                    self.model.add(
                        literal
                        == sum(z for z, row in zip(chosen, rows, strict=True) if row[d] == option)
                    )
            costs = [self._row_cost(p, row) for row in rows]
            share = sum(weight * term for weight, term in self.person_terms.get(p, []))
            self.model.add(share == sum(c * z for c, z in zip(costs, chosen, strict=True)))
            self._rows[p] = (rows, chosen)

    def _row_cost(self, p: int, row: tuple[Option, ...]) -> int:
        horizon = range(len(self.problem.days))
        literals = {(p, d): self.literals[(p, d)] for d in horizon if (p, d) in self.literals}
        values = self._values({p: row}, literals, self._steps.get(p, []))
        return sum(weight * _value(values, term) for weight, term in self.person_terms.get(p, []))

    def _feasible_rows(self, p: int) -> list[tuple[Option, ...]] | None:
        """Every row p's own rules allow (rest, runs, totals, weekly limits, pins), or None
        when there are more than ROW_LIMIT or the search for them grows too long."""
        if not any((p, d) in self.literals for d in range(len(self.problem.days))):
            return None
        if not any(k for _, _, k in self.problem.rest_conflicts(self.problem.people[p].unit)):
            return None  # days do not constrain each other through rest: nothing to gain
        cells = self.problem.pinned_options(p)
        person = self.problem.people[p]
        key = (person.unit, tuple(cells), frozenset(d for d in person.leave))
        if key not in self._row_cache:  # alike people (same unit, cells, leave) share rows
            walk = _RowWalk(self.problem, p, cells)
            self._row_cache[key] = walk.rows() if walk.run() else None
        return self._row_cache[key]

    def _set_objective(self) -> None:
        self.model.minimize(
            sum(weight * term for pairs in self.terms.values() for weight, term in pairs)
        )

    # --- reading a solution --------------------------------------------------------------

    def solution(self, value: Callable[[Term], bool]) -> dict[int, tuple[Option, ...]]:
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

    # --- a complete hint -----------------------------------------------------------------

    def hint(self, rows: Mapping[int, Sequence[Option]]) -> None:
        """Hint every variable, auxiliaries included, from one roster per person.

        A complete hint that is feasible becomes CP-SAT's first solution at once; a partial
        one (cells only) is measured to be much worse: the solver then has to complete the
        step literals itself and often drops the hint (benchmarks/README.md).
        """
        self.model.clear_hints()
        values = self._values(
            rows, self.literals, [s for steps in self._steps.values() for s in steps]
        )
        for index, held in values.items():
            self.model.proto.solution_hint.vars.append(index)
            self.model.proto.solution_hint.values.append(int(held))
        for shortfall, target, terms in self._shortfalls:
            self.model.add_hint(shortfall, max(0, target - sum(_value(values, t) for t in terms)))
        for p, (candidates, chosen) in self._rows.items():
            for row, literal in zip(candidates, chosen, strict=True):
                self.model.add_hint(literal, tuple(rows[p]) == row)

    @staticmethod
    def _values(
        rows: Mapping[int, Sequence[Option]],
        literals: dict[tuple[int, int], dict[Option, cp_model.IntVar]],
        steps: Sequence[tuple[list[cp_model.IntVar], Sequence[Term]]],
    ) -> dict[int, bool]:
        """Variable index -> value for cell literals and step literals, from rosters."""
        values: dict[int, bool] = {}
        for (p, d), cell in literals.items():
            for option, literal in cell.items():
                values[literal.index] = rows[p][d] == option
        for step_literals, free in steps:
            count = sum(_value(values, t) for t in free)
            for j, step in enumerate(step_literals):
                values[step.index] = j < count
        return values


# A person gets whole-row variables only with at most this many feasible rows (a jaga post
# with 48 h rest and a weekly minimum has 66 over 14 days; three 8 h shifts have millions).
ROW_LIMIT = 100
_ROW_NODE_LIMIT = 5 * ROW_LIMIT


class _RowWalk:
    """Depth-first enumeration of one person's feasible rows, day by day."""

    def __init__(self, problem: Problem, p: int, cells: list[tuple[Option, ...]]) -> None:
        person = problem.people[p]
        unit = problem.units[person.unit]
        self.cells = cells
        self.horizon = len(cells)
        self.rules = unit.rules
        self.conflicts = problem.rest_conflicts(person.unit)
        self.week_of: dict[int, tuple[int, ...]] = {}
        self.week_need: dict[tuple[int, ...], int] = {}
        if unit.schedule == "roster":
            for week in problem.weeks:
                for d in week:
                    self.week_of[d] = week
                self.week_need[week] = problem.weekly_minimum(p, week) or 0
        self.found: list[tuple[Option, ...]] = []
        self.row: list[Option] = []
        self.nodes = 0

    def run(self) -> bool:
        try:
            self._extend(0)
        except _TooMany:
            return False
        return True

    def rows(self) -> list[tuple[Option, ...]]:
        return self.found

    def _extend(self, d: int) -> None:
        self.nodes += 1
        if self.nodes > _ROW_NODE_LIMIT:
            raise _TooMany
        if d == self.horizon:
            self.found.append(tuple(self.row))
            if len(self.found) > ROW_LIMIT:
                raise _TooMany
            return
        for option in self.cells[d]:
            self.row.append(option)
            if self._fits(d):
                self._extend(d + 1)
            self.row.pop()

    def _fits(self, d: int) -> bool:
        row, option = self.row, self.row[d]
        onsite = option.status == ONSITE
        if onsite:
            for a, b, k in self.conflicts:
                if b == option.shift and d - k >= 0 and row[d - k] == Option(ONSITE, a):
                    return False
            limit = self.rules.max_consecutive_onsite_days
            if limit is not None:
                run = 0
                while run <= d and row[d - run].status == ONSITE:
                    run += 1
                if run > limit:
                    return False
            total = self.rules.max_onsite_days
            if total is not None and sum(o.status == ONSITE for o in row) > total:
                return False
        week = self.week_of.get(d)
        if week is None:
            return True
        worked = sum(row[e].status == ONSITE for e in week if e <= d)
        if self.rules.max_shifts_per_week is not None and worked > self.rules.max_shifts_per_week:
            return False
        return worked + (week[-1] - d) >= self.week_need[week]


class _TooMany(Exception):
    pass
