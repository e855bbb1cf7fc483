"""The Python API a batch job uses: load, solve, check as plain functions."""

from __future__ import annotations

from pathlib import Path

from models import Problem, load_scenario
from optimizer import SolveSettings, check, solve

TINY = Path(__file__).parent / "data" / "tiny.yaml"


def test_load_solve_check_round_trip(tmp_path: Path) -> None:
    problem = Problem(load_scenario(TINY).scenario)
    events = []
    result = solve(problem, SolveSettings(time_limit_s=10, workers=1, on_progress=events.append))
    assert result.status == "optimal" and result.solved
    assert events and events[-1].done
    frame = result.roster_frame(problem)
    assert len(frame) == len(problem.people) * len(problem.days)
    frame.to_csv(tmp_path / "roster.csv", index=False)
    evaluation = check(problem, tmp_path / "roster.csv")
    assert evaluation.valid
    assert evaluation.objective == result.objective == check(problem, result.roster).objective
