"""Next year's budget plan: a draft started from a year's budget or expenditure, edited line by line,
then approved. An approved plan is read-only; to change it, make a new revision (a draft copy).

The service refuses changes to approved plans with a message naming the plan; the storage layer
(`guard_approved_plans` in the models) refuses them too, whatever code path tries.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, contains_eager

from anso_desktop.domain import BudgetPlanStatus, FinanceKind
from anso_desktop.errors import ValidationError
from anso_desktop.services.base import CrudService, Errors, clean_text
from anso_desktop.services.money import (
    check_amount,
    check_currency,
    check_fiscal_year,
)
from anso_desktop.storage.models import BudgetPlan, BudgetPlanLine, FinanceEntry

#: What a plan can be started from.
SOURCES = (FinanceKind.BUDGET, FinanceKind.EXPENDITURE)
_SAME_LINE = ("lines", "Two lines have the same category and currency")
_SAME_REVISION = ("revision", "That revision of the year's plan was just made elsewhere; try again")


@dataclass(frozen=True)
class BudgetPlanData:
    """A plan's own fields (its lines are saved with `save_lines`)."""

    fiscal_year: int | None
    based_on: str | None = None
    notes: str | None = None

    @classmethod
    def from_record(cls, record: BudgetPlan) -> BudgetPlanData:
        return cls(record.fiscal_year, record.based_on, record.notes)


@dataclass(frozen=True)
class BudgetPlanLineData:
    """One line as the plan's grid holds it."""

    category: str
    amount: Decimal | None
    currency: str = "CNY"
    note: str | None = None

    @classmethod
    def from_record(cls, record: BudgetPlanLine) -> BudgetPlanLineData:
        return cls(record.category, record.amount, record.currency, record.note)


def line_field(index: int, name: str) -> str:
    """The error key of one field of one line: "lines[3].amount" (index from 0)."""
    return f"lines[{index}].{name}"


def plan_totals(plan: BudgetPlan) -> dict[str, Decimal]:
    """The plan's total per currency (currencies are never added together), by currency code."""
    totals: dict[str, Decimal] = {}
    for line in plan.lines:
        totals[line.currency] = totals.get(line.currency, Decimal("0.00")) + line.amount
    return dict(sorted(totals.items()))


def rename_plan_category(plan: BudgetPlan, old: str, new: str) -> int:
    """Rename `old` to `new` in a draft plan's lines, adding a line into the plan's line of the
    same currency already called `new` (notes joined). Returns the lines renamed or merged."""
    by_key = {(line.category, line.currency): line for line in plan.lines}
    changed = 0
    for line in [line for line in plan.lines if line.category == old]:
        target = by_key.get((new, line.currency))
        if target is None:
            line.category = new
        else:
            target.amount += line.amount
            target.note = "; ".join(n for n in (target.note, line.note) if n) or None
            plan.lines.remove(line)
        changed += 1
    return changed


class BudgetPlanService(CrudService[BudgetPlan, BudgetPlanData]):
    """Budget plans per fiscal year and revision.

    `create` makes an empty draft; `start_draft` one filled from a year's figures; `save_lines`
    replaces a draft's lines; `approve` makes it read-only; `new_revision` copies a plan into a
    new draft. `update` changes a draft's notes and "based on"; `delete` removes a draft.
    """

    model = BudgetPlan
    noun = "Budget plan"
    search_columns = ("based_on", "notes")
    sort_columns = {
        "fiscal_year": "fiscal_year",
        "revision": "revision",
        "status": "status",
        "approved_on": "approved_on",
        "based_on": "based_on",
    }
    default_sort = ("fiscal_year", "revision")
    unique_messages = {
        # PostgreSQL names the constraint, SQLite its columns.
        "uq_budget_plan_lines_plan_id_category_currency": _SAME_LINE,
        "budget_plan_lines.plan_id": _SAME_LINE,
        "uq_budget_plans_fiscal_year_revision": _SAME_REVISION,
        "budget_plans.fiscal_year": _SAME_REVISION,
    }

    def describe(self, record: BudgetPlan) -> str:
        return record.describe()

    def _filter(self, statement: Select[Any], name: str, value: Any) -> Select[Any]:
        if name == "year":
            return statement.where(BudgetPlan.fiscal_year == int(value))
        if name == "status":
            return statement.where(BudgetPlan.status == BudgetPlanStatus(value))
        return super()._filter(statement, name, value)

    # --- plan fields -----------------------------------------------------------------------

    def _validate(
        self, session: Session, data: BudgetPlanData, existing: BudgetPlan | None
    ) -> BudgetPlanData:
        errors = Errors()
        check_fiscal_year(errors, data.fiscal_year)
        based_on = clean_text(data.based_on)
        errors.max_length("based_on", based_on, 200, "Based on")
        if existing is not None:
            _refuse_if_approved(existing)
            if data.fiscal_year != existing.fiscal_year:
                errors.add(
                    "fiscal_year",
                    f"A plan's year cannot change; start a draft for {data.fiscal_year} instead",
                )
        errors.raise_if_any()
        return replace(data, based_on=based_on, notes=clean_text(data.notes))

    def _apply(self, session: Session, record: BudgetPlan, data: BudgetPlanData) -> None:
        if record.id is None:
            assert data.fiscal_year is not None
            record.fiscal_year = data.fiscal_year
            record.revision = _next_revision(session, data.fiscal_year)
            record.status = BudgetPlanStatus.DRAFT
        record.based_on = data.based_on
        record.notes = data.notes

    def _before_delete(self, session: Session, record: BudgetPlan) -> None:
        _refuse_if_approved(record)

    # --- use cases -------------------------------------------------------------------------

    def start_draft(
        self,
        fiscal_year: int,
        source_year: int,
        source: FinanceKind,
        notes: str | None = None,
    ) -> BudgetPlan:
        """A new draft for `fiscal_year` holding `source_year`'s budget or expenditure, summed
        per category and currency; "based on" says which ("2021 expenditure")."""
        errors = Errors()
        check_fiscal_year(errors, fiscal_year)
        check_fiscal_year(errors, source_year, "source_year")
        if source not in SOURCES:
            errors.add("source", "A plan starts from a year's budget or its expenditure")
        errors.raise_if_any()
        with self.database.transaction() as session:
            sums = session.execute(
                select(FinanceEntry.category, FinanceEntry.currency, func.sum(FinanceEntry.amount))
                .where(FinanceEntry.fiscal_year == source_year, FinanceEntry.kind == source)
                .group_by(FinanceEntry.category, FinanceEntry.currency)
            ).all()
            if not sums:
                raise ValidationError.single(
                    "source_year",
                    f"There is no {source_year} {source.label.lower()} to start the plan from",
                )
            lines = [
                BudgetPlanLine(category=category, currency=currency, amount=amount)
                for category, currency, amount in sums
            ]
            based_on = f"{source_year} {source.label.lower()}"
            return self._add_draft(session, BudgetPlanData(fiscal_year, based_on, notes), lines)

    def save_lines(
        self,
        plan_id: int,
        expected_version: int,
        lines: Sequence[BudgetPlanLineData],
        notes: str | None = None,
    ) -> BudgetPlan:
        """Make `lines` the draft's lines (a line keeps its identity when its category and
        currency stay) and, when given, `notes` its notes ("" clears them): one save, one
        transaction. Every line is checked; errors are keyed "lines[i].field"."""
        with self.database.transaction() as session:
            plan = self._get_current(session, plan_id, expected_version)
            _refuse_if_approved(plan)
            if notes is not None:
                plan.notes = clean_text(notes)
            wanted = _checked_lines(lines)
            current = {(line.category, line.currency): line for line in plan.lines}
            for key, line in current.items():
                if key not in wanted:
                    plan.lines.remove(line)
            for key, data in wanted.items():
                line = current.get(key)
                if line is None:
                    line = BudgetPlanLine(category=data.category, currency=data.currency)
                    plan.lines.append(line)
                line.amount = data.amount  # type: ignore[assignment]
                line.note = data.note
            self._flush(session)
            return self._reload(session, plan)

    def approve(self, plan_id: int, expected_version: int, on: date) -> BudgetPlan:
        """Approve a draft as of `on`: from then on it is read-only."""
        with self.database.transaction() as session:
            plan = self._get_current(session, plan_id, expected_version)
            _refuse_if_approved(plan)
            errors = Errors()
            errors.require("approved_on", on, "The approval date")
            if on is not None and not isinstance(on, date):
                errors.add("approved_on", f"'{on}' is not a date")
            if not plan.lines:
                errors.add("lines", f"{plan.describe()} has no lines to approve")
            errors.raise_if_any()
            plan.status = BudgetPlanStatus.APPROVED
            plan.approved_on = on
            self._flush(session)
            return self._reload(session, plan)

    def new_revision(self, plan_id: int, notes: str | None = None) -> BudgetPlan:
        """A new draft of the same year, revision after the year's last, with the plan's lines:
        how an approved plan is changed."""
        with self.database.transaction() as session:
            source = self._get(session, plan_id)
            data = BudgetPlanData(
                source.fiscal_year,
                f"{source.fiscal_year} plan, revision {source.revision}",
                notes if notes is not None else source.notes,
            )
            lines = [
                BudgetPlanLine(
                    category=line.category,
                    currency=line.currency,
                    amount=line.amount,
                    note=line.note,
                )
                for line in source.lines
            ]
            return self._add_draft(session, data, lines)

    def create_as_revision(self, data: BudgetPlanData, revision: int) -> BudgetPlan:
        """An empty draft numbered `revision` instead of the year's next: an import keeps the
        numbers of its file, gaps left by deleted drafts included, so a round trip changes none."""
        with self.database.transaction() as session:
            if not isinstance(revision, int) or revision < 1:
                raise ValidationError.single("revision", "A revision is a whole number from 1")
            taken = session.scalar(
                select(BudgetPlan.id).where(
                    BudgetPlan.fiscal_year == data.fiscal_year,
                    BudgetPlan.revision == revision,
                )
            )
            if taken is not None:
                raise ValidationError.single(
                    "revision", f"The {data.fiscal_year} plan already has a revision {revision}"
                )
            return self._add_draft(session, data, [], revision)

    def _add_draft(
        self,
        session: Session,
        data: BudgetPlanData,
        lines: list[BudgetPlanLine],
        revision: int | None = None,
    ) -> BudgetPlan:
        """A new draft, the year's next revision (or `revision`), saved with its lines in one
        insert."""
        data = self._validate(session, data, None)
        plan = BudgetPlan()
        self._apply(session, plan, data)
        if revision is not None:
            plan.revision = revision
        plan.lines = lines
        session.add(plan)
        self._flush(session)
        return self._reload(session, plan)

    # --- reading ---------------------------------------------------------------------------

    def for_year(self, fiscal_year: int) -> list[BudgetPlan]:
        """Every revision of the year's plan, oldest first, with their lines."""
        with self.database.transaction() as session:
            return list(
                session.scalars(
                    select(BudgetPlan)
                    .where(BudgetPlan.fiscal_year == fiscal_year)
                    .order_by(BudgetPlan.revision)
                )
            )

    def latest_approved(self, fiscal_year: int) -> BudgetPlan | None:
        """The year's plan in force: its approved revision with the highest number."""
        approved = [p for p in self.for_year(fiscal_year) if p.status is BudgetPlanStatus.APPROVED]
        return approved[-1] if approved else None

    def years(self) -> list[int]:
        """Years with a plan, latest first."""
        with self.database.transaction() as session:
            return sorted(session.scalars(select(BudgetPlan.fiscal_year).distinct()), reverse=True)

    def all_lines(self) -> Iterator[BudgetPlanLine]:
        """Every plan's lines with their plan (year, revision), in plan order then as a plan lists
        them: the export's "Budget plan lines" sheet, streamed in one read."""
        with self.database.transaction() as session:
            statement = (
                select(BudgetPlanLine)
                .join(BudgetPlanLine.plan)
                .options(contains_eager(BudgetPlanLine.plan).lazyload(BudgetPlan.lines))
                .order_by(
                    BudgetPlan.fiscal_year,
                    BudgetPlan.revision,
                    BudgetPlanLine.currency,
                    BudgetPlanLine.category,
                )
            )
            yield from session.scalars(statement)

    def count_lines(self) -> int:
        with self.database.transaction() as session:
            return session.scalar(select(func.count()).select_from(BudgetPlanLine)) or 0

    def totals(self, plan_id: int) -> dict[str, Decimal]:
        """The plan's total per currency."""
        return plan_totals(self.get(plan_id))


def _refuse_if_approved(plan: BudgetPlan) -> None:
    if plan.status is BudgetPlanStatus.APPROVED:
        raise ValidationError.single(
            "status",
            f"{plan.describe()} was approved on {plan.approved_on:%d %b %Y} and is read-only; "
            "make a new revision to change it.",
        )


def _next_revision(session: Session, fiscal_year: int) -> int:
    last = session.scalar(
        select(func.max(BudgetPlan.revision)).where(BudgetPlan.fiscal_year == fiscal_year)
    )
    return (last or 0) + 1


def _checked_lines(
    lines: Sequence[BudgetPlanLineData],
) -> dict[tuple[str, str], BudgetPlanLineData]:
    """The lines cleaned, by (category, currency); ValidationError naming each bad field."""
    errors = Errors()
    wanted: dict[tuple[str, str], BudgetPlanLineData] = {}
    for index, data in enumerate(lines):
        line = Errors()
        category = " ".join((data.category or "").split())
        line.require("category", category, "Category")
        line.max_length("category", category, 120, "Category")
        amount = check_amount(line, "amount", data.amount, "Amount")
        currency = check_currency(line, data.currency)
        if category and currency and (category, currency) in wanted:
            line.add("category", f"'{category}' in {currency} is already a line of this plan")
        for name, message in line.by_field.items():
            errors.add(line_field(index, name), f"Line {index + 1}: {message}")
        if not line.by_field and amount is not None and currency is not None:
            wanted[category, currency] = BudgetPlanLineData(
                category, amount, currency, clean_text(data.note)
            )
    errors.raise_if_any()
    return wanted
