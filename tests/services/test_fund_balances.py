"""A fund's balance over time: initial capital, then income added and spending subtracted in date
order (undated entries at the end of their fiscal year), budget entries left out; exact cents."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from anso_desktop.domain import FinanceKind
from anso_desktop.errors import NotFoundError
from anso_desktop.services import Services
from anso_desktop.services.finances import FinanceEntryData, FundBalance, FundData

INCOME = FinanceKind.INCOME
SPENT = FinanceKind.EXPENDITURE
BUDGET = FinanceKind.BUDGET
ESTABLISHED = date(2020, 6, 1)


def charge(
    services: Services,
    fund_id: int,
    kind: FinanceKind,
    amount: str,
    category: str,
    *,
    year: int = 2021,
    on: date | None = None,
) -> int:
    return services.finances.create(
        FinanceEntryData(
            year, category, kind, Decimal(amount), "CNY", fund_id=fund_id, entry_date=on
        )
    ).id


def stic(services: Services) -> int:
    return services.funds.create(
        FundData("STIC Endowment", "CNY", Decimal("50000000.00"), established_on=ESTABLISHED)
    ).id


def test_balance_history_in_date_order(services: Services) -> None:
    fund = stic(services)
    earnings = charge(services, fund, INCOME, "2000000.10", "Investment earnings")  # 31 Dec 2021
    prize = charge(services, fund, SPENT, "0.20", "STIC prize", on=date(2021, 11, 3))
    early = charge(services, fund, INCOME, "0.10", "Interest", year=2020, on=date(2020, 12, 1))
    charge(services, fund, BUDGET, "9999999.99", "STIC prize")  # a plan, not money
    services.finances.create(  # not charged to the fund
        FinanceEntryData(2021, "Training", SPENT, Decimal("5.00"), "CNY")
    )

    history = services.funds.balance_history(fund)

    assert [(p.on, p.what, p.change, p.balance) for p in history] == [
        (ESTABLISHED, "Initial capital", Decimal("50000000.00"), Decimal("50000000.00")),
        (date(2020, 12, 1), "Income: Interest", Decimal("0.10"), Decimal("50000000.10")),
        (date(2021, 11, 3), "Expenditure: STIC prize", Decimal("-0.20"), Decimal("49999999.90")),
        (
            date(2021, 12, 31),
            "Income: Investment earnings",
            Decimal("2000000.10"),
            Decimal("52000000.00"),
        ),
    ]
    assert [p.entry_id for p in history] == [None, early, prize, earnings]
    assert [p.dated_by_year for p in history] == [False, False, False, True]
    assert all(isinstance(p.balance, Decimal) for p in history)
    until = services.funds.balance_history(fund, until=date(2021, 11, 30))
    assert [p.balance for p in until] == [
        Decimal("50000000.00"),
        Decimal("50000000.10"),
        Decimal("49999999.90"),
    ]


def test_balances_of_every_fund(services: Services) -> None:
    fund = stic(services)
    other = services.funds.create(FundData("Travel grants", "USD", Decimal("0.30"))).id
    charge(services, fund, INCOME, "0.10", "Interest", on=date(2021, 1, 5))
    charge(services, fund, INCOME, "0.20", "Interest", on=date(2021, 2, 5))
    charge(services, fund, SPENT, "0.30", "STIC prize", on=date(2021, 3, 5))
    services.finances.create(
        FinanceEntryData(2021, "Travel", SPENT, Decimal("0.45"), "USD", fund_id=other)
    )
    assert services.funds.balances() == [
        FundBalance(
            fund,
            "STIC Endowment",
            "CNY",
            Decimal("50000000.00"),
            Decimal("0.30"),
            Decimal("0.30"),
            Decimal("50000000.00"),
        ),
        # Overspent: the balance says so rather than hiding it.
        FundBalance(
            other,
            "Travel grants",
            "USD",
            Decimal("0.30"),
            Decimal("0.00"),
            Decimal("0.45"),
            Decimal("-0.15"),
        ),
    ]
    [as_of] = [b for b in services.funds.balances(until=date(2021, 2, 28)) if b.fund_id == fund]
    assert (as_of.income, as_of.spending, as_of.balance) == (
        Decimal("0.30"),
        Decimal("0.00"),
        Decimal("50000000.30"),
    )
    before = services.funds.balances(until=date(2020, 1, 1))
    assert [(b.name, b.initial_capital, b.balance) for b in before] == [
        ("STIC Endowment", Decimal("0.00"), Decimal("0.00")),  # not yet established
        ("Travel grants", Decimal("0.30"), Decimal("0.30")),  # no date: there from the start
    ]


def test_a_fund_without_entries_or_date(services: Services) -> None:
    fund = services.funds.create(FundData("New fund", "CNY", Decimal("0.00"))).id
    [point] = services.funds.balance_history(fund)
    assert (point.on, point.change, point.balance) == (None, Decimal("0.00"), Decimal("0.00"))
    with pytest.raises(NotFoundError):
        services.funds.balance_history(fund + 1)
