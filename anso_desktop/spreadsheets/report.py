"""What an import found and did, row by row: the command line prints it (or its JSON), the
wizard shows it as a preview."""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, overload

from anso_desktop.services.matching import Candidate, RecordRef


class Outcome(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    #: Likely the same as a record already there, or new: a person decides.
    UNDECIDED = "undecided"
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


@dataclass(frozen=True)
class MatchedRow:
    """A row taken as a record already in the register, though its key differs, and why."""

    sheet: str
    row: int
    record: RecordRef
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "record": self.record.to_dict(),
            "reason": self.reason,
        }

    def __str__(self) -> str:
        return f"{self.sheet}, row {self.row}: matched '{self.record.name}': {self.reason}"


@dataclass(frozen=True)
class UndecidedRow:
    """A row that may be a record already there: a person says which, or that it is new."""

    sheet: str
    row: int
    label: str
    candidates: tuple[Candidate, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "candidates": [candidate.to_dict() for candidate in self.candidates],
        }

    def __str__(self) -> str:
        options = "; ".join(
            f"#{c.record.id} '{c.record.name}' ({c.reason})" for c in self.candidates
        )
        return f"{self.sheet}, row {self.row}: '{self.label}' may be {options}"


@dataclass
class RowResult:
    sheet: str
    row: int
    #: How the row is named to people (its name, title, or key).
    label: str
    outcome: Outcome
    messages: list[str] = field(default_factory=list)


_OUTCOMES = tuple(Outcome)
_OUTCOME_CODES = {outcome: code for code, outcome in enumerate(_OUTCOMES)}


class RowResults(Sequence[RowResult]):
    """Every row's outcome, kept compactly: an import of 100,000 rows keeps a row number, an
    outcome code and a label per row rather than an object each, and builds the `RowResult`s
    only when asked (the wizard's preview, the command line's details)."""

    def __init__(self) -> None:
        self._sheets: list[str] = []
        self._sheet_of: array[int] = array("I")  # index into _sheets: a sheet's name once
        self._numbers: array[int] = array("I")
        self._outcomes = bytearray()
        self._labels: list[str] = []
        self._messages: dict[int, list[str]] = {}  # only rows that have any (errors)

    def add(
        self,
        sheet: str,
        row: int,
        label: str,
        outcome: Outcome,
        messages: list[str] | None = None,
    ) -> None:
        if not self._sheets or self._sheets[-1] != sheet:
            self._sheets.append(sheet)
        if messages:
            self._messages[len(self._labels)] = messages
        self._sheet_of.append(len(self._sheets) - 1)
        self._numbers.append(row)
        self._outcomes.append(_OUTCOME_CODES[outcome])
        self._labels.append(label)

    def append(self, result: RowResult) -> None:
        self.add(result.sheet, result.row, result.label, result.outcome, result.messages)

    def __len__(self) -> int:
        return len(self._labels)

    def _result(self, index: int) -> RowResult:
        return RowResult(
            self._sheets[self._sheet_of[index]],
            self._numbers[index],
            self._labels[index],
            _OUTCOMES[self._outcomes[index]],
            list(self._messages.get(index, ())),
        )

    @overload
    def __getitem__(self, index: int) -> RowResult: ...

    @overload
    def __getitem__(self, index: slice) -> list[RowResult]: ...

    def __getitem__(self, index: int | slice) -> RowResult | list[RowResult]:
        if isinstance(index, slice):
            return [self._result(i) for i in range(len(self))[index]]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("row result index out of range")
        return self._result(index)

    def __iter__(self) -> Iterator[RowResult]:
        return (self._result(index) for index in range(len(self)))

    def count_of(self, outcome: Outcome) -> int:
        return self._outcomes.count(_OUTCOME_CODES[outcome])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RowResults | list):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        counts = ", ".join(f"{outcome.value}: {self.count_of(outcome)}" for outcome in _OUTCOMES)
        return f"RowResults({len(self)} rows; {counts})"


@dataclass
class ImportReport:
    file: Path
    tables: list[str] = field(default_factory=list)
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    matched: list[MatchedRow] = field(default_factory=list)
    undecided: list[UndecidedRow] = field(default_factory=list)
    rows: RowResults = field(default_factory=RowResults)
    #: Names rows were matched under, newly kept as aliases of their records.
    aliases_added: int = 0
    dry_run: bool = False
    #: Whether the rows were written (no errors, not a dry run, not cancelled).
    written: bool = False
    backup: Path | None = None

    def count(self, outcome: Outcome) -> int:
        return self.rows.count_of(outcome)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "table": self.tables[0] if len(self.tables) == 1 else self.tables,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [issue.to_dict() for issue in self.errors],
            "warnings": self.warnings,
            "matched": [row.to_dict() for row in self.matched],
            "undecided": [row.to_dict() for row in self.undecided],
            "dry_run": self.dry_run,
            "written": self.written,
            "backup": str(self.backup) if self.backup is not None else None,
        }

    @property
    def refused(self) -> bool:
        """Bad rows, or rows a person must decide: nothing is written."""
        return bool(self.errors or self.undecided)

    def summary(self) -> str:
        if self.refused:
            problems = []
            if self.errors:
                rows = len({(issue.sheet, issue.row) for issue in self.errors})
                problems.append(f"{rows} row{'s' if rows != 1 else ''} with problems")
            if self.undecided:
                count = len(self.undecided)
                problems.append(f"{count} row{'s' if count != 1 else ''} to decide")
            first = f"{self.file.name}: nothing was written: {' and '.join(problems)}."
        else:
            verb = "would be" if not self.written else "were"
            first = (
                f"{self.file.name}: {self.inserted} new, {self.updated} changed, "
                f"{self.unchanged} unchanged rows {verb} imported"
                + ("" if self.written else " (nothing was written)")
                + "."
            )
        lines = [first]
        lines += [f"Matched: {row}" for row in self.matched]
        lines += [f"Warning: {warning}" for warning in self.warnings]
        lines += [f"Error: {issue}" for issue in self.errors]
        lines += [f"Undecided: {row}" for row in self.undecided]
        if self.undecided:
            lines.append(
                "Say which record each undecided row is with --match ROW=ID, or import them as "
                "new records with --new-if-unsure."
            )
        if self.backup is not None:
            lines.append(f"The database was backed up first, to {self.backup}.")
        return "\n".join(lines)
