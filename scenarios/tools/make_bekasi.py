#!/usr/bin/env python3
"""Generate the bundled Kota Bekasi Nataru 2025/26 scenarios (synthetic people).

    python scenarios/tools/make_bekasi.py            # write every file, run every check
    python scenarios/tools/make_bekasi.py --check    # run the checks, write nothing

Writes, next to this folder (scenarios/):
    bekasi-nataru-2025.yaml       bekasi-nataru-2025-staff.csv       (46 units, ~10,400 staff)
    bekasi-nataru-2025-demo.yaml  bekasi-nataru-2025-demo-staff.csv  (8 units, ~570 staff)
    variants/bekasi-dukcapil-30.yaml, variants/bekasi-dukcapil-70.yaml

Standard library and piket's `models.synthetic.names`. Every random choice comes from one `random.Random(2025)`, the
output is written in a fixed order with '\\n' line ends, so re-running reproduces every
file byte for byte. The YAML files are generated too (their requests and pins name
generated ids): change this script, not the YAML, and re-run it.

Before writing, the script asserts that each scenario is feasible with margin:
  * every coverage rule matches staff (unit, site, skill) and every request/pin names a
    person, a date inside the horizon and a status that person can have that day;
  * arithmetic capacity per rule and day: staff matching the rule and not on leave, divided
    by the rotation factor of the unit's rest rule (24 h jaga + 48 h rest -> one day in 3),
    is at least the minimum; for 3-shift units, the minimums of one day (one shift per
    person per day) stay below 60 % of the matching staff, and the minimums over the
    horizon below 60 % of 14 shifts per person;
  * a constructive witness: a greedy roster that meets every minimum, pin, leave day,
    rest rule, max_consecutive_onsite_days and min_shifts_per_week, checked again by an
    independent verifier.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import random
import re
import sys
import textwrap
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from pathlib import Path

SCENARIOS = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCENARIOS.parent))  # run as a script from a checkout
from models.synthetic.names import Ids, make_name  # noqa: E402

# --------------------------------------------------------------------------------------
# Calendar (SE MenPAN-RB B/531/M.KT.02/2025: flexible work on 29-31 Dec 2025)
# --------------------------------------------------------------------------------------
START, END = date(2025, 12, 22), date(2026, 1, 4)
DAYS = [START + timedelta(days=k) for k in range((END - START).days + 1)]
N_DAYS = len(DAYS)
WEEKEND = ("sat", "sun")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOLIDAYS = {date(2025, 12, 25): "Hari Raya Natal", date(2026, 1, 1): "Tahun Baru Masehi"}
COLLECTIVE_LEAVE = {date(2025, 12, 26): "Cuti Bersama Natal"}
WFA_RANGE = "2025-12-29..2025-12-31"
WFA_DAYS = [date(2025, 12, 29), date(2025, 12, 30), date(2025, 12, 31)]

SHIFTS = {  # name: (start, end); end <= start ends the next day, end == start is 24 h
    "kantor": ("07:30", "16:00"),
    "pagi": ("07:00", "14:00"),
    "siang": ("14:00", "21:00"),
    "malam": ("21:00", "07:00"),
    "jaga": ("08:00", "08:00"),
}
GLOBAL_RULES = {"min_rest_hours": 11, "max_consecutive_onsite_days": 6}


def minutes(text: str) -> int:
    hours, mins = text.split(":")
    return int(hours) * 60 + int(mins)


def shift_start_len(name: str) -> tuple[int, int]:
    start, end = (minutes(t) for t in SHIFTS[name])
    length = end - start
    return start, length if length > 0 else length + 24 * 60


def is_working(day: date) -> bool:
    return (
        WEEKDAYS[day.weekday()] not in WEEKEND
        and day not in HOLIDAYS
        and day not in COLLECTIVE_LEAVE
    )


assert all(is_working(d) for d in WFA_DAYS), "every wfa day must be a working day"
WEEKS = [  # Mon-Sun weeks wholly inside the horizon, as lists of day indices
    list(range(i, i + 7)) for i, d in enumerate(DAYS) if d.weekday() == 0 and i + 6 < N_DAYS
]


def expand_item(item) -> set[date]:
    if isinstance(item, date):
        return {item}
    if item == "all":
        return set(DAYS)
    if item == "working":
        return {d for d in DAYS if is_working(d)}
    if item == "nonworking":
        return {d for d in DAYS if not is_working(d)}
    if item == "holidays":
        return set(HOLIDAYS)
    if item == "collective_leave":
        return set(COLLECTIVE_LEAVE)
    if item == "wfa":
        return set(WFA_DAYS)
    parts = item.split("..")
    if all(p in WEEKDAYS for p in parts):
        lo, hi = WEEKDAYS.index(parts[0]), WEEKDAYS.index(parts[-1])
        wanted = {(lo + k) % 7 for k in range((hi - lo) % 7 + 1)}
        return {d for d in DAYS if d.weekday() in wanted}
    first = date.fromisoformat(parts[0])
    last = date.fromisoformat(parts[-1])
    return {first + timedelta(days=k) for k in range((last - first).days + 1)}


def select_days(spec) -> list[int]:
    items = spec if isinstance(spec, list) else [spec]
    chosen: set[date] = set()
    for item in items:
        chosen |= expand_item(item)
    return [i for i, d in enumerate(DAYS) if d in chosen]


# --------------------------------------------------------------------------------------
# Synthetic people (names and ids: models/synthetic/names.py, shared with `piket generate`)
# --------------------------------------------------------------------------------------
FEMALE_SHARE = {  # by the first skill of a person, else by unit kind
    "bidan": 1.0,
    "perawat": 0.72,
    "dokter": 0.55,
    "farmasi": 0.7,
    "analis": 0.65,
}


# --------------------------------------------------------------------------------------
# Scenario model (plain dicts)
# --------------------------------------------------------------------------------------
def unit(uid, name, schedule, shifts, wfa, groups, rules=None, kind="office", pppk=0.35, male=0.5):
    """groups: [(site or None, [(count, skills '|'-joined, role), ...]), ...];
    role: head (the unit head), lead (a site leader: superior of its site's staff), staff."""
    return {
        "id": uid,
        "name": name,
        "schedule": schedule,
        "shifts": shifts,
        "wfa": wfa,
        "groups": groups,
        "rules": rules or {},
        "kind": kind,
        "pppk": pppk,
        "male": male,
    }


def team(leads: int, lead_skills: str, staff: int, staff_skills: str, *, head=False) -> list:
    """The people of one site: the unit head if `head` (with the leads' skills), its leads
    (superiors of the site's staff) and its staff."""
    parts = [(1, lead_skills, "head")] if head else []
    return parts + [(leads, lead_skills, "lead"), (staff, staff_skills, "staff")]


def office_groups(n: int, site: str | None = None) -> list:
    """A plain office OPD: head, pimpinan (sekretaris, kepala bidang / kasi), staff."""
    leads = min(14, max(3, round(n / 30)))
    return [(site, team(leads, "pimpinan", n - 1 - leads, "", head=True))]


def rule(
    rid,
    unit_id,
    shift,
    days,
    *,
    site=None,
    skill=None,
    min=None,
    min_share=None,
    max=None,
    standby=None,
    note=None,
):
    r = {"id": rid, "unit": unit_id}
    if site:
        r["site"] = site
    if skill:
        r["skill"] = skill
    r["shift"] = shift
    r["days"] = days
    if min is not None:
        r["min"] = min
    if min_share is not None:
        r["min_share"] = Decimal(min_share)
    if max is not None:
        r["max"] = max
    if standby is not None:
        r["standby"] = standby
    if note:
        r["_note"] = note
    return r


KECAMATAN = [  # id suffix, name, staff (kecamatan office + its kelurahan)
    ("bekasi-barat", "Bekasi Barat", 200),
    ("bekasi-timur", "Bekasi Timur", 190),
    ("bekasi-utara", "Bekasi Utara", 230),
    ("bekasi-selatan", "Bekasi Selatan", 180),
    ("medan-satria", "Medan Satria", 160),
    ("rawalumbu", "Rawalumbu", 170),
    ("mustikajaya", "Mustikajaya", 170),
    ("bantargebang", "Bantargebang", 150),
    ("jatiasih", "Jatiasih", 190),
    ("jatisampurna", "Jatisampurna", 140),
    ("pondokgede", "Pondokgede", 170),
    ("pondok-melati", "Pondok Melati", 130),
]
DAMKAR_POSTS = [
    "pos-bekasi-barat",
    "pos-bekasi-timur",
    "pos-bekasi-utara",
    "pos-bekasi-selatan",
    "pos-rawalumbu",
    "pos-jatiasih",
    "pos-jatisampurna",
    "pos-pondokgede",
    "pos-mustikajaya",
]
PUSKESMAS = [  # site, 24-hour service (UGD / rawat inap) assumed
    ("pkm-kranji", False),
    ("pkm-bekasi-jaya", False),
    ("pkm-harapan-jaya", False),
    ("pkm-pekayon-jaya", False),
    ("pkm-pejuang", True),
    ("pkm-bojong-rawalumbu", True),
    ("pkm-mustikajaya", True),
    ("pkm-bantargebang", False),
    ("pkm-jatiasih", True),
    ("pkm-jatisampurna", False),
    ("pkm-jatiwaringin", False),
    ("pkm-jatiwarna", False),
]
OFFICE_OPDS = [  # id, name, staff; WFA allowed up to 50 % (SE 800.1.5/1446/BKPSDM.PKA)
    ("setda", "Sekretariat Daerah", 640),
    ("setwan", "Sekretariat DPRD", 140),
    ("inspektorat", "Inspektorat Daerah", 110),
    ("bappelitbangda", "Badan Perencanaan Pembangunan, Penelitian dan Pengembangan Daerah", 120),
    ("bkpsdm", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", 130),
    ("bapenda", "Badan Pendapatan Daerah", 360),
    ("bpkad", "Badan Pengelolaan Keuangan dan Aset Daerah", 230),
    ("disdik", "Dinas Pendidikan (kantor dinas, tanpa guru)", 480),
    ("dbmsda", "Dinas Bina Marga dan Sumber Daya Air", 480),
    ("distaru", "Dinas Tata Ruang", 110),
    ("disperkimtan", "Dinas Perumahan, Kawasan Permukiman dan Pertanahan", 300),
    ("dinsos", "Dinas Sosial", 200),
    ("disnaker", "Dinas Ketenagakerjaan", 90),
    ("diskominfostandi", "Dinas Komunikasi, Informatika, Statistik dan Persandian", 130),
    ("disdagperin", "Dinas Perdagangan dan Perindustrian", 170),
    ("dlh", "Dinas Lingkungan Hidup", 450),
    ("disbudpora", "Dinas Kebudayaan, Pariwisata, Kepemudaan dan Olahraga", 120),
    ("disarpus", "Dinas Kearsipan dan Perpustakaan", 70),
    ("kesbangpol", "Badan Kesatuan Bangsa dan Politik", 55),
    ("dp3a", "Dinas Pemberdayaan Perempuan dan Perlindungan Anak", 75),
    ("diskopukm", "Dinas Koperasi dan Usaha Kecil Menengah", 70),
    ("dkppp", "Dinas Ketahanan Pangan, Pertanian dan Perikanan", 100),
    ("dppkb", "Dinas Pengendalian Penduduk dan Keluarga Berencana", 110),
]


def rsud_ward(
    nurse_lead: int,
    nurses: int,
    doctors: int = 0,
    midwives: int = 0,
    head: bool = False,
    lead_skill: str = "perawat",
    specialists: int = 0,
) -> list:
    """A ward's people; `specialists` of its doctors are specialists (dokter spesialis)."""
    parts = []
    if head:
        parts.append((1, "dokter", "head"))
        doctors -= 1
    parts.append((nurse_lead, f"{lead_skill}|ketua-tim", "lead"))
    if doctors - specialists:
        parts.append((doctors - specialists, "dokter", "staff"))
    if specialists:
        parts.append((specialists, "dokter|spesialis", "staff"))
    if midwives:
        parts.append((midwives, "bidan", "staff"))
    if nurses:
        parts.append((nurses, "perawat", "staff"))
    return parts


def ppm_rules(prefix, unit_id, site, counts, days="all", skill=None):
    """pagi/siang/malam minimums, (pagi, siang, malam); 0 or None: no rule."""
    out = []
    for shift, n in zip(("pagi", "siang", "malam"), counts, strict=True):
        if n:
            rid = f"{prefix}-{shift}" + (f"-{skill}" if skill else "")
            out.append(rule(rid, unit_id, shift, days, site=site, skill=skill, min=n))
    return out


def office_unit(uid, name, groups, *, wfa=False, pppk=0.35) -> dict:
    """An OPD working office hours (shift kantor)."""
    return unit(uid, name, "office", ["kantor"], wfa, groups, pppk=pppk)


def health_roster_unit(uid, name, groups, *, pppk) -> dict:
    """A hospital or Puskesmas unit on pagi / siang / malam under the default rest rules."""
    return unit(
        uid,
        name,
        "roster",
        ["pagi", "siang", "malam"],
        False,
        groups,
        rules={"min_rest_hours": 11, "max_consecutive_onsite_days": 6},
        kind="health",
        pppk=pppk,
    )


def field_roster_unit(uid, name, groups, *, male) -> dict:
    """A uniformed field unit (Satpol PP, Dishub) on pagi / siang / malam."""
    return unit(
        uid, name, "roster", ["pagi", "siang", "malam"], False, groups, kind="field", male=male
    )


def counter_office_groups(leads: int, back_office_staff: int, counter: str, counter_staff: int):
    """A service office: the head and leads in the back office, one lead at the counters."""
    return [
        ("back-office", team(leads, "pimpinan", back_office_staff, "", head=True)),
        (counter, team(1, "pimpinan", counter_staff, "")),
    ]


def resized(table: list, sizes: dict) -> list:
    """The (id, name, staff) rows named in sizes, in that order, with the staff from sizes:
    the demo takes its units from the full scenario's tables at a smaller size."""
    names = {key: name for key, name, _ in table}
    return [(key, names[key], n) for key, n in sizes.items()]


# --------------------------------------------------------------------------------------
# Unit families, shared by both scenarios: each appends its unit(s) to `units` and its
# comment and coverage rules to `cov`, so the two scenarios differ only in sizes and sites.
# --------------------------------------------------------------------------------------
DAMKAR_POST = [  # one sector post, alike in both scenarios: 18 people, 4 of them danru
    (4, "danru|pemadam", "lead"),
    (3, "operator|pemadam", "staff"),
    (11, "pemadam", "staff"),
]


def add_damkar(units, cov, posts, mako, *, mako_min, mako_operators, comment) -> None:
    units.append(
        unit(
            "damkar",
            "Dinas Pemadam Kebakaran dan Penyelamatan (Disdamkarmat)",
            "roster",
            ["jaga"],
            False,
            [("mako", mako)] + [(p, DAMKAR_POST) for p in posts],
            rules={"min_rest_hours": 48, "min_shifts_per_week": 2},
            kind="damkar",
            pppk=0.3,
            male=0.95,
        )
    )
    cov.append({"_comment": comment})
    cov.append(rule("damkar-mako-jaga", "damkar", "jaga", "all", site="mako", min=mako_min))
    cov.append(
        rule(
            "damkar-mako-jaga-operator",
            "damkar",
            "jaga",
            "all",
            site="mako",
            skill="operator",
            min=mako_operators,
        )
    )
    # Siaga: on the WFA days one Mako operator works from anywhere, reachable and ready to
    # come in to the command room for the jaga (the operators are WFA-eligible for it).
    cov.append(
        rule(
            "damkar-mako-operator-siaga",
            "damkar",
            "jaga",
            "wfa",
            site="mako",
            skill="operator",
            standby=1,
        )
    )
    for p in posts:
        cov.append(rule(f"damkar-{p}-jaga", "damkar", "jaga", "all", site=p, min=5))
        cov.append(
            rule(f"damkar-{p}-jaga-danru", "damkar", "jaga", "all", site=p, skill="danru", min=1)
        )


def rawat_inap_ward(letter: str) -> tuple:
    """A general ward (6 team leads, 34 nurses) with its minimums; alike in both scenarios."""
    return (f"rawat-inap-{letter}", rsud_ward(6, 34), {None: (6, 5, 4), "ketua-tim": (1, 0, 0)})


def add_rsud_cam(units, cov, wards, comment) -> None:
    """wards: [(site, staff, {skill or None (anyone): (pagi, siang, malam) minimums})]."""
    units.append(
        health_roster_unit(
            "rsud-cam",
            "RSUD dr. Chasbullah Abdulmadjid — pelayanan (RSUD CAM)",
            [(site, parts) for site, parts, _ in wards],
            pppk=0.45,
        )
    )
    cov.append({"_comment": comment})
    for site, _, minimums in wards:
        for skill, counts in minimums.items():
            cov += ppm_rules(f"rsud-{site}", "rsud-cam", site, counts, skill=skill)
    # Siaga: on the WFA days one IGD specialist is on call for the night shift (konsulen
    # on call), working from anywhere (the IGD specialists are WFA-eligible for it).
    cov.append(
        rule(
            "rsud-igd-malam-spesialis-siaga",
            "rsud-cam",
            "malam",
            "wfa",
            site="igd",
            skill="spesialis",
            standby=1,
        )
    )


def add_dukcapil(units, cov, groups, piket, comment) -> None:
    """Disdukcapil; piket: (min, max) at the counters (site loket) on cuti bersama."""
    units.append(
        office_unit(
            "dukcapil", "Dinas Kependudukan dan Pencatatan Sipil (Disdukcapil)", groups, wfa=True
        )
    )
    cov.append({"_comment": comment})
    cov.append(
        rule("dukcapil-loket-wfa", "dukcapil", "kantor", "wfa", site="loket", min_share="0.5")
    )
    cov.append(
        rule(
            "dukcapil-loket-cuti-bersama",
            "dukcapil",
            "kantor",
            "collective_leave",
            site="loket",
            min=piket[0],
            max=piket[1],
        )
    )


def add_kecamatan(units, cov, kecamatan) -> None:
    """kecamatan: (id suffix, name, staff) rows; 100 % on site, a piket on days off."""
    for suffix, name, n in kecamatan:
        units.append(
            office_unit(
                f"kec-{suffix}", f"Kecamatan {name} (dengan kelurahan)", office_groups(n), pppk=0.4
            )
        )
    cov.append({"_comment": "Kecamatan: a small piket on holidays and cuti bersama"})
    cov.append(
        rule(
            "kecamatan-piket-libur",
            [f"kec-{suffix}" for suffix, _, _ in kecamatan],
            "kantor",
            ["holidays", "collective_leave"],
            min=2,
        )
    )


def add_office_opds(units, cov, opds, comment) -> None:
    """opds: (id, name, staff) rows; the rules cover every office unit ("*"), not only these."""
    for uid, name, n in opds:
        units.append(office_unit(uid, name, office_groups(n), wfa=True))
    cov.append({"_comment": comment})
    cov.append(rule("opd-wfa-maks-50", "*", "kantor", "wfa", min_share="0.5"))
    cov.append(rule("opd-pimpinan-wfa", "*", "kantor", "wfa", skill="pimpinan", min=1))


def scenario(stem: str, name: str, units, cov, *, time_limit_s, requests, pins) -> dict:
    return {
        "file": f"{stem}.yaml",
        "staff_file": f"{stem}-staff.csv",
        "name": name,
        "units": units,
        "coverage": cov,
        "solver": {"time_limit_s": time_limit_s, "workers": 0, "seed": 0},
        "requests_spec": requests,
        "pins_spec": pins,
    }


# --------------------------------------------------------------------------------------
# Request and pin specs
# --------------------------------------------------------------------------------------
# A spec is (unit, site, skill, role, date, want/status, shift, weight, note); the person
# is drawn from staff matching unit/site/skill/role who are free of leave and (for wfa)
# eligible; see pick_person(). Below, scope is "unit", "unit/site" or "unit/site/skill".
D = date


def _scope(scope: str) -> tuple:
    unit_id, site, skill = (scope.split("/") + [None, None])[:3]
    return unit_id, site, skill


def request_spec(scope: str, day, want, weight, note, *, shift=None) -> tuple:
    return (*_scope(scope), "staff", day, want, shift, weight, note)


def pin_spec(scope: str, day, status, note, *, role="staff", shift=None) -> tuple:
    return (*_scope(scope), role, day, status, shift, None, note)


# Requests and pins that both scenarios carry
COUNTER_OFF_CUTI_BERSAMA = request_spec(
    "dukcapil/loket", D(2025, 12, 26), "off", 3, "asks not to be on the cuti bersama piket"
)
IGD_NURSE_OFF_CHRISTMAS = request_spec(
    "rsud-cam/igd/perawat", D(2025, 12, 25), "off", 3, "wants Christmas Day off"
)
WARD_NURSE_PREFERS_PAGI = request_spec(
    "rsud-cam/rawat-inap-a/perawat",
    D(2025, 12, 27),
    "onsite",
    1,
    "prefers the morning shift",
    shift="pagi",
)
FIREFIGHTER_OFF_NEW_YEAR = request_spec(
    "damkar/pos-jatiasih/pemadam", D(2026, 1, 1), "off", 2, "wants New Year's Day off"
)
COUNTER_HEAD_LEADS_PIKET = pin_spec(
    "dukcapil/loket",
    D(2025, 12, 26),
    "onsite",
    "head of the counters leads the cuti bersama piket",
    role="lead",
    shift="kantor",
)
DANRU_ON_NEW_YEARS_EVE = pin_spec(
    "damkar/pos-rawalumbu/danru",
    D(2025, 12, 31),
    "onsite",
    "danru on duty on New Year's Eve",
    role="lead",
    shift="jaga",
)

FULL_REQUESTS = [
    request_spec("bapenda", D(2025, 12, 29), "wfa", 3, "school holidays: wants WFA"),
    request_spec("setda", D(2025, 12, 30), "wfa", 2, "wants WFA"),
    request_spec("bkpsdm", D(2025, 12, 31), "wfa", 2, "wants WFA"),
    request_spec("diskominfostandi", D(2025, 12, 30), "wfa", 1, "wants WFA"),
    request_spec("disdik", D(2025, 12, 29), "wfa", 3, "wants WFA (travel)"),
    request_spec(
        "bpkad",
        D(2025, 12, 31),
        "onsite",
        2,
        "year-end closing of the books: wants to be in the office",
    ),
    request_spec("dukcapil/loket", D(2025, 12, 30), "wfa", 2, "wants WFA"),
    COUNTER_OFF_CUTI_BERSAMA,
    IGD_NURSE_OFF_CHRISTMAS,
    WARD_NURSE_PREFERS_PAGI,
    request_spec("rsud-cam/icu/perawat", D(2025, 12, 31), "off", 2, "wants New Year's Eve off"),
    request_spec(
        "damkar/pos-bekasi-timur/pemadam", D(2025, 12, 25), "off", 2, "wants Christmas Day off"
    ),
    FIREFIGHTER_OFF_NEW_YEAR,
    request_spec("satpol-pp/patroli/anggota", D(2025, 12, 24), "off", 3, "wants Christmas Eve off"),
    request_spec(
        "dishub/lalin/lalin",
        D(2025, 12, 31),
        "onsite",
        1,
        "volunteers for the New Year's Eve night shift",
        shift="malam",
    ),
    request_spec(
        "puskesmas/pkm-pejuang/bidan", D(2025, 12, 25), "off", 2, "wants Christmas Day off"
    ),
    request_spec(
        "kec-bekasi-utara", D(2026, 1, 1), "off", 1, "asks not to be on the New Year's Day piket"
    ),
]
FULL_PINS = [
    pin_spec(
        "setda",
        D(2025, 12, 29),
        "onsite",
        "Sekretaris Daerah on site: year-end coordination meeting",
        role="head",
        shift="kantor",
    ),
    pin_spec(
        "bapenda",
        D(2025, 12, 30),
        "onsite",
        "head of Bapenda on site: evaluation of the revenue target (PAD)",
        role="head",
        shift="kantor",
    ),
    COUNTER_HEAD_LEADS_PIKET,
    DANRU_ON_NEW_YEARS_EVE,
    pin_spec(
        "rsud-cam/igd/dokter",
        D(2025, 12, 31),
        "onsite",
        "IGD doctor on the New Year's Eve night shift",
        shift="malam",
    ),
    pin_spec("bkpsdm", D(2025, 12, 31), "wfa", "WFA approved in advance by the head of BKPSDM"),
]
DEMO_REQUESTS = [
    request_spec("bapenda", D(2025, 12, 29), "wfa", 3, "wants WFA"),
    request_spec("bkpsdm", D(2025, 12, 30), "wfa", 2, "wants WFA"),
    request_spec("bapenda", D(2025, 12, 31), "onsite", 1, "prefers the office"),
    COUNTER_OFF_CUTI_BERSAMA,
    IGD_NURSE_OFF_CHRISTMAS,
    WARD_NURSE_PREFERS_PAGI,
    FIREFIGHTER_OFF_NEW_YEAR,
    request_spec(
        "kec-rawalumbu", D(2025, 12, 25), "off", 1, "asks not to be on the Christmas Day piket"
    ),
]
DEMO_PINS = [
    pin_spec(
        "bapenda", D(2025, 12, 30), "onsite", "head of Bapenda on site", role="head", shift="kantor"
    ),
    COUNTER_HEAD_LEADS_PIKET,
    DANRU_ON_NEW_YEARS_EVE,
    pin_spec("bkpsdm", D(2025, 12, 31), "wfa", "WFA approved in advance"),
]


# --------------------------------------------------------------------------------------
# The full scenario
# --------------------------------------------------------------------------------------
def full_scenario() -> dict:
    units: list = []
    cov: list = []

    # Disdamkarmat: 9 sector posts x 18 + Mako 30 = 192 (rakyatbekasi.com, Nataru 2025/26)
    mako = [
        (1, "danru|pemadam", "head"),
        (2, "danru|pemadam", "lead"),
        (12, "operator", "staff"),
        (15, "pemadam", "staff"),
    ]
    add_damkar(
        units,
        cov,
        DAMKAR_POSTS,
        mako,
        mako_min=6,
        mako_operators=2,
        comment="Disdamkarmat: jaga 24 h then 48 h rest (pola 1-2): each person "
        "on duty at most every third day; 18 per post -> at most 6 a day",
    )

    # RSUD dr. Chasbullah Abdulmadjid (Type B): wards on pagi / siang / malam
    wards = [
        (
            "igd",
            rsud_ward(8, 48, doctors=14, head=True, specialists=4),
            {None: (10, 9, 7), "dokter": (2, 2, 1)},
        ),
        ("icu", rsud_ward(6, 36, doctors=8), {None: (7, 6, 5), "dokter": (1, 1, 1)}),
        (
            "kebidanan",
            rsud_ward(5, 6, doctors=8, midwives=31, lead_skill="bidan"),
            {None: (7, 6, 5), "bidan": (4, 3, 3), "dokter": (1, 1, 1)},
        ),
        ("perinatologi", rsud_ward(5, 31, doctors=4), {None: (5, 4, 4), "dokter": (1, 0, 0)}),
    ]
    wards += [rawat_inap_ward(letter) for letter in "abcdefghijkl"]
    wards += [  # their minimums depend on the day: written out below
        ("kamar-operasi", rsud_ward(6, 30, doctors=8), {}),
        ("hemodialisa", rsud_ward(3, 21, doctors=2), {}),
        ("poliklinik", rsud_ward(6, 34, doctors=20), {}),
    ]
    add_rsud_cam(
        units,
        cov,
        wards,
        "RSUD CAM: pagi 07-14, siang 14-21, malam 21-07; minimum head "
        "count per ward and shift, with skill minimums",
    )
    cov.append(
        rule("rsud-kamar-operasi-pagi", "rsud-cam", "pagi", "working", site="kamar-operasi", min=10)
    )
    cov.append(
        rule(
            "rsud-kamar-operasi-pagi-libur",
            "rsud-cam",
            "pagi",
            "nonworking",
            site="kamar-operasi",
            min=4,
        )
    )
    cov += ppm_rules("rsud-kamar-operasi", "rsud-cam", "kamar-operasi", (0, 4, 3))
    cov += ppm_rules("rsud-kamar-operasi", "rsud-cam", "kamar-operasi", (1, 0, 1), skill="dokter")
    cov += ppm_rules("rsud-hemodialisa", "rsud-cam", "hemodialisa", (6, 5, 0), days="mon..sat")
    cov.append(
        rule("rsud-poliklinik-pagi", "rsud-cam", "pagi", "working", site="poliklinik", min=25)
    )
    cov.append(
        rule(
            "rsud-poliklinik-pagi-dokter",
            "rsud-cam",
            "pagi",
            "working",
            site="poliklinik",
            skill="dokter",
            min=10,
        )
    )

    units.append(
        office_unit(
            "rsud-cam-admin",
            "RSUD dr. Chasbullah Abdulmadjid — manajemen dan administrasi",
            office_groups(220),
            pppk=0.4,
        )
    )

    # Four Type D RSUDs (UPTD of Dinkes): one roster unit, one site each
    rsud_d = []
    for k, site in enumerate(["jatisampurna", "pondokgede", "bantargebang", "bekasi-utara"]):
        parts = [(1, "dokter", "head")] if k == 0 else []
        parts += [
            (6, "perawat|ketua-tim", "lead"),
            (10 - len(parts), "dokter", "staff"),
            (12, "bidan", "staff"),
            (32, "perawat", "staff"),
        ]
        rsud_d.append((site, parts))
    units.append(
        health_roster_unit(
            "rsud-tipe-d",
            "RSUD Tipe D Jatisampurna, Pondokgede, Bantargebang, Bekasi Utara",
            rsud_d,
            pppk=0.5,
        )
    )
    cov.append({"_comment": "RSUD Tipe D: IGD and wards per hospital"})
    for site, _ in rsud_d:
        cov += ppm_rules(f"rsud-d-{site}", "rsud-tipe-d", site, (9, 8, 6))
        cov += ppm_rules(f"rsud-d-{site}", "rsud-tipe-d", site, (1, 1, 1), skill="dokter")

    # Puskesmas (UPTD of Dinkes): roster, every staff member on site
    pkm_groups = []
    for k, (site, _) in enumerate(PUSKESMAS):
        parts = [
            (1, "dokter", "head" if k == 0 else "lead"),
            (5, "dokter", "staff"),
            (18, "perawat", "staff"),
            (16, "bidan", "staff"),
            (4, "farmasi", "staff"),
            (4, "analis", "staff"),
            (12, "", "staff"),
        ]
        pkm_groups.append((site, parts))
    units.append(
        health_roster_unit(
            "puskesmas", "Puskesmas Kota Bekasi (UPTD Dinas Kesehatan)", pkm_groups, pppk=0.5
        )
    )
    cov.append(
        {
            "_comment": "Puskesmas: full service on working days, a reduced pagi piket "
            "on holidays and weekends, 24-hour service in four of them"
        }
    )
    for site, h24 in PUSKESMAS:
        cov.append(rule(f"{site}-pagi", "puskesmas", "pagi", "working", site=site, min=15))
        cov.append(
            rule(
                f"{site}-pagi-dokter",
                "puskesmas",
                "pagi",
                "working",
                site=site,
                skill="dokter",
                min=1,
            )
        )
        cov.append(rule(f"{site}-pagi-libur", "puskesmas", "pagi", "nonworking", site=site, min=4))
        if h24:
            cov += ppm_rules(site, "puskesmas", site, (0, 3, 3))

    units.append(office_unit("dinkes", "Dinas Kesehatan", office_groups(240), pppk=0.4))
    cov.append({"_comment": "Dinkes: posko kesehatan Nataru on every non-working day"})
    cov.append(rule("dinkes-posko-nataru", "dinkes", "kantor", "nonworking", min=4))

    # Disdukcapil: counters open on WFA days (share on site), piket on cuti bersama
    add_dukcapil(
        units,
        cov,
        counter_office_groups(5, 94, "loket", 79),
        (10, 20),
        "Disdukcapil: counters stay open (Dirjen Dukcapil letter "
        "400.8/3995/Dukcapil: open on cuti bersama)",
    )

    # Satpol PP
    satpol = [
        ("mako", team(6, "danru|anggota", 73, "anggota", head=True)),
        ("patroli", team(16, "danru|anggota", 194, "anggota")),
        ("pengamanan", team(8, "danru|anggota", 112, "anggota")),
    ]
    units.append(field_roster_unit("satpol-pp", "Satuan Polisi Pamong Praja", satpol, male=0.8))
    cov.append(
        {
            "_comment": "Satpol PP: HQ, patrols, guarding public buildings; extra "
            "patrols for Christmas services and New Year's Eve"
        }
    )
    cov += ppm_rules("satpol-pp-mako", "satpol-pp", "mako", (8, 6, 5))
    cov += ppm_rules("satpol-pp-patroli", "satpol-pp", "patroli", (20, 25, 25))
    cov += ppm_rules("satpol-pp-patroli", "satpol-pp", "patroli", (1, 1, 1), skill="danru")
    cov += ppm_rules("satpol-pp-pengamanan", "satpol-pp", "pengamanan", (10, 10, 8))
    cov.append(
        rule(
            "satpol-pp-patroli-natal",
            "satpol-pp",
            "siang",
            [date(2025, 12, 24), date(2025, 12, 25)],
            site="patroli",
            min=45,
        )
    )
    cov.append(
        rule(
            "satpol-pp-patroli-tahun-baru",
            "satpol-pp",
            "malam",
            date(2025, 12, 31),
            site="patroli",
            min=50,
        )
    )

    # Dishub
    dishub = [
        ("lalin", team(12, "danru|lalin", 207, "lalin", head=True)),
        ("terminal", team(4, "danru|lalin", 56, "lalin")),
        ("atcs", team(3, "operator-atcs|danru", 27, "operator-atcs")),
    ]
    units.append(field_roster_unit("dishub", "Dinas Perhubungan", dishub, male=0.85))
    cov.append({"_comment": "Dishub: traffic posts, Terminal Induk, ATCS control room"})
    cov += ppm_rules("dishub-lalin", "dishub", "lalin", (30, 30, 12))
    cov += ppm_rules("dishub-terminal", "dishub", "terminal", (8, 8, 5))
    cov += ppm_rules("dishub-atcs", "dishub", "atcs", (3, 3, 2))
    cov.append(
        rule("dishub-lalin-tahun-baru", "dishub", "malam", date(2025, 12, 31), site="lalin", min=45)
    )

    # BPBD: Pusdalops and TRC on 24 h jaga
    bpbd = [
        ("pusdalops", team(3, "operator|danru", 21, "operator")),
        ("trc", team(5, "danru|rescue", 60, "rescue", head=True)),
    ]
    units.append(
        unit(
            "bpbd",
            "Badan Penanggulangan Bencana Daerah",
            "roster",
            ["jaga"],
            False,
            bpbd,
            rules={"min_rest_hours": 48},
            kind="field",
            pppk=0.35,
            male=0.85,
        )
    )
    cov.append({"_comment": "BPBD: Pusdalops and TRC on 24 h jaga (48 h rest)"})
    cov.append(rule("bpbd-pusdalops-jaga", "bpbd", "jaga", "all", site="pusdalops", min=3))
    cov.append(rule("bpbd-trc-jaga", "bpbd", "jaga", "all", site="trc", min=10))
    cov.append(rule("bpbd-trc-jaga-danru", "bpbd", "jaga", "all", site="trc", skill="danru", min=1))

    # DPMPTSP: 100 % on site (MPP counters and back office)
    units.append(
        office_unit(
            "dpmptsp",
            "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
            counter_office_groups(4, 65, "mpp", 49),
        )
    )

    # 12 kecamatan (with their kelurahan): 100 % on site
    add_kecamatan(units, cov, KECAMATAN)

    # Other OPDs: up to 50 % WFA on the WFA days
    add_office_opds(
        units,
        cov,
        OFFICE_OPDS,
        "Every office unit (shift kantor): at least half on site on the "
        "WFA days and at least one pimpinan (SE 800.1.5/1446/BKPSDM.PKA)",
    )

    return scenario(
        "bekasi-nataru-2025",
        "Pemkot Bekasi — WFA dan piket Nataru 2025/2026",
        units,
        cov,
        time_limit_s=60,
        requests=FULL_REQUESTS,
        pins=FULL_PINS,
    )


# --------------------------------------------------------------------------------------
# The demo scenario (standalone, 8 units): the full scenario's families, smaller
# --------------------------------------------------------------------------------------
def demo_scenario() -> dict:
    units: list = []
    cov: list = []

    # Disdamkarmat: a small Mako (no site leads) and three full-size posts
    mako = [(1, "danru|pemadam", "head"), (6, "operator", "staff"), (5, "pemadam", "staff")]
    add_damkar(
        units,
        cov,
        ["pos-rawalumbu", "pos-bekasi-timur", "pos-jatiasih"],
        mako,
        mako_min=3,
        mako_operators=1,
        comment="Disdamkarmat: three of the nine sector posts and the Mako",
    )

    wards = [
        (
            "igd",
            rsud_ward(6, 26, doctors=8, head=True, specialists=4),
            {None: (6, 5, 4), "dokter": (1, 1, 1)},
        ),
        ("icu", rsud_ward(4, 22, doctors=6), {None: (5, 4, 3), "dokter": (1, 0, 1)}),
        rawat_inap_ward("a"),
    ]
    add_rsud_cam(units, cov, wards, "RSUD CAM: three wards")

    add_dukcapil(
        units,
        cov,
        counter_office_groups(3, 26, "loket", 29),
        (6, 12),
        "Disdukcapil: counters open on WFA days and on cuti bersama",
    )
    add_kecamatan(units, cov, resized(KECAMATAN, {"bekasi-timur": 70, "rawalumbu": 60}))
    add_office_opds(
        units,
        cov,
        resized(OFFICE_OPDS, {"bapenda": 90, "bkpsdm": 60, "dinsos": 50}),
        "Every office unit: at least half on site on WFA days and one pimpinan",
    )
    return scenario(
        "bekasi-nataru-2025-demo",
        "Pemkot Bekasi — demo Nataru 2025/2026 (8 unit)",
        units,
        cov,
        time_limit_s=20,
        requests=DEMO_REQUESTS,
        pins=DEMO_PINS,
    )


# --------------------------------------------------------------------------------------
# Generating staff
# --------------------------------------------------------------------------------------
LEAVE_PATTERNS = [  # (weight, generator) -> list of (first, last) ranges; outside: ignored
    (5, lambda r: [(D(2025, 12, 22), D(2025, 12, 24))]),  # cuti tahunan before Natal
    (4, lambda r: [(D(2025, 12, 29), D(2025, 12, 31))]),  # between the holidays
    (3, lambda r: [(D(2026, 1, 2), D(2026, 1, 2))]),
    (2, lambda r: [(D(2025, 12, 17), D(2025, 12, 23))]),  # started before the horizon
    (2, lambda r: [(D(2025, 12, 30), D(2026, 1, 9))]),  # runs past the horizon
    (2, lambda r: [(D(2025, 12, 22), D(2025, 12, 24)), (D(2026, 1, 2), D(2026, 1, 2))]),
    (6, lambda r: _sick(r)),  # sakit, 1-3 days
]


def _sick(rng: random.Random) -> list:
    first = rng.choice(DAYS)
    return [(first, min(END, first + timedelta(days=rng.randint(0, 2))))]


def pick_leave(rng: random.Random) -> list:
    total = sum(w for w, _ in LEAVE_PATTERNS)
    x = rng.uniform(0, total)
    for weight, gen in LEAVE_PATTERNS:
        x -= weight
        if x <= 0:
            return gen(rng)
    return LEAVE_PATTERNS[-1][1](rng)


def leave_days(ranges) -> set[int]:
    out = set()
    for first, last in ranges:
        for i, d in enumerate(DAYS):
            if first <= d <= last:
                out.add(i)
    return out


def leave_text(ranges) -> str:
    parts = []
    for first, last in ranges:
        parts.append(first.isoformat() if first == last else f"{first}..{last}")
    return "|".join(parts)


def generate_staff(sc: dict, rng: random.Random, ids: Ids) -> list:
    staff = []
    for u in sc["units"]:
        unit_head = None
        for site, parts in u["groups"]:
            leads = []
            site_people = []
            for count, skills, role in parts:
                for _ in range(count):
                    first_skill = skills.split("|")[0] if skills else ""
                    if first_skill in FEMALE_SHARE:
                        female = rng.random() < FEMALE_SHARE[first_skill]
                    else:
                        female = rng.random() >= u["male"]
                    senior = role in ("head", "lead")
                    pppk = (not senior) and rng.random() < u["pppk"]
                    if role == "head":
                        birth_year = rng.randint(1967, 1975)
                    elif senior:
                        birth_year = rng.randint(1968, 1985)
                    else:
                        birth_year = rng.randint(1968, 2002)
                    birth = D(birth_year, 1, 1) + timedelta(days=rng.randint(0, 364))
                    if pppk:
                        year = rng.choices([2022, 2023, 2024, 2025], [3, 4, 4, 1])[0]
                        year = max(year, birth_year + 20)
                        appointed = (min(year, 2025), 0)
                    else:
                        low = max(1988, birth_year + 21)
                        high = min(2025, birth_year + 35)
                        if senior:
                            high = min(high, 2012)
                        low = min(low, high)
                        year = rng.randint(low, high)
                        month = rng.choice([1, 3, 4, 6, 10, 12]) if year < 2025 else 6
                        appointed = (year, month)
                    kind = "pppk" if pppk else "pns"
                    sex = 2 if female else 1
                    person = {
                        "id": ids.person_id(kind, birth, appointed, sex),
                        "name": make_name(rng, female),
                        "unit": u["id"],
                        "site": site or "",
                        "skills": skills.split("|") if skills else [],
                        "wfa_eligible": None,
                        "leave": [],
                        "history": 0,
                        "superior": "",
                        "phone": ids.phone(),
                        "role": role,
                        "appointed_year": appointed[0],
                    }
                    if role == "head":
                        unit_head = person
                    elif role == "lead":
                        leads.append(person)
                    site_people.append(person)
            # superiors: head <- leads <- staff of the site (round robin)
            k = 0
            for person in site_people:
                if person["role"] == "head":
                    continue
                if person["role"] == "lead" or not leads:
                    person["superior"] = unit_head["id"] if unit_head else ""
                else:
                    person["superior"] = leads[k % len(leads)]["id"]
                    k += 1
            staff.extend(site_people)
        assert unit_head is not None, f"unit {u['id']} has no head"
        for person in staff:
            if person["unit"] == u["id"] and person["superior"] == "" and person is not unit_head:
                person["superior"] = unit_head["id"]

    units = {u["id"]: u for u in sc["units"]}
    standby_scopes = [
        (r["unit"], r.get("site"), r.get("skill")) for r in sc["coverage"] if r.get("standby")
    ]
    for person in staff:
        u = units[person["unit"]]
        # WFA eligibility (PermenPAN-RB 4/2025): new in post (appointed 2025) or under a
        # disciplinary penalty -> not eligible; only meaningful where the unit allows WFA.
        new_in_post = person["appointed_year"] >= 2025
        if u["wfa"] and (new_in_post or (person["role"] == "staff" and rng.random() < 0.01)):
            person["wfa_eligible"] = False
        # A standby (siaga) is on WFA: the people a siaga rule names may work from anywhere
        # in a unit that otherwise may not, unless new in post.
        if not u["wfa"] and not new_in_post and in_scope(person, standby_scopes):
            person["wfa_eligible"] = True
        # history: piket days carried in earlier periods
        share = 0.2 if u["wfa"] else 0.05
        if rng.random() < share:
            person["history"] = rng.choices([1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1])[0]
    assign_leave(sc, staff, rng)
    return staff


def in_scope(person: dict, scopes: list) -> bool:
    """Whether the person matches one of (unit, site or None, skill or None)."""
    return any(
        person["unit"] == unit_id
        and (site is None or person["site"] == site)
        and (skill is None or skill in person["skills"])
        for unit_id, site, skill in scopes
    )


def assign_leave(sc: dict, staff: list, rng: random.Random) -> None:
    """A few % of staff on cuti or sakit; roster sites keep their capacity (checked)."""
    units = {u["id"]: u for u in sc["units"]}
    rules = expand_rules(sc, staff)
    by_scope: dict = {}
    for person in staff:
        by_scope.setdefault((person["unit"], person["site"]), []).append(person)
    leave_count: dict = {}  # (unit, site) -> [count per day]
    for person in staff:
        u = units[person["unit"]]
        roster = u["schedule"] == "roster"
        rate = {"damkar": 0.08, "health": 0.05, "field": 0.04}.get(u["kind"], 0.06)
        if person["role"] == "head" or rng.random() >= rate:
            continue
        if u["kind"] == "damkar" and "danru" in person["skills"]:
            continue  # a danru stays: the post needs one on every jaga
        ranges = pick_leave(rng)
        days = leave_days(ranges)
        if not days:
            continue
        key = (person["unit"], person["site"])
        counts = leave_count.setdefault(key, [0] * N_DAYS)
        size = len(by_scope[key])
        if roster:
            cap = 2 if u["kind"] == "damkar" else max(1, size * 6 // 100)
            if any(counts[i] + 1 > cap for i in days):
                continue
        person["leave"] = ranges
        person["_leave_days"] = days
        if roster and capacity_problems(sc, staff, rules, only_unit=person["unit"]):
            person["leave"] = []
            person["_leave_days"] = set()
            continue
        for i in days:
            counts[i] += 1


# --------------------------------------------------------------------------------------
# Rules, capacity and the constructive witness
# --------------------------------------------------------------------------------------
def unit_rules(u: dict) -> dict:
    merged = dict(GLOBAL_RULES)
    merged.update(u["rules"])
    return merged


def rule_units(r: dict, units: list) -> list:
    if r["unit"] == "*":
        return [u["id"] for u in units if r["shift"] in u["shifts"]]
    listed = r["unit"] if isinstance(r["unit"], list) else [r["unit"]]
    by_id = {u["id"]: u for u in units}
    return [uid for uid in listed if r["shift"] in by_id[uid]["shifts"]]


def expand_rules(sc: dict, staff: list) -> list:
    """Instantiate every coverage rule per unit: (rule, unit id, members, day indices)."""
    by_unit: dict = {}
    for person in staff:
        by_unit.setdefault(person["unit"], []).append(person)
    out = []
    for r in sc["coverage"]:
        if "_comment" in r:
            continue
        for uid in rule_units(r, sc["units"]):
            members = [
                p
                for p in by_unit.get(uid, [])
                if (not r.get("site") or p["site"] == r["site"])
                and (not r.get("skill") or r["skill"] in p["skills"])
            ]
            out.append((r, uid, members, select_days(r["days"])))
    return out


def available(members: list, i: int) -> int:
    return sum(1 for p in members if i not in p.get("_leave_days", ()))


def required(r: dict, n_avail: int) -> int:
    need = r.get("min") or 0
    if r.get("min_share") is not None:
        share = (r["min_share"] * n_avail).to_integral_value(rounding=ROUND_CEILING)
        need = max(need, int(share))
    return need


def rotation_factor(u: dict, shift: str) -> int:
    """Days one on-site shift occupies with its rest: 24 h + 48 h rest -> 3; 7 h + 11 h -> 1."""
    start, length = shift_start_len(shift)
    rest = unit_rules(u).get("min_rest_hours") or 0
    return max(1, math.ceil((length + rest * 60) / (24 * 60)))


def capacity_problems(sc: dict, staff: list, rules: list, only_unit: str | None = None) -> list:
    units = {u["id"]: u for u in sc["units"]}
    problems = []
    per_scope_day: dict = {}  # (unit, site, skill, day) -> {shift: need}
    sizes: dict = {}  # (unit, site, skill) -> matching staff
    for r, uid, members, days in rules:
        if only_unit and uid != only_unit:
            continue
        u = units[uid]
        if not members:
            problems.append(f"{r['id']}/{uid}: no staff match")
            continue
        factor = rotation_factor(u, r["shift"])
        for i in days:
            n = available(members, i)
            need = required(r, n)
            if n // factor < need:
                problems.append(f"{r['id']}/{uid} {DAYS[i]}: {n} available // {factor} < {need}")
            if u["schedule"] == "roster" and factor == 1:
                key = (uid, r.get("site"), r.get("skill"), i)
                slot = per_scope_day.setdefault(key, {})
                slot[r["shift"]] = max(slot.get(r["shift"], 0), need)
                per_scope_day[key + ("_n",)] = n
                sizes[key[:3]] = len(members)
    totals: dict = {}
    for key, slot in per_scope_day.items():
        if key[-1] == "_n":
            continue
        n = per_scope_day[key + ("_n",)]
        day_need = sum(slot.values())
        if day_need > 0.6 * n:
            problems.append(
                f"{key[:3]} {DAYS[key[3]]}: needs {day_need} shifts a day "
                f"from {n} available (> 60 %)"
            )
        scope = key[:3]
        totals[scope] = totals.get(scope, 0) + day_need
    for scope, total in totals.items():
        size = sizes[scope]
        if total > 0.6 * size * N_DAYS:
            problems.append(f"{scope}: {total} shifts over the horizon > 60 % of {size} x {N_DAYS}")
    # Disdamkarmat: at most 2 on leave per post and day (Jakarta allows 5 % over holidays)
    for person_unit in [u for u in sc["units"] if u["kind"] == "damkar"]:
        if only_unit and person_unit["id"] != only_unit:
            continue
        posts: dict = {}
        for p in staff:
            if p["unit"] == person_unit["id"]:
                posts.setdefault(p["site"], [0] * N_DAYS)
                for i in p.get("_leave_days", ()):
                    posts[p["site"]][i] += 1
        for site, counts in posts.items():
            if max(counts) > 2:
                problems.append(f"damkar {site}: {max(counts)} on leave on one day")
    return problems


class Witness:
    """A greedy roster meeting every hard rule; proves the scenario feasible."""

    def __init__(self, sc: dict, staff: list, rules: list, pins: list):
        self.sc, self.staff, self.rules, self.pins = sc, staff, rules, pins
        self.units = {u["id"]: u for u in sc["units"]}
        self.by_id = {p["id"]: p for p in staff}
        # per person and day: a shift name, "wfa", "off" or None (not decided / off)
        self.cell: dict[str, list[str | None]] = {p["id"]: [None] * N_DAYS for p in staff}
        self.load = {p["id"]: 0 for p in staff}
        self.covered_nonworking: dict = {}  # unit -> set of day indices with a rule
        for _, uid, _, days in rules:
            self.covered_nonworking.setdefault(uid, set()).update(
                i for i in days if not is_working(DAYS[i])
            )

    def interval(self, shift: str, i: int) -> tuple[int, int]:
        start, length = shift_start_len(shift)
        return i * 1440 + start, i * 1440 + start + length

    def can_work(self, p: dict, i: int, shift: str, ignore_self: bool = False) -> bool:
        if i in p.get("_leave_days", ()) or (self.cell[p["id"]][i] is not None and not ignore_self):
            return False
        u = self.units[p["unit"]]
        rules = unit_rules(u)
        rest = int((rules.get("min_rest_hours") or 0) * 60)
        s, e = self.interval(shift, i)
        row = self.cell[p["id"]]
        for j in range(max(0, i - 3), min(N_DAYS, i + 4)):
            other = row[j]
            if j == i or other in (None, "wfa", "off"):
                continue
            s2, e2 = self.interval(other, j)
            if j < i and e2 + rest > s:
                return False
            if j > i and e + rest > s2:
                return False
        limit = rules.get("max_consecutive_onsite_days")
        if limit:
            run = 1
            j = i - 1
            while j >= 0 and row[j] not in (None, "wfa", "off"):
                run, j = run + 1, j - 1
            j = i + 1
            while j < N_DAYS and row[j] not in (None, "wfa", "off"):
                run, j = run + 1, j + 1
            if run > limit:
                return False
        return True

    def put(self, p: dict, i: int, shift: str) -> None:
        self.cell[p["id"]][i] = shift
        self.load[p["id"]] += 1

    def build(self) -> list:
        errors = []
        for pin in self.pins:
            p = self.by_id[pin["staff"]]
            i = DAYS.index(pin["date"])
            if pin["status"] == "onsite":
                if not self.can_work(p, i, pin["shift"]):
                    errors.append(f"pin {pin}: cannot work")
                self.put(p, i, pin["shift"])
            else:
                self.cell[p["id"]][i] = pin["status"]
        # office staff: on site on every working day (never off); WFA is optional
        for p in self.staff:
            u = self.units[p["unit"]]
            if u["schedule"] != "office":
                continue
            for i, d in enumerate(DAYS):
                if (
                    is_working(d)
                    and self.cell[p["id"]][i] is None
                    and i not in p.get("_leave_days", ())
                ):
                    self.put(p, i, u["shifts"][0])
        errors += self.rotate()
        order = {"pagi": 0, "kantor": 1, "jaga": 2, "siang": 3, "malam": 4}
        jobs = []
        for r, uid, members, days in self.rules:
            for i in days:
                jobs.append(
                    (
                        i,
                        order.get(r["shift"], 9),
                        0 if r.get("skill") else 1,
                        r["id"],
                        uid,
                        r,
                        members,
                    )
                )
        jobs.sort(key=lambda j: j[:5])
        scarce: dict = {}  # (unit, site) -> skills some rule asks for
        for r, uid, _, _ in self.rules:
            if r.get("skill"):
                scarce.setdefault((uid, r.get("site")), set()).add(r["skill"])
        for i, _, _, rid, uid, r, members in jobs:
            u = self.units[uid]
            n = available(members, i)
            need = required(r, n)
            have = sum(1 for p in members if self.cell[p["id"]][i] == r["shift"])
            if have >= need:
                continue
            if u["schedule"] == "office" and is_working(DAYS[i]):
                errors.append(f"{rid}/{uid} {DAYS[i]}: office staff short ({have} < {need})")
                continue
            keep = scarce.get((uid, r.get("site")), set()) - {r.get("skill")}
            candidates = [p for p in members if self.can_work(p, i, r["shift"])]
            candidates.sort(key=lambda p: (self.load[p["id"]], bool(keep & set(p["skills"]))))
            for p in candidates[: need - have]:
                self.put(p, i, r["shift"])
            have += min(len(candidates), need - have)
            if have < need:
                errors.append(f"{rid}/{uid} {DAYS[i]}: witness short ({have} < {need})")
        # roster units: contracted minimum shifts per Mon-Sun week
        for p in self.staff:
            u = self.units[p["unit"]]
            minimum = unit_rules(u).get("min_shifts_per_week")
            if u["schedule"] != "roster" or not minimum:
                continue
            for week in WEEKS:
                need = minimum - sum(1 for i in week if i in p.get("_leave_days", ()))
                have = sum(1 for i in week if self.cell[p["id"]][i] in u["shifts"])
                for i in week:
                    if have >= need:
                        break
                    for shift in u["shifts"]:
                        if self.can_work(p, i, shift):
                            self.put(p, i, shift)
                            have += 1
                            break
                if have < need:
                    errors.append(f"{p['id']} week {DAYS[week[0]]}: {have} < {need} shifts")
        return errors

    def rotate(self) -> list:
        """Units on one long shift (24 h jaga + 48 h rest): a fixed rotation in platoons.

        Each person gets a phase 0..f-1 and works every day congruent to it (the "1-2"
        pattern of the fire brigades), except leave and pinned days. The phases of the
        people with leave or pins are searched so that every rule holds on every day; the
        others are spread evenly over the phases, class by class (skills the rules ask for).
        """
        errors = []
        for u in self.sc["units"]:
            if u["schedule"] != "roster" or len(u["shifts"]) != 1:
                continue
            shift = u["shifts"][0]
            f = rotation_factor(u, shift)
            if f < 2:
                continue
            rules = [(r, members) for r, uid, members, days in self.rules if uid == u["id"]]
            sites: dict = {}
            for p in self.staff:
                if p["unit"] == u["id"]:
                    sites.setdefault(p["site"], []).append(p)
            for site, people in sites.items():
                site_rules = [(r, m) for r, m in rules if r.get("site") in (None, site)]
                skills = sorted({r["skill"] for r, _ in site_rules if r.get("skill")})

                def klass(p, skills=skills):
                    return tuple(s for s in skills if s in p["skills"])

                fixed = [p for p in people if p.get("_leave_days") or any(self.cell[p["id"]])]
                free = [p for p in people if p not in fixed]
                assert len(fixed) <= 9, f"{u['id']}/{site}: too many people with leave or pins"
                found = None
                for combo in itertools.product(range(f), repeat=len(fixed)):
                    phase = {p["id"]: ph for p, ph in zip(fixed, combo, strict=True)}
                    if any(
                        self.cell[p["id"]][i] == shift and i % f != phase[p["id"]]
                        for p in fixed
                        for i in range(N_DAYS)
                    ):
                        continue  # a pinned jaga must fall on the person's phase
                    count: dict = {}
                    for p in fixed:
                        key = (klass(p), phase[p["id"]])
                        count[key] = count.get(key, 0) + 1
                    for p in free:
                        k = klass(p)
                        ph = min(range(f), key=lambda x: (count.get((k, x), 0), x))
                        phase[p["id"]] = ph
                        count[(k, ph)] = count.get((k, ph), 0) + 1
                    if self._rotation_ok(people, phase, f, shift, site_rules):
                        found = phase
                        break
                if found is None:
                    errors.append(f"{u['id']}/{site}: no platoon rotation covers every day")
                    continue
                for p in people:
                    for i in range(N_DAYS):
                        if (
                            i % f == found[p["id"]]
                            and self.cell[p["id"]][i] is None
                            and i not in p.get("_leave_days", ())
                            and self.can_work(p, i, shift)
                        ):
                            self.put(p, i, shift)
        return errors

    def _rotation_ok(self, people, phase, f, shift, site_rules) -> bool:
        ids = {p["id"] for p in people}
        for r, members in site_rules:
            mine = [p for p in members if p["id"] in ids]
            for i in select_days(r["days"]):
                works = sum(
                    1
                    for p in mine
                    if (self.cell[p["id"]][i] == shift)
                    or (
                        self.cell[p["id"]][i] is None
                        and i % f == phase[p["id"]]
                        and i not in p.get("_leave_days", ())
                    )
                )
                if works < required(r, available(members, i)):
                    return False
        return True

    def verify(self) -> list:
        """Independent check of the finished witness against the hard rules."""
        errors = []
        for p in self.staff:
            u = self.units[p["unit"]]
            row = self.cell[p["id"]]
            for i, status in enumerate(row):
                if i in p.get("_leave_days", ()) and status is not None:
                    errors.append(f"{p['id']} {DAYS[i]}: works on leave")
                if status in (None, "wfa", "off"):
                    if (
                        u["schedule"] == "office"
                        and is_working(DAYS[i])
                        and i not in p.get("_leave_days", ())
                        and status != "wfa"
                    ):
                        errors.append(f"{p['id']} {DAYS[i]}: office staff off on a working day")
                    continue
                if status not in u["shifts"]:
                    errors.append(f"{p['id']}: shift {status} not in unit")
                if (
                    u["schedule"] == "office"
                    and not is_working(DAYS[i])
                    and i not in self.covered_nonworking.get(u["id"], set())
                ):
                    errors.append(f"{p['id']} {DAYS[i]}: on site on an uncovered day off")
                if not self.can_work(p, i, status, ignore_self=True):
                    errors.append(f"{p['id']} {DAYS[i]}: rest or consecutive-days rule broken")
            minimum = unit_rules(u).get("min_shifts_per_week")
            if u["schedule"] == "roster" and minimum:
                for week in WEEKS:
                    need = minimum - sum(1 for i in week if i in p.get("_leave_days", ()))
                    if sum(1 for i in week if row[i] in u["shifts"]) < need:
                        errors.append(f"{p['id']}: weekly minimum broken")
        for r, uid, members, days in self.rules:
            for i in days:
                need = required(r, available(members, i))
                have = sum(1 for p in members if self.cell[p["id"]][i] == r["shift"])
                if have < need or (r.get("max") is not None and have > r["max"]):
                    errors.append(f"{r['id']}/{uid} {DAYS[i]}: {have} on site, need {need}")
                if r.get("standby") and len(self.standby_free(members, i)) < r["standby"]:
                    errors.append(f"{r['id']}/{uid} {DAYS[i]}: too few free for standby")
        for pin in self.pins:
            got = self.cell[pin["staff"]][DAYS.index(pin["date"])]
            want = pin["shift"] if pin["status"] == "onsite" else pin["status"]
            if got != want:
                errors.append(f"pin {pin['staff']} {pin['date']}: {got} != {want}")
        return errors

    def standby_free(self, members: list, i: int) -> list:
        """Members who could stand by on day i (a WFA day): WFA-eligible, not on leave, not
        on site in the witness (a roster unit's day off becomes WFA, which breaks no rule)."""
        free = []
        for p in members:
            u = self.units[p["unit"]]
            eligible = p["wfa_eligible"] if p["wfa_eligible"] is not None else u["wfa"]
            on_site = self.cell[p["id"]][i] in u["shifts"]
            on_leave = i in p.get("_leave_days", ())
            if eligible and u["schedule"] == "roster" and not on_site and not on_leave:
                free.append(p)
        return free

    def slack(self) -> dict:
        """Per unit: the smallest (available matching staff) / (minimum) over rules and days."""
        out: dict = {}
        for r, uid, members, days in self.rules:
            u = self.units[uid]
            factor = rotation_factor(u, r["shift"])
            for i in days:
                n = available(members, i)
                need = required(r, n)
                if need:
                    ratio = (n / factor) / need
                    out[uid] = min(out.get(uid, 99.0), ratio)
        return out


# --------------------------------------------------------------------------------------
# Requests and pins
# --------------------------------------------------------------------------------------
def can_have(sc: dict, rules: list, p: dict, day: date, status: str, shift) -> bool:
    """Whether the format allows `status` (and shift) for this person on this day."""
    units = {u["id"]: u for u in sc["units"]}
    u = units[p["unit"]]
    i = DAYS.index(day)
    if i in p.get("_leave_days", ()):
        return status == "leave"
    eligible = p["wfa_eligible"] if p["wfa_eligible"] is not None else u["wfa"]
    if status == "wfa":
        return eligible and day in WFA_DAYS
    if status == "off":
        return u["schedule"] == "roster" or not is_working(day)
    if status == "onsite":
        if shift is not None and shift not in u["shifts"]:
            return False
        if u["schedule"] == "roster" or is_working(day):
            return True
        return any(uid == u["id"] and i in days for r, uid, _, days in rules)
    return False


def pick_person(staff, rng, used, unit_id, site, skill, role, day, status, shift, sc, rules):
    pool = [
        p
        for p in staff
        if p["unit"] == unit_id
        and (site is None or p["site"] == site)
        and (skill is None or skill in p["skills"])
        and p["role"] == role
        and not p["leave"]
        and p["id"] not in used
        and can_have(sc, rules, p, day, status, shift)
    ]
    assert pool, f"nobody for {(unit_id, site, skill, role, day, status)}"
    chosen = rng.choice(pool)
    used.add(chosen["id"])
    return chosen


def make_requests_and_pins(sc, staff, rng, rules):
    used: set = set()

    def entry(spec: tuple, key: str) -> dict:
        """The pin (key "status") or request (key "want", weighted) of one spec."""
        unit_id, site, skill, role, day, status, shift, weight, note = spec
        p = pick_person(staff, rng, used, unit_id, site, skill, role, day, status, shift, sc, rules)
        item = {"staff": p["id"], "date": day, key: status, "shift": shift}
        if key == "want":
            item["weight"] = weight
        item["_note"] = f"{p['name']} ({unit_id}): {note}"
        return item

    # pins draw their people first: nobody pinned also gets a request
    pins = [entry(spec, "status") for spec in sc["pins_spec"]]
    requests = [entry(spec, "want") for spec in sc["requests_spec"]]
    return requests, pins


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------
PLAIN = re.compile(r"^[a-z][a-z0-9._-]*$|^\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}$")
RESERVED = {"off", "on", "yes", "no", "y", "n", "true", "false", "null", "none", "~"}


def yv(value) -> str:
    """A YAML 1.2 flow value (also read the same way by YAML 1.1 parsers)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(yv(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {yv(v)}" for k, v in value.items()) + "}"
    if isinstance(value, str) and PLAIN.match(value) and value.lower() not in RESERVED:
        return value
    return json.dumps(value, ensure_ascii=False)


def write_text(path: Path, text: str, dry: bool) -> None:
    if dry:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def staff_csv(staff: list) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(
        [
            "id",
            "name",
            "unit",
            "site",
            "skills",
            "wfa_eligible",
            "leave",
            "history",
            "superior",
            "phone",
        ]
    )
    for p in staff:
        eligible = "" if p["wfa_eligible"] is None else ("true" if p["wfa_eligible"] else "false")
        writer.writerow(
            [
                p["id"],
                p["name"],
                p["unit"],
                p["site"],
                "|".join(p["skills"]),
                eligible,
                leave_text(p["leave"]),
                p["history"] or "",
                p["superior"],
                p["phone"],
            ]
        )
    return buf.getvalue()


def scenario_yaml(sc: dict, staff: list, requests: list, pins: list) -> str:
    counts: dict = {}
    for p in staff:
        counts[p["unit"]] = counts.get(p["unit"], 0) + 1
    out = [
        "# Generated by scenarios/tools/make_bekasi.py -- edit the script and re-run it;",
        "# scenarios/README.md says where every number comes from. People are synthetic.",
        "version: 1",
        f"name: {yv(sc['name'])}",
        f"horizon: {{start: {START}, end: {END}}}",
        "",
        "calendar:",
        f"  weekend: {yv(list(WEEKEND))}",
        "  holidays:",
    ]
    out += [f"    {d}: {yv(n)}" for d, n in HOLIDAYS.items()]
    out.append("  collective_leave:")
    out += [f"    {d}: {yv(n)}" for d, n in COLLECTIVE_LEAVE.items()]
    out.append(f"  wfa_days: [{WFA_RANGE}]   # SE MenPAN-RB B/531/M.KT.02/2025")
    out += ["", "shifts:"]
    used_shifts = [s for s in SHIFTS if any(s in u["shifts"] for u in sc["units"])]
    for s in used_shifts:
        start, end = SHIFTS[s]
        out.append(f"  {s}: {{start: {yv(start)}, end: {yv(end)}}}")
    out += ["", "units:"]
    for u in sc["units"]:
        out.append(f"  {u['id']}:   # {counts.get(u['id'], 0)} staff")
        out.append(f"    name: {yv(u['name'])}")
        out.append(f"    schedule: {u['schedule']}")
        out.append(f"    shifts: {yv(u['shifts'])}")
        out.append(f"    wfa: {yv(u['wfa'])}")
        if u["rules"]:
            out.append(f"    rules: {yv(u['rules'])}")
    out += ["", f"staff: {sc['staff_file']}", "", "coverage:"]
    for r in sc["coverage"]:
        if "_comment" in r:
            out += ["  # " + line for line in textwrap.wrap(r["_comment"], 92)]
            continue
        out.append("  - " + yv({k: v for k, v in r.items() if not k.startswith("_")}))
    out += [
        "",
        f"rules: {yv(GLOBAL_RULES)}",
        "",
        "fairness:",
        "  pool: unit",
        "  weights: {wfa_days: 10, holiday_duty: 5, night_shifts: 1}",
        "  use_history: true",
        "",
        "requests:",
    ]
    for q in requests:
        item = {"staff": q["staff"], "date": q["date"], "want": q["want"]}
        if q["shift"]:
            item["shift"] = q["shift"]
        item["weight"] = q["weight"]
        out.append(f"  - {yv(item)}   # {q['_note']}")
    out += ["", "pins:"]
    for p in pins:
        item = {"staff": p["staff"], "date": p["date"], "status": p["status"]}
        if p["shift"]:
            item["shift"] = p["shift"]
        out.append(f"  - {yv(item)}   # {p['_note']}")
    out += ["", f"solver: {yv(sc['solver'])}", ""]
    return "\n".join(out)


def variant_yaml(share: str, percent: int) -> str:
    return "\n".join(
        [
            "# Generated by scenarios/tools/make_bekasi.py: the full Bekasi scenario with only",
            f"# the Dukcapil counter share on the WFA days changed (base: 0.5, here: {share}).",
            "version: 1",
            "extends: ../bekasi-nataru-2025.yaml",
            f"name: {yv(f'Pemkot Bekasi — Nataru 2025/2026, loket Dukcapil {percent}% on site')}",
            "coverage:",
            f"  - {{id: dukcapil-loket-wfa, min_share: {share}}}",
            "",
        ]
    )


# --------------------------------------------------------------------------------------
# Checks on the whole scenario
# --------------------------------------------------------------------------------------
def check_scenario(sc, staff, rules, requests, pins) -> list:
    errors = []
    units = {u["id"]: u for u in sc["units"]}
    ids = [p["id"] for p in staff]
    if len(ids) != len(set(ids)):
        errors.append("duplicate staff ids")
    by_id = {p["id"]: p for p in staff}
    for p in staff:
        if not (len(p["id"]) == 18 and p["id"].isdigit()):
            errors.append(f"bad id {p['id']}")
        if p["id"][14] not in "12":  # NIP: after YYYYMMDD+YYYYMM; NI PPPK: after YYYYMMDD+YYYY21
            errors.append(f"{p['id']}: sex digit")
        if p["unit"] not in units:
            errors.append(f"{p['id']}: unknown unit")
        if p["superior"] and (
            p["superior"] not in by_id or by_id[p["superior"]]["unit"] != p["unit"]
        ):
            errors.append(f"{p['id']}: superior not in the same unit")
    for u in sc["units"]:
        for s in u["shifts"]:
            if s not in SHIFTS:
                errors.append(f"unit {u['id']}: unknown shift {s}")
        if not any(p["unit"] == u["id"] for p in staff):
            errors.append(f"unit {u['id']} has no staff")
    seen = set()
    for r, uid, members, days in rules:
        if r["shift"] not in units[uid]["shifts"]:
            errors.append(f"{r['id']}: shift not in unit {uid}")
        if not members:
            errors.append(f"{r['id']}/{uid}: matches no staff")
        if not days:
            errors.append(f"{r['id']}: selects no day")
        seen.add(r["id"])
    rule_ids = [r["id"] for r in sc["coverage"] if "_comment" not in r]
    if len(rule_ids) != len(set(rule_ids)):
        errors.append("duplicate coverage rule ids")
    for item, key in [(q, "want") for q in requests] + [(p, "status") for p in pins]:
        p = by_id.get(item["staff"])
        if p is None:
            errors.append(f"{item}: unknown staff")
            continue
        if not START <= item["date"] <= END:
            errors.append(f"{item}: date outside the horizon")
        if not can_have(sc, rules, p, item["date"], item[key], item["shift"]):
            errors.append(f"{item}: status impossible for this person")
    keys = [(q["staff"], q["date"]) for q in pins]
    if len(keys) != len(set(keys)):
        errors.append("two pins on one cell")
    return errors


def build(sc: dict, rng: random.Random, ids: Ids):
    staff = generate_staff(sc, rng, ids)
    rules = expand_rules(sc, staff)
    requests, pins = make_requests_and_pins(sc, staff, rng, rules)
    errors = check_scenario(sc, staff, rules, requests, pins)
    errors += capacity_problems(sc, staff, rules)
    witness = Witness(sc, staff, rules, pins)
    errors += witness.build()
    errors += witness.verify()
    return staff, rules, requests, pins, errors, witness


def report(sc, staff, witness) -> None:
    counts: dict = {}
    on_leave = 0
    for p in staff:
        counts[p["unit"]] = counts.get(p["unit"], 0) + 1
        on_leave += bool(p.get("_leave_days"))
    slack = witness.slack()
    print(
        f"{sc['file']}: {len(staff)} staff in {len(sc['units'])} units, "
        f"{sum(1 for r in sc['coverage'] if '_comment' not in r)} coverage rules, "
        f"{on_leave} with leave in the horizon, "
        f"{sum(1 for p in staff if p['wfa_eligible'] is False)} not WFA-eligible, "
        f"{sum(1 for p in staff if p['history'])} with history"
    )
    for u in sc["units"]:
        extra = f"  min capacity/need {slack[u['id']]:.2f}" if u["id"] in slack else ""
        print(f"  {u['id']:<18} {u['schedule']:<7} {counts.get(u['id'], 0):>5}{extra}")


def main(argv: list) -> int:
    dry = "--check" in argv
    rng = random.Random(2025)
    ids = Ids(rng)
    failed = False
    for make in (full_scenario, demo_scenario):
        sc = make()
        staff, rules, requests, pins, errors, witness = build(sc, rng, ids)
        report(sc, staff, witness)
        if errors:
            failed = True
            print(f"{sc['file']}: {len(errors)} problems", file=sys.stderr)
            for e in errors[:40]:
                print("  " + e, file=sys.stderr)
            continue
        csv_text = staff_csv(staff)
        assert len(csv_text.encode("utf-8")) < 2_000_000, "staff CSV over 2 MB"
        write_text(SCENARIOS / sc["staff_file"], csv_text, dry)
        write_text(SCENARIOS / sc["file"], scenario_yaml(sc, staff, requests, pins), dry)
    if not failed:
        for share, percent in (("0.3", 30), ("0.7", 70)):
            write_text(
                SCENARIOS / "variants" / f"bekasi-dukcapil-{percent}.yaml",
                variant_yaml(share, percent),
                dry,
            )
    if failed:
        print("not written: fix the problems above", file=sys.stderr)
        return 1
    print("checks passed" + ("" if dry else "; files written"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
