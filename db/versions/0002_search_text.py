"""search text: one folded column per searchable table

Search compared each column with ILIKE, which on SQLite folds only ASCII letters ("ASTROFÍSICA"
did not find "Astrofísica"). Each searchable table now keeps the folded text of its searched
columns (and a meeting, its organizers' names) in `search_text`, filled here for existing rows.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 05:55:00
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

# The columns as they were at this revision (the models may change later; this must not).
SEARCHED = {
    "meetings": ("title", "location", "notes"),
    "decisions": ("text", "category", "owner", "follow_up"),
    "organizations": ("name", "acronym", "email", "notes"),
    "finance_entries": ("category", "description", "funding_source"),
}


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def upgrade() -> None:
    for table in SEARCHED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("search_text", sa.Text(), server_default="", nullable=False)
            )
    connection = op.get_bind()
    organizers: dict[int, list[str]] = {}
    for meeting_id, name in connection.execute(
        sa.text("SELECT meeting_id, name FROM meeting_organizers ORDER BY meeting_id, position")
    ):
        organizers.setdefault(meeting_id, []).append(name)
    for table, columns in SEARCHED.items():
        rows = connection.execute(sa.text(f"SELECT id, {', '.join(columns)} FROM {table}")).all()
        updates = []
        for row in rows:
            values = [value for value in row[1:] if value]
            if table == "meetings":
                values += organizers.get(row[0], [])
            updates.append({"id": row[0], "text": fold(" | ".join(values))})
        if updates:
            connection.execute(
                sa.text(f"UPDATE {table} SET search_text = :text WHERE id = :id"), updates
            )


def downgrade() -> None:
    for table in SEARCHED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("search_text")
