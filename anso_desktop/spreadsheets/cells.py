"""Reading one cell as the column's type: text, whole numbers, dates in every notation the
secretariat meets, exact amounts, choices by label, countries by name, lists split on ";".

Each parser takes what a spreadsheet library hands over (str, int, float, bool, date, datetime or
None) and returns the typed value, or raises CellError with a message fit for the import report.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from anso_desktop.countries import country_code
from anso_desktop.domain import LabelledEnum

_EXCEL_EPOCH = date(1899, 12, 30)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
# A range's separator: an en or em dash, or a hyphen with spaces (ISO dates hold hyphens).
_DASHES = re.compile(r"\s*[–—]\s*|\s+-\s+")
# The annual report's notation: "4.21", "4.21-23", "3.2-3.3", "10.13-10.16" (month.day).
_REPORT_RANGE = re.compile(r"^(\d{1,2})\.(\d{1,2})(?:-(?:(\d{1,2})\.)?(\d{1,2}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})$")
_MONTH_DAY_YEAR = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$")
_CENT = Decimal("0.01")
#: The largest amount a spreadsheet number (a double) holds exactly to the cent.
MAX_AMOUNT = Decimal("9999999999999.99")
#: Whole numbers are stored in 32-bit columns.
MAX_INTEGER = 2**31 - 1


class CellError(ValueError):
    """A cell that cannot be read as its column's type; the message names the value."""


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any) -> str | None:
    if type(value) is str:  # nearly every cell: the same result, without the general checks
        if "\n" in value:
            return value.strip() or None
        return " ".join(value.split()) or None
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return " ".join(str(value).split()) if "\n" not in str(value) else str(value).strip()


def integer(value: Any) -> int | None:
    found = _integer(value)
    if found is not None and abs(found) > MAX_INTEGER:
        raise CellError(f"'{value}' is too large a number")
    return found


def _integer(value: Any) -> int | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(f"'{value}' is not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellError(f"'{value}' is not a whole number")
        if value.is_integer():
            return int(value)
        raise CellError(f"'{value:g}' is not a whole number")
    cleaned = str(value).strip().replace(",", "").replace(" ", "")
    if re.fullmatch(r"[+-]?\d+", cleaned):
        return int(cleaned)
    if re.fullmatch(r"[+-]?\d+\.0+", cleaned):
        return int(float(cleaned))
    raise CellError(f"'{str(value).strip()}' is not a whole number")


def _make_date(year: int, month: int, day: int, original: Any) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(f"'{original}' is not a date that exists") from None


def day(value: Any, year: int | None = None) -> date | None:
    """One date. `year` completes the report's "M.D" notation, which has none."""
    found = date_range(value, year)
    if found is None:
        return None
    start, end = found
    if end != start:
        raise CellError(f"'{value}' is a range of dates; one date is expected here")
    return start


def date_range(value: Any, year: int | None = None) -> tuple[date, date] | None:
    """A date or a range of dates: real Excel dates, ISO text, 21/04/2021, "9 October 2021",
    and the report's "4.21-23" (21-23 April), "3.2-3.3", "10.13-10.16"."""
    if type(value) is date:  # a real date cell, the common case
        return value, value
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date(), value.date()
    if isinstance(value, date):
        return value, value
    if isinstance(value, bool):
        raise CellError(f"'{value}' is not a date")
    if isinstance(value, int | float):
        if 1 <= value < 2958466:  # an Excel serial day number
            found = _EXCEL_EPOCH + timedelta(days=int(value))
            return found, found
        raise CellError(f"'{value}' is not a date")
    raw = str(value).strip()
    compact = raw.replace(" ", "")
    report = _REPORT_RANGE.match(compact)
    if report:
        if year is None:
            raise CellError(
                f"'{raw}' has no year: give it with --year, in the sheet's name or title"
            )
        month, first, end_month, last = report.groups()
        start = _make_date(year, int(month), int(first), raw)
        if last is None:
            return start, start
        end = _make_date(year, int(end_month or month), int(last), raw)
        if end < start:
            raise CellError(f"'{raw}' ends before it starts")
        return start, end
    parts = _DASHES.split(raw)
    if len(parts) == 2 and all(parts):
        end = day(parts[1], year)
        if end is None:
            raise CellError(f"'{raw}' is not a date")
        start = _start_of_range(parts[0], end, year, raw)
        if end < start:
            raise CellError(f"'{raw}' ends before it starts")
        return start, end
    single = _single_date(raw, year)
    return single, single


def _start_of_range(text: str, end: date, year: int | None, raw: str) -> date:
    """The first date of "2–3 Mar 2021" or "30 Aug – 19 Sep 2021": month and year may be left
    to the end date, as people (and this program's own lists) write them."""
    if text.isdigit():
        return _make_date(end.year, end.month, int(text), raw)
    if match := re.fullmatch(r"(\d{1,2})\s+([A-Za-z]+)\.?", text):
        month = _MONTHS.get(match[2].lower())
        if month:
            return _make_date(end.year, month, int(match[1]), raw)
    found = day(text, year)
    assert found is not None
    return found


def _single_date(raw: str, year: int | None) -> date:
    if match := _ISO.match(raw):
        return _make_date(int(match[1]), int(match[2]), int(match[3]), raw)
    if match := _DMY.match(raw):
        return _make_date(int(match[3]), int(match[2]), int(match[1]), raw)
    if match := _DAY_MONTH_YEAR.match(raw):
        month = _MONTHS.get(match[2].lower())
        if month:
            return _make_date(int(match[3]), month, int(match[1]), raw)
    if match := _MONTH_DAY_YEAR.match(raw):
        month = _MONTHS.get(match[1].lower())
        if month:
            return _make_date(int(match[3]), month, int(match[2]), raw)
    if year is not None and (match := re.fullmatch(r"(\d{1,2})\.(\d{1,2})", raw)):
        return _make_date(year, int(match[1]), int(match[2]), raw)
    raise CellError(f"'{raw}' is not a date (use a real date, 2021-04-21 or 21/04/2021)")


def money(value: Any) -> Decimal | None:
    """An exact amount with at most two decimals, no larger than a spreadsheet holds exactly."""
    amount = _money(value)
    if amount is not None and abs(amount) > MAX_AMOUNT:
        raise CellError(f"'{value}' is too large an amount")
    return amount


def _money(value: Any) -> Decimal | None:
    """An exact amount with at most two decimals. A float from a spreadsheet is taken at its
    shortest decimal form (0.1 + 0.2 computed in Excel reads as 0.3, not 0.30000000000000004)."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(f"'{value}' is not an amount")
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or abs(value) > 1e15:
            raise CellError(f"'{value}' is not an amount (or too large)")
        amount = Decimal(repr(value))
        rounded = amount.quantize(_CENT)
        if abs(amount - rounded) < Decimal("0.000001"):
            return rounded
        raise CellError(f"'{value}' has more than two decimals")
    if isinstance(value, int):
        if abs(value) > MAX_AMOUNT:
            raise CellError(f"'{value}' is too large an amount")
        return Decimal(value).quantize(_CENT)
    cleaned = re.sub(r"[\s,]|^[A-Z]{3}|[¥$€£]", "", str(value).strip())
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise CellError(f"'{str(value).strip()}' is not an amount") from None
    if not amount.is_finite() or amount.adjusted() > 12:  # over 9,999,999,999,999
        raise CellError(f"'{str(value).strip()}' is not an amount (or too large)")
    if amount != amount.quantize(_CENT):
        raise CellError(f"'{str(value).strip()}' has more than two decimals")
    return amount.quantize(_CENT)


def choice(value: Any, choices: type[LabelledEnum]) -> LabelledEnum | None:
    if is_blank(value):
        return None
    try:
        return choices.from_text(str(value))
    except ValueError as error:
        raise CellError(str(error)) from None


def country(value: Any) -> str | None:
    if is_blank(value):
        return None
    try:
        return country_code(str(value))
    except ValueError as error:
        raise CellError(str(error)) from None


def names(value: Any) -> list[str]:
    """A list such as organizers: split on ";" only, since names contain commas ("XIEG, CAS")."""
    if is_blank(value):
        return []
    return [" ".join(part.split()) for part in str(value).split(";") if part.strip()]
