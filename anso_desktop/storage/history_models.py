"""The history tables: a change set is what one action did (an edit, an import, a merge, an undo);
a change is one row it inserted, updated or deleted, with its values. Both are written by the
database's own triggers in the same transaction as the change (see `storage/history.py`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from anso_desktop.storage.schema import Base, Identified


class ChangeSet(Identified, Base):
    __tablename__ = "change_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: When, in UTC (shown in local time).
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    #: The person's name from Preferences, else the operating-system user.
    who: Mapped[str] = mapped_column(String(200))
    #: The database login, on a server; None on a SQLite file.
    login: Mapped[str | None] = mapped_column(String(200))
    #: Where the change came from: "Edit member", "import members.xlsx", "merge", "undo #12"...
    source: Mapped[str] = mapped_column(String(500))
    #: The change set this one undid, when it is an undo.
    undoes: Mapped[int | None] = mapped_column(
        ForeignKey("change_sets.id", ondelete="SET NULL"), index=True
    )


class Change(Base):
    __tablename__ = "changes"
    __table_args__ = (
        CheckConstraint("action IN ('insert', 'update', 'delete')", name="action_known"),
        Index("ix_changes_record", "record_table", "record_id"),
        # A change set's rows, and their counts by table and action, read off the index alone.
        Index("ix_changes_change_set", "change_set_id", "table_name", "action"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    change_set_id: Mapped[int] = mapped_column(ForeignKey("change_sets.id", ondelete="CASCADE"))
    #: The table the row is in, and the row's own key: its id, or (a link row) its key as JSON.
    table_name: Mapped[str] = mapped_column(String(60))
    row_id: Mapped[int | None] = mapped_column(Integer)
    row_key: Mapped[str | None] = mapped_column(Text)
    #: The record the row belongs to: itself, or its owner for a part of one (a meeting's
    #: organizer, an organization's alias or contact), so a record's history holds its parts.
    record_table: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))
    #: JSON: the row's values after an insert, before a delete; {column: [old, new]} for an update.
    data: Mapped[str | None] = mapped_column(Text)
