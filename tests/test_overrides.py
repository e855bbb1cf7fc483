"""`--set PATH=VALUE` overrides (models.overrides): applied to the scenario as written, before
validation, so that every fault still names its field; and `--vary` sweeps."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from models.errors import InvalidInput
from models.load import load_scenario
from models.output import summary
from models.overrides import vary_overrides
from models.problem import Problem
from models.result import Result, SolverInfo

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny.yaml"


def issues(*overrides: str, path: Path = TINY) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        load_scenario(path, overrides)
    return [str(issue) for issue in caught.value.issues]


def test_each_path_form_sets_its_value() -> None:
    scenario = load_scenario(
        TINY,
        [
            "coverage[dukcapil-wfa].min_share=0.7",  # a list entry by its id
            "coverage[0].min=2",  # a list entry by index
            "units[damkar].rules.min_rest_hours=24",  # a mapping entry, then keys
            "solver.time_limit_s=3",  # plain keys
            "rules.max_onsite_days=10",  # a key the file does not state yet
            "staff[198001012005011002].wfa_eligible=false",  # a person by id (NIP)
            "calendar.wfa_days=[2025-12-30..2025-12-31]",  # a YAML flow list
            "calendar.holidays.2025-12-24=Libur",  # a key that is a date
        ],
    ).scenario
    assert scenario.coverage[1].min_share == Decimal("0.7")  # exactly, not a binary float
    assert scenario.coverage[0].min == 2
    assert scenario.units["damkar"].rules.min_rest_hours == 24
    assert scenario.solver.time_limit_s == 3
    assert scenario.rules.max_onsite_days == 10
    assert scenario.staff[1].wfa_eligible is False
    assert scenario.calendar.wfa_days == ("2025-12-30..2025-12-31",)
    assert scenario.calendar.holidays[date(2025, 12, 24)] == "Libur"
    assert scenario.calendar.holidays[date(2025, 12, 25)] == "Hari Raya Natal"  # kept


def test_values_are_read_as_yaml_1_2_like_the_file() -> None:
    overrides = ["shifts.kantor.start=08:00", "staff[199001012015011003].site=off"]
    scenario = load_scenario(TINY, overrides).scenario
    assert scenario.shifts["kantor"].start == "08:00"  # a time of day, not 480 minutes
    assert scenario.staff[2].site == "off"  # YAML 1.2: text, not False
    assert load_scenario(TINY, ["name=0042"]).scenario.name == "0042"  # leading zeros kept


def test_a_later_override_of_the_same_path_wins() -> None:
    scenario = load_scenario(TINY, ["solver.seed=1", "solver.seed=2"]).scenario
    assert scenario.solver.seed == 2


def test_input_sha256_follows_the_overrides() -> None:
    plain = load_scenario(TINY).input_sha256
    low = load_scenario(TINY, ["coverage[dukcapil-wfa].min_share=0.3"]).input_sha256
    high = load_scenario(TINY, ["coverage[dukcapil-wfa].min_share=0.7"]).input_sha256
    assert len({plain, low, high}) == 3
    assert load_scenario(TINY, ["coverage[dukcapil-wfa].min_share=0.3"]).input_sha256 == low
    assert load_scenario(TINY, []).input_sha256 == plain  # no override: the hash as before


def test_an_unknown_entry_is_named_with_what_exists() -> None:
    assert issues("coverage[dukcapil-wf].min_share=0.3") == [
        "--set coverage[dukcapil-wf].min_share=0.3: coverage[dukcapil-wf]: no entry with id "
        "'dukcapil-wf' in coverage; did you mean 'dukcapil-wfa'? (there: damkar-jaga, dukcapil-wfa)"
    ]
    assert issues("units[dukcpil].wfa=true") == [
        "--set units[dukcpil].wfa=true: units[dukcpil]: no key 'dukcpil' in units; "
        "did you mean 'dukcapil'? (there: damkar, dukcapil)"
    ]
    (message,) = issues("pins[3].date=2025-12-30")
    assert "pins has 1 entry, without ids" in message


def test_a_misspelt_key_is_caught_by_validation_at_the_override() -> None:
    assert issues("solver.time_limt_s=5") == [
        "--set solver.time_limt_s=5: solver.time_limt_s: unknown key 'time_limt_s'; "
        "did you mean 'time_limit_s'?"
    ]


def test_a_bad_value_is_reported_at_the_override_with_its_field() -> None:
    assert issues("coverage[dukcapil-wfa].min_share=2") == [
        "--set coverage[dukcapil-wfa].min_share=2: coverage[1].min_share: "
        "Input should be less than or equal to 1 (got 2)"
    ]


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("coverage.min=3", "coverage.min: a list: select an entry by id or index"),
        ("name.short=x", "name.short: name holds the value 'tiny', not keys"),
        ("extends=other.yaml", "`extends` is resolved before overrides apply"),
        ("solver", "expected PATH=VALUE, got 'solver'"),
        ("=3", "expected PATH=VALUE"),
        ("solver..seed=1", "cannot read the path at '..seed'"),
        ("solver.seed=[1", "YAML syntax"),
    ],
)
def test_malformed_overrides_say_what_is_wrong(override: str, expected: str) -> None:
    (message,) = issues(override)
    assert message.startswith(f"--set {override}: ")
    assert expected in message


def test_every_fault_is_reported_together_with_those_of_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(f"extends: {TINY}\nsolvr: {{seed: 1}}\n")
    found = issues("coverage[nope].min=1", "solver.seed=-1", path=broken)
    assert len(found) == 3
    assert found[0].startswith(f"{broken}:2: solvr: unknown key")  # the file's own fault first
    assert any("coverage[nope]" in issue for issue in found)
    assert any(issue.startswith("--set solver.seed=-1: solver.seed:") for issue in found)


def test_values_shared_by_a_yaml_alias_are_not_changed_through_it(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text(
        "version: 1\n"
        "name: aliases\n"
        "horizon: {start: 2025-12-29, end: 2025-12-31}\n"
        "shifts: {kantor: {start: '07:30', end: '16:00'}}\n"
        "units:\n"
        "  a: {shifts: [kantor], rules: &rules {min_rest_hours: 11}}\n"
        "  b: {shifts: [kantor], rules: *rules}\n"
        "staff: [{id: '1', name: Ani, unit: a}]\n"
    )
    units = load_scenario(path, ["units[a].rules.min_rest_hours=5"]).scenario.units
    assert (units["a"].rules.min_rest_hours, units["b"].rules.min_rest_hours) == (5, 11)


def test_overrides_reach_staff_read_from_a_table() -> None:
    # base.yaml takes its staff from tiny-staff.csv; Ani is its first row.
    plain = load_scenario(DATA / "base.yaml").scenario.staff
    staff = load_scenario(
        DATA / "base.yaml", ["staff[196804111993031009].history=4"]
    ).scenario.staff
    assert (plain[0].history, staff[0].history) == (0, 4)
    assert staff[1:] == plain[1:]


def test_a_bad_value_in_a_table_row_is_placed_at_the_override() -> None:
    (message,) = issues("staff[196804111993031009].history=-1", path=DATA / "base.yaml")
    # Inside a table row a field is named by its column, as for a fault in the file.
    assert message == (
        "--set staff[196804111993031009].history=-1: history: "
        "Input should be greater than or equal to 0 (got -1)"
    )


def test_the_summary_records_the_overrides() -> None:
    loaded = load_scenario(TINY, ["solver.seed=7"])
    problem = Problem(loaded.scenario)
    result = Result("infeasible", None, None, None, 0.0, SolverInfo("cp-sat", "x", 7, 1))
    data = summary(result, problem, loaded)
    assert data["overrides"] == ["solver.seed=7"]
    json.dumps(data)  # stays JSON


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("solver.seed=1,2,3", ("solver.seed=1", "solver.seed=2", "solver.seed=3")),
        (
            "calendar.wfa_days=[2025-12-29..2025-12-31],[2025-12-30, 2025-12-31]",
            (
                "calendar.wfa_days=[2025-12-29..2025-12-31]",
                "calendar.wfa_days=[2025-12-30, 2025-12-31]",
            ),
        ),
        ("name='a, b',c", ("name='a, b'", "name=c")),
    ],
)
def test_vary_gives_one_override_per_value(text: str, expected: tuple[str, ...]) -> None:
    assert vary_overrides(text) == expected


def test_vary_refuses_an_empty_value() -> None:
    with pytest.raises(InvalidInput) as caught:
        vary_overrides("solver.seed=1,,2")
    assert (
        str(caught.value)
        == "--vary solver.seed=1,,2: solver.seed: expected PATH=V1,V2,...: a value is empty"
    )
