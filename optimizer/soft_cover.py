"""Parts whose coverage is all soft targets (nurse rostering): a strong first roster and a
proven bound before the part's final CP-SAT solve.

On such parts CP-SAT's LP bound stays far below the optimum and its own search improves
slowly (the shift scheduling benchmark, benchmarks/README.md), so the part's time goes, in
turn, to:

1. a short CP-SAT solve of the part's model: its first rosters (its own local search finds
   good ones quickly);
2. column generation (optimizer.columns): a Dantzig–Wolfe bound, which on small parts is
   the optimum, and the best roster from the rows it generated;
3. large-neighbourhood search (optimizer.lns) from the best roster so far, until the
   roster meets the bound or the time is up.

The final solve (optimizer.solve) then starts from that roster with the bound as a
constraint: it proves the optimum at once when they meet, and keeps improving otherwise.
Everything runs on the part's own model (and one-person models of it): the same rules.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from models.problem import ONSITE, Option, Problem
from optimizer.columns import ColumnGeneration, Rosters, cover_cost, coverage_index
from optimizer.lns import NeighbourhoodSearch, Rows
from optimizer.model import PartModel

# Shares of the time given to this search (the rest to the final solve): measured on the
# shift scheduling benchmark's Instances 1–12 at 60 s (benchmarks/README.md).
SEED_SHARE = 0.1
COLUMNS_SHARE = 0.35
# CP-SAT needs some 40 s only to load a model of Instance24's size (1.1 million variables):
# above this many variables the short first solve is left out.
SEED_MAX_VARIABLES = 500_000
# Built one person at a time, each person's best row is looked for only with this many
# seconds for them; with less, their first row.
BEST_ROW_S = 0.5


@dataclass
class WarmStart:
    """The best roster found (None if none) with its objective, a proven lower bound on
    the part's objective (None if none was proved), and whether the part was proved to
    have no roster at all."""

    rows: Rows | None
    objective: int | None
    bound: int | None
    infeasible: bool = False


class SoftCoverSearch:
    def __init__(self, problem: Problem, part: PartModel, deadline: float) -> None:
        self.problem = problem
        self.part = part
        self.deadline = deadline
        self.stopped = False
        self._current: Step | None = None
        self._lock = threading.Lock()

    def stop(self) -> None:
        """Stop at once (Ctrl-C), from another thread; what was found so far is kept."""
        with self._lock:
            self.stopped = True
            current = self._current
        if isinstance(current, cp_model.CpSolver):
            current.stop_search()
        elif current is not None:
            current.stop()

    def _running(self, step: Step) -> bool:
        with self._lock:
            self._current = step
            return not self.stopped

    def run(self) -> WarmStart:
        started = time.monotonic()
        budget = self.deadline - started
        rosters, status = self._seed(started + budget * SEED_SHARE)
        if status == cp_model.INFEASIBLE:
            return WarmStart(None, None, None, infeasible=True)
        proved = status == cp_model.OPTIMAL and bool(rosters)
        best = WarmStart(None, None, None)
        if rosters:
            rows, objective = rosters[-1]
            best = WarmStart(rows, objective, objective if proved else None)
        if proved:
            return best  # CP-SAT alone proved it (a small part): nothing to add
        if not rosters:  # a part too large for CP-SAT to find a roster that soon
            builder = PersonByPerson(self.problem, self.part, self.deadline)
            if self._running(builder) and (built := builder.run()) is not None:
                best.rows, best.objective = built
                rosters = [built]
        columns = ColumnGeneration(
            self.problem, self.part, started + budget * (SEED_SHARE + COLUMNS_SHARE)
        )
        if self._running(columns):
            columns.add_rosters([rows for rows, _ in rosters])
            outcome = columns.run(first=best.rows)
            best.bound = outcome.bound
            if outcome.rows is not None and (
                best.objective is None or (outcome.objective or 0) < best.objective
            ):
                best.rows, best.objective = outcome.rows, outcome.objective
        if best.rows is None or best.objective is None:
            return best
        if best.bound is not None and best.objective <= best.bound:
            return best  # proved optimal already
        search = NeighbourhoodSearch(self.part, best.rows, best.objective, bound=best.bound)
        if self._running(search):
            best.rows, best.objective = search.run(self.deadline)
        return best

    def _seed(self, deadline: float) -> tuple[list[tuple[Rows, int]], cp_model.CpSolverStatus]:
        """Every roster a short CP-SAT solve of the part finds, best last, with objectives;
        and the solve's status (OPTIMAL: the last is optimal; INFEASIBLE: there is none)."""
        if len(self.part.model.proto.variables) > SEED_MAX_VARIABLES:
            return [], cp_model.UNKNOWN
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 8
        solver.parameters.max_time_in_seconds = max(0.1, deadline - time.monotonic())
        found = Rosters(self.part, self.part.people)
        if not self._running(solver):
            return [], cp_model.UNKNOWN
        status = solver.solve(self.part.model, found)
        return list(zip(found.found, found.objectives, strict=True)), status


class PersonByPerson:
    """A roster built one person at a time, for parts where CP-SAT finds no first roster in
    time (the benchmark's 182- and 364-day instances: a year of one nurse's runs, weekends
    and working minutes is already a hard problem, and 150 of them at once too much).

    Each person gets the best row their own one-person model allows (so every rule of theirs
    holds) against the cover the people before them left: a day on site in a shift is priced
    by what one more person there changes in the coverage terms. CP-SAT's full portfolio
    finds one such row in about a second (its feasibility jump does, where one search worker
    often finds none in five).
    """

    def __init__(self, problem: Problem, part: PartModel, deadline: float) -> None:
        self.problem = problem
        self.part = part
        self.deadline = deadline
        self.stopped = False
        self._solver: cp_model.CpSolver | None = None
        self._lock = threading.Lock()

    def stop(self) -> None:
        with self._lock:
            self.stopped = True
            if self._solver is not None:
                self._solver.stop_search()

    def run(self) -> tuple[Rows, int] | None:
        requirements = self.part.requirements
        counted_by: dict[int, list[tuple[int, str, list[int]]]] = {}  # person -> day, shift, rs
        for (person, d, shift), rs in coverage_index(requirements).items():
            counted_by.setdefault(person, []).append((d, shift, rs))
        onsite = [0] * len(requirements)
        rows: Rows = {}
        objective = 0
        people = list(self.part.people)
        for k, p in enumerate(people):
            model = PartModel(self.problem, [p], ())
            # one more person on site changes each requirement's cost by this much
            prices = {
                (d, shift): sum(
                    cover_cost(requirements[r], onsite[r] + 1)
                    - cover_cost(requirements[r], onsite[r])
                    for r in rs
                )
                for d, shift, rs in counted_by.get(p, [])
            }
            model.price_rows(p, prices, 1)
            share = (self.deadline - time.monotonic()) / (len(people) - k)
            # Too little time each to look for the best row: the first one, then the
            # neighbourhood search improves the roster.
            row = self._solve(model, p, share, first=share < BEST_ROW_S)
            if row is None:  # no row in this person's share: any row, with more time
                row = self._solve(model, p, (self.deadline - time.monotonic()) / 2, first=True)
            if row is None:
                return None
            rows[p] = row
            objective += model.row_cost(p, row)
            for d, shift, rs in counted_by.get(p, []):
                if row[d] == Option(ONSITE, shift):
                    for r in rs:
                        onsite[r] += 1
        objective += sum(cover_cost(req, n) for req, n in zip(requirements, onsite, strict=True))
        return rows, objective

    def _solve(
        self, model: PartModel, p: int, limit: float, first: bool = False
    ) -> tuple[Option, ...] | None:
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 8
        solver.parameters.cp_model_presolve = False
        solver.parameters.max_time_in_seconds = max(0.05, limit)
        solver.parameters.stop_after_first_solution = first
        with self._lock:
            if self.stopped:
                return None
            self._solver = solver
        status = solver.solve(model.model)
        with self._lock:
            self._solver = None
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        return model.solution(solver.boolean_value)[p]


Step = ColumnGeneration | NeighbourhoodSearch | PersonByPerson | cp_model.CpSolver
