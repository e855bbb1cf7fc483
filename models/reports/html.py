"""One self-contained HTML page about a roster: coverage, WFA share and fairness, settings.

The page goes by e-mail and WhatsApp to BKPSDM and the OPDs, and is opened on office PCs
that may be offline or behind a proxy, so it carries everything inline: CSS, plain HTML/CSS
charts (no SVG, no canvas) and a few lines of script, and its Content-Security-Policy
forbids any network fetch. Every piece of text from the scenario or the roster is escaped:
staff names and unit names come from spreadsheets typed by hand.

Sizes: the coverage heatmap has one row per coverage rule and unit, one column per day, so
the full Bekasi scenario (2,731 requirement-days) is about 200 rows, not 2,731; per-person
data appears only in the fixed-length "fewest WFA days" table.
"""

from __future__ import annotations

import html
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.output import write_atomic
from models.problem import WFA, Day, Person, Problem
from models.reports.labels import COMMON, MONTHS, WEEKDAYS, check_language
from models.result import CoverageFigure, Evaluation, Roster

FEWEST_ROWS = 20

# Labels only this page uses; shared words come from `labels.COMMON`.
LABELS: dict[str, dict[str, str]] = {
    "id": {
        "title": "Laporan jadwal piket dan WFA",
        "nav": "Isi",
        "settings": "Pengaturan skenario",
        "scenario": "Skenario",
        "horizon": "Periode",
        "days": "hari",
        "units": "Jumlah OPD",
        "staff_count": "Jumlah pegawai",
        "eligible_count": "Pegawai berhak WFA",
        "weights": "Bobot pemerataan",
        "w_wfa": "hari WFA",
        "w_holiday": "piket hari libur",
        "w_night": "shift malam",
        "pool": "Kelompok pemerataan",
        "history": "Memperhitungkan riwayat",
        "yes": "ya",
        "no": "tidak",
        "none": "—",
        "result_status": "Status",
        "objective": "Nilai tujuan",
        "bound": "Batas bawah",
        "wall_time": "Waktu hitung (detik)",
        "valid": "Semua aturan wajib terpenuhi",
        "violations": "Pelanggaran aturan wajib",
        "scenario_file": "Berkas skenario",
        "interrupted": "Dihentikan sebelum selesai",
        "heatmap_caption": "Selisih hadir − minimal per aturan, per hari",
        "rule": "Aturan",
        "below": "kurang (< 0)",
        "exact": "pas (= 0)",
        "above": "lebih (> 0)",
        "no_rule": "tidak ada kebutuhan",
        "over_max": "melebihi maksimum",
        "met_summary": "{met} dari {total} kebutuhan-hari terpenuhi",
        "share_caption": (
            "Hari-orang WFA ÷ hari-orang pada hari WFA (di luar cuti). "
            "OPD tanpa pegawai berhak WFA ditandai."
        ),
        "no_wfa_unit": "tidak berhak WFA",
        "person_days": "hari-orang",
        "distribution": "Sebaran hari WFA per kelompok",
        "distribution_caption": (
            "Jumlah pegawai berhak WFA menurut banyaknya hari WFA yang diberikan."
        ),
        "min": "min",
        "max": "maks",
        "mean": "rata-rata",
        "fewest": "Pegawai dengan hari WFA paling sedikit",
        "fewest_caption": "{n} pegawai berhak WFA dengan hari WFA paling sedikit.",
        "available": "Hari WFA tersedia",
        "granted": "Hari WFA diberikan",
        "id": "NIP",
        "no_eligible": "Tidak ada pegawai berhak WFA.",
        "resilience": "Siaga dan N-1",
        "n1_caption": (
            "{held} dari {total} kebutuhan-hari tetap terpenuhi bila satu orang yang piket "
            "berhalangan (hadir di atas minimal, atau ada pegawai siaga)."
        ),
        "fragile": "Belum tahan satu ketidakhadiran",
        "dates": "Tanggal",
        "more_rules": "… dan {n} aturan lagi (summary.json: resilience)",
        "standby_title": "Pegawai siaga (WFA, siap datang)",
        "footer": "Dibuat oleh piket. Halaman ini berdiri sendiri dan tidak memuat apa pun dari internet.",
    },
    "en": {
        "title": "Duty and WFA roster report",
        "nav": "Contents",
        "settings": "Scenario settings",
        "scenario": "Scenario",
        "horizon": "Horizon",
        "days": "days",
        "units": "Units",
        "staff_count": "Staff",
        "eligible_count": "WFA-eligible staff",
        "weights": "Fairness weights",
        "w_wfa": "WFA days",
        "w_holiday": "holiday duty",
        "w_night": "night shifts",
        "pool": "Fairness pool",
        "history": "Uses history",
        "yes": "yes",
        "no": "no",
        "none": "—",
        "result_status": "Status",
        "objective": "Objective",
        "bound": "Bound",
        "wall_time": "Solve time (s)",
        "valid": "Every hard rule holds",
        "violations": "Hard-rule violations",
        "scenario_file": "Scenario file",
        "interrupted": "Stopped early",
        "heatmap_caption": "Margin on site − required, per rule and day",
        "rule": "Rule",
        "below": "short (< 0)",
        "exact": "exact (= 0)",
        "above": "spare (> 0)",
        "no_rule": "no requirement",
        "over_max": "above maximum",
        "met_summary": "{met} of {total} requirement-days met",
        "share_caption": (
            "WFA person-days ÷ person-days on WFA days (leave excluded). "
            "Units with no WFA-eligible staff are marked."
        ),
        "no_wfa_unit": "not WFA-eligible",
        "person_days": "person-days",
        "distribution": "WFA days per pool",
        "distribution_caption": "WFA-eligible staff by the number of WFA days they were given.",
        "min": "min",
        "max": "max",
        "mean": "mean",
        "fewest": "Staff with the fewest WFA days",
        "fewest_caption": "The {n} WFA-eligible staff with the fewest WFA days.",
        "available": "WFA days available",
        "granted": "WFA days given",
        "id": "Staff id",
        "no_eligible": "No WFA-eligible staff.",
        "resilience": "Standby and N-1",
        "n1_caption": (
            "{held} of {total} requirement-days still hold if any one person on site is "
            "absent (a margin above the minimum, or a standby who can step in)."
        ),
        "fragile": "Not resilient to one absence",
        "dates": "Dates",
        "more_rules": "… and {n} more rules (summary.json: resilience)",
        "standby_title": "Standby (on WFA, ready to come in)",
        "footer": "Made by piket. This page is self-contained and loads nothing from the internet.",
    },
}

# The page may run script and style inline and nothing else: no fetch can leak data or hang.
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"

# The marker script: tests render the page headless and look for data-ok="1" in the DOM;
# window.onerror records any script error in data-error so a test can see it.
SCRIPT = """
window.onerror = function (message) {
  document.documentElement.setAttribute("data-error", String(message));
};
document.addEventListener("DOMContentLoaded", function () {
  var sections = document.querySelectorAll("section[data-section]").length;
  document.body.dataset.sections = String(sections);
  if (!document.documentElement.hasAttribute("data-error")) {
    document.body.dataset.ok = "1";
  }
});
"""

CSS = """
:root { --red: #d64545; --amber: #f0b429; --green: #3f9142; --grey: #e4e7eb; --ink: #1f2933; }
* { box-sizing: border-box; }
body { font-family: system-ui, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 1360px; padding: 16px 24px; font-size: 14px; }
h1 { font-size: 22px; margin: 4px 0 2px; }
h2 { font-size: 17px; margin: 28px 0 6px; border-bottom: 2px solid var(--grey); padding-bottom: 3px; }
.sub { color: #52606d; margin: 0 0 10px; }
nav a { margin-right: 14px; color: #2058a8; }
table { border-collapse: collapse; }
th, td { padding: 3px 7px; border: 1px solid var(--grey); text-align: left; vertical-align: top; }
th { background: #f5f7fa; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.caption { color: #52606d; font-size: 12px; margin: 2px 0 8px; }
.settings th { width: 230px; }
.heat { font-size: 11px; }
.heat td.m { width: 34px; text-align: center; padding: 2px 0; font-variant-numeric: tabular-nums; }
.heat th.d { width: 34px; text-align: center; padding: 2px 0; font-weight: 500; }
.heat th.d.hol { background: #fde2e2; }
.heat th.d.wfa { background: #dceefb; }
.heat td.r { white-space: nowrap; max-width: 420px; overflow: hidden; text-overflow: ellipsis; }
.heat tr.unit th { background: #e9edf2; text-align: left; }
.below { background: var(--red); color: #fff; }
.exact { background: var(--amber); }
.above { background: var(--green); color: #fff; }
.none { background: #f5f7fa; }
.overmax { outline: 2px solid #7b2cbf; outline-offset: -2px; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; margin: 6px 0; font-size: 12px; }
.legend span.sw { display: inline-block; width: 14px; height: 14px; vertical-align: -3px;
                  margin-right: 4px; border: 1px solid #9aa5b1; }
.bars { display: grid; grid-template-columns: 340px 1fr 150px; gap: 3px 10px; align-items: center; }
.bars .label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.bars .track { background: var(--grey); height: 14px; border-radius: 2px; }
.bars .fill { background: #2680c2; height: 14px; border-radius: 2px; }
.bars .value { font-variant-numeric: tabular-nums; font-size: 12px; }
.bars .muted { color: #9aa5b1; font-style: italic; }
.hist td.c { position: relative; min-width: 46px; }
.hist td.c .hb { position: absolute; left: 0; bottom: 0; height: 4px; background: #2680c2; }
footer { margin-top: 30px; color: #7b8794; font-size: 12px; }
@media print { nav { display: none; } h2 { break-after: avoid; } }
"""


def _e(value: object) -> str:
    """Escape anything shown: names and ids come from hand-typed spreadsheets."""
    return html.escape(str(value), quote=True)


@dataclass(frozen=True)
class _Text:
    """The labels for one language, and its number formats."""

    lang: str

    def __call__(self, key: str, **values: object) -> str:
        words = LABELS[self.lang].get(key) or COMMON[self.lang][key]
        return words.format(**values) if values else words

    def integer(self, value: int) -> str:
        # Indonesian groups thousands with "." (1.234), English with "," (1,234).
        text = f"{value:,}"
        return text.replace(",", ".") if self.lang == "id" else text

    def decimal(self, value: float, places: int = 2) -> str:
        text = f"{value:,.{places}f}"
        if self.lang == "id":
            text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
        return text

    def percent(self, share: float) -> str:
        return f"{self.decimal(100 * share, 1)} %"

    def short_date(self, day: Day) -> str:
        return f"{day.date.day:02d}/{day.date.month:02d}"

    def long_date(self, day: Day) -> str:
        return f"{day.date.day} {MONTHS[self.lang][day.date.month - 1]} {day.date.year}"


# --- figures computed from the roster ------------------------------------------------


def _wfa_counts(roster: Roster) -> list[int]:
    return [sum(option.status == WFA for option in row) for row in roster.cells]


def _eligible(problem: Problem) -> list[Person]:
    """The checker's "eligible": WFA-eligible with at least one available WFA day."""
    return [p for p in problem.people if p.wfa_eligible and problem.available_wfa_days(p.index)]


def _unit_wfa_capacity(problem: Problem) -> dict[str, int]:
    """Per unit, person-days on WFA days off leave: the denominator of the WFA share."""
    wfa_days = [day.index for day in problem.days if day.is_wfa]
    capacity = dict.fromkeys(problem.units, 0)
    for person in problem.people:
        capacity[person.unit] += sum(d not in person.leave for d in wfa_days)
    return capacity


def _pool_histograms(problem: Problem, counts: Sequence[int]) -> dict[str, Counter[int]]:
    histograms: dict[str, Counter[int]] = defaultdict(Counter)
    for person in _eligible(problem):
        histograms[problem.pool_of(person)][counts[person.index]] += 1
    return dict(sorted(histograms.items()))


def _fewest(problem: Problem, counts: Sequence[int], limit: int) -> list[Person]:
    """Fewest WFA days first; ties: the smaller share of what was available, then by name."""

    def key(person: Person) -> tuple[int, float, str, str]:
        granted = counts[person.index]
        return (granted, granted / problem.available_wfa_days(person.index), person.name, person.id)

    return sorted(_eligible(problem), key=key)[:limit]


# --- sections --------------------------------------------------------------------------


def _section(key: str, title: str, body: str) -> str:
    return f'<section id="{key}" data-section="{key}">\n<h2>{_e(title)}</h2>\n{body}\n</section>'


def _rows(pairs: Iterable[tuple[str, str]]) -> str:
    """Rows of a two-column table; values are already-escaped HTML."""
    return "\n".join(f"<tr><th>{_e(label)}</th><td>{value}</td></tr>" for label, value in pairs)


def _settings_section(
    problem: Problem, evaluation: Evaluation, settings: dict[str, Any], t: _Text
) -> str:
    days = problem.days
    horizon = f"{t.long_date(days[0])} – {t.long_date(days[-1])} ({len(days)} {t('days')})"
    w = problem.weights
    weights = (
        f"{t('w_wfa')} {w.wfa_days} · {t('w_holiday')} {w.holiday_duty} · "
        f"{t('w_night')} {w.night_shifts}"
    )
    pairs = [
        (t("scenario"), _e(problem.name)),
        (t("horizon"), _e(horizon)),
        (t("wfa_day"), _date_list([d for d in days if d.is_wfa], t)),
        (t("holiday"), _named_days([(d, d.holiday) for d in days], t)),
        (t("collective_leave"), _named_days([(d, d.collective_leave) for d in days], t)),
        (t("units"), _e(t.integer(len(problem.units)))),
        (t("staff_count"), _e(t.integer(len(problem.people)))),
        (t("eligible_count"), _e(t.integer(len(_eligible(problem))))),
        (t("pool"), _e(problem.pool)),
        (t("history"), _e(t("yes") if problem.use_history else t("no"))),
        (t("weights"), _e(weights)),
        *_result_pairs(evaluation, settings, t),
    ]
    return f'<table class="settings">\n{_rows(pairs)}\n</table>'


def _date_list(days: Sequence[Day], t: _Text) -> str:
    return _e(", ".join(t.long_date(d) for d in days) or t("none"))


def _named_days(days: Iterable[tuple[Day, str | None]], t: _Text) -> str:
    named = [f"{t.long_date(d)}: {name}" for d, name in days if name]
    return _e("; ".join(named) or t("none"))


def _result_pairs(
    evaluation: Evaluation, settings: dict[str, Any], t: _Text
) -> list[tuple[str, str]]:
    """What the caller knows of the run (a solve's summary, or an export's few facts).

    Only named keys are shown: the solve summary also holds every coverage figure, which
    would swamp the table.
    """
    pairs: list[tuple[str, str]] = []
    for key, label in (
        ("status", "result_status"),
        ("objective", "objective"),
        ("bound", "bound"),
        ("wall_time_s", "wall_time"),
        ("scenario_file", "scenario_file"),
    ):
        value = settings.get(key)
        if value is None:
            continue
        shown = (
            t.integer(value) if isinstance(value, int) and not isinstance(value, bool) else value
        )
        if isinstance(value, float):
            shown = t.decimal(value, 1)
        pairs.append((t(label), _e(shown)))
    if settings.get("interrupted"):
        pairs.append((t("interrupted"), _e(t("yes"))))
    pairs.append((t("valid"), _e(t("yes") if evaluation.valid else t("no"))))
    if evaluation.violations:
        pairs.append((t("violations"), _e(t.integer(len(evaluation.violations)))))
    return pairs


# The heatmap: one row per (unit, rule), one cell per day.
_RowKey = tuple[str, str]


def _coverage_rows(
    problem: Problem, evaluation: Evaluation
) -> dict[_RowKey, dict[str, CoverageFigure]]:
    """(unit, rule) -> date -> figure, units in scenario order, rules in first-seen order."""
    rows: dict[_RowKey, dict[str, CoverageFigure]] = {}
    for figure in evaluation.coverage:
        rows.setdefault((figure.unit, figure.requirement), {})[figure.date] = figure
    unit_order = {unit: k for k, unit in enumerate(problem.units)}
    return dict(sorted(rows.items(), key=lambda item: unit_order.get(item[0][0], len(unit_order))))


def _margin_cell(figure: CoverageFigure | None, t: _Text) -> str:
    if figure is None:
        return '<td class="m none"></td>'
    margin = figure.onsite - figure.required
    kind = "below" if margin < 0 else "exact" if margin == 0 else "above"
    over = figure.max is not None and figure.onsite > figure.max
    title = f"{figure.date}: {t('onsite')} {figure.onsite}, {t('required')} {figure.required}"
    if figure.max is not None:
        title += f", {t('max')} {figure.max}"
    text = f"+{margin}" if margin > 0 else str(margin).replace("-", "−")
    classes = f"m {kind}{' overmax' if over else ''}"
    return f'<td class="{classes}" title="{_e(title)}">{_e(text)}</td>'


def _day_header(day: Day, t: _Text) -> str:
    kind = " hol" if day.is_holiday_duty_day else " wfa" if day.is_wfa else ""
    name = day.holiday or day.collective_leave or (t("wfa_day") if day.is_wfa else "")
    weekday = WEEKDAYS[t.lang][day.date.weekday()]
    return f'<th class="d{kind}" title="{_e(name)}">{_e(weekday)}<br>{_e(t.short_date(day))}</th>'


def _rule_label(figure: CoverageFigure) -> str:
    where = "/".join(part for part in (figure.site, figure.skill) if part)
    return f"{figure.requirement} · {where + ' · ' if where else ''}{figure.shift}"


def _heatmap_body(problem: Problem, evaluation: Evaluation, t: _Text) -> str:
    dates = [day.date.isoformat() for day in problem.days]
    lines: list[str] = []
    current_unit: str | None = None
    for (unit, _rule), by_date in _coverage_rows(problem, evaluation).items():
        if unit != current_unit:
            current_unit = unit
            name = problem.units[unit].name if unit in problem.units else unit
            lines.append(f'<tr class="unit"><th colspan="{len(dates) + 1}">{_e(name)}</th></tr>')
        figure = next(iter(by_date.values()))
        cells = "".join(_margin_cell(by_date.get(d), t) for d in dates)
        label = _rule_label(figure)
        lines.append(f'<tr><td class="r" title="{_e(label)}">{_e(label)}</td>{cells}</tr>')
    return "\n".join(lines)


def _legend(t: _Text) -> str:
    items = [
        ("below", t("below")),
        ("exact", t("exact")),
        ("above", t("above")),
        ("none", t("no_rule")),
        ("overmax", t("over_max")),
    ]
    swatches = "".join(
        f'<span><span class="sw {cls}"></span>{_e(text)}</span>' for cls, text in items
    )
    days = (
        f'<span><span class="sw" style="background:#fde2e2"></span>{_e(t("holiday"))} / '
        f"{_e(t('collective_leave'))}</span>"
        f'<span><span class="sw" style="background:#dceefb"></span>{_e(t("wfa_day"))}</span>'
    )
    return f'<div class="legend">{swatches}{days}</div>'


def _coverage_section(problem: Problem, evaluation: Evaluation, t: _Text) -> str:
    total = len(evaluation.coverage)
    met = sum(figure.met for figure in evaluation.coverage)
    header = "".join(_day_header(day, t) for day in problem.days)
    return (
        f'<p class="caption">{_e(t("heatmap_caption"))} · '
        f"{_e(t('met_summary', met=t.integer(met), total=t.integer(total)))}</p>\n"
        f"{_legend(t)}\n"
        f'<table class="heat">\n<thead><tr><th>{_e(t("rule"))}</th>{header}</tr></thead>\n'
        f"<tbody>\n{_heatmap_body(problem, evaluation, t)}\n</tbody>\n</table>"
    )


def _share_section(problem: Problem, evaluation: Evaluation, t: _Text) -> str:
    capacity = _unit_wfa_capacity(problem)
    eligible_units = {p.unit for p in _eligible(problem)}
    shares = {
        unit: (evaluation.wfa_person_days.get(unit, 0) / capacity[unit] if capacity[unit] else 0.0)
        for unit in problem.units
    }
    # Largest share first; units that cannot have WFA at all go last, in scenario order.
    order = sorted(problem.units, key=lambda u: (u not in eligible_units, -shares[u]))
    bars = [
        _share_bar(problem, unit, shares[unit], evaluation, unit in eligible_units, t)
        for unit in order
    ]
    return (
        f'<p class="caption">{_e(t("share_caption"))}</p>\n'
        f'<div class="bars">\n{"".join(bars)}\n</div>'
    )


def _share_bar(
    problem: Problem, unit: str, share: float, evaluation: Evaluation, eligible: bool, t: _Text
) -> str:
    name = problem.units[unit].name
    label = f'<div class="label" title="{_e(name)}">{_e(name)}</div>'
    if not eligible:
        return f'{label}<div class="track"></div><div class="value muted">{_e(t("no_wfa_unit"))}</div>\n'
    days = t.integer(evaluation.wfa_person_days.get(unit, 0))
    width = f"{min(100.0, 100 * share):.1f}"
    return (
        f'{label}<div class="track"><div class="fill" style="width:{width}%"></div></div>'
        f'<div class="value">{_e(t.percent(share))} · {_e(days)} {_e(t("person_days"))}</div>\n'
    )


def _distribution_section(
    problem: Problem, evaluation: Evaluation, counts: Sequence[int], t: _Text
) -> str:
    histograms = _pool_histograms(problem, counts)
    if not histograms:
        return f"<p>{_e(t('no_eligible'))}</p>"
    top = max(max(h) for h in histograms.values())
    head = "".join(f'<th class="num">{k}</th>' for k in range(top + 1))
    stats = (
        f'<th class="num">{_e(t("eligible"))}</th><th class="num">{_e(t("mean"))}</th>'
        f'<th class="num">{_e(t("jain"))}</th>'
    )
    rows = [_histogram_row(pool, hist, top, evaluation, t) for pool, hist in histograms.items()]
    return (
        f'<p class="caption">{_e(t("distribution_caption"))}</p>\n'
        f'<table class="hist">\n<thead><tr><th></th><th colspan="{top + 1}">{_e(t("wfa_days"))}'
        f'</th><th colspan="3"></th></tr>\n<tr><th>{_e(t("pool"))}</th>{head}{stats}</tr></thead>\n'
        f"<tbody>\n{''.join(rows)}</tbody>\n</table>"
    )


def _histogram_row(
    pool: str, hist: Counter[int], top: int, evaluation: Evaluation, t: _Text
) -> str:
    people = sum(hist.values())
    cells = []
    for k in range(top + 1):
        n = hist.get(k, 0)
        # A thin bar under each count: the shape of the distribution at a glance.
        width = f"{100 * n / people:.0f}" if people else "0"
        bar = f'<span class="hb" style="width:{width}%"></span>' if n else ""
        cells.append(f'<td class="num c">{_e(t.integer(n)) if n else ""}{bar}</td>')
    figure = evaluation.fairness.get(pool)
    mean = t.decimal(figure.wfa_days_mean) if figure else ""
    jain = t.decimal(figure.jain, 3) if figure else ""
    return (
        f'<tr><td>{_e(pool)}</td>{"".join(cells)}<td class="num">{_e(t.integer(people))}</td>'
        f'<td class="num">{_e(mean)}</td><td class="num">{_e(jain)}</td></tr>\n'
    )


def _fewest_section(problem: Problem, counts: Sequence[int], t: _Text) -> str:
    people = _fewest(problem, counts, FEWEST_ROWS)
    if not people:
        return f"<p>{_e(t('no_eligible'))}</p>"
    head = "".join(
        f"<th{cls}>{_e(t(key))}</th>"
        for key, cls in (
            ("name", ""),
            ("id", ""),
            ("unit", ""),
            ("site", ""),
            ("granted", ' class="num"'),
            ("available", ' class="num"'),
        )
    )
    rows = "".join(
        _person_row(problem, rank, person, counts) for rank, person in enumerate(people, 1)
    )
    return (
        f'<p class="caption">{_e(t("fewest_caption", n=len(people)))}</p>\n'
        f"<table>\n<thead><tr><th>#</th>{head}</tr></thead>\n<tbody>\n{rows}</tbody>\n</table>"
    )


def _person_row(problem: Problem, rank: int, person: Person, counts: Sequence[int]) -> str:
    return (
        f'<tr><td class="num">{rank}</td><td>{_e(person.name)}</td>'
        f"<td>{_e(person.id)}</td><td>{_e(problem.units[person.unit].name)}</td>"
        f'<td>{_e(person.site or "")}</td><td class="num">{counts[person.index]}</td>'
        f'<td class="num">{problem.available_wfa_days(person.index)}</td></tr>\n'
    )


_FRAGILE_ROWS = 30  # rules listed as not resilient; the rest are counted


def _resilience_section(problem: Problem, evaluation: Evaluation, t: _Text) -> str:
    """N-1 per rule and day, the rules and days one absence would break, and who stands by."""
    figures = evaluation.resilience
    held = sum(figure.resilient for figure in figures)
    parts = [
        f'<p class="caption">'
        f"{_e(t('n1_caption', held=t.integer(held), total=t.integer(len(figures))))}</p>"
    ]
    fragile: dict[tuple[str, str], list[str]] = {}
    for figure in figures:
        if not figure.resilient:
            fragile.setdefault((figure.unit, figure.requirement), []).append(figure.date)
    if fragile:
        shown = list(fragile.items())[:_FRAGILE_ROWS]
        rows = "".join(
            f"<tr><td>{_e(rule)}</td><td>{_e(unit)}</td><td>{_e(', '.join(days))}</td></tr>\n"
            for (unit, rule), days in shown
        )
        more = len(fragile) - len(shown)
        note = f'<p class="caption">{_e(t("more_rules", n=more))}</p>' if more else ""
        parts.append(
            f"<h3>{_e(t('fragile'))}</h3>\n<table>\n<thead><tr><th>{_e(t('rule'))}</th>"
            f"<th>{_e(t('unit'))}</th><th>{_e(t('dates'))}</th></tr></thead>\n"
            f"<tbody>\n{rows}</tbody>\n</table>{note}"
        )
    if evaluation.standby:
        parts.append(_standby_table(problem, evaluation, t))
    return "\n".join(parts)


def _standby_table(problem: Problem, evaluation: Evaluation, t: _Text) -> str:
    rows = []
    for figure in evaluation.standby:
        for staff_id in figure.staff:
            person = problem.people[problem.person_index[staff_id]]
            rows.append(
                f"<tr><td>{_e(figure.requirement)}</td><td>{_e(figure.date)}</td>"
                f"<td>{_e(person.name)}</td><td>{_e(person.id)}</td>"
                f"<td>{_e(person.phone or '')}</td></tr>\n"
            )
    head = "".join(f"<th>{_e(t(key))}</th>" for key in ("rule", "date", "name", "id", "phone"))
    return (
        f"<h3>{_e(t('standby_title'))}</h3>\n<table>\n<thead><tr>{head}</tr></thead>\n"
        f"<tbody>\n{''.join(rows)}</tbody>\n</table>"
    )


# --- the page --------------------------------------------------------------------------


def render_html(
    problem: Problem,
    roster: Roster,
    evaluation: Evaluation,
    scenario_settings: dict[str, Any] | None = None,
    lang: str = "id",
) -> str:
    """The whole page as text (write_html writes it; tests read it)."""
    t = _Text(check_language(lang))
    counts = _wfa_counts(roster)
    sections = [
        ("coverage", t("coverage"), _coverage_section(problem, evaluation, t)),
        ("wfa-share", t("wfa_share"), _share_section(problem, evaluation, t)),
        (
            "wfa-distribution",
            t("distribution"),
            _distribution_section(problem, evaluation, counts, t),
        ),
        ("fewest-wfa", t("fewest"), _fewest_section(problem, counts, t)),
        ("resilience", t("resilience"), _resilience_section(problem, evaluation, t)),
        (
            "settings",
            t("settings"),
            _settings_section(problem, evaluation, scenario_settings or {}, t),
        ),
    ]
    nav = " ".join(f'<a href="#{key}">{_e(title)}</a>' for key, title, _ in sections)
    body = "\n".join(_section(key, title, content) for key, title, content in sections)
    return f"""<!DOCTYPE html>
<html lang="{t.lang}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(t("title"))} — {_e(problem.name)}</title>
<style>{CSS}</style>
</head>
<body>
<header>
<h1>{_e(t("title"))}</h1>
<p class="sub">{_e(problem.name)}</p>
<nav>{_e(t("nav"))}: {nav}</nav>
</header>
{body}
<footer>{_e(t("footer"))}</footer>
<script>{SCRIPT}</script>
</body>
</html>
"""


def write_html(
    path: Path,
    problem: Problem,
    roster: Roster,
    evaluation: Evaluation,
    scenario_settings: dict[str, Any] | None = None,
    lang: str = "id",
) -> None:
    """Write the report to `path`, whole or not at all."""
    page = render_html(problem, roster, evaluation, scenario_settings, lang)
    write_atomic(Path(path), page.encode("utf-8"))
