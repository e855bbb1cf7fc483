"""The Excel workbook: a summary sheet, then one colour-coded roster sheet per OPD.

Written with openpyxl's write-only (streaming) worksheets: the full Bekasi roster is
~145,000 styled cells, and streaming keeps both time and memory low. Styles are built once
per workbook as template cells and copied by their style array, because assigning a
`Fill` or `Font` to every cell hashes it again each time.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from copy import copy
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from models.output import write_atomic
from models.problem import LEAVE, OFF, ONSITE, WFA, Day, Option, Person, Problem
from models.reports.labels import COMMON, STATUS, WEEKDAYS, check_language
from models.result import CoverageFigure, Evaluation, PoolFairness, Roster, StandbyFigure

# Labels only this workbook shows; the shared ones come from labels.COMMON.
LABELS = {
    "id": {
        "summary": "Ringkasan",
        "title": "Jadwal WFA dan piket",
        "unit_id": "Kode",
        "staff_id": "NIP",
        "wfa_person_days": "Hari-orang WFA",
        "wfa_available": "Hari-orang WFA tersedia",
        "min": "Min hari WFA",
        "max": "Maks hari WFA",
        "mean": "Rata-rata hari WFA",
        "coverage_met": "Kebutuhan terpenuhi",
        "coverage_total": "Kebutuhan total",
        "total": "Jumlah",
        "legend": "Keterangan:",
        "holiday_day": "Hari libur",
        "rule": "Aturan",
        "period": "Periode",
        "valid": "Semua aturan wajib terpenuhi",
        "violations": "pelanggaran aturan wajib",
    },
    "en": {
        "summary": "Summary",
        "title": "WFA and on-site duty roster",
        "unit_id": "Code",
        "staff_id": "Staff ID",
        "wfa_person_days": "WFA person-days",
        "wfa_available": "WFA person-days available",
        "min": "Min WFA days",
        "max": "Max WFA days",
        "mean": "Mean WFA days",
        "coverage_met": "Requirements met",
        "coverage_total": "Requirements",
        "total": "Total",
        "legend": "Legend:",
        "holiday_day": "Holiday",
        "rule": "Rule",
        "period": "Period",
        "valid": "Every hard rule holds",
        "violations": "hard-rule violation(s)",
    },
}

# Fill colours (RGB): status cells, header marks, shortfalls.
COLOURS = {
    WFA: "C6EFCE",  # green
    ONSITE: "BDD7EE",  # blue
    OFF: "E7E6E6",  # grey
    LEAVE: "FFE699",  # amber
    "holiday": "F8CBAD",  # salmon: holidays and collective leave in the header
    "wfa_day": "A9D08E",  # darker green: WFA days in the header
    "weekend": "D9D9D9",
    "header": "DDEBF7",
    "short": "FF7C80",  # red: a coverage shortfall
}

FIXED_COLUMNS = 3  # id, name, site
TITLE_ROW, LEGEND_ROW, NOTE_ROW, HEADER_ROW = 1, 2, 3, 4
FIRST_PERSON_ROW = HEADER_ROW + 1
SUMMARY_HEADER_ROW = 4
MAX_TITLE = 31  # Excel's limit on sheet titles
_UNSAFE_TITLE = re.compile(r"[\[\]:*?/\\'\x00-\x1f]")
# Text Excel (or a CSV round trip) could read as a formula or a dynamic-array reference.
_FORMULA_START = ("=", "+", "-", "@")


class _Styles:
    """Template cells, one per look, whose style arrays every written cell copies."""

    def __init__(self, ws: WriteOnlyWorksheet) -> None:
        self._ws = ws
        bold = Font(bold=True)
        centre = Alignment(horizontal="center", vertical="center")
        wrap = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.templates: dict[str, Cell] = {
            "plain": self._template(),
            "title": self._template(font=Font(bold=True, size=14)),
            "bold": self._template(font=bold),
            "header": self._template(font=bold, fill=COLOURS["header"], align=wrap),
            "number": self._template(align=centre),
            "percent": self._template(align=centre, number_format="0.0%"),
            "decimal": self._template(align=centre, number_format="0.00"),
            "ratio": self._template(align=centre, number_format="0.000"),
            "cover": self._template(align=centre),
            "short": self._template(font=bold, fill=COLOURS["short"], align=centre),
            "note": self._template(font=Font(italic=True, size=9), align=wrap),
        }
        for key in (WFA, ONSITE, OFF, LEAVE):
            self.templates[key] = self._template(fill=COLOURS[key], align=centre)
        for key in ("holiday", "wfa_day", "weekend"):
            self.templates[f"head_{key}"] = self._template(font=bold, fill=COLOURS[key], align=wrap)
            self.templates[f"note_{key}"] = self._template(
                font=Font(italic=True, size=9), fill=COLOURS[key], align=wrap
            )

    def _template(
        self,
        font: Font | None = None,
        fill: str | None = None,
        align: Alignment | None = None,
        number_format: str | None = None,
    ) -> Cell:
        cell = WriteOnlyCell(self._ws)
        if font:
            cell.font = font
        if fill:
            cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
        if align:
            cell.alignment = align
        if number_format:
            cell.number_format = number_format
        return cell

    def cell(self, value: Any, style: str = "plain") -> Cell:
        """A cell holding `value` with a look; text is always stored as text."""
        cell = WriteOnlyCell(self._ws)
        cell._style = copy(self.templates[style]._style)
        cell.value = value
        if isinstance(value, str):
            # openpyxl marks text starting with "=" as a formula; a name never is one.
            cell.data_type = "s"
            if value.startswith(_FORMULA_START):
                # Excel keeps a quote-prefixed cell text even when someone edits it later.
                cell.quotePrefix = True
        return cell


# --- entry point ---------------------------------------------------------------------------


def write_workbook(
    path: Path, problem: Problem, roster: Roster, evaluation: Evaluation, lang: str = "id"
) -> None:
    """Write the roster workbook to `path`, whole or not at all."""
    lang = check_language(lang)
    workbook = Workbook(write_only=True)
    members = _members_by_unit(problem)
    coverage = _coverage_by_unit(evaluation.coverage)
    standby = _standby_by_unit(problem, evaluation.standby)
    titles = sheet_titles(list(problem.units), reserved=LABELS[lang]["summary"])
    _write_summary(workbook, problem, roster, evaluation, members, coverage, lang)
    for unit in problem.units:
        grid = _UnitGrid(members[unit], coverage[unit], standby[unit])
        _write_unit_sheet(workbook, titles[unit], problem, roster, unit, grid, lang)
    buffer = BytesIO()
    workbook.save(buffer)
    write_atomic(Path(path), buffer.getvalue())


def _members_by_unit(problem: Problem) -> dict[str, list[Person]]:
    """Each unit's people, grouped by site (a post reads as one block), else in input order."""
    members: dict[str, list[Person]] = {unit: [] for unit in problem.units}
    for person in problem.people:
        members[person.unit].append(person)
    for people in members.values():
        people.sort(key=lambda p: (p.site or "", p.index))
    return members


def _coverage_by_unit(
    figures: Iterable[CoverageFigure],
) -> defaultdict[str, dict[str, list[CoverageFigure]]]:
    """unit -> rule id -> that rule's figures (a rule id names one rule within one unit)."""
    grouped: defaultdict[str, dict[str, list[CoverageFigure]]] = defaultdict(dict)
    for figure in figures:
        grouped[figure.unit].setdefault(figure.requirement, []).append(figure)
    return grouped


def _standby_by_unit(
    problem: Problem, figures: Iterable[StandbyFigure]
) -> defaultdict[str, dict[str, dict[str, str]]]:
    """unit -> rule id -> ISO date -> the names of who stands by, for the rules asking."""
    grouped: defaultdict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for figure in figures:
        names = [problem.people[problem.person_index[i]].name for i in figure.staff]
        grouped[figure.unit].setdefault(figure.requirement, {})[figure.date] = ", ".join(names)
    return grouped


@dataclass(frozen=True)
class _UnitGrid:
    """What one unit's sheet shows: its people, coverage per rule, standby per rule."""

    people: list[Person]
    rules: dict[str, list[CoverageFigure]]
    standby: dict[str, dict[str, str]]


def _has_contacts(problem: Problem) -> bool:
    """Whether the staff file gives phones or superiors: then each sheet lists them."""
    return any(person.phone or person.superior for person in problem.people)


def sheet_titles(units: list[str], reserved: str) -> dict[str, str]:
    """A safe, unique (ignoring case, as Excel does) title of at most 31 characters per unit."""
    taken = {reserved.casefold()}
    titles = {}
    for unit in units:
        base = _UNSAFE_TITLE.sub("_", unit).strip() or "OPD"
        title, n = base[:MAX_TITLE], 1
        while title.casefold() in taken:
            n += 1
            suffix = f"~{n}"
            title = base[: MAX_TITLE - len(suffix)] + suffix
        taken.add(title.casefold())
        titles[unit] = title
    return titles


# --- summary sheet -------------------------------------------------------------------------


@dataclass(frozen=True)
class _UnitFigures:
    staff: int
    wfa_days: int
    wfa_available: int
    fairness: PoolFairness
    met: int
    requirements: int


def _write_summary(
    workbook: Workbook,
    problem: Problem,
    roster: Roster,
    evaluation: Evaluation,
    members: dict[str, list[Person]],
    coverage: dict[str, dict[str, list[CoverageFigure]]],
    lang: str,
) -> None:
    words = LABELS[lang]
    ws = workbook.create_sheet(words["summary"])
    styles = _Styles(ws)
    headers = _summary_headers(lang)
    _set_widths(ws, [14, 48, *[14] * (len(headers) - 2)])
    ws.freeze_panes = f"C{SUMMARY_HEADER_ROW + 1}"
    last = SUMMARY_HEADER_ROW + len(problem.units)
    ws.auto_filter.ref = f"A{SUMMARY_HEADER_ROW}:{get_column_letter(len(headers))}{last}"
    _print_setup(ws, f"{SUMMARY_HEADER_ROW}:{SUMMARY_HEADER_ROW}", "A:B")

    ws.append([styles.cell(f"{words['title']}: {problem.name}", "title")])
    ws.append([styles.cell(_period(problem, words)), styles.cell(_validity(evaluation, words))])
    ws.append([])
    ws.append([styles.cell(h, "header") for h in headers])
    rows = []
    for unit, spec in problem.units.items():
        figures = _unit_figures(problem, roster, evaluation, unit, members[unit], coverage)
        rows.append(figures)
        ws.append([styles.cell(unit), styles.cell(spec.name), *_figure_cells(styles, figures)])
    total = _total_figures(problem, roster, rows)
    ws.append([styles.cell(words["total"], "bold"), styles.cell(""), *_figure_cells(styles, total)])


def _summary_headers(lang: str) -> list[str]:
    words, common = LABELS[lang], COMMON[lang]
    return [
        words["unit_id"],
        common["unit"],
        common["staff"],
        words["wfa_person_days"],
        words["wfa_available"],
        common["wfa_share"],
        common["eligible"],
        words["min"],
        words["max"],
        words["mean"],
        common["jain"],
        words["coverage_met"],
        words["coverage_total"],
    ]


def _period(problem: Problem, words: dict[str, str]) -> str:
    first, last = problem.days[0].date, problem.days[-1].date
    return f"{words['period']}: {first:%d/%m/%Y} – {last:%d/%m/%Y}"


def _validity(evaluation: Evaluation, words: dict[str, str]) -> str:
    if evaluation.valid:
        return words["valid"]
    return f"{len(evaluation.violations)} {words['violations']}"


def _unit_figures(
    problem: Problem,
    roster: Roster,
    evaluation: Evaluation,
    unit: str,
    people: list[Person],
    coverage: dict[str, dict[str, list[CoverageFigure]]],
) -> _UnitFigures:
    figures = [f for rule in coverage.get(unit, {}).values() for f in rule]
    # The checker's figure when its pools are units; otherwise the same figure per unit.
    fairness = (
        evaluation.fairness[unit]
        if problem.pool == "unit" and unit in evaluation.fairness
        else _fairness(problem, roster, people)
    )
    return _UnitFigures(
        staff=len(people),
        wfa_days=evaluation.wfa_person_days.get(unit, 0),
        wfa_available=sum(problem.available_wfa_days(p.index) for p in people),
        fairness=fairness,
        met=sum(f.met for f in figures),
        requirements=len(figures),
    )


def _fairness(problem: Problem, roster: Roster, people: list[Person]) -> PoolFairness:
    """WFA days granted over eligible people with an available WFA day (the checker's rule)."""
    counts = [
        sum(option.status == WFA for option in roster.cells[p.index])
        for p in people
        if p.wfa_eligible and problem.available_wfa_days(p.index)
    ]
    if not counts:
        return PoolFairness(0, 0, 0, 0.0, 1.0)
    squares = sum(c * c for c in counts)
    jain = sum(counts) ** 2 / (len(counts) * squares) if squares else 1.0
    return PoolFairness(len(counts), min(counts), max(counts), sum(counts) / len(counts), jain)


def _total_figures(problem: Problem, roster: Roster, rows: list[_UnitFigures]) -> _UnitFigures:
    return _UnitFigures(
        staff=sum(r.staff for r in rows),
        wfa_days=sum(r.wfa_days for r in rows),
        wfa_available=sum(r.wfa_available for r in rows),
        fairness=_fairness(problem, roster, list(problem.people)),
        met=sum(r.met for r in rows),
        requirements=sum(r.requirements for r in rows),
    )


def _figure_cells(styles: _Styles, f: _UnitFigures) -> list[Cell]:
    share = f.wfa_days / f.wfa_available if f.wfa_available else None
    fair = f.fairness
    has_eligible = fair.eligible > 0
    return [
        styles.cell(f.staff, "number"),
        styles.cell(f.wfa_days, "number"),
        styles.cell(f.wfa_available, "number"),
        styles.cell(share, "percent"),
        styles.cell(fair.eligible, "number"),
        styles.cell(fair.wfa_days_min if has_eligible else None, "number"),
        styles.cell(fair.wfa_days_max if has_eligible else None, "number"),
        styles.cell(fair.wfa_days_mean if has_eligible else None, "decimal"),
        styles.cell(fair.jain if has_eligible else None, "ratio"),
        styles.cell(f.met, "short" if f.met < f.requirements else "number"),
        styles.cell(f.requirements, "number"),
    ]


# --- one sheet per unit --------------------------------------------------------------------


def _write_unit_sheet(
    workbook: Workbook,
    title: str,
    problem: Problem,
    roster: Roster,
    unit: str,
    grid: _UnitGrid,
    lang: str,
) -> None:
    ws = workbook.create_sheet(title)
    styles = _Styles(ws)
    days, people = problem.days, grid.people
    # Contacts (phone, direct superior) sit right of the days: the grid stays where it was.
    contacts = _has_contacts(problem)
    last_column = get_column_letter(FIXED_COLUMNS + len(days) + 2 * contacts)
    _set_widths(ws, [20, 30, 16, *[10] * len(days), *([18, 30] if contacts else [])])
    ws.row_dimensions[NOTE_ROW].height = 36
    ws.row_dimensions[HEADER_ROW].height = 30
    ws.freeze_panes = f"{get_column_letter(FIXED_COLUMNS + 1)}{FIRST_PERSON_ROW}"
    # The filter covers the people only; coverage rows sit below, after a blank row.
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{HEADER_ROW + max(len(people), 1)}"
    _print_setup(ws, f"{NOTE_ROW}:{HEADER_ROW}", f"A:{get_column_letter(FIXED_COLUMNS)}")

    name = problem.units[unit].name
    ws.append([styles.cell(f"{LABELS[lang]['title']}: {name}", "title")])
    ws.append(_legend_row(styles, lang))
    ws.append(_note_row(styles, days, lang))
    ws.append(
        _header_row(styles, days, lang) + (_contact_headers(styles, lang) if contacts else [])
    )
    statuses = {status: STATUS[lang][status] for status in (WFA, ONSITE, OFF, LEAVE)}
    statuses["standby"] = f"{statuses[WFA]} · {COMMON[lang]['standby']}"
    for person in people:
        row = _person_row(styles, statuses, person, roster.cells[person.index], roster)
        ws.append(row + (_contact_cells(styles, problem, person) if contacts else []))
    ws.append([])
    for row in _coverage_rows(styles, problem, grid, lang):
        ws.append(row)


def _set_widths(ws: WriteOnlyWorksheet, widths: list[int]) -> None:
    for k, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(k)].width = width


def _print_setup(ws: WriteOnlyWorksheet, title_rows: str, title_columns: str) -> None:
    """Landscape A4, one page wide, header rows and name columns on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows
    ws.print_title_cols = title_columns


def _legend_row(styles: _Styles, lang: str) -> list[Cell]:
    status, words = STATUS[lang], LABELS[lang]
    return [
        styles.cell(words["legend"], "bold"),
        styles.cell(status[WFA], WFA),
        styles.cell(status[ONSITE], ONSITE),
        styles.cell(status[OFF], OFF),
        styles.cell(status[LEAVE], LEAVE),
        styles.cell(words["holiday_day"], "head_holiday"),
        styles.cell(COMMON[lang]["wfa_day"], "head_wfa_day"),
        styles.cell(COMMON[lang]["not_met"], "short"),
    ]


def _day_mark(day: Day) -> str | None:
    """Which header mark a day gets: a holiday outranks a WFA day, which outranks a weekend."""
    if day.is_holiday_duty_day:
        return "holiday"
    if day.is_wfa:
        return "wfa_day"
    if not day.is_working:
        return "weekend"
    return None


def _day_note(day: Day, lang: str) -> str:
    common = COMMON[lang]
    if day.holiday:
        return f"{common['holiday']}: {day.holiday}"
    if day.collective_leave:
        return f"{common['collective_leave']}: {day.collective_leave}"
    if day.is_wfa:
        return common["wfa_day"]
    return ""


def _note_row(styles: _Styles, days: tuple[Day, ...], lang: str) -> list[Cell]:
    cells = [styles.cell("")] * FIXED_COLUMNS
    for day in days:
        mark = _day_mark(day)
        cells.append(styles.cell(_day_note(day, lang), f"note_{mark}" if mark else "note"))
    return cells


def _header_row(styles: _Styles, days: tuple[Day, ...], lang: str) -> list[Cell]:
    common = COMMON[lang]
    cells = [
        styles.cell(LABELS[lang]["staff_id"], "header"),
        styles.cell(common["name"], "header"),
        styles.cell(common["site"], "header"),
    ]
    for day in days:
        mark = _day_mark(day)
        text = f"{WEEKDAYS[lang][day.date.weekday()]} {day.date:%d/%m/%Y}"
        cells.append(styles.cell(text, f"head_{mark}" if mark else "header"))
    return cells


def _person_row(
    styles: _Styles,
    statuses: dict[str, str],
    person: Person,
    options: Iterable[Option],
    roster: Roster,
) -> list[Cell]:
    # The id is text: a NIP has 18 digits, more than Excel keeps in a number.
    cells = [styles.cell(person.id), styles.cell(person.name), styles.cell(person.site or "")]
    for day, option in enumerate(options):
        if option.status == ONSITE and option.shift:
            text = option.shift
        elif option.status == WFA and (person.index, day) in roster.standby:
            text = statuses["standby"]
        else:
            text = statuses[option.status]
        cells.append(styles.cell(text, option.status))
    return cells


def _contact_headers(styles: _Styles, lang: str) -> list[Cell]:
    return [
        styles.cell(COMMON[lang]["phone"], "header"),
        styles.cell(COMMON[lang]["superior"], "header"),
    ]


def _contact_cells(styles: _Styles, problem: Problem, person: Person) -> list[Cell]:
    """The person's phone and their direct superior (name, or the id if not on the staff)."""
    index = problem.person_index.get(person.superior or "")
    superior = problem.people[index].name if index is not None else (person.superior or "")
    return [styles.cell(person.phone or ""), styles.cell(superior)]


def _coverage_rows(
    styles: _Styles, problem: Problem, grid: _UnitGrid, lang: str
) -> Iterator[list[Cell]]:
    """A heading, then per rule one row: on site / required per day, shortfalls in red; a
    rule asking for standby gets a second row naming who stands by each day."""
    rules = grid.rules
    if not rules:
        return
    common = COMMON[lang]
    yield [
        styles.cell(LABELS[lang]["rule"], "header"),
        styles.cell(common["coverage"], "header"),
        styles.cell(common["shift"], "header"),
    ]
    iso = {day.date.isoformat(): day.index for day in problem.days}
    for rule_id, figures in rules.items():
        first = figures[0]
        where = " / ".join(part for part in (first.site, first.skill) if part)
        label = f"{common['onsite']} / {common['required']}" + (f" ({where})" if where else "")
        by_day = {iso[f.date]: f for f in figures}
        cells = [styles.cell(rule_id, "bold"), styles.cell(label), styles.cell(first.shift)]
        for day in problem.days:
            cells.append(_coverage_cell(styles, by_day.get(day.index)))
        yield cells
        standby = grid.standby.get(rule_id)
        if standby:
            cells = [styles.cell(""), styles.cell(common["standby"]), styles.cell(first.shift)]
            for day in problem.days:
                names = standby.get(day.date.isoformat(), "")
                cells.append(styles.cell(names, WFA if names else "plain"))
            yield cells


def _coverage_cell(styles: _Styles, figure: CoverageFigure | None) -> Cell:
    if figure is None:
        return styles.cell("")
    return styles.cell(f"{figure.onsite}/{figure.required}", "cover" if figure.met else "short")
