"""`--set PATH=VALUE`: changes to a scenario as written, applied before it is validated.

Variants of a scenario without copying it: `--set 'coverage[dukcapil-loket-wfa].min_share=0.3'`.
An override edits the merged data (after `extends`, with the staff and requests tables read)
and not the validated `Scenario`, so that validation judges the result exactly as if the
value had been written in the file, and every fault still names its field; a value set here
is placed at `--set PATH=VALUE` instead of a file and line.

Paths:
- `a.b.c`: mapping keys (`solver.time_limit_s`, `units.dukcapil.rules.min_rest_hours`,
  `calendar.wfa_days`). A key that is not there yet is added, and validation then checks
  its name like any key in a file (`unknown key 'time_limt_s'; did you mean ...`).
- `name[ID]`: an entry that must exist. In a list, the item whose `id` is ID (a coverage
  rule, a person), or the item at index ID; in a mapping, the key ID (`units[dukcapil]`).

Values are YAML, read as a scenario file is (YAML 1.2: `0.3`, `true`, `2025-12-30`, text;
flow collections such as `[2025-12-30..2025-12-31]` or `{min: 2}` too).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from models.errors import InputIssue, InvalidInput
from models.load import Spot, TableSpot

# Reads the text of a value as YAML; `source` names it in any syntax error.
ReadValue = Callable[[str, str], Any]

_STEP = re.compile(r"\.?([^.\[\]=]+)|\[([^\[\]]+)\]")
_SHOWN_CHOICES = 12  # names listed in an error before "and N more"


@dataclass(frozen=True)
class _Step:
    key: str
    must_exist: bool  # `[ID]` selects an existing entry; `.key` may add a mapping key
    text: str  # the path up to and including this step, as typed


def apply_overrides(
    data: dict[Hashable, Any], spot: Spot, overrides: Sequence[str], read_value: ReadValue
) -> tuple[dict[Hashable, Any], Spot, list[InputIssue]]:
    """`data` and its `spot` tree with each `PATH=VALUE` applied in order, and the faults of
    those that could not be (each names the override, the path and what exists there).

    Containers along a path are copied, not changed in place: YAML aliases share them.
    """
    issues: list[InputIssue] = []
    for text in overrides:
        source = f"--set {text}"
        try:
            steps, value_text = _parse(text)
            value = read_value(source, value_text)
            data, spot = _set(data, spot, steps, value, Spot(source, None))
        except _BadPath as error:
            issues.append(InputIssue(source, None, error.path, error.message))
        except InvalidInput as error:
            issues += [InputIssue(source, None, "", issue.message) for issue in error.issues]
    return data, spot, issues


def _split_override(text: str) -> tuple[str, str]:
    """`PATH=VALUE` -> (PATH, VALUE): the first `=` separates them (a value may hold more)."""
    path, equals, value = text.partition("=")
    if not equals or not path.strip():
        raise _BadPath("", f"expected PATH=VALUE, got {text!r}")
    return path.strip(), value.strip()


class _BadPath(Exception):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def _parse(text: str) -> tuple[list[_Step], str]:
    path, value = _split_override(text)
    steps: list[_Step] = []
    position = 0
    while position < len(path):
        match = _STEP.match(path, position)
        dotted = match is not None and match[1] is not None
        if match is None or (dotted and steps and path[position] != "."):
            raise _BadPath(
                path,
                f"cannot read the path at {path[position:]!r}; write keys as a.b.c and "
                "entries as coverage[rule-id].field or units[unit-id].field",
            )
        position = match.end()
        key = (match[1] if dotted else match[2]).strip()
        steps.append(_Step(key, not dotted, path[:position]))
    if steps[0].key == "extends":
        raise _BadPath(
            path, "`extends` is resolved before overrides apply; write a variant file instead"
        )
    return steps, value


def _set(
    container: Any, spot: Spot, steps: list[_Step], value: Any, value_spot: Spot
) -> tuple[Any, Spot]:
    """A copy of `container` with `value` at `steps`, and a copy of its spot to match."""
    step, rest = steps[0], steps[1:]
    key = _find(container, step)
    copy, copy_spot = _copied(container, spot)
    if rest:
        if isinstance(copy, list) or key in copy:  # a list index found is always there
            child, child_spot = copy[key], copy_spot.child_or_same(key)
        else:  # a mapping key added on the way: validation checks its name
            child, child_spot = {}, value_spot
        value, value_spot = _set(child, child_spot, rest, value, value_spot)
    copy[key] = value
    copy_spot.children[key] = value_spot
    return copy, copy_spot


def _copied(container: Any, spot: Spot) -> tuple[Any, Spot]:
    children = dict(spot.children)
    if isinstance(spot, TableSpot):  # a staff/requests table: its rows as ordinary children
        children = {k: spot.child(k) or spot for k in range(len(spot.row_lines))}
    copy = dict(container) if isinstance(container, dict) else list(container)
    return copy, Spot(spot.file, spot.line, children, spot.row)


def _find(container: Any, step: _Step) -> Any:
    """The key or index `step` names in `container`; a new key for a `.key` not yet there."""
    if isinstance(container, dict):
        for key in container:
            if key == step.key or str(key) == step.key:
                return key
        if step.must_exist:
            keys = [str(k) for k in container]
            raise _BadPath(step.text, _missing("key", step.key, _head(step.text), keys))
        return step.key
    if isinstance(container, list):
        if not step.must_exist:
            raise _BadPath(
                step.text,
                f"a list: select an entry by id or index, e.g. {_head(step.text)}[{_example(container)}]",
            )
        return _find_item(container, step)
    kind = "nothing" if container is None else f"the value {container!r}"
    raise _BadPath(step.text, f"{_head(step.text)} holds {kind}, not keys")


def _find_item(items: list[Any], step: _Step) -> int:
    ids = [str(item["id"]) for item in items if isinstance(item, dict) and "id" in item]
    for index, item in enumerate(items):
        if isinstance(item, dict) and str(item.get("id")) == step.key:
            return index
    if step.key.isdigit() and int(step.key) < len(items):
        return int(step.key)
    if ids:
        raise _BadPath(step.text, _missing("entry with id", step.key, _head(step.text), ids))
    entries = "1 entry" if len(items) == 1 else f"{len(items)} entries"
    raise _BadPath(
        step.text, f"no entry {step.key!r}: {_head(step.text)} has {entries}, without ids"
    )


def _missing(kind: str, name: str, where: str, choices: list[str]) -> str:
    """`no key 'dukcpil' in units; did you mean 'dukcapil'? (there: damkar, dukcapil)`"""
    close = difflib.get_close_matches(name, choices, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    shown = ", ".join(choices[:_SHOWN_CHOICES]) or "nothing"
    more = f" and {len(choices) - _SHOWN_CHOICES} more" if len(choices) > _SHOWN_CHOICES else ""
    return f"no {kind} {name!r} in {where}{hint} (there: {shown}{more})"


def _head(path: str) -> str:
    """`coverage[x].min` -> `coverage[x]`: the path above the last step."""
    cut = max(path.rfind("."), path.rfind("["))
    return "the scenario" if cut <= 0 else path[:cut]


def _example(items: list[Any]) -> str:
    first = items[0] if items else None
    return str(first["id"]) if isinstance(first, dict) and "id" in first else "0"


def vary_overrides(text: str) -> tuple[str, ...]:
    """`--vary PATH=V1,V2,V3` -> (`PATH=V1`, `PATH=V2`, `PATH=V3`): one override per value.

    Commas inside brackets, braces or quotes belong to a value (`wfa_days=[a, b],[c]`).
    """
    source = f"--vary {text}"
    try:
        path, values = _split_override(text)
    except _BadPath as error:
        raise InvalidInput([InputIssue(source, None, "", error.message)]) from None
    parts = _top_level_split(values)
    if not all(part.strip() for part in parts):
        message = "expected PATH=V1,V2,...: a value is empty"
        raise InvalidInput([InputIssue(source, None, path, message)])
    return tuple(f"{path}={part.strip()}" for part in parts)


def _top_level_split(text: str) -> list[str]:
    parts, depth, quote, start = [], 0, "", 0
    for position, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:position])
            start = position + 1
    return [*parts, text[start:]]
