"""The fairness ledger: solve a period, write the next staff file with `piket ledger`, solve
the next period with it as is. Exact rosters, arithmetic in comments."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import cli
from models.ledger import next_staff, piket_days_text
from models.load import load_scenario
from models.problem import Problem
from optimizer import check

# Period 1, Mon 29 .. Wed 31 Dec 2025, all WFA days. Ani is pinned on site every day (the
# on-site minimum); Budi, the only dokter, stands by every day; Citra has WFA every day.
PERIOD_1 = """\
version: 1
name: period 1
horizon: {start: 2025-12-29, end: 2025-12-31}
calendar: {wfa_days: [2025-12-29..2025-12-31]}
shifts: {kantor: {start: "07:30", end: "16:00"}}
units: {poli: {shifts: [kantor]}}
staff: staff.csv
coverage:
  - {id: loket, unit: poli, shift: kantor, days: wfa, min: 1}
  - {id: dokter-siaga, unit: poli, skill: dokter, shift: kantor, days: wfa, standby: 1}
pins:
  - {staff: "01", date: 2025-12-29, status: onsite, shift: kantor}
  - {staff: "01", date: 2025-12-30, status: onsite, shift: kantor}
  - {staff: "01", date: 2025-12-31, status: onsite, shift: kantor}
solver: {time_limit_s: 20, workers: 1}
"""
# Period 2, Mon 5 .. Wed 7 Jan 2026: two of the three on site each day, the staff file the
# ledger wrote. Ani asks for WFA on the 5th and 6th (a tie-break below fairness).
PERIOD_2 = """\
version: 1
name: period 2
horizon: {start: 2026-01-05, end: 2026-01-07}
calendar: {wfa_days: [2026-01-05..2026-01-07]}
shifts: {kantor: {start: "07:30", end: "16:00"}}
units: {poli: {shifts: [kantor]}}
staff: staff-next.csv
coverage:
  - {id: loket, unit: poli, shift: kantor, days: wfa, min: 2}
requests:
  - {staff: "01", date: 2026-01-05, want: wfa}
  - {staff: "01", date: 2026-01-06, want: wfa}
solver: {time_limit_s: 20, workers: 1}
"""
STAFF = """\
id,name,unit,skills,jabatan,phone,superior
01,Ani,poli,,Kepala,0812 1111 2222,
02,Budi,poli,dokter,Dokter,,01
03,Citra,poli,,Staf,,01
"""


def run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(cli.main, [str(a) for a in args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def statuses(roster_csv: Path) -> dict[str, list[str]]:
    frame = pd.read_csv(roster_csv, dtype=str, keep_default_na=False)
    return {
        staff_id: list(rows["status"] + ":" + rows["standby"])
        for staff_id, rows in frame.groupby("staff_id", sort=True)
    }


@pytest.fixture
def period_1(tmp_path: Path) -> Path:
    (tmp_path / "staff.csv").write_text(STAFF, encoding="utf-8")
    (tmp_path / "period-1.yaml").write_text(PERIOD_1, encoding="utf-8")
    (tmp_path / "period-2.yaml").write_text(PERIOD_2, encoding="utf-8")
    code, _ = run("solve", tmp_path / "period-1.yaml", "--out", tmp_path / "out-1")
    assert code == 0
    return tmp_path


def test_ledger_round_trip_gives_more_wfa_to_who_carried_more(period_1: Path) -> None:
    folder = period_1
    assert statuses(folder / "out-1" / "roster.csv") == {
        "01": ["onsite:"] * 3,
        "02": ["wfa:dokter-siaga"] * 3,
        "03": ["wfa:"] * 3,
    }
    code, output = run(
        "ledger",
        folder / "period-1.yaml",
        folder / "out-1" / "roster.csv",
        "--out",
        folder / "staff-next.csv",
    )
    assert code == 0
    # Ani: 3 WFA days on site = 3; Budi: 3 standby days x 0.5 = 1.5; Citra: 0.
    assert "history raised for 2 of 3 staff, by 4.5 piket days in all" in " ".join(output.split())
    with (folder / "staff-next.csv").open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows == [
        ["id", "name", "unit", "skills", "jabatan", "phone", "superior", "history"],
        ["01", "Ani", "poli", "", "Kepala", "+6281211112222", "", "3"],
        ["02", "Budi", "poli", "dokter", "Dokter", "", "01", "1.5"],
        ["03", "Citra", "poli", "", "Staf", "", "01", "0"],
    ]

    code, _ = run("solve", folder / "period-2.yaml", "--out", folder / "out-2")
    assert code == 0
    # Histories 3, 1.5, 0 in half days (burden_unit 2): 6, 3, 0. Scale lcm{3} = 3, 3 days
    # available: half day i costs 2(h + i) - 1, a whole day two of them:
    #   Ani 13+15 = 28, 17+19 = 36, 21+23 = 44; Budi 7+9 = 16, 24, 32; Citra 1+3 = 4, 12, 20.
    # Six burden days (2 on site x 3 days), the cheapest: Citra 4, 12, 20, Budi 16, 24,
    # Ani 28 = 104, x weight 10 = 1040, x tier scale 3 (1 + the requests' weights) = 3120.
    # Ani's requests put her one day on site on the 7th.
    assert statuses(folder / "out-2" / "roster.csv") == {
        "01": ["wfa:", "wfa:", "onsite:"],
        "02": ["onsite:", "onsite:", "wfa:"],
        "03": ["onsite:"] * 3,
    }
    summary = (folder / "out-2" / "summary.json").read_text()
    assert '"objective": 3120' in summary


def test_ledger_refuses_a_roster_that_breaks_hard_rules(period_1: Path) -> None:
    roster = period_1 / "out-1" / "roster.csv"
    text = roster.read_text(encoding="utf-8").replace("wfa,,dokter-siaga", "wfa,,", 1)
    broken = period_1 / "broken.csv"
    broken.write_text(text, encoding="utf-8")
    out = period_1 / "staff-next.csv"
    code, output = run("ledger", period_1 / "period-1.yaml", broken, "--out", out)
    assert code == 3 and "breaks 1 hard rule(s)" in output and not out.exists()
    code, _ = run("ledger", period_1 / "period-1.yaml", broken, "--out", out, "--allow-violations")
    assert code == 0 and out.exists()
    code, output = run("ledger", period_1 / "period-1.yaml", roster, "--out", period_1 / "x.xlsx")
    assert code == 2 and "name it .csv" in output


def test_burden_is_what_the_objective_counts(period_1: Path) -> None:
    loaded = load_scenario(period_1 / "period-1.yaml")
    problem = Problem(loaded.scenario)
    evaluation = check(problem, period_1 / "out-1" / "roster.csv")
    assert evaluation.burden == (Decimal(3), Decimal("1.5"), Decimal(0))
    # The objective's units: a day on site is burden_unit (2), a standby day standby_units
    # (1); Ani's 6 units cost 1+3+5+7+9+11 = 36, Budi's 3 cost 1+3+5 = 9: 45 x 10 = 450.
    assert (problem.burden_unit, problem.standby_units) == (2, 1)
    assert evaluation.terms["wfa_fairness"] == 450
    # The ledger's burden, in units, priced by the objective's own cost table.
    priced = sum(
        sum(problem.wfa_burden_unit_costs(p)[: int(burden * problem.burden_unit)])
        for p, burden in enumerate(evaluation.burden)
    )
    assert problem.weights.wfa_days * priced == evaluation.terms["wfa_fairness"]


def test_inline_staff_keeps_the_fields_it_uses(tmp_path: Path) -> None:
    scenario = PERIOD_1.replace(
        "staff: staff.csv",
        'staff:\n  - {id: "01", name: Ani, unit: poli, leave: 2025-12-31, kamar: A1}\n'
        '  - {id: "02", name: Budi, unit: poli, skills: [dokter], history: 2}',
    ).replace('  - {staff: "01", date: 2025-12-31, status: onsite, shift: kantor}\n', "")
    (tmp_path / "inline.yaml").write_text(scenario, encoding="utf-8")
    loaded = load_scenario(tmp_path / "inline.yaml")
    columns, rows = next_staff(loaded, [Decimal(2), Decimal("0.5")])
    assert columns == ["id", "name", "unit", "skills", "leave", "history", "kamar"]
    assert rows == [
        ["01", "Ani", "poli", "", "2025-12-31", "2", "A1"],
        ["02", "Budi", "poli", "dokter", "", "2.5", ""],
    ]


def test_piket_days_text() -> None:
    assert [piket_days_text(Decimal(v)) for v in ("3.0", "2.50", "0.25", "1E+2", "0")] == [
        "3",
        "2.5",
        "0.25",
        "100",
        "0",
    ]
