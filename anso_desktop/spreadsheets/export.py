"""Writing tables to .xlsx: one sheet per table, as a person is glad to open it — bold frozen
header, filters, sensible widths, real dates and numbers — and as the importer reads it back.

Exports stream through the project's own writer (`xlsx_writer.py`): rows go straight into the
zip as they are read, so a sheet of any length costs the same memory, and text is always an
inline string, so a name starting with "=" can never become a formula. Only the empty template
(`export_template`, with its drop-down lists and data validation) is written with XlsxWriter.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from anso_desktop.countries import all_countries
from anso_desktop.errors import UserError
from anso_desktop.services import Services
from anso_desktop.services.base import ListQuery
from anso_desktop.spreadsheets.xlsx_writer import RATE_FORMAT, WorkbookWriter
from anso_desktop.tables import BUDGET_SUMMARY, TABLES, Column, TableSpec, ValueKind
from anso_desktop.tables.formatting import format_list

DATE_FORMAT = "d mmm yyyy"
MONEY_FORMAT = "#,##0.00"
#: Report progress every this many rows.
PROGRESS_EVERY = 1000

ProgressCallback = Callable[[int, int, str], None]


@dataclass
class ExportReport:
    path: Path
    #: Rows written per table (what an import of the file reads back).
    rows: dict[str, int] = field(default_factory=dict)
    #: Rows of the "History" sheet, when asked for (output only, like the budget summary).
    history_rows: int = 0
    #: Rows of the "Budget summary" sheet (output only: not a table, not counted in `total`).
    summary_rows: int = 0

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def fetch_rows(
    services: Services, spec: TableSpec, query: ListQuery | None = None
) -> Iterator[Any]:
    """Every record of a table under `query`'s search and filters, streamed in one read."""
    if spec.name == "contacts":
        yield from services.organizations.all_contacts()
        return
    if spec.name == "aliases":
        yield from services.organizations.all_alias_records()
        return
    if spec.name == "budget-plan-lines":
        yield from services.budget_plans.all_lines()
        return
    yield from services.for_table(spec.name).iterate(query)


def count_rows(services: Services, spec: TableSpec, query: ListQuery | None = None) -> int:
    if spec.name == "contacts":
        return services.organizations.count_contacts()
    if spec.name == "aliases":
        return services.organizations.count_aliases()
    if spec.name == "budget-plan-lines":
        return services.budget_plans.count_lines()
    return services.for_table(spec.name).count(query)


class _Formats:
    def __init__(self, workbook: Any) -> None:
        self.header = workbook.add_format(
            {"bold": True, "bg_color": "#E8EEF4", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.date = workbook.add_format({"num_format": DATE_FORMAT, "align": "left"})
        self.money = workbook.add_format({"num_format": MONEY_FORMAT})
        self.rate = workbook.add_format({"num_format": RATE_FORMAT})
        self.wrap = workbook.add_format({"text_wrap": False})


def _write_header(sheet: Any, columns: Sequence[Column], formats: _Formats) -> None:
    for index, column in enumerate(columns):
        sheet.write_string(0, index, column.header, formats.header)
        kind_format = {ValueKind.MONEY: formats.money, ValueKind.RATE: formats.rate}.get(
            column.kind
        )
        width = max(column.width, len(column.header) + 2)
        sheet.set_column(index, index, min(width, 60), kind_format)
    sheet.freeze_panes(1, 0)


_KINDS = {
    ValueKind.DATE: "date",
    ValueKind.MONEY: "money",
    ValueKind.INTEGER: "number",
    ValueKind.RATE: "rate",
}


def _cell_value(column: Column) -> Callable[[Any], Any]:
    """A record's value for this column, as the cell holds it (labels for choices and
    countries, lists joined with "; "); chosen once per column, not per cell."""
    value_of = column.value
    if column.kind in (ValueKind.CHOICE, ValueKind.COUNTRY):
        display = column.display
        return lambda record: v if (v := value_of(record)) is None else display(v)
    if column.kind is ValueKind.LIST:
        return lambda record: format_list(value_of(record) or ())
    return value_of


def _sheet_rows(
    services: Services, spec: TableSpec, query: ListQuery | None
) -> Iterator[Sequence[Any]]:
    """Every row of a table's sheet, as the cells hold the values, in the order of its columns.

    Where every column is a column of the table itself (or has an SQL expression here), one
    streamed select of just those columns is read as plain rows: building the ORM records cost
    more than writing the whole sheet. Otherwise the records are read and each cell taken from
    its record.
    """
    columns = spec.sheet_columns
    statement = _plain_statement(services, spec, query)
    if statement is None:
        cells = [_cell_value(column) for column in columns]
        for record in fetch_rows(services, spec, query):
            yield [cell(record) for cell in cells]
        return
    # Choices and countries have few values: each label is made once, then looked up.
    shown = [
        (index, _Labels(column.display))
        for index, column in enumerate(columns)
        if column.kind in (ValueKind.CHOICE, ValueKind.COUNTRY)
    ]
    with services.database.transaction() as session:
        result = session.execute(statement.execution_options(yield_per=2000))
        for partition in result.partitions():
            for plain in partition:
                row = list(plain)
                for index, labels in shown:
                    if (value := row[index]) is not None:
                        row[index] = labels[value]
                yield row


class _Labels(dict[Any, str]):
    """A column's label of each value, made on first sight."""

    def __init__(self, display: Callable[[Any], str]) -> None:
        super().__init__()
        self._display = display

    def __missing__(self, value: Any) -> str:
        label = self[value] = self._display(value)
        return label


def _plain_statement(services: Services, spec: TableSpec, query: ListQuery | None) -> Any:
    """The select of a sheet's columns in the list's order under `query`, or None when a column
    needs its record (a getter reading a relationship, a list)."""
    from sqlalchemy import String, cast
    from sqlalchemy.orm import ColumnProperty

    from anso_desktop.storage.models import BoardMeeting, Decision, Organization

    if spec.name in ("contacts", "aliases", "budget-plan-lines"):
        return None
    service = services.for_table(spec.name)
    model = service.model
    expressions: list[Any] = []
    joins: list[tuple[Any, Any]] = []
    for column in spec.sheet_columns:
        attribute = getattr(model, column.key, None)
        if (
            column.getter is None
            and column.kind is not ValueKind.LIST
            and isinstance(getattr(attribute, "property", None), ColumnProperty)
        ):
            expressions.append(attribute)
        elif model is Organization and column.key == "endorsement":
            # "4.3": decision 3 of the 4th board meeting (what `_endorsing_decision` writes).
            expressions.append(
                cast(BoardMeeting.number, String) + "." + cast(Decision.number, String)
            )
            joins += [
                (Decision, Organization.endorsement_decision_id == Decision.id),
                (BoardMeeting, Decision.board_meeting_id == BoardMeeting.id),
            ]
        else:
            return None
    query = query or ListQuery()
    statement = service.filtered(query).with_only_columns(*expressions).select_from(model)
    for target, condition in joins:
        statement = statement.outerjoin(target, condition)
    return service.in_order(statement, query)


def export_workbook(
    services: Services,
    path: Path,
    tables: Sequence[str] | None = None,
    queries: dict[str, ListQuery] | None = None,
    progress: ProgressCallback | None = None,
    *,
    with_history: bool = False,
) -> ExportReport:
    """Write the named tables (all of them by default), each under its query, to `path`.

    The file is written beside its final name and moved into place when complete, so a failed
    or cancelled export never leaves half a workbook.
    """
    path = Path(path)
    names = list(tables or TABLES)
    unknown = [name for name in names if name not in TABLES]
    if unknown:
        raise UserError(f"Unknown table {', '.join(unknown)}; the tables are {', '.join(TABLES)}.")
    if path.suffix.lower() != ".xlsx":
        raise UserError(f"{path.name}: exports are .xlsx workbooks; name the file ….xlsx.")
    if not path.parent.is_dir():
        raise UserError(f"The folder {path.parent} does not exist.")
    queries = queries or {}
    report = ExportReport(path=path)
    specs = [TABLES[name] for name in names]
    totals = {spec.name: count_rows(services, spec, queries.get(spec.name)) for spec in specs}
    grand_total = sum(totals.values())
    done = 0
    handle, temporary_name = tempfile.mkstemp(prefix=".export-", suffix=".xlsx", dir=path.parent)
    os.close(handle)
    temporary = Path(temporary_name)
    try:
        workbook = WorkbookWriter(temporary)
        for spec in specs:
            columns = spec.sheet_columns
            sheet = workbook.add_sheet(
                spec.sheet,
                [column.header for column in columns],
                [min(max(column.width, len(column.header) + 2), 60) + 0.7 for column in columns],
                [_KINDS.get(column.kind, "text") for column in columns],
            )
            for row in _sheet_rows(services, spec, queries.get(spec.name)):
                sheet.add_row(row)
                done += 1
                if progress is not None and done % PROGRESS_EVERY == 0:
                    progress(done, grand_total, f"Writing {spec.sheet}…")
            workbook.finish_sheet(sheet)
            report.rows[spec.name] = sheet.rows
        if tables is None:
            report.summary_rows = _write_budget_summary(services, workbook)
        if with_history:
            report.history_rows = _write_history(services, workbook)
        workbook.close()
        os.replace(temporary, path)
    except PermissionError:
        raise UserError(f"{path} cannot be written: is it open in Excel?") from None
    finally:
        temporary.unlink(missing_ok=True)
    if progress is not None:
        progress(grand_total, grand_total, "Done")
    return report


HISTORY_HEADERS = (
    "Change set", "When", "Who", "Login", "Source", "Table", "Record", "Action", "Field",
    "Old value", "New value",
)  # fmt: skip


def _write_history(services: Services, workbook: WorkbookWriter) -> int:
    """Every change, oldest first, a row per field changed: what the Governing Board may ask."""
    kinds = [
        "number",
        "text",
        "text",
        "text",
        "text",
        "text",
        "text",
        "text",
        "text",
        "text",
        "text",
    ]
    widths = [11, 18, 18, 14, 30, 16, 10, 8, 18, 30, 30]
    sheet = workbook.add_sheet("History", list(HISTORY_HEADERS), widths, kinds)
    for change_set, change in services.history.every_change():
        when = f"{change_set.local_time:%Y-%m-%d %H:%M:%S}"
        head = [change_set.id, when, change_set.who, change_set.login, change_set.source]
        record = change.record if isinstance(change.record, int) else str(change.record)
        fields = change.fields.items() or [("", (None, None))]
        for name, (old, new) in fields:
            sheet.add_row(
                [*head, change.table, record, change.action, name, _text(old), _text(new)]
            )
    workbook.finish_sheet(sheet)
    return sheet.rows


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def budget_summary_rows(services: Services) -> Iterator[tuple[list[Any], bool]]:
    """Budget against actual of every year with a budget or expenditure, oldest first: a line per
    category and currency, then a "Total CNY" row per currency (never added across currencies);
    each row with whether it is a total."""
    for year in sorted(services.finances.years()):
        summary = services.finances.budget_vs_actual(year)
        for currency in summary.currencies:
            for line in summary.lines_in(currency):
                yield [year, *(cell(line) for cell in _SUMMARY_CELLS)], False
            yield [year, *(cell(summary.total_in(currency)) for cell in _SUMMARY_CELLS)], True


#: The budget summary's columns after "Year": currency first, as the rows are grouped.
_SUMMARY_COLUMNS = (
    BUDGET_SUMMARY.column("currency"),
    BUDGET_SUMMARY.column("category"),
    *(c for c in BUDGET_SUMMARY.sheet_columns if c.key not in ("currency", "category")),
)
_SUMMARY_CELLS = [column.value for column in _SUMMARY_COLUMNS]


def _write_budget_summary(services: Services, workbook: WorkbookWriter) -> int:
    """The "Budget summary" sheet, for reading only: the importer reads sheets named after a
    table, and this is none, so a whole-database workbook still imports as it was exported."""
    kinds = {ValueKind.MONEY: "money", ValueKind.PERCENT: "percent"}
    sheet = workbook.add_sheet(
        BUDGET_SUMMARY.sheet,
        ["Year", *(column.header for column in _SUMMARY_COLUMNS)],
        [7.7, *(min(max(c.width, len(c.header) + 2), 60) + 0.7 for c in _SUMMARY_COLUMNS)],
        ["number", *(kinds.get(column.kind, "text") for column in _SUMMARY_COLUMNS)],
    )
    # "% used" is a percentage of 100 (93.75); a cell formatted as a percentage holds 0.9375.
    percents = [i for i, c in enumerate(_SUMMARY_COLUMNS, start=1) if c.kind is ValueKind.PERCENT]
    for row, total in budget_summary_rows(services):
        for index in percents:
            if row[index] is not None:
                row[index] = row[index] / 100
        sheet.add_row(row, bold=total)
    workbook.finish_sheet(sheet)
    return sheet.rows


def export_template(path: Path, table: str) -> Path:
    """An empty sheet with the table's headers and drop-down lists for its choices and
    countries: what a partner fills in to send members, meetings or a budget."""
    from anso_desktop.tables.specs import TABLES as specs

    if table not in specs:
        raise UserError(f"Unknown table {table}; the tables are {', '.join(specs)}.")
    path = Path(path)
    if not path.parent.is_dir():
        raise UserError(f"The folder {path.parent} does not exist.")
    spec = specs[table]
    import xlsxwriter

    handle, temporary_name = tempfile.mkstemp(prefix=".template-", suffix=".xlsx", dir=path.parent)
    os.close(handle)
    temporary = Path(temporary_name)
    try:
        _write_template(xlsxwriter, temporary, spec)
        os.replace(temporary, path)
    except PermissionError:
        raise UserError(f"{path} cannot be written: is it open in Excel?") from None
    finally:
        temporary.unlink(missing_ok=True)
    return path


def _write_template(xlsxwriter: Any, path: Path, spec: TableSpec) -> None:
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    formats = _Formats(workbook)
    sheet = workbook.add_worksheet(spec.sheet)
    lists = workbook.add_worksheet("Lists")
    columns = spec.sheet_columns
    _write_header(sheet, columns, formats)
    list_column = 0
    for index, column in enumerate(columns):
        choices: list[str] = []
        if column.kind is ValueKind.CHOICE and column.choices is not None:
            choices = column.choices.labels()
        elif column.kind is ValueKind.COUNTRY:
            choices = [name for _, name in all_countries()]
        if choices:
            lists.write_string(0, list_column, column.header, formats.header)
            for offset, choice in enumerate(choices, start=1):
                lists.write_string(offset, list_column, choice)
            letter = xlsxwriter.utility.xl_col_to_name(list_column)
            sheet.data_validation(
                1,
                index,
                5000,
                index,
                {
                    "validate": "list",
                    "source": f"=Lists!${letter}$2:${letter}${len(choices) + 1}",
                    "error_title": column.header,
                    "error_message": f"Choose one of the {column.header.lower()} values in the list.",
                },
            )
            list_column += 1
        elif column.kind is ValueKind.DATE:
            sheet.data_validation(
                1,
                index,
                5000,
                index,
                {
                    "validate": "date",
                    "criteria": ">",
                    "value": date(1900, 1, 1),
                    "error_message": "Enter a date.",
                },
            )
        elif column.kind is ValueKind.RATE:
            sheet.data_validation(
                1,
                index,
                5000,
                index,
                {
                    "validate": "decimal",
                    "criteria": ">",
                    "value": 0,
                    "error_message": "Enter a rate (more than 0, at most six decimals).",
                },
            )
        elif column.kind is ValueKind.MONEY:
            sheet.data_validation(
                1,
                index,
                5000,
                index,
                {
                    "validate": "decimal",
                    "criteria": ">=",
                    "value": 0,
                    "error_message": "Enter an amount (0 or more).",
                },
            )
    lists.hide()
    sheet.autofilter(0, 0, 1, len(columns) - 1)
    workbook.close()
