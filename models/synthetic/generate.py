"""Synthetic scenarios of any size, deterministic by seed: `piket generate`.

A city-like mix of units, scaled to the staff count asked for: fire brigades (sector posts of
18 on a 24-hour jaga with 48 h rest, as Kota Bekasi's Disdamkarmat), hospitals (wards of 30 on
three shifts), Dukcapil-like service offices (counters open on WFA days), kecamatan offices
(piket on holidays) and ordinary office units (at most half on WFA, a leader on site). Leave,
`history`, requests and pins are drawn at realistic rates, capped per site so that every
scenario is feasible by construction: the minimums stay below the capacity left after leave.

Used for benchmarks, demos and tests where real staff data may not be shared.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from models.errors import InputIssue, InvalidInput
from models.output import write_atomic
from models.synthetic.names import Ids, make_name

# The holidays and cuti bersama the calendar knows (SKB 3 Menteri for 2025/26); a horizon
# elsewhere in the year simply has none.
HOLIDAYS = {date(2025, 12, 25): "Hari Raya Natal", date(2026, 1, 1): "Tahun Baru Masehi"}
COLLECTIVE_LEAVE = {date(2025, 12, 26): "Cuti Bersama Natal"}
WEEKEND = (5, 6)  # Saturday, Sunday

SHIFTS = {
    "kantor": {"start": "07:30", "end": "16:00"},
    "pagi": {"start": "07:00", "end": "14:00"},
    "siang": {"start": "14:00", "end": "21:00"},
    "malam": {"start": "21:00", "end": "07:00"},
    "jaga": {"start": "08:00", "end": "08:00"},
}

FIRE_POST = 18  # 4 danru + 14 pemadam; 24 h on, 48 h off gives 6 a day, 4 required
FIRE_POST_DANRU = 4
FIRE_POST_MIN = 4
HOSPITAL_WARD = 30  # 5 dokter, 3 ketua tim, 22 perawat; 15 a day required over three shifts
WARD_SHIFT_MIN = {"pagi": 6, "siang": 5, "malam": 4}
SMALLEST_OFFICE = 6

# Share of the staff by kind of unit, as in Kota Bekasi's 46 units (scenarios/README.md).
STAFF_SHARE = {"fire": 0.05, "hospital": 0.2, "service": 0.07, "kecamatan": 0.13, "office": 0.55}
UNIT_SHARE = {"fire": 0.04, "hospital": 0.06, "service": 0.06, "kecamatan": 0.24, "office": 0.6}

LEAVE_RATE = 0.04  # people with a leave spell in the horizon
HISTORY_RATE = 0.25  # people who carried piket in an earlier period
REQUEST_RATE = 0.01
PINNED_HEAD_RATE = 0.3  # office units whose head is pinned on site one WFA day
LEADER_SKILLS = {"danru", "dokter", "ketua-tim", "pimpinan"}
_BLOCKS = {"fire": FIRE_POST, "hospital": HOSPITAL_WARD}  # roster units come in whole posts/wards


@dataclass(frozen=True)
class GeneratorSettings:
    staff: int
    units: int
    days: int = 14
    wfa_days: int = 3
    seed: int = 0
    start: date = date(2025, 12, 22)

    @property
    def name(self) -> str:
        return f"synthetic-{self.staff}-u{self.units}-d{self.days}-s{self.seed}"


@dataclass
class _Unit:
    id: str
    kind: str
    size: int
    people: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class GeneratedScenario:
    name: str
    document: dict[str, Any]
    staff: list[dict[str, str]]

    def write(self, out_dir: Path) -> list[Path]:
        """Write `<name>.yaml` and `<name>-staff.csv` into `out_dir`, each whole or not at all."""
        staff_path = out_dir / f"{self.name}-staff.csv"
        scenario_path = out_dir / f"{self.name}.yaml"
        write_atomic(staff_path, _csv_bytes(self.staff))
        document = {**self.document, "staff": staff_path.name}
        write_atomic(scenario_path, _yaml_bytes(document))
        return [scenario_path, staff_path]


def generate(settings: GeneratorSettings) -> GeneratedScenario:
    _refuse_impossible(settings)
    rng = random.Random(settings.seed)
    days = [settings.start + timedelta(days=k) for k in range(settings.days)]
    wfa_days = _wfa_days(days, settings.wfa_days)
    units = _plan_units(settings, rng)
    ids = Ids(rng)
    for unit in units:
        _staff_unit(unit, rng, ids)
    staff = [person for unit in units for person in unit.people]
    _draw_leave(units, days, rng)
    for person in staff:
        if rng.random() < HISTORY_RATE:
            person["history"] = str(rng.randint(1, 3))
    document = {
        "version": 1,
        "name": f"Synthetic city: {settings.staff} staff, {settings.units} units, "
        f"{settings.days} days (seed {settings.seed})",
        "horizon": {"start": days[0], "end": days[-1]},
        "calendar": _calendar(days, wfa_days),
        "shifts": SHIFTS,
        "units": {unit.id: _unit_entry(unit) for unit in units},
        "coverage": _coverage(units, days),
        "rules": {"min_rest_hours": 11, "max_consecutive_onsite_days": 6},
        "fairness": {
            "pool": "unit",
            "weights": {"wfa_days": 10, "holiday_duty": 5, "night_shifts": 1},
            "use_history": True,
        },
        "requests": _requests(units, days, wfa_days, rng),
        "pins": _pins(units, days, wfa_days, rng),
        "solver": {"time_limit_s": 60, "workers": 0, "seed": 0},
    }
    return GeneratedScenario(settings.name, document, staff)


def _refuse_impossible(settings: GeneratorSettings) -> None:
    """Settings no city can meet; too many WFA days for the horizon's working days are
    refused by _wfa_days, which knows how many there are."""
    problems = []
    if settings.units < 1:
        problems.append(("units", "at least 1 unit"))
    elif settings.staff < (smallest := _smallest_city(settings.units)):
        problems.append(("staff", f"at least {smallest} staff for {settings.units} units"))
    if not 1 <= settings.days <= 366:
        problems.append(("days", "a horizon of 1 to 366 days"))
    if settings.wfa_days < 0:
        problems.append(("wfa-days", "0 or more WFA days"))
    if problems:
        raise InvalidInput(
            [
                InputIssue("piket generate", None, f"--{name}", f"expected {what}")
                for name, what in problems
            ]
        )


def _unit_counts(units: int) -> dict[str, int]:
    """Units per kind: at least one office; fire, hospital and service units appear from 4 units."""
    if units < 4:
        return {"office": units}
    counts = {
        kind: max(1, round(share * units)) for kind, share in UNIT_SHARE.items() if kind != "office"
    }
    counts["office"] = max(1, units - sum(counts.values()))
    while sum(counts.values()) > units:  # rounding up the small kinds overshot
        counts["kecamatan"] -= 1
    return counts


def _smallest_city(units: int) -> int:
    counts = _unit_counts(units)
    roster = counts.get("fire", 0) * FIRE_POST + counts.get("hospital", 0) * HOSPITAL_WARD
    return roster + (units - counts.get("fire", 0) - counts.get("hospital", 0)) * SMALLEST_OFFICE


def _plan_units(settings: GeneratorSettings, rng: random.Random) -> list[_Unit]:
    counts = _unit_counts(settings.units)
    shares = {kind: STAFF_SHARE[kind] for kind in counts}
    total_share = sum(shares.values())
    units: list[_Unit] = []
    for kind, count in counts.items():
        budget = settings.staff * shares[kind] / total_share
        for index in range(count):
            size = budget / count * rng.uniform(0.7, 1.3)
            units.append(_Unit(f"{kind}-{index + 1}", kind, _rounded_size(kind, size)))
    _balance(units, settings.staff)
    return units


def _rounded_size(kind: str, size: float) -> int:
    block = _BLOCKS.get(kind)
    return max(1, round(size / block)) * block if block else max(SMALLEST_OFFICE, round(size))


def _balance(units: list[_Unit], staff: int) -> None:
    """Make the sizes add up to `staff` exactly: roster units give back whole posts and wards
    while the offices would fall below their smallest size, then the offices share the rest in
    proportion to their drawn sizes."""
    offices = [unit for unit in units if unit.kind not in _BLOCKS]
    rostered = [unit for unit in units if unit.kind in _BLOCKS]
    room = staff - len(offices) * SMALLEST_OFFICE
    while sum(unit.size for unit in rostered) > room:
        largest = max(rostered, key=lambda unit: unit.size / _BLOCKS[unit.kind])
        largest.size -= _BLOCKS[largest.kind]  # _refuse_impossible keeps one block each
    spare = room - sum(unit.size for unit in rostered)
    drawn = sum(unit.size for unit in offices)
    for unit in offices:
        unit.size, share = SMALLEST_OFFICE, unit.size
        unit.size += spare * share // drawn
    for index in range(staff - sum(unit.size for unit in units)):
        offices[index % len(offices)].size += 1


def _wfa_days(days: list[date], count: int) -> list[date]:
    """`count` working days from the middle of the horizon on (29-31 Dec for the default)."""
    working = [day for day in days if _is_working(day)]
    if count > len(working):
        raise InvalidInput(
            [
                InputIssue(
                    "piket generate",
                    None,
                    "--wfa-days",
                    f"at most {len(working)} (the working days of the horizon)",
                )
            ]
        )
    middle = next((k for k, day in enumerate(working) if day >= days[len(days) // 2]), len(working))
    first = max(0, min(middle, len(working) - count))
    return working[first : first + count]


def _is_working(day: date) -> bool:
    return day.weekday() not in WEEKEND and day not in HOLIDAYS and day not in COLLECTIVE_LEAVE


def _calendar(days: list[date], wfa_days: list[date]) -> dict[str, Any]:
    inside = set(days)
    return {
        "weekend": ["sat", "sun"],
        "holidays": {day: name for day, name in HOLIDAYS.items() if day in inside},
        "collective_leave": {day: name for day, name in COLLECTIVE_LEAVE.items() if day in inside},
        "wfa_days": wfa_days,
    }


# ---------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------
FEMALE_SHARE = {"dokter": 0.55, "perawat": 0.72, "pemadam": 0.05, "danru": 0.05}


def _staff_unit(unit: _Unit, rng: random.Random, ids: Ids) -> None:
    for site, skills in _positions(unit):
        female = rng.random() < FEMALE_SHARE.get(skills.split("|")[0], 0.45)
        unit.people.append(_person(unit.id, site, skills, female, rng, ids))
    _link_superiors(unit)


def _positions(unit: _Unit) -> list[tuple[str, str]]:
    """(site, skills) of every position of the unit; leaders first within each site."""
    if unit.kind == "fire":
        post = ["danru|pemadam"] * FIRE_POST_DANRU + ["pemadam"] * (FIRE_POST - FIRE_POST_DANRU)
        return [(f"pos-{k + 1}", skills) for k in range(unit.size // FIRE_POST) for skills in post]
    if unit.kind == "hospital":
        ward = ["dokter"] * 6 + ["perawat|ketua-tim"] * 3 + ["perawat"] * (HOSPITAL_WARD - 9)
        return [
            (f"bangsal-{k + 1}", skills)
            for k in range(unit.size // HOSPITAL_WARD)
            for skills in ward
        ]
    leaders = max(2, unit.size // 12)
    office = [("", "pimpinan")] * leaders + [("", "")] * (unit.size - leaders)
    if unit.kind != "service":
        return office
    counter = round((unit.size - leaders) * 0.6)  # most of a service office sits at the counters
    return office[:leaders] + [("loket", "")] * counter + office[leaders + counter :]


def _person(
    unit: str, site: str, skills: str, female: bool, rng: random.Random, ids: Ids
) -> dict[str, str]:
    birth = date(1966, 1, 1) + timedelta(days=rng.randrange(35 * 365))
    pppk = rng.random() < 0.35
    year = min(2025, birth.year + rng.randint(22, 35))
    if pppk:
        year = max(year, 2021)
    person_id = ids.person_id(
        "pppk" if pppk else "pns", birth, (year, rng.randint(1, 12)), 2 if female else 1
    )
    return {
        "id": person_id,
        "name": make_name(rng, female),
        "unit": unit,
        "site": site,
        "skills": skills,
        "wfa_eligible": "",
        "leave": "",
        "history": "",
        "superior": "",
        "phone": ids.phone(),
    }


def _link_superiors(unit: _Unit) -> None:
    """Leaders report to the unit head (its first leader); everyone else to the leaders of
    their site in turn, or to the head where the site has none."""
    head = unit.people[0]
    leaders: dict[str, list[dict[str, str]]] = {}
    for person in unit.people:
        if _is_leader(person):
            leaders.setdefault(person["site"], []).append(person)
    turn: Counter[str] = Counter()
    for person in unit.people[1:]:
        site_leaders = leaders.get(person["site"], [head])
        if _is_leader(person):
            person["superior"] = head["id"]
        else:
            person["superior"] = site_leaders[turn[person["site"]] % len(site_leaders)]["id"]
            turn[person["site"]] += 1


def _is_leader(person: dict[str, str]) -> bool:
    return bool(LEADER_SKILLS & set(person["skills"].split("|")))


def _draw_leave(units: list[_Unit], days: list[date], rng: random.Random) -> None:
    """A leave spell of 1-5 days for about LEAVE_RATE of the staff, capped per site so the
    minimums still hold: at most one leader and one in ten of the others away at a time."""
    for unit in units:
        away: dict[tuple[str, bool], int] = {}
        site_size = Counter(person["site"] for person in unit.people)
        for person in unit.people:
            if rng.random() >= LEAVE_RATE:
                continue
            leader = _is_leader(person)
            key = (person["site"], leader)
            if away.get(key, 0) >= (1 if leader else max(1, site_size[person["site"]] // 10)):
                continue
            away[key] = away.get(key, 0) + 1
            first = rng.randrange(len(days))
            last = min(len(days) - 1, first + rng.randint(0, 4))
            person["leave"] = str(days[first]) if first == last else f"{days[first]}..{days[last]}"


def _leave_days(person: dict[str, str], days: list[date]) -> set[date]:
    if not person["leave"]:
        return set()
    first, _, last = person["leave"].partition("..")
    start, end = date.fromisoformat(first), date.fromisoformat(last or first)
    return {day for day in days if start <= day <= end}


# ---------------------------------------------------------------------------------------
# Units and rules
# ---------------------------------------------------------------------------------------
UNIT_NAMES = {
    "fire": "Dinas Pemadam Kebakaran",
    "hospital": "Rumah Sakit Umum Daerah",
    "service": "Dinas Kependudukan dan Pencatatan Sipil",
    "kecamatan": "Kecamatan",
    "office": "Perangkat Daerah",
}


def _unit_entry(unit: _Unit) -> dict[str, Any]:
    number = unit.id.rsplit("-", 1)[1]
    entry: dict[str, Any] = {"name": f"{UNIT_NAMES[unit.kind]} {number}"}
    if unit.kind == "fire":
        return entry | {
            "schedule": "roster",
            "shifts": ["jaga"],
            "wfa": False,
            "rules": {"min_rest_hours": 48, "min_shifts_per_week": 2},
        }
    if unit.kind == "hospital":
        return entry | {"schedule": "roster", "shifts": ["pagi", "siang", "malam"], "wfa": False}
    return entry | {"schedule": "office", "shifts": ["kantor"], "wfa": unit.kind != "kecamatan"}


def _coverage(units: list[_Unit], days: list[date]) -> list[dict[str, Any]]:
    has_holidays = any(day in HOLIDAYS for day in days)
    has_collective = any(day in COLLECTIVE_LEAVE for day in days)
    rules: list[dict[str, Any]] = []
    for unit in units:
        sites = sorted({person["site"] for person in unit.people})
        if unit.kind == "fire":
            rules += [rule for site in sites for rule in _fire_post_rules(unit.id, site)]
        elif unit.kind == "hospital":
            rules += [rule for site in sites for rule in _ward_rules(unit.id, site)]
        elif unit.kind == "service":
            rules.append(
                _rule(f"{unit.id}-loket-wfa", unit.id, "kantor", "wfa", site="loket", min_share=0.7)
            )
            if has_collective:
                rules.append(
                    _rule(
                        f"{unit.id}-loket-cuti-bersama",
                        unit.id,
                        "kantor",
                        "collective_leave",
                        site="loket",
                        min=2,
                        max=4,
                    )
                )
    kecamatan = [unit.id for unit in units if unit.kind == "kecamatan"]
    holiday_days = [
        name
        for name, present in (("holidays", has_holidays), ("collective_leave", has_collective))
        if present
    ]
    if kecamatan and holiday_days:
        rules.append(_rule("kecamatan-piket-libur", kecamatan, "kantor", holiday_days, min=2))
    rules.append(_rule("opd-wfa-maks-50", "*", "kantor", "wfa", min_share=0.5))
    rules.append(_rule("opd-pimpinan-wfa", "*", "kantor", "wfa", skill="pimpinan", min=1))
    return rules


def _rule(
    rule_id: str,
    unit: str | list[str],
    shift: str,
    days: str | list[str],
    *,
    site: str = "",
    skill: str = "",
    **limits: Any,
) -> dict[str, Any]:
    rule: dict[str, Any] = {"id": rule_id, "unit": unit}
    rule |= {key: value for key, value in (("site", site), ("skill", skill)) if value}
    return rule | {"shift": shift, "days": days, **limits}


def _fire_post_rules(unit: str, site: str) -> list[dict[str, Any]]:
    return [
        _rule(f"{unit}-{site}-jaga", unit, "jaga", "all", site=site, min=FIRE_POST_MIN),
        _rule(f"{unit}-{site}-jaga-danru", unit, "jaga", "all", site=site, skill="danru", min=1),
    ]


def _ward_rules(unit: str, site: str) -> list[dict[str, Any]]:
    rules = [
        _rule(f"{unit}-{site}-{shift}", unit, shift, "all", site=site, min=n)
        for shift, n in WARD_SHIFT_MIN.items()
    ]
    rules += [
        _rule(f"{unit}-{site}-{shift}-dokter", unit, shift, "all", site=site, skill="dokter", min=1)
        for shift in WARD_SHIFT_MIN
    ]
    rules.append(
        _rule(
            f"{unit}-{site}-pagi-ketua-tim",
            unit,
            "pagi",
            "all",
            site=site,
            skill="ketua-tim",
            min=1,
        )
    )
    return rules


# ---------------------------------------------------------------------------------------
# Requests and pins
# ---------------------------------------------------------------------------------------
def _requests(
    units: list[_Unit], days: list[date], wfa_days: list[date], rng: random.Random
) -> list[dict[str, Any]]:
    """About REQUEST_RATE of the staff ask for something the rules allow them to have:
    office staff WFA on a WFA day, roster and kecamatan staff a day off."""
    holidays = [day for day in days if day in HOLIDAYS or day in COLLECTIVE_LEAVE]
    requests = []
    for unit in units:
        wanted = {
            "fire": ("off", days),
            "hospital": ("off", days),
            "kecamatan": ("off", holidays),
        }.get(unit.kind, ("wfa", wfa_days))
        for person in unit.people:
            if rng.random() >= REQUEST_RATE:
                continue
            free = [day for day in wanted[1] if day not in _leave_days(person, days)]
            if free:
                requests.append(
                    {
                        "staff": person["id"],
                        "date": rng.choice(free),
                        "want": wanted[0],
                        "weight": rng.randint(1, 3),
                    }
                )
    return requests


def _pins(
    units: list[_Unit], days: list[date], wfa_days: list[date], rng: random.Random
) -> list[dict[str, Any]]:
    """Some office heads pinned on site on a WFA day; one danru per fire brigade pinned on a
    jaga (the other danru of the post can always take the remaining days)."""
    pins = []
    for unit in units:
        head = unit.people[0]
        if unit.kind == "fire":
            choices, status = days, {"status": "onsite", "shift": "jaga"}
        elif unit.kind in ("office", "service") and rng.random() < PINNED_HEAD_RATE:
            choices, status = wfa_days, {"status": "onsite", "shift": "kantor"}
        else:
            continue
        free = [day for day in choices if day not in _leave_days(head, days)]
        if free:
            pins.append({"staff": head["id"], "date": rng.choice(free), **status})
    return pins


# ---------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------
def _csv_bytes(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _yaml_bytes(document: dict[str, Any]) -> bytes:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = None  # leaves in flow style: one line per rule, request and pin
    yaml.width = 200
    yaml.representer.ignore_aliases = lambda _data: True  # the same date twice is written twice
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    buffer = io.StringIO()
    buffer.write("# Generated by `piket generate`; people are synthetic.\n")
    yaml.dump(document, buffer)
    return buffer.getvalue().encode()
