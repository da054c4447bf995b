"""Undoing a whole change set: every row it inserted removed, every field it changed put back,
every row it deleted restored (its links with it), in one transaction that is itself a change set.

Refused, with nothing written, when a row the change set wrote was changed by a later one: undoing
would overwrite a colleague's work (the message names each record and who changed it). After the
undo of an import the register holds exactly what it held before (only the rows' versions move
on, so a window still showing the import's values cannot save over the undo).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from sqlalchemy import Connection, select

from anso_desktop.errors import NotFoundError, UserError
from anso_desktop.services.history import NOUNS, TABLE_NAMES, counted
from anso_desktop.storage import history
from anso_desktop.storage.database import Database
from anso_desktop.storage.models import Base, Change, ChangeSet


class _DryRun(Exception):
    def __init__(self, result: UndoResult) -> None:
        super().__init__("dry run")
        self.result = result


class UndoRefused(UserError):
    """The change set cannot be undone as it stands (changed since, undone already)."""


@dataclass
class UndoResult:
    change_set_id: int
    source: str
    dry_run: bool
    undo_change_set_id: int | None = None
    #: (table, "removed" | "restored" | "put back") -> rows
    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    def summary(self) -> str:
        """ "Undid change set #7 (import members.xlsx): 2 organizations removed, 1 put back."""
        done = ", ".join(f"{counted(n, table)} {what}" for (table, what), n in self.counts.items())
        subject = f"change set #{self.change_set_id} ({self.source})"
        if self.dry_run:
            return (
                f"Undoing {subject} would give: {done or 'nothing to change'}. "
                "Nothing has been changed yet."
            )
        return f"Undid {subject} as change set #{self.undo_change_set_id}: {done or 'nothing'}."

    def to_dict(self) -> dict[str, Any]:
        return {
            "change_set": self.change_set_id,
            "undo_change_set": self.undo_change_set_id,
            "dry_run": self.dry_run,
            "rows": [
                {"table": table, "done": what, "count": n}
                for (table, what), n in self.counts.items()
            ],
        }


@dataclass
class _RowPlan:
    """One row the change set wrote: as it was before (None: it was new) and whether it is now."""

    table: str
    row_id: int | None
    row_key: str | None
    original: dict[str, Any] | None = None
    partial: bool = False  #: `original` holds only the columns the change set updated
    exists_after: bool = True


class UndoService:
    def __init__(self, database: Database) -> None:
        self.database = database

    def undo(self, change_set_id: int, *, dry_run: bool = False) -> UndoResult:
        try:
            with (
                history.recorded_as(f"undo #{change_set_id}", undoes=change_set_id),
                self.database.transaction() as session,
            ):
                connection = session.connection()
                change_set = session.get(ChangeSet, change_set_id)
                if change_set is None:
                    raise NotFoundError(f"There is no change set #{change_set_id}.")
                self._refuse_if_undone(connection, change_set)
                plans, last_change = _plans(connection, change_set_id)
                self._refuse_if_changed_since(connection, change_set, last_change)
                result = UndoResult(change_set_id, change_set.source, dry_run)
                _revert(connection, plans, result)
                if dry_run:
                    raise _DryRun(result)
                result.undo_change_set_id = history.open_change_set(connection)
                return result
        except _DryRun as rehearsal:  # everything was tried, and rolled back
            return rehearsal.result

    def _refuse_if_undone(self, connection: Connection, change_set: ChangeSet) -> None:
        undone = connection.execute(
            select(ChangeSet.id, ChangeSet.who, ChangeSet.at)
            .where(ChangeSet.undoes == change_set.id)
            .order_by(ChangeSet.id)
        ).first()
        if undone is not None:
            raise UndoRefused(
                f"Change set #{change_set.id} ({change_set.source}) was undone already, by "
                f"{undone.who} on {_when(undone.at)} (change set #{undone.id})."
            )

    def _refuse_if_changed_since(
        self, connection: Connection, change_set: ChangeSet, last_change: int
    ) -> None:
        mine = Change.__table__.alias("mine")
        later = Change.__table__.alias("later")
        same_row = (
            (mine.c.change_set_id == change_set.id)
            & (mine.c.record_table == later.c.record_table)
            & (
                (mine.c.record_id == later.c.record_id)
                | (mine.c.record_id.is_(None) & later.c.record_id.is_(None))
            )
            & (mine.c.table_name == later.c.table_name)
            & ((mine.c.row_id == later.c.row_id) | (mine.c.row_key == later.c.row_key))
        )
        found = connection.execute(
            select(
                later.c.table_name,
                later.c.row_id,
                later.c.row_key,
                ChangeSet.who,
                ChangeSet.at,
                ChangeSet.id,
            )
            .join(ChangeSet, ChangeSet.id == later.c.change_set_id)
            .where(later.c.id > last_change, select(mine.c.id).where(same_row).exists())
            .order_by(later.c.id)
        ).all()
        if not found:
            return
        seen: dict[tuple[str, Any], str] = {}
        for table, row_id, row_key, who, at, set_id in found:
            key = (table, row_id if row_id is not None else row_key)
            seen.setdefault(
                key,
                f"{_describe(connection, table, row_id, row_key)} was changed since by {who} "
                f"on {_when(at)} (change set #{set_id})",
            )
        listed = list(seen.values())
        more = f"; and {len(listed) - 5} more" if len(listed) > 5 else ""
        raise UndoRefused(
            f"Change set #{change_set.id} ({change_set.source}) cannot be undone: "
            + "; ".join(listed[:5])
            + more
            + ". Nothing was changed."
        )


def _plans(connection: Connection, change_set_id: int) -> tuple[list[_RowPlan], int]:
    """What each row the change set wrote needs, in the order rows were first written."""
    plans: dict[tuple[str, Any], _RowPlan] = {}
    last = 0
    rows = connection.execute(
        select(Change.id, Change.table_name, Change.row_id, Change.row_key, Change.action)
        .where(Change.change_set_id == change_set_id)
        .order_by(Change.id)
    )
    needs_data: list[int] = []
    actions: list[tuple[int, tuple[str, Any], str]] = []
    for change_id, table, row_id, row_key, action in rows:
        last = change_id
        key = (table, row_id if row_id is not None else _canonical(row_key))
        if key not in plans:
            plans[key] = _RowPlan(table, row_id, row_key)
        if action != "insert":
            needs_data.append(change_id)
        actions.append((change_id, key, action))
    data = _data_of(connection, needs_data)
    started: set[tuple[str, Any]] = set()
    for change_id, key, action in actions:
        plan = plans[key]
        first = key not in started
        started.add(key)
        values = data.get(change_id)
        if action == "insert":
            if first:
                plan.original = None
            plan.exists_after = True
        elif action == "delete":
            if first:
                plan.original = dict(values or {})
            elif plan.partial and plan.original is not None:
                plan.original = {**(values or {}), **plan.original}
                plan.partial = False
            plan.exists_after = False
        else:  # update: the first old value of each column is what it held before
            olds = {name: pair[0] for name, pair in (values or {}).items()}
            if first:
                plan.original, plan.partial = olds, True
            elif plan.original is not None:
                for name, old in olds.items():
                    plan.original.setdefault(name, old)
            plan.exists_after = True
    return list(plans.values()), last


def _data_of(connection: Connection, change_ids: list[int]) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(change_ids), 500):
        chunk = change_ids[start : start + 500]
        for change_id, data in connection.execute(
            select(Change.id, Change.data).where(Change.id.in_(chunk))
        ):
            found[change_id] = json.loads(data) if data else {}
    return found


def _revert(connection: Connection, plans: list[_RowPlan], result: UndoResult) -> None:
    order = {table.name: position for position, table in enumerate(Base.metadata.sorted_tables)}
    restore = [p for p in plans if p.original is not None and not p.partial and not p.exists_after]
    put_back = [p for p in plans if p.original is not None and p.exists_after]
    remove = [p for p in plans if p.original is None and p.exists_after]
    for plan in sorted(restore, key=lambda p: order.get(p.table, 0)):  # parents first
        _insert(connection, plan.table, plan.original or {})
        _count(result, plan.table, "restored")
    for plan in put_back:
        _update(connection, plan, plan.original or {})
        _count(result, plan.table, "put back")
    by_table: dict[str, list[_RowPlan]] = {}
    for plan in remove:
        by_table.setdefault(plan.table, []).append(plan)
    for table in sorted(by_table, key=lambda t: -order.get(t, 0)):  # children first
        _delete(connection, table, by_table[table])
        for _ in by_table[table]:
            _count(result, table, "removed")


def _count(result: UndoResult, table: str, what: str) -> None:
    key = (TABLE_NAMES.get(table, table), what)
    result.counts[key] = result.counts.get(key, 0) + 1


def _insert(connection: Connection, table: str, values: dict[str, Any]) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            f"INSERT INTO {table} SELECT * FROM jsonb_populate_record(NULL::{table}, %s::jsonb)",
            (json.dumps(values),),
        )
        return
    columns = list(values)
    connection.exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(_q(c) for c in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})",
        tuple(values[c] for c in columns),
    )


def _update(connection: Connection, plan: _RowPlan, values: dict[str, Any]) -> None:
    known = Base.metadata.tables[plan.table]
    key_columns = [c.name for c in known.primary_key.columns]
    columns = [c for c in values if c not in key_columns and c != "version"]
    key = _key_values(plan)
    bump = ", version = version + 1" if "version" in known.c else ""
    if not columns:
        return
    if connection.dialect.name == "postgresql":
        if bump:
            bump = f", version = {plan.table}.version + 1"
        assignments = ", ".join(f"{_q(c)} = r.{_q(c)}" for c in columns)
        where = " AND ".join(f"{plan.table}.{_q(c)} = r.{_q(c)}" for c in key_columns)
        connection.exec_driver_sql(
            f"UPDATE {plan.table} SET {assignments}{bump} FROM "
            f"jsonb_populate_record(NULL::{plan.table}, %s::jsonb) AS r WHERE {where}",
            (json.dumps({**values, **key}),),
        )
        return
    assignments = ", ".join(f"{_q(c)} = ?" for c in columns)
    where = " AND ".join(f"{_q(c)} = ?" for c in key_columns)
    connection.exec_driver_sql(
        f"UPDATE {plan.table} SET {assignments}{bump} WHERE {where}",
        (*(values[c] for c in columns), *(key[c] for c in key_columns)),
    )


def _delete(connection: Connection, table: str, plans: list[_RowPlan]) -> None:
    known = Base.metadata.tables[table]
    key_columns = [c.name for c in known.primary_key.columns]
    marker = "%s" if connection.dialect.name == "postgresql" else "?"
    where = " AND ".join(f"{_q(c)} = {marker}" for c in key_columns)
    rows = [tuple(_key_values(plan)[c] for c in key_columns) for plan in plans]
    for start in range(0, len(rows), 5000):
        connection.exec_driver_sql(f"DELETE FROM {table} WHERE {where}", rows[start : start + 5000])


def _key_values(plan: _RowPlan) -> dict[str, Any]:
    if plan.row_id is not None:
        return {"id": plan.row_id}
    return json.loads(plan.row_key or "{}")


def _canonical(row_key: str | None) -> str:
    return json.dumps(json.loads(row_key or "{}"), sort_keys=True)


def _q(column: str) -> str:
    return f'"{column}"'


def _describe(connection: Connection, table: str, row_id: int | None, row_key: str | None) -> str:
    """ "member #5 'Cuban Academy of Sciences'": a record as a message names it."""
    name = NOUNS.get(TABLE_NAMES.get(table, table), (table, table))[0]
    if row_id is None:
        return f"a {name} link ({row_key})"
    known = Base.metadata.tables.get(table)
    label = None
    if known is not None:
        for column in ("name", "title", "text", "category", "number"):
            if column in known.c:
                label = connection.execute(
                    select(known.c[column]).where(known.c.id == row_id)
                ).scalar()
                break
    if label is None:
        return f"{name} #{row_id}"
    text = str(label)
    return f"{name} #{row_id} '{text[:60]}{'…' if len(text) > 60 else ''}'"


def _when(at: Any) -> str:
    local = at.replace(tzinfo=UTC).astimezone()
    return f"{local:%d %b %Y %H:%M}".lstrip("0")
