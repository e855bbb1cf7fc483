"""`piket export` and `piket solve --xlsx/--html/--ics/--wfa-reports`: the files people open."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.test_cli import TINY, run


@pytest.fixture(scope="module")
def tiny_roster(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny")
    assert run("solve", TINY, "--out", out)[0] == 0
    return out / "roster.csv"


def test_export_writes_every_report(tiny_roster: Path, tmp_path: Path) -> None:
    code, output = run(
        "export",
        TINY,
        tiny_roster,
        "--xlsx",
        tmp_path / "roster.xlsx",
        "--html",
        tmp_path / "report.html",
        "--ics",
        tmp_path / "ics",
        "--wfa-reports",
        tmp_path / "wfa.xlsx",
    )
    assert code == 0, output
    assert (tmp_path / "report.html").read_text().lower().startswith("<!doctype html")
    assert len(list((tmp_path / "ics").glob("*.ics"))) == 6  # one per person
    assert (tmp_path / "wfa.csv").exists()
    workbook = openpyxl.load_workbook(tmp_path / "roster.xlsx")
    assert len(workbook.sheetnames) >= 3  # a summary and one sheet per OPD


def test_solve_writes_reports_in_english_when_asked(tmp_path: Path) -> None:
    code, _ = run("solve", TINY, "--out", tmp_path, "--html", tmp_path / "r.html", "--lang", "en")
    assert code == 0
    assert (
        "Leave" in (tmp_path / "r.html").read_text() or "WFA" in (tmp_path / "r.html").read_text()
    )


def test_export_needs_a_target(tiny_roster: Path) -> None:
    code, output = run("export", TINY, tiny_roster)
    assert code == 2 and "--xlsx" in output
