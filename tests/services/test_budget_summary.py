"""FinanceEntryService.budget_vs_actual and the helpers the Finances tab reads: exact cents,
variance and percent used, over-budget lines, and currencies that are never added together."""

from __future__ import annotations

from decimal import Decimal

from anso_desktop.domain import FinanceKind
from anso_desktop.services import Services
from anso_desktop.services.base import ListQuery
from anso_desktop.services.finances import BudgetLine, BudgetTotal, FinanceEntryData

BUDGET = FinanceKind.BUDGET
SPENT = FinanceKind.EXPENDITURE
INCOME = FinanceKind.INCOME


def add(
    services: Services,
    kind: FinanceKind,
    amount: str,
    category: str = "Scholarships",
    *,
    year: int = 2021,
    currency: str = "CNY",
    **kw: object,
) -> None:
    services.finances.create(
        FinanceEntryData(
            fiscal_year=year,
            category=category,
            kind=kind,
            amount=Decimal(amount),
            currency=currency,
            **kw,  # type: ignore[arg-type]
        )
    )


def test_awkward_cents_add_up_exactly(services: Services) -> None:
    add(services, BUDGET, "0.10", "Publications")
    add(services, BUDGET, "0.20", "Publications")
    add(services, SPENT, "0.30", "Publications")
    summary = services.finances.budget_vs_actual(2021)
    assert summary.lines == (
        BudgetLine(
            category="Publications",
            currency="CNY",
            budget=Decimal("0.30"),
            actual=Decimal("0.30"),
            variance=Decimal("0.00"),
            percent_used=Decimal("100.00"),
            over_budget=False,
        ),
    )
    line = summary.lines[0]
    assert isinstance(line.variance, Decimal)
    assert str(line.variance) == "0.00"
    assert str(line.percent_used) == "100.00"


def test_percent_used_is_rounded_half_up_to_two_decimals(services: Services) -> None:
    add(services, BUDGET, "3.00", "Training")
    add(services, SPENT, "2.00", "Training")  # 66.666…
    add(services, BUDGET, "8.00", "Publications")
    add(services, SPENT, "0.01", "Publications")  # 0.125 -> 0.13
    summary = services.finances.budget_vs_actual(2021)
    assert summary.line("Training", "CNY").percent_used == Decimal("66.67")  # type: ignore[union-attr]
    assert summary.line("Publications", "CNY").percent_used == Decimal("0.13")  # type: ignore[union-attr]


def test_large_amounts_stay_exact(services: Services) -> None:
    add(services, BUDGET, "9999999999999.99", "Endowment")  # the largest amount allowed
    add(services, SPENT, "9999999999999.98", "Endowment")
    line = services.finances.budget_vs_actual(2021).lines[0]
    assert line.variance == Decimal("0.01")
    assert line.percent_used == Decimal("100.00")
    assert not line.over_budget


def test_over_budget_lines_are_flagged(services: Services) -> None:
    add(services, BUDGET, "5000000.00", "Meetings and workshops")
    add(services, SPENT, "4999999.99", "Meetings and workshops")
    add(services, BUDGET, "1200000.00", "Publications")
    add(services, SPENT, "1200000.01", "Publications")
    summary = services.finances.budget_vs_actual(2021)
    meetings = summary.line("Meetings and workshops", "CNY")
    publications = summary.line("Publications", "CNY")
    assert meetings is not None and publications is not None
    assert (meetings.variance, meetings.over_budget) == (Decimal("0.01"), False)
    assert (publications.variance, publications.over_budget) == (Decimal("-0.01"), True)
    assert publications.percent_used == Decimal("100.00")  # over by a cent rounds to 100.00 %
    total = summary.total_in("CNY")
    assert total is not None
    assert (total.budget, total.actual, total.variance) == (
        Decimal("6200000.00"),
        Decimal("6200000.00"),
        Decimal("0.00"),
    )
    assert not total.over_budget  # a line over budget does not make the whole currency over


def test_spending_exactly_the_budget_is_not_over(services: Services) -> None:
    add(services, BUDGET, "6500000.00", "Secretariat operations")
    add(services, SPENT, "6500000.00", "Secretariat operations")
    line = services.finances.budget_vs_actual(2021).lines[0]
    assert (line.variance, line.percent_used, line.over_budget) == (
        Decimal("0.00"),
        Decimal("100.00"),
        False,
    )


def test_categories_with_budget_only_or_actual_only(services: Services) -> None:
    add(services, BUDGET, "35000000.00", "Scholarships")
    add(services, SPENT, "4000000.00", "Training")
    summary = services.finances.budget_vs_actual(2021)
    assert [line.category for line in summary.lines] == ["Scholarships", "Training"]
    budget_only = summary.line("Scholarships", "CNY")
    actual_only = summary.line("Training", "CNY")
    assert budget_only == BudgetLine(
        "Scholarships",
        "CNY",
        Decimal("35000000.00"),
        Decimal("0.00"),
        Decimal("35000000.00"),
        Decimal("0.00"),
        False,
    )
    assert actual_only == BudgetLine(
        "Training",
        "CNY",
        Decimal("0.00"),
        Decimal("4000000.00"),
        Decimal("-4000000.00"),
        None,  # no budget: nothing to be a percentage of
        True,  # spending without a budget is over budget
    )
    assert summary.totals == (
        BudgetTotal(
            "CNY",
            Decimal("35000000.00"),
            Decimal("4000000.00"),
            Decimal("31000000.00"),
            Decimal("11.43"),
            False,
        ),
    )


def test_a_zero_budget_has_no_percent(services: Services) -> None:
    add(services, BUDGET, "0.00", "Publications")
    line = services.finances.budget_vs_actual(2021).lines[0]
    assert (line.budget, line.actual, line.percent_used, line.over_budget) == (
        Decimal("0.00"),
        Decimal("0.00"),
        None,
        False,
    )


def test_currencies_have_their_own_lines_and_totals(services: Services) -> None:
    add(services, BUDGET, "32000000.00", "Scholarships")
    add(services, SPENT, "30000000.00", "Scholarships")
    add(services, BUDGET, "100000.00", "Scholarships", currency="usd")
    add(services, SPENT, "120000.50", "Scholarships", currency="USD")
    add(services, SPENT, "2500.00", "Publications", currency="EUR")
    summary = services.finances.budget_vs_actual(2021)
    assert [(line.currency, line.category) for line in summary.lines] == [
        ("CNY", "Scholarships"),
        ("EUR", "Publications"),
        ("USD", "Scholarships"),
    ]
    assert summary.currencies == ("CNY", "EUR", "USD")
    cny, eur, usd = summary.totals
    assert (cny.currency, cny.budget, cny.actual, cny.variance, cny.percent_used) == (
        "CNY",
        Decimal("32000000.00"),
        Decimal("30000000.00"),
        Decimal("2000000.00"),
        Decimal("93.75"),
    )
    assert (usd.budget, usd.actual, usd.variance, usd.percent_used, usd.over_budget) == (
        Decimal("100000.00"),
        Decimal("120000.50"),
        Decimal("-20000.50"),
        Decimal("120.00"),
        True,
    )
    assert (eur.budget, eur.actual, eur.percent_used, eur.over_budget) == (
        Decimal("0.00"),
        Decimal("2500.00"),
        None,
        True,
    )
    assert summary.lines_in("USD") == (summary.line("Scholarships", "USD"),)
    assert summary.total_in("JPY") is None


def test_only_the_years_budget_and_expenditure_count(services: Services) -> None:
    add(services, BUDGET, "6000000.00", "Training")
    add(services, SPENT, "4000000.00", "Training")
    add(services, SPENT, "1000000.00", "Training")
    add(services, BUDGET, "6000000.00", "Training", year=2022)
    add(services, SPENT, "999.99", "Training", year=2020)
    add(services, INCOME, "2000000.00", "STIC Endowment earnings")
    summary = services.finances.budget_vs_actual(2021)
    assert summary.year == 2021
    assert [(x.category, x.budget, x.actual) for x in summary.lines] == [
        ("Training", Decimal("6000000.00"), Decimal("5000000.00"))
    ]
    empty = services.finances.budget_vs_actual(2019)
    assert (empty.lines, empty.totals, empty.currencies) == ((), (), ())


def test_query_totals_follow_search_and_filters(services: Services) -> None:
    add(services, BUDGET, "32000000.00", "Scholarships", description="PhD scholarships")
    add(services, SPENT, "30000000.00", "Scholarships")
    add(services, SPENT, "0.10", "Training", description="scholarship travel")
    add(services, SPENT, "0.20", "Training", currency="USD")
    add(services, SPENT, "12000000.00", "Research cooperation", year=2022)
    totals = services.finances.query_totals
    assert totals(ListQuery()) == {
        ("budget", "CNY"): Decimal("32000000.00"),
        ("expenditure", "CNY"): Decimal("42000000.10"),
        ("expenditure", "USD"): Decimal("0.20"),
    }
    assert totals(ListQuery(search="scholar")) == {
        ("budget", "CNY"): Decimal("32000000.00"),
        ("expenditure", "CNY"): Decimal("30000000.10"),
    }
    assert totals(ListQuery(filters={"year": 2021, "kind": "expenditure", "currency": None})) == {
        ("expenditure", "CNY"): Decimal("30000000.10"),
        ("expenditure", "USD"): Decimal("0.20"),
    }
    # The window of rows a page asks for does not shrink the totals.
    assert totals(ListQuery(filters={"currency": "USD"}, offset=5, limit=1)) == {
        ("expenditure", "USD"): Decimal("0.20")
    }
    assert totals(ListQuery(search="nothing like this")) == {}


def test_currencies_and_funding_sources_for_choices(services: Services) -> None:
    assert services.finances.currencies() == []
    assert services.finances.funding_sources() == []
    add(services, SPENT, "1.00", currency="USD", funding_source="CAS")
    add(services, SPENT, "1.00", funding_source="  ")
    add(services, INCOME, "2000000.00", funding_source="STIC Endowment")
    add(services, INCOME, "1.00", funding_source="STIC Endowment")
    assert services.finances.currencies() == ["CNY", "USD"]
    assert services.finances.funding_sources() == ["CAS", "STIC Endowment"]
