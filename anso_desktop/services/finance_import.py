"""Importing funds, finance entries, exchange rates, budget plans and their lines, each by its
natural key; plans keep their revision and are approved once their lines are in."""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select

from anso_desktop.domain import BudgetPlanStatus, FinanceKind
from anso_desktop.errors import ValidationError
from anso_desktop.services import matching
from anso_desktop.services.budget_plans import BudgetPlanData, BudgetPlanLineData
from anso_desktop.services.exchange_rates import ExchangeRateData
from anso_desktop.services.finances import FinanceEntryData, FundData
from anso_desktop.services.importing import (
    ImportSession,
    LateProblem,
    RowRefused,
    TableImport,
    currency_of,
    first_date,
    require,
)
from anso_desktop.services.matching import Candidate, RecordRef
from anso_desktop.storage.models import (
    BudgetPlan,
    BudgetPlanLine,
    ExchangeRate,
    FinanceEntry,
    Fund,
    normalize_name,
)


class FundImport(TableImport):
    table = "funds"
    noun = "fund"
    model = Fund
    kept_on_match = ("name",)

    def likely(
        self, context: ImportSession, values: dict[str, Any], key: Hashable = None
    ) -> list[Candidate]:
        """The same name once case and punctuation are set aside (strong), or a similar one."""
        folded = normalize_name(values["name"])
        found = []
        for fund in context.session.scalars(select(Fund)):
            theirs = normalize_name(fund.name)
            if theirs == folded:
                reason = "same name once case and punctuation are set aside"
                found.append(Candidate(RecordRef(fund.id, fund.name), reason, 100, True))
            elif (score := matching.similarity(folded, theirs)) >= matching.SIMILAR_NAME:
                reason = f"a similar name ({score}%)"
                found.append(Candidate(RecordRef(fund.id, fund.name), reason, score, False))
        return matching.best_first(found)

    def key(self, values: dict[str, Any]) -> Hashable:
        if not values.get("name"):
            raise RowRefused("name", "the name is missing")
        return values["name"]

    def label(self, values: dict[str, Any]) -> str:
        return values.get("name") or "?"

    def find(self, context: ImportSession, key: Hashable) -> Any:
        return context.session.scalars(select(Fund).where(Fund.name == key)).one_or_none()

    def data_of(self, record: Any) -> Any:
        return FundData.from_record(record)

    def build(self, context: ImportSession, values: dict[str, Any], current: Any) -> Any:
        changes: dict[str, Any] = {
            k: values[k] for k in ("name", "currency", "initial_capital", "notes") if k in values
        }
        if "established_on" in values:
            changes["established_on"] = first_date(values, "established_on")
        if "partner" in values:
            changes["partner_id"] = (
                context.organization_id(values["partner"], "Partner") if values["partner"] else None
            )
        base = (
            current
            if current is not None
            else FundData(name=values["name"], currency="CNY", initial_capital=None)
        )
        return replace(base, **changes)


class FinanceImport(TableImport):
    table = "finances"
    noun = "finance entry"

    def key(self, values: dict[str, Any]) -> Hashable:
        for required in ("fiscal_year", "category", "kind"):
            if values.get(required) in (None, ""):
                raise RowRefused(required, "missing")
        entry_date = first_date(values, "entry_date") if "entry_date" in values else None
        currency = (values.get("currency") or "CNY").upper()
        if currency == "RMB":
            currency = "CNY"
        return (
            values["fiscal_year"],
            " ".join(values["category"].split()),
            values["kind"],
            currency,
            values.get("funding_source"),
            entry_date,
            values.get("description"),
        )

    def label(self, values: dict[str, Any]) -> str:
        return f"{values.get('fiscal_year')} {values.get('category')}"

    def find(self, context: ImportSession, key: Hashable) -> Any:
        year, category, kind, currency, source, entry_date, description = key  # type: ignore[misc]
        return context.session.scalars(
            select(FinanceEntry).where(
                FinanceEntry.fiscal_year == year,
                FinanceEntry.category == category,
                FinanceEntry.kind == kind,
                FinanceEntry.currency == currency,
                FinanceEntry.funding_source.is_(None)
                if source is None
                else FinanceEntry.funding_source == source,
                FinanceEntry.entry_date.is_(None)
                if entry_date is None
                else FinanceEntry.entry_date == entry_date,
                FinanceEntry.description.is_(None)
                if description is None
                else FinanceEntry.description == description,
            )
        ).first()

    def data_of(self, record: Any) -> Any:
        return FinanceEntryData.from_record(record)

    def build(self, context: ImportSession, values: dict[str, Any], current: Any) -> Any:
        changes: dict[str, Any] = {
            k: values[k]
            for k in ("fiscal_year", "category", "kind", "amount", "funding_source", "description")
            if k in values
        }
        if values.get("currency"):
            changes["currency"] = values["currency"]
        if "entry_date" in values:
            changes["entry_date"] = first_date(values, "entry_date")
        if "fund" in values:
            changes["fund_id"] = context.fund_id(values["fund"], "Fund") if values["fund"] else None
        base = (
            current
            if current is not None
            else FinanceEntryData(
                fiscal_year=values["fiscal_year"],
                category=values["category"],
                kind=values["kind"] or FinanceKind.EXPENDITURE,
                amount=None,
            )
        )
        return replace(base, **changes)

    def comparable(self, data: Any) -> Any:
        currency = (data.currency or "").upper()
        return replace(data, currency="CNY" if currency == "RMB" else currency)


class ExchangeRateImport(TableImport):
    table = "exchange-rates"
    noun = "exchange rate"

    def key(self, values: dict[str, Any]) -> Hashable:
        require(values, "fiscal_year")
        return (
            values["fiscal_year"],
            currency_of(values, "currency"),
            currency_of(values, "to_currency"),
        )

    def label(self, values: dict[str, Any]) -> str:
        return (
            f"{values.get('fiscal_year')} {values.get('currency')} to {values.get('to_currency')}"
        )

    def find(self, context: ImportSession, key: Hashable) -> Any:
        year, currency, to_currency = key  # type: ignore[misc]
        return context.session.scalars(
            select(ExchangeRate).where(
                ExchangeRate.fiscal_year == year,
                ExchangeRate.currency == currency,
                ExchangeRate.to_currency == to_currency,
            )
        ).one_or_none()

    def data_of(self, record: Any) -> Any:
        return ExchangeRateData.from_record(record)

    def build(self, context: ImportSession, values: dict[str, Any], current: Any) -> Any:
        year, currency, to_currency = self.key(values)  # type: ignore[misc]
        base = current or ExchangeRateData(year, currency, to_currency, None)
        changes = {k: values[k] for k in ("rate", "note") if k in values}
        return replace(
            base, fiscal_year=year, currency=currency, to_currency=to_currency, **changes
        )


#: Why a change to an approved plan, or to one of its lines, is refused.
READ_ONLY_PLAN = "approved plans are read-only; make a new revision"


@dataclass(frozen=True)
class PlanRow:
    """A budget plan as its sheet holds it: the service's data plus revision, status and date,
    which the service sets through its own use cases (a numbered draft, then `approve`)."""

    fiscal_year: int
    revision: int
    status: BudgetPlanStatus
    based_on: str | None = None
    approved_on: date | None = None
    notes: str | None = None

    @property
    def plan_data(self) -> BudgetPlanData:
        return BudgetPlanData(self.fiscal_year, self.based_on, self.notes)


def find_plan(context: ImportSession, year: int, revision: int) -> BudgetPlan | None:
    return context.session.scalars(
        select(BudgetPlan).where(BudgetPlan.fiscal_year == year, BudgetPlan.revision == revision)
    ).one_or_none()


class BudgetPlanImport(TableImport):
    table = "budget-plans"
    noun = "budget plan"

    def key(self, values: dict[str, Any]) -> Hashable:
        require(values, "fiscal_year", "revision")
        return (values["fiscal_year"], values["revision"])

    def label(self, values: dict[str, Any]) -> str:
        return f"{values.get('fiscal_year')} plan, revision {values.get('revision')}"

    def find(self, context: ImportSession, key: Hashable) -> Any:
        return find_plan(context, *key)  # type: ignore[misc]

    def data_of(self, record: Any) -> Any:
        return PlanRow(
            record.fiscal_year,
            record.revision,
            record.status,
            record.based_on,
            record.approved_on,
            record.notes,
        )

    def build(self, context: ImportSession, values: dict[str, Any], current: Any) -> Any:
        changes = {k: values[k] for k in ("based_on", "notes") if k in values}
        if "status" in values:
            changes["status"] = values["status"] or BudgetPlanStatus.DRAFT
        if "approved_on" in values:
            changes["approved_on"] = first_date(values, "approved_on")
        base = current or PlanRow(values["fiscal_year"], values["revision"], BudgetPlanStatus.DRAFT)
        data = replace(base, **changes)
        if data.status is BudgetPlanStatus.APPROVED and data.approved_on is None:
            raise RowRefused("approved_on", "an approved plan needs the date it was approved")
        if data.status is BudgetPlanStatus.DRAFT and data.approved_on is not None:
            raise RowRefused("status", "a draft has no approval date: say Approved, or clear it")
        return data

    def create(self, context: ImportSession, data: Any) -> Any:
        return context.services.budget_plans.create_as_revision(data.plan_data, data.revision)

    def update(self, context: ImportSession, record: Any, data: Any) -> Any:
        if record.status is BudgetPlanStatus.APPROVED:
            raise RowRefused("status", READ_ONLY_PLAN)
        return context.services.budget_plans.update(record.id, record.version, data.plan_data)

    def after_save(
        self, context: ImportSession, record: Any, values: dict[str, Any], row: int, sheet: str
    ) -> None:
        approved = values.get("status") is BudgetPlanStatus.APPROVED
        if approved and record.status is not BudgetPlanStatus.APPROVED:
            context.approvals.append((record.id, first_date(values, "approved_on"), row, sheet))


@dataclass(frozen=True)
class LineRow:
    """A plan line with the plan it belongs to (year and revision)."""

    fiscal_year: int
    revision: int
    line: BudgetPlanLineData


class BudgetPlanLineImport(TableImport):
    table = "budget-plan-lines"
    noun = "budget plan line"

    def key(self, values: dict[str, Any]) -> Hashable:
        require(values, "fiscal_year", "revision", "category")
        category = " ".join(values["category"].split())
        return (
            values["fiscal_year"],
            values["revision"],
            category,
            currency_of(values, "currency", "CNY"),
        )

    def label(self, values: dict[str, Any]) -> str:
        return f"{values.get('fiscal_year')} plan, revision {values.get('revision')}: {values.get('category')}"

    def find(self, context: ImportSession, key: Hashable) -> Any:
        year, revision, category, currency = key  # type: ignore[misc]
        return context.session.scalars(
            select(BudgetPlanLine)
            .join(BudgetPlanLine.plan)
            .where(
                BudgetPlan.fiscal_year == year,
                BudgetPlan.revision == revision,
                BudgetPlanLine.category == category,
                BudgetPlanLine.currency == currency,
            )
        ).one_or_none()

    def data_of(self, record: Any) -> Any:
        plan = record.plan
        return LineRow(plan.fiscal_year, plan.revision, BudgetPlanLineData.from_record(record))

    def build(self, context: ImportSession, values: dict[str, Any], current: Any) -> Any:
        year, revision, category, currency = self.key(values)  # type: ignore[misc]
        if current is None:
            if find_plan(context, year, revision) is None:
                raise RowRefused(
                    "revision",
                    f"there is no {year} budget plan, revision {revision}, in the file or the "
                    "database (add it to the Budget plans sheet)",
                )
            current = LineRow(year, revision, BudgetPlanLineData(category, None, currency))
        changes = {k: values[k] for k in ("amount", "note") if k in values}
        line = replace(current.line, category=category, currency=currency, **changes)
        return replace(current, line=line)

    def create(self, context: ImportSession, data: Any) -> Any:
        return self._save(context, data, None)

    def update(self, context: ImportSession, record: Any, data: Any) -> Any:
        return self._save(context, data, record)

    @staticmethod
    def _save(context: ImportSession, data: LineRow, record: BudgetPlanLine | None) -> Any:
        """The plan's lines saved with this one added or replaced: a plan is saved whole."""
        plan = find_plan(context, data.fiscal_year, data.revision)
        assert plan is not None  # `build` refused a line without its plan
        if plan.status is BudgetPlanStatus.APPROVED:
            raise RowRefused("revision", READ_ONLY_PLAN)
        replaced = (record.category, record.currency) if record is not None else None
        lines = [
            BudgetPlanLineData.from_record(line)
            for line in plan.lines
            if (line.category, line.currency) != replaced
        ]
        lines.append(data.line)
        try:
            return context.services.budget_plans.save_lines(plan.id, plan.version, lines)
        except ValidationError as error:
            # Only the new line can be wrong; its errors are "lines[i].amount": "Line 7: ...".
            prefix = f"lines[{len(lines) - 1}]."
            raise ValidationError(
                {
                    key.removeprefix(prefix): re.sub(r"^Line \d+: ", "", message)
                    for key, message in error.errors.items()
                }
            ) from None


def approve_plans(context: ImportSession) -> list[LateProblem]:
    """Approve the plans the file says are approved, now that their lines are in (an approved
    plan takes no more lines), each as of the date its row gives."""
    problems: list[LateProblem] = []
    for plan_id, on, row, sheet in context.approvals:
        plan = context.session.get(BudgetPlan, plan_id)
        assert plan is not None
        try:
            with context.savepoint():
                context.services.budget_plans.approve(plan_id, plan.version, on)
        except ValidationError as error:
            for key, message in error.errors.items():
                problems.append((sheet, row, "status" if key == "lines" else key, message))
    return problems
