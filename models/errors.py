"""Invalid input: every fault found in the files a scenario reads, each with file, line and field.

A planner fixes a scenario in a text editor or a spreadsheet, so every issue names the file it
is in, the line (where the format tells us), and the field, as a dotted path
(`coverage[2].min_share`) or, in a staff/requests table, the column (`id`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

# A path into the scenario data: mapping keys and list indexes, e.g. ("coverage", 2, "min").
FieldPath = tuple[Hashable, ...]


def format_path(path: Sequence[Hashable]) -> str:
    """("coverage", 2, "min_share") -> "coverage[2].min_share"."""
    text = ""
    for key in path:
        if isinstance(key, int) and not isinstance(key, bool):
            text += f"[{key}]"
        else:
            text += f".{key}" if text else str(key)
    return text


@dataclass(frozen=True)
class InputIssue:
    file: str  # path as given/resolved
    line: int | None  # 1-based, where known
    field: str  # dotted path, e.g. "coverage[2].min_share", "staff[14].id", or a column "id"
    message: str  # what is wrong and what was expected

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return ": ".join(part for part in (where, self.field, self.message) if part)


@dataclass(frozen=True)
class Location:
    """Where a value of the scenario was written: file, line (if known) and field name."""

    file: str
    line: int | None
    field: str

    def issue(self, message: str) -> InputIssue:
        return InputIssue(self.file, self.line, self.field, message)

    def short(self) -> str:
        """`staff.csv:4`, for pointing at a second place inside a message."""
        return self.file if self.line is None else f"{self.file}:{self.line}"


# Maps a path into the (merged) scenario data to where it was written.
Locate = Callable[[FieldPath], Location]


class InvalidInput(Exception):
    """The input files are wrong; `issues` holds every fault found, not just the first."""

    def __init__(self, issues: Sequence[InputIssue]) -> None:
        self.issues = tuple(issues)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(issue) for issue in self.issues)
