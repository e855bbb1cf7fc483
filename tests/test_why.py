"""Explaining one cell: the rules that bind it, and what the alternative costs (confirmed by
brute force over every roster with that cell forced); the `why` command."""

from __future__ import annotations

import copy
import itertools
import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from models.problem import WFA_OPTION, Option, Problem
from models.result import Roster
from models.scenario import Scenario
from optimizer.check import evaluate
from optimizer.solve import SolveSettings, solve
from optimizer.why import parse_option, why
from tests.conftest import BASE, people
from tests.test_cli import run

FAST = SolveSettings(time_limit_s=20, workers=1)
DAY = date(2025, 12, 30)


def scenario(**sections: Any) -> Scenario:
    data = copy.deepcopy(BASE)
    data.update(sections)
    return Scenario.model_validate(data)


def half_on_site(**extra: Any) -> Scenario:
    """Four office staff, half of them on site on each WFA day (the tiny BASE: 29–31 Dec)."""
    sections: dict[str, Any] = {
        "staff": people(4),
        "coverage": [
            {"id": "loket", "unit": "office", "shift": "kantor", "days": "wfa", "min_share": 0.5}
        ],
    }
    sections.update(extra)
    return scenario(**sections)


def solved(sc: Scenario) -> tuple[Problem, Any]:
    problem = Problem(sc)
    result = solve(problem, FAST)
    assert result.status == "optimal" and result.roster is not None
    return problem, result.roster


def best_and_closest(problem: Problem, roster: Roster) -> tuple[int, int]:
    """Brute force over every roster meeting the hard rules (the checker judges each): the
    best objective, and the fewest cells changed from `roster` among rosters that good."""
    width = len(problem.days)
    found = []
    for cells in itertools.product(*(cell for row in problem.options for cell in row)):
        rows = tuple(tuple(cells[i : i + width]) for i in range(0, len(cells), width))
        evaluation = evaluate(problem, Roster(rows))
        if evaluation.valid:
            changed = sum(
                a != b
                for old, new in zip(roster.cells, rows, strict=True)
                for a, b in zip(old, new, strict=True)
            )
            found.append((evaluation.objective, changed))
    best = min(objective for objective, _ in found)
    return best, min(changed for objective, changed in found if objective == best)


def on_site_that_day(problem: Problem, roster: Any) -> str:
    day = problem.day_index[DAY]
    return next(p.id for p in problem.people if roster.cells[p.index][day].status == "onsite")


def test_a_binding_coverage_rule_and_the_cost_of_wfa_by_brute_force() -> None:
    sc = half_on_site()
    problem, roster = solved(sc)
    staff_id = on_site_that_day(problem, roster)
    answer = why(sc, problem, roster, staff_id, DAY, settings=FAST)
    assert answer.option == Option("onsite", "kantor")
    assert (
        "coverage: office / kantor needs at least 2 on site (rule loket); 2 are, binding: "
        "without this person it falls short"
    ) in answer.reasons
    assert any(r.startswith("WFA fairness in pool office: ") for r in answer.reasons)
    other = answer.alternative
    assert other.status == "optimal" and other.term_deltas is not None
    # Brute force: the best roster with that cell pinned to WFA, against this roster.
    pin = {"staff": staff_id, "date": DAY, "status": "wfa"}
    forced = Problem(Scenario.model_validate(sc.model_dump() | {"pins": [pin]}))
    best, fewest = best_and_closest(forced, roster)
    assert other.objective_delta == best - evaluate(problem, roster).objective
    # Among rosters that good, the one shown changes the fewest other cells.
    assert len(other.changes) == fewest - 1  # the forced cell itself is not listed
    # The terms add up to the objective as the format weighs them (fairness above the rest).
    deltas = dict(other.term_deltas)
    fairness = deltas.pop("wfa_fairness")
    assert other.objective_delta == problem.tier_scale * fairness + sum(deltas.values())
    assert other.objective_delta >= 0  # the roster is optimal: no pin can improve on it
    assert other.changes  # someone else comes on site in their place
    day = problem.day_index[DAY]
    assert all((c.person, c.day) != (problem.person_index[staff_id], day) for c in other.changes)


def test_wfa_for_someone_not_eligible_is_not_allowed_and_says_why() -> None:
    staff = people(4)
    staff[0]["wfa_eligible"] = False
    sc = half_on_site(staff=staff)
    problem, roster = solved(sc)
    answer = why(sc, problem, roster, "office-0", DAY, settings=FAST)
    assert answer.reasons[0] == (
        "an office working day for office, a WFA day, but this person is not WFA-eligible: "
        "the cell can only be onsite:kantor"
    )
    assert answer.alternative.status == "not allowed"
    assert "not WFA-eligible" in (answer.alternative.why_not or "")


def test_wfa_that_the_rules_rule_out_is_infeasible_and_explained() -> None:
    # Everyone must be on site on the 30th (min 4 of 4): WFA for one leaves 3.
    sc = half_on_site(
        coverage=[
            {"id": "semua", "unit": "office", "shift": "kantor", "days": "2025-12-30", "min": 4}
        ],
        requests=[{"staff": "office-2", "date": "2025-12-30", "want": "wfa", "weight": 2}],
        pins=[{"staff": "office-3", "date": "2025-12-30", "status": "onsite", "shift": "kantor"}],
    )
    problem, roster = solved(sc)
    answer = why(sc, problem, roster, "office-2", DAY, settings=FAST)
    assert "asked for wfa (weight 2): not honoured" in answer.reasons
    other = answer.alternative
    assert other.status == "infeasible" and other.conflict is None
    [reason] = other.quick
    assert (reason.kind, reason.dates, reason.people) == ("staff", ("2025-12-30",), ("office-2",))
    assert reason.message.endswith("only 3 of the 4 staff of office can be: Office 2 is pinned wfa")
    # A pinned cell says so; WFA there contradicts the pin.
    answer = why(sc, problem, roster, "office-3", DAY, settings=FAST)
    assert "pinned onsite:kantor" in answer.reasons
    assert answer.alternative.status == "infeasible"
    [reason] = answer.alternative.quick
    assert "Office 3 is pinned onsite kantor and wfa" in reason.message


def test_the_weekly_minimum_binds_a_roster_cell() -> None:
    sc = scenario(
        horizon={"start": "2026-01-05", "end": "2026-01-11"},
        calendar={},
        units={
            "ward": {"schedule": "roster", "shifts": ["pagi"], "rules": {"min_shifts_per_week": 2}}
        },
        staff=people(1, "ward"),
    )
    problem, roster = solved(sc)
    day = next(d for d, o in enumerate(roster.cells[0]) if o.status == "onsite")
    answer = why(sc, problem, roster, "ward-0", problem.days[day].date, Option("off"), FAST)
    assert any(
        r.startswith("min_shifts_per_week: 2 shifts in the week of 2026-01-05")
        for r in answer.reasons
    )
    assert answer.alternative.status == "optimal"
    # Off that day moves the shift to another day: same cost, two cells differ.
    assert answer.alternative.objective_delta == 0 and len(answer.alternative.changes) == 1


def test_parse_option() -> None:
    assert parse_option("wfa") == WFA_OPTION
    assert parse_option("onsite:jaga") == Option("onsite", "jaga")
    for bad in ("onsite", "leave", "wfa:kantor", "sick"):
        try:
            parse_option(bad)
        except ValueError as error:
            assert "expected wfa, off or onsite:SHIFT" in str(error)
        else:
            raise AssertionError(bad)


def test_why_command(tmp_path: Path) -> None:
    path = tmp_path / "loket.json"
    path.write_text(json.dumps(half_on_site().model_dump(mode="json", exclude_defaults=True)))
    code, _ = run("solve", path, "--out", tmp_path)
    assert code == 0
    roster = pd.read_csv(tmp_path / "roster.csv", dtype=str, keep_default_na=False)
    onsite = roster[(roster["date"] == str(DAY)) & (roster["status"] == "onsite")]
    staff_id = onsite["staff_id"].iloc[0]
    args = ("why", path, tmp_path / "roster.csv", "--staff", staff_id)
    code, output = run(*args, "--date", str(DAY))
    assert code == 0
    assert f"({staff_id}, office) on {DAY}: onsite:kantor" in output
    assert "binding: without this person it falls short" in output
    assert "instead wfa: feasible (optimal); objective +" in output
    code, output = run(*args, "--date", str(DAY), "--json")
    data = json.loads(output)
    assert data["instead"]["status"] == "optimal" and data["instead"]["objective_delta"] >= 0
    code, output = run(*args, "--date", "2026-02-01")
    assert code == 2 and "--date: 2026-02-01 is outside the horizon" in output
    code, output = run(*args, "--date", "30/12/2025")
    assert code == 2 and "--date" in output
    code, output = run(
        "why", path, tmp_path / "roster.csv", "--staff", "nobody", "--date", str(DAY)
    )
    assert code == 2 and "--staff: unknown staff id 'nobody'" in output
    code, output = run(*args, "--date", str(DAY), "--instead", "leave")
    assert code == 2 and "--instead" in output
