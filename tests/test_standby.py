"""Standby (siaga) and N-1 coverage: tiny scenarios with their exact optimum (arithmetic in
comments), the checker on rosters made by hand, and random scenarios checked against the
checker and brute force.

The days are BASE's: Mon 29 .. Wed 31 Dec 2025, three working days, all of them WFA days.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

import cli
from models.errors import InvalidInput
from models.problem import WFA, WFA_OPTION, Option, Problem
from models.result import Roster
from models.scenario import Scenario
from optimizer.check import evaluate, read_roster
from optimizer.solve import SolveSettings, solve
from tests.conftest import BASE, people
from tests.test_solve import FAST, solved

MALAM = Option("onsite", "malam")
KANTOR = Option("onsite", "kantor")
# A ward on night duty whose staff may work from anywhere on the WFA days.
WARD = {"igd": {"schedule": "roster", "shifts": ["malam"], "wfa": True}}


def standby_of(result: Any, day: int) -> dict[int, str]:
    return {p: rule for (p, d), rule in result.roster.standby.items() if d == day}


# --- standby --------------------------------------------------------------------------------


def test_standby_counts_half_a_piket_day_and_is_spread_fairly(make_problem):
    # 3 office people, 3 WFA days; each day 1 on site and 1 standby (standby_weight 0.5).
    # Burden in half days (burden_unit 2): on site 2 units, standby 1. Unit costs for a = 3
    # available days (scale 3): 2i - 1 = 1, 3, 5, 7, 9, 11. Each day brings 3 units, 9 in
    # all; spread 3/3/3 -> (1 + 3 + 5) x 3 = 27, x weight 10 = 270 (nothing else costs).
    problem = make_problem(
        staff=people(3),
        coverage=[
            {"id": "siaga", "unit": "office", "shift": "kantor", "days": "wfa", "min": 1},
            {"id": "siaga-wfa", "unit": "office", "shift": "kantor", "days": "wfa", "standby": 1},
        ],
    )
    assert (problem.burden_unit, problem.standby_units) == (2, 1)
    result = solved(problem)
    assert result.objective == 270
    assert result.roster is not None
    for day in range(3):
        [(person, rule)] = standby_of(result, day).items()
        assert rule == "siaga-wfa" and result.roster.cells[person][day] == WFA_OPTION
        assert sum(row[day] == KANTOR for row in result.roster.cells) == 1
    # Each person: one day on site, one standby, one plain WFA day = 1.5 piket days.
    assert result.evaluation is not None
    assert result.evaluation.burden == (Decimal("1.5"),) * 3


def test_standby_never_names_someone_on_site_on_leave_or_without_the_skill(make_problem):
    # Ani (dokter) is on leave throughout, Nur (perawat) lacks the skill, Budi (dokter) is
    # pinned on site on the 30th: only Budi and Citra can stand by, never both on one day.
    # Each day 1 dokter on site (2 units) and 1 standby (1 unit), all from Budi and Citra:
    # 9 units. Budi carries 2 on the 30th; the best split is 5/4 (costs 1+3+5+7+9 = 25 and
    # 1+3+5+7 = 16, 41), not 6/3 (36 + 9 = 45). Nur gets WFA every day (0).
    # Lower terms: 3 night shifts split 2/1 (4 + 1 = 5) and 3 on-site days where off was
    # allowed (3). Tier scale: 1 + nights 3 x 3^2 + 9 such cells = 37.
    # Objective 10 x 41 x 37 + 5 + 3 = 15,178.
    staff = [
        {"id": "ani", "name": "Ani", "unit": "igd", "skills": "dokter"},
        {"id": "budi", "name": "Budi", "unit": "igd", "skills": "dokter"},
        {"id": "citra", "name": "Citra", "unit": "igd", "skills": "dokter"},
        {"id": "nur", "name": "Nur", "unit": "igd", "skills": "perawat"},
    ]
    staff[0]["leave"] = "2025-12-29..2025-12-31"
    rule = {"unit": "igd", "skill": "dokter", "shift": "malam", "days": "wfa"}
    problem = make_problem(
        units=WARD,
        staff=staff,
        coverage=[{**rule, "id": "dokter", "min": 1}, {**rule, "id": "oncall", "standby": 1}],
        pins=[{"staff": "budi", "date": "2025-12-30", "status": "onsite", "shift": "malam"}],
    )
    assert problem.tier_scale == 37
    result = solved(problem)
    assert result.objective == 15_178
    assert result.roster is not None
    named = result.roster.standby
    assert {p for p, _ in named} <= {1, 2} and len(named) == 3
    assert named[(2, 1)] == "oncall"  # Budi is on site on the 30th: Citra stands by
    for (p, d), _ in named.items():
        assert result.roster.cells[p][d] == WFA_OPTION
    assert result.roster.cells[3] == (WFA_OPTION,) * 3


def test_standby_asked_of_too_few_is_explained_before_search(make_problem):
    # One of the two dokters is not WFA-eligible: two standby a day cannot be named.
    problem = make_problem(
        units=WARD,
        staff=[
            {"id": "a", "name": "A", "unit": "igd", "skills": "dokter", "wfa_eligible": False},
            {"id": "b", "name": "B", "unit": "igd", "skills": "dokter"},
        ],
        coverage=[{"id": "oncall", "unit": "igd", "shift": "malam", "days": "wfa", "standby": 2}],
    )
    result = solve(problem, FAST)
    assert result.status == "infeasible" and result.parts == ()
    assert any(
        "asks for 2 standby on WFA (rule oncall); only 1 of the 2" in r for r in result.reasons
    )


def test_on_site_minimum_and_standby_need_different_people(make_problem):
    # Two people, each could be on site or on WFA, but the rule needs 2 on site and 1 standby.
    problem = make_problem(
        staff=people(2),
        coverage=[
            {"id": "r", "unit": "office", "shift": "kantor", "days": "wfa", "min": 2, "standby": 1}
        ],
    )
    result = solve(problem, FAST)
    assert result.status == "infeasible"
    assert any(
        "needs 2 on site and 1 standby on WFA, different people" in r for r in result.reasons
    )


# --- N-1 ------------------------------------------------------------------------------------


def test_resilient_rule_keeps_one_more_on_site_than_its_minimum(make_problem):
    # 3 office people, min 1 on site a day. Plain: 3 burden days, 1 each at cost 1 (scale 3,
    # 3 days available: 1, 3, 5) = 3, x10 = 30, and no day survives an absence.
    # Resilient: 2 on site a day, 6 burden days, 2 each: (1 + 3) x 3 = 12, x10 = 120.
    rule = {"id": "loket", "unit": "office", "shift": "kantor", "days": "wfa", "min": 1}
    plain = solved(make_problem(staff=people(3), coverage=[rule]))
    assert plain.objective == 30
    assert plain.evaluation is not None
    assert [(f.resilient, f.reason) for f in plain.evaluation.resilience] == [
        (False, "no margin, no standby")
    ] * 3
    resilient = solved(make_problem(staff=people(3), coverage=[{**rule, "resilient": True}]))
    assert resilient.objective == 120
    assert resilient.evaluation is not None
    assert [(f.onsite, f.resilient, f.reason) for f in resilient.evaluation.resilience] == [
        (2, True, "margin 1")
    ] * 3


def test_a_standby_makes_a_resilient_rule_hold_without_a_margin(make_problem):
    # As the standby test above, with the on-site rule resilient: the standby can step in,
    # so 1 on site is enough and the optimum stays 270.
    problem = make_problem(
        staff=people(3),
        coverage=[
            {"unit": "office", "shift": "kantor", "days": "wfa", "min": 1, "standby": 1},
        ],
    )
    plain = solved(problem).objective
    resilient = make_problem(
        staff=people(3),
        coverage=[
            {
                "unit": "office",
                "shift": "kantor",
                "days": "wfa",
                "min": 1,
                "standby": 1,
                "resilient": True,
            },
        ],
    )
    result = solved(resilient)
    assert result.objective == plain == 270
    assert result.evaluation is not None
    assert {(f.onsite, f.standby, f.reason) for f in result.evaluation.resilience} == {
        (1, 1, "standby")
    }


def test_resilient_rule_one_short_of_its_margin_is_explained(make_problem):
    # Two people in the ward, one on leave on the 30th: that day only one can be on site,
    # which meets the minimum 1 but would not survive one absence.
    problem = make_problem(
        units=WARD,
        staff=[*people(1, "igd"), *people(1, "igd", leave="2025-12-30")],
        coverage=[
            {"id": "w", "unit": "igd", "shift": "malam", "days": "wfa", "min": 1, "resilient": True}
        ],
    )
    result = solve(problem, FAST)
    assert result.status == "infeasible"
    assert any(
        "on 2025-12-30 is resilient (rule w)" in r and "needs 2 on site" in r
        for r in result.reasons
    )


# --- the checker on rosters made by hand ---------------------------------------------------


@pytest.fixture
def ward(make_problem) -> Problem:
    staff = [
        {"id": "ani", "name": "Ani", "unit": "igd", "skills": "dokter", "site": "igd"},
        {"id": "budi", "name": "Budi", "unit": "igd", "skills": "dokter", "site": "igd"},
        {"id": "nur", "name": "Nur", "unit": "igd", "skills": "perawat", "site": "igd"},
        {"id": "eko", "name": "Eko", "unit": "igd", "skills": "dokter", "site": "poli"},
    ]
    staff[1]["leave"] = "2025-12-31"
    rule = {"unit": "igd", "site": "igd", "skill": "dokter", "shift": "malam", "days": "wfa"}
    return make_problem(
        units=WARD,
        staff=staff,
        coverage=[
            {**rule, "id": "dokter", "min": 1, "resilient": True},
            {**rule, "id": "oncall", "standby": 1},
            {"id": "ward", "unit": "igd", "shift": "malam", "days": "wfa", "min": 0},
        ],
    )


def test_checker_names_what_a_standby_roster_lacks(ward):
    # Budi stands by on the 29th, Ani on the 30th; on the 31st Ani is on site and nobody
    # can stand by (Budi on leave, Eko at another site): short of standby, and not N-1.
    cells = (
        (MALAM, WFA_OPTION, MALAM),
        (WFA_OPTION, MALAM, Option("leave")),
        (WFA_OPTION,) * 3,
        (WFA_OPTION,) * 3,
    )
    valid = evaluate(ward, Roster(cells, {(1, 0): "oncall", (0, 1): "oncall"}))
    messages = [v.message for v in valid.violations]
    assert messages == [
        "igd/igd/dokter malam on 2025-12-31: 0 standby named, rule oncall asks for exactly 1",
        "igd/igd/dokter malam on 2025-12-31: 1 on site, rule dokter needs at least 1 and is "
        "resilient: one absence would break it (needs 2 on site, or a standby)",
    ]
    figures = [(f.requirement, f.date, f.resilient, f.reason) for f in valid.resilience]
    assert ("dokter", "2025-12-29", True, "standby") in figures
    assert ("dokter", "2025-12-31", False, "no margin, no standby") in figures
    assert ("ward", "2025-12-29", True, "no minimum") in figures
    assert [f.staff for f in valid.standby] == [("budi",), ("ani",), ()]


def test_checker_refuses_a_standby_on_site_on_leave_or_without_the_skill(ward):
    cells = (
        (MALAM, WFA_OPTION, MALAM),
        (WFA_OPTION, MALAM, Option("leave")),
        (WFA_OPTION,) * 3,
        (WFA_OPTION,) * 3,
    )
    standby = {
        (0, 0): "oncall",  # Ani is on site
        (2, 1): "oncall",  # Nur lacks the skill
        (1, 2): "oncall",  # Budi is on leave
        (3, 1): "ward",  # a rule that asks for no standby
        (3, 2): "oncall",  # Eko works at another site
    }
    evaluation = evaluate(ward, Roster(cells, standby))
    messages = [v.message for v in evaluation.violations if v.rule == "standby"]
    assert messages == [
        "Ani (ani) on 2025-12-29: named standby for rule oncall, but given onsite:malam: a "
        "standby is on WFA that day",
        "Budi (budi) on 2025-12-31: named standby for rule oncall, but given leave: a standby "
        "is on WFA that day",
        "Nur (nur) on 2025-12-30: named standby for rule oncall, but lacks the rule's skill dokter",
        "Eko (eko) on 2025-12-30: named standby for rule ward, which asks for no standby from "
        "unit igd that day",
        "Eko (eko) on 2025-12-31: named standby for rule oncall, but works at poli, not at "
        "the rule's site igd",
        "igd/igd/dokter malam on 2025-12-31: 2 standby named, rule oncall asks for exactly 1",
    ]


def test_roster_csv_keeps_standby_and_refuses_an_unknown_rule(ward, tmp_path: Path):
    cells = ((MALAM, WFA_OPTION, MALAM), (WFA_OPTION, MALAM, Option("leave")))
    cells += ((WFA_OPTION,) * 3,) * 2
    roster = Roster(cells, {(1, 0): "oncall", (0, 1): "oncall"})
    path = tmp_path / "roster.csv"
    roster.to_frame(ward).to_csv(path, index=False)
    assert read_roster(ward, path) == roster
    budi = "budi,Budi,igd,igd,2025-12-29,wfa,,oncall\n"
    path.write_text(path.read_text().replace(budi, budi.replace("oncall", "on-call")))
    with pytest.raises(InvalidInput) as caught:
        read_roster(ward, path)
    [issue] = caught.value.issues
    assert (issue.line, issue.field) == (5, "standby")  # header, Ani's 3 days, then Budi
    assert "'on-call' is not the id of a coverage rule" in issue.message


def test_scenarios_without_standby_keep_whole_day_costs(make_problem):
    plain = make_problem(staff=people(2, history=1))
    assert plain.burden_unit == 1
    assert plain.wfa_burden_unit_costs(0) == plain.wfa_burden_costs(0) == (3, 5, 7)
    halves = make_problem(staff=people(2, history="1.5"))
    assert halves.burden_unit == 2
    # history 1.5 = 3 half days; unit i costs 3 x (2 (3 + i) - 1) / 3 = 7, 9, 11, ...
    assert halves.wfa_burden_unit_costs(0) == (7, 9, 11, 13, 15, 17)
    assert halves.wfa_burden_costs(0) == (16, 24, 32)


# --- random scenarios -----------------------------------------------------------------------

BRUTE_FORCE_LIMIT = 4000


@st.composite
def standby_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    units = {
        "o": {"schedule": "office", "shifts": ["kantor"]},
        "w": {
            "schedule": "roster",
            "shifts": ["malam"],
            "wfa": draw(st.sampled_from([True, True, False])),
        },
    }
    staff = []
    for i in range(draw(st.integers(2, 3))):
        person: dict[str, Any] = {
            "id": f"p{i}",
            "name": f"P{i}",
            "unit": draw(st.sampled_from(["o", "w"])),
            "skills": draw(st.sampled_from(["", "dokter", "dokter"])),
            "history": draw(st.sampled_from([0, 1, "0.5"])),
        }
        if draw(st.integers(0, 4)) == 0:
            person["wfa_eligible"] = draw(st.booleans())
        if draw(st.integers(0, 4)) == 0:
            person["leave"] = draw(st.sampled_from(["2025-12-29", "2025-12-30"]))
        staff.append(person)
    coverage = []
    for k in range(draw(st.integers(1, 2))):
        unit = draw(st.sampled_from(sorted({person["unit"] for person in staff})))
        rule: dict[str, Any] = {
            "id": f"r{k}",
            "unit": unit,
            "shift": "kantor" if unit == "o" else "malam",
            "days": "wfa",
            "min": draw(st.sampled_from([0, 1, 1, 2])),
            "standby": draw(st.sampled_from([0, 1, 1])),
            "resilient": draw(st.booleans()),
        }
        if draw(st.integers(0, 2)) == 0:
            rule["skill"] = "dokter"
        coverage.append(rule)
    data = copy.deepcopy(BASE)
    data.update(
        horizon={"start": "2025-12-29", "end": draw(st.sampled_from(["2025-12-30", "2025-12-31"]))},
        calendar={"wfa_days": ["2025-12-29..2025-12-31"]},
        units=units,
        staff=staff,
        coverage=coverage,
        fairness={"standby_weight": draw(st.sampled_from([0, 0.25, 0.5, 1]))},
    )
    data["calendar"]["wfa_days"] = [f"2025-12-29..{data['horizon']['end']}"]
    return data


def standby_choices(problem: Problem, cells: tuple[tuple[Option, ...], ...]):
    """Every way to name standby in a roster: per requirement asking for it, a set of its
    members on WFA that day of the size it asks for, no one twice on one day."""
    asked = [req for req in problem.requirements if req.standby]
    options = [
        list(
            itertools.combinations(
                [p for p in req.members if cells[p][req.day].status == WFA], req.standby
            )
        )
        for req in asked
    ]
    for choice in itertools.product(*options):
        named: dict[tuple[int, int], str] = {}
        for req, chosen in zip(asked, choice, strict=True):
            for p in chosen:
                if (p, req.day) in named:
                    break
                named[(p, req.day)] = req.rule_id
            else:
                continue
            break
        else:
            yield named


def brute_force(problem: Problem) -> int | None:
    best = None
    width = len(problem.days)
    for flat in itertools.product(*(cell for row in problem.options for cell in row)):
        cells = tuple(tuple(flat[i : i + width]) for i in range(0, len(flat), width))
        for named in standby_choices(problem, cells):
            evaluation = evaluate(problem, Roster(cells, named))
            if evaluation.valid and (best is None or evaluation.objective < best):
                best = evaluation.objective
    return best


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(standby_scenarios())
def test_standby_and_resilient_rosters_pass_the_checker_and_brute_force(data: dict[str, Any]):
    problem = Problem(Scenario.model_validate(data))
    assume(math.prod(len(cell) for row in problem.options for cell in row) <= BRUTE_FORCE_LIMIT)
    result = solve(problem, SolveSettings(time_limit_s=10, workers=1))
    best = brute_force(problem)
    event("infeasible" if best is None else "feasible")
    if best is None:
        assert result.status == "infeasible"
        return
    event("standby named" if result.roster and result.roster.standby else "no standby")
    assert result.status == "optimal", result.reasons
    assert result.evaluation is not None and result.roster is not None
    assert result.evaluation.violations == ()
    assert result.evaluation.objective == result.objective == best
    for req, figure in zip(problem.requirements, result.evaluation.resilience, strict=True):
        assert figure.resilient or not req.resilient
    for (p, d), rule_id in result.roster.standby.items():
        assert result.roster.cells[p][d] == WFA_OPTION
        assert any(
            r.rule_id == rule_id and r.day == d and p in r.members for r in problem.requirements
        )


def test_solve_prints_standby_and_the_days_that_are_not_resilient(tmp_path: Path) -> None:
    # Three office people, one on site a day (no margin) and one standby on the 29th only:
    # the on-site rule survives one absence on the 29th (its standby), not on the 30th/31st.
    scenario = tmp_path / "n1.yaml"
    scenario.write_text(
        """\
version: 1
name: n1
horizon: {start: 2025-12-29, end: 2025-12-31}
calendar: {wfa_days: [2025-12-29..2025-12-31]}
shifts: {kantor: {start: "07:30", end: "16:00"}}
units: {loket: {shifts: [kantor]}}
staff:
  - {id: a, name: Ani, unit: loket, phone: 0812-0000-1111}
  - {id: b, name: Budi, unit: loket}
  - {id: c, name: Citra, unit: loket}
coverage:
  - {id: buka, unit: loket, shift: kantor, days: wfa, min: 1}
  - {id: siaga, unit: loket, shift: kantor, days: 2025-12-29, standby: 1}
solver: {time_limit_s: 20, workers: 1}
""",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli.main, ["solve", str(scenario), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "standby: 1 named for 1 requirements siaga 2025-12-29:" in text
    assert "N-1: 2/4 requirements hold with any one person on site absent" in text
    assert "not resilient (2 requirements, 1 rules): buka: 2025-12-30..2025-12-31" in text
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    [standby] = summary["standby"]
    assert standby["requirement"] == "siaga" and len(standby["staff"]) == 1
    reasons = [(f["requirement"], f["date"], f["reason"]) for f in summary["resilience"]]
    assert reasons == [
        ("buka", "2025-12-29", "standby"),
        ("buka", "2025-12-30", "no margin, no standby"),
        ("buka", "2025-12-31", "no margin, no standby"),
        ("siaga", "2025-12-29", "no minimum"),
    ]
