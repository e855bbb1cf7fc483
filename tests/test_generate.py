"""`piket generate`: deterministic by seed, exact sizes, valid files, feasible by construction;
and the decomposed solve (identical parts solved once) against one monolithic model."""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main
from models.errors import InvalidInput
from models.load import load_scenario
from models.problem import Problem
from models.scenario import Scenario
from models.synthetic.generate import GeneratorSettings, generate
from optimizer.solve import SolveSettings, partition, solve
from tests.conftest import BASE, people


def test_the_same_seed_writes_the_same_files_and_another_seed_does_not(tmp_path: Path) -> None:
    first = generate(GeneratorSettings(staff=300, units=6, seed=7)).write(tmp_path / "a")
    again = generate(GeneratorSettings(staff=300, units=6, seed=7)).write(tmp_path / "b")
    other = generate(GeneratorSettings(staff=300, units=6, seed=8)).write(tmp_path / "c")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]
    assert first[1].read_bytes() != other[1].read_bytes()


@settings(max_examples=25, deadline=None)
@given(units=st.integers(1, 60), extra=st.integers(0, 4000), seed=st.integers(0, 10**6))
def test_sizes_add_up_and_ids_are_nips(units: int, extra: int, seed: int) -> None:
    smallest = _smallest_accepted(units)
    city = generate(GeneratorSettings(staff=smallest + extra, units=units, seed=seed))
    assert len(city.staff) == smallest + extra
    assert len(city.document["units"]) == units
    ids = [person["id"] for person in city.staff]
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 18 and i.isdigit() for i in ids)
    by_unit = Counter(person["unit"] for person in city.staff)
    for unit_id, entry in city.document["units"].items():
        if entry["shifts"] == ["jaga"]:
            assert by_unit[unit_id] % 18 == 0  # whole fire posts
        if entry["shifts"] == ["pagi", "siang", "malam"]:
            assert by_unit[unit_id] % 30 == 0  # whole wards


def _smallest_accepted(units: int) -> int:
    """The least staff the generator accepts for `units`, read from its own refusal."""
    with pytest.raises(InvalidInput) as refused:
        generate(GeneratorSettings(staff=1, units=units))
    return int(refused.value.issues[0].message.split()[3])


def test_the_files_load_as_a_scenario_with_ids_kept_as_text(tmp_path: Path) -> None:
    scenario_path, staff_path = generate(GeneratorSettings(staff=500, units=10)).write(tmp_path)
    loaded = load_scenario(scenario_path)
    assert len(loaded.scenario.staff) == 500
    assert loaded.scenario.staff[0].id == staff_path.read_text().splitlines()[1].split(",")[0]
    kinds = {unit.shifts for unit in loaded.scenario.units.values()}
    assert kinds == {("jaga",), ("pagi", "siang", "malam"), ("kantor",)}
    assert [str(d) for d in loaded.scenario.calendar.wfa_days] == [
        "2025-12-29",
        "2025-12-30",
        "2025-12-31",
    ]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        (["--staff", "20", "--units", "10"], "--staff"),
        (["--staff", "500", "--wfa-days", "11"], "--wfa-days"),
    ],
)
def test_impossible_settings_are_refused_naming_the_option(
    tmp_path: Path, arguments: list[str], field: str
) -> None:
    outcome = CliRunner().invoke(main, ["generate", *arguments, "--out", str(tmp_path)])
    assert outcome.exit_code == 2
    assert field in outcome.output
    assert list(tmp_path.iterdir()) == []


def test_the_command_writes_a_scenario_piket_solves(tmp_path: Path) -> None:
    outcome = CliRunner().invoke(
        main, ["generate", "--staff", "120", "--units", "4", "--days", "7", "--out", str(tmp_path)]
    )
    assert outcome.exit_code == 0, outcome.output
    scenario = tmp_path / "synthetic-120-u4-d7-s0.yaml"
    solved = CliRunner().invoke(
        main, ["solve", str(scenario), "--out", str(tmp_path / "out"), "--json"]
    )
    assert solved.exit_code == 0, solved.output
    assert (tmp_path / "out" / "roster.csv").exists()


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(staff=st.integers(70, 110), days=st.integers(3, 6), seed=st.integers(0, 10**6))
def test_small_cities_are_feasible_and_the_monolithic_model_agrees(
    staff: int, days: int, seed: int
) -> None:
    city = generate(GeneratorSettings(staff=staff, units=4, days=days, wfa_days=1, seed=seed))
    data = {**city.document, "staff": city.staff}
    problem = Problem(Scenario.model_validate(data))
    decomposed = solve(problem, SolveSettings(time_limit_s=60))
    whole = solve(problem, SolveSettings(time_limit_s=60, monolithic=True))
    assert decomposed.status == whole.status == "optimal", decomposed.reasons
    assert decomposed.objective == whole.objective
    assert decomposed.evaluation is not None and decomposed.evaluation.valid


def test_identical_parts_get_the_same_optimum_as_one_model() -> None:
    """Two fire posts alike in everything but names: the second post reuses the first's
    optimum; the sum must equal the monolithic optimum and twice one post's."""
    jaga = {"schedule": "roster", "shifts": ["jaga"], "rules": {"min_rest_hours": 48}}
    posts = {"a": jaga, "b": jaga}
    staff = people(4, "a", history=1) + people(4, "b", history=1)
    rules = [{"unit": u, "shift": "jaga", "days": "all", "min": 1} for u in posts]
    data = copy.deepcopy(BASE) | {
        "horizon": {"start": "2025-12-22", "end": "2025-12-28"},
        "calendar": {"holidays": {"2025-12-25": "Natal"}, "wfa_days": []},
        "units": posts,
        "staff": staff,
        "coverage": rules,
    }
    problem = Problem(Scenario.model_validate(data))
    one_post = Problem(
        Scenario.model_validate(
            data | {"units": {"a": jaga}, "staff": staff[:4], "coverage": rules[:1]}
        )
    )
    assert len(partition(problem)) == 2
    decomposed = solve(problem, SolveSettings(time_limit_s=20))
    whole = solve(problem, SolveSettings(time_limit_s=20, monolithic=True))
    single = solve(one_post, SolveSettings(time_limit_s=20))
    assert decomposed.status == whole.status == single.status == "optimal"
    assert single.objective is not None and single.objective > 0
    assert decomposed.objective == whole.objective == 2 * single.objective
    assert decomposed.evaluation is not None and decomposed.evaluation.valid
