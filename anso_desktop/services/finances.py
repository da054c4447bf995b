"""Finance entries (budget, expenditure, income) and funds such as the STIC endowment.

Amounts are Decimal from the form to the database and back; nothing here ever makes a float.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from anso_desktop.domain import BudgetPlanStatus, FinanceKind
from anso_desktop.errors import ValidationError
from anso_desktop.services.base import CrudService, Errors, ListQuery, clean_text
from anso_desktop.services.budget_plans import rename_plan_category
from anso_desktop.services.exchange_rates import (
    AppliedRate,
    ExchangeRateService,
    MissingRateError,
    convert,
)

# The money checks live in `money`; their old names here keep working for callers.
from anso_desktop.services.money import MAX_AMOUNT as MAX_AMOUNT
from anso_desktop.services.money import check_amount, check_currency, check_fiscal_year
from anso_desktop.services.money import currency_code as currency_code
from anso_desktop.storage.models import (
    BudgetPlan,
    BudgetPlanLine,
    FinanceEntry,
    Fund,
    Organization,
)
from anso_desktop.storage.types import CENT


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
    #: In a converted summary, the other currencies whose figures were converted into this line
    #: (each at its rate, rounded to the cent, then added); empty when nothing was converted.
    converted_from: tuple[str, ...] = ()


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
    currency. A converted summary has every line in `convert_to`, one total, and the `rates` it
    converted at (to be shown with the figures)."""

    year: int
    lines: tuple[BudgetLine, ...]
    totals: tuple[BudgetTotal, ...]
    convert_to: str | None = None
    rates: tuple[AppliedRate, ...] = ()

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


@dataclass
class _Figures:
    """Budget and actual of one category in one currency, while a summary is being made."""

    budget: Decimal = _ZERO
    actual: Decimal = _ZERO
    converted_from: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class CategoryRename:
    """What `rename_category` changed, and what it left alone."""

    old: str
    new: str
    #: Finance entries renamed.
    entries: int
    #: Lines of draft budget plans renamed (or merged into a line of the new name).
    plan_lines: int
    #: Whether the new name was already in use, so two categories became one.
    merged: bool
    #: Approved plans that use the old name and keep it ("The 2022 budget plan (revision 1)").
    approved_plans_unchanged: tuple[str, ...] = ()

    @property
    def changed(self) -> int:
        return self.entries + self.plan_lines

    @property
    def message(self) -> str:
        """One sentence for the status bar or a message box."""
        text = (
            f"'{self.old}' is now '{self.new}' in {_count(self.entries, 'entry', 'entries')} "
            f"and {_count(self.plan_lines, 'line')} of draft budget plans"
        )
        if self.merged:
            text += f", merged with the existing '{self.new}'"
        text += "."
        if self.approved_plans_unchanged:
            text += (
                f" Approved plans are read-only and keep '{self.old}': "
                f"{'; '.join(self.approved_plans_unchanged)}."
            )
        return text


def _category_in_use(session: Session, category: str) -> bool:
    """Whether an entry or a draft plan's line already uses `category` (what a rename onto it
    merges with; approved plans are read-only and merge with nothing)."""
    in_entries = select(FinanceEntry.id).where(FinanceEntry.category == category).limit(1)
    in_drafts = (
        select(BudgetPlanLine.id)
        .join(BudgetPlan, BudgetPlan.id == BudgetPlanLine.plan_id)
        .where(BudgetPlanLine.category == category, BudgetPlan.status != BudgetPlanStatus.APPROVED)
        .limit(1)
    )
    return any(session.scalar(query) is not None for query in (in_entries, in_drafts))


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


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
        check_fiscal_year(errors, data.fiscal_year)
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
        """Categories already used by entries and budget plans, for suggestions."""
        with self.database.transaction() as session:
            used = select(FinanceEntry.category).union(select(BudgetPlanLine.category))
            return sorted(session.scalars(used))

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

    def budget_vs_actual(self, year: int, *, convert_to: str | None = None) -> BudgetSummary:
        """Per category and currency, the year's budget entries against its expenditure entries
        (income is left out). Sums are exact Decimals; each currency has its own total.

        With `convert_to`, the figures of each category in another currency are converted at the
        year's rate into `convert_to` (rounded half up to the cent, per category and currency)
        and added to that category's line; totals add the converted lines. A missing rate raises
        MissingRateError naming the year and the currencies; nothing is ever added across
        currencies without a rate.
        """
        sums = self._budget_and_actual_sums(year)
        rates: tuple[AppliedRate, ...] = ()
        if convert_to is not None:
            errors = Errors()
            target = check_currency(errors, convert_to, "convert_to")
            errors.raise_if_any()
            assert target is not None
            sums, rates = self._converted(year, sums, target)
        lines: list[BudgetLine] = []
        for currency, category in sorted(sums, key=lambda key: (key[0], key[1].casefold(), key[1])):
            figures = sums[currency, category]
            budget, actual = figures.budget, figures.actual
            lines.append(
                BudgetLine(
                    category,
                    currency,
                    budget,
                    actual,
                    *_compare(budget, actual),
                    converted_from=tuple(sorted(figures.converted_from)),
                )
            )
        totals: list[BudgetTotal] = []
        for currency in sorted({line.currency for line in lines}):
            budget = sum((x.budget for x in lines if x.currency == currency), _ZERO)
            actual = sum((x.actual for x in lines if x.currency == currency), _ZERO)
            totals.append(BudgetTotal(currency, budget, actual, *_compare(budget, actual)))
        return BudgetSummary(
            year=year,
            lines=tuple(lines),
            totals=tuple(totals),
            convert_to=currency_code(convert_to) if convert_to is not None else None,
            rates=rates,
        )

    def _budget_and_actual_sums(self, year: int) -> dict[tuple[str, str], _Figures]:
        """(currency, category) -> the year's budget and expenditure sums, summed in SQL."""
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
        sums: dict[tuple[str, str], _Figures] = {}
        for category, currency, kind, total in rows:
            figures = sums.setdefault((currency, category), _Figures())
            if kind is FinanceKind.BUDGET:
                figures.budget = total
            else:
                figures.actual = total
        return sums

    def _converted(
        self, year: int, sums: dict[tuple[str, str], _Figures], target: str
    ) -> tuple[dict[tuple[str, str], _Figures], tuple[AppliedRate, ...]]:
        """The sums with every other currency converted into `target` and added per category."""
        others = sorted({currency for currency, _ in sums} - {target})
        known = ExchangeRateService(self.database).rates_for(year, target) if others else {}
        missing = tuple(currency for currency in others if currency not in known)
        if missing:
            raise MissingRateError(year, missing, target)
        converted: dict[tuple[str, str], _Figures] = {}
        for (currency, category), figures in sums.items():
            line = converted.setdefault((target, category), _Figures())
            if currency == target:
                line.budget += figures.budget
                line.actual += figures.actual
                continue
            line.budget += convert(figures.budget, known[currency])
            line.actual += convert(figures.actual, known[currency])
            line.converted_from.add(currency)
        rates = tuple(AppliedRate(year, currency, target, known[currency]) for currency in others)
        return converted, rates

    def rename_category(self, old: str, new: str) -> CategoryRename:
        """Rename a category in every finance entry and every draft budget plan, in one
        transaction. Renaming onto a category already used merges the two (a draft plan's lines
        of the same currency are added up). Approved plans are read-only and keep the old name;
        the result names them so the screen can say so."""
        errors = Errors()
        old_name = " ".join((old or "").split())
        new_name = " ".join((new or "").split())
        errors.require("category", old_name, "The category to rename")
        errors.require("new_category", new_name, "The new name")
        errors.max_length("new_category", new_name, 120, "The new name")
        if old_name and old_name == new_name:
            errors.add("new_category", f"The category is already called '{new_name}'")
        errors.raise_if_any()
        with self.database.transaction() as session:
            entries = list(
                session.scalars(select(FinanceEntry).where(FinanceEntry.category == old_name))
            )
            plans = list(
                session.scalars(
                    select(BudgetPlan)
                    .join(BudgetPlan.lines)
                    .where(BudgetPlanLine.category == old_name)
                    .distinct()
                    .order_by(BudgetPlan.fiscal_year, BudgetPlan.revision)
                )
            )
            if not entries and not plans:
                raise ValidationError.single(
                    "category", f"No entry or budget plan uses the category '{old_name}'"
                )
            merged = _category_in_use(session, new_name)
            for entry in entries:
                entry.category = new_name
            plan_lines = 0
            skipped: list[str] = []
            for plan in plans:
                if plan.status is BudgetPlanStatus.APPROVED:
                    skipped.append(plan.describe())
                    continue
                plan_lines += rename_plan_category(plan, old_name, new_name)
            self._flush(session)
        return CategoryRename(
            old=old_name,
            new=new_name,
            entries=len(entries),
            plan_lines=plan_lines,
            merged=merged,
            approved_plans_unchanged=tuple(skipped),
        )


@dataclass(frozen=True)
class FundBalancePoint:
    """One step of a fund's balance: the initial capital, an income or a spending entry."""

    #: When: the fund's establishment date, the entry's date, or 31 December of an undated
    #: entry's fiscal year (None only for the capital of a fund with no establishment date).
    on: date | None
    #: What happened: "Initial capital", "Income: STIC Endowment earnings", ...
    what: str
    #: + for capital and income, − for spending.
    change: Decimal
    #: The balance after this step.
    balance: Decimal
    #: The entry behind the step (None for the initial capital).
    entry_id: int | None = None
    kind: FinanceKind | None = None
    #: The entry has no date of its own: `on` is the end of its fiscal year.
    dated_by_year: bool = False


@dataclass(frozen=True)
class FundBalance:
    """A fund's figures to date: capital, income and spending charged to it, and what is left."""

    fund_id: int
    name: str
    currency: str
    initial_capital: Decimal
    income: Decimal
    spending: Decimal
    balance: Decimal


def _balance_steps(fund: Fund, entries: list[FinanceEntry]) -> list[FundBalancePoint]:
    """The fund's history, in date order (capital first on its day, then entries as entered)."""
    steps: list[tuple[date, int, int, FundBalancePoint]] = [
        (
            fund.established_on or date.min,
            0,
            0,
            FundBalancePoint(fund.established_on, "Initial capital", fund.initial_capital, _ZERO),
        )
    ]
    for entry in entries:
        if entry.kind is FinanceKind.BUDGET:
            continue
        on = entry.entry_date or date(entry.fiscal_year, 12, 31)
        change = entry.amount if entry.kind is FinanceKind.INCOME else -entry.amount
        point = FundBalancePoint(
            on,
            f"{entry.kind.label}: {entry.category}",
            change,
            _ZERO,
            entry_id=entry.id,
            kind=entry.kind,
            dated_by_year=entry.entry_date is None,
        )
        steps.append((on, 1, entry.id, point))
    steps.sort(key=lambda step: step[:3])
    balance = _ZERO
    points: list[FundBalancePoint] = []
    for *_, point in steps:
        balance += point.change
        points.append(replace(point, balance=balance))
    return points


class FundService(CrudService[Fund, FundData]):
    model = Fund
    noun = "Fund"
    search_columns = ("name", "notes")
    sort_columns = {"name": "name", "currency": "currency", "initial_capital": "initial_capital"}
    default_sort = ("name",)
    unique_messages = {"name": ("name", "A fund with this name already exists")}

    @staticmethod
    def id_of_name(session: Session, name: str) -> int | None:
        """The fund of this name (as sheets name it), or None."""
        return session.scalars(select(Fund.id).where(Fund.name == name)).first()

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

    def balance_history(self, fund_id: int, *, until: date | None = None) -> list[FundBalancePoint]:
        """The fund's balance over time: its initial capital (at its establishment date), then
        each income entry charged to it added and each expenditure subtracted, in date order
        (an undated entry counts on 31 December of its fiscal year; budget entries are plans,
        not money, and are left out). With `until`, only the steps up to that day."""
        with self.database.transaction() as session:
            fund = self._get(session, fund_id)
            entries = list(
                session.scalars(select(FinanceEntry).where(FinanceEntry.fund_id == fund_id))
            )
            points = _balance_steps(fund, entries)
        if until is not None:
            points = [p for p in points if p.on is None or p.on <= until]
        return points

    def balances(self, *, until: date | None = None) -> list[FundBalance]:
        """Every fund's balance (to date, or as of `until`), by fund name."""
        with self.database.transaction() as session:
            funds = list(session.scalars(select(Fund).order_by(Fund.name)))
            entries: dict[int, list[FinanceEntry]] = {}
            for entry in session.scalars(
                select(FinanceEntry).where(FinanceEntry.fund_id.is_not(None))
            ):
                entries.setdefault(entry.fund_id, []).append(entry)  # type: ignore[arg-type]
        result: list[FundBalance] = []
        for fund in funds:
            points = [
                p
                for p in _balance_steps(fund, entries.get(fund.id, []))
                if until is None or p.on is None or p.on <= until
            ]
            income = sum((p.change for p in points if p.kind is FinanceKind.INCOME), _ZERO)
            spending = -sum((p.change for p in points if p.kind is FinanceKind.EXPENDITURE), _ZERO)
            capital = sum((p.change for p in points if p.entry_id is None), _ZERO)
            result.append(
                FundBalance(
                    fund.id,
                    fund.name,
                    fund.currency,
                    capital,
                    income,
                    spending,
                    points[-1].balance if points else _ZERO,
                )
            )
        return result
