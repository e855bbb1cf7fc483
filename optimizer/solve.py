"""`solve(problem, settings) -> Result`: split into independent parts, solve each, combine.

People are tied together only by coverage rules (a rule counts several people at once);
every other rule and every objective term is per person. So the connected components of
"counted by the same coverage requirement" are independent problems, and the sum of their
optima is the optimum of the whole.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, TypeVar

import ortools
from ortools.sat.python import cp_model, cp_model_helper

from models.problem import Option, Problem
from models.result import Evaluation, PartReport, Result, Roster, SolverInfo
from optimizer.check import evaluate
from optimizer.columns import applies as columns_apply
from optimizer.explain import capacity_reasons
from optimizer.first_roster import first_roster
from optimizer.model import PartModel
from optimizer.soft_cover import SoftCoverSearch, WarmStart

_T = TypeVar("_T")

# Easy components (office units only: no rest between days, no weekly rules) are packed
# together up to this many free cells: one CP-SAT call each would cost more in setup than
# in search. Roster components are never packed: measured, a packed model of hard
# components proves far slower than the same components one by one (benchmarks/README.md).
PACK_FREE_CELLS = 8000
# `workers: 0` (all cores) runs CP-SAT's 8-subsolver portfolio even on fewer cores: its
# workers are strategies, not only threads, and the LP-with-symmetry worker (max_lp_sym)
# is the one that proves most parts optimal. Measured on Bekasi, 2 cores, per part: 8
# workers beat 2 (24 h jaga posts 0.5 s vs up to 36 s), 4 and 6 (with or without a chosen
# subsolver list) and 1 worker with linearization 2 (patroli 11 s vs 1.8 s); see
# benchmarks/README.md. The threads share the cores, so this uses all cores and no more.
PORTFOLIO_WORKERS = 8
# Parts whose coverage is all soft spend this share of their time on a first roster and a
# bound (optimizer.soft_cover: column generation and neighbourhood search), the rest on the
# final solve (measured on the shift scheduling benchmark, benchmarks/README.md).
SOFT_COVER_SHARE = 0.85
# After Ctrl-C or the time limit, parts not yet solved only get a first roster, this fast.
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
    # Coverage minimums become shortfalls penalised above everything else: the best roster
    # possible when the rules cannot all hold. Its status stays `infeasible` then.
    relax: bool = False
    # One CP-SAT model for everyone instead of independent parts: the same optimum, far
    # slower; kept to measure what the decomposition gains (benchmarks/scale.py).
    monolithic: bool = False

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
        return self.workers or max(PORTFOLIO_WORKERS, os.cpu_count() or 1)


@dataclass
class PartOutcome:
    report: PartReport
    rows: dict[int, tuple[Option, ...]] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()
    standby: dict[tuple[int, int], str] = field(default_factory=dict)  # (person, day) -> rule
    # False for a first roster taken without a model (time up): the checker judges it
    checked: bool = True


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


def whole(problem: Problem) -> Part:
    """Everyone and every requirement as one part."""
    return Part(tuple(range(len(problem.people))), tuple(range(len(problem.requirements))))


def _free_cells(problem: Problem, people: Sequence[int]) -> int:
    return sum(len(cell) > 1 for p in people for cell in problem.options[p])


def _pack(problem: Problem, components: list[list[int]]) -> list[list[int]]:
    parts: list[list[int]] = []
    bin_people: list[int] = []
    bin_cells = 0
    for component in components:
        cells = _free_cells(problem, component)
        if cells >= PACK_FREE_CELLS or not _is_easy(problem, component):
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


def _is_easy(problem: Problem, component: list[int]) -> bool:
    return all(problem.units[problem.people[p].unit].schedule == "office" for p in component)


@dataclass(frozen=True)
class _Optimum:
    values: list[int]  # by variable index
    objective: int


# Parts above this size are office packs, which never repeat; hashing them would cost more.
MAX_KEYED_VARIABLES = 10_000


def _model_key(model: cp_model.CpModel) -> str | None:
    """Parts with the very same model (fire posts or wards alike down to leave, history,
    requests and costs) have the same optima: the model without its names and hint is the
    key, so one solve serves them all. Exact: any difference at all makes another key."""
    if len(model.proto.variables) > MAX_KEYED_VARIABLES:
        return None
    proto = cp_model_helper.CpModelProto()
    proto.copy_from(model.proto)
    proto.clear_name()
    proto.clear_solution_hint()
    for variable in proto.variables:
        variable.clear_name()
    return hashlib.blake2b(str(proto).encode(), digest_size=16).hexdigest()


def _reader(values: list[int]) -> Callable[[Any], bool]:
    """A literal's value in a solution, by its variable's index in the model."""
    return lambda literal: values[literal.index] == 1


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
        self.optima: dict[str, _Optimum] = {}  # by _model_key

    def remaining(self) -> float:
        return max(0.0, self.settings.time_limit_s - (time.monotonic() - self.started))

    @property
    def hurrying(self) -> bool:
        """After Ctrl-C or once the time limit is spent, parts left get only a first
        roster, so the run still returns a whole roster (status feasible), never nothing."""
        return self.interrupted or self.remaining() <= 0

    def emit(
        self,
        part: int,
        parts: int,
        objective: float | None,
        bound: float | None,
        done: bool = False,
    ) -> None:
        if self.settings.on_progress:
            elapsed = time.monotonic() - self.started
            self.settings.on_progress(Progress(part, parts, elapsed, objective, bound, done))

    def parameters(self, limit: float, first_only: bool = False) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.max_time_in_seconds = max(limit, 0.01)
        params.num_workers = self.settings.worker_count
        # One presolve round: with a complete hint the proof is the LP at the root, and
        # further rounds cost more than they save (Bekasi, 14 typical parts: 15.6 -> 12.0 s
        # and 16.8 -> 11.0 s summed over two runs; probing level 0 or 1: 13.4 s, 12.5 s).
        params.max_presolve_iterations = 1
        params.random_seed = self.settings.seed
        params.catch_sigint_signal = False  # Ctrl-C is ours: see _solve_in_thread
        params.log_search_progress = self.settings.log_search
        if first_only or self.hurrying:
            self._first_solution_only(params)
        return solver

    @staticmethod
    def _first_solution_only(params) -> None:  # noqa: ANN001 - SatParameters
        """When hurrying, the complete hint is a roster at once; skipping presolve gets it
        without the time presolve costs on each part left."""
        params.stop_after_first_solution = True
        params.cp_model_presolve = False

    def prepare(self, part: Part) -> PartModel:
        return prepare_part(self.problem, part, relax=self.settings.relax)

    def first_roster_only(self, part: Part) -> PartOutcome | None:
        """Once time is up, a part's first roster as it is, without building its model:
        the model costs some ten times the roster (0.1 s against 0.01 s a part of a
        generated city), and with hundreds of parts left that decided how far a run
        overran its limit. The checker then judges the whole roster (`_checked`). None
        where the model is needed all the same (standby and N-1 rules, a relaxed solve)
        or the greedy roster ran into a dead end."""
        started = time.monotonic()
        requirements = [self.problem.requirements[r] for r in part.requirements]
        if self.settings.relax or any(req.standby or req.resilient for req in requirements):
            return None
        rows = first_roster(self.problem, part.people, requirements)
        if rows is None:
            return None
        units = self.problem.units_of(part.people)
        elapsed = time.monotonic() - started
        report = PartReport(units, len(part.people), 0, 0, "feasible", None, None, elapsed)
        return PartOutcome(report, {p: tuple(row) for p, row in rows.items()}, checked=False)

    def solve_part(
        self, index: int, parts: list[Part], budget: float, part: PartModel | None = None
    ) -> PartOutcome:
        started = time.monotonic()
        people = parts[index].people
        part = part or self.prepare(parts[index])
        proto_size = (len(part.model.proto.variables), len(part.model.proto.constraints))
        units = self.problem.units_of(people)
        if part.infeasible_reasons:
            report = PartReport(units, len(people), *proto_size, "infeasible", None, None, 0.0)
            return PartOutcome(report, reasons=tuple(part.infeasible_reasons))
        key = _model_key(part.model)
        if key in self.optima:
            return self._reused(self.optima[key], part, units, proto_size, started)
        limit = AFTER_INTERRUPT_LIMIT_S if self.hurrying else budget
        limit -= time.monotonic() - started
        left = self._soft_cover(part, limit)
        if left is None:  # the soft-cover search found no roster: a shorter solve cannot
            elapsed = time.monotonic() - started
            report = PartReport(units, len(people), *proto_size, "unknown", None, None, elapsed)
            return PartOutcome(report)
        solver = self.parameters(left)
        watcher = _Watcher(lambda obj, bound: self.emit(index, len(parts), obj, bound))
        status = self._solve_in_thread(solver, part.model, watcher)
        if status == cp_model.UNKNOWN:
            # Stopped before any roster (Ctrl-C or the limit, during presolve): ask again
            # for the first one, so one slow part does not cost the whole roster.
            solver = self.parameters(AFTER_INTERRUPT_LIMIT_S, first_only=True)
            status = self._solve_in_thread(solver, part.model, watcher)
        name = _STATUS.get(status, "unknown")
        elapsed = time.monotonic() - started
        if name in ("optimal", "feasible"):
            rows = part.solution(solver.boolean_value)
            # The objective of the roster returned, from its own values: after a time limit
            # CP-SAT's reported objective_value can belong to an earlier, worse solution
            # (seen on the shift scheduling benchmark: 3,323 reported for a roster of 3,223).
            objective = part.objective_at(solver.value)
            bound = min(objective, round(solver.best_objective_bound))
            if name == "optimal" and key is not None:
                self.optima[key] = _Optimum(list(solver.response_proto.solution), objective)
            report = PartReport(units, len(people), *proto_size, name, objective, bound, elapsed)
            return PartOutcome(report, rows, standby=part.standby_solution(solver.boolean_value))
        report = PartReport(units, len(people), *proto_size, name, None, None, elapsed)
        return PartOutcome(report)

    def _reused(
        self,
        optimum: _Optimum,
        part: PartModel,
        units: tuple[str, ...],
        proto_size: tuple[int, int],
        started: float,
    ) -> PartOutcome:
        """An earlier part had this very model: its optimum, read through this part's
        variables, is this part's optimum."""
        read = _reader(optimum.values)
        rows = part.solution(read)
        standby = part.standby_solution(read)
        people = len(rows)
        elapsed = time.monotonic() - started
        value = optimum.objective
        report = PartReport(units, people, *proto_size, "optimal", value, value, elapsed)
        return PartOutcome(report, rows, standby=standby)

    def _soft_cover(self, part: PartModel, limit: float) -> float | None:
        """Parts whose coverage is all soft (optimizer.soft_cover): a strong first roster and
        a proven lower bound before the final solve; returns the time left, or None when the
        search found no roster at all and could not prove there is none (it had CP-SAT on
        the same model, and more time, so the final solve would only overrun the limit). Ctrl-C stops it as it stops a search."""
        usual = not (self.hurrying or part.relax or part.grouped or part.kept)
        if not usual or not columns_apply(part.requirements):
            return limit
        started = time.monotonic()
        search = SoftCoverSearch(self.problem, part, started + limit * SOFT_COVER_SHARE)
        found: list[WarmStart] = []
        thread = threading.Thread(target=lambda: found.append(search.run()))
        thread.start()
        while thread.is_alive():
            try:
                thread.join(0.1)
            except KeyboardInterrupt:
                search.stop()
                if not self.note_interrupt():
                    thread.join()
                    raise
        if found and found[0].infeasible:
            return limit - (time.monotonic() - started)  # the final solve says so, with reasons
        if not found or found[0].rows is None:
            return None
        if found[0].bound is not None:
            part.add_objective_bound(found[0].bound)
        part.hint(found[0].rows)
        return limit - (time.monotonic() - started)

    def _solve_in_thread(
        self, solver: cp_model.CpSolver, model: cp_model.CpModel, watcher: _Watcher
    ) -> cp_model.CpSolverStatus:
        """Solve in a worker thread so Ctrl-C reaches the main thread and stops the search
        cleanly: CP-SAT then returns the best roster it has, instead of dying mid-solve."""
        outcome: dict[str, cp_model.CpSolverStatus] = {}
        thread = threading.Thread(
            target=lambda: outcome.update(status=solver.solve(model, watcher))
        )
        thread.start()
        while thread.is_alive():
            try:
                thread.join(0.1)
            except KeyboardInterrupt:
                solver.stop_search()
                if not self.note_interrupt():
                    thread.join()
                    raise
        return outcome.get("status", cp_model.UNKNOWN)

    def note_interrupt(self) -> bool:
        """A first Ctrl-C marks the run interrupted (keep going, hurrying); a second one
        means give up at once: returns False then."""
        if self.interrupted:
            return False
        self.interrupted = True
        return True


_STATUS: dict[cp_model.CpSolverStatus, str] = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.MODEL_INVALID: "invalid",
    cp_model.UNKNOWN: "unknown",
}


def solver_info(settings: SolveSettings) -> SolverInfo:
    """The solver as the summary records it."""
    version = ortools.__version__  # type: ignore[attr-defined]
    return SolverInfo("cp-sat", version, settings.seed, settings.worker_count)


def solve(problem: Problem, settings: SolveSettings | None = None) -> Result:
    """Solve a problem; infeasible and unknown are statuses of the Result, never raised."""
    settings = settings or SolveSettings.from_problem(problem)
    run = _Run(problem, settings)
    info = solver_info(settings)
    quick = capacity_reasons(problem)
    if quick and not settings.relax:
        return Result(
            "infeasible",
            None,
            None,
            None,
            time.monotonic() - run.started,
            info,
            reasons=tuple(quick),
        )
    parts = [whole(problem)] if settings.monolithic else partition(problem)
    outcomes = _solve_parts(run, parts)
    outcomes, evaluation = _hurried(run, lambda: _checked(run, parts, outcomes))
    return _hurried(run, lambda: _combine(problem, run, outcomes, info, tuple(quick), evaluation))


def _checked(
    run: _Run, parts: list[Part], outcomes: list[PartOutcome]
) -> tuple[list[PartOutcome], Evaluation | None]:
    """First rosters taken without a model (`_Run.first_roster_only`) judged by the
    checker; the parts where one breaks a rule (the greedy roster may leave a weekly
    minimum short) get their model after all: a first solution, hinted by the same roster.
    Returns the outcomes and, when the roster was judged valid here, its evaluation."""
    unchecked = [k for k, o in enumerate(outcomes) if not o.checked]
    complete = len(outcomes) == len(parts) and all(
        o.report.status in ("optimal", "feasible") for o in outcomes
    )
    if not unchecked or not complete:
        return outcomes, None
    evaluation = evaluate(run.problem, _roster(run.problem, outcomes))
    if evaluation.valid:
        return outcomes, evaluation
    part_of = {run.problem.people[p].id: k for k, part in enumerate(parts) for p in part.people}
    broken = {part_of.get(v.staff_id or "") for v in evaluation.violations}
    outcomes = list(outcomes)
    # a rule of no one person (coverage) broken: every part taken as it was gets its model
    for k in unchecked if None in broken else [k for k in unchecked if k in broken]:
        outcomes[k] = run.solve_part(k, parts, AFTER_INTERRUPT_LIMIT_S)
    return outcomes, None


def _roster(problem: Problem, outcomes: list[PartOutcome]) -> Roster:
    rows: dict[int, tuple[Option, ...]] = {}
    standby: dict[tuple[int, int], str] = {}
    for outcome in outcomes:
        rows.update(outcome.rows)
        standby.update(outcome.standby)
    return Roster(tuple(rows[p] for p in range(len(problem.people))), standby)


def _hurried(run: _Run, step: Callable[[], _T]) -> _T:
    """Run a step outside CP-SAT's search; a first Ctrl-C (or SIGTERM) there marks the run
    interrupted and does the step again, hurrying, so the roster still comes. A second one
    gives up."""
    while True:
        try:
            return step()
        except KeyboardInterrupt:
            if not run.note_interrupt():
                raise


def prepare_part(problem: Problem, part: Part, relax: bool = False) -> PartModel:
    """The part's model with a complete hint from a quick first roster (see
    optimizer.first_roster): on most parts that roster is already optimal and
    CP-SAT only has to prove it, which its LP does at the root."""
    model = PartModel(problem, part.people, part.requirements, relax=relax)
    if not model.infeasible_reasons:
        rows = first_roster(problem, part.people, model.requirements, allow_short=relax)
        if rows is not None:
            model.hint(rows)
    return model


def solve_part(
    problem: Problem,
    part: Part,
    settings: SolveSettings,
    model: PartModel | None = None,
    time_limit_s: float | None = None,
) -> PartOutcome:
    """One part on its own, from a model built here or prepared by the caller (replan and
    `why` re-solve only the parts they touch)."""
    limit = settings.time_limit_s if time_limit_s is None else time_limit_s
    run = _Run(problem, replace(settings, time_limit_s=limit))
    return run.solve_part(0, [part], limit, model)


def _solve_parts(run: _Run, parts: list[Part]) -> list[PartOutcome]:
    weights = [max(1, _free_cells(run.problem, part.people)) for part in parts]
    outcomes: list[PartOutcome] = []
    # The next part's model is built (in Python) while CP-SAT solves this one (in C++,
    # without the GIL): building and hinting is about a quarter of the work on Bekasi.
    with ThreadPoolExecutor(max_workers=1) as builder:
        ahead = builder.submit(run.prepare, parts[0]) if parts else None
        for index, part in enumerate(parts):
            outcome = _hurried(run, partial(run.first_roster_only, part)) if run.hurrying else None
            model = _built(run, ahead) if outcome is None else None
            ahead = (
                builder.submit(run.prepare, parts[index + 1])
                if index + 1 < len(parts) and not run.hurrying
                else None
            )
            if outcome is None:
                budget = run.remaining() * _share(weights, index)
                outcome = _hurried(run, partial(run.solve_part, index, parts, budget, model))
            outcomes.append(outcome)
            run.emit(index, len(parts), outcome.report.objective, outcome.report.bound, done=True)
            if outcome.report.status in ("infeasible", "invalid") and not run.settings.relax:
                if ahead is not None:
                    ahead.cancel()
                break  # the whole roster cannot exist; no point solving the rest
    return outcomes


def _built(run: _Run, ahead: Future[PartModel] | None) -> PartModel | None:
    """The model built ahead; Ctrl-C while waiting for it marks the run interrupted, as
    during a solve, and the roster still comes."""
    while ahead is not None:
        try:
            return ahead.result()
        except KeyboardInterrupt:
            if not run.note_interrupt():
                ahead.cancel()
                raise
    return None


def _share(weights: list[int], index: int) -> float:
    """This part's share of the time left: twice its share by size, and at least a quarter,
    so a small but hard part (a 24 h jaga post) still gets time to prove its optimum. Most
    parts stop long before their limit, which leaves the rest more; and every part starts
    from a complete hint, so one that runs out of time still has a roster."""
    parts_left = len(weights) - index
    return min(1.0, max(2 * weights[index] / sum(weights[index:]), 0.25 if parts_left > 1 else 1.0))


def _combine(
    problem: Problem,
    run: _Run,
    outcomes: list[PartOutcome],
    solver: SolverInfo,
    quick: tuple[str, ...] = (),
    evaluation: Evaluation | None = None,
) -> Result:
    statuses = [o.report.status for o in outcomes]
    reports = tuple(o.report for o in outcomes)
    elapsed = time.monotonic() - run.started
    relax = run.settings.relax
    if "infeasible" in statuses or "invalid" in statuses:
        reasons = [*quick, *(r for o in outcomes for r in o.reasons)] or [
            f"the rules for {', '.join(o.report.units)} cannot all hold together"
            for o in outcomes
            if o.report.status == "infeasible"
        ]
        return Result(
            "infeasible",
            None,
            None,
            None,
            elapsed,
            solver,
            reasons=tuple(dict.fromkeys(reasons)),
            parts=reports,
            interrupted=run.interrupted,
            relaxed=relax,
        )
    if "unknown" in statuses:
        unsolved = [", ".join(o.report.units) for o in outcomes if o.report.status == "unknown"]
        missing = tuple(f"no roster found in time for {units}" for units in unsolved)
        return Result(
            "unknown",
            None,
            None,
            None,
            elapsed,
            solver,
            reasons=missing,
            parts=reports,
            interrupted=run.interrupted,
        )
    roster = _roster(problem, outcomes)
    status = (
        "optimal" if all(s == "optimal" for s in statuses) and not run.interrupted else "feasible"
    )
    bound: int | None = sum(o.report.bound or 0 for o in outcomes)
    evaluation = evaluation or evaluate(problem, roster)
    # Parts without a model have no objective of their own: the checker's counts them all.
    objective = sum(o.report.objective or 0 for o in outcomes)
    if not all(o.checked for o in outcomes):
        objective = evaluation.objective
    if relax:
        # The parts' objectives carry the shortfall penalty; report the usual objective of
        # the roster, and keep `infeasible` while any minimum is short, so nothing
        # downstream takes it for a valid roster.
        objective, bound = evaluation.objective, None
        if not evaluation.valid:
            status = "infeasible"
    return Result(
        status,
        roster,
        objective,
        bound,
        elapsed,
        solver,
        evaluation=evaluation,
        reasons=quick if relax else (),
        parts=reports,
        interrupted=run.interrupted,
        relaxed=relax,
    )
