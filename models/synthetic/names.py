"""Synthetic Indonesian civil servants: names that read like real ones, NIP / NI PPPK ids and
phone numbers that cannot belong to anyone.

Shared by the bundled Bekasi scenario's generator and `piket generate`. Every draw comes from
the caller's `random.Random`, in a fixed order, so a seed reproduces every name and id.
"""

from __future__ import annotations

import random
from datetime import date

# Name parts, grouped so that combinations read like real Indonesian names.
COMMON_M = [
    "Budi",
    "Agus",
    "Andi",
    "Dedi",
    "Hendra",
    "Joko",
    "Rudi",
    "Slamet",
    "Wahyu",
    "Fajar",
    "Dimas",
    "Bambang",
    "Dani",
    "Hadi",
    "Iwan",
    "Nanang",
    "Teguh",
    "Heru",
    "Asep",
    "Ujang",
    "Dadang",
    "Cecep",
    "Yayan",
    "Aditya",
    "Bayu",
    "Galih",
    "Reza",
    "Sandi",
    "Wawan",
    "Anton",
    "Deni",
    "Sugeng",
    "Arief",
    "Irfan",
    "Taufik",
    "Gilang",
    "Hari",
    "Yudi",
    "Rian",
    "Toni",
]
ISLAMIC_PREFIX_M = ["Muhammad", "Ahmad", "Mochamad"]
ISLAMIC_M = [
    "Rizky",
    "Yusuf",
    "Rahmat",
    "Ilham",
    "Fikri",
    "Hafiz",
    "Lukman",
    "Samsul",
    "Fauzan",
    "Ridho",
    "Syahrul",
    "Firdaus",
    "Arif",
    "Zainal",
    "Hasan",
    "Ikhsan",
]
CHRISTIAN_M = [
    "Yohanes",
    "Markus",
    "Stefanus",
    "Yosef",
    "Robert",
    "Hotman",
    "Daniel",
    "Paulus",
    "Fransiskus",
    "Antonius",
]
ORDINAL = ["Eko", "Dwi", "Tri"]
FAMILY_M = [
    "Santoso",
    "Fauzi",
    "Hidayat",
    "Saputra",
    "Pratama",
    "Kurniawan",
    "Setiawan",
    "Nugroho",
    "Prasetyo",
    "Wibowo",
    "Firmansyah",
    "Hermawan",
    "Ramadhan",
    "Maulana",
    "Sudrajat",
    "Suherman",
    "Supriyadi",
    "Hakim",
    "Rahman",
    "Syahputra",
    "Wijaya",
    "Susanto",
    "Permana",
    "Nurdin",
    "Sofyan",
    "Iskandar",
    "Gunawan",
    "Hidayatullah",
    "Wahyudi",
    "Purnomo",
]
NEUTRAL_M = [
    "Santoso",
    "Saputra",
    "Pratama",
    "Kurniawan",
    "Setiawan",
    "Nugroho",
    "Wijaya",
    "Susanto",
    "Gunawan",
    "Wibowo",
    "Purnomo",
    "Prasetyo",
]
COMMON_F = [
    "Dewi",
    "Rina",
    "Ratna",
    "Wulan",
    "Indah",
    "Fitri",
    "Yuni",
    "Ayu",
    "Putri",
    "Rini",
    "Endah",
    "Euis",
    "Neneng",
    "Ani",
    "Lia",
    "Maya",
    "Novi",
    "Diah",
    "Ratih",
    "Kartika",
    "Tuti",
    "Yanti",
    "Lina",
    "Mega",
    "Intan",
    "Dina",
    "Eva",
    "Imas",
    "Lilis",
    "Nia",
    "Sari",
    "Tika",
    "Vina",
    "Winda",
    "Desi",
    "Ika",
    "Sinta",
    "Rosmawati",
    "Yulia",
    "Hesti",
]
ISLAMIC_F = ["Siti", "Nur", "Nurul", "Anisa", "Fauziah", "Rahmi", "Umi", "Hana", "Aisyah"]
CHRISTIAN_F = [
    "Maria",
    "Theresia",
    "Agnes",
    "Veronika",
    "Elisabeth",
    "Yohana",
    "Kristina",
    "Magdalena",
]
MIDDLE_F = ["Ayu", "Indah", "Nur", "Puspita", "Kartika", "Dwi"]
FAMILY_F = [
    "Rahayu",
    "Lestari",
    "Wulandari",
    "Handayani",
    "Susanti",
    "Permatasari",
    "Puspitasari",
    "Anggraini",
    "Hidayah",
    "Rahmawati",
    "Kusumawati",
    "Yuliana",
    "Oktaviani",
    "Safitri",
    "Agustina",
    "Fitriani",
    "Maharani",
    "Novitasari",
    "Purnamasari",
    "Sulistyowati",
    "Wahyuni",
    "Ningsih",
    "Andriani",
    "Kurniasih",
    "Setiawati",
    "Nurhasanah",
    "Aminah",
]
NEUTRAL_F = [
    "Lestari",
    "Wulandari",
    "Handayani",
    "Susanti",
    "Permatasari",
    "Kusumawati",
    "Yuliana",
    "Oktaviani",
    "Agustina",
    "Maharani",
    "Purnamasari",
    "Setiawati",
]
MARGA = [  # Batak family names, used by men and women alike
    "Siregar",
    "Nasution",
    "Lubis",
    "Simanjuntak",
    "Harahap",
    "Sihombing",
    "Situmorang",
    "Tambunan",
    "Manurung",
    "Pardede",
    "Sinaga",
    "Simatupang",
    "Pangaribuan",
    "Hutapea",
    "Sitompul",
    "Panjaitan",
    "Gultom",
    "Hasibuan",
]
# Full names of well-known public figures that the combinations could produce: skipped.
BLOCKED_NAMES = {
    "Budi Gunawan",
    "Hendra Setiawan",
    "Taufik Hidayat",
    "Hendra Gunawan",
    "Irfan Hakim",
    "Andi Arief",
    "Dewi Lestari",
    "Indah Permatasari",
    "Eko Patrio",
    "Budi Karya",
    "Rudi Hartono",
    "Agus Salim",
    "Ahmad Dhani",
    "Arief Muhammad",
    "Yusuf Mansur",
}
MOBILE_PREFIX = "0810"  # not assigned to any Indonesian mobile operator: no real subscriber


class Ids:
    """Unique 18-digit NIP / NI PPPK and unique synthetic phone numbers."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.ids: set[str] = set()
        self.phones: set[str] = set()

    def person_id(self, kind: str, birth: date, appointed: tuple[int, int], sex: int) -> str:
        year, month = appointed
        while True:
            serial = self.rng.randint(1, 999)
            if kind == "pns":  # birth YYYYMMDD + CPNS appointment YYYYMM + sex + serial
                pid = f"{birth:%Y%m%d}{year:04d}{month:02d}{sex}{serial:03d}"
            else:  # NI PPPK: birth YYYYMMDD + appointment year YYYY + 21 + sex + serial
                pid = f"{birth:%Y%m%d}{year:04d}21{sex}{serial:03d}"
            assert len(pid) == 18 and pid.isdigit()
            if pid not in self.ids:
                self.ids.add(pid)
                return pid

    def phone(self) -> str:
        while True:
            number = MOBILE_PREFIX + f"{self.rng.randint(0, 99_999_999):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number


def _pick(rng: random.Random, *pools: list) -> str:
    """One name part from each pool, in order, joined by spaces."""
    return " ".join(rng.choice(pool) for pool in pools)


def _islamic_prefixed_m(rng: random.Random) -> str:
    name = _pick(rng, ISLAMIC_PREFIX_M, ISLAMIC_M + COMMON_M)
    if rng.random() < 0.5:
        name += " " + rng.choice(FAMILY_M)
    return name


def _three_part_f(rng: random.Random) -> str:
    first = rng.choice(COMMON_F + ISLAMIC_F[:3])
    middle = rng.choice([m for m in MIDDLE_F if m != first])  # no "Ayu Ayu"
    return f"{first} {middle} {rng.choice(FAMILY_F)}"


# Name patterns by sex, as (cumulative share, builder): a draw r in [0, 1) takes the first
# pattern with r < share. The order and the draws inside the builders fix every name in
# the generated files: keep them.
NAME_PATTERNS = {
    "male": [
        (0.42, lambda rng: _pick(rng, COMMON_M, FAMILY_M)),
        (0.62, _islamic_prefixed_m),
        (0.74, lambda rng: _pick(rng, ISLAMIC_M, FAMILY_M)),
        (0.84, lambda rng: _pick(rng, CHRISTIAN_M, MARGA + NEUTRAL_M)),
        (0.92, lambda rng: _pick(rng, COMMON_M, MARGA)),
        (1.0, lambda rng: _pick(rng, ORDINAL, NEUTRAL_M + ["Wahyudi", "Hermawan", "Suherman"])),
    ],
    "female": [
        (0.40, lambda rng: _pick(rng, COMMON_F, FAMILY_F)),
        (0.58, lambda rng: _pick(rng, ISLAMIC_F, FAMILY_F)),
        (0.68, lambda rng: _pick(rng, ["Sri", "Dwi", "Tri"], FAMILY_F)),
        (0.78, lambda rng: _pick(rng, CHRISTIAN_F, MARGA + NEUTRAL_F)),
        (0.88, lambda rng: _pick(rng, COMMON_F, MARGA)),
        (1.0, _three_part_f),
    ],
}


def make_name(rng: random.Random, female: bool) -> str:
    patterns = NAME_PATTERNS["female" if female else "male"]
    while True:
        r = rng.random()
        name = next(build for share, build in patterns if r < share)(rng)
        if name not in BLOCKED_NAMES:
            return name
