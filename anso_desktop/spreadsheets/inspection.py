"""What the import wizard shows of a file before anything is written, without Qt: each sheet's
header with samples of its columns, the preview rows with their problems and matches, and the
lines that sum an import up. The wizard draws these; tests read them without a window.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from anso_desktop.spreadsheets.cells import is_blank
from anso_desktop.spreadsheets.headers import (
    HEADER_SEARCH_ROWS,
    find_header,
    fold_header,
    header_names,
    year_in,
)
from anso_desktop.spreadsheets.reading import WorkbookError, read_sheet
from anso_desktop.spreadsheets.report import ImportReport, Outcome
from anso_desktop.tables import TableSpec

#: Values shown under each header, and how far down to look for them.
SAMPLES = 3
SAMPLE_ROWS = 200
RowKey = tuple[str, int]


def counts_text(counts: Mapping[Outcome, int]) -> str:
    """ "120 new, 3 changed, 40 unchanged, 2 errors": the line the preview and the end share
    (with the undecided rows, when there are any)."""
    errors = counts.get(Outcome.ERROR, 0)
    undecided = counts.get(Outcome.UNDECIDED, 0)
    return (
        f"{counts.get(Outcome.NEW, 0):,} new, {counts.get(Outcome.CHANGED, 0):,} changed, "
        f"{counts.get(Outcome.UNCHANGED, 0):,} unchanged, "
        + (f"{undecided:,} undecided, " if undecided else "")
        + f"{errors:,} error{'' if errors == 1 else 's'}"
    )


def imported_text(report: ImportReport) -> str:
    """What the window says once an import is written."""
    text = (
        f"{report.file.name} was imported: {report.inserted:,} new, {report.updated:,} changed, "
        f"{report.unchanged:,} unchanged."
    )
    if report.aliases_added:
        names = "name was" if report.aliases_added == 1 else "names were"
        text += (
            f" {report.aliases_added:,} other {names} kept, so the next file that writes them "
            "so is matched at once."
        )
    if report.backup is not None:
        text += f"\n\nThe database as it was before the import is saved in\n{report.backup}"
    return text


@dataclass(frozen=True)
class HeaderCell:
    position: int
    #: The header as written in the file.
    text: str
    #: A few values under it, as text: what tells the user what the column holds.
    samples: tuple[str, ...]
    #: The column its spelling names (header, key or synonym); None when not recognised.
    known: str | None


@dataclass(frozen=True)
class SheetLook:
    """What the mapping step needs from one sheet. The rows themselves are not kept."""

    sheet: str
    header_row: int  # 0-based
    headers: tuple[HeaderCell, ...]
    #: Whether any header named a column of the table (else the busiest row is taken).
    recognised: bool
    #: A year named in the sheet's name or its title rows, for dates written without one.
    year: int | None


def _sample(value: Any) -> str:
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    return text if len(text) <= 40 else text[:39] + "…"


def look_at_sheet(
    path: Path, sheet: str | None, spec: TableSpec, mapping: Mapping[str, str | None]
) -> SheetLook:
    """Find the header row of `sheet` and what each header names; WorkbookError if the sheet
    cannot be read or holds no rows."""
    read = read_sheet(path, sheet)
    rows = read.rows
    match = find_header(rows, spec, mapping)
    if match is not None:
        header_row = match.row
    else:  # no header names a column: offer the busiest row, for the user to match by hand
        filled = [sum(not is_blank(c) for c in row) for row in rows[:HEADER_SEARCH_ROWS]]
        if not filled or max(filled) == 0:
            raise WorkbookError(f"Sheet '{read.name}' of {path.name} is empty.")
        header_row = filled.index(max(filled))
    below = rows[header_row + 1 :]
    if not any(not is_blank(value) for row in below for value in row):
        raise WorkbookError(f"Sheet '{read.name}' has no rows under its header.")
    names = header_names(spec)
    headers = []
    for position, cell in enumerate(rows[header_row]):
        if is_blank(cell):
            continue
        samples: list[str] = []
        for row in below[:SAMPLE_ROWS]:
            value = row[position] if position < len(row) else None
            if not is_blank(value):
                samples.append(_sample(value))
                if len(samples) == SAMPLES:
                    break
        text = str(cell).strip()
        known = names.get(fold_header(text))
        headers.append(HeaderCell(position, text, tuple(samples), known.key if known else None))
    year = year_in([read.name, *(c for row in rows[:header_row] for c in row)])
    return SheetLook(read.name, header_row, tuple(headers), match is not None, year)


def matched_note(report: ImportReport) -> dict[RowKey, str]:
    """What the preview says of a row taken as a record already there under another spelling."""
    notes = {}
    for matched in report.matched:
        name = matched.record.name
        if matched.reason == "chosen by hand":
            notes[(matched.sheet, matched.row)] = f"Same as “{name}”, as you chose"
        else:
            notes[(matched.sheet, matched.row)] = f"Matched “{name}”: {matched.reason}"
    return notes


@dataclass(frozen=True)
class PreviewRow:
    sheet: str
    row: int
    label: str
    outcome: Outcome
    details: str


def preview_rows(
    report: ImportReport, said_new: frozenset[tuple[str, int]] = frozenset()
) -> list[PreviewRow]:
    """The report's rows with each error's column and message; a row with any error (even one
    found after the row itself, such as an unknown endorsing decision) shows as an error. A row
    matched to a record under another spelling says which and why; `said_new`: the rows a person
    said are new."""
    notes = matched_note(report)
    notes.update({key: "New, as you chose" for key in said_new})
    problems: dict[tuple[str, int], list[str]] = {}
    for issue in report.errors:
        where = f"{issue.column}: " if issue.column else ""
        problems.setdefault((issue.sheet, issue.row), []).append(where + issue.message)
    shown: list[PreviewRow] = []
    seen: set[tuple[str, int]] = set()
    for result in report.rows:
        key = (result.sheet, result.row)
        seen.add(key)
        if key in problems:
            shown.append(
                PreviewRow(
                    result.sheet, result.row, result.label, Outcome.ERROR, "; ".join(problems[key])
                )
            )
        else:
            note = [notes[key]] if key in notes and result.outcome is not Outcome.UNDECIDED else []
            shown.append(
                PreviewRow(
                    result.sheet,
                    result.row,
                    result.label,
                    result.outcome,
                    "; ".join([*note, *result.messages]),
                )
            )
    for (sheet, row), found in problems.items():
        if (sheet, row) not in seen:
            shown.append(PreviewRow(sheet, row, "", Outcome.ERROR, "; ".join(found)))
    return shown
