"""Random tiny scenarios: the solver's roster passes the independent checker, its objective
equals the checker's, and brute force over every roster confirms optimality and
infeasibility."""

from __future__ import annotations

import copy
import itertools
import math
from typing import Any

from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st

from models.problem import Problem
from models.result import Roster
from models.scenario import Scenario
from optimizer.check import evaluate
from optimizer.solve import SolveSettings, solve
from tests.conftest import BASE

BRUTE_FORCE_LIMIT = 3000
SHIFT_SETS = [("kantor",), ("pagi", "malam"), ("jaga",), ("pagi", "siang")]
# Mon 22 .. Sat 27 Dec 2025: working days, a holiday (25), collective leave (26), a Saturday.
DATES = ["2025-12-22", "2025-12-23", "2025-12-24", "2025-12-25", "2025-12-26", "2025-12-27"]
WORKING = DATES[:3]


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    start = draw(st.integers(0, 4))
    length = draw(st.integers(2, 3))
    days = DATES[start : start + length]
    working = [d for d in days if d in WORKING and draw(st.booleans())]
    units = {}
    for name in draw(st.lists(st.sampled_from(["a", "b"]), min_size=1, max_size=2, unique=True)):
        rules = {}
        if draw(st.booleans()):
            rules["min_rest_hours"] = draw(st.sampled_from([11, 16, 48]))
        if draw(st.booleans()):
            rules["max_consecutive_onsite_days"] = draw(st.integers(1, 2))
        if draw(st.booleans()):
            rules["max_onsite_days"] = draw(st.integers(0, 2))
        units[name] = {
            "schedule": draw(st.sampled_from(["office", "roster"])),
            "shifts": list(draw(st.sampled_from(SHIFT_SETS))),
            "wfa": draw(st.sampled_from([None, True, False])),
            "rules": rules,
        }
    staff = []
    for i in range(draw(st.integers(1, 3))):
        person: dict[str, Any] = {
            "id": f"p{i}",
            "name": f"Person {i}",
            "unit": draw(st.sampled_from(sorted(units))),
            "history": draw(st.integers(0, 2)),
            "skills": draw(st.sampled_from(["", "perawat", "perawat|dokter"])),
        }
        if draw(st.booleans()):
            person["wfa_eligible"] = draw(st.booleans())
        if draw(st.integers(0, 4)) == 0:
            person["leave"] = draw(st.sampled_from(days))
        staff.append(person)
    coverage = []
    for _ in range(draw(st.integers(1, 3))):
        unit = draw(st.sampled_from(sorted(units)))
        rule: dict[str, Any] = {
            "unit": draw(st.sampled_from([unit, "*"])),
            "shift": draw(st.sampled_from(units[unit]["shifts"])),
            "days": draw(st.sampled_from(["all", "working", "holidays", "wfa"])),
        }
        kind = draw(st.sampled_from(["min", "min", "min_share", "max", "target"]))
        rule[kind] = (
            draw(st.sampled_from([0.5, 1.0])) if kind == "min_share" else draw(st.integers(0, 2))
        )
        if kind == "target":
            rule["weight"] = draw(st.integers(1, 3))
        if draw(st.booleans()):
            rule["skill"] = "perawat"
        coverage.append(rule)
    requests = [
        {
            "staff": f"p{draw(st.integers(0, len(staff) - 1))}",
            "date": draw(st.sampled_from(days)),
            "want": draw(st.sampled_from(["wfa", "onsite", "off"])),
            "weight": draw(st.integers(1, 3)),
        }
        for _ in range(draw(st.integers(0, 2)))
    ]
    pins = [
        {
            "staff": f"p{draw(st.integers(0, len(staff) - 1))}",
            "date": draw(st.sampled_from(days)),
            "status": draw(st.sampled_from(["wfa", "onsite", "off"])),
        }
        for _ in range(draw(st.integers(0, 1)))
    ]
    data = copy.deepcopy(BASE)
    data.update(
        horizon={"start": days[0], "end": days[-1]},
        calendar={
            "holidays": {"2025-12-25": "Natal"},
            "collective_leave": {"2025-12-26": "Cuti Bersama"},
            "wfa_days": working,
        },
        units=units,
        staff=staff,
        coverage=coverage,
        requests=requests,
        pins=pins,
        fairness={
            "weights": {
                "wfa_days": draw(st.integers(0, 3)),
                "holiday_duty": draw(st.integers(0, 3)),
                "night_shifts": draw(st.integers(0, 3)),
            }
        },
    )
    return data


def brute_force(problem: Problem) -> int | None:
    """The least objective over every valid roster, or None when none is valid."""
    best = None
    for cells in itertools.product(*(cell for row in problem.options for cell in row)):
        width = len(problem.days)
        roster = Roster(tuple(tuple(cells[i : i + width]) for i in range(0, len(cells), width)))
        evaluation = evaluate(problem, roster)
        if evaluation.valid and (best is None or evaluation.objective < best):
            best = evaluation.objective
    return best


def fairness_swaps(problem: Problem, roster: Roster) -> list[tuple[int, int, int]]:
    """The format's testable form of fairness: two pool members with the same available WFA
    days and history, one with at least two more WFA days, and a one-day swap of their
    statuses that keeps every hard rule. An optimal roster has none."""
    wfa = [sum(o.status == "wfa" for o in row) for row in roster.cells]
    swaps = []
    for a, b in itertools.permutations(range(len(problem.people)), 2):
        pa, pb = problem.people[a], problem.people[b]
        alike = (
            problem.pool_of(pa) == problem.pool_of(pb)
            and problem.available_wfa_days(a) == problem.available_wfa_days(b) > 0
            and pa.history == pb.history
        )
        if not alike or wfa[a] < wfa[b] + 2:
            continue
        for d in range(len(problem.days)):
            cells = [list(row) for row in roster.cells]
            cells[a][d], cells[b][d] = cells[b][d], cells[a][d]
            if evaluate(problem, Roster(tuple(map(tuple, cells)))).valid:
                swaps.append((a, b, d))
    return swaps


# Found by this test: a soft-cover part with no roster at all must be reported infeasible,
# not "no roster found in time".
NO_ROSTER_UNDER_SOFT_COVER: dict[str, Any] = {
    "version": 1,
    "name": "tiny",
    "horizon": {"start": "2025-12-22", "end": "2025-12-23"},
    "shifts": {
        "pagi": {"start": "07:00", "end": "14:00"},
        "malam": {"start": "21:00", "end": "07:00"},
    },
    "units": {
        "a": {
            "schedule": "office",
            "shifts": ["pagi", "malam"],
            "wfa": None,
            "rules": {"max_consecutive_onsite_days": 1},
        }
    },
    "staff": [{"id": "p0", "name": "Person 0", "unit": "a"}],
    "coverage": [{"unit": "a", "shift": "pagi", "days": "all", "target": 0, "weight": 1}],
}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
@example(NO_ROSTER_UNDER_SOFT_COVER)
def test_solver_matches_checker_and_brute_force(data: dict[str, Any]) -> None:
    problem = Problem(Scenario.model_validate(data))
    size = math.prod(len(cell) for row in problem.options for cell in row)
    assume(size <= BRUTE_FORCE_LIMIT)
    result = solve(problem, SolveSettings(time_limit_s=10, workers=1))
    best = brute_force(problem)
    event("infeasible" if best is None else "feasible")
    if best is None:
        assert result.status == "infeasible"
        return
    assert result.status == "optimal", result.reasons
    assert result.evaluation is not None
    assert result.evaluation.violations == ()
    assert result.evaluation.objective == result.objective == best
    assert result.roster is not None
    if problem.weights.wfa_days:
        assert fairness_swaps(problem, result.roster) == []
