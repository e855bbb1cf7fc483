"""The shift scheduling benchmark (Curtois & Qu) as scenarios: the importer, the known
optimum of Instance1, and the benchmark's own rules and penalty recomputed here from the
instance file (FORMAT.md §3–4), independently of piket's model and checker."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from models.errors import InvalidInput
from models.load import load_scenario
from models.problem import Problem
from models.result import Roster
from models.shift_scheduling import Instance, read_instance, write_scenario
from optimizer.solve import SolveSettings, solve

# Instances 1, 2, 3, 5 and 7 of the public benchmark (Curtois & Qu), copied unchanged.
INSTANCES = Path(__file__).parent / "data" / "shift-scheduling"


def imported(number: int, folder: Path) -> tuple[Instance, Problem]:
    instance = read_instance(INSTANCES / f"Instance{number}.txt")
    scenario = write_scenario(instance, folder)[0]
    return instance, Problem(load_scenario(scenario).scenario)


def shifts_worked(
    instance: Instance, problem: Problem, roster: Roster
) -> dict[str, list[str | None]]:
    """Employee id -> the shift id worked each day (None: no shift), from a piket roster."""
    index = {person.id: person.index for person in problem.people}
    return {
        e.id: [o.shift if o.status == "onsite" else None for o in roster.cells[index[e.id]]]
        for e in instance.staff
    }


def benchmark_penalty(instance: Instance, work: dict[str, list[str | None]]) -> int:
    """FORMAT.md §4, written out from the instance alone."""
    penalty = sum(r.weight for r in instance.on_requests if work[r.staff][r.day] != r.shift)
    penalty += sum(r.weight for r in instance.off_requests if work[r.staff][r.day] == r.shift)
    for row in instance.cover:
        n = sum(days[row.day] == row.shift for days in work.values())
        penalty += row.weight_under * max(0, row.requirement - n)
        penalty += row.weight_over * max(0, n - row.requirement)
    return penalty


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    runs, start = [], None
    for day, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = day
        if not flag and start is not None:
            runs.append((start, day - start))
            start = None
    return runs


def benchmark_violations(instance: Instance, work: dict[str, list[str | None]]) -> list[str]:
    """FORMAT.md §3, written out from the instance alone: every hard rule broken."""
    minutes = {s.id: s.minutes for s in instance.shifts}
    banned = {s.id: set(s.cannot_follow) for s in instance.shifts}
    horizon = instance.days
    faults = []
    for e in instance.staff:
        days = work[e.id]
        on = [s is not None for s in days]
        faults += [
            f"{e.id} rotation {d}"
            for d in range(horizon - 1)
            if days[d] and days[d + 1] in banned[days[d]]
        ]
        faults += [f"{e.id} max {s}" for s, cap in e.max_shifts.items() if days.count(s) > cap]
        total = sum(minutes[s] for s in days if s)
        if not e.min_minutes <= total <= e.max_minutes:
            faults.append(f"{e.id} minutes {total}")
        for start, length in _runs(on):
            if length > e.max_consecutive:
                faults.append(f"{e.id} long run {start}")
            if start > 0 and start + length < horizon and length < e.min_consecutive:
                faults.append(f"{e.id} short run {start}")
        for start, length in _runs([not flag for flag in on]):
            if start > 0 and start + length < horizon and length < e.min_days_off:
                faults.append(f"{e.id} short rest {start}")
        weekends = sum(on[7 * k + 5] or on[7 * k + 6] for k in range(horizon // 7))
        if weekends > e.max_weekends:
            faults.append(f"{e.id} weekends {weekends}")
        faults += [f"{e.id} day off {d}" for d in instance.days_off.get(e.id, ()) if on[d]]
    return faults


def test_instance1_reaches_its_known_optimum(tmp_path):
    # 607 is optimal (best-known.csv: lower bound = upper bound): 600 from cover (six
    # missing nurses at weight 100) and 7 from requests.
    instance, problem = imported(1, tmp_path)
    result = solve(problem, SolveSettings(time_limit_s=60))
    assert result.status == "optimal"
    assert result.objective == result.bound == 607
    assert result.evaluation is not None and result.evaluation.valid
    assert result.evaluation.objective == 607
    assert result.evaluation.terms["targets"] + result.evaluation.terms["requests"] == 607
    work = shifts_worked(instance, problem, result.roster)
    assert benchmark_penalty(instance, work) == 607
    assert benchmark_violations(instance, work) == []


@pytest.mark.parametrize("number", [2, 3, 5, 7])
def test_solver_checker_and_benchmark_agree_on_the_objective(tmp_path, number):
    # A short run: a valid roster is enough for the three objectives to be compared.
    instance, problem = imported(number, tmp_path)
    result = solve(problem, SolveSettings(time_limit_s=4))
    assert result.status in ("optimal", "feasible")
    assert result.evaluation is not None and result.evaluation.valid, result.evaluation
    work = shifts_worked(instance, problem, result.roster)
    assert benchmark_violations(instance, work) == []
    assert result.objective == result.evaluation.objective == benchmark_penalty(instance, work)


def test_the_scenario_keeps_ids_days_and_every_rule(tmp_path):
    instance, problem = imported(3, tmp_path)
    assert problem.days[0].date == date(2024, 1, 1) and problem.days[0].weekday == "mon"
    assert len(problem.days) == instance.days == 14
    assert [p.id for p in problem.people] == [e.id for e in instance.staff]
    assert list(problem.shifts) == [s.id for s in instance.shifts] == ["E", "D", "L"]
    # Instance3 has an employee D and a shift D: separate namespaces, both kept.
    assert "D" in problem.person_index
    for e in instance.staff:
        rules = problem.people[problem.person_index[e.id]].rules
        assert rules.max_shifts_per_type == e.max_shifts
        assert (rules.min_work_minutes, rules.max_work_minutes) == (e.min_minutes, e.max_minutes)
        assert rules.max_consecutive_onsite_days == e.max_consecutive
        assert rules.min_consecutive_onsite_days == e.min_consecutive
        assert rules.min_consecutive_days_off == e.min_days_off
        assert rules.max_weekends_worked == e.max_weekends
        leave = problem.people[problem.person_index[e.id]].leave
        assert leave == frozenset(instance.days_off.get(e.id, ()))
    for shift in instance.shifts:
        spec = problem.shifts[shift.id]
        assert spec.length_minutes == shift.minutes
        assert spec.not_followed_by == frozenset(shift.cannot_follow)
    # Every shift starts at the same time: no succession is ruled out but the file's own.
    assert {(a, b) for a, b, _ in problem.rest_conflicts("ward")} == {
        (s.id, b) for s in instance.shifts for b in s.cannot_follow
    }
    targets = {(r.day, r.shift): (r.target, r.weight, r.over_weight) for r in problem.requirements}
    assert targets == {
        (c.day, c.shift): (c.requirement, c.weight_under, c.weight_over) for c in instance.cover
    }
    assert len(problem.requests) == len(instance.on_requests) + len(instance.off_requests)
    assert problem.tier_scale > 0 and problem.weights.onsite_days == 0


def test_import_benchmark_command(tmp_path):
    runner = CliRunner()
    source = INSTANCES / "Instance1.txt"
    result = runner.invoke(cli.main, ["import-benchmark", str(source), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "Instance1-requests.csv",
        "Instance1-staff.csv",
        "Instance1.yaml",
    ]
    assert "piket solve" in result.output


BAD_INSTANCES = [
    (
        "SECTION_HORIZON\n14\n\nSECTION_SHIFTS\nD,480,\n\nSECTION_STAFF\n"
        "A,D=14,4320,3360,5,2,2,1\n\nSECTION_COVER\n0,D,5,100,1\n0,D,4,100,1\n",
        12,
        "SECTION_COVER",
        "second cover row for day 0, shift D (first on line 11)",
    ),
    (
        "SECTION_HORIZON\n14\n\nSECTION_SHIFTS\nD,eight hours,\n\nSECTION_STAFF\n"
        "A,D=14,4320,3360,5,2,2,1\n\nSECTION_COVER\n0,D,5,100,1\n",
        5,
        "SECTION_SHIFTS.LengthMinutes",
        "expected a whole number, got 'eight hours'",
    ),
    (
        "SECTION_HORIZON\n14\n\nSECTION_SHIFTS\nD,480,N\n\nSECTION_STAFF\n"
        "A,D=14,4320,3360,5,2,2,1\n\nSECTION_COVER\n0,D,5,100,1\n",
        5,
        "SECTION_SHIFTS.CannotFollow",
        "unknown shift 'N'",
    ),
    (
        "SECTION_HORIZON\n14\n\nSECTION_SHIFTS\nD,480,\n\nSECTION_STAFF\n"
        "A,D=14|E=3,4320,3360,5,2,2,1\n\nSECTION_COVER\n0,D,5,100,1\n",
        8,
        "SECTION_STAFF.MaxShifts",
        "unknown shift 'E'",
    ),
    (
        "SECTION_HORIZON\n14\n\nSECTION_SHIFTS\nD,480,\n\nSECTION_STAFF\n"
        "A,D=14,4320,3360,5,2,2,1\n\nSECTION_DAYS_OFF\nA,3,14\n\nSECTION_COVER\n0,D,5,100,1\n",
        11,
        "SECTION_DAYS_OFF.DayIndexes",
        "day 14 is outside the horizon 0..13",
    ),
    (
        "SECTION_HORIZON\n14\n\nSECTION_SHIFTS\nD,480,\n\nSECTION_STAFF\n"
        "A,D=14,4320,3360,5,2,2\n\nSECTION_COVER\n0,D,5,100,1\n",
        8,
        "SECTION_STAFF",
        "expected 8 comma-separated fields",
    ),
    (
        "SECTION_HORIZON\n14\n\nSECTION_SHIFTS\nD,480,\n\nSECTION_STAFF\n"
        "A,D=14,4320,3360,5,2,2,1\n\nSECTION_SHIFT_ON_REQUESTS\nB,2,D,2\n\nSECTION_COVER\n0,D,5,100,1\n",
        11,
        "SECTION_SHIFT_ON_REQUESTS.EmployeeID",
        "unknown employee 'B'",
    ),
    (
        "SECTION_HORIZON\n14\n\nSECTION_SHIFTS\nD,480,\n\nSECTION_STAFF\nA,D=14,4320,3360,5,2,2,1\n",
        None,
        "SECTION_COVER",
        "required section is missing",
    ),
]


@pytest.mark.parametrize(("text", "line", "field", "message"), BAD_INSTANCES)
def test_a_malformed_instance_names_file_line_and_field(tmp_path, text, line, field, message):
    path = tmp_path / "Instance99.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as error:
        read_instance(path)
    found = [(i.file, i.line, i.field, i.message) for i in error.value.issues]
    assert any(
        f == str(path) and n == line and fl == field and message in m for f, n, fl, m in found
    ), found


def test_the_command_refuses_a_malformed_instance_and_writes_nothing(tmp_path):
    path = tmp_path / "Instance99.txt"
    path.write_text("SECTION_HORIZON\nfourteen\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli.main, ["import-benchmark", str(path), "--out", str(out)])
    assert result.exit_code == 2
    assert f"{path}:2: SECTION_HORIZON: expected a whole number" in result.output
    assert not out.exists()
