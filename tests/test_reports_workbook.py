"""The Excel workbook: sheets, colours, header marks, coverage rows, print setup, and that
no staff-supplied text ever becomes a formula."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from models.problem import LEAVE, OFF, ONSITE, WFA, WFA_OPTION, Option, Problem
from models.reports.workbook import COLOURS, sheet_titles, write_workbook
from models.result import Evaluation, Roster
from optimizer.check import evaluate
from optimizer.solve import SolveSettings, solve
from tests.conftest import build, people

# Wed 2025-12-24 .. Wed 2025-12-31: Christmas, collective leave, a weekend, three WFA days.
DAYS = [f"2025-12-{d}" for d in range(24, 32)]
HOLIDAY, COLLECTIVE, WFA_DAY = "2025-12-25", "2025-12-26", "2025-12-29"
TRICKY_NAMES = ['=HYPERLINK("x")', "+62812", "-1", "@SUM(A1)"]


def _problem() -> Problem:
    staff = people(6, "kantor")
    for person, name in zip(staff, TRICKY_NAMES, strict=False):
        person["name"] = name
    staff[5]["leave"] = WFA_DAY  # on leave on a WFA day
    return build(
        horizon={"start": DAYS[0], "end": DAYS[-1]},
        calendar={
            "holidays": {HOLIDAY: "Hari Raya Natal"},
            "collective_leave": {COLLECTIVE: "Cuti Bersama Natal"},
            "wfa_days": ["2025-12-29..2025-12-31"],
        },
        units={
            "kantor": {"name": "Badan Pendapatan Daerah", "shifts": ["kantor"]},
            "damkar": {"name": "Dinas Pemadam Kebakaran", "schedule": "roster", "shifts": ["jaga"]},
        },
        staff=staff + people(3, "damkar"),
        coverage=[
            {"id": "kantor-wfa", "unit": "kantor", "shift": "kantor", "days": "wfa", "min": 2},
            {"id": "damkar-jaga", "unit": "damkar", "shift": "jaga", "days": "all", "min": 1},
        ],
    )


@pytest.fixture(scope="module")
def solved() -> tuple[Problem, Roster, Evaluation]:
    problem = _problem()
    result = solve(problem, SolveSettings(time_limit_s=20, workers=1, seed=0))
    assert result.roster is not None
    return problem, result.roster, evaluate(problem, result.roster)


def _write(tmp_path: Path, solved: tuple[Problem, Roster, Evaluation], **kw: Any) -> Workbook:
    path = tmp_path / "roster.xlsx"
    write_workbook(path, *solved, **kw)
    return load_workbook(path)


def _row_of(ws: Worksheet, staff_id: str) -> int:
    return next(c.row for c in ws["A"] if c.value == staff_id)


def _column_of(ws: Worksheet, iso: str) -> int:
    day, month, year = iso[8:], iso[5:7], iso[:4]
    return next(c.column for c in ws[4] if str(c.value).endswith(f"{day}/{month}/{year}"))


def _rgb(ws: Worksheet, row: int, column: int) -> str:
    return str(ws.cell(row, column).fill.fgColor.rgb)[-6:]


def test_sheets_summary_and_atomic_write(tmp_path: Path, solved: Any) -> None:
    wb = _write(tmp_path, solved)
    assert wb.sheetnames == ["Ringkasan", "kantor", "damkar"]
    summary = wb["Ringkasan"]
    rows = {r[0]: r for r in summary.iter_rows(min_row=5, values_only=True)}
    kantor = rows["kantor"]
    assert kantor[1] == "Badan Pendapatan Daerah"
    assert kantor[2] == 6  # staff
    problem, roster, evaluation = solved
    assert kantor[3] == evaluation.wfa_person_days["kantor"]
    assert kantor[4] == 6 * 3 - 1  # WFA-day person-days available, minus one leave day
    assert kantor[5] == pytest.approx(kantor[3] / kantor[4])
    assert kantor[10] == pytest.approx(evaluation.fairness["kantor"].jain)
    assert kantor[11:13] == (3, 3)  # coverage requirements met / total
    assert summary.freeze_panes == "C5"
    # Only the workbook: the temporary file was renamed, not left behind.
    assert [p.name for p in tmp_path.iterdir()] == ["roster.xlsx"]


def test_legend_and_status_colours(tmp_path: Path, solved: Any) -> None:
    problem, roster, _ = solved
    ws = _write(tmp_path, solved)["kantor"]
    legend = [c.value for c in ws[2]][:5]
    assert legend == ["Keterangan:", "WFA", "Piket", "Libur", "Cuti"]
    for column, status in enumerate((WFA, ONSITE, OFF, LEAVE), start=2):
        assert _rgb(ws, 2, column) == COLOURS[status]

    on_leave = problem.people[5]
    leave_cell = (_row_of(ws, on_leave.id), _column_of(ws, WFA_DAY))
    assert ws.cell(*leave_cell).value == "Cuti"
    assert _rgb(ws, *leave_cell) == COLOURS[LEAVE]

    day = problem.day_index[problem.days[0].date.fromisoformat(WFA_DAY)]
    wfa_person = next(p for p in problem.people if roster.cells[p.index][day] == WFA_OPTION)
    wfa_cell = (_row_of(ws, wfa_person.id), _column_of(ws, WFA_DAY))
    assert ws.cell(*wfa_cell).value == "WFA"
    assert _rgb(ws, *wfa_cell) == COLOURS[WFA]


def test_on_site_cells_show_the_shift(tmp_path: Path, solved: Any) -> None:
    ws = _write(tmp_path, solved)["damkar"]
    statuses = {c.value for row in ws.iter_rows(min_row=5, max_row=7, min_col=4) for c in row}
    assert "jaga" in statuses
    assert statuses <= {"jaga", "Libur"}


def test_header_marks_holidays_and_wfa_days(tmp_path: Path, solved: Any) -> None:
    ws = _write(tmp_path, solved)["kantor"]
    holiday, collective, wfa = (_column_of(ws, d) for d in (HOLIDAY, COLLECTIVE, WFA_DAY))
    assert ws.cell(4, holiday).value == "Kam 25/12/2025"
    assert _rgb(ws, 4, holiday) == COLOURS["holiday"]
    assert _rgb(ws, 4, collective) == COLOURS["holiday"]
    assert _rgb(ws, 4, wfa) == COLOURS["wfa_day"]
    assert ws.cell(3, holiday).value == "Libur nasional: Hari Raya Natal"
    assert ws.cell(3, collective).value == "Cuti bersama: Cuti Bersama Natal"
    assert ws.cell(3, wfa).value == "Hari WFA"
    assert ws.cell(3, _column_of(ws, "2025-12-24")).value is None  # an ordinary day


def test_frozen_panes_filter_and_print_setup(tmp_path: Path, solved: Any) -> None:
    ws = _write(tmp_path, solved)["kantor"]
    assert ws.freeze_panes == "D5"
    assert ws.auto_filter.ref == "A4:K10"  # header and six people, eight days
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$3:$4"
    assert ws.print_title_cols == "$A:$C"


def test_coverage_shortfall_is_red(tmp_path: Path, solved: Any) -> None:
    problem, roster, _ = solved
    day = problem.day_index[problem.days[0].date.fromisoformat(WFA_DAY)]
    # Everyone in kantor leaves the office that day (WFA where allowed, else kept as is).
    cells = [list(row) for row in roster.cells]
    for person in problem.people:
        if person.unit == "kantor" and WFA_OPTION in problem.options[person.index][day]:
            cells[person.index][day] = WFA_OPTION
    broken = Roster(tuple(tuple(row) for row in cells))
    evaluation = evaluate(problem, broken)
    assert not evaluation.valid
    ws = _write(tmp_path, (problem, broken, evaluation))["kantor"]
    row = next(c.row for c in ws["A"] if c.value == "kantor-wfa")
    short = ws.cell(row, _column_of(ws, WFA_DAY))
    assert short.value == "0/2"
    assert _rgb(ws, row, short.column) == COLOURS["short"]
    met = ws.cell(row, _column_of(ws, "2025-12-30"))
    assert met.value.endswith("/2") and int(met.value.split("/")[0]) >= 2
    assert met.fill.fill_type is None
    assert ws.cell(row, _column_of(ws, HOLIDAY)).value is None  # the rule asks nothing then


def test_text_is_never_a_formula(tmp_path: Path, solved: Any) -> None:
    wb = _write(tmp_path, solved)
    ws = wb["kantor"]
    names = {ws.cell(r, 2).value: ws.cell(r, 2) for r in range(5, 11)}
    for name in TRICKY_NAMES:
        assert names[name].data_type == "s"
        assert names[name].quotePrefix
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)
    with zipfile.ZipFile(tmp_path / "roster.xlsx") as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert all(b"<f>" not in archive.read(n) and b"<f " not in archive.read(n) for n in sheets)


def test_staff_ids_are_text(tmp_path: Path) -> None:
    problem = build(staff=[{"id": "196804111993031009", "name": "Ani", "unit": "office"}])
    roster = Roster(((Option(ONSITE, "kantor"),) * 3,))
    path = tmp_path / "roster.xlsx"
    write_workbook(path, problem, roster, evaluate(problem, roster))
    cell = load_workbook(path)["office"]["A5"]
    assert cell.value == "196804111993031009"
    assert cell.data_type == "s"


def test_english_labels(tmp_path: Path, solved: Any) -> None:
    problem, _, _ = solved
    wb = _write(tmp_path, solved, lang="en")
    assert wb.sheetnames[0] == "Summary"
    ws = wb["kantor"]
    assert [c.value for c in ws[2]][:5] == ["Legend:", "WFA", "On site", "Off", "Leave"]
    assert ws.cell(4, _column_of(ws, HOLIDAY)).value == "Thu 25/12/2025"
    assert ws.cell(3, _column_of(ws, HOLIDAY)).value == "Public holiday: Hari Raya Natal"
    leave = (_row_of(ws, problem.people[5].id), _column_of(ws, WFA_DAY))
    assert ws.cell(*leave).value == "Leave"


def test_unknown_language_is_refused(tmp_path: Path, solved: Any) -> None:
    problem, roster, evaluation = solved
    with pytest.raises(ValueError, match="language"):
        write_workbook(tmp_path / "x.xlsx", problem, roster, evaluation, lang="fr")
    assert not (tmp_path / "x.xlsx").exists()


def test_sheet_titles_are_safe_short_and_unique() -> None:
    long = "dinas-kependudukan-dan-pencatatan-sipil"
    titles = sheet_titles(
        [long, long + "-x", "a/b:c", "RINGKASAN", "Kantor", "kantor"], reserved="Ringkasan"
    )
    values = list(titles.values())
    assert all(len(t) <= 31 for t in values)
    assert len({t.casefold() for t in values} | {"ringkasan"}) == len(values) + 1
    assert titles["a/b:c"] == "a_b_c"
    assert titles[long] == long[:31]
