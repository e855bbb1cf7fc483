"""Explaining infeasibility: one planted infeasibility per kind, each explained with the right
unit, site, shift, day and people; minimal conflicts where the quick checks see nothing; the
relaxed solve against brute force; file locations; the `explain` and `solve --relax` commands."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from ortools.sat.python import cp_model

from models.load import load_scenario
from models.problem import Problem
from models.result import Roster
from models.scenario import Scenario
from optimizer.check import evaluate
from optimizer.explain import (
    Reason,
    Sources,
    describe_group,
    explain,
    minimal_conflict,
    quick_reasons,
)
from optimizer.model import Group, PartModel
from optimizer.solve import SolveSettings, partition, solve
from tests.conftest import build, people
from tests.test_cli import run
from tests.test_properties import brute_force, scenarios

FAST = SolveSettings(time_limit_s=20, workers=1)
# Mon 2026-01-05 .. Sun 2026-01-11: one whole week, no holidays, no WFA days.
WEEK = {"horizon": {"start": "2026-01-05", "end": "2026-01-11"}, "calendar": {}}
FIRE = {"schedule": "roster", "shifts": ["jaga"], "wfa": False}


def fire(rules: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"damkar": {**FIRE, "rules": rules or {}}}


def the_reason(problem: Problem, kind: str) -> Reason:
    """The one quick reason of `kind`; the relaxed solve must agree that the rules fail."""
    reasons = quick_reasons(problem)
    found = [r for r in reasons if r.kind == kind]
    assert len(found) == 1, reasons
    assert solve(problem, FAST).status == "infeasible"
    return found[0]


# --- the eight planted kinds ----------------------------------------------------------------


def test_too_few_staff_at_a_post_names_who_is_on_leave() -> None:
    # Three firefighters at pos-rawalumbu, jaga needs 3 every day; on the 30th two are on
    # leave, so only one can be on site.
    staff = people(3, "damkar", site="pos-rawalumbu")
    staff[0]["leave"] = staff[1]["leave"] = "2025-12-30"
    staff[0]["name"], staff[1]["name"] = "Budi Santoso", "Siti Rahayu"
    problem = build(
        units=fire(),
        staff=[*staff, *people(2, "damkar", site="pos-bantar")],
        coverage=[
            {
                "id": "rawalumbu-jaga",
                "unit": "damkar",
                "site": "pos-rawalumbu",
                "shift": "jaga",
                "min": 3,
            }
        ],
    )
    reason = the_reason(problem, "staff")
    assert (reason.unit, reason.site, reason.shift, reason.dates) == (
        "damkar",
        "pos-rawalumbu",
        "jaga",
        ("2025-12-30",),
    )
    assert reason.people == ("damkar-0", "damkar-1")
    assert reason.message == (
        "damkar / pos-rawalumbu / jaga on 2025-12-30 needs 3 on site (rule rawalumbu-jaga); "
        "only 1 of the 3 staff of damkar / pos-rawalumbu can be: Budi Santoso and Siti "
        "Rahayu are on leave"
    )


def test_a_skill_nobody_has_is_named_once_for_all_its_days() -> None:
    problem = build(
        units=fire(),
        staff=people(4, "damkar", site="pos-a", skills="pemadam"),
        coverage=[
            {
                "id": "selam",
                "unit": "damkar",
                "site": "pos-a",
                "skill": "penyelam",
                "shift": "jaga",
                "min": 1,
            }
        ],
    )
    reason = the_reason(problem, "skill")
    assert (reason.unit, reason.site, reason.shift) == ("damkar", "pos-a", "jaga")
    assert reason.dates == ("2025-12-29", "2025-12-30", "2025-12-31")
    assert "nobody in damkar / pos-a has skill penyelam" in reason.message
    assert "2025-12-29..2025-12-31" in reason.message


def test_min_share_above_who_is_left_after_leave() -> None:
    # Ward of 5 with min_share 0.4 on pagi and on siang: 2 + 2 of 5 fit, but on the 30th two
    # are on leave: ceil(0.4 x 3) = 2 on each shift, 4 people, and one works one shift a day.
    staff = people(5, "rsud", site="bangsal-mawar")
    staff[3]["leave"] = staff[4]["leave"] = "2025-12-30"
    problem = build(
        units={"rsud": {"schedule": "roster", "shifts": ["pagi", "siang"], "wfa": False}},
        staff=staff,
        coverage=[
            {
                "id": f"mawar-{s}",
                "unit": "rsud",
                "site": "bangsal-mawar",
                "shift": s,
                "min_share": 0.4,
            }
            for s in ("pagi", "siang")
        ],
    )
    reason = the_reason(problem, "day")
    assert (reason.unit, reason.site, reason.dates) == ("rsud", "bangsal-mawar", ("2025-12-30",))
    assert reason.shift == "pagi+siang"
    assert reason.people == ("rsud-3", "rsud-4")
    assert (
        "pagi needs 2 and siang needs 2 on site (rules mawar-pagi, mawar-siang)" in reason.message
    )
    assert "only 3 of the 5 staff can be: Rsud 3 and Rsud 4 are on leave" in reason.message


def test_a_pin_against_leave() -> None:
    problem = build(
        staff=people(2, leave="2025-12-30"),
        pins=[{"staff": "office-1", "date": "2025-12-30", "status": "onsite", "shift": "kantor"}],
    )
    reason = the_reason(problem, "pin")
    assert reason.people == ("office-1",) and reason.dates == ("2025-12-30",)
    assert reason.message == (
        "pin: Office 1 (office-1) is pinned onsite kantor on 2025-12-30, but that day can only "
        "be leave (on leave that day)"
    )


def test_a_pin_against_a_rest_rule() -> None:
    # 24 h jaga with 48 h rest: pinned on the 29th and the 30th, 0 h apart.
    problem = build(
        units=fire({"min_rest_hours": 48}),
        staff=people(4, "damkar", site="pos-a"),
        pins=[
            {"staff": "damkar-2", "date": day, "status": "onsite", "shift": "jaga"}
            for day in ("2025-12-29", "2025-12-30")
        ],
    )
    reason = the_reason(problem, "pin_rule")
    assert (reason.unit, reason.site, reason.people) == ("damkar", "pos-a", ("damkar-2",))
    assert reason.dates == ("2025-12-29", "2025-12-30")
    assert "pinned jaga on 2025-12-29 and pinned jaga on 2025-12-30" in reason.message
    assert "0 h of rest, unit damkar needs 48 h (min_rest_hours)" in reason.message


def test_rest_rules_that_break_a_24_hour_rota() -> None:
    # One jaga a day with 48 h rest needs three crews; the post has two people.
    problem = build(
        units=fire({"min_rest_hours": 48}),
        staff=people(2, "damkar", site="pos-a"),
        coverage=[
            {"id": "pos-a-jaga", "unit": "damkar", "site": "pos-a", "shift": "jaga", "min": 1}
        ],
    )
    reason = the_reason(problem, "rota")
    assert (reason.unit, reason.site, reason.shift) == ("damkar", "pos-a", "jaga")
    assert reason.dates == ("2025-12-29", "2025-12-30", "2025-12-31")
    assert "at most one jaga in any 3 days, so at least 3 people are needed" in reason.message
    assert reason.message.endswith(
        "(3 crews), but only 2 of the 2 staff of damkar / pos-a can be on site then"
    )


def test_a_max_below_a_min() -> None:
    problem = build(
        staff=people(5),
        coverage=[
            {
                "id": "loket",
                "unit": "office",
                "shift": "kantor",
                "days": "2025-12-30",
                "min": 3,
                "max": 2,
            }
        ],
    )
    reason = the_reason(problem, "max_below_min")
    assert (reason.unit, reason.shift, reason.dates) == ("office", "kantor", ("2025-12-30",))
    assert (
        reason.message == "office / kantor on 2025-12-30: max 2 is below the minimum 3 (rule loket)"
    )


def test_contracted_shifts_per_week_that_coverage_cannot_absorb() -> None:
    # Six firefighters contracted for 3 jaga a week (48 h rest allows exactly 3: days 0, 3, 6)
    # need 18 shifts; at most 2 a day on site gives 14.
    problem = build(
        **WEEK,
        units=fire({"min_rest_hours": 48, "min_shifts_per_week": 3}),
        staff=people(6, "damkar", site="pos-a"),
        coverage=[
            {
                "id": "pos-a-jaga",
                "unit": "damkar",
                "site": "pos-a",
                "shift": "jaga",
                "min": 1,
                "max": 2,
            }
        ],
    )
    reason = the_reason(problem, "weekly")
    assert (reason.unit, reason.site, reason.shift) == ("damkar", "pos-a", "jaga")
    assert reason.dates[0] == "2026-01-05" and reason.dates[-1] == "2026-01-11"
    assert "needs 18 shifts from its 6 staff (min_shifts_per_week 3" in reason.message
    assert "let them work at most 14" in reason.message


def test_the_quick_checks_say_nothing_about_a_feasible_scenario(make_problem) -> None:
    # Three crews for a 48 h rota, contracts that fit: the checks must not cry wolf.
    problem = make_problem(
        **WEEK,
        units=fire({"min_rest_hours": 48, "min_shifts_per_week": 2}),
        staff=people(6, "damkar", site="pos-a"),
        coverage=[{"unit": "damkar", "site": "pos-a", "shift": "jaga", "min": 2, "max": 2}],
    )
    assert quick_reasons(problem) == []
    assert explain(problem, FAST).status == "feasible"


# --- minimal conflicts ------------------------------------------------------------------------


def conflicting_runs() -> Problem:
    """One nurse, at most 2 days in a row, a minimum of 1 on Mon, Tue and Wed: no quick
    check counts across days like this. A second ward and its nurse have nothing to do
    with it."""
    return build(
        **WEEK,
        units={
            "ward": {"schedule": "roster", "shifts": ["pagi"]},
            "icu": {"schedule": "roster", "shifts": ["pagi"]},
        },
        rules={"max_consecutive_onsite_days": 2},
        staff=[*people(1, "ward"), *people(1, "icu")],
        coverage=[
            {
                "id": "ward-pagi",
                "unit": "ward",
                "shift": "pagi",
                "days": "2026-01-05..2026-01-07",
                "min": 1,
            },
            {"id": "icu-pagi", "unit": "icu", "shift": "pagi", "days": "mon..wed", "min": 0},
        ],
    )


def test_a_minimal_conflict_where_the_quick_checks_see_nothing() -> None:
    problem = conflicting_runs()
    assert quick_reasons(problem) == []
    explanation = explain(problem, FAST)
    assert explanation.status == "infeasible"
    [conflict] = explanation.conflicts
    assert conflict.units == ("ward",) and conflict.minimal
    kinds = sorted((rule.kind, rule.dates) for rule in conflict.rules)
    assert kinds == [
        ("coverage", ("2026-01-05",)),
        ("coverage", ("2026-01-06",)),
        ("coverage", ("2026-01-07",)),
        ("person", ()),
    ]
    person = next(rule for rule in conflict.rules if rule.kind == "person")
    assert person.people == ("ward-0",)
    assert "max_consecutive_onsite_days 2" in person.message


def test_the_conflict_is_minimal_each_rule_is_needed() -> None:
    # Independently of the shrinking: the conflict's groups cannot hold together, and
    # without any one of them the rest can (every other group switched off too).
    problem = conflicting_runs()
    part = next(p for p in partition(problem) if 0 in p.people)
    conflict = minimal_conflict(
        PartModel(problem, part.people, part.requirements, grouped=True), 10
    )
    assert conflict is not None
    model = PartModel(problem, part.people, part.requirements, grouped=True)
    labels = {str(r) for r in conflict.rules}
    chosen = [g for g in model.group_literals if str(describe_group(problem, g)) in labels]
    assert len(chosen) == len(conflict.rules)

    def holds(groups: list[Group]) -> bool:
        model.model.clear_assumptions()
        model.model.add_assumptions([model.group_literals[g] for g in groups])
        model.model.add_assumptions(
            [model.group_literals[g].Not() for g in model.group_literals if g not in groups]
        )
        return cp_model.CpSolver().solve(model.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)

    assert not holds(chosen)
    for left_out in chosen:
        assert holds([g for g in chosen if g != left_out])


def test_a_minimal_conflict_leaves_out_the_pins_that_do_not_matter() -> None:
    # Contracted for 2 jaga a week with 48 h rest, pinned off on Mon, Thu, Fri, Sat and Sun:
    # Tue and Wed are open, two days by count, but 48 h rest allows only one of them. Freeing
    # Fri, Sat or Sun makes it work (Tue or Wed with it); freeing Mon or Thu alone does not
    # (Mon-Wed, Tue-Thu are too close), but freeing both does (Mon and Thu). So a minimal
    # conflict is the rules, the pins on Fri, Sat and Sun, and one of Mon and Thu.
    problem = build(
        **WEEK,
        units=fire({"min_rest_hours": 48, "min_shifts_per_week": 2}),
        staff=people(1, "damkar"),
        pins=[
            {"staff": "damkar-0", "date": day, "status": "off"}
            for day in ("2026-01-05", "2026-01-08", "2026-01-09", "2026-01-10", "2026-01-11")
        ],
    )
    assert quick_reasons(problem) == []  # two open days: enough by count
    [conflict] = explain(problem, FAST).conflicts
    assert conflict.minimal
    found = sorted((rule.kind, rule.dates) for rule in conflict.rules)
    either = [day for day in ("2026-01-05", "2026-01-08") if ("pin", (day,)) in found]
    assert len(either) == 1
    assert found == sorted(
        [("person", ()), ("pin", tuple(either))]
        + [("pin", (day,)) for day in ("2026-01-09", "2026-01-10", "2026-01-11")]
    )
    person = next(rule for rule in conflict.rules if rule.kind == "person")
    assert "min_rest_hours 48, min_shifts_per_week 2" in person.message


# --- the relaxed solve ------------------------------------------------------------------------


def least_shortfall(problem: Problem) -> int | None:
    """Brute force: the least total shortfall below the minimums over every roster that
    keeps every other hard rule (the checker judges each); None when none does."""
    best = None
    width = len(problem.days)
    for cells in itertools.product(*(cell for row in problem.options for cell in row)):
        roster = Roster(tuple(tuple(cells[i : i + width]) for i in range(0, len(cells), width)))
        evaluation = evaluate(problem, roster)
        if any(v.rule != "coverage" for v in evaluation.violations):
            continue
        if any(c.max is not None and c.onsite > c.max for c in evaluation.coverage):
            continue
        short = sum(max(0, c.required - c.onsite) for c in evaluation.coverage)
        best = short if best is None else min(best, short)
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_quick_reasons_are_sound_on_random_scenarios(data: dict[str, Any]) -> None:
    # A quick reason claims that no roster exists: brute force must agree.
    problem = Problem(Scenario.model_validate(data))
    size = math.prod(len(cell) for row in problem.options for cell in row)
    assume(size <= 3000)
    reasons = quick_reasons(problem)
    event("quick reason" if reasons else "none")
    if reasons:
        assert brute_force(problem) is None, reasons


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_relaxed_solve_matches_brute_force_on_random_scenarios(data: dict[str, Any]) -> None:
    problem = Problem(Scenario.model_validate(data))
    size = math.prod(len(cell) for row in problem.options for cell in row)
    assume(size <= 600)
    result = solve(problem, SolveSettings(time_limit_s=10, workers=1, relax=True))
    least = least_shortfall(problem)
    if least is None:  # rules other than the minimums already fail
        assert result.status == "infeasible" and result.roster is None
        return
    assert result.roster is not None and result.evaluation is not None
    assert sum(c.required - c.onsite for c in result.shortfalls) == least
    assert result.status == ("optimal" if least == 0 else "infeasible")
    if least == 0:
        assert result.objective == brute_force(problem)


def test_relaxed_solve_meets_as_much_as_brute_force_says_is_possible() -> None:
    # 2 firefighters, 48 h rest, 2 a day needed on 5 days: each can work days 0 and 3 (or
    # 1 and 4, ...), at most 2 jaga each: 4 of 10 person-shifts, 6 short at best.
    problem = build(
        horizon={"start": "2026-01-05", "end": "2026-01-09"},
        calendar={},
        units=fire({"min_rest_hours": 48}),
        staff=people(2, "damkar"),
        coverage=[{"id": "jaga", "unit": "damkar", "shift": "jaga", "min": 2}],
    )
    result = solve(problem, SolveSettings(time_limit_s=20, workers=1, relax=True))
    assert result.status == "infeasible" and result.relaxed
    assert result.roster is not None and result.evaluation is not None
    assert {v.rule for v in result.evaluation.violations} == {"coverage"}
    assert sum(c.required - c.onsite for c in result.shortfalls) == least_shortfall(problem) == 6
    # The usual objective of that roster, as the checker computes it.
    assert result.objective == result.evaluation.objective


def test_relaxed_solve_of_a_feasible_scenario_is_the_plain_optimum(make_problem) -> None:
    problem = make_problem(
        staff=people(4),
        coverage=[{"unit": "*", "shift": "kantor", "days": "wfa", "min_share": 0.5}],
    )
    plain = solve(problem, FAST)
    relaxed = solve(problem, SolveSettings(time_limit_s=20, workers=1, relax=True))
    assert relaxed.status == plain.status == "optimal"
    assert relaxed.shortfalls == () and relaxed.objective == plain.objective == 100


# --- where the rules were written -------------------------------------------------------------


SCENARIO = """\
version: 1
name: pos rawalumbu
horizon: {start: 2025-12-29, end: 2025-12-31}
shifts:
  jaga: {start: "08:00", end: "08:00"}
units:
  damkar: {schedule: roster, shifts: [jaga], wfa: false, rules: {min_rest_hours: 48}}
staff:
  - {id: "197502022000031004", name: Dedi, unit: damkar, site: pos-rawalumbu}
  - {id: "197603032001031005", name: Eko, unit: damkar, site: pos-rawalumbu, leave: 2025-12-30}
  - {id: "198104042006041006", name: Fajar, unit: damkar, site: pos-rawalumbu}
coverage:
  - {id: rawalumbu-jaga, unit: damkar, site: pos-rawalumbu, shift: jaga, min: 1}
pins:
  - {staff: "197502022000031004", date: 2025-12-30, status: onsite, shift: jaga}
  - {staff: "197603032001031005", date: 2025-12-30, status: onsite, shift: jaga}
solver: {time_limit_s: 10, workers: 1}
"""


def test_reasons_point_at_the_lines_to_change(tmp_path: Path) -> None:
    path = tmp_path / "pos.yaml"
    path.write_text(SCENARIO)
    loaded = load_scenario(path)
    problem = Problem(loaded.scenario)
    reasons = quick_reasons(problem, Sources(loaded))
    pin = next(r for r in reasons if r.kind == "pin")
    assert pin.people == ("197603032001031005",)
    assert [x.short() for x in pin.locations] == [f"{path}:16", f"{path}:10"]  # pin, staff row
    assert str(pin).endswith(f"[{path}:16, {path}:10]")


def test_explain_command_prints_reasons_with_locations_and_exits_3(tmp_path: Path) -> None:
    path = tmp_path / "pos.yaml"
    path.write_text(SCENARIO)
    code, output = run("explain", path)
    assert code == 3
    assert "infeasible" in output and "Eko (197603032001031005) is pinned onsite jaga" in output
    assert f"{path}:16" in output
    assert "Best roster possible: none, even with minimum coverage relaxed" in output
    code, output = run("explain", path, "--json")
    assert code == 3
    data = json.loads(output)
    assert data["status"] == "infeasible"
    assert data["quick"][0]["locations"][0] == {"file": str(path), "line": 16, "field": "pins[1]"}


EXAMPLES = Path(__file__).parent / "data" / "explain"


def test_explain_command_lists_a_minimal_conflict_with_its_lines() -> None:
    # Dedi, contracted for 2 jaga a week with 48 h rest, is pinned off on all but Tue and
    # Wed: two days by count, one by the rest rule.
    path = EXAMPLES / "pos-jatiasih-pins.yaml"
    code, output = run("explain", path)
    assert code == 3
    assert "Rules of damkar that cannot hold together (minimal" in output
    assert (
        "Dedi (197502022000031004): the working-time rules of damkar (min_rest_hours 48, "
        f"min_shifts_per_week 2; shifts never overlap) [{path}:10, {path}:12]"
    ) in output
    for line, day in ((16, "2026-01-09"), (17, "2026-01-10"), (18, "2026-01-11")):
        assert f"is pinned off on {day} [{path}:{line}]" in output
    assert ("2026-01-05 [" in output) != ("2026-01-08 [" in output)  # one of the two
    assert "Best roster possible: none, even with minimum coverage relaxed" in output


def test_solve_relax_writes_the_best_roster_but_stays_infeasible(tmp_path: Path) -> None:
    path = tmp_path / "rota.yaml"
    path.write_text(
        SCENARIO.split("pins:")[0].replace("min: 1}", "min: 2}")
        + "solver: {time_limit_s: 10, workers: 1}\n"
    )
    code, output = run("solve", path, "--relax", "--out", tmp_path / "out")
    assert code == 3
    assert "relaxed: minimum coverage as shortfalls" in output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["status"] == "infeasible" and summary["relaxed"] is True
    assert summary["shortfalls"] and all(s["short"] > 0 for s in summary["shortfalls"])
    assert (tmp_path / "out" / "roster.csv").exists()


@pytest.mark.parametrize("relax", [False, True])
def test_feasible_scenario_solves_the_same_with_or_without_relax(
    relax: bool, tmp_path: Path
) -> None:
    code, _ = run(
        "solve",
        Path(__file__).parent / "data" / "tiny.yaml",
        "--out",
        tmp_path,
        *(["--relax"] if relax else []),
    )
    assert code == 0


def test_a_rota_short_of_crews_in_the_demo_city_names_who_is_away() -> None:
    loaded = load_scenario(EXAMPLES / "bekasi-demo-rawalumbu-6.yaml")
    problem = Problem(loaded.scenario)
    [reason] = quick_reasons(problem, Sources(loaded))
    assert (reason.kind, reason.unit, reason.site) == ("rota", "damkar", "pos-rawalumbu")
    assert reason.dates == ("2025-12-29", "2025-12-30", "2025-12-31")
    assert "needs 18 jaga shifts in all" in reason.message
    assert "only 17 of the 18 staff" in reason.message
    assert reason.message.endswith("(Irfan Wibowo is on leave)")
    assert reason.locations[0].short() == f"{EXAMPLES / 'bekasi-demo-rawalumbu-6.yaml'}:8"
