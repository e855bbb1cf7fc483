"""Rosters, evaluations and results: what a solve or a check hands back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from models.problem import Option, Problem

ROSTER_COLUMNS = ("staff_id", "name", "unit", "site", "date", "status", "shift", "standby")


@dataclass(frozen=True)
class Roster:
    """One option per person per day, in the problem's person and day order, and who is
    named standby: (person, day) -> the coverage rule id they stand by for."""

    cells: tuple[tuple[Option, ...], ...]
    standby: Mapping[tuple[int, int], str] = field(default_factory=dict)

    def replaced(
        self,
        rows: Mapping[int, Sequence[Option]],
        standby: Mapping[tuple[int, int], str] | None = None,
    ) -> Roster:
        """This roster with the rows of some people replaced (a part solved again), their
        standby duties with them."""
        cells = list(self.cells)
        for person, row in rows.items():
            cells[person] = tuple(row)
        kept = {key: rule for key, rule in self.standby.items() if key[0] not in rows}
        return Roster(tuple(cells), {**kept, **(standby or {})})

    def to_frame(self, problem: Problem) -> pd.DataFrame:
        rows = [
            (
                person.id,
                person.name,
                person.unit,
                person.site or "",
                day.date.isoformat(),
                option.status,
                option.shift or "",
                self.standby.get((person.index, day.index), ""),
            )
            for person, row in zip(problem.people, self.cells, strict=True)
            for day, option in zip(problem.days, row, strict=True)
        ]
        return pd.DataFrame(rows, columns=list(ROSTER_COLUMNS))


@dataclass(frozen=True)
class RuleDay:
    """One coverage requirement: a rule for one unit (site, skill) and shift on one day."""

    requirement: str
    unit: str
    site: str | None
    skill: str | None
    shift: str
    date: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CoverageFigure(RuleDay):
    required: int
    max: int | None
    onsite: int
    met: bool
    target: int | None = None


@dataclass(frozen=True)
class StandbyFigure(RuleDay):
    """Who stands by for one rule on one day (a rule asking for `standby`)."""

    asked: int
    staff: tuple[str, ...]  # staff ids named, in staff order

    def as_json(self, problem: Problem) -> dict[str, Any]:  # type: ignore[override]
        people = [problem.people[problem.person_index[i]] for i in self.staff]
        return super().as_json() | {
            "staff": [{"id": p.id, "name": p.name, "phone": p.phone} for p in people]
        }


@dataclass(frozen=True)
class ResilienceFigure(RuleDay):
    """N-1 for one rule on one day: does it still hold if any one person on site is absent?"""

    required: int
    onsite: int
    standby: int  # standby named for this rule that day
    resilient: bool
    reason: str  # "margin 2", "standby", "no margin, no standby", "not met", "no minimum"
    required_resilient: bool = False  # the rule says `resilient: true`: a hard rule


@dataclass(frozen=True)
class PoolFairness:
    eligible: int
    wfa_days_min: int
    wfa_days_max: int
    wfa_days_mean: float
    jain: float

    def as_json(self) -> dict[str, Any]:
        return {
            "eligible": self.eligible,
            "wfa_days_min": self.wfa_days_min,
            "wfa_days_max": self.wfa_days_max,
            "wfa_days_mean": round(self.wfa_days_mean, 4),
            "jain": round(self.jain, 6),
        }


@dataclass(frozen=True)
class Violation:
    """One broken hard rule, in words a planner can act on."""

    rule: str  # the rule family, e.g. "coverage", "rest", "leave"
    message: str
    staff_id: str | None = None
    date: str | None = None

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Evaluation:
    """A roster judged against a problem: violations, figures and the objective."""

    violations: tuple[Violation, ...]
    coverage: tuple[CoverageFigure, ...]
    fairness: dict[str, PoolFairness]
    terms: dict[str, int]  # each named objective term, weighted, before the tier scale
    objective: int
    wfa_person_days: dict[str, int]  # per unit
    resilience: tuple[ResilienceFigure, ...] = ()  # per requirement, in problem order
    standby: tuple[StandbyFigure, ...] = ()  # per requirement asking for standby
    # Per person, the WFA burden this roster gives, in piket days, as the objective counts
    # it (Problem.burden_in_days): what `piket ledger` adds to `history`.
    burden: tuple[Decimal, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.violations


@dataclass(frozen=True)
class SolverInfo:
    name: str
    version: str
    seed: int
    workers: int


@dataclass(frozen=True)
class PartReport:
    """One independently solved part of the problem."""

    units: tuple[str, ...]
    people: int
    variables: int
    constraints: int
    status: str
    objective: int | None
    bound: int | None
    wall_time_s: float


@dataclass(frozen=True)
class CellChange:
    """One cell a replan changed: who, which day, from what to what. `absent`: the change
    is the absence itself (the cell became leave), not one the replan chose."""

    person: int
    day: int
    before: Option
    after: Option
    absent: bool

    def as_json(self, problem: Problem) -> dict[str, Any]:
        person = problem.people[self.person]
        return {
            "staff_id": person.id,
            "name": person.name,
            "unit": person.unit,
            "site": person.site or "",
            "date": problem.days[self.day].date.isoformat(),
            "from": str(self.before),
            "to": str(self.after),
            "absent": self.absent,
        }


@dataclass
class Result:
    """What `solve` returns. `infeasible` is a status, not an exception."""

    status: str  # optimal | feasible | infeasible | unknown
    roster: Roster | None
    objective: int | None
    bound: int | None
    wall_time_s: float
    solver: SolverInfo
    evaluation: Evaluation | None = None
    reasons: tuple[str, ...] = ()  # why infeasible / unknown, in planner language
    parts: tuple[PartReport, ...] = ()
    interrupted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    relaxed: bool = False  # coverage minimums were soft: see `shortfalls`
    changes: tuple[CellChange, ...] | None = None  # a replan's changed cells

    @property
    def solved(self) -> bool:
        return self.status in ("optimal", "feasible")

    @property
    def shortfalls(self) -> tuple[CoverageFigure, ...]:
        """Requirements (per rule, unit and day) with fewer on site than their minimum."""
        if self.evaluation is None:
            return ()
        return tuple(c for c in self.evaluation.coverage if c.onsite < c.required)

    def roster_frame(self, problem: Problem) -> pd.DataFrame:
        if self.roster is None:
            return pd.DataFrame(columns=list(ROSTER_COLUMNS))
        return self.roster.to_frame(problem)
