"""Rosters, evaluations and results: what a solve or a check hands back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from models.problem import Option, Problem

ROSTER_COLUMNS = ("staff_id", "name", "unit", "site", "date", "status", "shift")


@dataclass(frozen=True)
class Roster:
    """One option per person per day, in the problem's person and day order."""

    cells: tuple[tuple[Option, ...], ...]

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
            )
            for person, row in zip(problem.people, self.cells, strict=True)
            for day, option in zip(problem.days, row, strict=True)
        ]
        return pd.DataFrame(rows, columns=list(ROSTER_COLUMNS))


@dataclass(frozen=True)
class CoverageFigure:
    requirement: str
    unit: str
    site: str | None
    skill: str | None
    shift: str
    date: str
    required: int
    max: int | None
    onsite: int
    met: bool
    target: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "requirement": self.requirement,
            "unit": self.unit,
            "site": self.site,
            "skill": self.skill,
            "shift": self.shift,
            "date": self.date,
            "required": self.required,
            "max": self.max,
            "onsite": self.onsite,
            "met": self.met,
            "target": self.target,
        }


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

    @property
    def solved(self) -> bool:
        return self.status in ("optimal", "feasible")

    def roster_frame(self, problem: Problem) -> pd.DataFrame:
        if self.roster is None:
            return pd.DataFrame(columns=list(ROSTER_COLUMNS))
        return self.roster.to_frame(problem)
