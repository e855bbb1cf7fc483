"""`solve(problem, settings) -> Result`: split into independent parts, solve each, combine.

People are tied together only by coverage rules (a rule counts several people at once);
every other rule and every objective term is per person. So the connected components of
"counted by the same coverage requirement" are independent problems, and the sum of their
optima is the optimum of the whole.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import ortools
from ortools.sat.python import cp_model

from models.problem import Option, Problem
from models.result import PartReport, Result, Roster, SolverInfo
from optimizer.check import evaluate
from optimizer.explain import capacity_reasons
from optimizer.model import PartModel

# Small parts are packed together up to this many free cells: one CP-SAT call per tiny
# component would cost more in setup than in search.
PACK_FREE_CELLS = 4000
# After Ctrl-C, parts not yet solved only get a first feasible roster, this fast.
AFTER_INTERRUPT_LIMIT_S = 5.0


@dataclass(frozen=True)
class Progress:
    """A progress event: which part, how far, and the best objective and bound so far."""

    part: int
    parts: int
    elapsed_s: float
    objective: float | None
    bound: float | None
    done: bool = False


@dataclass
class SolveSettings:
    time_limit_s: float = 60.0
    workers: int = 0  # 0: all cores
    seed: int = 0
    deterministic: bool = False  # one worker with a fixed seed: same roster for same input
    on_progress: Callable[[Progress], None] | None = None
    log_search: bool = False

    @classmethod
    def from_problem(cls, problem: Problem, **overrides: object) -> SolveSettings:
        settings = cls(**problem.solver_defaults)
        for key, value in overrides.items():
            if value is not None:
                setattr(settings, key, value)
        return settings

    @property
    def worker_count(self) -> int:
        if self.deterministic:
            return 1
        return self.workers or os.cpu_count() or 1


@dataclass
class _PartOutcome:
    report: PartReport
    rows: dict[int, tuple[Option, ...]] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Part:
    """People who share no rule with anyone outside, and the requirements that count them."""

    people: tuple[int, ...]
    requirements: tuple[int, ...]


def partition(problem: Problem) -> list[Part]:
    """People grouped into independent parts; small parts packed together.

    A requirement that matches nobody still carries its soft-target shortfall: it goes
    with the first part so that the objective is complete.
    """
    parent = list(range(len(problem.people)))

    def root(p: int) -> int:
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    for req in problem.requirements:
        for a, b in zip(req.members, req.members[1:], strict=False):
            parent[root(a)] = root(b)
    components: dict[int, list[int]] = {}
    for p in range(len(problem.people)):
        components.setdefault(root(p), []).append(p)
    groups = _pack(problem, sorted(components.values(), key=lambda c: c[0]))
    part_of = {p: k for k, group in enumerate(groups) for p in group}
    requirements: list[list[int]] = [[] for _ in groups]
    for r, req in enumerate(problem.requirements):
        requirements[part_of[req.members[0]] if req.members else 0].append(r)
    return [Part(tuple(g), tuple(rs)) for g, rs in zip(groups, requirements, strict=True)]


def _free_cells(problem: Problem, people: Sequence[int]) -> int:
    return sum(len(cell) > 1 for p in people for cell in problem.options[p])


def _pack(problem: Problem, components: list[list[int]]) -> list[list[int]]:
    parts: list[list[int]] = []
    bin_people: list[int] = []
    bin_cells = 0
    for component in components:
        cells = _free_cells(problem, component)
        if cells >= PACK_FREE_CELLS:
            parts.append(component)
            continue
        bin_people.extend(component)
        bin_cells += cells
        if bin_cells >= PACK_FREE_CELLS:
            parts.append(bin_people)
            bin_people, bin_cells = [], 0
    if bin_people:
        parts.append(bin_people)
    return parts


class _Watcher(cp_model.CpSolverSolutionCallback):
    """Reports each improving solution as progress."""

    def __init__(self, emit: Callable[[float, float], None]) -> None:
        super().__init__()
        self._emit = emit

    def on_solution_callback(self) -> None:
        self._emit(self.objective_value, self.best_objective_bound)


class _Run:
    """One solve: parts in order, a shared clock, and Ctrl-C handling."""

    def __init__(self, problem: Problem, settings: SolveSettings) -> None:
        self.problem = problem
        self.settings = settings
        self.started = time.monotonic()
        self.interrupted = False

    def remaining(self) -> float:
        return max(0.0, self.settings.time_limit_s - (time.monotonic() - self.started))

    def emit(self, part: int, parts: int, objective: float | None, bound: float | None, done: bool = False) -> None:
        if self.settings.on_progress:
            elapsed = time.monotonic() - self.started
            self.settings.on_progress(Progress(part, parts, elapsed, objective, bound, done))

    def parameters(self, limit: float) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.max_time_in_seconds = max(limit, 0.01)
        params.num_workers = self.settings.worker_count
        params.random_seed = self.settings.seed
        params.catch_sigint_signal = False  # Ctrl-C is ours: see _solve_in_thread
        params.log_search_progress = self.settings.log_search
        if self.interrupted:
            params.stop_after_first_solution = True
        return solver

    def solve_part(self, index: int, parts: list[Part], budget: float) -> _PartOutcome:
        started = time.monotonic()
        people = parts[index].people
        part = PartModel(self.problem, people, parts[index].requirements)
        proto_size = (len(part.model.proto.variables), len(part.model.proto.constraints))
        units = tuple(sorted({self.problem.people[p].unit for p in people}))
        if part.infeasible_reasons:
            report = PartReport(units, len(people), *proto_size, "infeasible", None, None, 0.0)
            return _PartOutcome(report, reasons=tuple(part.infeasible_reasons))
        limit = min(budget, AFTER_INTERRUPT_LIMIT_S) if self.interrupted else budget
        solver = self.parameters(limit)
        watcher = _Watcher(lambda obj, bound: self.emit(index, len(parts), obj, bound))
        status = self._solve_in_thread(solver, part.model, watcher)
        name = _STATUS.get(status, "unknown")
        elapsed = time.monotonic() - started
        if name in ("optimal", "feasible"):
            rows = part.solution(solver.boolean_value)
            objective, bound = round(solver.objective_value), round(solver.best_objective_bound)
            report = PartReport(units, len(people), *proto_size, name, objective, bound, elapsed)
            return _PartOutcome(report, rows)
        report = PartReport(units, len(people), *proto_size, name, None, None, elapsed)
        return _PartOutcome(report)

    def _solve_in_thread(self, solver: cp_model.CpSolver, model: cp_model.CpModel, watcher: _Watcher) -> int:
        """Solve in a worker thread so Ctrl-C reaches the main thread and stops the search
        cleanly: CP-SAT then returns the best roster it has, instead of dying mid-solve."""
        outcome: dict[str, int] = {}
        thread = threading.Thread(target=lambda: outcome.update(status=solver.solve(model, watcher)))
        thread.start()
        while thread.is_alive():
            try:
                thread.join(0.1)
            except KeyboardInterrupt:
                self.interrupted = True
                solver.stop_search()
        return outcome.get("status", cp_model.UNKNOWN)


_STATUS = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.MODEL_INVALID: "invalid",
    cp_model.UNKNOWN: "unknown",
}


def solve(problem: Problem, settings: SolveSettings | None = None) -> Result:
    """Solve a problem; infeasible and unknown are statuses of the Result, never raised."""
    settings = settings or SolveSettings.from_problem(problem)
    run = _Run(problem, settings)
    solver_info = SolverInfo("cp-sat", ortools.__version__, settings.seed, settings.worker_count)
    quick = capacity_reasons(problem)
    if quick:
        return Result("infeasible", None, None, None, time.monotonic() - run.started, solver_info, reasons=tuple(quick))
    parts = partition(problem)
    outcomes = _solve_parts(run, parts)
    return _combine(problem, run, outcomes, solver_info)


def _solve_parts(run: _Run, parts: list[Part]) -> list[_PartOutcome]:
    weights = [max(1, _free_cells(run.problem, part.people)) for part in parts]
    outcomes: list[_PartOutcome] = []
    for index in range(len(parts)):
        share = weights[index] / sum(weights[index:])
        outcome = run.solve_part(index, parts, run.remaining() * share)
        outcomes.append(outcome)
        run.emit(index, len(parts), outcome.report.objective, outcome.report.bound, done=True)
        if outcome.report.status in ("infeasible", "invalid"):
            break  # the whole roster cannot exist; no point solving the rest
    return outcomes


def _combine(problem: Problem, run: _Run, outcomes: list[_PartOutcome], solver: SolverInfo) -> Result:
    statuses = [o.report.status for o in outcomes]
    reports = tuple(o.report for o in outcomes)
    elapsed = time.monotonic() - run.started
    if "infeasible" in statuses or "invalid" in statuses:
        reasons = [r for o in outcomes for r in o.reasons] or [
            f"the rules for {', '.join(o.report.units)} cannot all hold together"
            for o in outcomes if o.report.status == "infeasible"
        ]
        return Result("infeasible", None, None, None, elapsed, solver, reasons=tuple(reasons), parts=reports, interrupted=run.interrupted)
    if "unknown" in statuses:
        unsolved = [", ".join(o.report.units) for o in outcomes if o.report.status == "unknown"]
        reasons = tuple(f"no roster found in time for {units}" for units in unsolved)
        return Result("unknown", None, None, None, elapsed, solver, reasons=reasons, parts=reports, interrupted=run.interrupted)
    rows: dict[int, tuple[Option, ...]] = {}
    for outcome in outcomes:
        rows.update(outcome.rows)
    roster = Roster(tuple(rows[p] for p in range(len(problem.people))))
    status = "optimal" if all(s == "optimal" for s in statuses) and not run.interrupted else "feasible"
    objective = sum(o.report.objective or 0 for o in outcomes)
    bound = sum(o.report.bound or 0 for o in outcomes)
    return Result(
        status, roster, objective, bound, elapsed, solver,
        evaluation=evaluate(problem, roster), parts=reports, interrupted=run.interrupted,
    )
