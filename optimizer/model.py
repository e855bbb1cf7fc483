"""The CP-SAT model of one part of a problem: one method per rule family, called in one list.

A cell (person, day) with a single allowed option is a constant, not a variable: on a long
horizon most cells are fixed by the calendar or leave, and the model stays as small as the
real choice. Rules are written against `_onsite` / `_holds` expressions that mix literals
and constants, so each family reads the same whether its cells are free or fixed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import NamedTuple

from ortools.sat.python import cp_model
from ortools.sat.python.cp_model_helper import Literal

from models.problem import ONSITE, WFA_OPTION, Option, PinSpec, Problem, Requirement

# One literal or constant 0/1: what a cell "holds an option" is in the model.
Term = Literal | int


class Group(NamedTuple):
    """A group of hard rules that hold or fail together when explaining infeasibility:
    ("coverage", Requirement), ("person", person index: rest, runs, weekly limits),
    ("pin", PinSpec) or ("kept", person index: cells a replan keeps as published)."""

    kind: str
    subject: Requirement | PinSpec | int


def _negate(term: Term) -> Term:
    """The negation of a literal, or of a constant (as a Boolean the clause accepts)."""
    return (not term) if isinstance(term, int) else term.Not()


def _is_zero(term: Term) -> bool:
    return isinstance(term, int) and term == 0


def _is_one(term: Term) -> bool:
    return isinstance(term, int) and term == 1


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
        self,
        problem: Problem,
        people: Sequence[int],
        requirements: Sequence[int],
        *,
        relax: bool = False,
        grouped: bool = False,
    ) -> None:
        """`relax`: coverage minimums become shortfalls penalised above every other term.
        `grouped`: each hard-rule group holds only under its literal in `group_literals`,
        so CP-SAT's assumptions can name the groups that cannot hold together."""
        self.problem = problem
        self.relax = relax
        self.grouped = grouped
        self.group_literals: dict[Group, cp_model.IntVar] = {}
        self._enforced_by: cp_model.IntVar | None = None
        self._below_min: list[cp_model.IntVar] = []
        self.kept: list[Term] = []  # replan: 1 where a free cell keeps its published option
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
        self._excesses: list[tuple[cp_model.IntVar, int, list[Term]]] = []  # above a target
        # Auxiliary literals that equal "any of these terms" (a weekend worked), hinted so
        self._any_of: list[tuple[cp_model.IntVar, list[Term]]] = []
        self._working_terms: dict[tuple[int, int], Term] = {}
        self._blocks: dict[str, list[tuple[int, tuple[str, ...], tuple[str, ...]]]] = {}
        self._by_day_shift: dict[tuple[int, str], list[tuple[int, Term]]] = {}
        self._member_sets: dict[int, frozenset[int]] = {}
        # (person, day, rule id) -> 1 when the person is named standby for that rule that day
        self.standby_literals: dict[tuple[int, int, str], cp_model.IntVar] = {}
        self._standby_of: dict[int, list[cp_model.IntVar]] = {}  # the same, per person
        # (unit, day, shift) -> (person, standby literal): who could step in for that shift
        self._standby_in: dict[tuple[str, int, str], list[tuple[int, cp_model.IntVar]]] = {}
        self._stepping_in: list[tuple[cp_model.IntVar, list[cp_model.IntVar]]] = []
        self._cells()
        for rule_family in (
            self._pins,
            self._coverage,
            self._standby,
            self._resilient,
            self._rest,
            self._max_consecutive_onsite_days,
            self._max_onsite_days,
            self._shifts_per_week,
            self._max_shifts_per_type,
            self._work_minutes,
            self._min_consecutive_onsite_days,
            self._min_consecutive_days_off,
            self._max_weekends_worked,
        ):
            rule_family()
        self._enforced_by = None  # what follows is objective, not a rule group
        for objective_term in (
            self._wfa_fairness,
            self._holiday_duty,
            self._night_shifts,
            self._requests,
            self._onsite_days,
        ):
            objective_term()
        self._whole_rows()
        self._penalise_shortfalls()
        self._set_objective()

    # --- cells ---------------------------------------------------------------------------

    def _cells(self) -> None:
        for p in self.people:
            for d, cell in enumerate(self.problem.options[p]):
                if len(cell) < 2:
                    continue
                literals = {
                    o: self.model.new_bool_var(f"x_{p}_{d}_{o.shift or o.status}") for o in cell
                }
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
            # Only the shifts the cell can hold (the others are 0): a nurse may work 16 of
            # the unit's 32 shift types, and every family would skip the rest again.
            literals = self.literals.get((p, d))
            if literals is None:  # a fixed cell: on site in its one shift, or not at all
                only = self.problem.options[p][d][0]
                by_shift = {only.shift: 1} if only.status == ONSITE and only.shift else {}
            else:
                by_shift = {
                    o.shift: t for o, t in literals.items() if o.status == ONSITE and o.shift
                }
            self._onsite_terms[(p, d)] = by_shift
        if shifts is None:
            return list(by_shift.values())
        return [by_shift[s] for s in shifts if s in by_shift]

    def _require(self, condition: bool, reason: str) -> None:
        """A rule over constants only: record why the part cannot be solved if it fails."""
        if not condition:
            self.infeasible_reasons.append(reason)
            self._hard(self.model.add_bool_or([]))  # an empty clause: false

    # --- hard rules ----------------------------------------------------------------------

    def _pins(self) -> None:
        members = set(self.people)
        for pin in self.problem.pins:
            if pin.person not in members:
                continue
            allowed = [o for o in self.problem.options[pin.person][pin.day] if pin.allows(o)]
            person = self.problem.people[pin.person]
            day = self.problem.days[pin.day].date
            self._group("pin", pin)
            self._bounded(
                [self._holds(pin.person, pin.day, o) for o in allowed],
                1,
                None,
                f"pin: {person.name} ({person.id}) is pinned {pin.status}"
                f"{' ' + pin.shift if pin.shift else ''} on {day}, which that day cannot be",
            )

    def _coverage(self) -> None:
        for req in self.requirements:
            terms = self._coverage_terms(req)
            onsite = sum(terms)
            self._group("coverage", req)
            if self.relax and req.min:
                self._short_of_min(req, terms)
            self._bounded(
                terms,
                None if self.relax else (req.min or None),
                req.max,
                f"coverage: {req.label(self.problem)} needs at least {req.min}"
                + (f" and at most {req.max}" if req.max is not None else "")
                + " on site, which the fixed cells rule out",
            )
            if req.target and req.weight:
                shortfall = self.model.new_int_var(0, req.target, f"short_{req.rule_id}_{req.day}")
                # Equal, not just at least: a roster found before the optimum is proved then
                # reports its true cost (a slack shortfall would overstate the objective).
                self.model.add_max_equality(shortfall, [0, req.target - onsite])
                self._shortfalls.append((shortfall, req.target, terms))
                self._add_term("targets", req.weight, shortfall)
            if req.target is not None and req.over_weight and len(terms) > req.target:
                excess = self.model.new_int_var(
                    0, len(terms) - req.target, f"over_{req.rule_id}_{req.day}"
                )
                self.model.add_max_equality(excess, [0, onsite - req.target])  # exact, as above
                self._excesses.append((excess, req.target, terms))
                self._add_term("targets", req.over_weight, excess)

    def _standby(self) -> None:
        """Exactly `standby` members named per requirement, each on WFA that day; one
        standby duty per person per day. The burden a standby day adds is counted in
        `_wfa_fairness`.

        A standby literal exists only for a member who can be on WFA that day
        (`Problem.standby_candidates`), so a standby is never on site, on leave or without
        the rule's unit, site or skill.
        """
        same_day: dict[tuple[int, int], list[cp_model.IntVar]] = {}
        for req in self.requirements:
            if not req.standby:
                continue
            named: list[Term] = []
            for p in self.problem.standby_candidates(req):
                wfa = self._holds(p, req.day, WFA_OPTION)
                literal = self.model.new_bool_var(f"standby_{p}_{req.day}_{req.rule_id}")
                if not isinstance(wfa, int):
                    self.model.add_implication(literal, wfa)
                self.standby_literals[(p, req.day, req.rule_id)] = literal
                self._standby_of.setdefault(p, []).append(literal)
                self._standby_in.setdefault((req.unit, req.day, req.shift), []).append((p, literal))
                same_day.setdefault((p, req.day), []).append(literal)
                named.append(literal)
            self._group("coverage", req)
            self._bounded(
                named,
                req.standby,
                req.standby,
                f"standby: {req.label(self.problem)} asks for {req.standby} standby on WFA, "
                f"and only {len(named)} of its {len(req.members)} matching staff can be on "
                "WFA that day",
            )
        for literals in same_day.values():
            if len(literals) > 1:
                self.model.add_at_most_one(literals)

    def _resilient(self) -> None:
        """N-1: a `resilient` rule holds with any one person on site absent: one more on
        site than its minimum, or a standby who can step in (named that day for the same
        unit and shift, and matching the rule's site and skill). A rule asking for standby
        itself always has one: its count is exact."""
        for req in self.requirements:
            if not req.resilient or req.standby or not req.min:
                continue
            terms = [t for p in req.members for t in self._onsite(p, req.day, [req.shift])]
            members = set(req.members)
            slot = self._standby_in.get((req.unit, req.day, req.shift), [])
            stepping_in = [literal for p, literal in slot if p in members]
            self._group("coverage", req)
            if stepping_in:  # on site + (a standby who can step in) >= min + 1
                covered = self.model.new_bool_var(f"stepping_in_{req.rule_id}_{req.day}")
                self.model.add(sum(stepping_in) >= covered)
                self._stepping_in.append((covered, stepping_in))
                terms = [*terms, covered]
            if self.relax:
                self._short_of_min(replace(req, min=req.min + 1), terms)
                continue
            self._bounded(
                terms,
                req.min + 1,
                None,
                f"resilient: {req.label(self.problem)} must hold with one person absent, so "
                f"it needs {req.min + 1} on site or a standby, which the fixed cells rule out",
            )

    def _rest(self) -> None:
        """Forbidden pairs (shift a on day d, shift b on day d+k): overlap, too little rest
        or a forbidden succession.

        Shifts a that forbid the same set B share one at-most-one over {a on d} and {b on
        d+k}: a person holds one option a day, so it says exactly "no a then b". One
        constraint where pairwise clauses need |A| x |B| (a nurse's late shift may forbid 15
        early ones: the benchmark's Instance24 went from 10 million constraints to far
        fewer), and a tighter LP.
        """
        horizon = len(self.problem.days)
        for p in self.people:
            self._group("person", p)
            workable = {o.shift for cell in self.problem.options[p] for o in cell if o.shift}
            for k, all_firsts, all_seconds in self._conflict_blocks(self.problem.people[p].unit):
                # only the shifts this person ever works (a nurse: 16 of 32)
                firsts = [s for s in all_firsts if s in workable]
                seconds = [s for s in all_seconds if s in workable]
                if not firsts or not seconds:
                    continue
                for d in range(horizon - k):
                    before = self._shift_terms(p, d, firsts)
                    after = self._shift_terms(p, d + k, seconds)
                    if before and after:
                        self._not_both(p, d, before, d + k, after)

    def _conflict_blocks(self, unit: str) -> list[tuple[int, tuple[str, ...], tuple[str, ...]]]:
        """Rest conflicts as (k, shifts A, shifts B): any a in A on d rules out any b in B on
        d+k; A gathers the shifts with the same B."""
        if unit not in self._blocks:
            banned: dict[tuple[int, str], set[str]] = {}
            for a, b, k in self.problem.rest_conflicts(unit):
                banned.setdefault((k, a), set()).add(b)
            sharing: dict[tuple[int, frozenset[str]], list[str]] = {}
            for (k, a), seconds in banned.items():
                sharing.setdefault((k, frozenset(seconds)), []).append(a)
            self._blocks[unit] = [
                (k, tuple(firsts), tuple(sorted(seconds)))
                for (k, seconds), firsts in sharing.items()
            ]
        return self._blocks[unit]

    def _shift_terms(self, p: int, d: int, shifts: Sequence[str]) -> list[tuple[str, Term]]:
        """(shift, term) for each of `shifts` p can hold on day d (zeros left out)."""
        by_shift = self._onsite_terms_by_shift(p, d)
        return [(s, by_shift[s]) for s in shifts if s in by_shift]

    def _not_both(
        self,
        p: int,
        d: int,
        before: list[tuple[str, Term]],
        e: int,
        after: list[tuple[str, Term]],
    ) -> None:
        """None of `before` on day d together with any of `after` on day e."""
        fixed_before = [s for s, t in before if isinstance(t, int)]
        fixed_after = [s for s, t in after if isinstance(t, int)]
        if fixed_before and fixed_after:
            self._require(False, self._rest_reason(p, d, fixed_before[0], e, fixed_after[0]))
            return
        free = [t for _, t in (*before, *after) if not isinstance(t, int)]
        if fixed_before or fixed_after:  # one side is fixed on: the other side is off
            self._hard(self.model.add_bool_and([_negate(t) for t in free]))
        elif len(free) > 1:
            self._hard(self.model.add_at_most_one(free))

    def _rest_reason(self, p: int, d: int, a: str, e: int, b: str) -> str:
        person = self.problem.people[p]
        return (
            f"rest: {person.name} ({person.id}) is fixed to {a} on {self.problem.days[d].date} "
            f"and {b} on {self.problem.days[e].date}, too close for the rest rule"
        )

    def _max_consecutive_onsite_days(self) -> None:
        horizon = len(self.problem.days)
        for p in self.people:
            self._group("person", p)
            limit = self._rules(p).max_consecutive_onsite_days
            if limit is None or limit >= horizon:
                continue
            days = [self._onsite_compact(p, d) for d in range(horizon)]
            free = [sum(not isinstance(t, int) for t in terms) for terms in days]
            for start in range(horizon - limit):
                span = range(start, start + limit + 1)
                if not any(free[d] for d in span) and sum(sum(days[d]) for d in span) <= limit:
                    continue  # all fixed and within the limit: nothing to state
                window = [t for d in range(start, start + limit + 1) for t in days[d]]
                self._add_at_most(window, limit, p, "max_consecutive_onsite_days")

    def _max_onsite_days(self) -> None:
        for p in self.people:
            self._group("person", p)
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
            self._group("person", p)
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

    # --- hospital-grade rules (per person, over the horizon) -----------------------------

    def _max_shifts_per_type(self) -> None:
        for p in self.people:
            limits = self._rules(p).max_shifts_per_type
            if not limits:
                continue
            self._group("person", p)
            worked: dict[str, list[Term]] = {}
            for d in range(len(self.problem.days)):
                for shift, term in self._onsite_terms_by_shift(p, d).items():
                    worked.setdefault(shift, []).append(term)
            for shift, limit in limits.items():
                if limit:  # 0: not an option at all (Problem leaves the shift out)
                    terms = worked.get(shift, [])
                    self._add_at_most(terms, limit, p, f"max_shifts_per_type ({shift})")

    def _work_minutes(self) -> None:
        """min_work_minutes <= sum of the lengths of the shifts worked <= max_work_minutes."""
        for p in self.people:
            rules = self._rules(p)
            low, high = rules.min_work_minutes, rules.max_work_minutes
            if low is None and high is None:
                continue
            self._group("person", p)
            fixed, free, most = 0, [], 0
            for d in range(len(self.problem.days)):
                day_most = 0
                for shift, term in self._onsite_terms_by_shift(p, d).items():
                    minutes = self.problem.shifts[shift].length_minutes
                    if isinstance(term, int):
                        fixed += minutes * term
                    else:
                        free.append((minutes, term))
                        day_most = max(day_most, minutes)
                most += day_most  # one shift a day at most
            person = self.problem.people[p]
            self._require(
                (low is None or fixed + most >= low) and (high is None or fixed <= high),
                f"work minutes: {person.name} ({person.id}) cannot work between "
                f"{low or 0} and {high if high is not None else 'any'} minutes "
                f"(fixed {fixed}, at most {fixed + most} possible)",
            )
            worked = cp_model.LinearExpr.weighted_sum(
                [term for _, term in free], [minutes for minutes, _ in free]
            )
            if low is not None and fixed < low:
                self._hard(self.model.add(worked >= low - fixed))
            if high is not None and high < fixed + most:
                self._hard(self.model.add(worked <= high - fixed))

    def _min_consecutive_onsite_days(self) -> None:
        """A run of on-site days that starts after an off day lasts at least the minimum, or
        reaches the horizon's end (it may go on after it): on site on d after a day not on
        site implies on site on d+1 .. d+k-1. Three-literal clauses: they propagate at once."""
        for p in self.people:
            limit = self._rules(p).min_consecutive_onsite_days
            if limit is not None and limit > 1:
                self._group("person", p)
                self._min_runs(p, limit, working=True)

    def _min_consecutive_days_off(self) -> None:
        """The same for runs of days not on site (off, leave, WFA), after an on-site day."""
        for p in self.people:
            limit = self._rules(p).min_consecutive_days_off
            if limit is not None and limit > 1:
                self._group("person", p)
                self._min_runs(p, limit, working=False)

    def _min_runs(self, p: int, limit: int, working: bool) -> None:
        horizon = len(self.problem.days)
        on_site = [self._working(p, d) for d in range(horizon)]
        inside = on_site if working else [_negate(t) for t in on_site]
        person = self.problem.people[p]
        rule = "min_consecutive_onsite_days" if working else "min_consecutive_days_off"
        for d in range(1, horizon - 1):
            if _is_zero(inside[d]) or _is_one(inside[d - 1]):
                continue  # no run can start on d
            for later in range(d + 1, min(d + limit, horizon)):
                self._clause(
                    [inside[d - 1], _negate(inside[d]), inside[later]],
                    f"{rule}: {person.name} ({person.id}) is fixed to a run shorter than "
                    f"{limit} days from {self.problem.days[d].date}",
                )

    def _max_weekends_worked(self) -> None:
        for p in self.people:
            limit = self._rules(p).max_weekends_worked
            if limit is None:
                continue
            self._group("person", p)
            worked = [
                self._any([self._working(p, d) for d in weekend])
                for weekend in self.problem.weekends
            ]
            self._add_at_most(worked, limit, p, "max_weekends_worked")

    def _coverage_terms(self, req: Requirement) -> list[Term]:
        """The terms summing to the members of `req` on site in its shift that day (cells
        that cannot hold the shift left out). Gathered from one index of the part's cells by
        day and shift: asking every member's cell for every requirement cost seconds on
        long horizons (the benchmark's Instance24: 11,648 requirements x 150 members)."""
        if not self._by_day_shift:
            for p in self.people:
                for d in range(len(self.problem.days)):
                    for shift, term in self._onsite_terms_by_shift(p, d).items():
                        self._by_day_shift.setdefault((d, shift), []).append((p, term))
        members = self._member_sets.get(id(req.members))
        if members is None:
            members = self._member_sets[id(req.members)] = frozenset(req.members)
        return [t for p, t in self._by_day_shift.get((req.day, req.shift), []) if p in members]

    def _onsite_compact(self, p: int, d: int) -> list[Term]:
        """Terms summing to 1 when p is on site on day d, as few as can be: with several
        shifts and one other option (off), that option's negation (a nurse with 20 shift
        types: one term a day instead of 20 in every window of a run rule)."""
        terms = self._onsite(p, d)
        if sum(not isinstance(t, int) for t in terms) < 2:
            return terms
        others = [lit for o, lit in self.literals[(p, d)].items() if o.status != ONSITE]
        return [others[0].Not()] if len(others) == 1 else terms

    def _onsite_terms_by_shift(self, p: int, d: int) -> dict[str, Term]:
        self._onsite(p, d)  # builds the cell's entry
        return self._onsite_terms[(p, d)]

    def _working(self, p: int, d: int) -> Term:
        """One term that is 1 when p is on site on day d: a constant, a cell literal, the
        negation of the one other option (on site or off), or an auxiliary literal."""
        key = (p, d)
        if key not in self._working_terms:
            terms = [t for t in self._onsite(p, d) if not _is_zero(t)]
            literals = self.literals.get(key, {})
            others = [lit for o, lit in literals.items() if o.status != ONSITE]
            if all(isinstance(t, int) for t in terms):
                term: Term = sum(terms)  # type: ignore[assignment]
            elif len(terms) == 1:
                term = terms[0]
            elif len(others) == 1:
                term = others[0].Not()  # exactly one option holds
            else:
                term = self._any(terms)
            self._working_terms[key] = term
        return self._working_terms[key]

    def _any(self, terms: list[Term]) -> Term:
        """A term equal to "any of `terms` holds": a constant, the one term, or a new literal."""
        if any(_is_one(t) for t in terms):
            return 1
        free: list[Term] = [t for t in terms if not isinstance(t, int)]
        if not free:
            return 0
        if len(free) == 1:
            return free[0]
        literal = self.model.new_bool_var("any")
        for t in free:
            self.model.add_implication(t, literal)
        self.model.add_bool_or(free).only_enforce_if(literal)
        self._any_of.append((literal, free))
        return literal

    def _clause(self, terms: list[Term], reason: str) -> None:
        """At least one of `terms` holds; constants are folded, and a clause of constants
        that fails records `reason`."""
        if any(_is_one(t) for t in terms):
            return
        free = [t for t in terms if not isinstance(t, int)]
        self._require(bool(free), reason)
        if free:
            self._hard(self.model.add_bool_or(free))

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
            self._hard(self.model.add(sum(free) >= low - fixed))
        if high is not None and lowest <= high < highest:
            self._hard(self.model.add(sum(free) <= high - fixed))

    def _rules(self, p: int):  # noqa: ANN202 - models.scenario.Rules
        """The rules that bind person p: the unit's, with the person's own applied."""
        return self.problem.people[p].rules

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
        # A count of weighted terms (a term repeated) reaches at most len(costs).
        steps = [self.model.new_bool_var(f"{name}_step") for _ in free[: len(costs) - fixed]]
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
            standby = self._standby_of.get(p)
            if standby:  # burden counted in units, where a standby day is a fraction of a day
                units = self._burden_units(burdens, standby)
                unit_costs = self.problem.wfa_burden_unit_costs(p)
                self._convex_count("wfa_fairness", weight, units, unit_costs, p)
                continue
            self._convex_count("wfa_fairness", weight, burdens, costs, p)

    def _burden_units(self, burdens: list[Term], standby: list[cp_model.IntVar]) -> list[Term]:
        """The burden in units (Problem.wfa_burden_unit_costs): each term repeated as many
        times as it weighs."""
        return [
            *(t for t in burdens for _ in range(self.problem.burden_unit)),
            *(t for t in standby for _ in range(self.problem.standby_units)),
        ]

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
            broken = [o for o in cell if not request.honoured_by(o)]
            if len(broken) < len(cell) - len(broken):
                # weight * (options that break it): fewer literals, the same value, as exactly
                # one option holds (a shift-off request: the one shift, not all the others)
                for o in broken:
                    held = self._holds(request.person, request.day, o)
                    self._add_term("requests", request.weight, held, request.person)
                continue
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
        weight = self.problem.weights.onsite_days
        if not weight:
            return
        for p in self.people:
            for d, cell in enumerate(self.problem.options[p]):
                if self.problem.onsite_counts_as_idle(cell):
                    for term in self._onsite(p, d):
                        self._add_term("onsite_days", weight, term, p)

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
        Left out when grouped: rows would hold a person's rules even with their group off.
        """
        if self.grouped:
            return
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
        if p in self._standby_of:
            return None  # a row does not say who is standby, and standby adds to the cost
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

    # --- explaining and repairing: rule groups, relaxed minimums, kept cells -------------

    def _group(self, kind: str, subject: Requirement | PinSpec | int) -> None:
        """Hard rules added next belong to this group (only when grouped)."""
        if not self.grouped:
            return
        group = Group(kind, subject)
        literal = self.group_literals.get(group)
        if literal is None:
            literal = self.model.new_bool_var(f"group_{len(self.group_literals)}")
            self.group_literals[group] = literal
        self._enforced_by = literal

    def _hard(self, constraint: cp_model.Constraint) -> None:
        if self._enforced_by is not None:
            constraint.only_enforce_if(self._enforced_by)

    def _short_of_min(self, req: Requirement, terms: list[Term]) -> None:
        """Relaxed: on site + shortfall >= min, the shortfall penalised in the objective."""
        shortfall = self.model.new_int_var(0, req.min, f"below_min_{req.rule_id}_{req.day}")
        self.model.add(sum(terms) + shortfall >= req.min)
        self._below_min.append(shortfall)
        self._shortfalls.append((shortfall, req.min, terms))  # hinted like a target's

    def _penalise_shortfalls(self) -> None:
        """Each missing person weighs more than all other terms can move together, so the
        relaxed roster first meets as much of the minimums as it can, then is the best."""
        weight = self._weight_above_terms()
        for shortfall in self._below_min:
            self._add_term("coverage_shortfall", weight, shortfall)

    def _weight_above_terms(self) -> int:
        """More than the whole range of the objective so far (each term is 0/1 or 1)."""
        return 1 + sum(abs(weight) for pairs in self.terms.values() for weight, _ in pairs)

    def keep_close_to(self, published: Mapping[int, Sequence[Option]], frozen_before: int) -> None:
        """Replan: `kept` marks each free cell that keeps its published option; days before
        `frozen_before` must keep it (a rule group per person); the objective becomes the
        most cells kept. `fix_changes` then restores the usual objective."""
        for p in self.people:
            self._group("kept", p)
            for d, option in enumerate(published[p]):
                kept = self._holds(p, d, option)
                if (p, d) in self.literals:
                    self.kept.append(kept)
                if d < frozen_before:
                    person, day = self.problem.people[p], self.problem.days[d].date
                    self._bounded(
                        [kept],
                        1,
                        None,
                        f"kept: {person.name} ({person.id}) was published as {option} on "
                        f"{day}, before the freeze date, and that day cannot be {option} now",
                    )
        self._enforced_by = None
        self.model.maximize(sum(self.kept))

    def objective_at_most(self, value: int) -> None:
        """Hold the usual objective at `value` or below, so that a second objective (the
        most cells kept, for `why`) ranks only the rosters that good."""
        self.model.add(
            sum(weight * term for pairs in self.terms.values() for weight, term in pairs) <= value
        )

    def fix_changes(self, most_kept: int) -> None:
        """Replan, second step: keep `most_kept` cells (the fewest changes found), and among
        such rosters find the best by the usual objective."""
        self.model.add(sum(self.kept) >= most_kept)
        self._set_objective()

    # --- column generation (optimizer.columns) ------------------------------------------

    def row_cost(self, p: int, row: Sequence[Option]) -> int:
        """Person p's own share of the objective when they work `row`."""
        return self._row_cost(p, tuple(row))

    def price_rows(self, p: int, prices: Mapping[tuple[int, str], int], scale: int) -> None:
        """Pricing objective: `scale` x p's own cost, plus prices[(day, shift)] for each day
        on site in that shift; its optimum is p's row of least reduced cost."""
        own = sum(weight * term for weight, term in self.person_terms.get(p, []))
        priced = sum(
            price * term
            for (d, shift), price in prices.items()
            for term in self._onsite(p, d, [shift])
        )
        self.model.minimize(scale * own + priced)

    def objective_at(self, value: Callable[[Term], int]) -> int:
        """The objective at a solution, reading each term through `value(term) -> int`."""
        return sum(
            weight * (term if isinstance(term, int) else value(term))
            for pairs in self.terms.values()
            for weight, term in pairs
        )

    def add_objective_bound(self, bound: int) -> None:
        """The objective is at least `bound`, proved elsewhere (optimizer.columns), so that
        CP-SAT's proof starts from it rather than from its own LP bound."""
        total = sum(weight * term for pairs in self.terms.values() for weight, term in pairs)
        self.model.add(total >= bound)

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

    def standby_solution(
        self, value: Callable[[cp_model.IntVar], bool]
    ) -> dict[tuple[int, int], str]:
        """(person, day) -> the rule id the person is standby for that day."""
        return {
            (p, d): rule_id
            for (p, d, rule_id), literal in self.standby_literals.items()
            if value(literal)
        }

    # --- a complete hint -----------------------------------------------------------------

    def hint(self, rows: Mapping[int, Sequence[Option]]) -> None:
        """Hint every variable, auxiliaries included, from one roster per person.

        A complete hint that is feasible becomes CP-SAT's first solution at once; a partial
        one (cells only) is measured to be much worse: the solver then has to complete the
        step literals itself and often drops the hint (benchmarks/README.md).
        """
        self.model.clear_hints()
        values = self._values(
            rows,
            self.literals,
            [s for steps in self._steps.values() for s in steps],
            self._standby_hint(rows),
        )
        for literal, terms in self._any_of:  # in creation order: later ones may use earlier
            values[literal.index] = any(_value(values, t) for t in terms)
        for index, held in values.items():
            self.model.proto.solution_hint.vars.append(index)
            self.model.proto.solution_hint.values.append(int(held))
        for shortfall, target, terms in self._shortfalls:
            self.model.add_hint(shortfall, max(0, target - sum(_value(values, t) for t in terms)))
        for excess, target, terms in self._excesses:
            self.model.add_hint(excess, max(0, sum(_value(values, t) for t in terms) - target))
        for p, (candidates, chosen) in self._rows.items():
            for row, literal in zip(candidates, chosen, strict=True):
                self.model.add_hint(literal, tuple(rows[p]) == row)

    def _standby_hint(self, rows: Mapping[int, Sequence[Option]]) -> dict[int, bool]:
        """Standby literal index -> value: for each requirement in turn, the members on WFA
        in `rows` who carry the least burden so far (in units), not yet standby that day;
        and whether a standby can step in for each resilient rule that relies on one."""
        unit = self.problem.burden_unit
        burden = {
            p: unit
            * sum(
                WFA_OPTION in cell and rows[p][d] != WFA_OPTION
                for d, cell in enumerate(self.problem.options[p])
            )
            for p in self._standby_of
        }
        named_on: set[tuple[int, int]] = set()
        values: dict[int, bool] = {}
        for req in self.requirements:
            if not req.standby:
                continue
            chosen = 0
            for p in sorted(self.problem.standby_candidates(req), key=lambda p: (burden[p], p)):
                literal = self.standby_literals[(p, req.day, req.rule_id)]
                take = (
                    chosen < req.standby
                    and rows[p][req.day] == WFA_OPTION
                    and (p, req.day) not in named_on
                )
                values[literal.index] = take
                if take:
                    chosen += 1
                    named_on.add((p, req.day))
                    burden[p] += self.problem.standby_units
        for covered, stepping_in in self._stepping_in:
            values[covered.index] = any(values[literal.index] for literal in stepping_in)
        return values

    @staticmethod
    def _values(
        rows: Mapping[int, Sequence[Option]],
        literals: dict[tuple[int, int], dict[Option, cp_model.IntVar]],
        steps: Sequence[tuple[list[cp_model.IntVar], Sequence[Term]]],
        known: Mapping[int, bool] | None = None,
    ) -> dict[int, bool]:
        """Variable index -> value for cell literals and step literals, from rosters;
        `known` gives other variables the steps count (standby)."""
        values: dict[int, bool] = dict(known or {})
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
        self.rules = person.rules
        # shift b -> (option a, k): a on day d - k rules b out on day d
        self.before: dict[str | None, list[tuple[Option, int]]] = {}
        for a, b, k in problem.rest_conflicts(person.unit):
            self.before.setdefault(b, []).append((Option(ONSITE, a), k))
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
            for earlier, k in self.before.get(option.shift, ()):
                if d - k >= 0 and row[d - k] == earlier:
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
