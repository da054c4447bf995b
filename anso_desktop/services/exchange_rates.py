"""Exchange rates entered per fiscal year, and conversion at them.

Amounts keep their own currency everywhere; a summary in one currency converts at the rate the
secretariat entered for that year ("1 USD = 6.4515 CNY, 2021") and shows that rate. Only the rate
entered in that direction is used: the inverse of a rounded rate is not the rate anyone agreed on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from anso_desktop.errors import ValidationError
from anso_desktop.services.base import CrudService, Errors, clean_text
from anso_desktop.services.money import check_currency, check_fiscal_year
from anso_desktop.storage.models import ExchangeRate
from anso_desktop.storage.types import CENT

#: Rates are kept to six decimals.
RATE_QUANTUM = Decimal("0.000001")
MAX_RATE = Decimal("999999999999.999999")
_RATE_SET = ("currency", "A rate for this year and these currencies is already set")


@dataclass(frozen=True)
class ExchangeRateData:
    fiscal_year: int | None
    #: The currency converted from ("USD" in "1 USD = 6.4515 CNY").
    currency: str
    #: The currency converted to ("CNY").
    to_currency: str
    rate: Decimal | None
    #: Where the rate comes from (a bank's yearly average, "illustrative", ...).
    note: str | None = None

    @classmethod
    def from_record(cls, record: ExchangeRate) -> ExchangeRateData:
        return cls(**{name: getattr(record, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class AppliedRate:
    """A rate a summary converted at, for the screen to show beside the figures."""

    fiscal_year: int
    currency: str
    to_currency: str
    rate: Decimal

    @property
    def label(self) -> str:
        """ "1 USD = 6.4515 CNY (2021)"."""
        return (
            f"1 {self.currency} = {format_rate(self.rate)} {self.to_currency} ({self.fiscal_year})"
        )


class MissingRateError(ValidationError):
    """A conversion needs rates nobody has entered; names the year and each currency, so the
    screen can offer to enter them."""

    def __init__(self, fiscal_year: int, currencies: tuple[str, ...], to_currency: str) -> None:
        self.fiscal_year = fiscal_year
        self.currencies = currencies
        self.to_currency = to_currency
        listed = ", ".join(currencies)
        super().__init__(
            {
                "exchange_rate": (
                    f"No {fiscal_year} exchange rate from {listed} to {to_currency} is set; "
                    f"enter it (1 {currencies[0]} = … {to_currency}, {fiscal_year}) "
                    f"to see the {fiscal_year} figures in {to_currency}."
                )
            }
        )


def format_rate(rate: Decimal) -> str:
    """A rate without its trailing zeros: 6.451500 -> "6.4515", 7.000000 -> "7"."""
    return f"{rate.normalize():f}"


def convert(amount: Decimal, rate: Decimal) -> Decimal:
    """`amount` at `rate`, rounded half up to the cent: how every converted figure is made."""
    # The exact product of the largest amount and rate, whatever the caller's decimal context.
    with localcontext() as context:
        context.prec = 60
        return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def check_rate(errors: Errors, rate: Any) -> Decimal | None:
    """A rate above zero with at most six decimals; refusals go to `errors` under "rate"."""
    if rate is None:
        errors.add("rate", "Rate is required")
        return None
    if isinstance(rate, float):
        raise TypeError("Rates are Decimal, never float")
    try:
        value = rate if isinstance(rate, Decimal) else Decimal(str(rate).strip())
    except (InvalidOperation, ValueError):
        errors.add("rate", f"'{rate}' is not a rate")
        return None
    if not value.is_finite():
        errors.add("rate", f"'{rate}' is not a rate")
        return None
    if value <= 0:
        errors.add("rate", "Rate must be more than zero")
    elif value > MAX_RATE:
        errors.add("rate", "Rate is too large")
    elif value != value.quantize(RATE_QUANTUM):
        errors.add("rate", "Rate has more than six decimals")
    return value


class ExchangeRateService(CrudService[ExchangeRate, ExchangeRateData]):
    """The rates of each fiscal year: list, create, update and delete (versioned like any record),
    `set_rate` to enter or replace one in a single call, and `rates_for` for conversions."""

    model = ExchangeRate
    noun = "Exchange rate"
    search_columns = ("currency", "to_currency", "note")
    sort_columns = {
        "fiscal_year": "fiscal_year",
        "currency": "currency",
        "to_currency": "to_currency",
        "rate": "rate",
    }
    default_sort = ("fiscal_year", "currency", "to_currency")
    unique_messages = {
        # PostgreSQL names the constraint, SQLite its columns.
        "uq_exchange_rates_fiscal_year_currency_to_currency": _RATE_SET,
        "exchange_rates.fiscal_year, exchange_rates.currency": _RATE_SET,
    }

    def describe(self, record: ExchangeRate) -> str:
        return f"The {record.fiscal_year} rate from {record.currency} to {record.to_currency}"

    def _filter(self, statement: Select[Any], name: str, value: Any) -> Select[Any]:
        if name == "year":
            return statement.where(ExchangeRate.fiscal_year == int(value))
        if name == "currency":
            return statement.where(ExchangeRate.currency == value)
        if name == "to_currency":
            return statement.where(ExchangeRate.to_currency == value)
        return super()._filter(statement, name, value)

    def _validate(
        self, session: Session, data: ExchangeRateData, existing: ExchangeRate | None
    ) -> ExchangeRateData:
        errors = Errors()
        check_fiscal_year(errors, data.fiscal_year)
        currency = check_currency(errors, data.currency)
        to_currency = check_currency(errors, data.to_currency, "to_currency")
        if currency is not None and currency == to_currency:
            errors.add("to_currency", f"A rate converts {currency} to another currency")
        rate = check_rate(errors, data.rate)
        if currency and to_currency and data.fiscal_year is not None:
            clash = session.scalars(
                select(ExchangeRate).where(
                    ExchangeRate.fiscal_year == data.fiscal_year,
                    ExchangeRate.currency == currency,
                    ExchangeRate.to_currency == to_currency,
                )
            ).one_or_none()
            if clash is not None and (existing is None or clash.id != existing.id):
                errors.add(
                    "currency",
                    f"A {data.fiscal_year} rate from {currency} to {to_currency} is already set "
                    f"(1 {currency} = {format_rate(clash.rate)} {to_currency}); change that one",
                )
        errors.raise_if_any()
        return replace(
            data,
            currency=currency or "",
            to_currency=to_currency or "",
            rate=rate,
            note=clean_text(data.note),
        )

    def _apply(self, session: Session, record: ExchangeRate, data: ExchangeRateData) -> None:
        for name in ExchangeRateData.__dataclass_fields__:
            setattr(record, name, getattr(data, name))

    def set_rate(
        self,
        fiscal_year: int,
        currency: str,
        to_currency: str,
        rate: Decimal,
        note: str | None = None,
    ) -> ExchangeRate:
        """Enter the year's rate, or replace the one already there (last one wins: a rate is
        one figure the user types, not a record two people edit at once)."""
        data = ExchangeRateData(fiscal_year, currency, to_currency, rate, note)
        with self.database.transaction() as session:
            errors = Errors()
            codes = [check_currency(errors, currency), check_currency(errors, to_currency)]
            existing = None
            if None not in codes:
                existing = session.scalars(
                    select(ExchangeRate).where(
                        ExchangeRate.fiscal_year == fiscal_year,
                        ExchangeRate.currency == codes[0],
                        ExchangeRate.to_currency == codes[1],
                    )
                ).one_or_none()
            if existing is None:
                return self.create(data)
            return self.update(existing.id, existing.version, data)

    def rate(self, fiscal_year: int, currency: str, to_currency: str) -> Decimal | None:
        """The rate entered for the year, or None."""
        return self.rates_for(fiscal_year, to_currency).get(currency)

    def rates_for(self, fiscal_year: int, to_currency: str) -> dict[str, Decimal]:
        """Every rate of the year into `to_currency`, by the currency converted from."""
        with self.database.transaction() as session:
            rows = session.execute(
                select(ExchangeRate.currency, ExchangeRate.rate).where(
                    ExchangeRate.fiscal_year == fiscal_year,
                    ExchangeRate.to_currency == to_currency,
                )
            ).all()
        return dict(rows)
