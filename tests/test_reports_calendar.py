"""The per-person iCalendar files, parsed back with the `icalendar` library."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from models.problem import OFF_OPTION, WFA_OPTION, Option, Problem
from models.reports.calendar import escape_text, fold_line, write_calendars
from models.result import Roster
from tests.conftest import build

JAKARTA = ZoneInfo("Asia/Jakarta")
STAMP = datetime(2025, 12, 20, 1, 2, 3, tzinfo=UTC)
AWKWARD_NAME = 'Siregar, Budi; S.Kom\\ "IGD"'


def _problem() -> Problem:
    # Mon 29 – Wed 31 Dec 2025, all WFA days; a hospital and a fire post with sites.
    return build(
        units={
            "rsud-cam": {"name": "RSUD CAM", "schedule": "roster", "shifts": ["pagi", "malam"]},
            "damkar": {"name": "Damkar", "schedule": "roster", "shifts": ["jaga"]},
            "office": {"shifts": ["kantor"]},
        },
        staff=[
            {"id": "n-1", "name": AWKWARD_NAME, "unit": "rsud-cam", "site": "igd"},
            {"id": "f-1", "name": "Heru", "unit": "damkar", "site": "mako"},
            {"id": "o/1", "name": "Ani", "unit": "office", "wfa_eligible": True},
        ],
    )


def _roster() -> Roster:
    pagi, malam, jaga = (
        Option("onsite", "pagi"),
        Option("onsite", "malam"),
        Option("onsite", "jaga"),
    )
    return Roster(
        cells=(
            (pagi, malam, OFF_OPTION),  # nurse: morning, then a night into 31 Dec
            (jaga, OFF_OPTION, jaga),  # firefighter: two 24 h watches
            (WFA_OPTION, Option("onsite", "kantor"), OFF_OPTION),
        )
    )


def _write(tmp_path: Path, lang: str = "id") -> list[Path]:
    return write_calendars(tmp_path, _problem(), _roster(), lang, stamp=STAMP)


def _events(path: Path) -> list[icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return list(calendar.walk("VEVENT"))


def _calendar_name(path: Path) -> str:
    # X-WR-CALNAME is TEXT (RFC 5545 §3.8.8.2: x-props default to TEXT), but `icalendar`
    # leaves unknown properties as written, so unescape it here as a client would.
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    raw = str(calendar["X-WR-CALNAME"])
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], raw)


def _by_uid_suffix(events: list[icalendar.Event], suffix: str) -> icalendar.Event:
    (event,) = [e for e in events if str(e["UID"]).endswith(suffix)]
    return event


def test_one_file_per_person_with_safe_names(tmp_path: Path) -> None:
    paths = _write(tmp_path)
    assert [p.name for p in paths[:2]] == ["n-1.ics", "f-1.ics"]
    assert paths[2].name.startswith("o_1-") and paths[2].suffix == ".ics"  # "/" never in a name
    assert all(p.parent == tmp_path and p.is_file() for p in paths)
    assert sorted(tmp_path.iterdir()) == sorted(paths)  # no temporary files left behind


def test_calendar_header_and_timezone(tmp_path: Path) -> None:
    path = _write(tmp_path)[0]
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    assert _calendar_name(path) == f"Jadwal piket — {AWKWARD_NAME}"
    assert calendar["VERSION"] == "2.0"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert str(calendar["PRODID"]).startswith("-//piket//")
    (timezone,) = calendar.walk("VTIMEZONE")
    assert timezone["TZID"] == "Asia/Jakarta"
    (standard,) = timezone.walk("STANDARD")
    assert standard["TZOFFSETTO"].td.total_seconds() == 7 * 3600


def test_event_counts(tmp_path: Path) -> None:
    assert [len(_events(p)) for p in _write(tmp_path)] == [2, 2, 2]


def test_overnight_shift_ends_next_day(tmp_path: Path) -> None:
    events = _events(_write(tmp_path)[0])
    pagi = _by_uid_suffix(events, "-20251229-pagi@piket")
    assert pagi["DTSTART"].dt == datetime(2025, 12, 29, 7, 0, tzinfo=JAKARTA)
    assert pagi["DTEND"].dt == datetime(2025, 12, 29, 14, 0, tzinfo=JAKARTA)
    malam = _by_uid_suffix(events, "-20251230-malam@piket")
    assert malam["DTSTART"].dt == datetime(2025, 12, 30, 21, 0, tzinfo=JAKARTA)
    assert malam["DTEND"].dt == datetime(2025, 12, 31, 7, 0, tzinfo=JAKARTA)
    # The same instant as 14:00 UTC: the offset is +07:00, whatever zone object parsed it.
    assert malam["DTSTART"].dt.astimezone(UTC) == datetime(2025, 12, 30, 14, 0, tzinfo=UTC)


def test_24_hour_watch_ends_same_time_next_day(tmp_path: Path) -> None:
    events = _events(_write(tmp_path)[1])
    last = _by_uid_suffix(events, "-20251231-jaga@piket")
    assert last["DTSTART"].dt == datetime(2025, 12, 31, 8, 0, tzinfo=JAKARTA)
    assert last["DTEND"].dt == datetime(2026, 1, 1, 8, 0, tzinfo=JAKARTA)  # across the year
    assert str(last["SUMMARY"]) == "Piket jaga — Damkar / mako"
    assert str(last["LOCATION"]) == "Damkar / mako"


def test_wfa_day_is_an_all_day_event(tmp_path: Path) -> None:
    events = _events(_write(tmp_path)[2])
    wfa = _by_uid_suffix(events, "-20251229-wfa@piket")
    assert type(wfa["DTSTART"].dt) is date and wfa["DTSTART"].dt == date(2025, 12, 29)
    assert type(wfa["DTEND"].dt) is date and wfa["DTEND"].dt == date(2025, 12, 30)
    assert str(wfa["SUMMARY"]) == "WFA — laporan harian ke atasan"
    assert wfa["TRANSP"] == "TRANSPARENT"


def test_text_escaping_round_trips(tmp_path: Path) -> None:
    path = _write(tmp_path)[0]
    raw = path.read_bytes().decode("utf-8")
    unfolded = raw.replace("\r\n ", "")
    assert 'Siregar\\, Budi\\; S.Kom\\\\ "IGD"' in unfolded
    pagi = _by_uid_suffix(_events(path), "-20251229-pagi@piket")
    assert str(pagi["SUMMARY"]) == "Piket pagi — RSUD CAM / igd"
    assert str(pagi["DESCRIPTION"]) == f"Pegawai: {AWKWARD_NAME} (n-1)"


def test_crlf_and_folding_at_75_octets(tmp_path: Path) -> None:
    for path in _write(tmp_path):
        raw = path.read_bytes()
        assert raw.endswith(b"\r\n")
        assert b"\n" not in raw.replace(b"\r\n", b"")  # no bare LF ...
        assert b"\r" not in raw.replace(b"\r\n", b"")  # ... and no bare CR
        lines = raw.split(b"\r\n")[:-1]
        assert max(len(line) for line in lines) <= 75
        for line in lines:
            line.decode("utf-8")  # folding never splits a UTF-8 sequence


def test_fold_line_keeps_multibyte_characters_whole() -> None:
    line = "SUMMARY:" + "é—" * 60
    folded = fold_line(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join([parts[0]] + [part[1:] for part in parts[1:]]) == line
    assert fold_line("SHORT:x") == "SHORT:x"


def test_escape_text() -> None:
    assert escape_text("a\\b,c;d\ne") == "a\\\\b\\,c\\;d\\ne"


def test_uids_are_unique_and_stable(tmp_path: Path) -> None:
    first = [str(e["UID"]) for p in _write(tmp_path / "a") for e in _events(p)]
    second = [str(e["UID"]) for p in _write(tmp_path / "b") for e in _events(p)]
    assert len(set(first)) == len(first) == 6
    assert first == second
    assert "n-1-20251230-malam@piket" in first
    assert (tmp_path / "a" / "n-1.ics").read_bytes() == (tmp_path / "b" / "n-1.ics").read_bytes()


def test_every_event_has_a_utc_dtstamp(tmp_path: Path) -> None:
    for path in _write(tmp_path):
        for event in _events(path):
            assert event["DTSTAMP"].dt == STAMP


def test_english_labels(tmp_path: Path) -> None:
    paths = _write(tmp_path, lang="en")
    nurse, office = _events(paths[0]), _events(paths[2])
    pagi = _by_uid_suffix(nurse, "-20251229-pagi@piket")
    assert str(pagi["SUMMARY"]) == "On site pagi — RSUD CAM / igd"
    assert str(pagi["DESCRIPTION"]) == f"Staff: {AWKWARD_NAME} (n-1)"
    wfa = _by_uid_suffix(office, "-20251229-wfa@piket")
    assert str(wfa["SUMMARY"]) == "WFA — daily report to superior"
    assert _calendar_name(paths[0]) == f"Duty roster — {AWKWARD_NAME}"


def test_holiday_named_in_description(tmp_path: Path) -> None:
    problem = build(
        horizon={"start": "2025-12-31", "end": "2026-01-01"},
        calendar={"holidays": {"2026-01-01": "Tahun Baru Masehi"}},
        units={"damkar": {"name": "Damkar", "schedule": "roster", "shifts": ["jaga"]}},
        staff=[{"id": "f-1", "name": "Heru", "unit": "damkar"}],
    )
    jaga = Option("onsite", "jaga")
    (path,) = write_calendars(tmp_path, problem, Roster(((OFF_OPTION, jaga),)), stamp=STAMP)
    (event,) = _events(path)
    assert str(event["DESCRIPTION"]) == "Pegawai: Heru (f-1)\nLibur nasional: Tahun Baru Masehi"
    assert str(event["LOCATION"]) == "Damkar"  # no site: the unit alone


def test_file_names_never_clash(tmp_path: Path) -> None:
    problem = build(staff=[{"id": i, "name": i, "unit": "office"} for i in ("a/b", "a_b", "A_B")])
    roster = Roster(tuple((OFF_OPTION,) * 3 for _ in range(3)))
    names = [p.name for p in write_calendars(tmp_path, problem, roster, stamp=STAMP)]
    assert names[1] == "a_b.ics"
    assert len({n.casefold() for n in names}) == 3


def test_unknown_language_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="language"):
        write_calendars(tmp_path, _problem(), _roster(), lang="jv")
