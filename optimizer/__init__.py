"""Solving and checking rosters. The plain-function API for batch jobs:

from models import Problem, load_scenario
from optimizer import SolveSettings, check, solve

problem = Problem(load_scenario("scenarios/bekasi-nataru-2025.yaml").scenario)
result = solve(problem, SolveSettings(time_limit_s=60))
frame = result.roster_frame(problem)          # pandas DataFrame, one row per person-day
evaluation = check(problem, "out/roster.csv")  # violations, fairness, objective
"""

from __future__ import annotations

from pathlib import Path

from models.problem import Problem
from models.result import Evaluation, Roster
from optimizer.check import evaluate, read_roster
from optimizer.solve import Progress, SolveSettings, solve

__all__ = ["Progress", "SolveSettings", "check", "solve"]


def check(problem: Problem, roster: Roster | str | Path) -> Evaluation:
    """Judge a roster (a `Roster`, or a roster CSV path) against every hard rule."""
    if not isinstance(roster, Roster):
        roster = read_roster(problem, roster)
    return evaluate(problem, roster)
