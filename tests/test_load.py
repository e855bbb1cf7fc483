"""Loading scenario files: formats, `extends`, staff/requests tables, and invalid input."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import NamedTuple

import openpyxl
import pytest

from models import load
from models.errors import InputIssue, InvalidInput, Location
from models.load import LoadedScenario, load_scenario
from models.validate import cross_check

DATA = Path(__file__).parent / "data"
BAD = DATA / "bad"
SCENARIO_SUFFIXES = {".yaml", ".yml", ".json", ".toml"}


def issues_of(path: Path) -> tuple[InputIssue, ...]:
    with pytest.raises(InvalidInput) as caught:
        load_scenario(path)
    return caught.value.issues


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def extending_tiny(folder: Path, text: str, name: str = "scenario.yaml") -> Path:
    """A scenario in `folder` that extends tests/data/tiny.yaml (by absolute path)."""
    return write(folder / name, f"extends: {DATA / 'tiny.yaml'}\n{text}")


# --- formats ---------------------------------------------------------------------------------


def test_yaml_json_and_toml_versions_load_equal() -> None:
    yaml, json, toml = (load_scenario(DATA / f"tiny.{ext}") for ext in ("yaml", "json", "toml"))
    assert yaml.scenario == json.scenario == toml.scenario
    assert yaml.scenario.shifts["kantor"].start == "07:30"  # TOML 07:30:00 is a time object


def test_yaml_is_read_as_yaml_1_2() -> None:
    scenario = load_scenario(DATA / "tiny.yaml").scenario
    budi, citra = scenario.staff[1], scenario.staff[2]
    assert budi.site == "off"  # YAML 1.1 would make it False
    assert citra.wfa_eligible is False  # `no` is text, read as a boolean word by the model
    assert scenario.shifts["jaga"].start == "08:00"  # unquoted 08:00 is text, not 480


def test_locations_point_at_the_line_in_each_format() -> None:
    # coverage[1].min_share: tiny.yaml line 34, tiny.json line 39 (the rule's `{`),
    # tiny.toml line 86 (`min_share = 0.5` under the second [[coverage]]).
    path = ("coverage", 1, "min_share")
    lines = {
        ext: load_scenario(DATA / f"tiny.{ext}").locate(path).line
        for ext in ("yaml", "json", "toml")
    }
    assert lines == {"yaml": 34, "json": 39, "toml": 86}
    where = load_scenario(DATA / "tiny.yaml").locate(path)
    assert where == Location(str(DATA / "tiny.yaml"), 34, "coverage[1].min_share")


def test_leading_zeros_of_an_unquoted_yaml_id_are_kept(tmp_path: Path) -> None:
    path = extending_tiny(
        tmp_path,
        "staff:\n"
        "  - {id: 0042, name: Ani, unit: dukcapil, history: 03}\n"
        "  - {id: 196804111993031009, name: Budi, unit: dukcapil}\n"
        "requests: []\npins: []\n",
    )
    staff = load_scenario(path).scenario.staff
    assert [p.id for p in staff] == ["0042", "196804111993031009"]
    assert staff[0].history == 3


def test_duplicate_keys_are_refused_in_yaml_and_json(tmp_path: Path) -> None:
    yaml_issues = issues_of(write(tmp_path / "a.yaml", "version: 1\nname: a\nname: b\n"))
    assert yaml_issues[0].line == 3 and "duplicate key" in yaml_issues[0].message
    json_issues = issues_of(write(tmp_path / "a.json", '{\n"version": 1,\n"version": 1}\n'))
    assert "duplicate key 'version'" in json_issues[0].message


def test_yaml_aliases_are_read_once_and_their_expansion_is_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = extending_tiny(
        tmp_path, "shifts:\n  pagi: &day {start: '07:00', end: '14:00'}\n  siang: *day\n"
    )
    assert load_scenario(path).scenario.shifts["siang"].end == "14:00"
    rows = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    rows += [
        f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]" for p, c in zip("abcd", "bcde", strict=True)
    ]
    monkeypatch.setattr(load, "MAX_VALUES", 50_000)  # e expands to 100,000 values
    [issue] = issues_of(write(tmp_path / "bomb.yaml", "\n".join(rows) + "\n"))
    assert "more than 50,000 values" in issue.message


def test_unknown_extension_and_missing_file(tmp_path: Path) -> None:
    [issue] = issues_of(write(tmp_path / "scenario.ini", "version = 1\n"))
    assert "scenario file is .yaml, .yml, .json or .toml" in issue.message
    [issue] = issues_of(tmp_path / "absent.yaml")
    assert issue.file == str(tmp_path / "absent.yaml") and "file not found" in issue.message


def test_a_union_type_error_says_what_was_expected(tmp_path: Path) -> None:
    path = extending_tiny(tmp_path, "coverage:\n  - {id: damkar-jaga, unit: 5}\n")
    [issue] = issues_of(path)
    assert (issue.field, issue.line) == ("coverage[0].unit", 3)
    assert issue.message == "expected text or a list, got 5"


# --- extends ---------------------------------------------------------------------------------


def test_extends_merges_maps_and_coverage_by_id() -> None:
    loaded = load_scenario(DATA / "variants" / "child.yaml")
    scenario = loaded.scenario
    # damkar-jaga updated (min 1 -> 2, rest kept), dukcapil-loket removed, all-kantor appended
    assert [r.id for r in scenario.coverage] == ["damkar-jaga", "dukcapil-wfa", "all-kantor"]
    jaga = scenario.coverage[0]
    assert (jaga.unit, jaga.shift, jaga.days, jaga.min) == ("damkar", "jaga", "all", 2)
    # maps merge key by key, lists replace
    assert scenario.units["damkar"].rules.min_rest_hours == 48
    assert scenario.units["damkar"].rules.max_consecutive_onsite_days == 3
    assert scenario.units["damkar"].shifts == ("jaga",)
    assert scenario.calendar.wfa_days == (date(2025, 12, 29), date(2025, 12, 30))
    assert len(scenario.calendar.holidays) == 2
    assert scenario.name == "tiny, first WFA days only"


def test_relative_paths_resolve_against_the_file_that_states_them() -> None:
    loaded = load_scenario(DATA / "variants" / "child.yaml")
    # the child, one folder down, finds the base's staff file beside the base
    assert loaded.files == (
        DATA / "base.yaml",
        DATA / "variants" / "child.yaml",
        DATA / "tiny-staff.csv",
        DATA / "tiny-requests.csv",
    )
    assert len(loaded.scenario.staff) == 5


def test_merged_values_keep_the_line_of_the_file_that_wrote_them() -> None:
    locate = load_scenario(DATA / "variants" / "child.yaml").locate
    child, base = str(DATA / "variants" / "child.yaml"), str(DATA / "base.yaml")
    assert locate(("coverage", 0, "min")) == Location(child, 10, "coverage[0].min")
    assert locate(("coverage", 0, "shift")) == Location(base, 17, "coverage[0].shift")
    assert locate(("coverage", 2, "days")) == Location(child, 12, "coverage[2].days")
    rules = ("units", "damkar", "rules")
    assert locate((*rules, "min_rest_hours")).file == base
    assert locate((*rules, "max_consecutive_onsite_days")).file == child


def test_extends_chain_deeper_than_the_limit_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "f0.yaml", (DATA / "tiny.yaml").read_text(encoding="utf-8"))
    for k in range(1, load.MAX_EXTENDS + 2):
        write(tmp_path / f"f{k}.yaml", f"extends: f{k - 1}.yaml\n")
    load_scenario(tmp_path / f"f{load.MAX_EXTENDS}.yaml")  # 16 steps: fine
    [issue] = issues_of(tmp_path / f"f{load.MAX_EXTENDS + 1}.yaml")
    assert "deeper than 16" in issue.message and issue.field == "extends"


# --- staff and requests tables -----------------------------------------------------------------


def test_staff_csv_with_bom_and_semicolons_keeps_ids_as_text() -> None:
    loaded = load_scenario(DATA / "base.yaml")
    staff = loaded.scenario.staff
    assert [p.id for p in staff][:2] == ["196804111993031009", "00123"]
    assert staff[0].extra == {"jabatan": "Kepala Seksi"}  # extra columns are kept
    assert staff[0].phone == "0812-1111"  # not a phone number piket can read: kept, warned
    assert [w.field for w in loaded.warnings] == ["phone"]
    assert staff[1].skills == ("loket", "ketua-tim")
    assert staff[2].wfa_eligible is False and staff[2].history == 1
    # a blank line (5) is skipped; Dedi is on line 6, named by column
    csv_file = str(DATA / "tiny-staff.csv")
    assert loaded.locate(("staff", 3, "leave")) == Location(csv_file, 6, "leave")


def test_requests_csv() -> None:
    requests = load_scenario(DATA / "base.yaml").scenario.requests
    assert [(r.staff, r.want, r.shift, r.weight) for r in requests] == [
        ("196804111993031009", "wfa", None, 3),
        ("00123", "onsite", "kantor", 1),
    ]


def xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


STAFF_HEADER = ["ID", "name", "unit", "wfa_eligible", "history", "leave"]


def test_xlsx_staff(tmp_path: Path) -> None:
    xlsx(
        tmp_path / "staff.xlsx",
        [
            STAFF_HEADER,
            ["196804111993031009", "Ani", "dukcapil", None, 2, None],
            [1234, "Budi", "dukcapil", False, None, date(2025, 12, 29)],
            [None, None, None, None, None, None],
            ["197502022000031004", "Dedi", "damkar", "yes", 0, "2025-12-22..2025-12-23"],
        ],
    )
    path = extending_tiny(tmp_path, "staff: staff.xlsx\nrequests: []\npins: []\n")
    staff = load_scenario(path).scenario.staff
    assert [p.id for p in staff] == ["196804111993031009", "1234", "197502022000031004"]
    assert staff[0].history == 2
    assert staff[1].wfa_eligible is False and staff[1].leave == ("2025-12-29",)
    assert staff[2].wfa_eligible is True


def test_xlsx_id_stored_as_a_long_number_is_refused(tmp_path: Path) -> None:
    xlsx(
        tmp_path / "staff.xlsx",
        [
            STAFF_HEADER,
            ["196804111993031009", "Ani", "dukcapil"],
            [198001012005011002, "Budi", "dukcapil"],  # saved as 1.98001012005011e+17
        ],
    )
    path = extending_tiny(tmp_path, "staff: staff.xlsx\nrequests: []\npins: []\n")
    [issue] = issues_of(path)
    assert (issue.file, issue.line, issue.field) == (str(tmp_path / "staff.xlsx"), 3, "id")
    assert "already lost its last digits" in issue.message


def test_staff_count_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "MAX_STAFF", 4)
    [issue] = issues_of(DATA / "base.yaml")
    assert issue.file == str(DATA / "tiny-staff.csv") and "at most 4" in issue.message


def test_file_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "MAX_FILE_BYTES", 300)
    issues = issues_of(DATA / "base.yaml")
    assert "an input file is at most" in issues[0].message


# --- invalid input: one file per fault ---------------------------------------------------------


class Expected(NamedTuple):
    fragment: str  # in the message
    field: str
    line: int | None
    file: str | None = None  # the file the issue names, if not the scenario itself


BAD_CASES = {
    "unknown-top-key.yaml": Expected("did you mean 'fairness'?", "fairnes", 2),
    "unknown-rule-key.yaml": Expected(
        "did you mean 'min_rest_hours'?", "units.damkar.rules.min_rest_hour", 4
    ),
    "unknown-unit-in-staff.yaml": Expected("unknown unit 'dukcapl'", "staff[1].unit", 4),
    "unknown-shift-in-coverage.yaml": Expected("unknown shift 'malam'", "coverage[2].shift", 3),
    "unit-unknown-shift.toml": Expected("unknown shift 'malem'", "units.damkar.shifts[1]", 4),
    "unit-lacks-shift.yaml": Expected("does not work shift 'kantor'", "coverage[2].shift", 3),
    "duplicate-staff-id.yaml": Expected(
        "duplicate id '196804111993031009' (also at line 2)", "id", 4, "duplicate-staff-id.csv"
    ),
    "pin-outside-horizon.yaml": Expected("outside the horizon", "pins[0].date", 3),
    "wfa-on-saturday.yaml": Expected("2025-12-27 (Saturday, weekend)", "calendar.wfa_days[1]", 3),
    "wfa-on-holiday.json": Expected(
        "2025-12-25 (holiday: Hari Raya Natal)", "calendar.wfa_days[1]", 4
    ),
    "shift-ends-25.toml": Expected("'25:00' is not a time of day", "shifts.kantor.end", 5),
    "shift-starts-24.yaml": Expected("allowed as an end only", "shifts.jaga.start", 3),
    "min-share-above-one.yaml": Expected(
        "less than or equal to 1 (got 1.5)", "coverage[1].min_share", 3
    ),
    "negative-min.yaml": Expected("greater than or equal to 0 (got -1)", "coverage[0].min", 3),
    "wrong-type-min.yaml": Expected("valid integer", "coverage[0].min", 3),
    "scientific-nip.yaml": Expected("scientific notation", "id", 3, "scientific-nip.csv"),
    "missing-name.yaml": Expected("required", "staff[1].name", 4),
    "missing-column.yaml": Expected("missing column 'id'", "id", 1, "missing-column.csv"),
    "cycle-a.yaml": Expected("extends cycle", "extends", 2, "cycle-b.yaml"),
    "cycle-b.yaml": Expected("extends cycle", "extends", 1, "cycle-a.yaml"),
    "missing-base.yaml": Expected("nowhere.yaml: file not found", "extends", 2),
    "missing-staff-file.yaml": Expected("nobody.csv: file not found", "staff", 2),
    "request-shift-with-wfa.yaml": Expected("only with want: onsite", "requests[0].shift", 3),
    "request-unknown-staff.yaml": Expected("no staff member has id", "requests[1].staff", 4),
    "bad-day-selector.yaml": Expected("'weekdays' is not a day selector", "coverage[0].days", 3),
    "coverage-day-outside-horizon.yaml": Expected(
        "includes 2026-01-05, outside the horizon", "coverage[0].days", 3
    ),
    "rule-asks-nothing.yaml": Expected(
        "give min, min_share, max, target or standby", "coverage[2]", 3
    ),
    "remove-unknown-rule.yaml": Expected(
        "no coverage rule with id 'damkar-malam'", "coverage[2].remove", 4
    ),
    "bad-boolean.yaml": Expected("expected true/false", "staff[0].wfa_eligible", 3),
    "bad-leave.yaml": Expected("'2025-12-32' is not an ISO date", "staff[0].leave", 3),
    "horizon-too-long.yaml": Expected("at most 366 days", "horizon", 2),
    "wrong-version.json": Expected("Input should be 1 (got 2)", "version", 1),
    "custom-tag.yaml": Expected("YAML tag !!python/object/apply:os.system is not allowed", "", 2),
    "standby-not-on-wfa-days.yaml": Expected("not wfa_days: 2025-12-22", "coverage[2].standby", 3),
    "standby-weight-above-one.yaml": Expected(
        "less than or equal to 1 (got 1.5)", "fairness.standby_weight", 3
    ),
    "broken-syntax.yaml": Expected("YAML syntax", "", 4),
    "broken-syntax.json": Expected("JSON syntax", "", 4),
    "broken-syntax.toml": Expected("TOML syntax", "", 3),
}


@pytest.mark.parametrize("name", sorted(BAD_CASES))
def test_bad_input_is_reported_with_file_line_and_field(name: str) -> None:
    expected = BAD_CASES[name]
    [issue] = issues_of(BAD / name)  # exactly one: no follow-on noise
    assert expected.fragment in issue.message
    assert issue.field == expected.field
    assert issue.line == expected.line
    assert Path(issue.file) == BAD / (expected.file or name)


# --- accepted with a warning: extra staff columns are kept as written (the format) --------------

WARN = DATA / "warn"
WARNING_CASES = {
    "bad-phone.yaml": Expected(
        "'12-345' is not an Indonesian phone number", "phone", 3, "bad-phone.csv"
    ),
    "superior-unknown.yaml": Expected(
        "no staff member has id '196804111993031099'", "staff[1].superior", 4
    ),
    "superior-self.yaml": Expected(
        "names this person as their own superior", "superior", 3, "superior-self.csv"
    ),
}


@pytest.mark.parametrize("name", sorted(WARNING_CASES))
def test_contacts_piket_cannot_use_are_kept_with_a_warning(name: str) -> None:
    expected = WARNING_CASES[name]
    loaded = load_scenario(WARN / name)
    [warning] = loaded.warnings
    assert expected.fragment in warning.message
    assert warning.field == expected.field
    assert warning.line == expected.line
    assert Path(warning.file) == WARN / (expected.file or name)


def test_an_unreadable_phone_is_kept_as_written() -> None:
    staff = load_scenario(WARN / "bad-phone.yaml").scenario.staff
    assert "12-345" in {person.phone for person in staff}


def test_every_bad_file_has_an_expectation() -> None:
    scenario_files = {p.name for p in BAD.iterdir() if p.suffix in SCENARIO_SUFFIXES}
    assert scenario_files - {"several-issues.yaml"} == set(BAD_CASES)


def test_several_issues_in_one_file_are_all_reported_together() -> None:
    issues = issues_of(BAD / "several-issues.yaml")
    found = [(i.line, i.field, i.message) for i in issues]
    assert found == [
        (2, "solvr", "unknown key 'solvr'; did you mean 'solver'?"),
        (5, "staff[1].unit", "unknown unit 'capil'; did you mean 'dukcapil'?"),
        (
            7,
            "coverage[0].min",
            "Input should be a valid integer, unable to parse string as an integer (got 'many')",
        ),
        (9, "pins[0].date", "2026-02-02 is outside the horizon 2025-12-22..2026-01-04"),
    ]
    text = str(InvalidInput(issues))
    assert text.count("\n") == 3 and text.startswith(f"{BAD / 'several-issues.yaml'}:2: solvr: ")


# --- the API the rest of the project uses ----------------------------------------------------


def test_issue_text() -> None:
    assert str(InputIssue("a.yaml", 3, "pins[0].date", "bad")) == "a.yaml:3: pins[0].date: bad"
    assert str(InputIssue("a.yaml", None, "", "not found")) == "a.yaml: not found"


def test_input_sha256_covers_every_file_and_its_name(tmp_path: Path) -> None:
    for name in ("base.yaml", "tiny-staff.csv", "tiny-requests.csv"):
        write(tmp_path / name, (DATA / name).read_text(encoding="utf-8-sig"))
    first = load_scenario(tmp_path / "base.yaml")
    assert first.input_sha256 == load_scenario(tmp_path / "base.yaml").input_sha256
    staff = tmp_path / "tiny-staff.csv"
    write(staff, staff.read_text(encoding="utf-8").replace("Budi", "Budi S."))
    assert load_scenario(tmp_path / "base.yaml").input_sha256 != first.input_sha256
    (tmp_path / "tiny-staff.csv").rename(tmp_path / "people.csv")
    base = tmp_path / "base.yaml"
    write(base, base.read_text(encoding="utf-8").replace("tiny-staff.csv", "people.csv"))
    renamed = load_scenario(base)
    assert renamed.files[1] == tmp_path / "people.csv"
    assert renamed.input_sha256 != first.input_sha256


def test_input_sha256_tells_which_file_holds_which_bytes() -> None:
    top, staff = Path("s.yaml"), Path("staff.csv")
    one = load._input_sha256(top, [(top, b"ab"), (staff, b"c")])
    assert one != load._input_sha256(top, [(top, b"a"), (staff, b"bc")])
    assert one != load._input_sha256(top, [(top, b"ab"), (Path("people.csv"), b"c")])


def test_later_faults_can_be_located(tmp_path: Path) -> None:
    loaded: LoadedScenario = load_scenario(DATA / "tiny.yaml")
    issue = loaded.locate(("pins", 0, "date")).issue("on a leave day")
    assert str(issue) == f"{DATA / 'tiny.yaml'}:40: pins[0].date: on a leave day"
    assert cross_check(loaded.scenario, loaded.locate) == []
