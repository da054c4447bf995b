"""Finding the header row of a sheet and which column is which, however people spell them.

The header is the row, among the first few, that names the most of the table's columns; title
rows and blank rows above it are skipped. Headers match ignoring case, spacing and punctuation,
and through each column's synonyms (the annual report's "Date(s)", "Event(s)", "Main
Organizer(s)"...). A list column may be named by several headers ("Host(s)" and
"Co-organizer(s)" both hold organizers): all of them are kept, in the sheet's order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from anso_desktop.tables import Column, TableSpec, ValueKind

HEADER_SEARCH_ROWS = 30


def fold_header(text: Any) -> str:
    """ "Main Organizer(s)" -> "mainorganizers": what two spellings of a header share."""
    return re.sub(r"[^0-9a-z]+", "", str(text).casefold())


def header_names(spec: TableSpec) -> dict[str, Column]:
    """Every folded spelling that names a column of the table (synonyms included)."""
    names: dict[str, Column] = {}
    for column in spec.sheet_columns:
        for spelling in (column.header, column.key, *column.synonyms):
            names.setdefault(fold_header(spelling), column)
    return names


@dataclass
class HeaderMatch:
    #: Index (0-based) of the header row in the sheet's rows.
    row: int
    #: Sheet column index -> the table column it holds, in the sheet's order. A LIST column may
    #: appear at several indexes (its values are joined in that order); any other only once.
    columns: dict[int, Column]
    #: Headers that name no column: (sheet column index, header as written).
    unknown: list[tuple[int, str]] = field(default_factory=list)
    #: Headers naming a non-list column already matched by an earlier one: (index, header).
    repeated: list[tuple[int, str]] = field(default_factory=list)

    @property
    def keys(self) -> set[str]:
        return {column.key for column in self.columns.values()}

    def positions(self, key: str) -> list[int]:
        """The sheet column indexes holding the column `key`, left to right (empty if none)."""
        return [position for position, column in self.columns.items() if column.key == key]


def find_header(
    rows: Sequence[Sequence[Any]],
    spec: TableSpec,
    mapping: Mapping[str, str | None] | None = None,
) -> HeaderMatch | None:
    """The header row and its columns; None when no row names at least one column of the table.

    `mapping` (from the import wizard, remembered between imports) maps a header as written to
    a column key, or to None to ignore that column.
    """
    names = header_names(spec)
    by_key = {column.key: column for column in spec.sheet_columns}
    chosen = {fold_header(header): key for header, key in (mapping or {}).items()}
    best: HeaderMatch | None = None
    best_score = 0
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        match = HeaderMatch(row=index, columns={})
        score = 0
        for position, cell in enumerate(row):
            if cell is None or not str(cell).strip():
                continue
            folded = fold_header(cell)
            if folded in chosen:
                key = chosen[folded]
                column = by_key.get(key) if key else None
                if column is None:
                    continue  # told to ignore it
            else:
                column = names.get(folded)
            if column is None:
                match.unknown.append((position, str(cell).strip()))
            elif column.key not in match.keys:
                match.columns[position] = column
                score += 2 if column.required else 1
            elif column.kind is ValueKind.LIST:  # one more part of the list (not scored again)
                match.columns[position] = column
            else:
                match.repeated.append((position, str(cell).strip()))
        if score > best_score:
            best, best_score = match, score
    return best


def year_in(texts: Sequence[Any]) -> int | None:
    """A year named in a sheet's name or the title rows above its header ("Meetings 2021")."""
    for text in texts:
        if text is None:
            continue
        found = re.search(r"\b(19[5-9]\d|20\d\d)\b", str(text))
        if found:
            return int(found.group(1))
    return None
