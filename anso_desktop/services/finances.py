"""Finance entries (budget, expenditure, income) and funds such as the STIC endowment.

Amounts are Decimal from the form to the database and back; nothing here ever makes a float.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any

import pycountry
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from anso_desktop.domain import FinanceKind
from anso_desktop.errors import ValidationError
from anso_desktop.services.base import CrudService, Errors, ListQuery, clean_text
from anso_desktop.storage.models import FinanceEntry, Fund, Organization
from anso_desktop.storage.types import CENT

# What a spreadsheet number (a double) holds exactly to the cent: an export must read back the same.
MAX_AMOUNT = Decimal("9999999999999.99")


def currency_code(text: str) -> str:
    """The ISO 4217 code for a code such as 'cny' or 'RMB' (the common name of the yuan)."""
    code = text.strip().upper()
    if code == "RMB":
        return "CNY"
    if pycountry.currencies.get(alpha_3=code) is None:
        raise ValueError(
            f"'{text.strip()}' is not an ISO 4217 currency code (such as CNY, USD, EUR)"
        )
    return code


def check_currency(errors: Errors, text: str | None) -> str | None:
    """The ISO code of `text`, or None with the refusal added to `errors` under "currency"."""
    try:
        return currency_code(text or "")
    except ValueError as error:
        errors.add("currency", str(error))
        return None


def check_amount(errors: Errors, field_name: str, amount: Any, label: str) -> Decimal | None:
    """An amount with at most two decimals, not negative, within the column's range."""
    if amount is None:
        errors.add(field_name, f"{label} is required")
        return None
    try:
        value = Decimal(amount) if not isinstance(amount, Decimal) else amount
    except (InvalidOperation, ValueError, TypeError):
        errors.add(field_name, f"'{amount}' is not an amount")
        return None
    if isinstance(amount, float):
        raise TypeError("Amounts are Decimal, never float")
    if not value.is_finite():
        errors.add(field_name, f"'{amount}' is not an amount")
        return None
    if value != value.quantize(CENT):
        errors.add(field_name, f"{label} has more than two decimals")
    if value < 0:
        errors.add(field_name, f"{label} cannot be negative")
    if abs(value) > MAX_AMOUNT:
        errors.add(field_name, f"{label} is too large")
    return value


@dataclass(frozen=True)
class FinanceEntryData:
    fiscal_year: int | None
    category: str
    kind: FinanceKind
    amount: Decimal | None
    currency: str = "CNY"
    funding_source: str | None = None
    fund_id: int | None = None
    entry_date: date | None = None
    description: str | None = None

    @classmethod
    def from_record(cls, record: FinanceEntry) -> FinanceEntryData:
        return cls(**{name: getattr(record, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class FundData:
    name: str
    currency: str
    initial_capital: Decimal | None
    established_on: date | None = None
    partner_id: int | None = None
    notes: str | None = None

    @classmethod
    def from_record(cls, record: Fund) -> FundData:
        return cls(**{name: getattr(record, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class BudgetLine:
    """Budget against actual (expenditure) for one category in one currency of one year."""

    category: str
    currency: str
    budget: Decimal
    actual: Decimal
    #: budget − actual: negative when more was spent than budgeted.
    variance: Decimal
    #: actual / budget × 100, to two decimals; None when the category has no budget to use up.
    percent_used: Decimal | None
    #: More spent than budgeted (spending with no budget at all counts too).
    over_budget: bool


@dataclass(frozen=True)
class BudgetTotal:
    """The same figures over every category of one currency: currencies are never added up."""

    currency: str
    budget: Decimal
    actual: Decimal
    variance: Decimal
    percent_used: Decimal | None
    over_budget: bool


@dataclass(frozen=True)
class BudgetSummary:
    """A year's budget against actual: lines ordered by currency then category, and one total per
    currency."""

    year: int
    lines: tuple[BudgetLine, ...]
    totals: tuple[BudgetTotal, ...]

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(total.currency for total in self.totals)

    def lines_in(self, currency: str) -> tuple[BudgetLine, ...]:
        return tuple(line for line in self.lines if line.currency == currency)

    def total_in(self, currency: str) -> BudgetTotal | None:
        return next((total for total in self.totals if total.currency == currency), None)

    def line(self, category: str, currency: str) -> BudgetLine | None:
        return next(
            (x for x in self.lines if (x.category, x.currency) == (category, currency)), None
        )


PERCENT = Decimal("0.01")
_ZERO = Decimal("0.00")


def _compare(budget: Decimal, actual: Decimal) -> tuple[Decimal, Decimal | None, bool]:
    """Variance, percent used and the over-budget flag, computed once for lines and totals alike."""
    percent = None
    if budget > 0:
        # Enough digits for the largest amounts, whatever the caller's decimal context says.
        with localcontext() as context:
            context.prec = 40
            percent = (actual * 100 / budget).quantize(PERCENT, rounding=ROUND_HALF_UP)
    return budget - actual, percent, actual > budget


class FinanceEntryService(CrudService[FinanceEntry, FinanceEntryData]):
    model = FinanceEntry
    noun = "Finance entry"
    search_columns = ("category", "description", "funding_source")
    sort_columns = {
        "fiscal_year": "fiscal_year",
        "category": "category",
        "kind": "kind",
        "amount": "amount",
        "currency": "currency",
        "funding_source": "funding_source",
        "entry_date": "entry_date",
        "description": "description",
    }
    default_sort = ("fiscal_year", "category")

    def describe(self, record: FinanceEntry) -> str:
        return f"The {record.kind.label.lower()} entry '{record.category}' of {record.fiscal_year}"

    def _filter(self, statement: Select[Any], name: str, value: Any) -> Select[Any]:
        if name == "year":
            return statement.where(FinanceEntry.fiscal_year == int(value))
        if name == "kind":
            return statement.where(FinanceEntry.kind == FinanceKind(value))
        if name == "category":
            return statement.where(FinanceEntry.category == value)
        if name == "currency":
            return statement.where(FinanceEntry.currency == value)
        if name == "fund_id":
            return statement.where(FinanceEntry.fund_id == int(value))
        return super()._filter(statement, name, value)

    def _validate(
        self, session: Session, data: FinanceEntryData, existing: FinanceEntry | None
    ) -> FinanceEntryData:
        errors = Errors()
        errors.require("fiscal_year", data.fiscal_year, "Year")
        if data.fiscal_year is not None and not 1900 <= data.fiscal_year <= 2200:
            errors.add("fiscal_year", f"{data.fiscal_year} is not a plausible fiscal year")
        category = " ".join((data.category or "").split())
        errors.require("category", category, "Category")
        errors.max_length("category", category, 120, "Category")
        amount = check_amount(errors, "amount", data.amount, "Amount")
        errors.max_length("funding_source", clean_text(data.funding_source), 200, "Funding source")
        currency = check_currency(errors, data.currency)
        if data.fund_id is not None:
            fund = session.get(Fund, data.fund_id)
            if fund is None:
                errors.add("fund_id", f"Fund #{data.fund_id} does not exist")
            elif currency is not None and fund.currency != currency:
                errors.add(
                    "currency", f"The fund '{fund.name}' is kept in {fund.currency}, not {currency}"
                )
        errors.raise_if_any()
        return replace(
            data,
            category=category,
            amount=amount.quantize(CENT) if amount is not None else None,
            currency=currency or "",
            funding_source=clean_text(data.funding_source),
            description=clean_text(data.description),
        )

    def _apply(self, session: Session, record: FinanceEntry, data: FinanceEntryData) -> None:
        for name in FinanceEntryData.__dataclass_fields__:
            setattr(record, name, getattr(data, name))

    def categories(self) -> list[str]:
        """Categories already used, for suggestions."""
        with self.database.transaction() as session:
            return sorted(session.scalars(select(FinanceEntry.category).distinct()))

    def years(self) -> list[int]:
        with self.database.transaction() as session:
            return sorted(
                session.scalars(select(FinanceEntry.fiscal_year).distinct()), reverse=True
            )

    def totals(self, query_filters: dict[str, Any] | None = None) -> dict[tuple[str, str], Decimal]:
        """Sum of amounts per (kind, currency) under the given filters: never across currencies."""
        with self.database.transaction() as session:
            statement = select(
                FinanceEntry.kind, FinanceEntry.currency, func.sum(FinanceEntry.amount)
            )
            for name, value in (query_filters or {}).items():
                if value not in (None, ""):
                    statement = self._filter(statement, name, value)
            rows = session.execute(
                statement.group_by(FinanceEntry.kind, FinanceEntry.currency)
            ).all()
        return {(kind.value, currency): total for kind, currency, total in rows}

    def query_totals(self, query: ListQuery) -> dict[tuple[str, str], Decimal]:
        """Like `totals`, over exactly the rows a list query shows (its search text included), so
        a status line's sums always match its row count."""
        with self.database.transaction() as session:
            statement = (
                self._query_statement(replace(query, offset=0, limit=None))
                .with_only_columns(
                    FinanceEntry.kind, FinanceEntry.currency, func.sum(FinanceEntry.amount)
                )
                .group_by(FinanceEntry.kind, FinanceEntry.currency)
            )
            rows = session.execute(statement).all()
        return {(kind.value, currency): total for kind, currency, total in rows}

    def currencies(self) -> list[str]:
        """Currencies already used, for the filter and the entry form."""
        with self.database.transaction() as session:
            return sorted(session.scalars(select(FinanceEntry.currency).distinct()))

    def funding_sources(self) -> list[str]:
        """Funding sources already named, for suggestions."""
        with self.database.transaction() as session:
            return sorted(
                session.scalars(
                    select(FinanceEntry.funding_source)
                    .where(FinanceEntry.funding_source.is_not(None))
                    .distinct()
                )
            )

    def budget_vs_actual(self, year: int) -> BudgetSummary:
        """Per category and currency, the year's budget entries against its expenditure entries
        (income is left out). Sums are exact Decimals; each currency has its own total."""
        with self.database.transaction() as session:
            rows = session.execute(
                select(
                    FinanceEntry.category,
                    FinanceEntry.currency,
                    FinanceEntry.kind,
                    func.sum(FinanceEntry.amount),
                )
                .where(
                    FinanceEntry.fiscal_year == year,
                    FinanceEntry.kind.in_((FinanceKind.BUDGET, FinanceKind.EXPENDITURE)),
                )
                .group_by(FinanceEntry.category, FinanceEntry.currency, FinanceEntry.kind)
            ).all()
        sums: dict[tuple[str, str], dict[FinanceKind, Decimal]] = {}
        for category, currency, kind, total in rows:
            sums.setdefault((currency, category), {})[kind] = total
        lines: list[BudgetLine] = []
        for currency, category in sorted(sums, key=lambda key: (key[0], key[1].casefold(), key[1])):
            by_kind = sums[currency, category]
            budget = by_kind.get(FinanceKind.BUDGET, _ZERO)
            actual = by_kind.get(FinanceKind.EXPENDITURE, _ZERO)
            lines.append(BudgetLine(category, currency, budget, actual, *_compare(budget, actual)))
        totals: list[BudgetTotal] = []
        for currency in sorted({line.currency for line in lines}):
            budget = sum((x.budget for x in lines if x.currency == currency), _ZERO)
            actual = sum((x.actual for x in lines if x.currency == currency), _ZERO)
            totals.append(BudgetTotal(currency, budget, actual, *_compare(budget, actual)))
        return BudgetSummary(year=year, lines=tuple(lines), totals=tuple(totals))


class FundService(CrudService[Fund, FundData]):
    model = Fund
    noun = "Fund"
    search_columns = ("name", "notes")
    sort_columns = {"name": "name", "currency": "currency", "initial_capital": "initial_capital"}
    default_sort = ("name",)
    unique_messages = {"name": ("name", "A fund with this name already exists")}

    def describe(self, record: Fund) -> str:
        return f"Fund '{record.name}'"

    def _validate(self, session: Session, data: FundData, existing: Fund | None) -> FundData:
        errors = Errors()
        name = " ".join((data.name or "").split())
        errors.require("name", name, "Name")
        capital = check_amount(errors, "initial_capital", data.initial_capital, "Initial capital")
        currency = check_currency(errors, data.currency)
        if existing is not None and currency is not None and currency != existing.currency:
            charged = session.scalar(
                select(func.count())
                .select_from(FinanceEntry)
                .where(FinanceEntry.fund_id == existing.id)
            )
            if charged:
                errors.add(
                    "currency",
                    f"{charged} entries in {existing.currency} are charged to this fund; "
                    "its currency cannot change",
                )
        if data.partner_id is not None and session.get(Organization, data.partner_id) is None:
            errors.add("partner_id", f"Organization #{data.partner_id} does not exist")
        clash = session.scalars(select(Fund).where(Fund.name == name)).one_or_none()
        if clash is not None and (existing is None or clash.id != existing.id):
            errors.add("name", f"The fund '{name}' already exists")
        errors.raise_if_any()
        return replace(
            data,
            name=name,
            currency=currency or "",
            initial_capital=capital,
            notes=clean_text(data.notes),
        )

    def _apply(self, session: Session, record: Fund, data: FundData) -> None:
        for name in FundData.__dataclass_fields__:
            setattr(record, name, getattr(data, name))

    def _before_delete(self, session: Session, record: Fund) -> None:
        count = session.scalar(
            select(func.count()).select_from(FinanceEntry).where(FinanceEntry.fund_id == record.id)
        )
        if count:
            raise ValidationError.single(
                "entries",
                f"The fund '{record.name}' has {count} entries; delete or move them first",
            )
