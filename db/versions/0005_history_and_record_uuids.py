"""history and record UUIDs

Every change is kept: a change set per action (who, when, where from) and a change per row
inserted, updated or deleted, written by triggers in the same transaction (the triggers are
installed after every migration, from the tables as they then are: see storage/history.py).
Every record gets a UUID beside its integer id, the same on every database it is copied to.
Existing rows get a random UUID here; downgrading drops the history and the UUIDs.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 21:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

#: The tables whose rows are records at this revision (the link tables have no id of their own).
RECORDS = (
    "meetings",
    "board_meetings",
    "decisions",
    "organizations",
    "organization_aliases",
    "contacts",
    "funds",
    "finance_entries",
    "exchange_rates",
    "budget_plans",
    "budget_plan_lines",
)


def _uuid_default() -> sa.TextClause:
    if op.get_bind().dialect.name == "postgresql":
        return sa.text("gen_random_uuid()")
    return sa.text("(lower(hex(randomblob(16))))")


def upgrade() -> None:
    op.create_table(
        "change_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("who", sa.String(length=200), nullable=False),
        sa.Column("login", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("undoes", sa.Integer(), nullable=True),
        sa.Column("uuid", sa.Uuid(as_uuid=False), server_default=_uuid_default(), nullable=False),
        sa.ForeignKeyConstraint(
            ["undoes"],
            ["change_sets.id"],
            name=op.f("fk_change_sets_undoes_change_sets"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_sets")),
        sa.UniqueConstraint("uuid", name=op.f("uq_change_sets_uuid")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_change_sets_at"), "change_sets", ["at"])
    op.create_index(op.f("ix_change_sets_undoes"), "change_sets", ["undoes"])
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_set_id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=60), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=True),
        sa.Column("row_key", sa.Text(), nullable=True),
        sa.Column("record_table", sa.String(length=60), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("data", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "action IN ('insert', 'update', 'delete')", name=op.f("ck_changes_action_known")
        ),
        sa.ForeignKeyConstraint(
            ["change_set_id"],
            ["change_sets.id"],
            name=op.f("fk_changes_change_set_id_change_sets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changes")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_changes_change_set", "changes", ["change_set_id", "table_name", "action"])
    op.create_index("ix_changes_record", "changes", ["record_table", "record_id"])
    for table in RECORDS:
        column = sa.Column(
            "uuid", sa.Uuid(as_uuid=False), server_default=_uuid_default(), nullable=False
        )
        if op.get_bind().dialect.name != "sqlite":  # a server fills each row's default itself
            op.add_column(table, column)
            op.create_unique_constraint(op.f(f"uq_{table}_uuid"), table, ["uuid"])
            continue
        # SQLite adds a column with a computed default only by rebuilding the table (the
        # migration runner turns foreign keys off around it, as SQLite asks); rebuilt with
        # AUTOINCREMENT too: ids never reused, so a record's history is its own.
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ) as batch:
            batch.add_column(column)
            batch.create_unique_constraint(op.f(f"uq_{table}_uuid"), ["uuid"])


def downgrade() -> None:
    for table in RECORDS:
        if op.get_bind().dialect.name != "sqlite":
            op.drop_constraint(op.f(f"uq_{table}_uuid"), table, type_="unique")
            op.drop_column(table, "uuid")
            continue
        with op.batch_alter_table(table, recreate="always") as batch:
            batch.drop_constraint(op.f(f"uq_{table}_uuid"), type_="unique")
            batch.drop_column("uuid")
    op.drop_index("ix_changes_record", table_name="changes")
    op.drop_index("ix_changes_change_set", table_name="changes")
    op.drop_table("changes")
    op.drop_index(op.f("ix_change_sets_undoes"), table_name="change_sets")
    op.drop_index(op.f("ix_change_sets_at"), table_name="change_sets")
    op.drop_table("change_sets")
