"""`.auditor.yaml`: a repository's audit settings, found without being named, so CI is one line.

Looked for in the working folder, else at the top of the git work tree holding it. It holds what
the `audit` command line would: inventory paths, rule-pack folders, config, waivers, baseline,
formats, output folder and gate. Relative paths are relative to the file's folder, so the file
means the same from any working folder. Options given on the command line override it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from auditor.errors import InputError, InputIssue, json_path
from auditor.inventory.source import display_path, read_document
from auditor.result import Severity
from auditor.validation import validated

FILE_NAME = ".auditor.yaml"
GateSeverity = Literal["info", "low", "medium", "high", "critical", "none"]
assert set(GateSeverity.__args__) == {*(s.value for s in Severity), "none"}  # type: ignore[attr-defined]


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    paths: list[str] = Field(default=[], description="Inventory files or folders (the audit's PATH arguments).")
    policies: list[str] = Field(default=[], description="Folders of rule packs added to the bundled ones.")
    config: str | None = Field(default=None, description="Config file: rule parameters, packs on or off.")
    waivers: str | None = None
    baseline: str | None = None
    formats: list[str] | None = None
    out: str | None = None
    fail_on: GateSeverity | None = None


@dataclass(frozen=True)
class ProjectSettings:
    """The file's settings, paths resolved against its folder."""

    file: Path
    paths: list[Path]
    policies: list[Path]
    config: Path | None
    waivers: Path | None
    baseline: Path | None
    formats: list[str] | None
    out: Path | None
    fail_on: str | None


def find(folder: Path) -> Path | None:
    """`.auditor.yaml` in `folder`, else at the top of the git work tree holding it."""
    if (folder / FILE_NAME).is_file():
        return folder / FILE_NAME
    top = next((c for c in (folder, *folder.parents) if (c / ".git").exists()), None)
    if top is not None and (top / FILE_NAME).is_file():
        return top / FILE_NAME
    return None


def load(path: Path, known_formats: list[str]) -> ProjectSettings:
    """Read and check the file; every problem is reported with its line and path."""
    document = read_document(path, display_path(path))
    settings = validated(_Settings, document) if document.data is not None else _Settings()
    unknown = [
        InputIssue(document.locate(("formats", i)), json_path(("formats", i)), f"unknown format {name!r}; choose "
                   f"from {', '.join(known_formats)}")
        for i, name in enumerate(settings.formats or [])
        if name not in known_formats
    ]  # fmt: skip
    if unknown:
        raise InputError(unknown)
    base = path.parent

    def resolved(value: str | None) -> Path | None:
        return None if value is None else base / value

    return ProjectSettings(
        file=path,
        paths=[base / p for p in settings.paths],
        policies=[base / p for p in settings.policies],
        config=resolved(settings.config),
        waivers=resolved(settings.waivers),
        baseline=resolved(settings.baseline),
        formats=settings.formats,
        out=resolved(settings.out),
        fail_on=settings.fail_on,
    )
