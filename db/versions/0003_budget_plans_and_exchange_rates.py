"""budget plans and exchange rates

Next year's budget is drafted as a plan (from a year's budget or expenditure), edited, then approved;
an approved plan is read-only and changes by a new revision. Exchange rates are entered per fiscal
year so that a budget summary can be shown in one currency at a rate the user sees. Only new tables:
existing rows are not touched, and downgrading drops the three tables.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 08:12:24.087179
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import anso_desktop.storage.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "budget_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "approved",
                name="budgetplanstatus",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("based_on", sa.String(length=200), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(status = 'approved' AND approved_on IS NOT NULL) OR (status <> 'approved' AND approved_on IS NULL)",
            name=op.f("ck_budget_plans_approved_on_only_when_approved"),
        ),
        sa.CheckConstraint(
            "fiscal_year BETWEEN 1900 AND 2200", name=op.f("ck_budget_plans_fiscal_year_plausible")
        ),
        sa.CheckConstraint("revision > 0", name=op.f("ck_budget_plans_revision_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_plans")),
        sa.UniqueConstraint(
            "fiscal_year", "revision", name=op.f("uq_budget_plans_fiscal_year_revision")
        ),
    )
    op.create_table(
        "exchange_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("to_currency", sa.String(length=3), nullable=False),
        sa.Column("rate", anso_desktop.storage.types.Rate(precision=18, scale=6), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "currency <> to_currency", name=op.f("ck_exchange_rates_currencies_differ")
        ),
        sa.CheckConstraint(
            "fiscal_year BETWEEN 1900 AND 2200",
            name=op.f("ck_exchange_rates_fiscal_year_plausible"),
        ),
        sa.CheckConstraint(
            "length(currency) = 3", name=op.f("ck_exchange_rates_currency_is_iso_code")
        ),
        sa.CheckConstraint(
            "length(to_currency) = 3", name=op.f("ck_exchange_rates_to_currency_is_iso_code")
        ),
        sa.CheckConstraint("rate > 0", name=op.f("ck_exchange_rates_rate_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_rates")),
        sa.UniqueConstraint(
            "fiscal_year",
            "currency",
            "to_currency",
            name=op.f("uq_exchange_rates_fiscal_year_currency_to_currency"),
        ),
    )
    op.create_table(
        "budget_plan_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=120), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "amount", anso_desktop.storage.types.Money(precision=16, scale=2), nullable=False
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_budget_plan_lines_amount_not_negative")),
        sa.CheckConstraint(
            "length(currency) = 3", name=op.f("ck_budget_plan_lines_currency_is_iso_code")
        ),
        sa.CheckConstraint(
            "length(trim(category)) > 0", name=op.f("ck_budget_plan_lines_category_not_blank")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["budget_plans.id"],
            name=op.f("fk_budget_plan_lines_plan_id_budget_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_plan_lines")),
        sa.UniqueConstraint(
            "plan_id",
            "category",
            "currency",
            name=op.f("uq_budget_plan_lines_plan_id_category_currency"),
        ),
    )
    with op.batch_alter_table("budget_plan_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_budget_plan_lines_category"), ["category"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("budget_plan_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budget_plan_lines_category"))

    op.drop_table("budget_plan_lines")
    op.drop_table("exchange_rates")
    op.drop_table("budget_plans")
