"""Column generation for parts whose coverage is all soft: a proven bound and a first roster
from whole rows, priced one person at a time.

Why: where coverage is a soft target and each person's own rules are rich (working minutes,
weekends, runs of days on and off: nurse rostering), the model's LP sees each person cell by
cell and stays far below the optimum (the shift scheduling benchmark's Instance4: LP bound
1,389 after 60 s, optimum 1,716; benchmarks/README.md). In the Dantzig–Wolfe view each person
chooses one whole row that keeps all of their rules; its bound is far tighter (on the
benchmark's small instances it is the optimum), and the rows found on the way combine into a
strong first roster. The same idea as the whole-row variables of `PartModel._whole_rows`,
for people whose feasible rows are far too many to list.

How:
- the restricted master LP (GLOP): each person a convex combination of the rows found so
  far; per requirement the number on site, with its shortfall and excess priced by the
  rule's weights;
- pricing: per person, a one-person `PartModel` (exactly the rules of the full model), whose
  objective is the person's own cost plus the master's duals for each day on site;
- the bound, exact whatever the LP's rounding: for any prices q (the duals rounded to
  1/SCALE), L(q) = sum over people of min over rows [own cost + sum_r q_r a_r(row)]
  + sum over requirements of min over n [cost_r(n) - q_r n] is at most the optimum (a
  Lagrangian relaxation of "n_r = people on site"), with each person's minimum taken as
  CP-SAT's proven bound of the pricing problem;
- the roster: CP-SAT chooses one generated row per person (the master as an integer program).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from fractions import Fraction

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from models.problem import ONSITE, Option, Problem, Requirement
from optimizer.model import PartModel

# Duals are rounded to 1/SCALE: the pricing objective stays integral (CP-SAT needs integer
# coefficients) and the bound exact.
SCALE = 1000
# A row enters the master when its reduced cost is below this (LP tolerance).
ENTER = -1e-6
# Column generation goes on only where a round of pricing takes at most 1/ROUNDS_NEEDED of
# its time: it needs some 15–25 rounds to converge on the benchmark's Instances 2–10; on
# larger parts the time is better spent searching (benchmarks/README.md).
ROUNDS_NEEDED = 20
# Wentges smoothing: prices are this share the best Lagrangian prices so far, the rest the
# master's duals.
SMOOTHING = 0.5
# Pricing problems are solved two at a time (the machine's cores), one CP-SAT worker each:
# a one-person model is solved fastest by one worker.
PRICING_THREADS = 2


def applies(requirements: Sequence[Requirement]) -> bool:
    """Column generation is for parts whose coverage is all soft targets: no minimum,
    maximum, standby or resilience that a convex combination of rows could not price."""
    return bool(requirements) and all(
        r.target is not None and not r.min and r.max is None and not r.standby and not r.resilient
        for r in requirements
    )


@dataclass
class ColumnOutcome:
    """What column generation found: a proven lower bound on the part's objective (None if
    no pricing round completed) and the best roster from its rows with that roster's
    objective (None if none was found in time)."""

    bound: int | None
    rows: dict[int, tuple[Option, ...]] | None
    objective: int | None
    rounds: int
    columns: int


@dataclass
class _Column:
    row: tuple[Option, ...]
    cost: int
    covers: tuple[int, ...]  # requirement indexes this row counts in
    variable: pywraplp.Variable | None = None


@dataclass
class _Priced:
    """One person's pricing result: the rows found (the best last), the best row's
    objective and the proven bound."""

    rows: list[tuple[Option, ...]]
    value: int | None
    bound: int | None


class Rosters(cp_model.CpSolverSolutionCallback):
    """Keeps the rows (and objective) of every solution CP-SAT finds: each row is a column
    (several per pricing round: fewer rounds)."""

    def __init__(self, model: PartModel, people: Sequence[int]) -> None:
        super().__init__()
        self._model = model
        self._people = people
        self.found: list[dict[int, tuple[Option, ...]]] = []
        self.objectives: list[int] = []

    def on_solution_callback(self) -> None:
        rows = self._model.solution(self.boolean_value)
        self.found.append({p: rows[p] for p in self._people})
        self.objectives.append(round(self.objective_value))


@dataclass
class ColumnGeneration:
    problem: Problem
    part: PartModel  # the part's full model: its people, requirements, and first rosters
    deadline: float  # time.monotonic() by which to stop
    columns: dict[int, list[_Column]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.people = self.part.people
        self.requirements = self.part.requirements
        self.counted_in = coverage_index(self.requirements)
        self.pricing: dict[int, PartModel] = {}
        self.rounds = 0
        self.abandoned = False
        self.stopped = False
        self._active: set[cp_model.CpSolver] = set()
        self._lock = threading.Lock()

    def stop(self) -> None:
        """Stop at once (Ctrl-C), from another thread: what was found so far is kept."""
        self.stopped = True
        with self._lock:
            for solver in self._active:
                solver.stop_search()

    def _solve(
        self,
        solver: cp_model.CpSolver,
        model: cp_model.CpModel,
        callback: cp_model.CpSolverSolutionCallback | None = None,
    ) -> cp_model.CpSolverStatus:
        with self._lock:
            if self.stopped:
                return cp_model.UNKNOWN
            self._active.add(solver)
        try:
            return solver.solve(model, callback)
        finally:
            with self._lock:
                self._active.discard(solver)

    # --- the whole run ---------------------------------------------------------------------

    def add_rosters(self, rosters: Sequence[dict[int, tuple[Option, ...]]]) -> None:
        """Rows of rosters found elsewhere (each a feasible row of its person) as columns:
        the master then starts near them, not from each person's cheapest row alone."""
        for rows in rosters:
            for p in self.people:
                self._add_row(p, rows[p])

    def run(
        self, first: dict[int, tuple[Option, ...]] | None = None, master_ip_share: float = 0.25
    ) -> ColumnOutcome:
        """Generate rows until the bound meets the master's value or time is up, and keep
        `master_ip_share` of the time for choosing the roster from the rows, starting from
        `first` (a roster whose rows were added with `add_rosters`)."""
        started = time.monotonic()
        bound = self._generate(started + (self.deadline - started) * (1 - master_ip_share))
        if self.abandoned:
            return ColumnOutcome(None, None, None, self.rounds, 0)
        rows, objective = self._best_roster(bound, first)
        return ColumnOutcome(
            bound, rows, objective, self.rounds, sum(len(c) for c in self.columns.values())
        )

    def _generate(self, deadline: float) -> int | None:
        """Rounds of pricing until the bound meets the master's value; the bound (None when
        not even the first round completed in time)."""
        center = [Fraction(0)] * len(self.requirements)
        started = time.monotonic()
        priced = self._price_all(center, deadline, gap=0)
        self._add_columns(priced)
        if not _complete(priced):
            return None  # time ran out within the first round: no bound, some rows
        if (time.monotonic() - started) * ROUNDS_NEEDED > deadline - started:
            # Too slow to converge in the time (a large part): leave the time to the search.
            self.abandoned = True
            return None
        best = self._lagrangian(center, priced)
        master = _Master(self)
        smoothing = SMOOTHING
        while time.monotonic() < deadline and not self.stopped:
            value = master.solve()
            if value is None or math.ceil(best) >= value - 1e-6:
                break  # the bound cannot rise above the master's value: done
            self._hint_pricing(master)
            # Wentges smoothing: price between the best prices so far and the master's duals,
            # which jump from round to round; far fewer rounds (measured in benchmarks/).
            prices = [
                Fraction(round((smoothing * c - (1 - smoothing) * dual) * SCALE), SCALE)
                for c, dual in zip(center, master.duals, strict=True)
            ]
            # Pricing need only be as exact as the bound is still far from the master.
            gap = (value - float(best)) / (4 * len(self.people))
            priced = self._price_all(prices, deadline, gap=gap if smoothing else 0)
            added = self._add_columns(priced, master)
            if not _complete(priced):
                break  # time ran out within the round: its bound would be incomplete
            self.rounds += 1
            bound = self._lagrangian(prices, priced)
            if bound > best:
                best, center = bound, prices
            if not added:
                if not smoothing:
                    break  # no row prices below zero at the master's own duals: converged
                smoothing = 0.0  # a mispriced round: the next one at the master's duals
            else:
                smoothing = SMOOTHING
        return math.ceil(best)

    def _hint_pricing(self, master: _Master) -> None:
        """Each pricing model starts from the person's row the master uses most."""
        for p, columns in self.columns.items():
            used = max(columns, key=master.value)
            self._pricing_model(p).hint({p: used.row})

    # --- pricing ---------------------------------------------------------------------------

    def _pricing_model(self, p: int) -> PartModel:
        if p not in self.pricing:
            self.pricing[p] = PartModel(self.problem, [p], ())
        return self.pricing[p]

    def _price_all(self, prices: list[Fraction], deadline: float, gap: float) -> dict[int, _Priced]:
        """Every person's cheapest row under `prices`, to within `gap` (row and bound None
        for those not reached in time)."""
        with ThreadPoolExecutor(max_workers=PRICING_THREADS) as pool:
            return dict(
                zip(
                    self.people,
                    pool.map(lambda p: self._price(p, prices, deadline, gap), self.people),
                    strict=True,
                )
            )

    def _price(self, p: int, prices: list[Fraction], deadline: float, gap: float) -> _Priced:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return _Priced([], None, None)
        model = self._pricing_model(p)
        cell_prices: dict[tuple[int, str], int] = {}
        for (person, day, shift), rs in self.counted_in.items():
            if person == p:
                price = sum(prices[r] for r in rs) * SCALE
                if price:
                    cell_prices[(day, shift)] = int(price)
        model.price_rows(p, cell_prices, SCALE)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = remaining
        # Measured on the benchmark's pricing problems: without presolve and with the fuller
        # LP (level 2) a one-person row is found about twice as fast.
        solver.parameters.cp_model_presolve = False
        solver.parameters.linearization_level = 2
        solver.parameters.absolute_gap_limit = max(0.0, gap * SCALE)
        found = Rosters(model, [p])
        status = self._solve(solver, model.model, found)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return _Priced([], None, None)
        rows = [rows[p] for rows in found.found]
        return _Priced(rows, round(solver.objective_value), round(solver.best_objective_bound))

    def _lagrangian(self, prices: list[Fraction], priced: dict[int, _Priced]) -> Fraction:
        """L(prices): a lower bound on the part's objective whatever the prices."""
        total = sum((Fraction(r.bound or 0, SCALE) for r in priced.values()), Fraction(0))
        for req, price in zip(self.requirements, prices, strict=True):
            total += min(
                cover_cost(req, n) - price * n
                for n in {0, min(req.target or 0, len(req.members)), len(req.members)}
            )
        return total

    def _add_columns(self, priced: dict[int, _Priced], master: _Master | None = None) -> int:
        return sum(
            self._add_row(p, row, master) for p, result in priced.items() for row in result.rows
        )

    def _add_row(self, p: int, row: tuple[Option, ...], master: _Master | None = None) -> bool:
        """Add p's row as a column unless it is known, or (given the master) its reduced
        cost is not negative."""
        if any(c.row == row for c in self.columns.get(p, [])):
            return False
        column = self._column(p, row)
        if master is not None and master.reduced_cost(p, column) >= ENTER:
            return False
        self.columns.setdefault(p, []).append(column)
        if master is not None:
            master.add(p, column)
        return True

    def _column(self, p: int, row: tuple[Option, ...]) -> _Column:
        covers = tuple(
            r
            for d, option in enumerate(row)
            if option.status == ONSITE
            for r in self.counted_in.get((p, d, option.shift or ""), [])
        )
        return _Column(row, self._pricing_model(p).row_cost(p, row), covers)

    # --- the roster ------------------------------------------------------------------------

    def _best_roster(
        self, bound: int | None, first: dict[int, tuple[Option, ...]] | None
    ) -> tuple[dict[int, tuple[Option, ...]] | None, int | None]:
        """One generated row per person, the best combination CP-SAT finds in time, starting
        from `first` (a roster whose rows are columns)."""
        if any(not self.columns.get(p) for p in self.people):
            return None, None
        model = cp_model.CpModel()
        chosen = {
            p: [model.new_bool_var(f"row_{p}_{k}") for k in range(len(self.columns[p]))]
            for p in self.people
        }
        covered: list[list[cp_model.IntVar]] = [[] for _ in self.requirements]
        costs: list[cp_model.LinearExprT] = []
        for p in self.people:
            model.add_exactly_one(chosen[p])
            for literal, column in zip(chosen[p], self.columns[p], strict=True):
                costs.append(column.cost * literal)
                for r in column.covers:
                    covered[r].append(literal)
        for req, literals in zip(self.requirements, covered, strict=True):
            costs.append(_cover_cost_expression(model, req, literals))
        total = sum(costs)
        if bound is not None:
            model.add(total >= bound)
        model.minimize(total)
        if first is not None:
            for p in self.people:
                for literal, column in zip(chosen[p], self.columns[p], strict=True):
                    model.add_hint(literal, column.row == first[p])
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.1, self.deadline - time.monotonic())
        solver.parameters.num_workers = 8
        status = self._solve(solver, model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, None
        rows = {
            p: next(
                c.row for c, z in zip(self.columns[p], chosen[p], strict=True) if solver.value(z)
            )
            for p in self.people
        }
        return rows, round(solver.objective_value)


def coverage_index(requirements: Sequence[Requirement]) -> dict[tuple[int, int, str], list[int]]:
    """(person, day, shift) -> indexes of the requirements that count the person on site in
    that shift that day."""
    counted_in: dict[tuple[int, int, str], list[int]] = {}
    for r, req in enumerate(requirements):
        for p in req.members:
            counted_in.setdefault((p, req.day, req.shift), []).append(r)
    return counted_in


def _complete(priced: dict[int, _Priced]) -> bool:
    return all(result.bound is not None for result in priced.values())


def cover_cost(req: Requirement, onsite: int) -> int:
    """What a soft-target requirement costs with `onsite` people on site."""
    target = req.target or 0
    return req.weight * max(0, target - onsite) + req.over_weight * max(0, onsite - target)


def _cover_cost_expression(
    model: cp_model.CpModel, req: Requirement, literals: list[cp_model.IntVar]
) -> cp_model.LinearExprT:
    target = req.target or 0
    onsite = sum(literals)
    short = model.new_int_var(0, target, "short")
    model.add_max_equality(short, [0, target - onsite])
    over = model.new_int_var(0, max(0, len(literals) - target), "over")
    model.add_max_equality(over, [0, onsite - target])
    return req.weight * short + req.over_weight * over


class _Master:
    """The restricted master LP: each person a convex combination of their columns."""

    def __init__(self, generation: ColumnGeneration) -> None:
        self.solver = pywraplp.Solver.CreateSolver("GLOP")
        self.objective = self.solver.Objective()
        self.link: list[pywraplp.Constraint] = []
        for req in generation.requirements:
            onsite = self.solver.NumVar(0, len(req.members), "")
            short = self.solver.NumVar(0, self.solver.infinity(), "")
            over = self.solver.NumVar(0, self.solver.infinity(), "")
            link = self.solver.Constraint(0, 0)  # columns on site - onsite = 0
            link.SetCoefficient(onsite, -1)
            soft = self.solver.Constraint(req.target or 0, req.target or 0)
            soft.SetCoefficient(onsite, 1)
            soft.SetCoefficient(short, 1)
            soft.SetCoefficient(over, -1)
            self.objective.SetCoefficient(short, req.weight)
            self.objective.SetCoefficient(over, req.over_weight)
            self.link.append(link)
        self.convexity = {p: self.solver.Constraint(1, 1) for p in generation.people}
        self.objective.SetMinimization()
        for p, columns in generation.columns.items():
            for column in columns:
                self.add(p, column)
        self.duals: list[float] = []
        self.person_duals: dict[int, float] = {}

    def add(self, p: int, column: _Column) -> None:
        variable = self.solver.NumVar(0, self.solver.infinity(), "")
        self.objective.SetCoefficient(variable, column.cost)
        self.convexity[p].SetCoefficient(variable, 1)
        for r in column.covers:
            self.link[r].SetCoefficient(variable, self.link[r].GetCoefficient(variable) + 1)
        column.variable = variable

    def solve(self) -> float | None:
        if self.solver.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        self.duals = [link.dual_value() for link in self.link]
        self.person_duals = {p: c.dual_value() for p, c in self.convexity.items()}
        return self.objective.Value()

    def value(self, column: _Column) -> float:
        return column.variable.solution_value() if column.variable is not None else 0.0

    def reduced_cost(self, p: int, column: _Column) -> float:
        return column.cost - sum(self.duals[r] for r in column.covers) - self.person_duals[p]
