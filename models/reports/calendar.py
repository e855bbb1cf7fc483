"""One iCalendar (RFC 5545) file per person: their on-site shifts and WFA days.

Written by hand rather than through an iCalendar library: a city roster is ~10,000 files and
~150,000 events, and building component objects for each costs seconds we need not spend;
the format we emit is small and fixed (the tests parse every file back with `icalendar`).

Times are local wall-clock times with `TZID=Asia/Jakarta` and a VTIMEZONE for it, not UTC:
the file then reads as the roster does (a `malam` shift starts at 21:00, not 14:00Z), and
Jakarta (WIB) has had a fixed UTC+07:00 offset with no daylight saving since 1964, so one
STANDARD sub-component describes it exactly for every date a roster can hold.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

from models.output import write_atomic
from models.problem import ONSITE, WFA, Day, Option, Person, Problem
from models.reports.labels import check_language
from models.result import Roster

TZID = "Asia/Jakarta"
FOLD_OCTETS = 75  # RFC 5545 §3.1: content lines SHOULD NOT be longer than 75 octets
CRLF = "\r\n"

LABELS = {
    "id": {
        "onsite": "Piket {shift}",
        "wfa": "WFA — laporan harian ke atasan",
        "standby": "WFA — siaga {rule}: siap datang untuk shift {shift}",
        "calendar": "Jadwal piket — {name}",
        "staff": "Pegawai",
        "holiday": "Libur nasional",
        "collective_leave": "Cuti bersama",
    },
    "en": {
        "onsite": "On site {shift}",
        "wfa": "WFA — daily report to superior",
        "standby": "WFA — standby for {rule}: ready to come in for the {shift} shift",
        "calendar": "Duty roster — {name}",
        "staff": "Staff",
        "holiday": "Public holiday",
        "collective_leave": "Collective leave",
    },
}

# The VTIMEZONE block: fixed UTC+07:00 (WIB), so no RRULE and no DAYLIGHT part is needed.
_VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0700",
    "TZOFFSETTO:+0700",
    "TZNAME:WIB",
    "END:STANDARD",
    "END:VTIMEZONE",
)

_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9_-]")


def write_calendars(
    folder: Path,
    problem: Problem,
    roster: Roster,
    lang: str = "id",
    *,
    stamp: datetime | None = None,
) -> list[Path]:
    """Write `<staff id>.ics` per person into `folder`; return the paths in person order.

    `stamp` is the DTSTAMP of every event (default: now); pass a fixed one for byte-identical
    output across runs. Everyone gets a file, even with no events, so a calendar subscribed
    earlier is emptied rather than left stale when a new roster gives the person nothing.
    """
    check_language(lang)
    context = _Context(problem, lang, _utc_stamp(stamp or datetime.now(UTC)))
    paths = [folder / name for name in _file_names(problem.people)]
    # Sequential on purpose: text for 10k people takes ~1.2 s; the rest is one fsync per
    # file inside write_atomic, and a thread pool measured no faster on ext4 (fsyncs queue).
    standby: dict[int, dict[int, str]] = {}
    for (person_index, day), rule_id in roster.standby.items():
        standby.setdefault(person_index, {})[day] = rule_id
    for person, row, path in zip(problem.people, roster.cells, paths, strict=True):
        write_atomic(path, context.calendar(person, row, standby.get(person.index, {})))
    return paths


# --- one calendar --------------------------------------------------------------------------


class _Context:
    """Everything shared by all people's calendars, with the text that repeats cached.

    10,000 people hold ~150,000 events over a handful of (shift, day) and (unit, site)
    pairs, so the escaped and folded lines for those are made once, not once per event.
    """

    def __init__(self, problem: Problem, lang: str, dtstamp: str) -> None:
        self.problem = problem
        self.labels = LABELS[lang]
        self.dtstamp = f"DTSTAMP:{dtstamp}{CRLF}"
        self.header = _content(
            "BEGIN:VCALENDAR",
            f"PRODID:-//piket//piket roster//{lang.upper()}",
            "VERSION:2.0",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",  # an import/subscription, not a meeting invitation
        )
        self.timezone = _content(f"X-WR-TIMEZONE:{TZID}", *_VTIMEZONE)
        # interval() counts minutes from the horizon's first midnight, so an overnight or a
        # 24 h shift ends on a later date without any special case here.
        self.origin = datetime.combine(problem.days[0].date, datetime.min.time())
        self.day_notes = [_escaped_day_note(day, self.labels) for day in problem.days]
        self.wfa_lines = [self._wfa_lines(day, self.labels["wfa"]) for day in problem.days]
        self.shift_of = {(r.rule_id, r.unit, r.day): r.shift for r in problem.requirements}
        self._times: dict[tuple[str, int], str] = {}
        self._places: dict[tuple[str, str | None, str], str] = {}

    def calendar(
        self, person: Person, row: tuple[Option, ...], standby: Mapping[int, str]
    ) -> bytes:
        """The person's calendar; `standby`: day -> the rule they stand by for that day."""
        name = escape_text(self.labels["calendar"].format(name=person.name))
        staff = escape_text(f"{self.labels['staff']}: {person.name} ({person.id})")
        chunks = [self.header, fold_line(f"X-WR-CALNAME:{name}") + CRLF, self.timezone]
        for day, option in zip(self.problem.days, row, strict=True):
            if option.status == ONSITE and option.shift is not None:
                body = self._time_lines(option.shift, day) + self._place_lines(person, option.shift)
                chunks.append(self._event(person, day, option.shift, body, staff))
            elif option.status == WFA and day.index in standby:
                rule = standby[day.index]
                shift = self.shift_of.get((rule, person.unit, day.index), "")
                summary = self.labels["standby"].format(rule=rule, shift=shift)
                chunks.append(self._event(person, day, WFA, self._wfa_lines(day, summary), staff))
            elif option.status == WFA:
                chunks.append(self._event(person, day, WFA, self.wfa_lines[day.index], staff))
        chunks.append("END:VCALENDAR" + CRLF)
        return "".join(chunks).encode("utf-8")

    def _event(self, person: Person, day: Day, kind: str, body: str, staff: str) -> str:
        uid = fold_line(f"UID:{_uid(person, day, kind)}")
        description = fold_line(f"DESCRIPTION:{staff}{self.day_notes[day.index]}")
        return (
            f"BEGIN:VEVENT{CRLF}{uid}{CRLF}{self.dtstamp}{body}{description}{CRLF}END:VEVENT{CRLF}"
        )

    def _time_lines(self, shift_id: str, day: Day) -> str:
        key = (shift_id, day.index)
        if key not in self._times:
            first, last = self.problem.shifts[shift_id].interval(day.index)
            start = self.origin + timedelta(minutes=first)
            end = self.origin + timedelta(minutes=last)
            self._times[key] = _content(
                f"DTSTART;TZID={TZID}:{start:%Y%m%dT%H%M%S}",
                f"DTEND;TZID={TZID}:{end:%Y%m%dT%H%M%S}",
            )
        return self._times[key]

    def _place_lines(self, person: Person, shift_id: str) -> str:
        key = (person.unit, person.site, shift_id)
        if key not in self._places:
            unit = self.problem.units[person.unit].name
            place = f"{unit} / {person.site}" if person.site else unit
            summary = f"{self.labels['onsite'].format(shift=shift_id)} — {place}"
            self._places[key] = _content(
                f"SUMMARY:{escape_text(summary)}", f"LOCATION:{escape_text(place)}"
            )
        return self._places[key]

    @staticmethod
    def _wfa_lines(day: Day, summary: str) -> str:
        # An all-day event: DATE values, DTEND exclusive (the next day), RFC 5545 §3.6.1.
        return _content(
            f"DTSTART;VALUE=DATE:{day.date:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day.date + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape_text(summary)}",
            "TRANSP:TRANSPARENT",  # working remotely: free/busy should not show the day taken
        )


def _escaped_day_note(day: Day, labels: dict[str, str]) -> str:
    """The holiday / collective-leave lines appended to a DESCRIPTION, already escaped."""
    notes = []
    if day.holiday:
        notes.append(f"{labels['holiday']}: {day.holiday}")
    if day.collective_leave:
        notes.append(f"{labels['collective_leave']}: {day.collective_leave}")
    return "".join("\\n" + escape_text(note) for note in notes)


def _uid(person: Person, day: Day, kind: str) -> str:
    """Staff id + date + kind: the same roster cell keeps its UID when a roster is re-solved,
    so a calendar client updates the event instead of adding a duplicate."""
    return escape_text(f"{person.id}-{day.date:%Y%m%d}-{kind}@piket")


def _utc_stamp(moment: datetime) -> str:
    # DTSTAMP must be a UTC date-time (RFC 5545 §3.8.7.2); a naive moment is taken as UTC.
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment:%Y%m%dT%H%M%S}Z"


# --- content lines -------------------------------------------------------------------------


def escape_text(value: str) -> str:
    """TEXT escaping (RFC 5545 §3.3.11): backslash first, so added backslashes stay single."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold_line(line: str) -> str:
    """Fold one content line at 75 octets (continuations start with a space, which counts),
    never inside a UTF-8 sequence, so names like `Siti Nur'aini — IGD` stay valid UTF-8."""
    raw = line.encode("utf-8")
    if len(raw) <= FOLD_OCTETS:
        return line
    parts = []
    start, limit = 0, FOLD_OCTETS
    while len(raw) - start > limit:
        cut = start + limit
        while raw[cut] & 0xC0 == 0x80:  # a continuation byte: step back to the char start
            cut -= 1
        parts.append(raw[start:cut].decode("utf-8"))
        start, limit = cut, FOLD_OCTETS - 1
    parts.append(raw[start:].decode("utf-8"))
    return (CRLF + " ").join(parts)


def _content(*lines: str) -> str:
    """Content lines, folded, each ended by CRLF."""
    return "".join(fold_line(line) + CRLF for line in lines)


# --- file names ----------------------------------------------------------------------------


def _file_names(people: tuple[Person, ...]) -> list[str]:
    """`<staff id>.ics`, ids reduced to [A-Za-z0-9_-]. An id that needed changing, or that
    would clash with another on a case-insensitive disk, gets a short hash of the real id,
    so two people never share a file."""
    names, taken = [], set()
    for person in people:
        safe = _UNSAFE_FILE_CHARS.sub("_", person.id) or "_"
        if safe != person.id or safe.casefold() in taken:
            digest = hashlib.sha256(person.id.encode("utf-8")).hexdigest()[:10]
            safe = f"{safe}-{digest}"
        taken.add(safe.casefold())
        names.append(f"{safe}.ics")
    return names
