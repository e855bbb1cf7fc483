"""The daily WFA report template: rows, superiors, languages, and text kept as text."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from models.problem import OFF_OPTION, WFA_OPTION, Option, Problem
from models.reports.wfa_reports import HEADERS, write_wfa_reports
from models.result import Roster
from tests.conftest import build

NIP_HEAD = "196804111993031009"  # 18 digits, as a NIP is
NIP_ZERO = "000123"  # leading zeros a number would lose
NIP_NEW = "198001012005011002"
EVIL = '=cmd|"/c calc"!A1'
KANTOR = Option("onsite", "kantor")


@pytest.fixture
def problem() -> Problem:
    return build(
        units={
            "dukcapil": {"name": "Dinas Kependudukan", "shifts": ["kantor"]},
            "bapenda": {"shifts": ["kantor"]},
        },
        staff=[
            {"id": NIP_HEAD, "name": "Kepala Dinas", "unit": "dukcapil", "phone": "081234567890"},
            {"id": NIP_ZERO, "name": "Budi", "unit": "dukcapil", "superior": NIP_HEAD},
            {"id": NIP_NEW, "name": EVIL, "unit": "dukcapil", "superior": "999"},
            {
                "id": "b-1",
                "name": "Citra",
                "unit": "bapenda",
                "site": "loket",
                "superior": NIP_HEAD,
                "phone": "0811-2345-678",
            },
        ],
    )


@pytest.fixture
def roster() -> Roster:
    # Days 29, 30, 31 Dec 2025. WFA person-days: head 0, Budi 2, EVIL 1, Citra 1 = 4.
    return Roster(
        cells=(
            (KANTOR, KANTOR, KANTOR),
            (WFA_OPTION, KANTOR, WFA_OPTION),
            (KANTOR, WFA_OPTION, KANTOR),
            (KANTOR, KANTOR, WFA_OPTION),
        )
    )


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _read_xlsx(path: Path) -> list[tuple[object, ...]]:
    return list(load_workbook(path).active.iter_rows(values_only=True))


def test_writes_both_formats_whichever_is_named(tmp_path, problem, roster):
    assert write_wfa_reports(tmp_path / "a.xlsx", problem, roster) == [
        tmp_path / "a.xlsx",
        tmp_path / "a.csv",
    ]
    assert write_wfa_reports(tmp_path / "b.csv", problem, roster) == [
        tmp_path / "b.csv",
        tmp_path / "b.xlsx",
    ]
    assert all(p.exists() for p in (tmp_path / "b.csv", tmp_path / "b.xlsx"))
    with pytest.raises(ValueError, match=r"\.xlsx or \.csv"):
        write_wfa_reports(tmp_path / "c.txt", problem, roster)


def test_one_row_per_wfa_person_day_sorted_with_superiors(tmp_path, problem, roster):
    write_wfa_reports(tmp_path / "r.csv", problem, roster)
    frame = _read_csv(tmp_path / "r.csv")
    wfa_days = sum(o == WFA_OPTION for row in roster.cells for o in row)
    assert len(frame) == wfa_days == 4
    h = HEADERS["id"]
    # Sorted by unit, then date, then name: bapenda before dukcapil.
    assert list(zip(frame[h["unit"]], frame[h["date"]], frame[h["staff_id"]], strict=True)) == [
        ("bapenda", "2025-12-31", "b-1"),
        ("dukcapil", "2025-12-29", NIP_ZERO),
        ("dukcapil", "2025-12-30", NIP_NEW),
        ("dukcapil", "2025-12-31", NIP_ZERO),
    ]
    by_id = frame.drop_duplicates(h["staff_id"]).set_index(h["staff_id"])
    assert by_id.loc[NIP_ZERO, h["superior"]] == "Kepala Dinas"
    assert by_id.loc[NIP_ZERO, h["superior_id"]] == NIP_HEAD
    assert by_id.loc[NIP_ZERO, h["unit_name"]] == "Dinas Kependudukan"
    assert by_id.loc["b-1", h["unit_name"]] == "bapenda"  # no name: the id stands in
    assert by_id.loc["b-1", h["site"]] == "loket"
    # An unknown superior id is kept, with no name.
    assert by_id.loc[NIP_NEW, h["superior_id"]] == "999"
    assert by_id.loc[NIP_NEW, h["superior"]] == ""
    # Reachable: each person's phone and their superior's, normalised.
    # A leading + would start a formula in Excel: the CSV keeps it text with a ' prefix.
    assert by_id.loc["b-1", h["phone"]] == "'+628112345678"
    assert by_id.loc["b-1", h["superior_phone"]] == "'+6281234567890"
    assert by_id.loc[NIP_ZERO, h["phone"]] == ""
    for key in ("standby", "target", "output", "evidence"):
        assert set(frame[h[key]]) == {""}


def test_standby_days_name_the_rule(tmp_path, problem, roster):
    # Budi (person 1) stands by for rule dukcapil-siaga on 31 Dec (day 2), a WFA day.
    on_call = Roster(roster.cells, {(1, 2): "dukcapil-siaga"})
    write_wfa_reports(tmp_path / "r.csv", problem, on_call, lang="en")
    frame = _read_csv(tmp_path / "r.csv").set_index(["Staff ID", "Date"])
    assert frame.loc[(NIP_ZERO, "2025-12-31"), "Standby for rule"] == "dukcapil-siaga"
    assert frame.loc[(NIP_ZERO, "2025-12-29"), "Standby for rule"] == ""


def test_no_wfa_gives_header_only(tmp_path, problem):
    empty = Roster(cells=tuple((OFF_OPTION,) * 3 for _ in problem.people))
    write_wfa_reports(tmp_path / "r.xlsx", problem, empty)
    assert len(_read_csv(tmp_path / "r.csv")) == 0
    assert len(_read_xlsx(tmp_path / "r.xlsx")) == 1


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "id",
            [
                "Tanggal",
                "NIP",
                "Nama",
                "OPD",
                "Unit kerja",
                "Atasan langsung",
                "Target harian",
                "Hasil kerja",
                "Tautan bukti",
            ],
        ),
        (
            "en",
            [
                "Date",
                "Staff ID",
                "Name",
                "Unit",
                "Direct superior",
                "Daily target",
                "Work output",
                "Evidence link",
            ],
        ),
    ],
)
def test_headers_in_both_languages(tmp_path, problem, roster, lang, expected):
    write_wfa_reports(tmp_path / "r.xlsx", problem, roster, lang=lang)
    csv_header = list(_read_csv(tmp_path / "r.csv").columns)
    xlsx_header = list(_read_xlsx(tmp_path / "r.xlsx")[0])
    assert csv_header == xlsx_header
    assert set(expected) <= set(csv_header)


def test_unknown_language_is_refused(tmp_path, problem, roster):
    with pytest.raises(ValueError, match="language"):
        write_wfa_reports(tmp_path / "r.xlsx", problem, roster, lang="fr")


def test_csv_has_bom_and_keeps_ids_and_neutralises_formulas(tmp_path, problem, roster):
    write_wfa_reports(tmp_path / "r.csv", problem, roster)
    raw = (tmp_path / "r.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    frame = _read_csv(tmp_path / "r.csv")
    ids = set(frame["NIP"]) | set(frame["NIP atasan"])
    assert {NIP_ZERO, NIP_NEW, NIP_HEAD} <= ids
    assert len(NIP_NEW) == 18
    # Excel would run a CSV cell starting with `=`; the `'` prefix keeps it as text.
    assert "'" + EVIL in set(frame["Nama"])


def test_xlsx_has_no_formula_and_ids_are_text(tmp_path, problem, roster):
    write_wfa_reports(tmp_path / "r.xlsx", problem, roster)
    sheet = load_workbook(tmp_path / "r.xlsx").active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    # openpyxl reads any "=..." string back as a formula, so check the XML itself too.
    with zipfile.ZipFile(tmp_path / "r.xlsx") as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    names = [c.value for c in sheet["C"]]
    assert EVIL in names
    ids = [c.value for c in sheet["B"][1:]] + [c.value for c in sheet["G"][1:]]
    assert all(isinstance(v, str) for v in ids if v is not None)
    assert {NIP_ZERO, NIP_NEW, NIP_HEAD} <= set(ids)
    assert sheet["A2"].value.date() == date(2025, 12, 31)


def test_xlsx_layout(tmp_path, problem, roster):
    write_wfa_reports(tmp_path / "r.xlsx", problem, roster)
    sheet = load_workbook(tmp_path / "r.xlsx").active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:N5"
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["M"].width >= 30  # room to write the day's output


def test_pandas_reads_xlsx_ids_intact(tmp_path, problem, roster):
    write_wfa_reports(tmp_path / "r.xlsx", problem, roster, lang="en")
    frame = pd.read_excel(tmp_path / "r.xlsx", dtype=str)
    assert set(frame["Staff ID"]) == {NIP_ZERO, NIP_NEW, "b-1"}
