"""Comparing scenarios (jobs.compare): the figures of each solve, the side-by-side table and its
renderings, and `piket compare`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from jobs.batch import BatchSettings, JobResult, make_jobs, run_job
from jobs.compare import (
    Comparison,
    Row,
    build_comparison,
    cell_text,
    roster_differences,
    scenario_figures,
    to_csv,
    to_markdown,
)
from models.load import load_scenario
from models.output import summary
from models.problem import Problem
from optimizer.solve import SolveSettings, solve

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny.yaml"
SHARE = "coverage[dukcapil-wfa].min_share"


def figures_of(*overrides: str) -> dict:
    loaded = load_scenario(TINY, overrides)
    problem = Problem(loaded.scenario)
    result = solve(problem, SolveSettings.from_problem(problem, deterministic=True))
    return scenario_figures(problem, result, summary(result, problem, loaded))


def test_figures_of_the_tiny_scenario() -> None:
    figures = figures_of()
    # Dukcapil: Ani, Budi and Citra, none on leave on the three WFA days; Citra is not
    # WFA-eligible. min_share 0.5 of 3 -> 2 on site each day, so one WFA a day: 3
    # person-days of the 6 that Ani and Budi could have had (share 0.5), split 2 and 1
    # (mean 1.5, Jain 3² / (2 · (2² + 1²)) = 0.9). Damkar has no WFA at all.
    assert figures["wfa_person_days"] == 3
    assert figures["wfa_person_days_per_unit"] == {"dukcapil": 3}
    assert figures["wfa_share_per_unit"] == {"dukcapil": 0.5}
    assert figures["people_without_wfa"] == 0
    assert figures["fairness"] == {"dukcapil": {"min": 1, "max": 2, "mean": 1.5, "jain": 0.9}}
    # Both rules are met exactly every day they ask for someone: a margin of 0, on all
    # 14 days for the jaga (nobody is on site without a reason) and the 3 WFA days.
    assert figures["coverage_margin"]["damkar-jaga"]["margin"] == 0
    assert len(figures["coverage_margin"]["damkar-jaga"]["days"]) == 14
    assert figures["coverage_margin"]["dukcapil-wfa"] == {
        "margin": 0,
        "days": ["2025-12-29", "2025-12-30", "2025-12-31"],
    }
    assert figures["shortfalls"] == []


def test_people_without_wfa_and_margins_follow_the_rule() -> None:
    figures = figures_of(f"{SHARE}=1", "coverage[damkar-jaga].min=0")
    # Everyone on site on WFA days: Ani and Budi get none; the jaga asks for nobody.
    assert figures["people_without_wfa"] == 2
    assert figures["wfa_share_per_unit"] == {"dukcapil": 0.0}
    assert "damkar-jaga" not in figures["coverage_margin"]


def test_an_infeasible_scenario_shows_its_shortfalls() -> None:
    figures = figures_of("coverage[damkar-jaga].min=4")  # 3 damkar staff
    assert figures["wfa_person_days"] is None and figures["coverage_margin"] == {}
    assert len(figures["shortfalls"]) >= 1 and "damkar-jaga" in figures["shortfalls"][0]


def test_roster_differences_count_changed_and_missing_cells(tmp_path: Path) -> None:
    header = "staff_id,name,unit,site,date,status,shift\n"
    base = tmp_path / "base.csv"
    base.write_text(
        header + "1,A,u,,2025-12-29,onsite,kantor\n1,A,u,,2025-12-30,wfa,\n2,B,u,,2025-12-29,off,\n"
    )
    other = tmp_path / "other.csv"
    other.write_text(
        header
        + "1,A,u,,2025-12-29,onsite,pagi\n"  # another shift: differs
        + "1,A,u,,2025-12-30,wfa,\n"  # the same
        + "3,C,u,,2025-12-29,off,\n"  # B missing, C new: two cells
    )
    assert roster_differences(base, other) == 3
    assert roster_differences(base, base) == 0


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> list[JobResult]:
    """tiny at WFA-day on-site shares 0.5 (the baseline), 0.3 and 1, solved deterministically."""
    out = tmp_path_factory.mktemp("three")
    jobs = make_jobs([TINY], vary=[f"{SHARE}=0.5,0.3,1"])
    settings = BatchSettings(deterministic=True)
    results = []
    for job in jobs:
        record, reused = run_job(job, str(out), settings)
        results.append(JobResult(job, record, out / job.name, reused))
    return results


def test_the_table_measures_every_scenario_against_the_baseline(three: list[JobResult]) -> None:
    comparison = build_comparison(three, three[0].job.name)
    assert comparison.labels == ("tiny min_share=0.5", "tiny min_share=0.3", "tiny min_share=1")
    rows = {(row.figure, row.key): row.values for row in comparison.rows}
    assert rows[("status", "")] == ("optimal",) * 3
    assert rows[("WFA person-days", "")] == (3, 5, 0)  # ceil(0.3·3) = 1 on site: 2 WFA a day
    assert rows[("WFA share", "dukcapil")] == (0.5, 0.8333, 0.0)
    expected = [
        roster_differences(three[0].folder / "roster.csv", r.folder / "roster.csv") for r in three
    ]
    assert rows[("cells differing from baseline", "")] == tuple(expected)
    assert expected[0] == 0 and expected[2] >= 3  # at 1, the 3 WFA cells are on site
    # Both rules are met exactly (margin 0) in all three: their rows are left out, and
    # counted, though the Dukcapil rule's tightest days differ (0.3: two of the three).
    assert ("coverage margin", "damkar-jaga") not in rows
    assert ("coverage margin", "dukcapil-wfa") not in rows
    assert comparison.hidden == 2
    everything = build_comparison(three, three[0].job.name, all_rows=True)
    assert ("coverage margin", "damkar-jaga") in {(r.figure, r.key) for r in everything.rows}
    assert everything.hidden == 0


def test_csv_gives_one_number_per_cell(three: list[JobResult]) -> None:
    comparison = build_comparison(three, three[0].job.name, all_rows=True)
    table = list(csv.reader(io.StringIO(to_csv(comparison))))
    assert table[0] == ["figure", "key", *(r.job.label for r in three)]
    by_name = {(line[0], line[1]): line[2:] for line in table[1:]}
    assert by_name[("fairness jain", "dukcapil")] == ["0.9", "0.961538", "1.0"]
    assert by_name[("WFA share", "dukcapil")] == ["0.5", "0.8333", "0.0"]
    assert by_name[("tightest days", "dukcapil-wfa")][0] == "2025-12-29 2025-12-30 2025-12-31"


def test_markdown_is_a_table_for_a_memo() -> None:
    comparison = Comparison(
        labels=("a", "b"),
        baseline="a",
        rows=(
            Row("status", "", "text", ("optimal", "infeasible")),
            Row("shortfalls", "", "reasons", ([], ["x | y needs 3", "z", "w"])),
        ),
        hidden=2,
    )
    text = to_markdown(comparison)
    assert text.splitlines()[:5] == [
        "Baseline: a",
        "",
        "| figure | a | b |",
        "| --- | ---: | ---: |",
        "| status | optimal | infeasible |",
    ]
    assert "| shortfalls | — | x \\| y needs 3; z (+1 more) |" in text
    assert "- 2 per-unit/pool/rule row(s) equal in every scenario (margins: equal in size)" in text


def test_a_margin_row_is_the_same_when_its_size_is() -> None:
    days = ({"margin": 0, "days": ["2025-12-29"]}, {"margin": 0, "days": ["2025-12-30"]})
    assert Row("coverage margin", "r", "margin", days, detail=True).same_everywhere
    sizes = ({"margin": 0, "days": ["2025-12-29"]}, {"margin": 1, "days": ["2025-12-29"]})
    assert not Row("coverage margin", "r", "margin", sizes, detail=True).same_everywhere
    assert not Row("coverage margin", "r", "margin", (days[0], None), detail=True).same_everywhere


@pytest.mark.parametrize(
    ("kind", "value", "text"),
    [
        ("count", 1234567, "1,234,567"),
        ("count", None, "—"),
        ("share", 0.8333, "83.3%"),
        ("fairness", {"min": 1, "max": 3, "mean": 1.594, "jain": 0.8251}, "1–3 · 1.59 · 0.825"),
        (
            "margin",
            {"margin": 2, "days": ["2025-12-31", "2025-12-29", "2025-12-30", "2026-01-02"]},
            "+2 on 12-29..12-31, 01-02",
        ),
        (
            "margin",
            {"margin": 0, "days": [f"2025-12-{d}" for d in (20, 22, 24, 26, 28)]},
            "+0 on 12-20, 12-22, 12-24 +2 more",
        ),
    ],
)
def test_cell_text(kind: str, value: object, text: str) -> None:
    assert cell_text(kind, value) == text


# --- the command -------------------------------------------------------------------------------


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli.main, [str(a) for a in args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_compare_prints_markdown_then_reuses_the_solves_for_csv(tmp_path: Path) -> None:
    out = tmp_path / "out"
    variants = ("--vary", f"{SHARE}=0.5,1", "--out", out, "--deterministic")
    code, output = run("compare", TINY, *variants, "--markdown")
    assert code == 0, output
    assert "| figure | tiny min_share=0.5 | tiny min_share=1 |" in output
    assert "| WFA person-days | 3 | 0 |" in output
    assert "optimal in" in output  # progress lines: solved now
    code, output = run("compare", TINY, *variants, "--csv")
    assert code == 0
    assert "(reused)" in output
    assert "people with no WFA day,,0,2" in output


def test_compare_puts_the_baseline_first(tmp_path: Path) -> None:
    other = tmp_path / "short.yaml"
    other.write_text(f"extends: {TINY}\ncoverage:\n  - {{id: dukcapil-wfa, min_share: 1}}\n")
    code, output = run(
        "compare", TINY, other, "--baseline", other, "--out", tmp_path / "out", "--csv"
    )
    assert code == 0, output
    header = next(line for line in output.splitlines() if line.startswith("figure,"))
    assert header == "figure,key,short,tiny"
    assert "cells differing from baseline,,0," in output


def test_compare_refuses_bad_overrides_before_solving_anything(tmp_path: Path) -> None:
    code, output = run("compare", TINY, "--set", "coverage[dukcapil].min=1", "--out", tmp_path)
    assert code == 2
    assert "no entry with id 'dukcapil' in coverage; did you mean 'dukcapil-wfa'?" in output
    assert not list(tmp_path.iterdir())
    code, output = run("compare", TINY, "--csv", "--markdown")
    assert code == 2 and "choose one of --csv and --markdown" in output
