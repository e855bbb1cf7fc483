"""Words shown to people, in Bahasa Indonesia (default) and English.

Each writer keeps the labels it alone uses beside it; the ones every output shares live here.
"""

from __future__ import annotations

from datetime import date

LANGUAGES = ("id", "en")

STATUS = {
    "id": {"onsite": "Piket", "wfa": "WFA", "off": "Libur", "leave": "Cuti"},
    "en": {"onsite": "On site", "wfa": "WFA", "off": "Off", "leave": "Leave"},
}
WEEKDAYS = {
    "id": ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
MONTHS = {
    "id": (
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
COMMON = {
    "id": {
        "staff": "Pegawai",
        "name": "Nama",
        "unit": "OPD",
        "site": "Pos/Ruang",
        "date": "Tanggal",
        "status": "Status",
        "shift": "Shift",
        "holiday": "Libur nasional",
        "collective_leave": "Cuti bersama",
        "wfa_day": "Hari WFA",
        "coverage": "Kebutuhan piket",
        "required": "Minimal",
        "onsite": "Hadir",
        "met": "Terpenuhi",
        "not_met": "Kurang",
        "fairness": "Pemerataan WFA",
        "eligible": "Berhak WFA",
        "wfa_days": "Hari WFA",
        "wfa_share": "Porsi WFA",
        "jain": "Indeks Jain",
        "superior": "Atasan langsung",
        "phone": "Telepon",
        "standby": "Siaga",
    },
    "en": {
        "staff": "Staff",
        "name": "Name",
        "unit": "Unit",
        "site": "Site",
        "date": "Date",
        "status": "Status",
        "shift": "Shift",
        "holiday": "Public holiday",
        "collective_leave": "Collective leave",
        "wfa_day": "WFA day",
        "coverage": "On-site cover",
        "required": "Required",
        "onsite": "On site",
        "met": "Met",
        "not_met": "Short",
        "fairness": "WFA fairness",
        "eligible": "WFA-eligible",
        "wfa_days": "WFA days",
        "wfa_share": "WFA share",
        "jain": "Jain index",
        "superior": "Direct superior",
        "phone": "Phone",
        "standby": "Standby",
    },
}


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} is not one of {', '.join(LANGUAGES)}")
    return lang


def long_date(day: date, lang: str) -> str:
    """`Senin, 29 Desember 2025` / `Monday, 29 December 2025`."""
    weekday = {
        "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
        "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    }[lang][day.weekday()]
    return f"{weekday}, {day.day} {MONTHS[lang][day.month - 1]} {day.year}"
