"""Input errors: every problem names file, line, column and the JSON path inside the document."""

from __future__ import annotations

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
