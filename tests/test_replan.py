"""Replanning after absences: the fewest changed cells (confirmed by brute force), then the
best objective; frozen days kept; untouched parts copied; impossible repairs explained;
bad requests refused; the `replan` command; and the bundled Bekasi scenario."""

from __future__ import annotations

import copy
import itertools
import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from models.errors import InvalidInput
from models.load import load_scenario
from models.problem import Option, Problem
from models.result import Roster
from models.scenario import Scenario
from optimizer.check import evaluate
from optimizer.replan import Absence, absent_problem, replan
from optimizer.solve import Part, SolveSettings, partition, solve, solve_part
from tests.conftest import BASE, people
from tests.test_cli import run

FAST = SolveSettings(time_limit_s=20, workers=1)
BEKASI = Path(__file__).parent.parent / "scenarios" / "bekasi-nataru-2025.yaml"


def scenario(**sections: Any) -> Scenario:
    data = copy.deepcopy(BASE)
    data.update(sections)
    return Scenario.model_validate(data)


def fire_post(staff: int = 3, days: tuple[str, str] = ("2026-01-05", "2026-01-09")) -> Scenario:
    """A post of `staff` firefighters, 24 h jaga with 24 h rest (at most every other day),
    1 or 2 on site each day."""
    return scenario(
        horizon={"start": days[0], "end": days[1]},
        calendar={},
        units={
            "damkar": {
                "schedule": "roster",
                "shifts": ["jaga"],
                "wfa": False,
                "rules": {"min_rest_hours": 24},
            }
        },
        staff=people(staff, "damkar"),
        coverage=[{"id": "jaga", "unit": "damkar", "shift": "jaga", "min": 1, "max": 2}],
    )


def published(problem: Problem) -> Roster:
    result = solve(problem, FAST)
    assert result.status == "optimal" and result.roster is not None
    return result.roster


def fewest_changes(problem: Problem, base: Roster, frozen_before: int) -> tuple[int, int]:
    """Brute force: (fewest cells changed from `base`, the best objective among rosters with
    that few changes), over every roster meeting the hard rules (the checker judges each),
    trying every set of 0, 1, 2, ... changed cells in turn. Cells fixed by the problem (an
    absence is leave) are not choices, and neither are days before `frozen_before`."""
    fixed = [list(row) for row in base.cells]
    for p, row in enumerate(problem.options):
        for d, cell in enumerate(row):
            if len(cell) == 1:
                fixed[p][d] = cell[0]
    free = [
        (p, d)
        for p, row in enumerate(problem.options)
        for d, cell in enumerate(row)
        if len(cell) > 1 and d >= frozen_before
    ]
    for k in range(len(free) + 1):
        objectives = []
        for cells in itertools.combinations(free, k):
            choices = [[o for o in problem.options[p][d] if o != fixed[p][d]] for p, d in cells]
            for options in itertools.product(*choices):
                rows = [list(row) for row in fixed]
                for (p, d), option in zip(cells, options, strict=True):
                    rows[p][d] = option
                evaluation = evaluate(problem, Roster(tuple(map(tuple, rows))))
                if evaluation.valid:
                    objectives.append(evaluation.objective)
        if objectives:
            return k, min(objectives)
    raise AssertionError("no valid roster at all")


@pytest.mark.parametrize(
    ("absent", "freeze"),
    [("damkar-1:2026-01-06", None), ("damkar-0:2026-01-07..2026-01-08", "2026-01-07")],
)
def test_replan_changes_the_fewest_cells_brute_force_says(absent: str, freeze: str | None) -> None:
    base_problem = Problem(fire_post())
    base = published(base_problem)
    absences = [Absence.parse(absent)]
    freeze_day = date.fromisoformat(freeze) if freeze else None
    problem = absent_problem(fire_post(), absences, freeze_day)
    outcome = replan(problem, base, absences, freeze_day, FAST)
    result = outcome.result
    assert result.status == "optimal" and result.roster is not None
    assert evaluate(problem, result.roster).valid
    frozen = problem.day_index[freeze_day] if freeze_day else 0
    least, best = fewest_changes(problem, base, frozen)
    assert least > 0  # the absence really forces a repair
    assert outcome.changed == least
    assert result.objective == best
    changes = result.changes or ()
    assert all(change.day >= frozen for change in changes)
    absent_days = [c for c in changes if c.absent]
    assert absent_days and all(c.after == Option("leave") for c in absent_days)


def test_only_the_parts_the_absence_breaks_are_solved_again() -> None:
    # Two posts, each its own part; an absence at one leaves the other exactly as it was.
    two_posts = fire_post(6).model_dump()
    for k, person in enumerate(two_posts["staff"]):
        person["site"] = "pos-a" if k < 3 else "pos-b"
    two_posts["coverage"] = [
        {"id": f"{site}-jaga", "unit": "damkar", "site": site, "shift": "jaga", "min": 1}
        for site in ("pos-a", "pos-b")
    ]
    sc = Scenario.model_validate(two_posts)
    base = published(Problem(sc))
    on_site = next(d for d, o in enumerate(base.cells[0]) if o.status == "onsite")
    day = Problem(sc).days[on_site].date
    absences = [Absence.parse(f"damkar-0:{day}")]
    outcome = replan(absent_problem(sc, absences), base, absences, None, FAST)
    assert outcome.repaired == (("damkar",),)
    assert len(outcome.result.parts) == 1
    roster = outcome.result.roster
    assert roster is not None and roster.cells[3:] == base.cells[3:]
    assert {change.person for change in outcome.result.changes or ()} <= {0, 1, 2}


def test_an_absence_that_makes_the_rules_impossible_is_explained() -> None:
    # Two firefighters, one on site each day with 24 h rest: they alternate, one on Mon and
    # Wed, the other on Tue. The Tuesday one falls sick on Tue and Mon is already worked
    # (frozen): the Monday one cannot take Tue right after a jaga. No count shows it (one
    # person is left on Tue); the minimal conflict names the three rules at stake.
    sc = fire_post(2, ("2026-01-05", "2026-01-07"))
    base = published(Problem(sc))
    tuesday = next(p for p in (0, 1) if base.cells[p][1].status == "onsite")
    monday = 1 - tuesday
    absences = [Absence.parse(f"damkar-{tuesday}:2026-01-06")]
    freeze = date(2026, 1, 6)
    outcome = replan(absent_problem(sc, absences, freeze), base, absences, freeze, FAST)
    assert outcome.result.status == "infeasible" and outcome.result.roster is None
    assert outcome.quick == ()
    [conflict] = outcome.conflicts
    assert conflict.minimal
    found = sorted((rule.kind, rule.dates, rule.people) for rule in conflict.rules)
    assert found == [
        ("coverage", ("2026-01-06",), ()),
        ("kept", (), (f"damkar-{monday}",)),
        ("person", (), (f"damkar-{monday}",)),
    ]
    assert outcome.result.reasons  # the summary says why, too


def test_bad_requests_are_refused_naming_the_option() -> None:
    sc = fire_post()
    with pytest.raises(ValueError, match="expected ID:YYYY-MM-DD"):
        Absence.parse("damkar-0")
    with pytest.raises(ValueError, match="not an ISO date"):
        Absence.parse("damkar-0:2026-13-01")
    with pytest.raises(ValueError, match="ends before it starts"):
        Absence.parse("damkar-0:2026-01-08..2026-01-06")
    cases = [
        ([Absence.parse("nobody:2026-01-06")], None, "--absent", "unknown staff id 'nobody'"),
        ([Absence.parse("damkar-0:2026-02-01")], None, "--absent", "inside the horizon"),
        ([Absence.parse("damkar-0:2026-01-06")], date(2026, 1, 7), "--absent", "before --freeze"),
        ([], date(2027, 1, 1), "--freeze-before", "outside the horizon"),
    ]
    for absences, freeze, option, words in cases:
        with pytest.raises(InvalidInput) as raised:
            absent_problem(sc, absences, freeze)
        [issue] = raised.value.issues
        assert issue.field == option and words in issue.message


def test_replan_command_writes_the_changes_to_tell(tmp_path: Path) -> None:
    path = tmp_path / "post.yaml"
    path.write_text(json.dumps(fire_post().model_dump(mode="json", exclude_defaults=True)))
    code, _ = run("solve", path, "--out", tmp_path / "base")
    assert code == 0
    base = pd.read_csv(tmp_path / "base" / "roster.csv", dtype=str, keep_default_na=False)
    onsite = base[(base["staff_id"] == "damkar-1") & (base["status"] == "onsite")]
    day = onsite["date"].iloc[0]
    out = tmp_path / "replan"
    args = ("replan", path, "--from", tmp_path / "base" / "roster.csv", "--out", out)
    code, output = run(*args, "--absent", f"damkar-1:{day}")
    assert code == 0, output
    assert "cell(s) changed, besides the 1 absent day(s)" in output
    changes = pd.read_csv(out / "changes.csv", dtype=str, keep_default_na=False)
    assert list(changes.columns) == [
        "staff_id",
        "name",
        "unit",
        "site",
        "date",
        "from",
        "to",
        "absent",
    ]
    assert (
        (changes["staff_id"] == "damkar-1") & (changes["date"] == day) & (changes["to"] == "leave")
    ).any()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "optimal" and len(summary["changes"]) == len(changes)
    assert (out / "roster.csv").exists()
    # Everyone away that day: explained, exit 3, and no stale roster or changes left behind.
    everyone = [arg for p in range(3) for arg in ("--absent", f"damkar-{p}:{day}")]
    code, output = run(*args, *everyone)
    assert code == 3
    assert "Damkar 0, Damkar 1 and Damkar 2 are on leave" in output
    assert not (out / "roster.csv").exists() and not (out / "changes.csv").exists()
    assert json.loads((out / "summary.json").read_text())["status"] == "infeasible"
    code, output = run(*args, "--absent", "damkar-1")
    assert code == 2 and "--absent" in output and "expected ID:YYYY-MM-DD" in output
    code, output = run(*args, "--absent", "nobody:2026-01-06")
    assert code == 2 and "--absent: 'nobody:2026-01-06': unknown staff id 'nobody'" in output


# --- the bundled city ---------------------------------------------------------------------------


def _bekasi_published(problem: Problem, parts: list[Part], optimal: set[int]) -> Roster:
    """A valid published roster without proving the whole city: every part gets the first
    roster CP-SAT finds (a solve whose time limit is spent at once), and the parts a test
    touches are solved to their optimum."""
    first = solve(problem, SolveSettings.from_problem(problem, time_limit_s=0.01))
    assert first.roster is not None
    settings = SolveSettings.from_problem(problem, time_limit_s=60)
    roster = first.roster
    for k in sorted(optimal):
        outcome = solve_part(problem, parts[k], settings)
        assert outcome.report.status == "optimal"
        roster = roster.replaced(outcome.rows, outcome.standby)
    return roster


def test_bekasi_one_damkar_and_one_rsud_person_absent_on_30_december() -> None:
    loaded = load_scenario(BEKASI)
    problem = Problem(loaded.scenario)
    parts = partition(problem)
    unit_of = {k: problem.people[part.people[0]] for k, part in enumerate(parts)}
    post = next(k for k, p in unit_of.items() if p.unit == "damkar" and p.site != "mako")
    ward = next(k for k, p in unit_of.items() if p.unit == "rsud-cam")
    base = _bekasi_published(problem, parts, {post, ward})
    assert evaluate(problem, base).valid
    day = problem.day_index[date(2025, 12, 30)]
    figures = {(c.requirement, c.date): c for c in evaluate(problem, base).coverage}

    def at_minimum(k: int) -> int:
        """Someone on site on the 30th without a special skill, in a shift whose crew is
        exactly at its minimum: their absence forces a repair."""
        for p in parts[k].people:
            option = base.cells[p][day]
            if option.status != "onsite" or problem.people[p].skills - {"pemadam", "perawat"}:
                continue
            reqs = [
                r
                for r in problem.requirements
                if r.day == day and r.shift == option.shift and p in r.members
            ]
            if any(figures[(r.rule_id, "2025-12-30")].onsite == r.min for r in reqs):
                return p
        raise AssertionError("nobody at the minimum")

    absentees = [at_minimum(post), at_minimum(ward)]
    absences = [Absence.parse(f"{problem.people[p].id}:2025-12-30") for p in absentees]
    freeze = date(2025, 12, 30)
    replanned = absent_problem(loaded.scenario, absences, freeze)
    settings = SolveSettings.from_problem(replanned, time_limit_s=60)
    outcome = replan(replanned, base, absences, freeze, settings)
    result = outcome.result
    assert result.status == "optimal" and result.roster is not None
    assert evaluate(replanned, result.roster).valid
    assert sorted(outcome.repaired) == [("damkar",), ("rsud-cam",)]
    changes = result.changes or ()
    assert {(c.person, c.day) for c in changes if c.absent} == {(p, day) for p in absentees}
    assert all(c.day >= day for c in changes)  # nothing before the freeze date moves
    touched = set(parts[post].people) | set(parts[ward].people)
    assert all(c.person in touched for c in changes)
    assert 2 <= outcome.changed <= 12  # a replacement each at least; a few cells, not a new roster
