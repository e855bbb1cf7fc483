"""Write the requested reports for one roster: what `piket export` and `piket solve --xlsx
...` both call, so the two commands produce the same files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.problem import Problem
from models.reports.calendar import write_calendars
from models.reports.html import write_html
from models.reports.labels import check_language
from models.reports.wfa_reports import write_wfa_reports
from models.reports.workbook import write_workbook
from models.result import Evaluation, Roster


@dataclass(frozen=True)
class ReportTargets:
    """Where each report goes; None: not asked for."""

    xlsx: Path | None = None
    html: Path | None = None
    ics: Path | None = None  # a folder: one .ics file per person
    wfa_reports: Path | None = None  # .xlsx or .csv; the sibling format is written too

    def any(self) -> bool:
        return any((self.xlsx, self.html, self.ics, self.wfa_reports))


def write_reports(
    targets: ReportTargets,
    problem: Problem,
    roster: Roster,
    evaluation: Evaluation,
    lang: str = "id",
    settings: dict[str, Any] | None = None,
) -> list[Path]:
    """Every asked-for report, each written whole or not at all; returns the paths written."""
    lang = check_language(lang)
    written: list[Path] = []
    if targets.xlsx:
        write_workbook(targets.xlsx, problem, roster, evaluation, lang=lang)
        written.append(targets.xlsx)
    if targets.html:
        write_html(targets.html, problem, roster, evaluation, settings, lang=lang)
        written.append(targets.html)
    if targets.ics:
        written.extend(write_calendars(targets.ics, problem, roster, lang=lang))
    if targets.wfa_reports:
        written.extend(write_wfa_reports(targets.wfa_reports, problem, roster, lang=lang))
    return written
