"""One tiny scenario per rule family, each asserting the exact optimum (arithmetic in comments).

Every solved roster is also passed through the independent checker: it must be valid and
the checker's objective must equal the solver's.
"""

from __future__ import annotations

from collections import Counter

from models.problem import WFA_OPTION, Option, Problem
from models.result import Result
from optimizer.check import evaluate
from optimizer.solve import SolveSettings, solve
from tests.conftest import people

FAST = SolveSettings(time_limit_s=20, workers=1)


def solved(problem: Problem) -> Result:
    result = solve(problem, FAST)
    assert result.status == "optimal", result.reasons
    assert result.evaluation is not None
    assert result.evaluation.violations == ()
    assert result.evaluation.objective == result.objective
    return result


def statuses(result: Result, problem: Problem, person: int) -> list[str]:
    assert result.roster is not None
    return [str(option) for option in result.roster.cells[person]]


def wfa_counts(result: Result) -> list[int]:
    assert result.roster is not None
    return [sum(o.status == "wfa" for o in row) for row in result.roster.cells]


def test_wfa_spread_evenly_under_min_share(make_problem):
    # 4 people, 3 WFA days, at least ceil(0.5 * 4) = 2 on site each day: 6 burden days.
    # Costs per burden day (scale lcm{3} = 3, divided by 3 available): 1, 3, 5.
    # Cheapest spread: burdens 2,2,1,1 -> (1+3)*2 + 1*2 = 10; x weight 10 = 100.
    problem = make_problem(
        staff=people(4),
        coverage=[{"unit": "*", "shift": "kantor", "days": "wfa", "min_share": 0.5}],
    )
    result = solved(problem)
    assert result.objective == 100
    assert sorted(wfa_counts(result)) == [1, 1, 2, 2]


def test_history_counts_as_burden_already_carried(make_problem):
    # Two people, one must be on site each day (3 burden days). Person 0 has history 2:
    # costs for person 0: 2(2+j)-1 = 5, 7, 9; person 1: 1, 3, 5.
    # Best: person 1 carries 2 (1+3=4) and person 0 one (5): 9, or person 1 all 3 (9): tie 9.
    # Either way person 1 (no history) gets at most as much WFA as person 0; x10 = 90.
    staff = people(2)
    staff[0]["history"] = 2
    problem = make_problem(
        staff=staff, coverage=[{"unit": "office", "shift": "kantor", "days": "wfa", "min": 1}]
    )
    result = solved(problem)
    assert result.objective == 90
    counts = wfa_counts(result)
    assert counts[0] >= counts[1]


def test_no_one_on_site_without_reason(make_problem):
    # No coverage rule: every eligible person gets WFA on every WFA day, objective 0.
    problem = make_problem(staff=people(3))
    result = solved(problem)
    assert result.objective == 0
    assert wfa_counts(result) == [3, 3, 3]


def test_not_eligible_stays_on_site(make_problem):
    problem = make_problem(staff=people(1, wfa_eligible=False))
    result = solved(problem)
    assert statuses(result, problem, 0) == ["onsite:kantor"] * 3


def test_leave_is_leave_and_lowers_min_share(make_problem):
    # 3 people, person 0 on leave on the 30th: that day n = 2, ceil(0.5*2) = 1 on site.
    # Other days ceil(1.5) = 2. Available WFA days: 2, 3, 3.
    problem = make_problem(
        staff=[*people(1, leave="2025-12-30"), *people(3)[1:]],
        coverage=[{"unit": "*", "shift": "kantor", "days": "wfa", "min_share": 0.5}],
    )
    result = solved(problem)
    assert statuses(result, problem, 0)[1] == "leave"
    figures = {c.date: c for c in result.evaluation.coverage}
    assert figures["2025-12-30"].required == 1
    assert figures["2025-12-29"].required == 2


def test_coverage_max_is_hard(make_problem):
    # Not eligible -> always on site; a max of 1 with 2 such people cannot hold.
    problem = make_problem(
        staff=people(2, wfa_eligible=False),
        coverage=[{"unit": "office", "shift": "kantor", "days": "all", "max": 1}],
    )
    result = solve(problem, FAST)
    assert result.status == "infeasible"
    assert any("above the max 1" in r for r in result.reasons)


def test_soft_target_shortfall_is_weighted(make_problem):
    # Roster unit, `off` allowed, WFA not: a target of 2 on site per day with weight 3,
    # and onsite_days costs 1 per on-site day. Going on site costs 1, missing costs 3:
    # all 2 people on site on all 3 days -> onsite_days 6, objective 6.
    problem = make_problem(
        units={"ward": {"schedule": "roster", "shifts": ["pagi"]}},
        staff=people(2, "ward"),
        coverage=[{"unit": "ward", "shift": "pagi", "target": 2, "weight": 3}],
    )
    result = solved(problem)
    assert result.objective == 6
    # A target of 3 with only 2 people: a shortfall of 1 on each day (3 x 3 = 9), plus the
    # 6 on-site days that still pay for themselves = 15.
    problem = make_problem(
        units={"ward": {"schedule": "roster", "shifts": ["pagi"]}},
        staff=people(2, "ward"),
        coverage=[{"unit": "ward", "shift": "pagi", "target": 3, "weight": 3}],
    )
    assert solved(problem).objective == 15


def test_jaga_with_48h_rest_every_third_day(make_problem):
    # 24 h jaga with 48 h rest: on duty at most every third day. Six days, one crew per
    # day, three people: each works exactly twice (d, d+3). Nights: jaga covers 00-05, so
    # each jaga is a night shift: 3 people x 2^2 = 12; onsite_days 6; total 18.
    problem = make_problem(
        horizon={"start": "2026-01-05", "end": "2026-01-10"},
        calendar={},
        units={
            "damkar": {"schedule": "roster", "shifts": ["jaga"], "rules": {"min_rest_hours": 48}}
        },
        staff=people(3, "damkar"),
        coverage=[{"unit": "damkar", "shift": "jaga", "min": 1}],
    )
    result = solved(problem)
    assert result.objective == 18
    for person in range(3):
        worked = [
            d for d, s in enumerate(statuses(result, problem, person)) if s.startswith("onsite")
        ]
        assert all(b - a >= 3 for a, b in zip(worked, worked[1:], strict=False))
    # Two people cannot cover six days of 24 h jaga with 48 h rest.
    short = make_problem(
        horizon={"start": "2026-01-05", "end": "2026-01-10"},
        calendar={},
        units={
            "damkar": {"schedule": "roster", "shifts": ["jaga"], "rules": {"min_rest_hours": 48}}
        },
        staff=people(2, "damkar"),
        coverage=[{"unit": "damkar", "shift": "jaga", "min": 1}],
    )
    assert solve(short, FAST).status == "infeasible"


def test_overlap_forbidden_without_rest_rule(make_problem):
    # jaga 08:00-08:00 ends at 08:00 next day; pagi starts 07:00: they overlap, so one
    # person cannot do jaga on day 0 and pagi on day 1 even with no rest rule.
    problem = make_problem(
        horizon={"start": "2026-01-05", "end": "2026-01-06"},
        calendar={},
        units={"u": {"schedule": "roster", "shifts": ["jaga", "pagi"]}},
        staff=people(1, "u"),
        coverage=[
            {"unit": "u", "shift": "jaga", "days": "2026-01-05", "min": 1},
            {"unit": "u", "shift": "pagi", "days": "2026-01-06", "min": 1},
        ],
    )
    assert solve(problem, FAST).status == "infeasible"


def test_min_rest_hours_forbids_siang_then_pagi(make_problem):
    # siang ends 21:00, pagi starts 07:00 next day: 10 h < 11 h. With one person who
    # must do siang on day 0, pagi on day 1 is impossible.
    problem = make_problem(
        horizon={"start": "2026-01-05", "end": "2026-01-06"},
        calendar={},
        units={
            "ward": {
                "schedule": "roster",
                "shifts": ["pagi", "siang"],
                "rules": {"min_rest_hours": 11},
            }
        },
        staff=people(1, "ward"),
        coverage=[
            {"unit": "ward", "shift": "siang", "days": "2026-01-05", "min": 1},
            {"unit": "ward", "shift": "pagi", "days": "2026-01-06", "min": 1},
        ],
    )
    assert solve(problem, FAST).status == "infeasible"


def test_max_consecutive_onsite_days(make_problem):
    # 7 days, one person needed on site every day, at most 3 days in a row: two people
    # suffice. Each on-site day costs 1 (onsite_days): 7 in total.
    problem = make_problem(
        horizon={"start": "2026-01-05", "end": "2026-01-11"},
        calendar={},
        units={"ward": {"schedule": "roster", "shifts": ["pagi"]}},
        rules={"max_consecutive_onsite_days": 3},
        staff=people(2, "ward"),
        coverage=[{"unit": "ward", "shift": "pagi", "min": 1}],
    )
    result = solved(problem)
    assert result.objective == 7
    for person in range(2):
        run = longest = 0
        for s in statuses(result, problem, person):
            run = run + 1 if s.startswith("onsite") else 0
            longest = max(longest, run)
        assert longest <= 3


def test_max_onsite_days_and_weekly_limits(make_problem):
    # One Mon-Sun week, min 1 on site per day, each person at most 3 shifts a week and
    # at least 2: 3 people give at most 9 >= 7 needed; onsite cost 7 is the optimum.
    problem = make_problem(
        horizon={"start": "2026-01-05", "end": "2026-01-11"},
        calendar={},
        units={
            "ward": {
                "schedule": "roster",
                "shifts": ["pagi"],
                "rules": {"max_shifts_per_week": 3, "min_shifts_per_week": 2},
            }
        },
        staff=people(3, "ward"),
        coverage=[{"unit": "ward", "shift": "pagi", "min": 1}],
    )
    result = solved(problem)
    assert result.objective == 7
    assert all(
        2 <= c <= 3
        for c in Counter(
            p for p, row in enumerate(result.roster.cells) for o in row if o.status == "onsite"
        ).values()
    )
    capped = make_problem(
        horizon={"start": "2026-01-05", "end": "2026-01-11"},
        calendar={},
        units={"ward": {"schedule": "roster", "shifts": ["pagi"]}},
        rules={"max_onsite_days": 2},
        staff=people(3, "ward"),
        coverage=[{"unit": "ward", "shift": "pagi", "min": 1}],
    )
    # 3 people x at most 2 days = 6 < 7 days to cover.
    assert solve(capped, FAST).status == "infeasible"


def test_weekly_minimum_lowered_by_leave(make_problem):
    # min 2 shifts a week, no coverage: each person works the minimum. Person 0 has one
    # leave day, so needs only 1. On-site days 1 + 2 = 3.
    problem = make_problem(
        horizon={"start": "2026-01-05", "end": "2026-01-11"},
        calendar={},
        units={
            "ward": {"schedule": "roster", "shifts": ["pagi"], "rules": {"min_shifts_per_week": 2}}
        },
        staff=[*people(1, "ward", leave="2026-01-07"), *people(2, "ward")[1:]],
    )
    assert solved(problem).objective == 3


def test_pin_forces_the_cell(make_problem):
    # Pinned on site on the 30th: one burden day at cost 1 (1 of 3 available), x10 = 10.
    problem = make_problem(
        staff=people(1),
        pins=[{"staff": "office-0", "date": "2025-12-30", "status": "onsite", "shift": "kantor"}],
    )
    result = solved(problem)
    assert result.objective == 10
    assert statuses(result, problem, 0) == ["wfa", "onsite:kantor", "wfa"]


def test_pin_on_leave_day_is_infeasible_and_explained(make_problem):
    problem = make_problem(
        staff=people(1, leave="2025-12-30"),
        pins=[{"staff": "office-0", "date": "2025-12-30", "status": "onsite"}],
    )
    result = solve(problem, FAST)
    assert result.status == "infeasible"
    assert any("on leave that day" in r for r in result.reasons)


def test_requests_are_honoured_when_free(make_problem):
    # Roster ward, no coverage: a request to be on site (weight 3) outweighs the on-site
    # cost 1: objective 1. A request for `off` costs nothing to honour.
    problem = make_problem(
        units={"ward": {"schedule": "roster", "shifts": ["pagi"]}},
        staff=people(1, "ward"),
        requests=[{"staff": "ward-0", "date": "2025-12-30", "want": "onsite", "weight": 3}],
    )
    result = solved(problem)
    assert result.objective == 1
    assert statuses(result, problem, 0) == ["off", "onsite:pagi", "off"]


def test_holiday_duty_spread(make_problem):
    # Office unit, a holiday piket of 1 on each of two holidays (Thu 25, Fri 26 Dec);
    # two people. Spread 1 + 1: holiday 5 x (1 + 1) = 10, onsite_days 2 -> 12 (vs 5 x 4 + 2 = 22).
    problem = make_problem(
        horizon={"start": "2025-12-25", "end": "2025-12-26"},
        calendar={
            "holidays": {"2025-12-25": "Natal"},
            "collective_leave": {"2025-12-26": "Cuti Bersama"},
        },
        staff=people(2),
        coverage=[
            {"unit": "office", "shift": "kantor", "days": "holidays", "min": 1},
            {"unit": "office", "shift": "kantor", "days": "collective_leave", "min": 1},
        ],
    )
    result = solved(problem)
    assert result.objective == 12


def test_night_shifts_spread(make_problem):
    # One malam per day over 2 days, two nurses, no rest rule: spread 1 + 1 -> nights
    # 1 + 1 = 2, onsite_days 2 -> 4 (both nights on one nurse would cost 4 + 2 = 6).
    problem = make_problem(
        horizon={"start": "2026-01-05", "end": "2026-01-06"},
        calendar={},
        units={"ward": {"schedule": "roster", "shifts": ["malam"]}},
        staff=people(2, "ward"),
        coverage=[{"unit": "ward", "shift": "malam", "min": 1}],
    )
    assert solved(problem).objective == 4


def test_wfa_fairness_dominates_lower_terms(make_problem):
    # Person 1 wants onsite on all three days (weight 3 each); one person needed per day.
    # Fairness first: burdens must be split 2/1 (1+3 + 1 = 5, x10 = 50) not 3/0 (1+3+5 = 9).
    # Then person 1 carries 2 of them: one request unmet (3). Objective 50 x scale + 3.
    problem = make_problem(
        staff=people(2),
        coverage=[{"unit": "office", "shift": "kantor", "days": "wfa", "min": 1}],
        requests=[
            {"staff": "office-1", "date": d, "want": "onsite", "weight": 3}
            for d in ("2025-12-29", "2025-12-30", "2025-12-31")
        ],
    )
    result = solved(problem)
    assert sorted(wfa_counts(result)) == [1, 2]
    assert result.objective == 50 * problem.tier_scale + 3


def test_rota_that_rest_rules_rule_out_is_explained_before_search(make_problem):
    # 24 h jaga with 48 h rest: one person takes at most one jaga in any 3 days, so a
    # minimum of 1 a day needs 3 people; with 2 the quick check says so, naming the rule.
    problem = make_problem(
        horizon={"start": "2026-01-05", "end": "2026-01-07"},
        calendar={},
        units={
            "damkar": {"schedule": "roster", "shifts": ["jaga"], "rules": {"min_rest_hours": 48}}
        },
        staff=people(2, "damkar"),
        coverage=[{"id": "pos-jaga", "unit": "damkar", "shift": "jaga", "min": 1}],
    )
    result = solve(problem, FAST)
    assert result.status == "infeasible"
    assert result.parts == ()  # found before any search
    [reason] = result.reasons
    assert "damkar / jaga on 2026-01-05..2026-01-07" in reason and "(rule pos-jaga)" in reason
    assert "at least 3 people" in reason


def test_too_few_staff_after_leave_is_explained_with_names(make_problem):
    problem = make_problem(
        staff=[*people(1, leave="2025-12-30"), *people(2)[1:]],
        coverage=[{"id": "loket", "unit": "office", "shift": "kantor", "days": "wfa", "min": 2}],
    )
    result = solve(problem, FAST)
    assert result.status == "infeasible"
    [reason] = result.reasons
    assert "office / kantor on 2025-12-30 needs 2 on site (rule loket); only 1 of the 2" in reason
    assert "Office 0 is on leave" in reason


def test_format_testable_form_of_fairness(make_problem):
    # Six office staff, half on site each WFA day, two with a day of leave; person 2 asks
    # for WFA and person 4 for on site on every day, which a lopsided roster would honour.
    # Fairness ranks above requests, so the solved roster admits no fairness swap; the
    # deliberately lopsided one does.
    from models.result import Roster
    from tests.test_properties import fairness_swaps

    staff = people(6)
    staff[0]["leave"] = staff[1]["leave"] = "2025-12-30"
    days = ("2025-12-29", "2025-12-30", "2025-12-31")
    problem = make_problem(
        staff=staff,
        coverage=[{"unit": "*", "shift": "kantor", "days": "wfa", "min_share": 0.5}],
        requests=[{"staff": "office-2", "date": d, "want": "wfa", "weight": 3} for d in days]
        + [{"staff": "office-4", "date": d, "want": "onsite", "weight": 3} for d in days],
    )
    result = solved(problem)
    assert fairness_swaps(problem, result.roster) == []
    wfa, onsite = WFA_OPTION, Option("onsite", "kantor")
    # Persons 2..5 (3 days available each): 2 and 3 get every WFA day, 4 and 5 none;
    # persons 0 and 1 (on leave on the 30th) on site on the other two days.
    rows = [list(row) for row in result.roster.cells]
    for day in range(3):
        rows[2][day] = rows[3][day] = wfa
        rows[4][day] = rows[5][day] = onsite
    for day in (0, 2):
        rows[0][day] = rows[1][day] = onsite
    lopsided = Roster(tuple(map(tuple, rows)))
    assert evaluate(problem, lopsided).valid
    assert fairness_swaps(problem, lopsided)
