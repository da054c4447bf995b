"""What an import asks of each table, and what the rows of one import share.

The import engine (`spreadsheets/importer.py`) reads a sheet, maps its columns, checks and
matches each row and reports; it never touches the database itself. For each table, a
`TableImport` here (its subclasses live beside their area: `organization_import.py`,
`meeting_import.py`, `decision_import.py`, `finance_import.py`) says how a row is keyed, found,
matched to a likely record, built into the service's data and saved. `import_rules.py` lists them.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from itertools import chain
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from anso_desktop.errors import UserError
from anso_desktop.services import Services
from anso_desktop.services.matching import Candidate
from anso_desktop.services.money import currency_code
from anso_desktop.storage import history
from anso_desktop.storage.schema import ordered_uuids

#: A problem found once every row is in: (sheet, row, column key, message).
LateProblem = tuple[str, int, str, str]


class RowRefused(Exception):
    """A row the table refuses: the column (its key) and why."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


class DatabaseRefused(UserError):
    """The database refused rows the checks passed (its constraints guard every path)."""


def first_date(values: Mapping[str, Any], key: str) -> Any:
    """A date column's single date (cells are read as ranges)."""
    found = values.get(key)
    if isinstance(found, tuple):
        start, end = found
        if end != start:
            raise RowRefused(
                key, f"{start:%d %b %Y} – {end:%d %b %Y} is a range; one date is expected"
            )
        return start
    return found


def require(values: Mapping[str, Any], *keys: str) -> None:
    for key in keys:
        if values.get(key) in (None, ""):
            raise RowRefused(key, "missing")


def currency_of(values: Mapping[str, Any], key: str, default: str | None = None) -> str:
    """The ISO code of a currency cell ("RMB" and "yuan" read as CNY), part of a natural key."""
    text = values.get(key) or default
    if not text:
        raise RowRefused(key, "missing")
    try:
        return currency_code(text)
    except ValueError as error:
        raise RowRefused(key, str(error)) from None


class ImportSession:
    """What the rows of one import share: the services, the transaction's session, names
    already resolved, and the work left for when every row is in."""

    def __init__(self, services: Services, session: Session) -> None:
        self.services = services
        self.session = session
        self.endorsements: list[tuple[Any, str, int, str]] = []  # (organization, "4.3", row, sheet)
        #: Plans the file says are approved, approved once their lines are in: (id, on, row, sheet).
        self.approvals: list[tuple[int, date, int, str]] = []
        #: Names rows were matched under, kept as aliases once the rows are in: (record, name).
        self.aliases: list[tuple[Any, str]] = []

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """One row's writes, undone alone if the row is refused."""
        with self.session.begin_nested():
            yield

    def organization_id(self, name: str, column: str) -> int:
        found, candidates = self.services.organizations.find_by_reference(self.session, name)
        if found is None:
            maybe = "; ".join(f"'{c.record.name}' ({c.reason})" for c in candidates[:3])
            raise RowRefused(
                column,
                f"no organization is called '{name}'" + (f"; it may be {maybe}" if maybe else ""),
            )
        return found

    def board_meeting_id(self, number: int, column: str) -> int:
        found = self.services.board_meetings.id_of_number(self.session, number)
        if found is None:
            raise RowRefused(
                column,
                f"there is no board meeting number {number} (add it, or import its sheet first)",
            )
        return found

    def fund_id(self, name: str, column: str) -> int:
        found = self.services.funds.id_of_name(self.session, name)
        if found is None:
            raise RowRefused(column, f"there is no fund called '{name}'")
        return found


class TableImport:
    """How rows of one table are keyed, found, matched, compared and saved."""

    #: The table's name in the column specs ("members"), and how messages name one of its rows.
    table: str = ""
    noun: str = "record"
    #: The ORM model of the table's records (for `by_id`).
    model: Any = None
    #: What a matched row leaves as the register has it: its own spelling of the name is kept
    #: as an alias, not written over the record's.
    kept_on_match: tuple[str, ...] = ()
    #: Tables that can hold many thousands of rows are imported in bulk: one look-up for all
    #: existing records, checks that need no database, and one flush at the end.
    bulk = False

    def key(self, values: dict[str, Any]) -> Hashable:
        raise NotImplementedError

    def label(self, values: dict[str, Any]) -> str:
        raise NotImplementedError

    def find(self, context: ImportSession, key: Hashable) -> Any:
        raise NotImplementedError

    def data_of(self, record: Any) -> Any:
        raise NotImplementedError

    def build(self, context: ImportSession, values: dict[str, Any], current: Any) -> Any:
        """The data to save: `current` (the existing record's data, or defaults) with the
        sheet's columns put in."""
        raise NotImplementedError

    def comparable(self, data: Any) -> Any:
        return data

    def likely(
        self, context: ImportSession, values: dict[str, Any], key: Hashable = None
    ) -> list[Candidate]:
        """Records the row may be though its key finds none, best first (the service's rules);
        `key`: the row's natural key."""
        return []

    def by_id(self, context: ImportSession, record_id: int) -> Any:
        """The record a person said the row is (`--match ROW=ID`), or None."""
        return context.session.get(self.model, record_id) if self.model is not None else None

    def new_rows_index(self) -> Any:
        """An index of the file's new rows (`see(row, values)`: the earlier rows it repeats, as
        candidates naming rows by number), so that a file never brings one record twice; None:
        exact keys only."""
        return None

    def name_of(self, record: Any) -> str:
        """How a report names a record."""
        for attribute in ("name", "title"):
            if isinstance(getattr(record, attribute, None), str):
                return getattr(record, attribute)
        return f"#{record.id}"

    def matched(self, context: ImportSession, record: Any, values: dict[str, Any]) -> None:
        """A row taken as `record` though its key differs (an alias to keep, say)."""

    def create(self, context: ImportSession, data: Any) -> Any:
        return context.services.for_table(self.table).create(data)

    def update(self, context: ImportSession, record: Any, data: Any) -> Any:
        return context.services.for_table(self.table).update(record.id, record.version, data)

    def after_save(
        self, context: ImportSession, record: Any, values: dict[str, Any], row: int, sheet: str
    ) -> None:
        """Work that needs the saved record's id (links resolved at the end)."""

    def find_many(self, context: ImportSession, keys: list[Hashable]) -> dict[Hashable, Any]:
        raise NotImplementedError

    def check(self, context: ImportSession, data: Any, record: Any) -> Any:
        raise NotImplementedError

    def new_record(self, context: ImportSession, data: Any, key: Hashable) -> Any:
        """A record to insert with `insert_many` (the ORM object, or plain values)."""
        raise NotImplementedError

    def apply(self, context: ImportSession, record: Any, data: Any) -> None:
        raise NotImplementedError

    def write_many(self, context: ImportSession, records: list[Any]) -> None:
        """The bulk path's writes: the changed records, then the new ones; a refusal of the
        database's own constraints becomes a `DatabaseRefused`."""
        try:
            context.session.flush()
            self.insert_many(context, records)
        except IntegrityError as error:
            raise DatabaseRefused(str(error.orig).splitlines()[0]) from error

    def insert_many(self, context: ImportSession, records: list[Any]) -> None:
        """Insert new records in batches. Not through the ORM's flush: on SQLite it inserts one
        row at a time to read each new id back, which a bulk import does not need."""
        if not records:
            return
        model = type(records[0])
        columns = [c.key for c in model.__table__.columns if c.key != "id"]
        for record in records:
            record.version = 1
            record.refresh_search_text()
        for start in range(0, len(records), 5000):
            context.session.execute(
                insert(model),
                [{key: getattr(r, key) for key in columns} for r in records[start : start + 5000]],
            )

    @staticmethod
    def merge(current: Any, values: dict[str, Any], names: Mapping[str, str]) -> Any:
        """`current` with each sheet value put into its data field (`names`: column -> field)."""
        changes = {field_name: values[key] for key, field_name in names.items() if key in values}
        return replace(current, **changes)


def insert_rows(
    context: ImportSession, table: Any, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """Insert plain rows with the driver's own executemany: the rows were checked already, and
    SQLAlchemy's per-value processing would cost more than the insert itself. Values are the
    driver's types (str, int, date, None), which both SQLite and PostgreSQL take as they are.

    Each statement inserts a few hundred rows (multi-row VALUES): a table with triggers costs
    SQLite a statement journal per statement, which row-by-row statements pay 100,000 times."""
    if not rows:
        return
    connection = context.session.connection()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    with_uuids = connection.dialect.name == "sqlite" and "uuid" in table.c and "uuid" not in columns
    if with_uuids:  # ordered ones, batch by batch (see ordered_uuids)
        columns = (*columns, "uuid")
    # Their history is written in one statement once they are in (see storage/history.py).
    with history.bulk_insert(connection, table.name, [c.name for c in table.columns]):
        for start in range(0, len(rows), 5000):
            # Column by column (one transposition in C, no loop over the rows in Python).
            by_column = list(zip(*rows[start : start + 5000], strict=True))
            if with_uuids:
                by_column.append(tuple(ordered_uuids(len(by_column[0]))))
            used = _columns_in_use(table, columns, by_column)
            batch = list(zip(*(by_column[i] for i in used), strict=True))
            per_statement = max(1, _MAX_PARAMETERS // len(used))
            head = f"INSERT INTO {table.name} ({', '.join(columns[i] for i in used)}) VALUES "
            one = f"({', '.join(marker for _ in used)})"
            groups = [batch[i : i + per_statement] for i in range(0, len(batch), per_statement)]
            full = [group for group in groups if len(group) == per_statement]
            if full:
                sql = head + ", ".join([one] * per_statement)
                connection.exec_driver_sql(sql, [tuple(chain.from_iterable(g)) for g in full])
            for group in groups[len(full) :]:
                sql = head + ", ".join([one] * len(group))
                connection.exec_driver_sql(sql, tuple(chain.from_iterable(group)))


#: Values bound by one multi-row INSERT: well under SQLite's limit of 32,766 (and PostgreSQL's
#: of 65,535), and large enough that per-statement costs vanish.
_MAX_PARAMETERS = 3000


def _columns_in_use(
    table: Any, columns: Sequence[str], by_column: list[tuple[Any, ...]]
) -> list[int]:
    """The positions of the columns an INSERT names, given its rows column by column. A column
    blank in every row, with no default of the database's own, is left out: the database stores
    NULL there by itself, and binding NULLs costs the driver (sqlite3) about as much as binding
    values — most of a member's columns are blank in a typical sheet."""
    used = [
        position
        for position, name in enumerate(columns)
        if table.c[name].server_default is not None
        or by_column[position].count(None) != len(by_column[position])
    ]
    return used or list(range(len(columns)))
