"""The fairness ledger: the staff file for the next period, each `history` raised by the
WFA burden a roster gave that person.

The burden is the one the objective counts (`Problem.burden_in_days`, per person in
`Evaluation.burden`): each available WFA day without WFA is one piket day, each standby day
`fairness.standby_weight` of one. Written back into `history`, it makes the next period's
fairness start where this one ended, so whoever carried the piket now gets more WFA then.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from models.load import LoadedScenario, staff_columns
from models.output import write_atomic
from models.scenario import PERSON_RULES, StaffMember

HISTORY = "history"
# The format's staff fields, in the order a staff file written from an inline list has them:
# the person's own fields, then their rules.
FIELDS = (*(f for f in StaffMember.model_fields if f not in PERSON_RULES), *PERSON_RULES)


def piket_days_text(value: Decimal) -> str:
    """`3`, `2.5`, `0.25`: no exponent, no trailing zeros."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def next_staff(
    loaded: LoadedScenario, burden: Sequence[Decimal]
) -> tuple[list[str], list[list[str]]]:
    """The columns and rows of the next period's staff file: the input's columns (a staff
    table's header, or the fields an inline list uses) with `history` raised by `burden`
    (one value per person, in staff order), `history` added as a column if it was absent."""
    staff = loaded.scenario.staff
    if len(burden) != len(staff):
        raise ValueError(f"burden for {len(burden)} people, the scenario has {len(staff)}")
    columns = _input_columns(loaded)
    if HISTORY not in columns:
        columns.append(HISTORY)
    rows = []
    for person, carried in zip(staff, burden, strict=True):
        values = _texts(person)
        values[HISTORY] = piket_days_text(person.history + carried)
        rows.append([values.get(column, "") for column in columns])
    return columns, rows


def write_next_staff(path: Path, loaded: LoadedScenario, burden: Sequence[Decimal]) -> None:
    """Write the next period's staff file as CSV (UTF-8 with BOM, which Excel needs to show
    names right and piket reads as well), whole or not at all."""
    if path.suffix.lower() != ".csv":
        raise ValueError(f"{path}: the next staff file is written as CSV; name it .csv")
    columns, rows = next_staff(loaded, burden)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    write_atomic(path, buffer.getvalue().encode("utf-8-sig"))


def _input_columns(loaded: LoadedScenario) -> list[str]:
    """A staff table's header; for an inline list, the format's fields any person gives,
    then extra keys in the order they first appear."""
    table = _staff_table(loaded)
    if table is not None:
        return [column for column in staff_columns(table) if column]
    given = {name for person in loaded.scenario.staff for name in person.model_fields_set}
    extra = {name: None for person in loaded.scenario.staff for name in person.extra}
    return [name for name in FIELDS if name in given] + list(extra)


def _staff_table(loaded: LoadedScenario) -> Path | None:
    """The staff CSV/XLSX the scenario read, or None when staff are listed inline.

    A table's rows are located in the table's own file, so that is where `staff` points.
    """
    path = Path(loaded.locate(("staff",)).file)
    is_table = path.suffix.lower() in (".csv", ".xlsx")
    return path if is_table and path in loaded.files else None


def _texts(person: StaffMember) -> dict[str, str]:
    """Each field and extra column of a person as a staff file cell, in the form the loader
    reads back: lists `|`-separated, booleans true/false, `SHIFT=N|...` for a mapping."""
    values = {name: _cell_text(getattr(person, name)) for name in FIELDS}
    values.update((name, _cell_text(value)) for name, value in person.extra.items())
    return values


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):  # NaN: an empty cell
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return piket_days_text(value)
    if isinstance(value, tuple | list):
        return "|".join(_cell_text(item) for item in value)
    if isinstance(value, dict):
        return "|".join(f"{key}={_cell_text(item)}" for key, item in value.items())
    return str(value)
