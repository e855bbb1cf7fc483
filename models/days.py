"""Day selectors and date ranges, shared by validation and resolution."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from models.scenario import DAY_KEYWORDS, WEEKDAYS, Calendar, DayItem, Horizon


@dataclass(frozen=True)
class CalendarView:
    """What a selector needs to know about the horizon: its dates and their kinds."""

    dates: tuple[date, ...]
    weekend: frozenset[int]  # weekday numbers, Monday = 0
    holidays: frozenset[date]
    collective_leave: frozenset[date]
    wfa_days: frozenset[date]

    def is_working(self, day: date) -> bool:
        return not (
            day.weekday() in self.weekend or day in self.holidays or day in self.collective_leave
        )


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO date (YYYY-MM-DD)") from None


def expand_dates(item: DayItem) -> list[date]:
    """A date or an inclusive `start..end` range -> its dates (no horizon clipping)."""
    if isinstance(item, date):
        return [item]
    if ".." in item:
        first_text, last_text = item.split("..", 1)
        first, last = parse_date(first_text), parse_date(last_text)
        if last < first:
            raise ValueError(f"range {item!r} ends before it starts")
        return [first + timedelta(days=k) for k in range((last - first).days + 1)]
    return [parse_date(item)]


def _weekday_set(item: str) -> set[int] | None:
    """`mon` -> {0}; `mon..fri` -> {0..4} (wrapping, `fri..mon`); None if not weekday text."""
    names = [part.strip().lower() for part in item.split("..")]
    if not all(name in WEEKDAYS for name in names) or len(names) > 2:
        return None
    first = WEEKDAYS.index(names[0])
    last = WEEKDAYS.index(names[-1])
    span = (last - first) % 7
    return {(first + k) % 7 for k in range(span + 1)}


def select_days(items: DayItem | Sequence[DayItem], view: CalendarView) -> set[date]:
    """The horizon dates a coverage `days` selector means (the union of its items).

    Raises ValueError naming the first item that is not a keyword, weekday or date.
    Dates outside the horizon are an error: a rule for a day that is not planned
    is almost always a typo in the year.
    """
    chosen: set[date] = set()
    horizon = set(view.dates)
    for item in [items] if isinstance(items, str | date) else items:
        if isinstance(item, str) and item.strip().lower() in DAY_KEYWORDS:
            chosen |= {d for d in view.dates if _keyword_matches(item.strip().lower(), d, view)}
            continue
        weekdays = _weekday_set(item) if isinstance(item, str) else None
        if weekdays is not None:
            chosen |= {d for d in view.dates if d.weekday() in weekdays}
            continue
        try:
            dates = expand_dates(item)
        except ValueError:
            raise ValueError(
                f"{item!r} is not a day selector: expected one of {', '.join(DAY_KEYWORDS)}, "
                "a weekday (mon..sun) or weekday range (mon..fri), a date or a date range"
            ) from None
        outside = [d for d in dates if d not in horizon]
        if outside:
            raise ValueError(f"{item!r} includes {outside[0]}, outside the horizon")
        chosen |= set(dates)
    return chosen


def _keyword_matches(keyword: str, day: date, view: CalendarView) -> bool:
    if keyword == "all":
        return True
    if keyword == "working":
        return view.is_working(day)
    if keyword == "nonworking":
        return not view.is_working(day)
    if keyword == "holidays":
        return day in view.holidays
    if keyword == "collective_leave":
        return day in view.collective_leave
    return day in view.wfa_days  # "wfa"


def dates_of(items: Iterable[DayItem]) -> list[date]:
    """Every date of a list of dates and ranges (leave, wfa_days)."""
    return [d for item in items for d in expand_dates(item)]


def calendar_view(horizon: Horizon, calendar: Calendar) -> CalendarView:
    """The horizon's calendar. `wfa_days` items that do not parse are left out: validation
    reports them, and a validated scenario has none."""
    dates = tuple(horizon.start + timedelta(days=k) for k in range(horizon.days))
    wfa: set[date] = set()
    for item in calendar.wfa_days:
        try:
            wfa.update(expand_dates(item))
        except ValueError:
            continue
    return CalendarView(
        dates=dates,
        weekend=frozenset(WEEKDAYS.index(name) for name in calendar.weekend),
        holidays=frozenset(calendar.holidays),
        collective_leave=frozenset(calendar.collective_leave),
        wfa_days=frozenset(wfa),
    )
