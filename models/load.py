"""Loading a scenario: YAML/JSON/TOML files, `extends`, staff and requests tables.

Every value read keeps where it was written in a `Spot` tree that mirrors the data and travels
with it through the `extends` merge, so any fault, found now or later, can name file, line and
field: `LoadedScenario.locate(("coverage", 2, "min")).issue("...")`.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import io
import json
import json.decoder
import json.scanner
import math
import os
import re
import tomllib
import zipfile
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, NamedTuple

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import BaseModel
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarbool import ScalarBoolean
from ruamel.yaml.scalarint import ScalarInt

from models.errors import FieldPath, InputIssue, InvalidInput, Location, format_path
from models.scenario import Request, Scenario, StaffMember
from models.validate import contact_warnings, validate_scenario

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_STAFF = 300_000
MAX_EXTENDS = 16  # files a chain may go up from the top scenario
MAX_VALUES = 5_000_000  # values in one parsed file: a guard against YAML alias bombs


# --- where values were written ---------------------------------------------------------------


@dataclass(slots=True)
class Spot:
    """Where a value was written; `children` mirror its keys/indexes (an int: a leaf's line)."""

    file: str
    line: int | None
    children: dict[Hashable, Spot | int] = field(default_factory=dict)
    row: bool = False  # a table row: fields below it are named by their column alone

    def child(self, key: Hashable) -> Spot | None:
        found = self.children.get(key)
        return Spot(self.file, found) if isinstance(found, int) else found

    def child_or_same(self, key: Hashable) -> Spot:
        return self.child(key) or Spot(self.file, self.line)


@dataclass(slots=True)
class TableSpot(Spot):
    """A staff/requests table: row k of the data is line `row_lines[k]` of the file."""

    row_lines: Sequence[int] = ()

    def child(self, key: Hashable) -> Spot | None:
        if isinstance(key, int) and 0 <= key < len(self.row_lines):
            return Spot(self.file, self.row_lines[key], row=True)
        return None


class Locator:
    """`locate(path)`: where the value at `path` of the merged scenario data was written.

    The deepest spot known along the path gives file and line, so a JSON scalar or a missing
    key is placed at its enclosing mapping. In a table, the field is the column name.
    """

    def __init__(self, root: Spot) -> None:
        self._root = root

    def __call__(self, path: FieldPath) -> Location:
        spot, line, named_from = self._root, self._root.line, 0
        for depth, key in enumerate(path, start=1):
            found = spot.child(key)
            if found is None:
                break
            if found.line is not None or found.file != spot.file:
                line = found.line
            spot = found
            if found.row:
                named_from = depth
        return Location(spot.file, line, format_path(path[named_from:]))


def _issue(file: Path | str, line: int | None, message: str) -> InvalidInput:
    return InvalidInput([InputIssue(str(file), line, "", message)])


# --- reading one scenario file ---------------------------------------------------------------


@dataclass(frozen=True)
class _TableRef:
    """`staff: staff.csv`, resolved against the folder of the file that states it."""

    path: Path
    stated_at: Location


@dataclass
class _Document:
    path: Path
    raw: bytes
    data: dict[Hashable, Any]
    spot: Spot


def _read_document(path: Path, stated_at: Location | None) -> _Document:
    parse = _PARSERS.get(path.suffix.lower())
    if parse is None:
        raise _refuse(path, stated_at, "a scenario file is .yaml, .yml, .json or .toml")
    raw = _read_bytes(path, stated_at)
    try:
        data, spot = parse(str(path), _decode(str(path), raw))
    except RecursionError:
        raise _issue(path, None, "nested too deeply") from None
    if not isinstance(data, dict):
        raise _issue(path, None, "expected a mapping of sections (version, name, horizon, ...)")
    for section in _TABLES:
        if isinstance(data.get(section), str):
            table = _beside(path, data[section])
            data[section] = _TableRef(table, Locator(spot)((section,)))
    return _Document(path, raw, data, spot)


def _beside(path: Path, relative: str) -> Path:
    """A path stated in `path`, against its folder (`a/b/../c.csv` is shown as `a/c.csv`)."""
    return Path(os.path.normpath(path.parent / relative))


def _refuse(path: Path, stated_at: Location | None, message: str) -> InvalidInput:
    """An issue about a whole file, placed where it is referenced if it is referenced."""
    if stated_at is None:
        return _issue(path, None, message)
    return InvalidInput([stated_at.issue(f"{path}: {message}")])


def _read_bytes(path: Path, stated_at: Location | None) -> bytes:
    try:
        if not path.is_file():
            raise _refuse(path, stated_at, "file not found" if not path.exists() else "not a file")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // 2**20
            raise _refuse(
                path, stated_at, f"{size / 2**20:.1f} MB; an input file is at most {limit} MB"
            )
        return path.read_bytes()
    except OSError as error:
        raise _refuse(path, stated_at, f"cannot read: {error.strerror}") from None


def _decode(file: str, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        byte = raw[error.start]
        raise _issue(file, line, f"not UTF-8 text (byte 0x{byte:02x}); save it as UTF-8") from None


class _Constructor(RoundTripConstructor):
    """ruamel's round-trip constructor, except that a date that does not exist stays text."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError:  # 2025-12-32: validation then names it, with its line
            return self.construct_scalar(node)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


def _parse_yaml(file: str, text: str) -> tuple[Any, Spot]:
    yaml = YAML(typ="rt")  # round-trip: safe, YAML 1.2, keeps line numbers
    yaml.Constructor = _Constructor
    try:
        node = yaml.load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        context = f" ({error.context})" if error.context else ""
        line = mark.line + 1 if mark else None
        raise _issue(file, line, f"YAML syntax: {error.problem}{context}") from None
    except YAMLError as error:
        raise _issue(file, None, f"YAML syntax: {error}") from None
    reader = _YamlReader(file)
    data, spot = reader.read(node, None)
    if reader.issues:
        raise InvalidInput(reader.issues)
    return data, spot if isinstance(spot, Spot) else Spot(file, None)


_STANDARD_COLLECTION_TAGS = (None, "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


class _YamlReader:
    """Plain dicts, lists and scalars from ruamel's round-trip nodes, with their lines.

    Refuses tags other than YAML's standard ones: a scenario is data, never objects.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.issues: list[InputIssue] = []
        self.count = 0  # values read, counting each alias as the values it stands for
        # An anchored collection is read once; each alias reuses it (and adds to the count).
        self.anchored: dict[int, tuple[Any, Spot, int]] = {}

    def read(self, node: Any, line: int | None) -> tuple[Any, Spot | int | None]:
        if not isinstance(node, CommentedMap | CommentedSeq):
            self._add(1, line)
            return self._scalar(node, line), line
        if id(node) in self.anchored:
            data, spot, size = self.anchored[id(node)]
            self._add(size, line)
            return data, spot
        before = self.count
        self._add(1, line)
        tag = node.tag.value
        if tag not in _STANDARD_COLLECTION_TAGS:
            self._refuse(f"YAML tag {_tag_name(tag)} is not allowed", line)
        data, spot = (
            self._map(node, line) if isinstance(node, CommentedMap) else self._seq(node, line)
        )
        if node.anchor.value is not None:
            self.anchored[id(node)] = (data, spot, self.count - before)
        return data, spot

    def _add(self, values: int, line: int | None) -> None:
        self.count += values
        if self.count > MAX_VALUES:
            raise _issue(self.file, line, f"more than {MAX_VALUES:,} values (aliases expanding?)")

    def _map(self, node: CommentedMap, line: int | None) -> tuple[dict[Hashable, Any], Spot]:
        data: dict[Hashable, Any] = {}
        spot = Spot(self.file, line)
        for key, value in node.items():
            key_line = _line_of(node.lc.key, key) or line
            plain_key = self._scalar(key, key_line)
            data[plain_key], child = self.read(value, key_line)
            if child is not None:
                spot.children[plain_key] = child
        return data, spot

    def _seq(self, node: CommentedSeq, line: int | None) -> tuple[list[Any], Spot]:
        data: list[Any] = []
        spot = Spot(self.file, line)
        for index, value in enumerate(node):
            item, child = self.read(value, _line_of(node.lc.item, index) or line)
            data.append(item)
            if child is not None:
                spot.children[index] = child
        return data, spot

    def _scalar(self, node: Any, line: int | None) -> Any:
        if isinstance(node, TaggedScalar):
            if node.tag.value == "tag:yaml.org,2002:str":
                return str(node.value)
            self._refuse(f"YAML tag {_tag_name(node.tag.value)} is not allowed", line)
            return None
        if node is None or isinstance(node, bool):
            return node
        if isinstance(node, ScalarBoolean):  # an int subclass, for anchored booleans
            return bool(node)
        if isinstance(node, int):
            return _yaml_int(node)
        if isinstance(node, float):
            return float(node)
        if isinstance(node, str):
            return str(node)
        if isinstance(node, datetime):  # ruamel's TimeStamp subclass
            return datetime(*node.timetuple()[:6], node.microsecond, tzinfo=node.tzinfo)
        if isinstance(node, date):
            return node
        self._refuse(f"a value of type {type(node).__name__} is not allowed", line)
        return None

    def _refuse(self, message: str, line: int | None) -> None:
        self.issues.append(InputIssue(self.file, line, "", message))


def _line_of(position: Callable[[Any], tuple[int, int]], key: Any) -> int | None:
    try:
        return position(key)[0] + 1
    except (KeyError, IndexError, TypeError):  # keys brought in by a `<<:` merge have none
        return None


def _tag_name(tag: str | None) -> str:
    return str(tag).replace("tag:yaml.org,2002:", "!!")


def _yaml_int(node: int) -> int | str:
    """An int; but digits typed with leading zeros (`id: 0042`) stay as typed.

    YAML 1.2 reads 0042 as 42, which silently changes an id; as text the id is kept, and
    where a number is wanted pydantic reads "0042" as 42 all the same.
    """
    width = getattr(node, "_width", None)
    digits = str(int(node))
    plain = type(node) is ScalarInt and getattr(node, "_underscore", None) is None
    if plain and node >= 0 and isinstance(width, int) and width > len(digits):
        return digits.zfill(width)
    return int(node)


class _Located(NamedTuple):
    value: Any
    spot: Spot


class _JsonWithLines(json.JSONDecoder):
    """The json module's pure-Python scanner, recording the line of every object and array."""

    def __init__(self, file: str, text: str) -> None:
        super().__init__()
        self._file = file
        self._newlines = [match.start() for match in re.finditer("\n", text)]
        self.parse_object = self._object  # type: ignore[assignment]
        self.parse_array = self._array  # type: ignore[assignment]
        self.scan_once = json.scanner.py_make_scanner(self)  # type: ignore[attr-defined]

    def _line(self, position: int) -> int:
        return bisect.bisect_left(self._newlines, position) + 1

    def _object(
        self,
        s_and_end: tuple[str, int],
        strict: bool,
        scan_once: Any,
        object_hook: Any,
        object_pairs_hook: Any,
        memo: Any = None,
    ) -> tuple[_Located, int]:
        text, start = s_and_end
        pairs, end = json.decoder.JSONObject(  # type: ignore[attr-defined]
            s_and_end, strict, scan_once, None, list, memo
        )
        data: dict[str, Any] = {}
        spot = Spot(self._file, self._line(start - 1))
        for key, value in pairs:
            if key in data:  # json would keep the last silently
                raise json.JSONDecodeError(f"duplicate key {key!r}", text, start - 1)
            data[key] = self._keep(spot, key, value)
        return _Located(data, spot), end

    def _array(self, s_and_end: tuple[str, int], scan_once: Any) -> tuple[_Located, int]:
        values, end = json.decoder.JSONArray(s_and_end, scan_once)  # type: ignore[attr-defined]
        spot = Spot(self._file, self._line(s_and_end[1] - 1))
        data = [self._keep(spot, index, value) for index, value in enumerate(values)]
        return _Located(data, spot), end

    @staticmethod
    def _keep(spot: Spot, key: Hashable, value: Any) -> Any:
        if isinstance(value, _Located):
            spot.children[key] = value.spot
            return value.value
        return value


def _parse_json(file: str, text: str) -> tuple[Any, Spot]:
    try:
        result = _JsonWithLines(file, text).decode(text)
    except json.JSONDecodeError as error:
        raise _issue(file, error.lineno, f"JSON syntax: {error.msg}") from None
    if isinstance(result, _Located):
        return result.value, result.spot
    return result, Spot(file, None)


def _parse_toml(file: str, text: str) -> tuple[Any, Spot]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"at line (\d+)", str(error))
        raise _issue(file, int(match[1]) if match else None, f"TOML syntax: {error}") from None
    return data, _spot_from_lines(file, _toml_lines(text))


_PARSERS: dict[str, Callable[[str, str], tuple[Any, Spot]]] = {
    ".yaml": _parse_yaml,
    ".yml": _parse_yaml,
    ".json": _parse_json,
    ".toml": _parse_toml,
}

_TOML_KEY = r"""(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')"""
_TOML_KEYS = rf"{_TOML_KEY}(?:\s*\.\s*{_TOML_KEY})*"
_TOML_HEADER = re.compile(rf"\s*(\[\[?)\s*({_TOML_KEYS})\s*\]")
_TOML_ASSIGN = re.compile(rf"\s*({_TOML_KEYS})\s*=")


def _toml_lines(text: str) -> dict[FieldPath, int]:
    """The line of each `[table]` header and `key =`: tomllib reports no positions.

    Best effort, line by line (values inside inline tables get the line of their key).
    """
    lines: dict[FieldPath, int] = {}
    table: FieldPath = ()
    arrays: dict[FieldPath, int] = {}  # array-of-tables name -> index of its latest element
    in_string = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not in_string:
            if header := _TOML_HEADER.match(line):
                table = _toml_table(_toml_keys(header[2]), header[1] == "[[", arrays)
                lines[table] = number
            elif assign := _TOML_ASSIGN.match(line):
                lines[table + _toml_keys(assign[1])] = number
        if (line.count('"""') + line.count("'''")) % 2:  # a multi-line string opens or closes
            in_string = not in_string
    return lines


def _toml_keys(text: str) -> FieldPath:
    return tuple(part.strip("\"'") for part in re.findall(_TOML_KEY, text))


def _toml_table(names: FieldPath, is_array: bool, arrays: dict[FieldPath, int]) -> FieldPath:
    """`[[coverage]]` -> ("coverage", n); `[coverage.x]` after it -> ("coverage", n, "x")."""
    if is_array:
        arrays[names] = arrays.get(names, -1) + 1
    path: list[Hashable] = []
    for depth, name in enumerate(names, start=1):
        path.append(name)
        if names[:depth] in arrays:
            path.append(arrays[names[:depth]])
    return tuple(path)


def _spot_from_lines(file: str, lines: dict[FieldPath, int]) -> Spot:
    root = Spot(file, None)
    for path in sorted(lines, key=len):  # parents before their children
        node = root
        for key in path[:-1]:
            found = node.children.get(key)
            if not isinstance(found, Spot):
                found = Spot(file, found if found is not None else node.line)
                node.children[key] = found
            node = found
        node.children.setdefault(path[-1], lines[path])
    return root


# --- extends -----------------------------------------------------------------------------------


def _read_chain(top: Path) -> list[_Document]:
    """The scenario and every file it extends, base first."""
    chain = [_read_document(top, None)]
    seen = {top.resolve()}
    while isinstance(extends := chain[-1].data.get("extends"), str):
        stated_at = Locator(chain[-1].spot)(("extends",))
        target = _beside(chain[-1].path, extends)
        names = " -> ".join(str(doc.path) for doc in chain)
        if target.resolve() in seen:
            raise InvalidInput([stated_at.issue(f"extends cycle: {names} -> {target}")])
        if len(chain) > MAX_EXTENDS:
            raise InvalidInput(
                [stated_at.issue(f"extends goes deeper than {MAX_EXTENDS} files: {names} -> ...")]
            )
        seen.add(target.resolve())
        chain.append(_read_document(target, stated_at))
    return chain[::-1]


def _merge(
    base: Any, base_spot: Spot, top: Any, top_spot: Spot, path: FieldPath
) -> tuple[Any, Spot]:
    """`top` over `base` (the format's `extends`): maps key by key, `coverage` by rule id; else `top` replaces."""
    if path == ("coverage",) and isinstance(base, list) and isinstance(top, list):
        return _merge_coverage(base, base_spot, top, top_spot)
    if not (isinstance(base, dict) and isinstance(top, dict)):
        return top, top_spot
    merged = dict(base)
    # The base's leaf lines become spots of their own: a bare line would be read as a line
    # of the top file.
    kept: dict[Hashable, Spot | int] = {k: base_spot.child_or_same(k) for k in base_spot.children}
    spot = Spot(top_spot.file, top_spot.line, kept)
    for key, value in top.items():
        value_spot = top_spot.child_or_same(key)
        if key in base:
            base_value_spot = base_spot.child_or_same(key)
            value, value_spot = _merge(base[key], base_value_spot, value, value_spot, (*path, key))
        merged[key] = value
        spot.children[key] = value_spot
    return merged, spot


def _merge_coverage(
    base: list[Any], base_spot: Spot, top: list[Any], top_spot: Spot
) -> tuple[list[Any], Spot]:
    """A rule whose id is in the base updates it key by key, `remove: true` drops it; others
    are appended. A remove that matches nothing stays, for validation to report."""
    rules = [(rule, base_spot.child_or_same(k)) for k, rule in enumerate(base)]
    for k, rule in enumerate(top):
        spot = top_spot.child_or_same(k)
        rule_id = _id_of(rule)
        same = [
            j for j, (old, _) in enumerate(rules) if rule_id is not None and _id_of(old) == rule_id
        ]
        if not same:
            rules.append((rule, spot))
        elif rule.get("remove") is True:
            rules = [entry for j, entry in enumerate(rules) if j not in same]
        else:
            for j in same:
                rules[j] = _merge(rules[j][0], rules[j][1], rule, spot, ("coverage", j))
    merged_spot = Spot(top_spot.file, top_spot.line, {j: s for j, (_, s) in enumerate(rules)})
    return [rule for rule, _ in rules], merged_spot


def _id_of(rule: Any) -> Any:
    return rule.get("id") if isinstance(rule, dict) else None


# --- staff and requests tables ---------------------------------------------------------------


class _TableKind(NamedTuple):
    model: type[BaseModel]  # what a row becomes; its required fields are required columns
    id_column: str  # holds ids: a number there is never silently turned into text


_TABLES = {"staff": _TableKind(StaffMember, "id"), "requests": _TableKind(Request, "staff")}

_Row = tuple[int, list[Any]]  # (line in the file, cells)


class _Table(NamedTuple):
    raw: bytes
    records: list[dict[str, Any]]
    spot: TableSpot
    issues: list[InputIssue]  # per-row faults that do not stop the rest from being read


def _read_table(ref: _TableRef, kind: _TableKind) -> _Table:
    suffix = ref.path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise _refuse(ref.path, ref.stated_at, "a table is .csv or .xlsx (save it as one)")
    raw = _read_bytes(ref.path, ref.stated_at)
    file = str(ref.path)
    rows = _csv_rows(file, raw) if suffix == ".csv" else _xlsx_rows(file, raw, kind.id_column)
    if not rows:
        raise _issue(file, None, "empty file; expected a header row")
    (header_line, header), body = rows[0], rows[1:]
    columns = [_column(name) for name in header]
    _check_header(file, header_line, columns, kind.model)
    records, lines, issues = _records(file, columns, body)
    return _Table(raw, records, TableSpot(file, None, row_lines=lines), issues)


def _column(header_cell: Any) -> str:
    """`" ID "` -> `"id"`: headers typed by hand still match the field names."""
    return str(header_cell or "").strip().lower()


def _csv_rows(file: str, raw: bytes) -> list[_Row]:
    """Every cell as text: ids keep their digits and leading zeros."""
    text = _decode(file, raw)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[_Row] = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1  # a quoted cell may span lines
    except csv.Error as error:
        raise _issue(file, reader.line_num, f"CSV: {error}") from None
    return rows


def _xlsx_rows(file: str, raw: bytes, id_column: str) -> list[_Row]:
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as error:
        raise _issue(file, None, f"not a readable .xlsx workbook ({error})") from None
    try:
        values = book.worksheets[0].iter_rows(values_only=True)
        header = list(next(values, ()))
        names = [_column(name) for name in header]
        id_index = names.index(id_column) if id_column in names else None
        rows: list[_Row] = [(1, header)]
        for number, cells in enumerate(values, start=2):
            rows.append((number, [_xlsx_cell(c, k == id_index) for k, c in enumerate(cells)]))
        return rows
    finally:
        book.close()


def _xlsx_cell(value: Any, is_id: bool) -> Any:
    """A cell as text, as a CSV would have it, except an id that a number cannot hold exactly.

    Such an id is passed on as a float, for `StaffMember` to refuse with its explanation
    (a spreadsheet keeps 15 significant digits; an 18-digit NIP has already lost some).
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return float(value) if is_id else str(value)
    if isinstance(value, datetime) and value.time() == time():
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def staff_columns(path: Path) -> list[str]:
    """The columns of a staff table (CSV or XLSX) as the loader names them, in file order."""
    raw = _read_bytes(path, None)
    file = str(path)
    rows = _csv_rows(file, raw) if path.suffix.lower() == ".csv" else _xlsx_rows(file, raw, "id")
    return [_column(name) for name in rows[0][1]] if rows else []


def _check_header(file: str, line: int, columns: list[str], model: type[BaseModel]) -> None:
    issues = []
    for name in sorted({c for c in columns if c and columns.count(c) > 1}):
        issues.append(InputIssue(file, line, name, "this column appears twice"))
    required = [name for name, info in model.model_fields.items() if info.is_required()]
    for name in required:
        if name not in columns:
            found = ", ".join(c for c in columns if c) or "nothing"
            issues.append(InputIssue(file, line, name, f"missing column {name!r} (found: {found})"))
    if issues:
        raise InvalidInput(issues)


def _records(
    file: str, columns: list[str], body: list[_Row]
) -> tuple[list[dict[str, Any]], list[int], list[InputIssue]]:
    """Rows as {column: value}; an empty cell is a value not given; blank rows are skipped."""
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    issues: list[InputIssue] = []
    for line, cells in body:
        cells = [cell.strip() if isinstance(cell, str) else cell for cell in cells]
        if len(cells) > len(columns) and any(_given(cell) for cell in cells[len(columns) :]):
            message = f"{len(cells)} cells, but the header has {len(columns)} columns"
            issues.append(InputIssue(file, line, "", message))
        record = {
            name: cell for name, cell in zip(columns, cells, strict=False) if name and _given(cell)
        }
        if record:
            records.append(record)
            lines.append(line)
    return records, lines, issues


def _given(cell: Any) -> bool:
    return cell is not None and cell != ""


def _read_tables(
    data: dict[Hashable, Any], spot: Spot
) -> tuple[list[tuple[Path, bytes]], set[str], list[InputIssue]]:
    """Replace table references in `data` by their rows; report what could not be read."""
    sources: list[tuple[Path, bytes]] = []
    unread: set[str] = set()
    issues: list[InputIssue] = []
    for section, kind in _TABLES.items():
        ref = data.get(section)
        if not isinstance(ref, _TableRef):
            continue
        try:
            table = _read_table(ref, kind)
        except InvalidInput as error:
            issues += error.issues
            unread.add(section)
            continue
        data[section] = table.records
        spot.children[section] = table.spot
        sources.append((ref.path, table.raw))
        issues += table.issues
    return sources, unread, issues


# --- the whole scenario ------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadedScenario:
    scenario: Scenario  # staff and requests already read into lists
    path: Path  # the top scenario file
    files: tuple[Path, ...]  # every file read: the chain from the base upward, staff, requests
    input_sha256: str  # over `files` in that order, each prefixed with its relative name
    locate: Locator  # for issues found after loading: locate(("pins", 3, "date")).issue(...)
    overrides: tuple[str, ...] = ()  # `PATH=VALUE` changes applied (models.overrides)
    warnings: tuple[InputIssue, ...] = ()  # what was accepted but cannot be used as meant


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> LoadedScenario:
    """Read, merge, apply `overrides` (`PATH=VALUE`, see models.overrides), validate.
    Raises InvalidInput with every issue found."""
    from models.overrides import apply_overrides  # it builds on this module's Spot

    top = Path(path)
    chain = _read_chain(top)
    data, spot = chain[0].data, chain[0].spot
    for document in chain[1:]:
        data, spot = _merge(data, spot, document.data, document.spot, ())
    locate = Locator(spot)
    tables, unread, issues = _read_tables(data, spot)
    if overrides:
        data, spot, override_issues = apply_overrides(data, spot, overrides, _override_value)
        issues += override_issues
        locate = Locator(spot)
    staff = data.get("staff")
    if "staff" not in unread and isinstance(staff, list) and len(staff) > MAX_STAFF:
        issues.append(locate(("staff",)).issue(f"{len(staff):,} staff; at most {MAX_STAFF:,}"))
        unread.add("staff")
    scenario, found = validate_scenario(data, locate, unread=unread)
    sources = [(document.path, document.raw) for document in chain] + tables
    files = tuple(source_path for source_path, _ in sources)
    if issues or scenario is None:
        raise InvalidInput(_in_reading_order(issues + found, files))
    sha256 = _input_sha256(top, sources, overrides)
    warnings = tuple(contact_warnings(scenario, locate))
    return LoadedScenario(scenario, top, files, sha256, locate, tuple(overrides), warnings)


def _override_value(source: str, text: str) -> Any:
    """The value of a `--set`, read as YAML exactly as a scenario file is."""
    return _parse_yaml(source, text)[0]


def _in_reading_order(issues: list[InputIssue], files: tuple[Path, ...]) -> list[InputIssue]:
    order = {str(file): k for k, file in enumerate(files)}
    return sorted(issues, key=lambda i: (order.get(i.file, len(order)), i.line or 0))


def _input_sha256(
    top: Path, sources: list[tuple[Path, bytes]], overrides: Sequence[str] = ()
) -> str:
    """Names are hashed too, so moving content from one file to another changes the hash;
    overrides last, so a variant made with `--set` has a hash of its own."""
    digest = hashlib.sha256()
    for path, raw in sources:
        name = Path(os.path.relpath(path, top.parent)).as_posix()
        digest.update(f"{name}\0{len(raw)}\0".encode())
        digest.update(raw)
    for override in overrides:
        digest.update(f"--set\0{len(override.encode())}\0{override}".encode())
    return digest.hexdigest()
