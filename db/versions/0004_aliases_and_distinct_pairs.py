"""aliases and distinct pairs

An organization keeps the other names it was matched under (an import's spelling, a merged
record's name), so the next import of the same spelling finds it at once; a pair of records a person
said are not duplicates is remembered so it is not offered again. Only new tables: existing rows are
not touched, and downgrading drops the two tables.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 18:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "organization_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("normalized_name", sa.String(length=300), nullable=False),
        sa.CheckConstraint(
            "length(trim(name)) > 0", name=op.f("ck_organization_aliases_name_not_blank")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_organization_aliases_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization_aliases")),
        sa.UniqueConstraint(
            "normalized_name", name=op.f("uq_organization_aliases_normalized_name")
        ),
    )
    op.create_index(
        op.f("ix_organization_aliases_organization_id"),
        "organization_aliases",
        ["organization_id"],
    )
    op.create_table(
        "distinct_pairs",
        sa.Column("table", sa.String(length=40), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("second_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("first_id < second_id", name=op.f("ck_distinct_pairs_ordered")),
        sa.PrimaryKeyConstraint("table", "first_id", "second_id", name=op.f("pk_distinct_pairs")),
    )


def downgrade() -> None:
    op.drop_table("distinct_pairs")
    op.drop_index(
        op.f("ix_organization_aliases_organization_id"), table_name="organization_aliases"
    )
    op.drop_table("organization_aliases")
