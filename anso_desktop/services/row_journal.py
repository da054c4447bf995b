"""Rows written with what undoing them takes: a change made as plain rows (a merge) is journalled
row by row, before and after, so it can be put back exactly, and refused when a row it wrote has
changed since."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, and_, delete, insert, select, update
from sqlalchemy.orm import Session


@dataclass
class RowJournal:
    """The rows a merge wrote, each with what undoing it takes: (table, key, before, after)."""

    entries: list[tuple[Table, dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]] = (
        field(default_factory=list)
    )

    def update(self, session: Session, table: Table, key: dict[str, Any], **values: Any) -> None:
        before = row_of(session, table, key)
        if before is None or all(before[name] == value for name, value in values.items()):
            return
        session.execute(update(table).where(where_key(table, key)).values(**values))
        after = {**before, **values}
        self.entries.append((table, {**key, **_moved_key(table, key, values)}, before, after))

    def delete(self, session: Session, table: Table, key: dict[str, Any]) -> None:
        before = row_of(session, table, key)
        if before is None:
            return
        session.execute(delete(table).where(where_key(table, key)))
        self.entries.append((table, key, before, None))

    def insert(self, session: Session, table: Table, values: dict[str, Any]) -> None:
        result = session.execute(insert(table).values(**values))
        key = {c.name: values.get(c.name) for c in table.primary_key.columns}
        if any(value is None for value in key.values()):
            key = dict(
                zip(
                    [c.name for c in table.primary_key.columns],
                    result.inserted_primary_key,
                    strict=True,
                )
            )  # type: ignore[arg-type]
        self.entries.append((table, key, None, row_of(session, table, key)))

    def changed_since(self, session: Session) -> tuple[Table, dict[str, Any]] | None:
        """The first row written that no longer holds what was written (table, key); None
        when every row is as the change left it."""
        final: dict[tuple[str, frozenset[tuple[str, Any]]], tuple[Table, dict[str, Any], Any]] = {}
        for table, key, _, after in self.entries:  # a key written twice (a reused id): its last
            final[(table.name, frozenset(key.items()))] = (table, key, after)
        for table, key, after in final.values():
            if row_of(session, table, key) != after:
                return table, key
        return None

    def revert(self, session: Session) -> None:
        """Put every row back as it was, last written first."""
        for table, key, before, after in reversed(self.entries):
            if before is None:
                session.execute(delete(table).where(where_key(table, key)))
            elif after is None:
                session.execute(insert(table).values(**before))
            else:  # an UPDATE put back (never delete and insert: that would cascade)
                session.execute(update(table).where(where_key(table, key)).values(**before))


def where_key(table: Table, key: Mapping[str, Any]) -> Any:
    return and_(*(table.c[name] == value for name, value in key.items()))


def _moved_key(table: Table, key: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """The row's key after an update that changed part of its primary key."""
    return {name: values[name] for name in key if name in values}


def row_of(session: Session, table: Table, key: Mapping[str, Any]) -> dict[str, Any] | None:
    found = session.execute(select(table).where(where_key(table, key))).mappings().first()
    return dict(found) if found is not None else None
