"""The independent checker: tiny problems built inline, one test per rule it enforces."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from models.errors import InvalidInput
from models.problem import Option, Problem
from models.result import Roster
from models.scenario import Scenario
from optimizer.check import MISSING, evaluate, jain, read_roster

# Mon 2025-12-22 .. Sun 2025-12-28: one whole Mon–Sun week.
WEEK = {"start": "2025-12-22", "end": "2025-12-28"}
SHIFTS = {
    "kantor": {"start": "07:30", "end": "16:00"},
    "pagi": {"start": "07:00", "end": "14:00"},
    "siang": {"start": "14:00", "end": "21:00"},
    "malam": {"start": "21:00", "end": "07:00"},
    "jaga": {"start": "08:00", "end": "08:00"},
}
UNITS = {
    "kantor": {"schedule": "office", "shifts": ["kantor"]},
    "rs": {"schedule": "roster", "shifts": ["pagi", "siang", "malam"]},
    "damkar": {"schedule": "roster", "shifts": ["jaga", "pagi"]},
}


def make(staff: list[dict[str, Any]], **overrides: Any) -> Problem:
    scenario: dict[str, Any] = {
        "version": 1,
        "name": "tiny",
        "horizon": WEEK,
        "calendar": {"wfa_days": ["2025-12-23..2025-12-24"]},
        "shifts": SHIFTS,
        "units": UNITS,
        "staff": staff,
    }
    scenario.update(overrides)
    return Problem(Scenario.model_validate(scenario))


def option(token: str) -> Option:
    """`off`/`wfa`/`leave`, `missing`, `status:shift`, or a bare shift id for on site."""
    if token == "missing":
        return MISSING
    if ":" in token:
        status, shift = token.split(":")
        return Option(status, shift or None)
    if token in ("off", "wfa", "leave", "onsite"):
        return Option(token)
    return Option("onsite", token)


def roster(problem: Problem, rows: dict[str, str]) -> Roster:
    """One whitespace-separated token per day for each staff id, in the problem's order."""
    return Roster(tuple(tuple(option(t) for t in rows[p.id].split()) for p in problem.people))


def rules_of(evaluation: Any) -> list[str]:
    return [v.rule for v in evaluation.violations]


# --- a valid roster and its exact objective ----------------------------------------------


def full_problem() -> Problem:
    return make(
        [
            {"id": "a", "name": "Ani", "unit": "kantor"},
            {"id": "b", "name": "Budi", "unit": "kantor", "history": 1, "leave": "2025-12-24"},
            {"id": "n", "name": "Nia", "unit": "rs"},
        ],
        calendar={
            "holidays": {"2025-12-25": "Hari Raya Natal"},
            "collective_leave": {"2025-12-26": "Cuti Bersama Natal"},
            "wfa_days": ["2025-12-23..2025-12-24"],
        },
        coverage=[
            {"id": "kantor-wfa", "unit": "kantor", "shift": "kantor", "days": "wfa", "min": 1},
            {
                "id": "kantor-natal",
                "unit": "kantor",
                "shift": "kantor",
                "days": ["2025-12-25"],
                "min": 1,
                "target": 2,
                "weight": 3,
            },
        ],
        requests=[
            {"staff": "a", "date": "2025-12-23", "want": "wfa", "weight": 2},
            {"staff": "n", "date": "2025-12-22", "want": "off", "weight": 4},
        ],
        pins=[{"staff": "n", "date": "2025-12-26", "status": "onsite", "shift": "pagi"}],
    )


def test_valid_roster_has_no_violation_and_the_exact_objective() -> None:
    problem = full_problem()
    #          Mon    Tue    Wed    Thu(Natal) Fri(cuti) Sat Sun
    r = roster(
        problem,
        {
            "a": "kantor wfa    kantor kantor     off       off off",
            "b": "kantor kantor leave  off        off       off off",
            "n": "malam  off    malam  off        pagi      off off",
        },
    )
    ev = evaluate(problem, r)
    assert ev.violations == ()
    # Available WFA days: a 2 (Tue, Wed), b 1 (Wed is leave) -> scale lcm(2, 1) = 2.
    # a: costs ceil(2*1/2)=1, ceil(2*3/2)=3; misses Wed -> 1.
    # b (history 1): cost ceil(2*(2*2-1)/1) = 6; misses Tue -> 6.   wfa_fairness = 10*7 = 70
    # holiday duty: a Thu, n Fri (cuti bersama) -> 1^2 + 1^2 = 2      -> 5*2 = 10
    # nights: n malam Mon, Wed -> 2^2 = 4                             -> 1*4 = 4
    # targets: Natal target 2, 1 on site, weight 3                    -> 3
    # requests: a's wfa honoured; n's off (weight 4) not               -> 4
    # onsite_days (on site where off was allowed): a Thu; n Mon, Wed, Fri -> 4
    assert ev.terms == {
        "wfa_fairness": 70,
        "holiday_duty": 10,
        "night_shifts": 4,
        "targets": 3,
        "requests": 4,
        "onsite_days": 4,
    }
    # tier_scale = 1 + requests 6 + targets 2*3 + holiday 5*(1^2 + 1^2 + 2^2)
    #              + nights 1*7^2 + idle cells (a 1, b 1, n 7) = 1 + 6 + 6 + 30 + 49 + 9 = 101
    assert problem.tier_scale == 101
    assert ev.objective == 101 * 70 + 10 + 4 + 3 + 4 + 4  # 7095
    assert ev.wfa_person_days == {"kantor": 1, "rs": 0, "damkar": 0}
    figures = [(c.requirement, c.date, c.required, c.onsite, c.met, c.target) for c in ev.coverage]
    assert figures == [
        ("kantor-wfa", "2025-12-23", 1, 1, True, None),
        ("kantor-wfa", "2025-12-24", 1, 1, True, None),
        ("kantor-natal", "2025-12-25", 1, 1, True, 2),
    ]
    kantor = ev.fairness["kantor"]
    assert (kantor.eligible, kantor.wfa_days_min, kantor.wfa_days_max) == (2, 0, 1)
    assert kantor.wfa_days_mean == 0.5 and kantor.jain == 0.5  # (0+1)^2 / (2 * 1)
    rs = ev.fairness["rs"]
    assert (rs.eligible, rs.wfa_days_min, rs.wfa_days_max, rs.wfa_days_mean, rs.jain) == (
        0,
        0,
        0,
        0.0,
        1.0,
    )
    assert "damkar" not in ev.fairness  # a pool appears only when it has members


# --- cells: one case per reason ----------------------------------------------------------

CELL_STAFF: list[dict[str, Any]] = [
    {"id": "k", "name": "Kiki", "unit": "kantor"},
    {"id": "l", "name": "Lina", "unit": "kantor", "leave": "2025-12-22"},
    {"id": "x", "name": "Xena", "unit": "kantor", "wfa_eligible": False},
    {"id": "r", "name": "Rudi", "unit": "rs"},
]
#          Mon    Tue    Wed    Thu    Fri    Sat Sun
CELL_OK = {
    "k": "kantor kantor kantor kantor kantor off off",
    "l": "leave  kantor kantor kantor kantor off off",
    "x": "kantor kantor kantor kantor kantor off off",
    "r": "pagi   off    pagi   off    pagi   off off",
}


@pytest.mark.parametrize(
    ("who", "day", "token", "rule", "words"),
    [
        ("l", 0, "kantor", "leave", "on leave that day but given onsite:kantor"),
        ("k", 0, "leave", "leave", "not one of their leave days"),
        ("k", 0, "off", "calendar", "cannot be `off`"),
        ("k", 0, "wfa", "wfa", "only be granted on a wfa_days day"),
        ("x", 1, "wfa", "wfa", "not WFA-eligible"),
        ("k", 5, "kantor", "calendar", "non-working day (weekend, sat)"),
        ("k", 1, "pagi", "shift", "pagi, which is not one of unit kantor's shifts (kantor)"),
        ("r", 1, "onsite", "shift", "on site without a shift"),
        ("r", 1, "off:pagi", "shift", "a shift is only given when on site"),
        ("r", 1, "missing", "missing", "no status for Rudi (r) on 2025-12-23"),
    ],
)
def test_each_cell_fault_says_why(who: str, day: int, token: str, rule: str, words: str) -> None:
    problem = make(CELL_STAFF)
    assert evaluate(problem, roster(problem, CELL_OK)).violations == ()
    rows = dict(CELL_OK)
    tokens = rows[who].split()
    tokens[day] = token
    rows[who] = " ".join(tokens)
    (v,) = evaluate(problem, roster(problem, rows)).violations
    assert v.rule == rule
    assert words in v.message
    assert v.staff_id == who
    assert v.date == f"2025-12-{22 + day}"
    name = next(p.name for p in problem.people if p.id == who)
    assert f"{name} ({who})" in v.message


def test_office_on_site_on_a_covered_non_working_day_is_allowed() -> None:
    problem = make(
        CELL_STAFF,
        coverage=[{"id": "sabtu", "unit": "kantor", "shift": "kantor", "days": "sat", "min": 0}],
    )
    rows = dict(CELL_OK, k="kantor kantor kantor kantor kantor kantor off")
    assert evaluate(problem, roster(problem, rows)).violations == ()


# --- pins and coverage -------------------------------------------------------------------


def test_pin_broken() -> None:
    problem = make(CELL_STAFF, pins=[{"staff": "k", "date": "2025-12-23", "status": "wfa"}])
    (v,) = evaluate(problem, roster(problem, CELL_OK)).violations
    assert (v.rule, v.staff_id, v.date) == ("pin", "k", "2025-12-23")
    assert v.message == "Kiki (k) on 2025-12-23: pinned to wfa, roster gives onsite:kantor"


def coverage_problem(**rule: Any) -> Problem:
    return make(
        [
            {"id": "p1", "name": "Pono", "unit": "damkar", "site": "pos-rawalumbu"},
            {"id": "p2", "name": "Putu", "unit": "damkar", "site": "pos-rawalumbu"},
            {"id": "p3", "name": "Prio", "unit": "damkar", "site": "mako"},
        ],
        coverage=[
            {
                "id": "rawalumbu-jaga",
                "unit": "damkar",
                "site": "pos-rawalumbu",
                "shift": "jaga",
                "days": ["2025-12-24"],
                **rule,
            }
        ],
    )


COVERAGE_ROWS = {
    "p1": "off off jaga off off off off",
    "p2": "off off off  off off off off",
    "p3": "off off jaga off off off off",  # another site: does not count
}


def test_coverage_below_min() -> None:
    problem = coverage_problem(min=2)
    ev = evaluate(problem, roster(problem, COVERAGE_ROWS))
    (v,) = ev.violations
    assert (v.rule, v.staff_id, v.date) == ("coverage", None, "2025-12-24")
    assert v.message == (
        "damkar/pos-rawalumbu jaga on 2025-12-24: 1 on site, rule rawalumbu-jaga needs at least 2"
    )
    (figure,) = ev.coverage
    assert (figure.required, figure.onsite, figure.met) == (2, 1, False)


def test_coverage_above_max() -> None:
    problem = coverage_problem(max=1)
    rows = dict(COVERAGE_ROWS, p2="off off jaga off off off off")
    (v,) = evaluate(problem, roster(problem, rows)).violations
    assert v.message == (
        "damkar/pos-rawalumbu jaga on 2025-12-24: 2 on site, rule rawalumbu-jaga allows at most 1"
    )


def test_soft_target_is_no_violation() -> None:
    problem = coverage_problem(target=2, weight=7)
    ev = evaluate(problem, roster(problem, COVERAGE_ROWS))
    assert ev.violations == ()
    assert ev.terms["targets"] == 7  # one missing person, weight 7


# --- rest and overlap ------------------------------------------------------------------


def test_overlap_without_any_rest_rule() -> None:
    # 24 h jaga from Mon 08:00 ends Tue 08:00; pagi starts Tue 07:00.
    problem = make([{"id": "d", "name": "Dedi", "unit": "damkar"}])
    (v,) = evaluate(problem, roster(problem, {"d": "jaga pagi off off off off off"})).violations
    assert (v.rule, v.staff_id, v.date) == ("overlap", "d", "2025-12-23")
    assert v.message == (
        "Dedi (d) on 2025-12-23: jaga on 2025-12-22 ends 2025-12-23 08:00, pagi on 2025-12-23 "
        "starts 2025-12-23 07:00; one person's shifts may never overlap"
    )


def test_jaga_then_a_day_off_then_pagi_is_fine() -> None:
    problem = make([{"id": "d", "name": "Dedi", "unit": "damkar"}])
    ev = evaluate(problem, roster(problem, {"d": "jaga off pagi jaga off off off"}))
    assert ev.violations == ()


def test_min_rest_hours() -> None:
    units = dict(UNITS, rs={**UNITS["rs"], "rules": {"min_rest_hours": 11}})
    problem = make([{"id": "r", "name": "Rudi", "unit": "rs"}], units=units)
    # siang ends Mon 21:00, pagi starts Tue 07:00: 10 h < 11 h.
    (v,) = evaluate(problem, roster(problem, {"r": "siang pagi off off off off off"})).violations
    assert (v.rule, v.staff_id, v.date) == ("rest", "r", "2025-12-23")
    assert v.message == (
        "Rudi (r) on 2025-12-23: siang on 2025-12-22 ends 2025-12-22 21:00, pagi on 2025-12-23 "
        "starts 2025-12-23 07:00: 10 h rest, unit rs needs at least 11 h (min_rest_hours)"
    )
    # siang then siang leaves 17 h: fine.
    ok = roster(problem, {"r": "siang siang off off off off off"})
    assert evaluate(problem, ok).violations == ()


# --- runs, totals and weeks --------------------------------------------------------------


def rs_problem(staff: list[dict[str, Any]] | None = None, **rules: Any) -> Problem:
    units = dict(UNITS, rs={**UNITS["rs"], "rules": rules})
    return make(staff or [{"id": "r", "name": "Rudi", "unit": "rs"}], units=units)


def test_max_consecutive_onsite_days() -> None:
    problem = rs_problem(max_consecutive_onsite_days=3)
    (v,) = evaluate(problem, roster(problem, {"r": "pagi pagi pagi pagi off pagi off"})).violations
    assert (v.rule, v.date) == ("max_consecutive_onsite_days", "2025-12-25")
    assert "4 days in a row, 2025-12-22 to 2025-12-25" in v.message
    ok = roster(problem, {"r": "pagi pagi pagi off pagi pagi pagi"})
    assert evaluate(problem, ok).violations == ()


def test_max_onsite_days() -> None:
    problem = rs_problem(max_onsite_days=4)
    (v,) = evaluate(problem, roster(problem, {"r": "pagi off pagi pagi off pagi pagi"})).violations
    assert (v.rule, v.staff_id, v.date) == ("max_onsite_days", "r", None)
    assert "5 days" in v.message and "at most 4" in v.message


def test_weekly_minimum_is_lowered_by_leave_days() -> None:
    problem = rs_problem(
        [{"id": "r", "name": "Rudi", "unit": "rs", "leave": "2025-12-27..2025-12-28"}],
        min_shifts_per_week=5,
    )
    # 5 - 2 leave days = 3 needed; WFA would not count (rs staff are not eligible anyway).
    ok = roster(problem, {"r": "pagi off pagi off pagi leave leave"})
    assert evaluate(problem, ok).violations == ()
    short = roster(problem, {"r": "pagi off pagi off off leave leave"})
    (v,) = evaluate(problem, short).violations
    assert (v.rule, v.date) == ("min_shifts_per_week", "2025-12-22")
    assert "works 2 shifts in the week 2025-12-22 to 2025-12-28" in v.message
    assert "at least 3 (5 less 2 leave days)" in v.message


def test_weekly_maximum() -> None:
    problem = rs_problem(max_shifts_per_week=4)
    (v,) = evaluate(problem, roster(problem, {"r": "pagi pagi off pagi pagi pagi off"})).violations
    assert (v.rule, v.date) == ("max_shifts_per_week", "2025-12-22")
    assert "works 5 shifts" in v.message and "at most 4" in v.message


def test_weekly_limits_apply_to_roster_units_only() -> None:
    units = dict(UNITS, kantor={**UNITS["kantor"], "rules": {"max_shifts_per_week": 1}})
    problem = make([{"id": "k", "name": "Kiki", "unit": "kantor"}], units=units)
    ev = evaluate(problem, roster(problem, {"k": "kantor kantor kantor kantor kantor off off"}))
    assert ev.violations == ()


def test_weekly_limits_ignore_weeks_not_wholly_inside_the_horizon() -> None:
    units = dict(UNITS, rs={**UNITS["rs"], "rules": {"max_shifts_per_week": 1}})
    problem = make(
        [{"id": "r", "name": "Rudi", "unit": "rs"}],
        units=units,
        horizon={"start": "2025-12-23", "end": "2025-12-29"},
    )  # Tue..Mon
    ev = evaluate(problem, roster(problem, {"r": "pagi pagi pagi pagi pagi pagi pagi"}))
    assert ev.violations == ()


# --- fairness ------------------------------------------------------------------------------


def test_jain_index() -> None:
    assert jain([1, 2, 3]) == pytest.approx(36 / 42)
    assert jain([2, 2]) == 1.0
    assert jain([0, 0, 0]) == 1.0
    assert jain([]) == 1.0


def test_fairness_figures_per_pool() -> None:
    problem = make(
        [
            {"id": "f1", "name": "Fajar", "unit": "kantor", "site": "loket"},
            {"id": "f2", "name": "Fitri", "unit": "kantor", "site": "loket"},
            {"id": "f3", "name": "Fikri", "unit": "kantor", "site": "loket"},
            # both WFA days on leave: no available WFA day, so not counted as eligible
            {
                "id": "f4",
                "name": "Farah",
                "unit": "kantor",
                "site": "loket",
                "leave": "2025-12-22..2025-12-26",
            },
            {"id": "g1", "name": "Gita", "unit": "kantor"},  # no site: pooled by unit
        ],
        calendar={"wfa_days": ["2025-12-22..2025-12-24"]},
        fairness={"pool": "site"},
    )
    r = roster(
        problem,
        {
            "f1": "wfa    kantor kantor kantor kantor off off",
            "f2": "wfa    wfa    kantor kantor kantor off off",
            "f3": "wfa    wfa    wfa    kantor kantor off off",
            "f4": "leave  leave  leave  leave  leave  off off",
            "g1": "kantor kantor kantor kantor kantor off off",
        },
    )
    ev = evaluate(problem, r)
    assert ev.violations == ()
    loket = ev.fairness["kantor/loket"]
    assert (loket.eligible, loket.wfa_days_min, loket.wfa_days_max) == (3, 1, 3)
    assert loket.wfa_days_mean == 2.0
    assert loket.jain == pytest.approx(36 / 42)  # (1+2+3)^2 / (3 * (1+4+9))
    solo = ev.fairness["kantor"]
    assert (solo.eligible, solo.wfa_days_max, solo.jain) == (1, 0, 1.0)


# --- reading roster CSVs --------------------------------------------------------------------

IDS_STAFF = [
    {"id": "007", "name": "Bond", "unit": "kantor"},  # leading zero: must stay text
    {"id": "r", "name": "Rudi", "unit": "rs"},
]
IDS_ROWS = {
    "007": "kantor wfa kantor kantor kantor off off",
    "r": "pagi off malam off siang off off",
}


def test_read_back_what_the_solver_writes(tmp_path: Path) -> None:
    problem = make(IDS_STAFF)
    r = roster(problem, IDS_ROWS)
    path = tmp_path / "roster.csv"
    r.to_frame(problem).to_csv(path, index=False)
    assert read_roster(problem, path) == r


def test_read_excel_style_bom_semicolons_and_extra_columns(tmp_path: Path) -> None:
    problem = make(IDS_STAFF)
    r = roster(problem, IDS_ROWS)
    frame = r.to_frame(problem)
    frame["catatan"] = "ok; dicek"  # an extra column a planner added, with a `;` inside
    frame = frame[["catatan", *frame.columns[:-1]]]
    frame = frame.rename(columns={"status": " Status "})  # stray spaces and capitals
    path = tmp_path / "roster.csv"
    frame.to_csv(path, index=False, sep=";", encoding="utf-8-sig", lineterminator="\r\n")
    with path.open("a", encoding="utf-8") as f:
        f.write(";;;;;;;;\r\n")  # the empty row Excel leaves behind
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert read_roster(problem, path) == r


def write_local_dates(problem: Problem, path: Path, fmt: str) -> None:
    frame = roster(problem, IDS_ROWS).to_frame(problem)
    frame["date"] = [date.fromisoformat(d).strftime(fmt) for d in frame["date"]]
    frame["status"] = frame["status"].str.capitalize()  # `Onsite`, as typed by hand
    frame.to_csv(path, index=False, sep=";")


@pytest.mark.parametrize("fmt", ["%d/%m/%Y", "%m/%d/%Y", "%d-%m-%y"])
def test_read_dates_excel_rewrote_in_a_local_format(tmp_path: Path, fmt: str) -> None:
    # 22..28 Dec: only one of day-first / month-first fits the horizon, so no guess is made.
    problem = make(IDS_STAFF)
    path = tmp_path / "roster.csv"
    write_local_dates(problem, path, fmt)
    assert read_roster(problem, path) == roster(problem, IDS_ROWS)


def test_ambiguous_local_dates_are_faults(tmp_path: Path) -> None:
    # A Jan 1..Feb 28 horizon fits both readings of 01/02/2026 and 02/01/2026.
    problem = make(
        [{"id": "r", "name": "Rudi", "unit": "rs"}],
        horizon={"start": "2026-01-01", "end": "2026-02-28"},
        calendar={},
    )
    path = tmp_path / "roster.csv"
    path.write_text("staff_id,date,status,shift\nr,01/02/2026,off,\nr,02/01/2026,off,\n")
    with pytest.raises(InvalidInput) as caught:
        read_roster(problem, path)
    assert [(i.line, i.field) for i in caught.value.issues] == [(2, "date"), (3, "date")]
    assert "day-first or month-first" in caught.value.issues[0].message


def test_structural_faults_are_all_reported(tmp_path: Path) -> None:
    problem = make(IDS_STAFF)
    path = tmp_path / "roster.csv"
    path.write_text(
        "staff_id,name,unit,site,date,status,shift\n"
        "007,Bond,kantor,,2025-12-22,onsite,kantor\n"  # 2: fine
        "7,Bond,kantor,,2025-12-23,wfa,\n"  # 3: the number 7 is not the id 007
        "007,Bond,kantor,,2025-13-01,wfa,\n"  # 4: not a date
        "007,Bond,kantor,,2026-01-05,off,\n"  # 5: outside the horizon
        "007,Bond,kantor,,2025-12-24,sick,\n"  # 6: not a status
        "r,Rudi,rs,,2025-12-24,onsite,sore\n"  # 7: not a defined shift
        "007,Bond,kantor,,2025-12-22,wfa,\n"  # 8: second row for a day
        "1.96804E+17,X,kantor,,2025-12-22,wfa,\n",  # 9: a spreadsheet's number
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as caught:
        read_roster(problem, path)
    found = [(i.line, i.field) for i in caught.value.issues]
    assert found == [
        (3, "staff_id"),
        (4, "date"),
        (5, "date"),
        (6, "status"),
        (7, "shift"),
        (8, "date"),
        (9, "staff_id"),
    ]
    issues = caught.value.issues
    assert all(i.file == str(path) for i in issues)
    assert "unknown staff id '7'" in issues[0].message
    assert "outside the horizon" in issues[2].message
    assert "first on line 2" in issues[5].message
    assert "scientific notation" in issues[6].message
    assert str(issues[0]).startswith(f"{path}:3: staff_id: ")


def test_missing_columns(tmp_path: Path) -> None:
    problem = make(IDS_STAFF)
    path = tmp_path / "roster.csv"
    path.write_text("staff_id,name,date\n007,Bond,2025-12-22\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        read_roster(problem, path)
    assert [(i.line, i.field) for i in caught.value.issues] == [(1, "status"), (1, "shift")]


def test_a_missing_person_day_is_a_violation_not_a_fault(tmp_path: Path) -> None:
    problem = make(IDS_STAFF)
    frame = roster(problem, IDS_ROWS).to_frame(problem)
    path = tmp_path / "roster.csv"
    frame.drop(index=8).to_csv(path, index=False)  # Rudi on Tue 2025-12-23
    read = read_roster(problem, path)
    assert read.cells[1][1] == MISSING
    (v,) = evaluate(problem, read).violations
    assert (v.rule, v.staff_id, v.date) == ("missing", "r", "2025-12-23")
    assert v.message == "no status for Rudi (r) on 2025-12-23"
