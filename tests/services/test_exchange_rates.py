"""Exchange rates per fiscal year, and budget summaries converted at them: per line to the cent
(half up), the rates shown, and a missing rate refused rather than currencies added."""

from __future__ import annotations

from decimal import Decimal

import pytest

from anso_desktop.domain import FinanceKind
from anso_desktop.errors import ConflictError, ValidationError
from anso_desktop.services import Services
from anso_desktop.services.base import ListQuery
from anso_desktop.services.exchange_rates import (
    AppliedRate,
    ExchangeRateData,
    MissingRateError,
    convert,
    format_rate,
)
from anso_desktop.services.finances import BudgetLine, BudgetTotal
from tests.services.test_budget_summary import add

BUDGET = FinanceKind.BUDGET
SPENT = FinanceKind.EXPENDITURE


def test_rates_are_set_listed_replaced_and_deleted(services: Services) -> None:
    rate = services.exchange_rates.set_rate(2021, "usd", "RMB", Decimal("6.4515"), " PBOC ")
    assert (rate.fiscal_year, rate.currency, rate.to_currency) == (2021, "USD", "CNY")
    assert rate.rate == Decimal("6.451500")
    assert rate.note == "PBOC"
    replaced = services.exchange_rates.set_rate(2021, "USD", "CNY", Decimal("6.45"))
    assert (replaced.id, replaced.rate, replaced.version) == (rate.id, Decimal("6.45"), 2)
    services.exchange_rates.set_rate(2022, "EUR", "CNY", Decimal("7.0788"))
    services.exchange_rates.set_rate(2021, "EUR", "CNY", Decimal("7.628"))
    listed = services.exchange_rates.list(ListQuery(filters={"year": 2021}))
    assert [(r.currency, r.rate) for r in listed.rows] == [
        ("EUR", Decimal("7.628000")),
        ("USD", Decimal("6.450000")),
    ]
    assert services.exchange_rates.rates_for(2021, "CNY") == {
        "EUR": Decimal("7.628"),
        "USD": Decimal("6.45"),
    }
    assert services.exchange_rates.rate(2022, "USD", "CNY") is None
    with pytest.raises(ConflictError):
        services.exchange_rates.delete(rate.id, rate.version)
    services.exchange_rates.delete(replaced.id, replaced.version)
    assert services.exchange_rates.rate(2021, "USD", "CNY") is None
    assert services.exchange_rates.count() == 2


def test_a_rate_names_each_bad_field(services: Services) -> None:
    def refused(data: ExchangeRateData) -> dict[str, str]:
        with pytest.raises(ValidationError) as refusal:
            services.exchange_rates.create(data)
        return refusal.value.errors

    assert list(refused(ExchangeRateData(2021, "USD", "CNY", Decimal("0")))) == ["rate"]
    assert list(refused(ExchangeRateData(2021, "USD", "CNY", Decimal("-6.45")))) == ["rate"]
    assert refused(ExchangeRateData(2021, "USD", "CNY", Decimal("6.4515001"))) == {
        "rate": "Rate has more than six decimals"
    }
    assert list(refused(ExchangeRateData(2021, "USD", "CNY", None))) == ["rate"]
    assert list(refused(ExchangeRateData(2021, "USD", "dollars", Decimal("1")))) == ["to_currency"]
    assert list(refused(ExchangeRateData(2021, "RMB", "CNY", Decimal("1")))) == ["to_currency"]
    assert list(refused(ExchangeRateData(1850, "USD", "CNY", Decimal("1")))) == ["fiscal_year"]
    with pytest.raises(TypeError):
        services.exchange_rates.create(ExchangeRateData(2021, "USD", "CNY", 6.45))  # type: ignore[arg-type]
    services.exchange_rates.create(ExchangeRateData(2021, "USD", "CNY", Decimal("6.4515")))
    assert list(refused(ExchangeRateData(2021, "usd", "cny", Decimal("6.5")))) == ["currency"]
    assert services.exchange_rates.count() == 1


def test_rates_are_exact_to_six_decimals(services: Services) -> None:
    for rate in ("0.000001", "123456789012.123456", "6.4515", "1"):
        saved = services.exchange_rates.set_rate(2021, "USD", "CNY", Decimal(rate))
        assert services.exchange_rates.get(saved.id).rate == Decimal(rate)
        assert str(services.exchange_rates.get(saved.id).rate) == str(
            Decimal(rate).quantize(Decimal("0.000001"))
        )


def test_conversion_rounds_half_up_to_the_cent() -> None:
    third = Decimal("0.333333")
    assert convert(Decimal("1.00"), third) == Decimal("0.33")
    assert convert(Decimal("0.05"), Decimal("0.5")) == Decimal("0.03")  # 0.025 -> 0.03, not 0.02
    assert convert(Decimal("0.15"), Decimal("0.5")) == Decimal("0.08")  # 0.075 -> 0.08
    # The largest amount at a large rate: exact however many digits the product has.
    largest = Decimal("9999999999999.99")
    assert convert(largest, Decimal("123456.654321")) == Decimal("1234566543209998765.43")
    assert format_rate(Decimal("6.451500")) == "6.4515"
    assert format_rate(Decimal("7.000000")) == "7"
    assert AppliedRate(2021, "USD", "CNY", Decimal("6.451500")).label == (
        "1 USD = 6.4515 CNY (2021)"
    )


def test_without_conversion_currencies_are_never_added(services: Services) -> None:
    add(services, BUDGET, "0.10", "Scholarships")
    add(services, BUDGET, "0.20", "Scholarships")
    add(services, SPENT, "0.30", "Scholarships", currency="USD")
    services.exchange_rates.set_rate(2021, "USD", "CNY", Decimal("6.4515"))
    summary = services.finances.budget_vs_actual(2021)
    assert (summary.convert_to, summary.rates) == (None, ())
    assert [(t.currency, t.budget, t.actual) for t in summary.totals] == [
        ("CNY", Decimal("0.30"), Decimal("0.00")),
        ("USD", Decimal("0.00"), Decimal("0.30")),
    ]


def test_a_summary_converted_at_the_years_rate(services: Services) -> None:
    add(services, BUDGET, "32000000.00", "Scholarships")
    add(services, SPENT, "30000000.00", "Scholarships")
    add(services, BUDGET, "100.00", "Scholarships", currency="USD")
    add(services, SPENT, "0.10", "Scholarships", currency="USD")
    add(services, SPENT, "0.20", "Scholarships", currency="USD")
    add(services, SPENT, "1.00", "Publications", currency="EUR")
    add(services, SPENT, "2.00", "Publications", currency="EUR")
    services.exchange_rates.set_rate(2021, "USD", "CNY", Decimal("6.4515"))
    services.exchange_rates.set_rate(2021, "EUR", "CNY", Decimal("0.333333"))
    services.exchange_rates.set_rate(2022, "USD", "CNY", Decimal("99"))  # another year's
    services.exchange_rates.set_rate(2021, "CNY", "USD", Decimal("0.155"))  # other direction

    summary = services.finances.budget_vs_actual(2021, convert_to="cny")

    assert summary.convert_to == "CNY"
    assert [rate.label for rate in summary.rates] == [
        "1 EUR = 0.333333 CNY (2021)",
        "1 USD = 6.4515 CNY (2021)",
    ]
    assert summary.lines == (
        # 3.00 EUR at 0.333333 is 0.999999, rounded half up per line: 1.00.
        BudgetLine(
            "Publications",
            "CNY",
            Decimal("0.00"),
            Decimal("1.00"),
            Decimal("-1.00"),
            None,
            True,
            converted_from=("EUR",),
        ),
        # 100.00 USD is 645.15 CNY; 0.30 USD is 1.93545, so 1.94.
        BudgetLine(
            "Scholarships",
            "CNY",
            Decimal("32000645.15"),
            Decimal("30000001.94"),
            Decimal("2000643.21"),
            Decimal("93.75"),
            False,
            converted_from=("USD",),
        ),
    )
    assert summary.totals == (
        BudgetTotal(
            "CNY",
            Decimal("32000645.15"),
            Decimal("30000002.94"),
            Decimal("2000642.21"),
            Decimal("93.75"),
            False,
        ),
    )
    assert summary.currencies == ("CNY",)


def test_a_summary_in_a_currency_nobody_uses_converts_everything(services: Services) -> None:
    add(services, SPENT, "1.00", "Training")
    services.exchange_rates.set_rate(2021, "CNY", "USD", Decimal("0.155"))
    summary = services.finances.budget_vs_actual(2021, convert_to="USD")
    assert [(x.category, x.currency, x.actual) for x in summary.lines] == [
        ("Training", "USD", Decimal("0.16"))  # 0.155 rounds half up
    ]


def test_a_missing_rate_is_refused_naming_currency_and_year(services: Services) -> None:
    add(services, SPENT, "0.10", "Scholarships")
    add(services, SPENT, "0.20", "Scholarships", currency="USD")
    add(services, SPENT, "0.30", "Scholarships", currency="EUR")
    services.exchange_rates.set_rate(2022, "USD", "CNY", Decimal("6.7261"))
    services.exchange_rates.set_rate(2021, "CNY", "USD", Decimal("0.155"))  # wrong direction
    with pytest.raises(MissingRateError) as refusal:
        services.finances.budget_vs_actual(2021, convert_to="CNY")
    error = refusal.value
    assert isinstance(error, ValidationError)
    assert (error.fiscal_year, error.currencies, error.to_currency) == (2021, ("EUR", "USD"), "CNY")
    assert "2021" in error.message and "EUR, USD" in error.message and "CNY" in error.message
    assert list(error.errors) == ["exchange_rate"]
    with pytest.raises(ValidationError) as refusal:
        services.finances.budget_vs_actual(2021, convert_to="dollars")
    assert list(refusal.value.errors) == ["convert_to"]
