"""The checks every money figure passes, wherever it is entered: ISO currencies, amounts to the
cent within what a spreadsheet holds exactly, plausible fiscal years. Errors are collected under
the field they concern, so a form shows each beside its field.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import pycountry

from anso_desktop.services.base import Errors
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


def check_currency(errors: Errors, text: str | None, field_name: str = "currency") -> str | None:
    """The ISO code of `text`, or None with the refusal added to `errors` under `field_name`."""
    try:
        return currency_code(text or "")
    except ValueError as error:
        errors.add(field_name, str(error))
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


def check_fiscal_year(errors: Errors, year: int | None, field_name: str = "fiscal_year") -> None:
    """A fiscal year is required and between 1900 and 2200 (what the database accepts)."""
    errors.require(field_name, year, "Year")
    if year is not None and not 1900 <= year <= 2200:
        errors.add(field_name, f"{year} is not a plausible fiscal year")
