"""Reading an import's sheets: which sheets hold which table, the header under any title rows,
and every row's cells as their columns' types. Nothing here touches the database."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Any

from anso_desktop.errors import UserError
from anso_desktop.spreadsheets import cells
from anso_desktop.spreadsheets.cells import CellError
from anso_desktop.spreadsheets.headers import HeaderMatch, find_header, fold_header, year_in
from anso_desktop.spreadsheets.reading import Sheet, WorkbookError, read_sheet, read_sheets
from anso_desktop.spreadsheets.report import ImportReport
from anso_desktop.tables import TABLES, Column, TableSpec, ValueKind


@dataclass(frozen=True)
class ImportOptions:
    #: Which table the file holds; None: every sheet named like a table (a whole-database export).
    table: str | None = None
    sheet: str | None = None
    #: The year for dates written without one (the report's "4.21-23").
    year: int | None = None
    dry_run: bool = False
    #: Header as written -> column key (None: ignore it), from the wizard's mapping step.
    mapping: Mapping[str, str | None] = field(default_factory=dict)
    #: Rows that may be a record already there (a weak or ambiguous likely match) are imported
    #: as new records instead of being left for a person to decide.
    new_if_unsure: bool = False
    #: A row -> the id of the record it is (`--match ROW=ID`, the wizard's "same as ..."). The
    #: row is (sheet, row number), or (None, row number) for that row of any sheet.
    matches: Mapping[tuple[str | None, int], int] = field(default_factory=dict)
    #: Rows a person said are new records, whatever they look like: (sheet, row number).
    new_rows: frozenset[tuple[str, int]] = frozenset()

    def match_of(self, sheet: str, row: int) -> int | None:
        found = self.matches.get((sheet, row))
        return found if found is not None else self.matches.get((None, row))


@dataclass(slots=True)
class ParsedRow:
    number: int  # as the spreadsheet numbers it (1-based)
    values: dict[str, Any]
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column header, message)


@dataclass
class ParsedSheet:
    spec: TableSpec
    sheet: str
    header: HeaderMatch
    rows: list[ParsedRow]
    #: Column key -> how the problems name it: the sheet's own header, with the column's name
    #: in brackets where they differ ("Date(s) [Start date]").
    names: dict[str, str] = field(default_factory=dict)

    def header_of(self, key: str) -> str:
        return self.names.get(key) or header_of(self.spec, key)


# --- reading the rows --------------------------------------------------------------------------


def _cell_reader(
    column: Column, year: int | None, day_first: bool | None = None
) -> Callable[[Any], Any]:
    """The parser of one column's cells, chosen once per sheet rather than once per cell."""
    kind = column.kind
    if kind in (ValueKind.TEXT, ValueKind.LONG_TEXT):
        return cells.text
    if kind is ValueKind.INTEGER:
        return cells.integer
    if kind is ValueKind.DATE:
        # (start, end): callers take what they need
        return partial(cells.date_range, year=year, day_first=day_first)
    if kind is ValueKind.MONEY:
        return cells.money
    if kind is ValueKind.RATE:
        return _rate
    if kind is ValueKind.CHOICE:
        assert column.choices is not None
        return _remembered(partial(cells.choice, choices=column.choices))
    if kind is ValueKind.COUNTRY:
        return _remembered(cells.country)
    if kind is ValueKind.LIST:
        return cells.names
    return lambda value: None


_RATE_QUANTUM = Decimal("0.000001")


def _rate(value: Any) -> Decimal | None:
    """An exchange rate, exact to six decimals. A float is taken at its shortest decimal form, so
    the 6.4515 a sheet holds reads as Decimal("6.4515"), not as the double nearest it; one a hair
    off six decimals (a rate Excel computed) is rounded. Above zero is the service's check."""
    if cells.is_blank(value):
        return None
    if isinstance(value, bool) or (isinstance(value, int | float) and not abs(value) < 1e13):
        raise CellError(f"'{value}' is not a rate (or too large)")  # inf and nan too
    written = repr(value) if isinstance(value, float) else str(value).strip()
    try:
        found = Decimal(re.sub(r"[\s,]", "", written))
    except InvalidOperation:
        raise CellError(f"'{written}' is not a rate") from None
    if not found.is_finite() or found.adjusted() >= 13:
        raise CellError(f"'{written}' is not a rate (or too large)")
    near = abs(found - found.quantize(_RATE_QUANTUM)) < Decimal("1e-12")
    if isinstance(value, float) and near and found.as_tuple().exponent < -6:  # type: ignore[operator]
        found = found.quantize(_RATE_QUANTUM)
    if found.normalize().as_tuple().exponent < -6:  # type: ignore[operator]
        raise CellError(f"'{written}' has more than six decimals")
    return found


def _remembered(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`parse`, looked up once per distinct text: a column of statuses or countries repeats a
    few texts down thousands of rows. Only text is remembered (True == 1 == 1.0 as keys, yet
    they read differently), and only texts that parse: a refusal is raised again each time."""
    known: dict[str, Any] = {}

    def read(value: Any) -> Any:
        if type(value) is not str:
            return parse(value)
        try:
            return known[value]
        except KeyError:
            found = known[value] = parse(value)
            return found

    return read


def _is_blank_row(raw: list[Any]) -> bool:
    for value in raw:
        if value is not None and value != "" and not cells.is_blank(value):
            return False
    return True


def parse_sheet(
    spec: TableSpec,
    sheet: Sheet,
    options: ImportOptions,
    report: ImportReport,
    *,
    allow_empty: bool = False,
) -> ParsedSheet:
    header = find_header(sheet.rows, spec, options.mapping)
    if header is None or not header.columns:
        expected = ", ".join(c.header for c in spec.sheet_columns[:5])
        raise WorkbookError(
            f"Sheet '{sheet.name}' has no header row naming the {spec.title.lower()} columns "
            f"(such as {expected})."
        )
    for column in spec.sheet_columns:
        if column.required and column.key not in header.keys:
            also = (
                f" (or {', '.join(repr(s) for s in column.synonyms[:3])})"
                if column.synonyms
                else ""
            )
            raise WorkbookError(
                f"Sheet '{sheet.name}' has no '{column.header}' column{also}, which "
                f"{spec.title.lower()} need."
            )
    for _, text in header.unknown:
        report.warnings.append(
            f"Sheet '{sheet.name}': the column '{text}' is not known and was ignored."
        )
    for _, text in header.repeated:
        report.warnings.append(
            f"Sheet '{sheet.name}': the column '{text}' repeats another one and was ignored."
        )
    year = options.year or year_in(
        [sheet.name, *(c for row in sheet.rows[: header.row] for c in row)]
    )
    parsed: list[ParsedRow] = []
    rows = sheet.rows
    names = _written_headers(rows[header.row], header)
    body = range(header.row + 1, len(rows))
    columns = [
        (
            position,
            column.key,
            names[column.key],
            _cell_reader(column, year, _day_first(rows, body, position, column)),
            [] if column.kind is ValueKind.LIST else None,
            column.kind is ValueKind.LIST and len(header.positions(column.key)) > 1,
        )
        for position, column in header.columns.items()
    ]
    dated = [(p, names[c.key]) for p, c in header.columns.items() if c.kind is ValueKind.DATE]
    for index in body:
        raw = rows[index]
        if _is_blank_row(raw):
            continue
        values: dict[str, Any] = {}
        errors: list[tuple[str, str]] = []
        width = len(raw)
        for position, key, header_text, read, blank, joined in columns:
            value = raw[position] if position < width else None
            if value is None or value == "":  # most cells of a wide sheet: skip the parser
                if not joined or key not in values:
                    values[key] = blank if blank is None else []
                continue
            try:
                found = read(value)
            except CellError as error:
                errors.append((header_text, str(error)))
                continue
            if joined and values.get(key):  # "Host(s)" then "Co-organizer(s)": one list
                values[key] = [*values[key], *found]
            else:
                values[key] = found
        for position, header_text in dated:
            if position < width and cells.is_month_only(raw[position]):
                report.warnings.append(
                    f"Sheet '{sheet.name}', row {index + 1}, column '{header_text}': "
                    f"'{raw[position]}' names a month only; read as the whole month."
                )
        parsed.append(ParsedRow(index + 1, values, errors))
    if not parsed and not allow_empty:
        raise WorkbookError(f"Sheet '{sheet.name}' has no rows under its header.")
    return ParsedSheet(spec=spec, sheet=sheet.name, header=header, rows=parsed, names=names)


def _written_headers(header_row: Sequence[Any], header: HeaderMatch) -> dict[str, str]:
    """Each matched column as the problems name it: the sheet's own header ("Date(s)"), with the
    column's name in brackets where the two differ ("Date(s) [Start date]")."""
    names: dict[str, str] = {}
    for position, column in header.columns.items():
        if column.key in names:
            continue
        written = " ".join(str(header_row[position]).split()) if position < len(header_row) else ""
        same = fold_header(written) == fold_header(column.header) or not written
        names[column.key] = column.header if same else f"{written} [{column.header}]"
    return names


def _day_first(
    rows: Sequence[Sequence[Any]], body: range, position: int, column: Column
) -> bool | None:
    """Whether a date column writes the day first (15/03/2022), as its cells show."""
    if column.kind is not ValueKind.DATE:
        return None
    return cells.day_first_in(row[position] for index in body if position < len(row := rows[index]))


def _sheets_to_import(path: Path, options: ImportOptions) -> list[tuple[TableSpec, Sheet]]:
    if options.table is not None:
        if options.table not in TABLES:
            raise UserError(f"Unknown table '{options.table}'; the tables are {', '.join(TABLES)}.")
        spec = TABLES[options.table]
        if options.sheet is None and path.suffix.lower() != ".csv":
            from anso_desktop.spreadsheets.reading import sheet_names

            names = sheet_names(path)
            same = [n for n in names if n.casefold() == spec.sheet.casefold()]
            return [(spec, read_sheet(path, same[0] if same else None))]
        return [(spec, read_sheet(path, options.sheet))]
    sheets = {sheet.name.casefold(): sheet for sheet in read_sheets(path)}
    chosen = [
        (spec, sheets[spec.sheet.casefold()])
        for spec in TABLES.values()
        if spec.sheet.casefold() in sheets
    ]
    if not chosen:
        raise WorkbookError(
            f"{path.name} has no sheet named after a table ({', '.join(s.sheet for s in TABLES.values())}); "
            "say which table it holds with --table."
        )
    return chosen


def read_for_import(path: Path, options: ImportOptions, report: ImportReport) -> list[ParsedSheet]:
    parsed = []
    for spec, sheet in _sheets_to_import(path, options):
        # In a whole-database workbook an empty table is just empty; a file for one table is not.
        try:
            parsed.append(
                parse_sheet(spec, sheet, options, report, allow_empty=options.table is None)
            )
        except WorkbookError as error:
            raise WorkbookError(f"{path.name}: {error.message}") from None
        report.tables.append(spec.name)
    return parsed


def header_of(spec: TableSpec, key: str) -> str:
    for column in spec.sheet_columns:
        if column.key == key:
            return column.header
    aliases = {
        "board_meeting_id": "board_meeting",
        "organization_ids": "organizations",
        "partner_id": "partner",
        "fund_id": "fund",
    }
    if key in aliases:
        return header_of(spec, aliases[key])
    return key.replace("_", " ").capitalize() if key else ""
