"""The `piket` commands end to end: files written, output printed, exit codes (docs/scenario-format.md §2)."""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

import cli
from models.load import load_scenario
from models.problem import ONSITE, Option, Problem
from models.result import Result, SolverInfo
from optimizer.solve import SolveSettings, solve
from tests.test_load import BAD, BAD_CASES, WARN, WARNING_CASES

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny.yaml"
SUMMARY_KEYS = {
    "scenario",
    "scenario_file",
    "status",
    "objective",
    "bound",
    "wall_time_s",
    "staff",
    "days",
    "input_sha256",
    "solver",
    "coverage",
    "fairness",
}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli.main, [str(a) for a in args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def solved_tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny")
    code, _ = run("solve", TINY, "--out", out)
    assert code == 0
    return out


def test_solve_writes_roster_and_summary_as_the_spec_says(solved_tiny: Path) -> None:
    roster = pd.read_csv(solved_tiny / "roster.csv", dtype=str, keep_default_na=False)
    spec = ["staff_id", "name", "unit", "site", "date", "status", "shift"]
    assert list(roster.columns) == [*spec, "standby"]  # the spec's columns, then standby
    assert (roster["standby"] == "").all()  # tiny asks for no standby
    assert len(roster) == 6 * 14  # one row per person per day
    assert set(roster["status"]) <= {"onsite", "wfa", "off", "leave"}
    assert (roster.loc[roster["status"] != "onsite", "shift"] == "").all()
    assert "196804111993031009" in set(roster["staff_id"])  # NIP kept as text
    summary = json.loads((solved_tiny / "summary.json").read_text())
    assert set(summary) >= SUMMARY_KEYS
    assert summary["status"] == "optimal"
    assert summary["objective"] == summary["bound"]
    assert summary["solver"]["name"] == "cp-sat"
    assert set(summary["coverage"][0]) >= {
        "requirement",
        "unit",
        "site",
        "skill",
        "shift",
        "date",
        "required",
        "max",
        "onsite",
        "met",
    }
    assert set(summary["fairness"]["dukcapil"]) == {
        "eligible",
        "wfa_days_min",
        "wfa_days_max",
        "wfa_days_mean",
        "jain",
    }
    assert not list(solved_tiny.glob(".*"))  # no temporary files left behind


def test_solve_prints_a_human_summary(tmp_path: Path) -> None:
    code, output = run("solve", TINY, "--out", tmp_path)
    assert code == 0
    assert "optimal" in output and "coverage: 17/17 requirements met" in output
    assert "dukcapil" in output  # the fairness table


def test_solve_json_prints_only_the_summary(tmp_path: Path) -> None:
    code, output = run("solve", TINY, "--out", tmp_path, "--json", "--seed", "3", "--workers", "1")
    assert code == 0
    data = json.loads(output)
    assert data["solver"]["seed"] == 3 and data["solver"]["workers"] == 1
    assert data == json.loads((tmp_path / "summary.json").read_text())


def test_deterministic_solves_give_the_same_roster(tmp_path: Path) -> None:
    run("solve", TINY, "--out", tmp_path / "a", "--deterministic")
    run("solve", TINY, "--out", tmp_path / "b", "--deterministic")
    assert (tmp_path / "a" / "roster.csv").read_bytes() == (
        tmp_path / "b" / "roster.csv"
    ).read_bytes()


def test_check_accepts_the_solved_roster(solved_tiny: Path) -> None:
    code, output = run("check", TINY, solved_tiny / "roster.csv")
    assert code == 0
    assert "valid" in output
    summary = json.loads((solved_tiny / "summary.json").read_text())
    code, output = run("check", TINY, solved_tiny / "roster.csv", "--json")
    assert json.loads(output)["objective"] == summary["objective"]


def test_check_reports_a_hand_edit_that_breaks_a_rule(solved_tiny: Path, tmp_path: Path) -> None:
    roster = pd.read_csv(solved_tiny / "roster.csv", dtype=str, keep_default_na=False)
    # Citra is not WFA-eligible: giving her WFA on the 30th breaks eligibility.
    citra = (roster["name"] == "Citra") & (roster["date"] == "2025-12-30")
    roster.loc[citra, ["status", "shift"]] = ["wfa", ""]
    edited = tmp_path / "edited.csv"
    roster.to_csv(edited, index=False, sep=";")  # as a spreadsheet in an Indonesian locale saves it
    code, output = run("check", TINY, edited)
    assert code == 3
    assert "Citra" in output and "2025-12-30" in output


def test_check_refuses_a_malformed_roster(tmp_path: Path) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text(
        "staff_id,name,unit,site,date,status,shift\nnobody,X,dukcapil,,2025-12-29,wfa,\n"
    )
    code, output = run("check", TINY, broken)
    assert code == 2
    assert "broken.csv" in output and "nobody" in output


def test_infeasible_scenario_exits_3_with_a_reason(tmp_path: Path) -> None:
    scenario = tmp_path / "short.yaml"
    scenario.write_text(
        f"extends: {TINY}\n"
        "coverage:\n  - {id: damkar-jaga, min: 4}\n"  # 3 damkar staff cannot put 4 on site
    )
    code, output = run("solve", scenario, "--out", tmp_path / "out")
    assert code == 3
    assert "infeasible" in output and "damkar-jaga" in output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["status"] == "infeasible" and summary["reasons"]
    assert not (tmp_path / "out" / "roster.csv").exists()


@pytest.mark.parametrize("name", sorted(BAD_CASES))
def test_bad_input_exits_2_naming_the_fault_and_writes_nothing(name: str, tmp_path: Path) -> None:
    code, output = run("solve", BAD / name, "--out", tmp_path / "out")
    assert code == 2
    assert BAD_CASES[name].fragment in " ".join(output.split())
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", sorted(WARNING_CASES))
def test_unusable_contacts_warn_and_the_scenario_is_still_solved(name: str, tmp_path: Path) -> None:
    code, output = run("solve", WARN / name, "--out", tmp_path / "out")
    assert code != 2  # accepted; this tiny staff cannot cover the fire post (exit 3), no matter
    assert "warning" in output and WARNING_CASES[name].fragment in " ".join(output.split())
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert len(summary["input_warnings"]) == 1


def test_no_solution_in_time_exits_4(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    unknown = Result(
        "unknown",
        None,
        None,
        None,
        1.0,
        SolverInfo("cp-sat", "x", 0, 1),
        reasons=("no roster found in time for damkar",),
    )
    monkeypatch.setattr(cli, "solve", lambda problem, settings: unknown)
    code, output = run("solve", TINY, "--out", tmp_path)
    assert code == 4
    assert "no roster found in time" in output


def test_schema_describes_the_scenario_format() -> None:
    code, output = run("schema")
    assert code == 0
    schema = json.loads(output)
    assert {"version", "horizon", "units", "staff", "coverage"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False


def _many_wards(tmp_path: Path, count: int = 40) -> Path:
    """Independent wards: each is proven optimal in about half a second, so a Ctrl-C a few
    seconds in always lands mid-solve, with some wards done and some not yet reached."""
    wards = [f"w{k:02d}" for k in range(count)]
    staff = tmp_path / "staff.csv"
    staff.write_text(
        "id,name,unit\n"
        + "".join(
            f"{ward}-{i:02d},Perawat {ward} {i},{ward}\n" for ward in wards for i in range(50)
        )
    )
    # a request in each ward on a different day, so no two wards are the same model (a model
    # met before is not solved again)
    requests = "".join(
        f"  - {{staff: {ward}-00, date: 2025-12-{15 + k % 17}, want: off, weight: {1 + k}}}\n"
        for k, ward in enumerate(wards)
    )
    units = "".join(
        f"  {ward}: {{schedule: roster, shifts: [pagi, siang, malam],"
        " rules: {min_rest_hours: 11, max_consecutive_onsite_days: 5}}\n"
        for ward in wards
    )
    scenario = tmp_path / "wards.yaml"
    scenario.write_text(
        "version: 1\nname: wards\nhorizon: {start: 2025-12-15, end: 2026-01-04}\n"
        "calendar: {holidays: {2025-12-25: Natal, 2026-01-01: Tahun Baru}}\n"
        'shifts: {pagi: {start: "07:00", end: "14:00"}, siang: {start: "14:00", end: "21:00"},'
        ' malam: {start: "21:00", end: "07:00"}}\n'
        f"units:\n{units}"
        "staff: staff.csv\n"
        "coverage:\n"
        '  - {unit: "*", shift: pagi, min: 12}\n'
        '  - {unit: "*", shift: siang, min: 9}\n'
        '  - {unit: "*", shift: malam, min: 7}\n'
        f"requests:\n{requests}"
        "solver: {time_limit_s: 600}\n"
    )
    return scenario


def _wait_for_cpu_seconds(process: subprocess.Popen[bytes], seconds: float) -> None:
    """Until the process has used this much CPU: on a busy machine wall time says little
    about how far a solve has come."""
    ticks = os.sysconf("SC_CLK_TCK")
    while process.poll() is None:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        if (int(fields[11]) + int(fields[12])) / ticks >= seconds:  # utime + stime
            return
        time.sleep(0.2)
    pytest.fail(f"the solve ended (exit {process.returncode}) before it could be interrupted")


@pytest.mark.parametrize("stop", ["SIGINT", "SIGTERM"])
def test_ctrl_c_or_sigterm_writes_the_best_roster_found_so_far(tmp_path: Path, stop: str) -> None:
    scenario, out = _many_wards(tmp_path, 80), tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "solve", str(scenario), "--out", str(out)],
        cwd=Path(__file__).parent.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _wait_for_cpu_seconds(process, 14)  # loaded and searching (loading and checks: ~5 s)
    process.send_signal(getattr(signal, stop))
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr.decode()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "feasible" and summary["interrupted"] is True
    code, _ = run("check", scenario, out / "roster.csv")
    assert code == 0


def test_an_unexpected_failure_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(problem: object, settings: object) -> None:
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(cli, "solve", broken)
    result = CliRunner().invoke(cli.main, ["solve", str(TINY), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert not (tmp_path / "roster.csv").exists()


def test_time_limit_still_returns_a_whole_valid_roster(tmp_path: Path) -> None:
    # 12 wards in 1 s: the parts reached after the limit get a first roster (the greedy
    # start) instead of none, so the run is feasible with every rule held.
    code, output = run(
        "solve", _many_wards(tmp_path, 12), "--out", tmp_path / "out", "--time-limit", "1"
    )
    assert code == 0
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["status"] in ("feasible", "optimal")
    assert run("check", tmp_path / "wards.yaml", tmp_path / "out" / "roster.csv")[0] == 0


def _solved_in_no_time(tmp_path: Path) -> Result:
    problem = Problem(load_scenario(_many_wards(tmp_path, 6)).scenario)
    result = solve(problem, SolveSettings(time_limit_s=0, workers=1))
    assert result.status == "feasible" and result.evaluation is not None
    assert result.evaluation.valid and result.evaluation.objective == result.objective
    return result


def test_parts_left_when_time_is_up_take_their_first_roster_without_a_model(
    tmp_path: Path,
) -> None:
    result = _solved_in_no_time(tmp_path)
    assert [part.variables for part in result.parts] == [0] * 6


def test_a_first_roster_that_breaks_a_rule_is_solved_with_its_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_class = importlib.import_module("optimizer.solve")._Run
    taken_as_it_is = run_class.first_roster_only

    def one_nurse_on_site_every_day(run: Any, part: Any) -> Any:
        outcome = taken_as_it_is(run, part)
        for p, row in outcome.rows.items():  # breaks max_consecutive_onsite_days, no cover
            if run.problem.people[p].id == "w00-00":
                pagi = Option(ONSITE, "pagi")
                outcome.rows[p] = tuple(o if o.status == ONSITE else pagi for o in row)
        return outcome

    monkeypatch.setattr(run_class, "first_roster_only", one_nurse_on_site_every_day)
    result = _solved_in_no_time(tmp_path)
    assert [part.units for part in result.parts if part.variables > 0] == [("w00",)]
