"""Input errors: every problem names file, line, column and the JSON path inside the document."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True, slots=True)
class SourceLocation:
    """Where something stands in an input file (1-based line and column); slots: one per asset is kept for
    the whole run (a dict each would be about 100 bytes more)."""

    file: str
    line: int = 1
    column: int = 1
    # Where the thing ends (an asset's extent, for SARIF regions): the line of its last character and
    # the column just after it. Not part of its identity: two locations are the same place whatever
    # their extents.
    end_line: int | None = field(default=None, compare=False)
    end_column: int | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


def many_locations(
    file: str,
    lines: Sequence[int],
    columns: Sequence[int],
    end_lines: Sequence[int | None],
    end_columns: Sequence[int | None],
) -> list[SourceLocation]:
    """SourceLocation(file, line, column, end_line, end_column) for each of the columns' rows, made
    without the frozen dataclass's __init__ (five object.__setattr__ calls: 0.65 against 0.35 us a
    location, and a large JSON inventory makes one per asset)."""
    new, slots = object.__new__, SourceLocation.__dict__
    set_file, set_line, set_column, set_end_line, set_end_column = (
        slots[name].__set__ for name in ("file", "line", "column", "end_line", "end_column")
    )

    def located(line: int, column: int, end_line: int | None, end_column: int | None) -> SourceLocation:
        at = new(SourceLocation)
        set_file(at, file)
        set_line(at, line)
        set_column(at, column)
        set_end_line(at, end_line)
        set_end_column(at, end_column)
        return at

    return list(map(located, lines, columns, end_lines, end_columns))


@dataclass(frozen=True, order=True)
class InputIssue:
    location: SourceLocation
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.path}: {self.message}"


class InputError(Exception):
    """All the input problems of one run, reported together (exit status 2 in the CLI)."""

    def __init__(self, issues: list[InputIssue]) -> None:
        self.issues = sorted(set(issues))
        super().__init__("\n".join(str(issue) for issue in self.issues))


def json_path(parts: tuple[str | int, ...] | list[str | int]) -> str:
    """Render a path such as ('storage', 3, 'id') as $.storage[3].id."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out
