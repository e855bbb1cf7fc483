"""Scenarios side by side: the figures of each solve, and a table of them (terminal, CSV,
Markdown) for weighing one policy against another.

`scenario_figures` runs where the scenario was solved (it needs the `Problem` and the
roster) and its figures travel in the job's record; the table is built from records and
roster files alone, so results solved earlier, or on other machines, compare the same way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.table import Table

from models.output import ROSTER_FILE
from models.problem import WFA, Problem
from models.result import Result

if TYPE_CHECKING:
    from jobs.batch import JobResult

SHOWN_REASONS = 2  # infeasibility reasons in a table cell, before "(+N more)"
SHOWN_RANGES = 3  # runs of tightest days in a table cell, before "+N more"


# --- the figures of one solve ------------------------------------------------------------------


def scenario_figures(problem: Problem, result: Result, summary: dict[str, Any]) -> dict[str, Any]:
    """What a comparison shows of one solve, as JSON: WFA person-days (total and per unit),
    WFA share per unit (granted / available WFA days of its staff), fairness per pool,
    coverage margin per rule (on site minus required, at its tightest, and on which days),
    people with no WFA day, and the shortfalls that make it infeasible."""
    figures: dict[str, Any] = {
        "wfa_person_days": None,
        "wfa_person_days_per_unit": {},
        "wfa_share_per_unit": {},
        "people_without_wfa": None,
        "fairness": _fairness(summary),
        "coverage_margin": _coverage_margins(summary["coverage"]),
        "shortfalls": list(result.reasons) if result.status == "infeasible" else [],
    }
    if result.roster is None:
        return figures
    available = _available_wfa_per_unit(problem)
    granted = summary["wfa_person_days"]
    figures["wfa_person_days"] = sum(granted.values())
    figures["wfa_person_days_per_unit"] = {unit: granted.get(unit, 0) for unit in available}
    figures["wfa_share_per_unit"] = {
        unit: round(granted.get(unit, 0) / days, 4) for unit, days in available.items()
    }
    figures["people_without_wfa"] = sum(
        1
        for person, row in zip(problem.people, result.roster.cells, strict=True)
        if problem.available_wfa_days(person.index) and not any(o.status == WFA for o in row)
    )
    return figures


def _available_wfa_per_unit(problem: Problem) -> dict[str, int]:
    """Units whose staff could have WFA at all, with their available WFA person-days."""
    available: dict[str, int] = {}
    for person in problem.people:
        days = problem.available_wfa_days(person.index)
        if days:
            available[person.unit] = available.get(person.unit, 0) + days
    return dict(sorted(available.items()))


def _fairness(summary: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Pools with WFA-eligible staff (the others have no WFA to share)."""
    return {
        pool: {
            "min": f["wfa_days_min"],
            "max": f["wfa_days_max"],
            "mean": f["wfa_days_mean"],
            "jain": f["jain"],
        }
        for pool, f in summary["fairness"].items()
        if f["eligible"]
    }


def _coverage_margins(coverage: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per coverage rule (and unit, for a rule over several units): the smallest margin
    above its minimum over the days it asks for someone, and the days at that margin."""
    units_of: dict[str, set[str]] = {}
    for figure in coverage:
        units_of.setdefault(figure["requirement"], set()).add(figure["unit"])
    margins: dict[str, dict[str, Any]] = {}
    for figure in coverage:
        if figure["required"] <= 0:
            continue
        rule = figure["requirement"]
        key = rule if len(units_of[rule]) == 1 else f"{rule}/{figure['unit']}"
        margin = figure["onsite"] - figure["required"]
        tightest = margins.setdefault(key, {"margin": margin, "days": []})
        if margin < tightest["margin"]:
            tightest.update(margin=margin, days=[])
        if margin == tightest["margin"]:
            tightest["days"].append(figure["date"])
    return margins


# --- rosters against the baseline --------------------------------------------------------------


def roster_differences(baseline: Path, other: Path) -> int:
    """Cells (person, day) whose status or shift differ; a cell in one roster only counts."""
    columns = ["staff_id", "date", "status", "shift"]
    left, right = (
        pd.read_csv(path, dtype=str, keep_default_na=False, usecols=columns)
        for path in (baseline, other)
    )
    both = left.merge(right, on=["staff_id", "date"], how="outer", indicator=True)
    only_one = both["_merge"] != "both"
    changed = (both["status_x"] != both["status_y"]) | (both["shift_x"] != both["shift_y"])
    return int((only_one | changed).sum())


# --- the table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    figure: str
    key: str  # the unit, pool or rule; "" for a figure of the whole scenario
    kind: str  # how values read: text, count, share, fairness, margin, reasons
    values: tuple[Any, ...]  # one per scenario; None where it does not apply
    detail: bool = False  # per unit, pool or rule: hidden when equal in every scenario

    @property
    def same_everywhere(self) -> bool:
        """Equal in every scenario. A margin counts as equal when its size is: which days
        are tightest often changes between equally good rosters and says little."""
        values = [
            v["margin"] if self.kind == "margin" and v is not None else v for v in self.values
        ]
        return all(value == values[0] for value in values)


@dataclass(frozen=True)
class Comparison:
    labels: tuple[str, ...]  # column headings, baseline first
    baseline: str
    rows: tuple[Row, ...]
    hidden: int  # detail rows left out because they are the same in every scenario


def build_comparison(
    results: Sequence[JobResult], baseline: str, all_rows: bool = False
) -> Comparison:
    """The side-by-side table of `results` (solved or reused), measured against the one
    whose job is named `baseline`. Detail rows equal in every scenario are left out unless
    `all_rows` (or there is only one scenario)."""
    base = next(r for r in results if r.job.name == baseline)
    records = [r.record for r in results]
    figures = [r.get("figures") or {} for r in records]
    rows = [
        Row("scenario", "", "text", tuple(r.get("scenario") for r in records)),
        Row("status", "", "text", tuple(r["status"] for r in records)),
        Row("objective", "", "count", tuple(r.get("objective") for r in records)),
        Row("WFA person-days", "", "count", _each(figures, "wfa_person_days")),
        Row("people with no WFA day", "", "count", _each(figures, "people_without_wfa")),
        Row(
            "cells differing from baseline",
            "",
            "count",
            tuple(_differences(base, r) for r in results),
        ),
    ]
    # Overrides other than the `--vary` values, which the column headings show already.
    changes = tuple(
        " ".join(o for o in r.job.overrides if o not in r.job.variant) or None for r in results
    )
    if any(changes):
        rows.insert(1, Row("--set", "", "text", changes))
    if any(f.get("shortfalls") for f in figures):
        rows.append(Row("shortfalls", "", "reasons", _each(figures, "shortfalls")))
    if any(r.get("error") or r.get("issues") for r in records):
        errors = tuple(r.get("error") or "; ".join(r.get("issues", [])) or None for r in records)
        rows.append(Row("error", "", "text", errors))
    rows += _detail_rows(figures)
    shown = [
        row
        for row in rows
        if not row.detail or all_rows or len(results) == 1 or not row.same_everywhere
    ]
    labels = tuple(r.job.label for r in results)
    return Comparison(labels, base.job.label, tuple(shown), len(rows) - len(shown))


def _each(figures: list[dict[str, Any]], name: str) -> tuple[Any, ...]:
    return tuple(f.get(name) for f in figures)


def _differences(base: JobResult, other: JobResult) -> int | None:
    if not (base.solved and other.solved):
        return None
    return roster_differences(base.folder / ROSTER_FILE, other.folder / ROSTER_FILE)


def _detail_rows(figures: list[dict[str, Any]]) -> list[Row]:
    rows = []
    for unit in _keys(figures, "wfa_person_days_per_unit"):
        rows.append(_detail("WFA person-days", unit, "count", figures, "wfa_person_days_per_unit"))
        rows.append(_detail("WFA share", unit, "share", figures, "wfa_share_per_unit"))
    for pool in _keys(figures, "fairness"):
        rows.append(_detail("fairness", pool, "fairness", figures, "fairness"))
    for rule in _keys(figures, "coverage_margin"):
        rows.append(_detail("coverage margin", rule, "margin", figures, "coverage_margin"))
    return rows


def _detail(figure: str, key: str, kind: str, figures: list[dict[str, Any]], name: str) -> Row:
    values = tuple((f.get(name) or {}).get(key) for f in figures)
    return Row(figure, key, kind, values, detail=True)


def _keys(figures: list[dict[str, Any]], name: str) -> list[str]:
    """Keys of a per-unit/pool/rule figure over every scenario, in first-seen order."""
    seen: dict[str, None] = {}
    for f in figures:
        seen.update(dict.fromkeys(f.get(name) or {}))
    return list(seen)


# --- renderings --------------------------------------------------------------------------------


def cell_text(kind: str, value: Any) -> str:
    if value is None:
        return "—"
    if kind == "count":
        return f"{value:,}"
    if kind == "share":
        return f"{value:.1%}"
    if kind == "fairness":
        return f"{value['min']}–{value['max']} · {value['mean']:.2f} · {value['jain']:.3f}"
    if kind == "margin":
        return f"{value['margin']:+d} on {_day_ranges(value['days'])}"
    if kind == "reasons":
        if not value:
            return "—"
        more = len(value) - SHOWN_REASONS
        return "; ".join(value[:SHOWN_REASONS]) + (f" (+{more} more)" if more > 0 else "")
    return str(value)


def _day_ranges(days: list[str]) -> str:
    """["2025-12-29", "2025-12-30", "2025-12-31", "2026-01-02"] -> "12-29..12-31, 01-02"."""
    runs: list[list[date]] = []
    for day in sorted(date.fromisoformat(d) for d in days):
        if runs and day - runs[-1][-1] == timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    texts = [
        f"{run[0]:%m-%d}" if len(run) == 1 else f"{run[0]:%m-%d}..{run[-1]:%m-%d}" for run in runs
    ]
    more = len(texts) - SHOWN_RANGES
    return ", ".join(texts[:SHOWN_RANGES]) + (f" +{more} more" if more > 0 else "")


def _heading(row: Row) -> str:
    return f"{row.figure} · {row.key}" if row.key else row.figure


def notes(comparison: Comparison) -> list[str]:
    """What the compact cells mean, and what was left out."""
    lines = [
        "fairness: WFA days per person min–max · mean · Jain's index, per pool",
        "WFA share: WFA person-days granted / available (eligible staff, WFA days, not on leave)",
        "coverage margin: on site minus required on the tightest days of the rule",
    ]
    if comparison.hidden:
        lines.append(
            f"{comparison.hidden} per-unit/pool/rule row(s) equal in every scenario (margins: "
            "equal in size) are not shown (--all-rows shows them)"
        )
    return lines


def to_table(comparison: Comparison) -> Table:
    table = Table(
        title=f"Scenarios compared (baseline: {comparison.baseline})",
        title_justify="left",
        caption="\n".join(notes(comparison)),
        caption_justify="left",
    )
    table.add_column("figure", justify="left", overflow="fold")
    for label in comparison.labels:
        table.add_column(label, justify="right", overflow="fold")
    for row in comparison.rows:
        table.add_row(_heading(row), *(cell_text(row.kind, v) for v in row.values))
    return table


def to_markdown(comparison: Comparison) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |\n"

    text = f"Baseline: {comparison.baseline}\n\n" + line(["figure", *comparison.labels])
    text += "| --- |" + " ---: |" * len(comparison.labels) + "\n"
    for row in comparison.rows:
        text += line([_heading(row), *(cell_text(row.kind, v) for v in row.values)])
    return text + "\n" + "".join(f"- {note}\n" for note in notes(comparison))


def to_csv(comparison: Comparison) -> str:
    """One line per number: fairness and margins split into their parts, shares as
    fractions, so a spreadsheet can compute with every cell."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["figure", "key", *comparison.labels])
    for row in comparison.rows:
        for figure, values in _csv_parts(row):
            writer.writerow([figure, row.key, *("" if v is None else v for v in values)])
    return stream.getvalue()


def _csv_parts(row: Row) -> list[tuple[str, tuple[Any, ...]]]:
    def part(name: str) -> tuple[Any, ...]:
        return tuple(None if v is None else v[name] for v in row.values)

    if row.kind == "fairness":
        return [(f"fairness {name}", part(name)) for name in ("min", "max", "mean", "jain")]
    if row.kind == "margin":
        days = tuple(None if v is None else " ".join(v["days"]) for v in row.values)
        return [("coverage margin", part("margin")), ("tightest days", days)]
    if row.kind == "reasons":
        return [(row.figure, tuple(None if v is None else "; ".join(v) for v in row.values))]
    return [(row.figure, row.values)]
