"""Daily WFA performance report template: one row per WFA person-day, as XLSX and CSV.

PermenPAN-RB 4/2025 (and Kota Bekasi's rules for the trial) require every WFA worker to
report each day's results to their direct superior, and to stay reachable. This writes the
sheet they fill in: who worked from anywhere on which day, their phone, whom to report to
(and the superior's phone), the rule they stand by for that day if they are standby, and
empty target, output and evidence-link columns.

Both formats are written because both are asked for in practice: the XLSX for people
(styled, filterable), the CSV for upload to other systems. Every cell that comes from input
is kept as text, so an 18-digit NIP keeps its digits and a name like `=cmd|...` is never
run as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from models.output import write_atomic
from models.problem import WFA, Person, Problem
from models.reports.labels import COMMON, check_language
from models.result import Roster

# Column keys in output order; the last three are left empty for the worker to fill in.
COLUMNS = (
    "date",
    "staff_id",
    "name",
    "unit",
    "unit_name",
    "site",
    "superior_id",
    "superior",
    "phone",
    "superior_phone",
    "standby",
    "target",
    "output",
    "evidence",
)
FILL_IN = ("target", "output", "evidence")

HEADERS = {
    "id": {
        "date": COMMON["id"]["date"],
        "staff_id": "NIP",
        "name": COMMON["id"]["name"],
        "unit": COMMON["id"]["unit"],
        "unit_name": "Unit kerja",
        "site": COMMON["id"]["site"],
        "superior_id": "NIP atasan",
        "superior": COMMON["id"]["superior"],
        "phone": COMMON["id"]["phone"],
        "superior_phone": "Telepon atasan",
        "standby": "Siaga untuk aturan",
        "target": "Target harian",
        "output": "Hasil kerja",
        "evidence": "Tautan bukti",
    },
    "en": {
        "date": COMMON["en"]["date"],
        "staff_id": "Staff ID",
        "name": COMMON["en"]["name"],
        "unit": COMMON["en"]["unit"],
        "unit_name": "Unit name",
        "site": COMMON["en"]["site"],
        "superior_id": "Superior ID",
        "superior": COMMON["en"]["superior"],
        "phone": COMMON["en"]["phone"],
        "superior_phone": "Superior's phone",
        "standby": "Standby for rule",
        "target": "Daily target",
        "output": "Work output",
        "evidence": "Evidence link",
    },
}
SHEET_TITLE = {"id": "Laporan WFA", "en": "WFA report"}
# Excel shows dates in the reader's habit: day first in Indonesia, ISO for English readers.
DATE_FORMAT = {"id": "dd/mm/yyyy", "en": "yyyy-mm-dd"}
# Characters that make a spreadsheet treat a cell typed or opened from CSV as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

FILL_IN_WIDTH = {"target": 30, "output": 45, "evidence": 35}
MIN_WIDTH, MAX_WIDTH = 10, 50
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")


@dataclass(frozen=True)
class ReportRow:
    day: date
    staff_id: str
    name: str
    unit: str
    unit_name: str
    site: str
    superior_id: str
    superior: str
    phone: str
    superior_phone: str
    standby: str  # the rule id this person stands by for that day, or ""

    def texts(self) -> tuple[str, ...]:
        """The input-derived cells after the date, in COLUMNS order."""
        return (
            self.staff_id,
            self.name,
            self.unit,
            self.unit_name,
            self.site,
            self.superior_id,
            self.superior,
            self.phone,
            self.superior_phone,
            self.standby,
        )


def write_wfa_reports(path: Path, problem: Problem, roster: Roster, lang: str = "id") -> list[Path]:
    """Write the report as `path` and as its sibling in the other format; returns both paths.

    `path` must end in `.xlsx` or `.csv`. Each file is written whole or not at all.
    """
    lang = check_language(lang)
    xlsx_path, csv_path = _paths(path)
    rows = wfa_rows(problem, roster)
    write_atomic(xlsx_path, _xlsx_bytes(rows, lang))
    write_atomic(csv_path, _csv_bytes(rows, lang))
    return [path, csv_path if path == xlsx_path else xlsx_path]


def _paths(path: Path) -> tuple[Path, Path]:
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ValueError(f"WFA report path {path} must end in .xlsx or .csv")
    # Keep the caller's spelling for the file they named; the sibling gets a lowercase suffix.
    if suffix == ".xlsx":
        return path, path.with_suffix(".csv")
    return path.with_suffix(".xlsx"), path


def wfa_rows(problem: Problem, roster: Roster) -> list[ReportRow]:
    """One row per WFA person-day, sorted by unit, date, name (staff id breaks ties)."""
    rows = [
        _row(problem, person, problem.days[d].date, roster.standby.get((person.index, d), ""))
        for person, cells in zip(problem.people, roster.cells, strict=True)
        for d, option in enumerate(cells)
        if option.status == WFA
    ]
    rows.sort(key=lambda r: (r.unit, r.day, r.name, r.staff_id))
    return rows


def _row(problem: Problem, person: Person, day: date, standby: str) -> ReportRow:
    superior_id, superior = person.superior or "", _superior(problem, person)
    return ReportRow(
        day=day,
        staff_id=person.id,
        name=person.name,
        unit=person.unit,
        unit_name=problem.units[person.unit].name,
        site=person.site or "",
        superior_id=superior_id,
        superior=superior.name if superior else "",
        phone=person.phone or "",
        superior_phone=(superior.phone or "") if superior else "",
        standby=standby,
    )


def _superior(problem: Problem, person: Person) -> Person | None:
    """The direct superior, or None when there is none or the id is not on the staff.

    A loaded scenario's superiors are always on the staff (validation sees to it); a
    Problem built another way may name someone else, whose id is still shown: a planner
    can see and fix a wrong id more easily than a missing one.
    """
    index = problem.person_index.get(person.superior or "")
    return problem.people[index] if index is not None else None


# --- XLSX --------------------------------------------------------------------------------


def _xlsx_bytes(rows: Sequence[ReportRow], lang: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new Workbook always has one sheet
    sheet.title = SHEET_TITLE[lang]
    sheet.append([HEADERS[lang][key] for key in COLUMNS])
    _style_header(sheet)
    for number, row in enumerate(rows, start=2):
        _write_row(sheet, number, row, lang)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(rows) + 1}"
    _set_widths(sheet, rows, lang)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _style_header(sheet: Worksheet) -> None:
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)


def _write_row(sheet: Worksheet, number: int, row: ReportRow, lang: str) -> None:
    date_cell = sheet.cell(row=number, column=1, value=row.day)
    date_cell.number_format = DATE_FORMAT[lang]
    for column, value in enumerate(row.texts(), start=2):
        _text_cell(sheet, number, column, value)


def _text_cell(sheet: Worksheet, row: int, column: int, value: str) -> None:
    """Store `value` as a string cell, whatever it looks like.

    openpyxl turns any string starting with `=` into a formula, so the type is forced back to
    string; the text number format keeps an 18-digit NIP as text if someone retypes it, and
    the quote prefix keeps `=`/`+`/`-`/`@` literal when a cell is edited in Excel.
    """
    cell = sheet.cell(row=row, column=column)
    # Control characters are illegal in XLSX XML and would make the whole save fail.
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.data_type = "s"
    cell.number_format = "@"
    if value.startswith(FORMULA_START):
        cell.quotePrefix = True


def _set_widths(sheet: Worksheet, rows: Sequence[ReportRow], lang: str) -> None:
    headers = HEADERS[lang]
    longest = {key: len(headers[key]) for key in COLUMNS}
    longest["date"] = max(longest["date"], 10)
    text_keys = COLUMNS[1 : len(COLUMNS) - len(FILL_IN)]
    for row in rows:
        for key, value in zip(text_keys, row.texts(), strict=True):
            longest[key] = max(longest[key], len(value))
    for number, key in enumerate(COLUMNS, start=1):
        width = FILL_IN_WIDTH.get(key, min(max(longest[key] + 2, MIN_WIDTH), MAX_WIDTH))
        sheet.column_dimensions[get_column_letter(number)].width = width


# --- CSV ---------------------------------------------------------------------------------


def _csv_bytes(rows: Sequence[ReportRow], lang: str) -> bytes:
    """UTF-8 with a BOM: without it Excel reads the file in the local code page and garbles
    non-ASCII names. Dates are ISO, which every reader parses the same way."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([HEADERS[lang][key] for key in COLUMNS])
    for row in rows:
        texts = [_csv_safe(value) for value in row.texts()]
        writer.writerow([row.day.isoformat(), *texts, *([""] * len(FILL_IN))])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_safe(value: str) -> str:
    """Prefix text Excel would run as a formula with `'` (the OWASP CSV-injection defence).

    A CSV has no cell types, so this is the only way to keep `=cmd|...` inert when the file
    is opened in a spreadsheet. Ids of digits never start with these characters, so they
    are untouched.
    """
    return f"'{value}" if value.startswith(FORMULA_START) else value
