"""Hospital-grade rules: one tiny scenario per rule family with its exact optimum worked out
in a comment, the checker's view of each rule, and the validation of the new fields.

Every solved roster also passes the independent checker with the solver's objective.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from models.errors import InvalidInput
from models.load import load_scenario
from models.problem import Option, Problem
from models.result import Result, Roster
from models.scenario import Scenario
from optimizer.check import evaluate
from optimizer.solve import SolveSettings, solve

FAST = SolveSettings(time_limit_s=20, workers=1)
# Every term but the ones a test names switched off, so the optimum is plain arithmetic.
NO_FAIRNESS = {"weights": {"wfa_days": 0, "holiday_duty": 0, "night_shifts": 0, "onsite_days": 0}}
# Mon 2026-01-05 .. Sun 2026-01-11: one Mon–Sun week, no holidays.
WEEK = {"start": "2026-01-05", "end": "2026-01-11"}
SHIFTS = {
    "pagi": {"start": "07:00", "end": "14:00"},  # 420 minutes
    "siang": {"start": "14:00", "end": "21:00"},  # 420 minutes
    "pendek": {"start": "08:00", "end": "12:00"},  # 240 minutes
    "panjang": {"start": "08:00", "end": "20:00"},  # 720 minutes
}


def ward(
    rules: dict[str, Any] | None = None,
    staff: list[dict[str, Any]] | None = None,
    *,
    works: list[str] | None = None,
    days: int = 7,
    coverage: list[dict[str, Any]] | None = None,
    **sections: Any,
) -> Problem:
    """A roster unit `ward` from Monday 2026-01-05 for `days` days, fairness terms off."""
    end = f"2026-01-{4 + days:02d}"
    data: dict[str, Any] = {
        "version": 1,
        "name": "ward",
        "horizon": {"start": WEEK["start"], "end": end},
        "shifts": copy.deepcopy(SHIFTS),
        "units": {
            "ward": {"schedule": "roster", "shifts": works or ["pagi"], "rules": rules or {}}
        },
        "staff": staff or [{"id": "n1", "name": "Nurse 1", "unit": "ward"}],
        "coverage": coverage or [],
        "fairness": copy.deepcopy(NO_FAIRNESS),
    }
    data.update(sections)
    return Problem(Scenario.model_validate(data))


def every_day(shift: str, target: int, weight: int, **more: Any) -> dict[str, Any]:
    return {
        "unit": "ward",
        "shift": shift,
        "days": "all",
        "target": target,
        "weight": weight,
        **more,
    }


def solved(problem: Problem) -> Result:
    result = solve(problem, FAST)
    assert result.status == "optimal", result.reasons
    assert result.evaluation is not None
    assert result.evaluation.violations == ()
    assert result.evaluation.objective == result.objective
    return result


def onsite_days(result: Result, person: int = 0) -> list[int]:
    assert result.roster is not None
    return [d for d, o in enumerate(result.roster.cells[person]) if o.status == "onsite"]


# --- one exact optimum per rule family ---------------------------------------------------


def test_max_shifts_per_type():
    # One nurse, 4 days, a target of 1 in pagi each day (weight 10). At most 2 pagi:
    # 2 days short -> 20. Her own limit of 3 (a staff column) overrides the unit's: 10.
    limited = ward(
        {"max_shifts_per_type": {"pagi": 2}}, days=4, coverage=[every_day("pagi", 1, 10)]
    )
    assert solved(limited).objective == 20
    own = [{"id": "n1", "name": "Nurse 1", "unit": "ward", "max_shifts_per_type": "pagi=3"}]
    overridden = ward(
        {"max_shifts_per_type": {"pagi": 2}}, own, days=4, coverage=[every_day("pagi", 1, 10)]
    )
    assert solved(overridden).objective == 10


def test_a_shift_type_limited_to_zero_is_no_option():
    # pagi=0: the nurse can only work siang; the pagi target (weight 10) is short all 3 days.
    problem = ward(
        {"max_shifts_per_type": {"pagi": 0}},
        works=["pagi", "siang"],
        days=3,
        coverage=[every_day("pagi", 1, 10)],
    )
    assert all(Option("onsite", "pagi") not in cell for cell in problem.options[0])
    assert solved(problem).objective == 30


def test_max_work_minutes():
    # 3 days, a target of 1 in panjang (720 min) each day, weight 5, and at most 1,200
    # minutes: two panjang (1,440) are too many, so one panjang: 2 days short -> 10.
    problem = ward(
        {"max_work_minutes": 1200},
        works=["pendek", "panjang"],
        days=3,
        coverage=[every_day("panjang", 1, 5)],
    )
    result = solved(problem)
    assert result.objective == 10
    assert len(onsite_days(result)) >= 1


def test_min_work_minutes():
    # No coverage; each on-site day costs 1 (onsite_days). At least 900 minutes: one
    # panjang (720) is too little, two days (720 + 240 or more) suffice -> 2.
    fairness = {"weights": {**NO_FAIRNESS["weights"], "onsite_days": 1}}
    problem = ward(
        {"min_work_minutes": 900}, works=["pendek", "panjang"], days=3, fairness=fairness
    )
    assert solved(problem).objective == 2


def test_min_consecutive_onsite_days():
    # 7 days; a wish (weight 10) to be on site on Thursday, each on-site day costs 1. At
    # least 3 days in a row: the cheapest run through Thursday not touching the horizon's
    # ends is 3 days -> 3 (without the rule: 1).
    fairness = {"weights": {**NO_FAIRNESS["weights"], "onsite_days": 1}}
    wish = [{"staff": "n1", "date": "2026-01-08", "want": "onsite", "weight": 10}]
    problem = ward({"min_consecutive_onsite_days": 3}, fairness=fairness, requests=wish)
    result = solved(problem)
    assert result.objective == 3
    assert len(onsite_days(result)) == 3


def test_min_consecutive_onsite_days_exempts_runs_at_the_horizon_ends():
    # The wish is for Monday, the first day: a run touching the horizon's start may go on
    # before it, so one day suffices -> 1.
    fairness = {"weights": {**NO_FAIRNESS["weights"], "onsite_days": 1}}
    wish = [{"staff": "n1", "date": "2026-01-05", "want": "onsite", "weight": 10}]
    problem = ward({"min_consecutive_onsite_days": 3}, fairness=fairness, requests=wish)
    assert onsite_days(solved(problem)) == [0]


def test_min_consecutive_days_off():
    # 5 days, target 1 in pagi each day (weight 10), at most 2 days on site in a row.
    # Without a minimum off: on on off on on -> 1 day short, 10. With at least 2 days off
    # in a row: on on off off on -> 2 short, 20.
    coverage = [every_day("pagi", 1, 10)]
    free = ward({"max_consecutive_onsite_days": 2}, days=5, coverage=coverage)
    assert solved(free).objective == 10
    rested = ward(
        {"max_consecutive_onsite_days": 2, "min_consecutive_days_off": 2},
        days=5,
        coverage=coverage,
    )
    assert solved(rested).objective == 20


def test_max_weekends_worked():
    # Two weeks, a target of 1 on Saturdays and Sundays (weight 10). At most one weekend:
    # both days of one weekend are worked (they count once), the other weekend is short
    # twice -> 20.
    weekend = {"unit": "ward", "shift": "pagi", "days": ["sat", "sun"], "target": 1, "weight": 10}
    problem = ward({"max_weekends_worked": 1}, days=14, coverage=[weekend])
    assert problem.weekends == ((5, 6), (12, 13))
    result = solved(problem)
    assert result.objective == 20
    assert len(set(onsite_days(result)) & {5, 6, 12, 13}) == 2


def test_forbidden_succession():
    # siang may not be followed by pagi the next day (10 h rest would otherwise allow it).
    # Targets of 1 in siang on Monday and pagi on Tuesday, weight 10 each: one is missed -> 10.
    shifts = copy.deepcopy(SHIFTS)
    shifts["siang"]["not_followed_by"] = ["pagi"]
    coverage = [
        {"unit": "ward", "shift": "siang", "days": "2026-01-05", "target": 1, "weight": 10},
        {"unit": "ward", "shift": "pagi", "days": "2026-01-06", "target": 1, "weight": 10},
    ]
    problem = ward(works=["pagi", "siang"], days=2, coverage=coverage)
    assert solved(problem).objective == 0
    banned = ward(works=["pagi", "siang"], days=2, coverage=coverage, shifts=shifts)
    assert ("siang", "pagi", 1) in banned.rest_conflicts("ward")
    assert solved(banned).objective == 10


def test_shift_off_request():
    # A wish not to work siang on Monday (weight 4) against a siang target of 1 that day
    # (weight 3): cheaper to miss the target -> 3. A wish not to be on site at all that day
    # (no shift) with weight 2 is cheaper to break -> 2.
    coverage = [{"unit": "ward", "shift": "siang", "days": "2026-01-05", "target": 1, "weight": 3}]
    shift_off = [
        {"staff": "n1", "date": "2026-01-05", "want": "not_onsite", "shift": "siang", "weight": 4}
    ]
    problem = ward(works=["pagi", "siang"], days=1, coverage=coverage, requests=shift_off)
    result = solved(problem)
    assert result.objective == 3
    assert result.roster is not None and result.roster.cells[0][0] != Option("onsite", "siang")
    day_off = [{"staff": "n1", "date": "2026-01-05", "want": "not_onsite", "weight": 2}]
    problem = ward(works=["pagi", "siang"], days=1, coverage=coverage, requests=day_off)
    assert solved(problem).objective == 2


def test_overstaffing_weight():
    # Three office staff who cannot have WFA are all on site on a working day; a target of
    # 2 with over_weight 5 prices the third: 5. (An office working day has no `off`, so no
    # onsite_days cost.)
    problem = ward(
        units={"office": {"schedule": "office", "shifts": ["pagi"], "wfa": False}},
        staff=[{"id": f"o{k}", "name": f"O {k}", "unit": "office"} for k in range(3)],
        days=1,
        coverage=[
            {
                "unit": "office",
                "shift": "pagi",
                "days": "all",
                "target": 2,
                "weight": 1,
                "over_weight": 5,
            }
        ],
    )
    assert solved(problem).objective == 5


def test_personal_rule_overrides_the_units():
    # The unit allows 1 day on site in a row, nurse n1 3 (a staff column). Target 1 in pagi
    # on each of 3 days (weight 10): n1 covers all three -> 0; under the unit's rule -> 10.
    coverage = [every_day("pagi", 1, 10)]
    own = [{"id": "n1", "name": "Nurse 1", "unit": "ward", "max_consecutive_onsite_days": 3}]
    assert (
        solved(ward({"max_consecutive_onsite_days": 1}, own, days=3, coverage=coverage)).objective
        == 0
    )
    assert (
        solved(ward({"max_consecutive_onsite_days": 1}, days=3, coverage=coverage)).objective == 10
    )


def test_onsite_days_weight_zero_switches_the_term_off():
    # The soft-target example of test_solve with onsite_days weighed 0: no cost at all.
    problem = ward(
        staff=[{"id": f"n{k}", "name": f"N {k}", "unit": "ward"} for k in range(2)],
        days=3,
        coverage=[every_day("pagi", 2, 3)],
    )
    result = solved(problem)
    assert result.objective == 0
    assert result.evaluation is not None and result.evaluation.terms["onsite_days"] == 0


# --- the checker's view --------------------------------------------------------------------


def _roster(problem: Problem, rows: list[str]) -> Roster:
    def option(token: str) -> Option:
        return Option(token) if token in ("off", "leave", "wfa") else Option("onsite", token)

    return Roster(tuple(tuple(option(t) for t in row.split()) for row in rows))


@pytest.mark.parametrize(
    ("rules", "row", "rule"),
    [
        ({"max_shifts_per_type": {"pagi": 1}}, "pagi off pagi off off", "max_shifts_per_type"),
        ({"max_shifts_per_type": {"siang": 0}}, "siang off off off off", "max_shifts_per_type"),
        ({"max_work_minutes": 800}, "pagi pagi off off off", "max_work_minutes"),
        ({"min_work_minutes": 900}, "pagi pagi off off off", "min_work_minutes"),
        ({"min_consecutive_onsite_days": 2}, "off pagi off off off", "min_consecutive_onsite_days"),
        ({"min_consecutive_days_off": 2}, "pagi off pagi off off", "min_consecutive_days_off"),
        ({"max_weekends_worked": 0}, "off off off off off pagi off", "max_weekends_worked"),
    ],
)
def test_checker_reports_each_rule(rules: dict[str, Any], row: str, rule: str):
    days = len(row.split())
    problem = ward(rules, works=["pagi", "siang"], days=days)
    violations = evaluate(problem, _roster(problem, [row])).violations
    assert [v.rule for v in violations] == [rule], violations


@pytest.mark.parametrize(
    ("rules", "row"),
    [
        ({"min_consecutive_onsite_days": 3}, "pagi off off off pagi"),  # both runs touch an end
        ({"min_consecutive_days_off": 3}, "off pagi pagi pagi off"),
        ({"max_weekends_worked": 1}, "off off off off off pagi pagi"),  # one weekend, two days
        ({"max_shifts_per_type": {"pagi": 2}, "min_work_minutes": 840}, "pagi pagi off off off"),
    ],
)
def test_checker_accepts_what_the_rules_allow(rules: dict[str, Any], row: str):
    problem = ward(rules, works=["pagi", "siang"], days=len(row.split()))
    assert evaluate(problem, _roster(problem, [row])).violations == ()


def test_checker_reports_a_forbidden_succession_and_prices_overstaffing():
    shifts = copy.deepcopy(SHIFTS)
    shifts["siang"]["not_followed_by"] = ["pagi"]
    problem = ward(
        works=["pagi", "siang"],
        days=2,
        staff=[{"id": f"n{k}", "name": f"N {k}", "unit": "ward"} for k in range(2)],
        coverage=[every_day("pagi", 0, 1, over_weight=7)],
        shifts=shifts,
    )
    evaluation = evaluate(problem, _roster(problem, ["siang pagi", "pagi off"]))
    assert [v.rule for v in evaluation.violations] == ["succession"]
    assert "siang" in evaluation.violations[0].message
    # pagi: 1 on site on Monday, 1 on Tuesday against a target of 0, over_weight 7 -> 14
    assert evaluation.terms["targets"] == 14


def test_request_semantics():
    problem = ward(
        works=["pagi", "siang"],
        days=1,
        requests=[
            {"staff": "n1", "date": "2026-01-05", "want": "not_onsite", "shift": "siang"},
            {"staff": "n1", "date": "2026-01-05", "want": "not_onsite"},
        ],
    )
    shift_off, day_off = problem.requests
    assert shift_off.honoured_by(Option("onsite", "pagi")) and shift_off.honoured_by(Option("off"))
    assert not shift_off.honoured_by(Option("onsite", "siang"))
    assert day_off.honoured_by(Option("off")) and not day_off.honoured_by(Option("onsite", "pagi"))


# --- the new fields as written ------------------------------------------------------------


def _write(tmp_path, text: str, staff: str | None = None):  # noqa: ANN001, ANN202
    if staff is not None:
        (tmp_path / "staff.csv").write_text(staff, encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return path


BASE_YAML = """\
version: 1
name: ward
horizon: {start: 2026-01-05, end: 2026-01-11}
shifts:
  D: {start: "07:00", end: "15:00", not_followed_by: [N]}
  N: {start: "21:00", end: "07:00"}
units:
  ward: {schedule: roster, shifts: [D, N], rules: {min_consecutive_days_off: 2, max_shifts_per_type: {N: 3}}}
staff: staff.csv
coverage:
  - {unit: ward, shift: D, days: all, target: 2, weight: 100, over_weight: 1}
requests:
  - {staff: A, date: 2026-01-06, want: not_onsite, shift: N, weight: 2}
"""


def test_new_fields_load_from_yaml_and_staff_columns(tmp_path):
    staff = "id,name,unit,max_shifts_per_type,min_work_minutes,max_weekends_worked\nA,A,ward,D=5|N=0,960,1\n"
    loaded = load_scenario(_write(tmp_path, BASE_YAML, staff))
    problem = Problem(loaded.scenario)
    person = problem.people[0]
    assert person.rules.max_shifts_per_type == {"D": 5, "N": 0}  # her own, over the unit's
    assert person.rules.min_consecutive_days_off == 2  # the unit's
    assert person.rules.min_work_minutes == 960 and person.rules.max_weekends_worked == 1
    assert problem.shifts["D"].not_followed_by == frozenset({"N"})
    assert problem.requirements[0].over_weight == 1


@pytest.mark.parametrize(
    ("change", "staff", "field", "message"),
    [
        (
            ("not_followed_by: [N]", "not_followed_by: [X]"),
            None,
            "shifts.D.not_followed_by[0]",
            "unknown shift 'X'",
        ),
        (
            ("max_shifts_per_type: {N: 3}", "max_shifts_per_type: {Q: 3}"),
            None,
            "max_shifts_per_type",
            "unknown shift 'Q'",
        ),
        (("target: 2,", "min: 1,"), None, "coverage[0].over_weight", "no target"),
        (
            ("", ""),
            "id,name,unit,max_shifts_per_type\nA,A,ward,D:5\n",
            "max_shifts_per_type",
            "SHIFT=LIMIT",
        ),
        (
            ("", ""),
            "id,name,unit,min_consecutive_onsite_days\nA,A,ward,0\n",
            "min_consecutive_onsite_days",
            "greater than or equal to 1",
        ),
    ],
)
def test_bad_new_fields_are_reported_with_file_line_and_field(
    tmp_path, change, staff, field, message
):
    text = BASE_YAML.replace(*change) if change[0] else BASE_YAML
    staff = staff or "id,name,unit\nA,A,ward\n"
    with pytest.raises(InvalidInput) as error:
        load_scenario(_write(tmp_path, text, staff))
    issues = [issue for issue in error.value.issues if field in issue.field]
    assert issues, error.value.issues
    assert message in issues[0].message
    assert issues[0].line is not None


def test_the_json_schema_describes_the_new_fields():
    from models.scenario import ScenarioFile

    definitions = ScenarioFile.model_json_schema()["$defs"]
    assert "not_followed_by" in definitions["Shift"]["properties"]
    assert "over_weight" in definitions["CoverageRule"]["properties"]
    assert "onsite_days" in definitions["FairnessWeights"]["properties"]
    for model in ("Rules", "StaffMember"):
        properties = definitions[model]["properties"]
        for key in ("max_shifts_per_type", "min_work_minutes", "max_weekends_worked"):
            assert key in properties, (model, key)
    assert "not_onsite" in str(definitions["Request"]["properties"]["want"])
