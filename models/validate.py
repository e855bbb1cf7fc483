"""Validation of merged scenario data, in two passes that together report every fault at once.

Pass (a), `validate_sections`: pydantic, one top-level section at a time and the list sections
(staff, coverage, requests, pins) one item at a time, so that one bad row neither hides the
others nor stops pass (b) from checking the rest.

Pass (b), `cross_check`: what needs two sections at once (a coverage rule naming a unit, a pin
naming a person, a date inside the horizon). Valid data that cannot all hold (a skill nobody
has, max below min, a pin on a leave day, too few staff) is infeasible, not invalid, and is
left to the solver's explanation.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache, partial
from typing import Annotated, Any, NamedTuple

from pydantic import BaseModel, TypeAdapter, ValidationError

from models.days import calendar_view, expand_dates, select_days
from models.errors import FieldPath, InputIssue, Locate, Location
from models.scenario import (
    Calendar,
    CoverageRule,
    DayItem,
    Horizon,
    Pin,
    Request,
    Rules,
    Scenario,
    Shift,
    StaffMember,
    Unit,
    normalise_phone,
)

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def validate_scenario(
    data: Mapping[Hashable, Any], locate: Locate, *, unread: Collection[str] = ()
) -> tuple[Scenario | None, list[InputIssue]]:
    """The `Scenario` of merged data (None if invalid) and the issues of both passes.

    `unread` names sections whose file could not be read (reported by the loader): they
    are neither validated nor reported missing, and the checks that need them are skipped.
    """
    sections, issues = validate_sections(data, locate, unread=unread)
    scenario: Scenario | None = None
    if not issues and not unread:
        try:  # the sections are models already; this adds whole-scenario validators, if any
            scenario = Scenario.model_validate(sections.values)
        except ValidationError as error:
            issues += pydantic_issues(error, data, (), locate)
    issues += cross_check(scenario or sections, locate)
    return (None if issues else scenario), issues


# --- pass (a): pydantic, section by section -------------------------------------------------


@dataclass(frozen=True)
class Sections:
    """The top-level sections that validated; a section that failed is absent.

    A list section keeps its valid items; `positions` then gives each kept item's index in
    the data as written, so issues found later still point at the right row.
    """

    values: dict[str, Any]
    positions: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, scenario: Scenario) -> Sections:
        return cls({name: getattr(scenario, name) for name in Scenario.model_fields})

    def complete(self, name: str) -> bool:
        return name in self.values and name not in self.positions

    def source_path(self, path: FieldPath) -> FieldPath:
        kept = self.positions.get(str(path[0])) if path else None
        if kept is None or len(path) < 2 or not isinstance(path[1], int):
            return path
        return (path[0], kept[path[1]], *path[2:])


def validate_sections(
    data: Mapping[Hashable, Any], locate: Locate, *, unread: Collection[str] = ()
) -> tuple[Sections, list[InputIssue]]:
    issues = [
        locate((key,)).issue(unknown_key_message(key, Scenario))
        for key in data
        if key not in Scenario.model_fields
    ]
    values: dict[str, Any] = {}
    positions: dict[str, tuple[int, ...]] = {}
    for name, info in Scenario.model_fields.items():
        if name in unread:
            continue
        if name not in data:
            if info.is_required():
                issues.append(locate((name,)).issue("required, but missing"))
            continue
        item_model = _LIST_ITEMS.get(name)
        if item_model is not None and isinstance(data[name], list):
            kept, where, found = _validate_items(name, data[name], item_model, locate)
            values[name] = tuple(kept)
            if len(kept) < len(data[name]):
                positions[name] = tuple(where)
            issues += found
            continue
        try:
            values[name] = _section_adapter(name).validate_python(data[name])
        except ValidationError as error:
            issues += pydantic_issues(error, data[name], (name,), locate)
    return Sections(values, positions), issues


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def _list_item_model(annotation: Any) -> type[BaseModel] | None:
    """`tuple[StaffMember, ...]` -> StaffMember; anything else -> None."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is tuple and len(args) == 2 and args[1] is Ellipsis:
        return args[0] if _is_model(args[0]) else None
    return None


_LIST_ITEMS = {
    name: model
    for name, info in Scenario.model_fields.items()
    if (model := _list_item_model(info.annotation)) is not None
}


@cache
def _section_adapter(name: str) -> TypeAdapter[Any]:
    info = Scenario.model_fields[name]
    kind: Any = info.annotation
    if info.metadata:  # constraints such as min_length live here, beside the annotation
        kind = Annotated[kind, *info.metadata]
    return TypeAdapter(kind)


def _validate_items(
    name: str, items: list[Any], model: type[BaseModel], locate: Locate
) -> tuple[list[BaseModel], list[int], list[InputIssue]]:
    kept: list[BaseModel] = []
    where: list[int] = []
    issues: list[InputIssue] = []
    for index, item in enumerate(items):
        if name == "coverage" and isinstance(item, dict) and item.get("remove") is True:
            # Left over from the `extends` merge; it lacks unit and shift, so say only this.
            issues.append(locate((name, index, "remove")).issue(_remove_message(item.get("id"))))
            continue
        try:
            kept.append(model.model_validate(item))
            where.append(index)
        except ValidationError as error:
            issues += pydantic_issues(error, item, (name, index), locate)
    return kept, where, issues


# --- pydantic errors -> issues ----------------------------------------------------------------


class _Error(NamedTuple):
    path: FieldPath  # into the data as written (union branch names removed)
    branch: str | None  # the union member that failed right at `path`, if any
    detail: Mapping[str, Any]  # pydantic's error dict


def pydantic_issues(
    error: ValidationError, data: Any, prefix: FieldPath, locate: Locate
) -> list[InputIssue]:
    """One issue per faulty field; `data` is what was validated, found at `prefix`."""
    errors = [_error_in(data, detail) for detail in error.errors(include_url=False)]
    paths = {e.path for e in errors}
    groups: dict[FieldPath, list[_Error]] = {}
    for e in errors:
        # A union where one member got further (a list with a bad item) also reports that the
        # value is not the other members (not text): noise once the deeper error is shown.
        if e.branch and any(len(p) > len(e.path) and p[: len(e.path)] == e.path for p in paths):
            continue
        groups.setdefault(e.path, []).append(e)
    return [
        locate(prefix + path).issue(_message(prefix + path, group))
        for path, group in groups.items()
    ]


_NOT_FOUND = object()


def _error_in(data: Any, detail: Mapping[str, Any]) -> _Error:
    """Pydantic's loc mixes data keys with union member names; keep the data keys."""
    loc = tuple(detail["loc"])
    if detail["type"] == "missing":  # the last key is the missing field, absent by definition
        loc, missing = loc[:-1], loc[-1:]
    else:
        missing = ()
    path: list[Hashable] = []
    node, branch = data, None
    for segment in loc:
        key = _key_in(node, segment)
        if key is _NOT_FOUND:
            branch = str(segment)
            continue
        path.append(key)
        node, branch = node[key], None
    return _Error((*path, *missing), branch, detail)


def _key_in(node: Any, segment: Hashable) -> Any:
    if isinstance(node, list):
        return segment if isinstance(segment, int) and 0 <= segment < len(node) else _NOT_FOUND
    if not isinstance(node, dict):
        return _NOT_FOUND
    if segment in node:
        return segment
    # pydantic writes a key that is not text (a YAML date) as its repr
    return next((key for key in node if repr(key) == segment), _NOT_FOUND)


def _message(path: FieldPath, group: list[_Error]) -> str:
    first = group[0].detail
    if len(group) > 1:
        kinds = dict.fromkeys(_kind_name(e.branch or "") for e in group)
        return f"expected {' or '.join(kinds)}, got {_show(first['input'])}"
    if first["type"] == "missing":
        return "required, but missing"
    if first["type"] == "extra_forbidden":
        return unknown_key_message(path[-1], _model_at(path[:-1]))
    text = str(first["msg"]).removeprefix("Value error, ")
    text = text.replace("a valid tuple", "a list").replace("a valid dictionary", "a mapping")
    if first["type"] != "value_error" and _is_scalar(first["input"]):
        text += f" (got {_show(first['input'])})"
    return text


def _kind_name(branch: str) -> str:
    if branch.startswith(("tuple", "list")):
        return "a list"
    if branch.startswith("dict"):
        return "a mapping"
    return {"str": "text", "date": "a date (YYYY-MM-DD)", "int": "a whole number"}.get(
        branch, branch
    )


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | Decimal | date)


def _show(value: Any) -> str:
    if isinstance(value, Decimal | date):
        return str(value)
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def unknown_key_message(key: Hashable, model: type[BaseModel] | None) -> str:
    """`unknown key 'min_rest_hour'; did you mean 'min_rest_hours'?`"""
    if model is None:
        return f"unknown key {key!r}"
    allowed = list(model.model_fields)
    close = difflib.get_close_matches(str(key), allowed, n=1)
    if close:
        return f"unknown key {key!r}; did you mean {close[0]!r}?"
    return f"unknown key {key!r}; expected one of: {', '.join(allowed)}"


def _model_at(path: FieldPath) -> type[BaseModel] | None:
    """The model class that validates the mapping at `path`, for naming its allowed keys."""
    kind: Any = Scenario
    for key in path:
        kind = _inner_type(kind, key)
    return next((member for member in _members(kind) if _is_model(member)), None)


def _inner_type(kind: Any, key: Hashable) -> Any:
    for member in _members(kind):
        if _is_model(member) and key in member.model_fields:
            return member.model_fields[key].annotation
        origin = typing.get_origin(member)
        if origin in (tuple, list) and isinstance(key, int):
            return typing.get_args(member)[0]
        if origin is dict:
            return typing.get_args(member)[1]
    return None


def _members(kind: Any) -> list[Any]:
    """The concrete types inside Annotated[...] and unions."""
    origin = typing.get_origin(kind)
    if origin is Annotated:
        return _members(typing.get_args(kind)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(kind) for m in _members(arg)]
    return [] if kind is None else [kind]


# --- pass (b): references between sections ------------------------------------------------


class Finding(NamedTuple):
    path: FieldPath
    message: str
    also: FieldPath | None = None  # a second place involved (the first of two duplicates)


class _Check(NamedTuple):
    run: Callable[..., Iterable[Finding]]
    reads: tuple[str, ...]  # sections passed to `run`, in order; skipped if one is invalid
    complete: tuple[str, ...] = ()  # of those, the ones looked up in: no item may be missing


def cross_check(scenario: Scenario | Sections, locate: Locate) -> list[InputIssue]:
    """Faults between sections; with `Sections`, only the checks whose sections validated."""
    sections = scenario if isinstance(scenario, Sections) else Sections.of(scenario)
    issues = []
    for check in _CHECKS:
        if not all(name in sections.values for name in check.reads):
            continue
        if not all(sections.complete(name) for name in check.complete):
            continue
        for finding in check.run(*(sections.values[name] for name in check.reads)):
            where = locate(sections.source_path(finding.path))
            message = finding.message
            if finding.also is not None:
                message += (
                    f" (also at {_other_place(where, locate(sections.source_path(finding.also)))})"
                )
            issues.append(where.issue(message))
    return issues


def _other_place(here: Location, there: Location) -> str:
    if there.file == here.file and there.line is not None:
        return f"line {there.line}"
    return there.short()


def _unknown(kind: str, name: str, known: Iterable[str]) -> str:
    known = list(known)
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f"unknown {kind} {name!r}; did you mean {close[0]!r}?"
    return f"unknown {kind} {name!r}; defined: {', '.join(known) or 'none'}"


def _outside(day: date, horizon: Horizon) -> str | None:
    if horizon.start <= day <= horizon.end:
        return None
    return f"{day} is outside the horizon {horizon.start}..{horizon.end}"


def _unit_shifts(units: dict[str, Unit], shifts: dict[str, Shift]) -> Iterator[Finding]:
    for unit_id, unit in units.items():
        for k, name in enumerate(unit.shifts):
            if name not in shifts:
                yield Finding(("units", unit_id, "shifts", k), _unknown("shift", name, shifts))


def _staff_units(staff: tuple[StaffMember, ...], units: dict[str, Unit]) -> Iterator[Finding]:
    for i, person in enumerate(staff):
        if person.unit not in units:
            yield Finding(("staff", i, "unit"), _unknown("unit", person.unit, units))


def _duplicate_staff(staff: tuple[StaffMember, ...]) -> Iterator[Finding]:
    first: dict[str, int] = {}
    for i, person in enumerate(staff):
        if person.id in first:
            also = ("staff", first[person.id], "id")
            yield Finding(("staff", i, "id"), f"duplicate id {person.id!r}", also)
        else:
            first[person.id] = i


def contact_warnings(scenario: Scenario, locate: Locate) -> list[InputIssue]:
    """`superior` and `phone` piket cannot use. The format keeps extra staff columns as
    written, so these are warnings, not errors: the roster does not depend on them, only the
    WFA report templates and schedules that print them."""
    ids = {person.id for person in scenario.staff}
    warnings = []
    for i, person in enumerate(scenario.staff):
        for field_name, message in _contact_problems(person, ids):
            warnings.append(locate(("staff", i, field_name)).issue(message))
    return warnings


def _contact_problems(person: StaffMember, ids: set[str]) -> Iterator[tuple[str, str]]:
    if person.superior == person.id:
        yield (
            "superior",
            "names this person as their own superior; expected the id of their direct superior, or an empty cell",
        )
    elif person.superior is not None and person.superior not in ids:
        yield (
            "superior",
            f"no staff member has id {person.superior!r}; expected the id of this person's direct superior",
        )
    if person.phone is not None and not person.phone.startswith("+62"):
        try:
            normalise_phone(person.phone)
        except ValueError as error:
            yield "phone", f"{error}; kept as written"


def _staff_leave(staff: tuple[StaffMember, ...]) -> Iterator[Finding]:
    # Leave outside the horizon is fine (it is ignored); only the text must be dates.
    problems: dict[DayItem, str | None] = {}  # many people share the same leave text
    for i, person in enumerate(staff):
        for item in person.leave:
            if item not in problems:
                problems[item] = _date_problem(item)
            if problems[item]:
                yield Finding(("staff", i, "leave"), f"{problems[item]}; expected dates or ranges")


def _date_problem(item: DayItem) -> str | None:
    try:
        expand_dates(item)
    except ValueError as error:
        return str(error)
    return None


def _coverage_refs(
    coverage: tuple[CoverageRule, ...], units: dict[str, Unit], shifts: dict[str, Shift]
) -> Iterator[Finding]:
    for i, rule in enumerate(coverage):
        if rule.shift not in shifts:
            yield Finding(("coverage", i, "shift"), _unknown("shift", rule.shift, shifts))
        named = [rule.unit] if isinstance(rule.unit, str) else list(rule.unit)
        if not named:
            yield Finding(("coverage", i, "unit"), 'names no unit; give a unit id, a list or "*"')
        for k, name in enumerate(named):
            path = (
                ("coverage", i, "unit")
                if isinstance(rule.unit, str)
                else ("coverage", i, "unit", k)
            )
            if name != "*" and name not in units:
                yield Finding(path, _unknown("unit", name, units))
        single = units.get(rule.unit) if isinstance(rule.unit, str) else None
        if single is not None and rule.shift in shifts and rule.shift not in single.shifts:
            yield Finding(
                ("coverage", i, "shift"),
                f"unit {rule.unit!r} does not work shift {rule.shift!r} "
                f"(its shifts: {', '.join(single.shifts)})",
            )


def _coverage_days(
    coverage: tuple[CoverageRule, ...], horizon: Horizon, calendar: Calendar
) -> Iterator[Finding]:
    view = calendar_view(horizon, calendar)
    for i, rule in enumerate(coverage):
        try:
            select_days(rule.days, view)
        except ValueError as error:
            yield Finding(("coverage", i, "days"), str(error))


def _coverage_standby_days(
    coverage: tuple[CoverageRule, ...], horizon: Horizon, calendar: Calendar
) -> Iterator[Finding]:
    """Standby people are on WFA, so a rule asking for standby must hold on WFA days only."""
    view = calendar_view(horizon, calendar)
    for i, rule in enumerate(coverage):
        if not rule.standby:
            continue
        try:
            days = select_days(rule.days, view)
        except ValueError:
            continue  # _coverage_days reports it
        closed = sorted(day for day in days if day not in view.wfa_days)
        if closed:
            shown = ", ".join(str(day) for day in closed[:5])
            more = f" and {len(closed) - 5} more" if len(closed) > 5 else ""
            yield Finding(
                ("coverage", i, "standby"),
                f"standby people are on WFA that day, but the rule's days include days that "
                f"are not wfa_days: {shown}{more}; give this rule `days: wfa` (or WFA dates), "
                "or ask for standby in a rule of its own",
            )


def _coverage_rules(coverage: tuple[CoverageRule, ...]) -> Iterator[Finding]:
    first: dict[str, int] = {}
    for i, rule in enumerate(coverage):
        if rule.id is not None and rule.id in first:
            also = ("coverage", first[rule.id], "id")
            yield Finding(("coverage", i, "id"), f"duplicate coverage id {rule.id!r}", also)
        elif rule.id is not None:
            first[rule.id] = i
        if rule.remove:  # a remove that matched was consumed by the `extends` merge
            yield Finding(("coverage", i, "remove"), _remove_message(rule.id))
        elif (
            all(v is None for v in (rule.min, rule.min_share, rule.max, rule.target))
            and not rule.standby
        ):
            yield Finding(
                ("coverage", i),
                "the rule asks for nothing: give min, min_share, max, target or standby",
            )


def _coverage_over_weight(coverage: tuple[CoverageRule, ...]) -> Iterator[Finding]:
    for i, rule in enumerate(coverage):
        if rule.over_weight and rule.target is None:
            yield Finding(
                ("coverage", i, "over_weight"),
                "over_weight prices each person on site above the rule's target, "
                "but the rule has no target: give target too",
            )


def _successions(shifts: dict[str, Shift]) -> Iterator[Finding]:
    for shift_id, shift in shifts.items():
        for k, name in enumerate(shift.not_followed_by):
            if name not in shifts:
                path = ("shifts", shift_id, "not_followed_by", k)
                yield Finding(path, _unknown("shift", name, shifts))


def _shift_limit_names(
    path: FieldPath, limits: dict[str, int] | None, shifts: dict[str, Shift]
) -> Iterator[Finding]:
    for name in limits or {}:
        if name not in shifts:
            yield Finding((*path, "max_shifts_per_type"), _unknown("shift", name, shifts))


def _rule_shift_limits(
    rules: Rules, units: dict[str, Unit], shifts: dict[str, Shift]
) -> Iterator[Finding]:
    yield from _shift_limit_names(("rules",), rules.max_shifts_per_type, shifts)
    for unit_id, unit in units.items():
        yield from _shift_limit_names(
            ("units", unit_id, "rules"), unit.rules.max_shifts_per_type, shifts
        )


def _staff_shift_limits(
    staff: tuple[StaffMember, ...], shifts: dict[str, Shift]
) -> Iterator[Finding]:
    for i, person in enumerate(staff):
        yield from _shift_limit_names(("staff", i), person.max_shifts_per_type, shifts)


def _remove_message(rule_id: Any) -> str:
    return (
        "remove: true drops the rule with this id from the scenario this file extends, "
        f"but it has no coverage rule with id {rule_id!r}"
    )


def _entry_dates(
    section: str, entries: tuple[Request | Pin, ...], horizon: Horizon
) -> Iterator[Finding]:
    for i, entry in enumerate(entries):
        message = _outside(entry.date, horizon)
        if message:
            yield Finding((section, i, "date"), message)


def _entry_shift_kind(section: str, entries: tuple[Request | Pin, ...]) -> Iterator[Finding]:
    kind = "want" if section == "requests" else "status"
    with_shift = ("onsite", "not_onsite") if section == "requests" else ("onsite",)
    for i, entry in enumerate(entries):
        value = getattr(entry, kind)
        if entry.shift is not None and value not in with_shift:
            yield Finding(
                (section, i, "shift"),
                f"a shift goes only with {kind}: {' or '.join(with_shift)}, not {kind}: {value}",
            )


def _entry_people(
    section: str,
    entries: tuple[Request | Pin, ...],
    staff: tuple[StaffMember, ...],
    units: dict[str, Unit],
) -> Iterator[Finding]:
    people = {person.id: person for person in staff}
    for i, entry in enumerate(entries):
        person = people.get(entry.staff)
        if person is None:
            yield Finding((section, i, "staff"), f"no staff member has id {entry.staff!r}")
            continue
        unit = units.get(person.unit)
        if entry.shift is not None and unit is not None and entry.shift not in unit.shifts:
            yield Finding(
                (section, i, "shift"),
                f"{entry.shift!r} is not a shift of {person.id}'s unit {person.unit!r} "
                f"(its shifts: {', '.join(unit.shifts)})",
            )


def _wfa_days(calendar: Calendar, horizon: Horizon) -> Iterator[Finding]:
    view = calendar_view(horizon, calendar)
    for k, item in enumerate(calendar.wfa_days):
        path = ("calendar", "wfa_days", k)
        problem = _date_problem(item)
        if problem:
            yield Finding(path, f"{problem}; expected dates or ranges")
            continue
        dates = expand_dates(item)
        outside = [message for day in dates if (message := _outside(day, horizon))]
        if outside:
            yield Finding(path, outside[0])
            continue
        closed = [
            f"{day} ({_why_closed(day, calendar)})" for day in dates if not view.is_working(day)
        ]
        if closed:
            yield Finding(
                path,
                f"WFA can be granted on working days only; not working: {', '.join(closed)}",
            )


def _why_closed(day: date, calendar: Calendar) -> str:
    if day in calendar.holidays:
        return f"holiday: {calendar.holidays[day]}"
    if day in calendar.collective_leave:
        return f"collective leave: {calendar.collective_leave[day]}"
    return f"{DAY_NAMES[day.weekday()]}, weekend"


_CHECKS = (
    _Check(_unit_shifts, ("units", "shifts")),
    _Check(_staff_units, ("staff", "units")),
    _Check(_duplicate_staff, ("staff",)),
    _Check(_staff_leave, ("staff",)),
    _Check(_coverage_refs, ("coverage", "units", "shifts")),
    _Check(_coverage_days, ("coverage", "horizon", "calendar")),
    _Check(_coverage_rules, ("coverage",)),
    _Check(_coverage_over_weight, ("coverage",)),
    _Check(_successions, ("shifts",)),
    _Check(_rule_shift_limits, ("rules", "units", "shifts")),
    _Check(_staff_shift_limits, ("staff", "shifts")),
    _Check(_coverage_standby_days, ("coverage", "horizon", "calendar")),
    _Check(_wfa_days, ("calendar", "horizon")),
    *(
        check
        for section in ("requests", "pins")
        for check in (
            _Check(partial(_entry_dates, section), (section, "horizon")),
            _Check(partial(_entry_shift_kind, section), (section,)),
            _Check(
                partial(_entry_people, section), (section, "staff", "units"), complete=("staff",)
            ),
        )
    ),
)
