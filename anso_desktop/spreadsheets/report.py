"""What an import found and did, row by row: the command line prints it (or its JSON), the
wizard shows it as a preview."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class Outcome(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass(frozen=True)
class RowIssue:
    sheet: str
    row: int
    column: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = f"{self.sheet}, row {self.row}" + (
            f", column '{self.column}'" if self.column else ""
        )
        return f"{where}: {self.message}"


@dataclass
class RowResult:
    sheet: str
    row: int
    #: How the row is named to people (its name, title, or key).
    label: str
    outcome: Outcome
    messages: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    file: Path
    tables: list[str] = field(default_factory=list)
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows: list[RowResult] = field(default_factory=list)
    dry_run: bool = False
    #: Whether the rows were written (no errors, not a dry run, not cancelled).
    written: bool = False
    backup: Path | None = None

    def count(self, outcome: Outcome) -> int:
        return sum(1 for row in self.rows if row.outcome is outcome)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "table": self.tables[0] if len(self.tables) == 1 else self.tables,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [issue.to_dict() for issue in self.errors],
            "warnings": self.warnings,
            "dry_run": self.dry_run,
            "written": self.written,
        }

    def summary(self) -> str:
        verb = "would be" if not self.written else "were"
        lines = [
            f"{self.file.name}: {self.inserted} new, {self.updated} changed, "
            f"{self.unchanged} unchanged rows {verb} imported"
            + ("" if self.written else " (nothing was written)")
            + "."
        ]
        lines += [f"Warning: {warning}" for warning in self.warnings]
        lines += [f"Error: {issue}" for issue in self.errors]
        return "\n".join(lines)
