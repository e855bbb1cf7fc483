"""The HTML report: self-contained, escaped, in both languages, and it renders in Chromium."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from models.problem import WFA_OPTION, Option, Problem
from models.reports.html import render_html, write_html
from models.result import Evaluation, Roster
from optimizer.check import evaluate
from tests.conftest import build, people

CHROMIUM = Path("/usr/bin/chromium")
EVIL = "<script>alert(1)</script>"
SECTIONS = ("coverage", "wfa-share", "wfa-distribution", "fewest-wfa", "resilience", "settings")
HEADINGS = {
    "id": ("Kebutuhan piket", "Porsi WFA", "Sebaran hari WFA", "paling sedikit", "Pengaturan"),
    "en": (
        "On-site cover",
        "WFA share",
        "WFA days per pool",
        "fewest WFA days",
        "Scenario settings",
    ),
}
Report = tuple[Problem, Roster, Evaluation]
SETTINGS = {"status": "optimal", "objective": 1234567, "wall_time_s": 1.5, "coverage": ["x"] * 5}


def _problem(office_staff: int = 6) -> Problem:
    """An office unit that may work from anywhere and a fire post that may not."""
    staff = people(office_staff, "office") + people(4, "damkar")
    staff[0]["name"] = EVIL
    return build(
        units={
            "office": {"name": "Dinas <Uji> & Co", "shifts": ["kantor"]},
            "damkar": {"schedule": "roster", "shifts": ["jaga"], "wfa": False},
        },
        staff=staff,
        coverage=[
            {"id": "office-min", "unit": "office", "shift": "kantor", "days": "all", "min": 2},
            {"id": "damkar-jaga", "unit": "damkar", "shift": "jaga", "days": "all", "min": 2},
        ],
    )


def _roster(problem: Problem) -> Roster:
    """WFA for every other eligible person-day, otherwise the first allowed option.

    Not an optimal roster, just a varied one: some days short, some with spare staff.
    """
    cells = []
    for p, row in enumerate(problem.options):
        cells.append(
            tuple(
                WFA_OPTION if WFA_OPTION in cell and (p + d) % 2 == 0 else _first_not_wfa(cell)
                for d, cell in enumerate(row)
            )
        )
    return Roster(tuple(cells))


def _first_not_wfa(cell: tuple[Option, ...]) -> Option:
    return next(option for option in cell if option != WFA_OPTION)


@pytest.fixture(scope="module")
def report() -> Report:
    problem = _problem()
    roster = _roster(problem)
    return problem, roster, evaluate(problem, roster)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_page_is_self_contained_escaped_and_complete(report: Report, lang: str) -> None:
    page = render_html(*report, SETTINGS, lang=lang)
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", page, re.IGNORECASE)
    assert not re.search(r"\bsrc\s*=|@import|url\(", page, re.IGNORECASE)
    assert all(href.startswith("#") for href in re.findall(r'href="([^"]*)"', page))
    assert page.count("<script") == 1  # only the inline marker script
    assert EVIL not in page and html_escaped(EVIL) in page
    assert "Dinas &lt;Uji&gt; &amp; Co" in page
    assert f'<html lang="{lang}">' in page
    for key in SECTIONS:
        assert f'data-section="{key}"' in page
    for heading in HEADINGS[lang]:
        assert heading in page
    assert "1.234.567" in page if lang == "id" else "1,234,567" in page
    assert "optimal" in page


def html_escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_unknown_language_is_refused(report: Report) -> None:
    with pytest.raises(ValueError, match="language"):
        render_html(*report, lang="jv")


def test_heatmap_colours_follow_the_margin(report: Report) -> None:
    problem, roster, evaluation = report
    page = render_html(problem, roster, evaluation)
    margins = {f.onsite - f.required for f in evaluation.coverage}
    for kind, present in (
        ("below", any(m < 0 for m in margins)),
        ("exact", 0 in margins),
        ("above", any(m > 0 for m in margins)),
    ):
        assert (f'class="m {kind}' in page) == present
    # One heatmap row per rule and unit, whatever the number of days.
    assert page.count('<td class="r"') == 2


def test_big_unit_stays_small_and_lists_twenty(tmp_path: Path) -> None:
    problem = _problem(office_staff=3000)
    roster = _roster(problem)
    path = tmp_path / "out" / "report.html"
    write_html(path, problem, roster, evaluate(problem, roster), None, lang="en")
    page = path.read_text(encoding="utf-8")
    assert path.stat().st_size < 200_000
    fewest = page.split('data-section="fewest-wfa"')[1].split("</section>")[0]
    assert fewest.count("<tr>") == 1 + 20  # header + 20 people
    assert [p.name for p in path.parent.iterdir()] == ["report.html"]  # no temp file left


# --- rendered in headless Chromium ------------------------------------------------------


def _chromium(tmp_path: Path, page: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Chromium with everything that could reach the network switched off."""
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1400,1800",
        *extra,
        page.as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    return width, height


@pytest.mark.skipif(
    not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None,
    reason="/usr/bin/chromium is not installed (apt-get install chromium); CI installs it",
)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_renders_in_chromium_without_script_errors(
    report: Report, tmp_path: Path, lang: str
) -> None:
    page = tmp_path / "report.html"
    write_html(page, *report, SETTINGS, lang=lang)

    # The inline script sets data-ok="1" once the DOM is built and no error reached
    # window.onerror; the dumped DOM shows whether it ran.
    dumped = _chromium(tmp_path, page, "--dump-dom")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    body = re.search(r"<body[^>]*>", dumped.stdout)
    assert body is not None
    assert 'data-ok="1"' in body.group(0)
    assert f'data-sections="{len(SECTIONS)}"' in body.group(0)
    assert "data-error" not in dumped.stdout.split("<head>")[0]

    png = tmp_path / "report.png"
    shot = _chromium(tmp_path, page, f"--screenshot={png}")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert png.exists() and png.stat().st_size > 20_000  # a blank page is a few kB
    assert _png_size(png) == (1400, 1800)
