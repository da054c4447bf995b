"""Reading the history: the change sets, newest first, with their changes field by field; one
record's history; and what changed since a change a window last saw (colleagues' edits).

Values come back as the program shows them (dates as ISO text, amounts as decimal text, enums by
their stored value), the same whichever database wrote them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, DateTime, Select, and_, func, or_, select

from anso_desktop.errors import NotFoundError, UserError
from anso_desktop.storage.database import Database
from anso_desktop.storage.history import UNRECORDED_COLUMNS
from anso_desktop.storage.history import recorded_as as recorded_as  # for the layers above
from anso_desktop.storage.models import Base, Change, ChangeSet
from anso_desktop.storage.types import FixedPoint

#: The database's tables by the names the program uses for them (`--table`, exports, JSON).
TABLE_NAMES: dict[str, str] = {
    "organizations": "members",
    "contacts": "contacts",
    "organization_aliases": "aliases",
    "meetings": "meetings",
    "meeting_organizers": "meeting-organizers",
    "board_meetings": "board-meetings",
    "decisions": "decisions",
    "decision_organizations": "decision-organizations",
    "funds": "funds",
    "finance_entries": "finances",
    "exchange_rates": "exchange-rates",
    "budget_plans": "budget-plans",
    "budget_plan_lines": "budget-plan-lines",
    "distinct_pairs": "distinct-pairs",
}
DATABASE_TABLES: dict[str, str] = {name: table for table, name in TABLE_NAMES.items()}
#: How messages count rows of each table: (one, many).
NOUNS: dict[str, tuple[str, str]] = {
    "members": ("organization", "organizations"),
    "contacts": ("contact", "contacts"),
    "aliases": ("other name", "other names"),
    "meetings": ("meeting", "meetings"),
    "meeting-organizers": ("meeting organizer", "meeting organizers"),
    "board-meetings": ("board meeting", "board meetings"),
    "decisions": ("decision", "decisions"),
    "decision-organizations": ("decision's organization", "decisions' organizations"),
    "funds": ("fund", "funds"),
    "finances": ("finance entry", "finance entries"),
    "exchange-rates": ("exchange rate", "exchange rates"),
    "budget-plans": ("budget plan", "budget plans"),
    "budget-plan-lines": ("budget plan line", "budget plan lines"),
    "distinct-pairs": ("'not a duplicate' mark", "'not a duplicate' marks"),
}


def counted(count: int, table: str) -> str:
    """ "1 organization", "3 meetings": rows of a table (by the program's name of it)."""
    one, many = NOUNS.get(table, (table, table))
    return f"{count:,} {one if count == 1 else many}"


#: Columns kept for the program's own use: never shown as a change a person made.
HIDDEN_COLUMNS = frozenset({"id", "search_text", "normalized_name", "uuid"}) | UNRECORDED_COLUMNS


def database_table(name: str) -> str:
    """The database table behind a name the user gave ("members" or "organizations")."""
    if name in DATABASE_TABLES:
        return DATABASE_TABLES[name]
    if name in TABLE_NAMES:
        return name
    known = ", ".join(sorted(DATABASE_TABLES))
    raise UserError(f"There is no table '{name}'; the tables are: {known}.")


@dataclass(frozen=True)
class RowChange:
    """One row inserted, updated or deleted: for an update, each changed field's old and new."""

    change_id: int
    table: str  #: the program's name of the row's table ("members")
    record: int | dict[str, Any]  #: the row's id, or a link row's key
    action: str
    fields: dict[str, tuple[Any, Any]]
    #: The record the row is part of, when it is a part (an alias of member #5: ("members", 5)).
    part_of: tuple[str, int | None] | None = None

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "table": self.table,
            "record": self.record,
            "action": self.action,
            "fields": {name: [old, new] for name, (old, new) in self.fields.items()},
        }
        if self.part_of is not None:
            result["part_of"] = {"table": self.part_of[0], "record": self.part_of[1]}
        return result


@dataclass(frozen=True)
class ChangeSetView:
    id: int
    at: datetime  #: UTC, naive
    who: str
    login: str | None
    source: str
    undoes: int | None
    undone_by: int | None
    changes: list[RowChange] = field(default_factory=list)
    #: (table, action) -> rows, of the whole change set (`changes` may hold a part of them).
    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def local_time(self) -> datetime:
        return self.at.replace(tzinfo=UTC).astimezone()

    def summary(self) -> str:
        """ "12 members inserted, 3 members updated"."""
        words = {"insert": "inserted", "update": "updated", "delete": "deleted"}
        parts = [
            f"{counted(n, table)} {words[action]}" for (table, action), n in self.counts.items()
        ]
        return ", ".join(parts) or "no rows changed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z"),
            "who": self.who,
            "login": self.login,
            "source": self.source,
            "undoes": self.undoes,
            "undone_by": self.undone_by,
            "changes": [change.to_dict() for change in self.changes],
        }


@dataclass(frozen=True)
class HistoryFilter:
    table: str | None = None  #: a database table name
    record: int | None = None
    since: date | None = None  #: a local date: change sets on or after its start
    who: str | None = None  #: part of the person's name or login, any case
    person: str | None = None  #: exactly the name recorded (a choice from `people()`)
    source: str | None = None  #: part of the source, any case
    limit: int | None = None
    offset: int = 0


class HistoryService:
    def __init__(self, database: Database) -> None:
        self.database = database

    # --- change sets --------------------------------------------------------------------------

    def change_sets(
        self, query: HistoryFilter | None = None, *, with_rows: bool = True
    ) -> list[ChangeSetView]:
        """Change sets, newest first, with (when `with_rows`) the changes the filter asks for."""
        query = query or HistoryFilter()
        with self.database.transaction() as session:
            statement = self._change_set_statement(query)
            sets = list(session.execute(statement).scalars())
            ids = [change_set.id for change_set in sets]
            counts = self._counts(session, ids)
            undone = self._undone_by(session, ids)
            rows: dict[int, list[RowChange]] = {}
            if with_rows and ids:
                rows = self._rows(session, ids, query)
            return [
                self._view(change_set, rows.get(change_set.id, []), counts, undone)
                for change_set in sets
            ]

    def change_set(self, change_set_id: int) -> ChangeSetView:
        with self.database.transaction() as session:
            change_set = session.get(ChangeSet, change_set_id)
            if change_set is None:
                raise NotFoundError(f"There is no change set #{change_set_id}.")
            rows = self._rows(session, [change_set_id], HistoryFilter())
            return self._view(
                change_set,
                rows.get(change_set_id, []),
                self._counts(session, [change_set_id]),
                self._undone_by(session, [change_set_id]),
            )

    def record_history(self, table: str, record_id: int) -> list[ChangeSetView]:
        """Every change of one record and its parts, newest first (History… of a record)."""
        return self.change_sets(HistoryFilter(table=database_table(table), record=record_id))

    def people(self) -> list[str]:
        with self.database.transaction() as session:
            return list(
                session.execute(select(ChangeSet.who).distinct().order_by(ChangeSet.who)).scalars()
            )

    def sources(self) -> list[str]:
        with self.database.transaction() as session:
            return list(
                session.execute(
                    select(ChangeSet.source).distinct().order_by(ChangeSet.source)
                ).scalars()
            )

    def every_change(self, batch: int = 5000) -> Iterator[tuple[ChangeSetView, RowChange]]:
        """Every change with its change set, oldest first, streamed (the export's History)."""
        with self.database.transaction() as session:
            dialect = session.get_bind().dialect.name
            sets: dict[int, ChangeSetView] = {}
            result = session.execute(
                select(Change, ChangeSet)
                .join(ChangeSet, ChangeSet.id == Change.change_set_id)
                .order_by(Change.id)
                .execution_options(yield_per=batch)
            )
            for change, change_set in result.tuples():
                view = sets.get(change_set.id)
                if view is None:
                    sets.clear()
                    view = sets[change_set.id] = self._view(change_set, [], {}, {})
                yield view, row_change(change, dialect)

    # --- colleagues' changes -------------------------------------------------------------------

    def latest_change_id(self) -> int:
        with self.database.transaction() as session:
            return int(session.execute(select(func.coalesce(func.max(Change.id), 0))).scalar_one())

    def changed_since(self, change_id: int, *, at_most: int = 2000) -> ChangedRecords:
        """What was changed after `change_id`: the records by table, with who changed them.

        After a big import only the tables are told (`records` of a table then empty): a
        window reloads those wholesale, and reading 100,000 changes would cost more than that.
        """
        with self.database.transaction() as session:
            found = session.execute(
                select(Change.id, Change.record_table, Change.record_id, ChangeSet.who)
                .join(ChangeSet, ChangeSet.id == Change.change_set_id)
                .where(Change.id > change_id)
                .order_by(Change.id)
                .limit(at_most + 1)
            ).all()
            if len(found) <= at_most:
                changed = ChangedRecords(latest=max((row[0] for row in found), default=change_id))
                for _, record_table, record_id, who in found:
                    name = TABLE_NAMES.get(record_table, record_table)
                    changed.records.setdefault(name, {})[record_id] = who
                return changed
            latest = session.execute(select(func.max(Change.id))).scalar_one()
            tables = session.execute(
                select(Change.record_table).where(Change.id > change_id).distinct()
            ).scalars()
            changed = ChangedRecords(latest=latest, complete=False)
            for record_table in tables:
                changed.records[TABLE_NAMES.get(record_table, record_table)] = {}
            return changed

    # --- queries -------------------------------------------------------------------------------

    def _change_set_statement(self, query: HistoryFilter) -> Select[Any]:
        statement = select(ChangeSet)
        if query.record is not None:
            # The record's change sets read off its own index (ix_changes_record): an EXISTS per
            # change set would be planned on the change set's index, reading every change.
            record = select(Change.change_set_id).where(Change.record_id == query.record)
            if query.table is not None:
                record = record.where(Change.record_table == query.table)
            statement = statement.where(ChangeSet.id.in_(record))
        elif query.table is not None:
            touched = select(Change.id).where(
                Change.change_set_id == ChangeSet.id,
                or_(Change.record_table == query.table, Change.table_name == query.table),
            )
            statement = statement.where(touched.exists())
        else:
            # A change set that changed nothing (a save of the same values) is not worth a line.
            statement = statement.where(
                or_(
                    select(Change.id).where(Change.change_set_id == ChangeSet.id).exists(),
                    ChangeSet.source.like("restore%"),
                )
            )
        if query.since is not None:
            start = datetime.combine(query.since, time.min).astimezone(UTC).replace(tzinfo=None)
            statement = statement.where(ChangeSet.at >= start)
        if query.who:
            pattern = f"%{query.who.strip().lower()}%"
            statement = statement.where(
                or_(
                    func.lower(ChangeSet.who).like(pattern),
                    func.lower(ChangeSet.login).like(pattern),
                )
            )
        if query.person is not None:
            statement = statement.where(ChangeSet.who == query.person)
        if query.source:
            statement = statement.where(
                func.lower(ChangeSet.source).like(f"%{query.source.strip().lower()}%")
            )
        statement = statement.order_by(ChangeSet.id.desc())
        if query.offset:
            statement = statement.offset(query.offset)
        if query.limit is not None:
            statement = statement.limit(query.limit)
        return statement

    def _counts(self, session: Any, ids: Sequence[int]) -> dict[int, dict[tuple[str, str], int]]:
        counts: dict[int, dict[tuple[str, str], int]] = {}
        for chunk in _chunks(ids):
            for change_set_id, table, action, count in session.execute(
                select(Change.change_set_id, Change.table_name, Change.action, func.count())
                .where(Change.change_set_id.in_(chunk))
                .group_by(Change.change_set_id, Change.table_name, Change.action)
            ):
                name = TABLE_NAMES.get(table, table)
                counts.setdefault(change_set_id, {})[(name, action)] = count
        return counts

    def _undone_by(self, session: Any, ids: Sequence[int]) -> dict[int, int]:
        undone: dict[int, int] = {}
        for chunk in _chunks(ids):
            for undone_id, by in session.execute(
                select(ChangeSet.undoes, ChangeSet.id).where(ChangeSet.undoes.in_(chunk))
            ):
                undone.setdefault(undone_id, by)
        return undone

    def _rows(
        self, session: Any, ids: Sequence[int], query: HistoryFilter
    ) -> dict[int, list[RowChange]]:
        dialect = session.get_bind().dialect.name
        rows: dict[int, list[RowChange]] = {}
        for chunk in _chunks(ids):
            statement = select(Change).where(Change.change_set_id.in_(chunk))
            if query.table is not None and query.record is not None:
                statement = statement.where(
                    and_(Change.record_table == query.table, Change.record_id == query.record)
                )
            elif query.table is not None:
                statement = statement.where(
                    or_(Change.record_table == query.table, Change.table_name == query.table)
                )
            for change in session.execute(statement.order_by(Change.id)).scalars():
                rows.setdefault(change.change_set_id, []).append(row_change(change, dialect))
        return rows

    def _view(
        self,
        change_set: ChangeSet,
        rows: list[RowChange],
        counts: Mapping[int, dict[tuple[str, str], int]],
        undone: Mapping[int, int],
    ) -> ChangeSetView:
        return ChangeSetView(
            id=change_set.id,
            at=change_set.at,
            who=change_set.who,
            login=change_set.login,
            source=change_set.source,
            undoes=change_set.undoes,
            undone_by=undone.get(change_set.id),
            changes=rows,
            counts=counts.get(change_set.id, {}),
        )


@dataclass
class ChangedRecords:
    """Changes after a window's last look: record ids by table name, with who changed them."""

    latest: int
    records: dict[str, dict[int | None, str]] = field(default_factory=dict)
    #: False when there were too many changes to list: `records` then names only the tables.
    complete: bool = True

    @property
    def tables(self) -> set[str]:
        return set(self.records)


def row_change(change: Change, dialect: str) -> RowChange:
    data = json.loads(change.data, parse_float=Decimal) if change.data else {}
    table = change.table_name
    if change.action == "update":
        fields = {
            name: (shown_value(table, name, old, dialect), shown_value(table, name, new, dialect))
            for name, (old, new) in data.items()
            if name not in HIDDEN_COLUMNS
        }
    else:
        fields = {
            name: (None, shown_value(table, name, value, dialect))
            if change.action == "insert"
            else (shown_value(table, name, value, dialect), None)
            for name, value in data.items()
            if name not in HIDDEN_COLUMNS and value is not None
        }
    record: int | dict[str, Any] = (
        change.row_id if change.row_id is not None else json.loads(change.row_key or "{}")
    )
    part_of = None
    if change.record_table != table:
        part_of = (TABLE_NAMES.get(change.record_table, change.record_table), change.record_id)
    return RowChange(
        change_id=change.id,
        table=TABLE_NAMES.get(table, table),
        record=record,
        action=change.action,
        fields=dict(sorted(fields.items())),
        part_of=part_of,
    )


def stored_value(table: str, column: str, value: Any, dialect: str) -> Any:
    """A value of the history's JSON as the program's Python value (date, Decimal, ...)."""
    if value is None:
        return None
    known = Base.metadata.tables.get(table)
    if known is None or column not in known.c:
        return value
    kind = known.c[column].type
    if isinstance(kind, FixedPoint):
        if dialect == "sqlite":
            return (
                Decimal(int(value)).scaleb(-kind.places).quantize(Decimal(1).scaleb(-kind.places))
            )
        return Decimal(str(value)).quantize(Decimal(1).scaleb(-kind.places))
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if isinstance(kind, Date):
        return date.fromisoformat(str(value)[:10])
    return value


def shown_value(table: str, column: str, value: Any, dialect: str) -> Any:
    """A value as the history shows it: JSON-friendly and the same on every database."""
    value = stored_value(table, column, value, dialect)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    return value


def _chunks(ids: Sequence[int], size: int = 500) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
