"""FinanceEntryService and FundService: exact Decimal money, ISO currencies kept apart, and funds
such as the STIC Endowment."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from anso_desktop.domain import FinanceKind, Relation
from anso_desktop.errors import ConflictError, NotFoundError, ValidationError
from anso_desktop.services import Services
from anso_desktop.services.base import ListQuery
from anso_desktop.services.finances import FinanceEntryData, FundData
from anso_desktop.services.organizations import OrganizationData

STIC_CAPITAL = Decimal("50000000.00")


def entry(
    amount: object,
    *,
    category: str = "Scholarships",
    kind: FinanceKind = FinanceKind.EXPENDITURE,
    year: int | None = 2021,
    currency: str = "CNY",
    **kw: object,
) -> FinanceEntryData:
    return FinanceEntryData(
        fiscal_year=year,
        category=category,
        kind=kind,
        amount=amount,  # type: ignore[arg-type]
        currency=currency,
        **kw,  # type: ignore[arg-type]
    )


def stic_endowment(services: Services) -> int:
    """The STIC Endowment (RMB 50 million) with its partner foundation; the fund id."""
    partner = services.organizations.create(
        OrganizationData("Overseas Chinese Charity Foundation of China", relation=Relation.PARTNER)
    )
    return services.funds.create(
        FundData("STIC Endowment", "CNY", STIC_CAPITAL, partner_id=partner.id)
    ).id


def refused_fields(services: Services, data: FinanceEntryData) -> list[str]:
    with pytest.raises(ValidationError) as refusal:
        services.finances.create(data)
    assert services.finances.count() == 0
    return list(refusal.value.errors)


# --- amounts -------------------------------------------------------------------------------------


def test_cents_add_up_exactly(services: Services) -> None:
    services.finances.create(entry(Decimal("0.10"), category="Publications"))
    services.finances.create(entry(Decimal("0.20"), category="Publications"))
    totals = services.finances.totals()
    assert totals == {("expenditure", "CNY"): Decimal("0.30")}
    total = totals["expenditure", "CNY"]
    assert isinstance(total, Decimal)
    assert str(total) == "0.30"


def test_amounts_round_trip_exactly(services: Services) -> None:
    amounts = ["1234567.89", "9999999999999.99", "0.01", "0", "30000000", "12.5"]
    ids = [services.finances.create(entry(Decimal(amount))).id for amount in amounts]
    for entry_id, amount in zip(ids, amounts, strict=True):
        read = services.finances.get(entry_id).amount
        assert isinstance(read, Decimal)
        assert str(read) == str(Decimal(amount).quantize(Decimal("0.01")))
    assert services.finances.totals() == {("expenditure", "CNY"): sum(map(Decimal, amounts))}
    # The text of a number is read as a Decimal, never through a float.
    typed = services.finances.create(entry("4000000.5", category="Training"))
    assert services.finances.get(typed.id).amount == Decimal("4000000.50")


BAD_AMOUNTS: dict[str, object] = {
    "three decimals": Decimal("0.125"),
    "negative": Decimal("-5.00"),
    "too large": Decimal("100000000000000.00"),
    "text": "abc",
    "comma": "12,50",
    "nan": Decimal("NaN"),
    "infinity": Decimal("Infinity"),
    "missing": None,
}


def test_bad_amounts_are_refused_on_amount(services: Services) -> None:
    refused = {
        name: refused_fields(services, entry(amount)) for name, amount in BAD_AMOUNTS.items()
    }
    assert refused == {name: ["amount"] for name in BAD_AMOUNTS}
    # A float is not bad input but a programming error: money never passes through float.
    with pytest.raises(TypeError, match="never float"):
        services.finances.create(entry(0.1))
    assert services.finances.count() == 0


# --- currency, year, category --------------------------------------------------------------------


def test_currency_codes_are_normalised_and_unknown_ones_refused(services: Services) -> None:
    for currency in ["XYZ", "", "YUAN"]:
        refused = refused_fields(services, entry(Decimal("100.00"), currency=currency))
        assert refused == ["currency"], currency
    typed = {"Scholarships": "cny", "Training": "RMB", "Publications": " usd "}
    for category, currency in typed.items():
        services.finances.create(entry(Decimal("100.00"), category=category, currency=currency))
    stored = {row.category: row.currency for row in services.finances.list().rows}
    assert stored == {"Scholarships": "CNY", "Training": "CNY", "Publications": "USD"}


def test_totals_keep_kinds_and_currencies_apart(services: Services) -> None:
    for data in [
        entry(Decimal("30000000.00"), category="Scholarships"),
        entry(Decimal("4000000.00"), category="Training", currency="RMB"),
        entry(Decimal("125000.50"), category="Training", currency="USD"),
        entry(Decimal("0.25"), category="Publications", currency="usd"),
        entry(Decimal("32000000.00"), category="Scholarships", kind=FinanceKind.BUDGET),
        entry(Decimal("35000000.00"), category="Scholarships", kind=FinanceKind.BUDGET, year=2022),
    ]:
        services.finances.create(data)
    assert services.finances.totals() == {
        ("expenditure", "CNY"): Decimal("34000000.00"),
        ("expenditure", "USD"): Decimal("125000.75"),
        ("budget", "CNY"): Decimal("67000000.00"),
    }
    assert services.finances.totals({"year": 2021, "kind": "budget"}) == {
        ("budget", "CNY"): Decimal("32000000.00")
    }
    assert services.finances.totals({"currency": "USD", "year": None}) == {
        ("expenditure", "USD"): Decimal("125000.75")
    }
    assert services.finances.totals({"year": 1999}) == {}


def test_implausible_years_and_blank_categories_are_refused(services: Services) -> None:
    for year in [1899, 2201, None]:
        assert refused_fields(services, entry(Decimal("1.00"), year=year)) == ["fiscal_year"]
    assert refused_fields(services, entry(Decimal("1.00"), category="   ")) == ["category"]
    every_field = refused_fields(
        services, entry(Decimal("-1.005"), category="", year=1899, currency="XYZ")
    )
    assert sorted(every_field) == ["amount", "category", "currency", "fiscal_year"]
    services.finances.create(entry(Decimal("1.00"), year=1900))
    services.finances.create(entry(Decimal("1.00"), year=2200))
    assert services.finances.years() == [2200, 1900]


def test_a_stale_entry_edit_is_refused(services: Services) -> None:
    created = services.finances.create(entry(Decimal("3000000.00"), category="Training"))
    services.finances.update(
        created.id,
        created.version,
        replace(FinanceEntryData.from_record(created), amount=Decimal("4000000.00")),
    )
    with pytest.raises(ConflictError) as conflict:
        services.finances.update(
            created.id,
            created.version,
            replace(FinanceEntryData.from_record(created), amount=Decimal("1.00")),
        )
    assert "The expenditure entry 'Training' of 2021" in conflict.value.message
    assert services.finances.get(created.id).amount == Decimal("4000000.00")


# --- funds ---------------------------------------------------------------------------------------


def test_the_stic_endowment_keeps_its_capital_exactly(services: Services) -> None:
    fund_id = stic_endowment(services)
    fund = services.funds.get(fund_id)
    assert fund.name == "STIC Endowment"
    assert fund.currency == "CNY"
    assert fund.initial_capital == STIC_CAPITAL
    assert str(fund.initial_capital) == "50000000.00"
    assert fund.partner is not None
    assert fund.partner.name == "Overseas Chinese Charity Foundation of China"


def test_invalid_funds_are_refused(services: Services) -> None:
    partner = services.organizations.create(
        OrganizationData("Overseas Chinese Charity Foundation of China", relation=Relation.PARTNER)
    )
    good = FundData("STIC Endowment", "CNY", STIC_CAPITAL, partner_id=partner.id)
    for changes, field in [
        ({"name": "  "}, "name"),
        ({"currency": "XYZ"}, "currency"),
        ({"initial_capital": Decimal("-1.00")}, "initial_capital"),
        ({"initial_capital": Decimal("0.001")}, "initial_capital"),
        ({"initial_capital": None}, "initial_capital"),
        ({"partner_id": 999}, "partner_id"),
    ]:
        with pytest.raises(ValidationError) as refusal:
            services.funds.create(replace(good, **changes))  # type: ignore[arg-type]
        assert list(refusal.value.errors) == [field], changes
    assert services.funds.count() == 0

    services.funds.create(good)
    with pytest.raises(ValidationError) as refusal:
        services.funds.create(replace(good, name="STIC  Endowment", partner_id=None))
    assert list(refusal.value.errors) == ["name"]
    assert services.funds.count() == 1


def test_entries_charged_to_a_fund_use_its_currency(services: Services) -> None:
    fund_id = stic_endowment(services)
    with pytest.raises(ValidationError) as refusal:
        services.finances.create(
            entry(
                Decimal("2000000.00"),
                category="STIC Endowment earnings",
                kind=FinanceKind.INCOME,
                currency="USD",
                fund_id=fund_id,
            )
        )
    assert list(refusal.value.errors) == ["currency"]
    assert "CNY" in refusal.value.errors["currency"]

    accepted = services.finances.create(
        entry(
            Decimal("2000000.00"),
            category="STIC Endowment earnings",
            kind=FinanceKind.INCOME,
            currency="RMB",
            fund_id=fund_id,
        )
    )
    assert accepted.fund_id == fund_id
    assert accepted.currency == "CNY"

    with pytest.raises(ValidationError) as missing:
        services.finances.create(entry(Decimal("1.00"), fund_id=fund_id + 1))
    assert list(missing.value.errors) == ["fund_id"]


def test_a_fund_with_entries_cannot_be_deleted(services: Services) -> None:
    fund_id = stic_endowment(services)
    services.finances.create(entry(Decimal("2000000.00"), kind=FinanceKind.INCOME, fund_id=fund_id))
    with pytest.raises(ValidationError) as refusal:
        services.funds.delete(fund_id)
    assert list(refusal.value.errors) == ["entries"]
    assert services.funds.get(fund_id).initial_capital == STIC_CAPITAL

    # Without its entries it can.
    [earnings] = services.finances.list(ListQuery(filters={"fund_id": fund_id})).rows
    services.finances.delete(earnings.id, earnings.version)
    services.funds.delete(fund_id)
    with pytest.raises(NotFoundError):
        services.funds.get(fund_id)


def test_a_fund_with_entries_keeps_its_currency(services: Services) -> None:
    fund_id = stic_endowment(services)
    services.finances.create(entry(Decimal("2000000.00"), kind=FinanceKind.INCOME, fund_id=fund_id))
    fund = services.funds.get(fund_id)
    try:
        services.funds.update(
            fund_id, fund.version, replace(FundData.from_record(fund), currency="USD")
        )
    except ValidationError as refusal:
        assert list(refusal.errors) == ["currency"]
    assert services.funds.get(fund_id).currency == "CNY"


# --- lists ---------------------------------------------------------------------------------------


def seed_entries(services: Services) -> None:
    for data in [
        entry(Decimal("30000000.00"), category="Scholarships"),
        entry(Decimal("4000000.00"), category="Training"),
        entry(Decimal("1000000.00"), category="Publications"),
        entry(Decimal("32000000.00"), category="Scholarships", kind=FinanceKind.BUDGET),
        entry(Decimal("6000000.00"), category="Training", kind=FinanceKind.BUDGET, year=2022),
        entry(Decimal("85000.00"), category="Training", currency="USD", year=2022),
        entry(Decimal("2000000.00"), category="STIC Endowment earnings", kind=FinanceKind.INCOME),
    ]:
        services.finances.create(data)


def test_filters(services: Services) -> None:
    seed_entries(services)
    cases: list[tuple[dict[str, object], list[tuple[str, int, str]]]] = [
        (
            {"year": 2022},
            [("Training", 2022, "budget"), ("Training", 2022, "expenditure")],
        ),
        (
            {"kind": FinanceKind.BUDGET},
            [("Scholarships", 2021, "budget"), ("Training", 2022, "budget")],
        ),
        (
            {"category": "Training", "year": "2021"},
            [("Training", 2021, "expenditure")],
        ),
        ({"currency": "USD"}, [("Training", 2022, "expenditure")]),
        ({"kind": "income"}, [("STIC Endowment earnings", 2021, "income")]),
        ({"category": "Travel"}, []),
    ]
    for filters, expected in cases:
        page = services.finances.list(ListQuery(filters=filters, sort="kind"))
        found = sorted((row.category, row.fiscal_year, row.kind.value) for row in page.rows)
        assert found == expected, filters
        assert page.total == len(expected), filters


def test_sorting(services: Services) -> None:
    seed_entries(services)
    keys = [(row.fiscal_year, row.category) for row in services.finances.list().rows]
    assert keys == sorted(keys)  # by default: year, then category
    amounts = [row.amount for row in services.finances.list(ListQuery(sort="amount")).rows]
    assert amounts == sorted(amounts)
    rows = services.finances.list(ListQuery(sort="amount", descending=True, limit=2)).rows
    assert [row.amount for row in rows] == [Decimal("32000000.00"), Decimal("30000000.00")]


def test_categories_and_years(services: Services) -> None:
    assert services.finances.categories() == []
    assert services.finances.years() == []
    seed_entries(services)
    assert services.finances.categories() == [
        "Publications",
        "STIC Endowment earnings",
        "Scholarships",
        "Training",
    ]
    assert services.finances.years() == [2022, 2021]
