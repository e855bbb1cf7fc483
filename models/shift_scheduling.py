"""The public shift scheduling benchmark (Curtois & Qu, instances 1–24) as piket scenarios.

An instance file (`InstanceN.txt`, the text format of schedulingbenchmarks.org) becomes a
scenario that `piket solve` solves like any other: one roster unit holding every employee,
one shift per shift type, every employee's limits as their own rules (staff columns), fixed
days off as leave, shift-on and shift-off requests as requests, and each cover row as a soft
target with the instance's under- and over-staffing weights. Day k is 2024-01-01 + k (a
Monday, as day 0 of every instance is); staff and shift ids are kept exactly.

The benchmark's penalty is then exactly the scenario's objective: the `targets` term (cover)
plus the `requests` term, with every other term switched off (no WFA days, fairness and
on-site weights 0). Its rules map one to one:

| benchmark                     | scenario                                          |
| ----------------------------- | ------------------------------------------------- |
| shift length, CannotFollow    | shift times (all start 08:00), `not_followed_by`  |
| MaxShifts per type            | staff `max_shifts_per_type`                       |
| Min/MaxTotalMinutes           | staff `min_work_minutes` / `max_work_minutes`     |
| Min/MaxConsecutiveShifts      | staff `min_/max_consecutive_onsite_days`          |
| MinConsecutiveDaysOff         | staff `min_consecutive_days_off`                  |
| MaxWeekends                   | staff `max_weekends_worked`                       |
| days off                      | staff `leave`                                     |
| shift on / off requests       | requests `want: onsite` / `want: not_onsite`      |
| cover (requirement, weights)  | coverage `target`, `weight`, `over_weight`        |

Every shift starts at the same time of day, so no two shifts on consecutive days ever
overlap (lengths are at most 24 h): the successions allowed are exactly those the file
allows, stated by `not_followed_by`, and no rest rule is set.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from models.errors import InputIssue, InvalidInput
from models.output import write_atomic

FIRST_DAY = date(2024, 1, 1)  # a Monday, like day 0 of every instance
SHIFT_START_MINUTE = 8 * 60
UNIT = "ward"
MAX_DAYS = 366  # the scenario format's longest horizon
SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)
REQUIRED_SECTIONS = ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF", "SECTION_COVER")
STAFF_FIELDS = (
    "ID",
    "MaxShifts",
    "MaxTotalMinutes",
    "MinTotalMinutes",
    "MaxConsecutiveShifts",
    "MinConsecutiveShifts",
    "MinConsecutiveDaysOff",
    "MaxWeekends",
)
STAFF_COLUMNS = (
    "id",
    "name",
    "unit",
    "leave",
    "max_shifts_per_type",
    "max_work_minutes",
    "min_work_minutes",
    "max_consecutive_onsite_days",
    "min_consecutive_onsite_days",
    "min_consecutive_days_off",
    "max_weekends_worked",
)
REQUEST_COLUMNS = ("staff", "date", "want", "shift", "weight")


@dataclass(frozen=True)
class BenchmarkShift:
    id: str
    minutes: int
    cannot_follow: tuple[str, ...]  # shifts that may not be worked the day after this one


@dataclass(frozen=True)
class BenchmarkEmployee:
    id: str
    max_shifts: dict[str, int]
    max_minutes: int
    min_minutes: int
    max_consecutive: int
    min_consecutive: int
    min_days_off: int
    max_weekends: int


@dataclass(frozen=True)
class ShiftRequest:
    staff: str
    day: int
    shift: str
    weight: int


@dataclass(frozen=True)
class CoverRow:
    day: int
    shift: str
    requirement: int
    weight_under: int
    weight_over: int


@dataclass(frozen=True)
class Instance:
    name: str
    days: int
    shifts: tuple[BenchmarkShift, ...]
    staff: tuple[BenchmarkEmployee, ...]
    days_off: dict[str, tuple[int, ...]]
    on_requests: tuple[ShiftRequest, ...]
    off_requests: tuple[ShiftRequest, ...]
    cover: tuple[CoverRow, ...]


# --- reading an instance ------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    number: int
    fields: list[str]


class _Reader:
    """Parses one instance file; every fault is collected with its line and field."""

    def __init__(self, path: Path) -> None:
        self.file = str(path)
        self.issues: list[InputIssue] = []

    def fault(self, line: int | None, field: str, message: str) -> None:
        self.issues.append(InputIssue(self.file, line, field, message))

    def sections(self, text: str) -> dict[str, list[_Line]]:
        found: dict[str, list[_Line]] = {}
        current: str | None = None
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line:
                current = None  # a blank line ends a section
            elif line.startswith("#"):
                continue
            elif line.startswith("SECTION_"):
                if line not in SECTIONS:
                    self.fault(
                        number, line, f"unknown section; expected one of {', '.join(SECTIONS)}"
                    )
                    current = None
                elif line in found:
                    self.fault(number, line, "second section of this name")
                    current = None
                else:
                    current = line
                    found[line] = []
            elif current is None:
                self.fault(number, "", f"data outside a section: {line[:40]!r}")
            else:
                found[current].append(_Line(number, line.split(",")))
        for name in REQUIRED_SECTIONS:
            if name not in found:
                self.fault(None, name, "required section is missing")
        return found

    def integer(self, line: _Line, index: int, field: str, low: int = 0) -> int:
        text = line.fields[index].strip() if index < len(line.fields) else ""
        try:
            value = int(text)
        except ValueError:
            self.fault(line.number, field, f"expected a whole number, got {text!r}")
            return low
        if value < low:
            self.fault(line.number, field, f"expected a whole number >= {low}, got {value}")
            return low
        return value

    def width(self, line: _Line, section: str, names: tuple[str, ...]) -> bool:
        if len(line.fields) == len(names):
            return True
        self.fault(
            line.number,
            section,
            f"expected {len(names)} comma-separated fields ({','.join(names)}), "
            f"got {len(line.fields)}",
        )
        return False


def read_instance(path: str | Path) -> Instance:
    """The instance in `path`; raises InvalidInput listing every fault with line and field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        why = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise InvalidInput([InputIssue(str(path), None, "file", f"cannot read: {why}")]) from None
    reader = _Reader(path)
    sections = reader.sections(text)
    days = _horizon(reader, sections.get("SECTION_HORIZON", []))
    shifts = _shifts(reader, sections.get("SECTION_SHIFTS", []))
    shift_ids = {s.id for s in shifts}
    staff = _staff(reader, sections.get("SECTION_STAFF", []), shift_ids)
    staff_ids = {e.id for e in staff}
    days_off = _days_off(reader, sections.get("SECTION_DAYS_OFF", []), staff_ids, days)
    on_requests = _requests(
        reader,
        sections.get("SECTION_SHIFT_ON_REQUESTS", []),
        "SECTION_SHIFT_ON_REQUESTS",
        staff_ids,
        shift_ids,
        days,
    )
    off_requests = _requests(
        reader,
        sections.get("SECTION_SHIFT_OFF_REQUESTS", []),
        "SECTION_SHIFT_OFF_REQUESTS",
        staff_ids,
        shift_ids,
        days,
    )
    cover = _cover(reader, sections.get("SECTION_COVER", []), shift_ids, days)
    if reader.issues:
        raise InvalidInput(reader.issues)
    return Instance(path.stem, days, shifts, staff, days_off, on_requests, off_requests, cover)


def _horizon(reader: _Reader, lines: list[_Line]) -> int:
    if len(lines) != 1 or len(lines[0].fields) != 1:
        where = lines[0].number if lines else None
        reader.fault(where, "SECTION_HORIZON", "expected one line holding the number of days")
        return 0
    days = reader.integer(lines[0], 0, "SECTION_HORIZON", low=1)
    if days > MAX_DAYS:
        reader.fault(
            lines[0].number, "SECTION_HORIZON", f"{days} days; a scenario has at most {MAX_DAYS}"
        )
    return days


def _shifts(reader: _Reader, lines: list[_Line]) -> tuple[BenchmarkShift, ...]:
    names = ("ShiftID", "LengthMinutes", "CannotFollow")
    shifts: list[BenchmarkShift] = []
    kept: list[_Line] = []
    for line in lines:
        if not reader.width(line, "SECTION_SHIFTS", names):
            continue
        kept.append(line)
        shift_id = line.fields[0].strip()
        minutes = reader.integer(line, 1, "SECTION_SHIFTS.LengthMinutes", low=1)
        if minutes > 24 * 60:
            reader.fault(
                line.number, "SECTION_SHIFTS.LengthMinutes", f"{minutes} minutes is over 24 hours"
            )
        banned = tuple(part.strip() for part in line.fields[2].split("|") if part.strip())
        shifts.append(BenchmarkShift(shift_id, minutes, banned))
    pairs = list(zip(shifts, kept, strict=True))
    _unique(reader, "SECTION_SHIFTS.ShiftID", [(s.id, line) for s, line in pairs])
    known = {s.id for s in shifts}
    for shift, line in pairs:
        for name in shift.cannot_follow:
            if name not in known:
                reader.fault(line.number, "SECTION_SHIFTS.CannotFollow", f"unknown shift {name!r}")
    if not shifts:
        reader.fault(None, "SECTION_SHIFTS", "no shift types")
    return tuple(shifts)


def _unique(reader: _Reader, field: str, items: Iterable[tuple[str, _Line]]) -> None:
    first: dict[str, int] = {}
    for item_id, line in items:
        if not item_id:
            reader.fault(line.number, field, "empty id")
        elif item_id in first:
            reader.fault(
                line.number, field, f"duplicate id {item_id!r} (first on line {first[item_id]})"
            )
        else:
            first[item_id] = line.number


def _staff(
    reader: _Reader, lines: list[_Line], shift_ids: set[str]
) -> tuple[BenchmarkEmployee, ...]:
    staff: list[BenchmarkEmployee] = []
    kept: list[_Line] = []
    for line in lines:
        if not reader.width(line, "SECTION_STAFF", STAFF_FIELDS):
            continue
        numbers = [reader.integer(line, k, f"SECTION_STAFF.{STAFF_FIELDS[k]}") for k in range(2, 8)]
        staff.append(
            BenchmarkEmployee(
                line.fields[0].strip(), _max_shifts(reader, line, shift_ids), *numbers
            )
        )
        kept.append(line)
    _unique(reader, "SECTION_STAFF.ID", [(e.id, line) for e, line in zip(staff, kept, strict=True)])
    return tuple(staff)


def _max_shifts(reader: _Reader, line: _Line, shift_ids: set[str]) -> dict[str, int]:
    limits: dict[str, int] = {}
    for item in line.fields[1].split("|"):
        shift, sep, limit = item.partition("=")
        shift = shift.strip()
        if not sep or not limit.strip().isdigit():
            reader.fault(
                line.number, "SECTION_STAFF.MaxShifts", f"expected ShiftID=limit, got {item!r}"
            )
        elif shift not in shift_ids:
            reader.fault(line.number, "SECTION_STAFF.MaxShifts", f"unknown shift {shift!r}")
        else:
            limits[shift] = int(limit)
    return limits


def _known(
    reader: _Reader, line: _Line, field: str, value: str, known: set[str], kind: str
) -> bool:
    if value in known:
        return True
    reader.fault(line.number, field, f"unknown {kind} {value!r}")
    return False


def _day(reader: _Reader, line: _Line, index: int, field: str, days: int) -> int | None:
    day = reader.integer(line, index, field)
    if days and day >= days:
        reader.fault(line.number, field, f"day {day} is outside the horizon 0..{days - 1}")
        return None
    return day


def _days_off(
    reader: _Reader, lines: list[_Line], staff_ids: set[str], days: int
) -> dict[str, tuple[int, ...]]:
    days_off: dict[str, tuple[int, ...]] = {}
    field = "SECTION_DAYS_OFF.DayIndexes"
    for line in lines:
        staff = line.fields[0].strip()
        if not _known(reader, line, "SECTION_DAYS_OFF.EmployeeID", staff, staff_ids, "employee"):
            continue
        listed = [_day(reader, line, k, field, days) for k in range(1, len(line.fields))]
        days_off[staff] = (*days_off.get(staff, ()), *(d for d in listed if d is not None))
    return days_off


def _requests(
    reader: _Reader,
    lines: list[_Line],
    section: str,
    staff_ids: set[str],
    shift_ids: set[str],
    days: int,
) -> tuple[ShiftRequest, ...]:
    names = ("EmployeeID", "Day", "ShiftID", "Weight")
    requests: list[ShiftRequest] = []
    for line in lines:
        if not reader.width(line, section, names):
            continue
        staff, shift = line.fields[0].strip(), line.fields[2].strip()
        day = _day(reader, line, 1, f"{section}.Day", days)
        weight = reader.integer(line, 3, f"{section}.Weight")
        if (
            _known(reader, line, f"{section}.EmployeeID", staff, staff_ids, "employee")
            and _known(reader, line, f"{section}.ShiftID", shift, shift_ids, "shift")
            and day is not None
        ):
            requests.append(ShiftRequest(staff, day, shift, weight))
    return tuple(requests)


def _cover(
    reader: _Reader, lines: list[_Line], shift_ids: set[str], days: int
) -> tuple[CoverRow, ...]:
    names = ("Day", "ShiftID", "Requirement", "WeightUnder", "WeightOver")
    rows: list[CoverRow] = []
    first: dict[tuple[int, str], int] = {}
    for line in lines:
        if not reader.width(line, "SECTION_COVER", names):
            continue
        day = _day(reader, line, 0, "SECTION_COVER.Day", days)
        shift = line.fields[1].strip()
        numbers = [reader.integer(line, k, f"SECTION_COVER.{names[k]}") for k in (2, 3, 4)]
        if not _known(reader, line, "SECTION_COVER.ShiftID", shift, shift_ids, "shift"):
            continue
        if day is None:
            continue
        if (day, shift) in first:
            reader.fault(
                line.number,
                "SECTION_COVER",
                f"second cover row for day {day}, shift {shift} (first on line "
                f"{first[(day, shift)]}); expected one row per day and shift",
            )
            continue
        first[(day, shift)] = line.number
        rows.append(CoverRow(day, shift, *numbers))
    return tuple(rows)


# --- the scenario ----------------------------------------------------------------------


def day_date(day: int) -> date:
    return FIRST_DAY + timedelta(days=day)


def _clock(minute: int) -> str:
    minute %= 24 * 60
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _text(value: object) -> str:
    """A YAML scalar: JSON text (a subset of YAML), so ids such as `N` or `off` stay text."""
    return json.dumps(value, ensure_ascii=False)


def _flow(mapping: dict[str, object]) -> str:
    return "{" + ", ".join(f"{key}: {_text(value)}" for key, value in mapping.items()) + "}"


def _date_ranges(days: Iterable[int]) -> list[str]:
    """Sorted day indexes -> dates and `first..last` ranges of consecutive days."""
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and day == runs[-1][1] + 1:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [
        day_date(first).isoformat()
        if first == last
        else f"{day_date(first).isoformat()}..{day_date(last).isoformat()}"
        for first, last in runs
    ]


def _coverage_rules(instance: Instance) -> Iterator[dict[str, object]]:
    """One rule per shift, requirement and weights, over the days that ask for it."""
    groups: dict[tuple[str, int, int, int], list[int]] = defaultdict(list)
    for row in instance.cover:
        groups[(row.shift, row.requirement, row.weight_under, row.weight_over)].append(row.day)
    weight_pairs: dict[tuple[str, int], int] = defaultdict(int)
    for shift, requirement, _, _ in groups:
        weight_pairs[(shift, requirement)] += 1
    order = {s.id: k for k, s in enumerate(instance.shifts)}
    for (shift, requirement, under, over), days in sorted(
        groups.items(), key=lambda item: (order[item[0][0]], item[0][1:])
    ):
        rule_id = f"cover-{shift}-{requirement}"
        if weight_pairs[(shift, requirement)] > 1:
            rule_id += f"-{under}-{over}"
        yield {
            "id": rule_id,
            "unit": UNIT,
            "shift": shift,
            "days": _date_ranges(days),
            "target": requirement,
            "weight": under,
            "over_weight": over,
        }


def scenario_yaml(instance: Instance, staff_file: str, requests_file: str) -> str:
    last = day_date(instance.days - 1).isoformat()
    lines = [
        f"# The shift scheduling benchmark's {instance.name} (Curtois & Qu), as a piket scenario.",
        "# Day k of the instance is 2024-01-01 + k. The objective is the benchmark's penalty:",
        "# cover (targets) plus requests; every other term is switched off.",
        "version: 1",
        f"name: {_text(instance.name + ' (shift scheduling benchmark)')}",
        f"horizon: {{start: {FIRST_DAY.isoformat()}, end: {last}}}",
        "shifts:",
    ]
    for shift in instance.shifts:
        start = SHIFT_START_MINUTE
        spec: dict[str, object] = {
            "start": _clock(start),
            "end": _clock(start + shift.minutes),
        }
        if shift.cannot_follow:
            spec["not_followed_by"] = list(shift.cannot_follow)
        lines.append(f"  {_text(shift.id)}: {_flow(spec)}")
    shift_list = ", ".join(_text(s.id) for s in instance.shifts)
    lines += [
        "units:",
        f"  {UNIT}: {{name: Ward, schedule: roster, wfa: false, shifts: [{shift_list}]}}",
        f"staff: {_text(staff_file)}",
        f"requests: {_text(requests_file)}",
        "coverage:",
        *(f"  - {_flow(rule)}" for rule in _coverage_rules(instance)),
        "fairness:",
        "  weights: {wfa_days: 0, holiday_duty: 0, night_shifts: 0, onsite_days: 0}",
        "solver: {time_limit_s: 60, workers: 0, seed: 0}",
    ]
    return "\n".join(lines) + "\n"


def _csv(header: tuple[str, ...], rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def staff_csv(instance: Instance) -> str:
    rows = []
    for e in instance.staff:
        leave = "|".join(
            day_date(d).isoformat() for d in sorted(set(instance.days_off.get(e.id, ())))
        )
        limits = "|".join(f"{shift}={limit}" for shift, limit in e.max_shifts.items())
        rows.append(
            (
                e.id,
                e.id,
                UNIT,
                leave,
                limits,
                e.max_minutes,
                e.min_minutes,
                e.max_consecutive,
                e.min_consecutive,
                e.min_days_off,
                e.max_weekends,
            )
        )
    return _csv(STAFF_COLUMNS, rows)


def requests_csv(instance: Instance) -> str:
    rows = [
        (r.staff, day_date(r.day).isoformat(), want, r.shift, r.weight)
        for want, requests in (
            ("onsite", instance.on_requests),
            ("not_onsite", instance.off_requests),
        )
        for r in requests
    ]
    return _csv(REQUEST_COLUMNS, rows)


def write_scenario(instance: Instance, out_dir: Path) -> list[Path]:
    """Write `<name>.yaml`, `<name>-staff.csv` and `<name>-requests.csv` into `out_dir`, each
    whole or not at all; returns their paths, the scenario first."""
    staff_file, requests_file = f"{instance.name}-staff.csv", f"{instance.name}-requests.csv"
    files = {
        f"{instance.name}.yaml": scenario_yaml(instance, staff_file, requests_file),
        staff_file: staff_csv(instance),
        requests_file: requests_csv(instance),
    }
    paths = []
    for name, text in files.items():
        path = out_dir / name
        write_atomic(path, text.encode("utf-8"))
        paths.append(path)
    return paths
