"""Large-neighbourhood search on a part's model: free a few people or a few days, keep the
rest of the best roster so far, and let CP-SAT find the best completion.

Why: on parts whose coverage is all soft (nurse rostering) CP-SAT's own search improves a
roster slowly: its LP is weak there, and its generic neighbourhoods do not know what a
person or a day is. Re-optimizing whole people (every rule of theirs holds by the model) or
every person over a few consecutive days (swaps of shifts between people) is exact inside
the neighbourhood and fast: one free person solves in a few hundredths of a second.
Measured on the shift scheduling benchmark's Instance10 (40 nurses, 28 days), 40 s from the
same start: CP-SAT's own portfolio 7,164; one person at a time 5,766; people, pairs and
day windows mixed 4,933 (benchmarks/README.md).

The neighbourhoods are chosen at random, each in proportion to the improvement it has
brought per second so far (an adaptive large-neighbourhood search).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from models.problem import Option
from optimizer.model import PartModel

Rows = dict[int, tuple[Option, ...]]
# Seconds one neighbourhood may take: long enough for CP-SAT to prove a small one, short
# enough that a neighbourhood too large for its LP does not eat the time.
PERSON_LIMIT_S = 1.0
PAIR_LIMIT_S = 0.5
WINDOW_LIMIT_S = 0.5
WINDOW_DAYS = (3, 7)  # a day window frees everyone over this many days (at random)
STAGNATION_MOVES_PER_PERSON = 3
STAGNATION_MOVES = 20


@dataclass
class _Kind:
    """A kind of neighbourhood and what it has brought so far."""

    name: str
    limit_s: float
    gained: float = 1.0  # objective gained (starts equal for every kind)
    spent: float = 1.0  # seconds spent

    @property
    def score(self) -> float:
        return self.gained / self.spent


@dataclass
class NeighbourhoodSearch:
    """Improves a roster of `part` until `deadline` (time.monotonic()) or `stop()`."""

    part: PartModel
    rows: Rows
    objective: int
    bound: int | None = None  # a proven lower bound: no search once the roster meets it
    seed: int = 0
    kinds: list[_Kind] = field(
        default_factory=lambda: [
            _Kind("person", PERSON_LIMIT_S),
            _Kind("pair", PAIR_LIMIT_S),
            _Kind("days", WINDOW_LIMIT_S),
        ]
    )

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)
        self.stopped = False
        self.moves = 0
        self.improvements = 0
        self._solver: cp_model.CpSolver | None = None
        self._lock = threading.Lock()

    def stop(self) -> None:
        self.stopped = True
        with self._lock:
            if self._solver is not None:
                self._solver.stop_search()

    def run(self, deadline: float) -> tuple[Rows, int]:
        people = list(self.part.people)
        horizon = len(self.part.problem.days)
        floor = self.bound if self.bound is not None else 0  # every term is at least 0
        # Stop early when even single people have long stopped improving: a small part is
        # then at its best the neighbourhoods can reach, and the final solve may prove it.
        patience = STAGNATION_MOVES_PER_PERSON * len(people) + STAGNATION_MOVES
        since_improved = 0
        while (
            not self.stopped
            and time.monotonic() < deadline
            and self.objective > floor
            and since_improved < patience
        ):
            kind = self.random.choices(self.kinds, [k.score for k in self.kinds])[0]
            free = self._neighbourhood(kind.name, people, horizon)
            started = time.monotonic()
            limit = min(kind.limit_s, deadline - started)
            if limit <= 0.01:
                break
            gained = self._improve(free, limit)
            since_improved = 0 if gained else since_improved + 1
            kind.gained = 0.9 * kind.gained + gained
            kind.spent = 0.9 * kind.spent + (time.monotonic() - started)
            self.moves += 1
        return self.rows, self.objective

    def _neighbourhood(
        self, kind: str, people: Sequence[int], horizon: int
    ) -> set[tuple[int, int]]:
        """The free cells (person, day) of one neighbourhood of this kind."""
        if kind == "days" and horizon > 1:
            width = min(horizon, self.random.randint(*WINDOW_DAYS))
            first = self.random.randrange(0, horizon - width + 1)
            return {(p, d) for p in people for d in range(first, first + width)}
        chosen = self.random.sample(list(people), min(2 if kind == "pair" else 1, len(people)))
        return {(p, d) for p in chosen for d in range(horizon)}

    def _improve(self, free: set[tuple[int, int]], limit: float) -> int:
        """Solve the part with every cell outside `free` kept; returns the gain (0 if none)."""
        self.part.hint(self.rows)
        model = self.part.model.clone()
        fix(model, self.part.literals, self.rows, free)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = limit
        with self._lock:
            if self.stopped:
                return 0
            self._solver = solver
        status = solver.solve(model)
        with self._lock:
            self._solver = None
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return 0
        value = round(solver.objective_value)
        if value >= self.objective:
            return 0
        gained = self.objective - value
        self.rows, self.objective = self.part.solution(solver.boolean_value), value
        self.improvements += 1
        return gained


def fix(
    model: cp_model.CpModel,
    literals: Mapping[tuple[int, int], Mapping[Option, cp_model.IntVar]],
    rows: Mapping[int, Sequence[Option]],
    free: set[tuple[int, int]],
) -> None:
    """Fix, in a copy of a part's model, every cell outside `free` to its option in `rows`."""
    variables = model.proto.variables
    for (p, d), cell in literals.items():
        if (p, d) in free:
            continue
        held = rows[p][d]
        for option, literal in cell.items():
            domain = variables[literal.index].domain
            value = int(option == held)
            domain.clear()
            domain.extend([value, value])
