"""Reading one cell as the column's type: text, whole numbers, dates in every notation the
secretariat meets, exact amounts, choices by label, countries by name, lists split on ";".

Dates written with numbers only ("03/04/2022") are ambiguous: `day_first_in` finds the order a
column evidently uses, and the parsers take it as `day_first`.

Each parser takes what a spreadsheet library hands over (str, int, float, bool, date, datetime or
None) and returns the typed value, or raises CellError with a message fit for the import report.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from anso_desktop.countries import country_code
from anso_desktop.domain import LabelledEnum, MeetingMode

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
# "2022/3/15", "2022.03.15": the year first, then month and day, as in East Asian sheets.
_YMD = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
# "15/03/2022", "03/15/2022", "15.03.2022", "15-03-2022": day and month in either order.
_NUMERIC = re.compile(r"^(\d{1,2})(?:[/.](\d{1,2})[/.]|-(\d{1,2})-)(\d{4})$")
# The same inside any text, to tell a column's order (the year keeps out "4.21-23" and ISO).
_NUMERIC_ANYWHERE = re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})$")
_MONTH_DAY_YEAR = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]+)\.?,?\s+(\d{4})$")
# Ranges written with the month named once or twice, the dash hugging the numbers or not.
_TO = r"\s*[-–—]\s*"
_MONTH_NAME = r"([A-Za-z]+)\.?"
_MONTH_DAYS = re.compile(rf"^{_MONTH_NAME}\s+(\d{{1,2}}){_TO}(\d{{1,2}}),?\s+(\d{{4}})$")
_MONTH_DAY_TO_MONTH_DAY = re.compile(
    rf"^{_MONTH_NAME}\s+(\d{{1,2}}){_TO}{_MONTH_NAME}\s+(\d{{1,2}}),?\s+(\d{{4}})$"
)
_DAYS_MONTH = re.compile(rf"^(\d{{1,2}}){_TO}(\d{{1,2}})\s+{_MONTH_NAME},?\s+(\d{{4}})$")
_DAY_MONTH_TO_DAY_MONTH = re.compile(
    rf"^(\d{{1,2}})\s+{_MONTH_NAME}{_TO}(\d{{1,2}})\s+{_MONTH_NAME},?\s+(\d{{4}})$"
)
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


def day(value: Any, year: int | None = None, *, day_first: bool | None = None) -> date | None:
    """One date. `year` completes the report's "M.D" notation, which has none; `day_first` is
    the column's order for "03/04/2022" (see `date_range`)."""
    found = date_range(value, year, day_first=day_first)
    if found is None:
        return None
    start, end = found
    if end != start:
        if is_month_only(value):
            raise CellError(f"'{value}' is a whole month; one date is expected here")
        raise CellError(f"'{value}' is a range of dates; one date is expected here")
    return start


def date_range(
    value: Any, year: int | None = None, *, day_first: bool | None = None
) -> tuple[date, date] | None:
    """A date or a range of dates: real Excel dates, ISO text, 2022/3/15, 21/04/2021,
    "9 October 2021", "Apr 7-9, 2022", "7–9 April 2022", "Apr 30-May 2, 2022", a month alone
    ("March 2022": the whole month), and the report's "4.21-23" (21-23 April), "3.2-3.3",
    "10.13-10.16".

    `day_first` is the order of the column's "03/04/2022" (True: 3 April, False: 4 March), as
    `day_first_in` finds it. None reads each value alone: "03/15/2022" can only be month first,
    and an ambiguous one is read day first.
    """
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
    if (written := _written_range(raw)) is not None:
        return written
    if (month := _whole_month(raw)) is not None:
        return month
    parts = _DASHES.split(raw)
    if len(parts) == 2 and all(parts):
        end = day(parts[1], year, day_first=day_first)
        if end is None:
            raise CellError(f"'{raw}' is not a date")
        start = _start_of_range(parts[0], end, year, raw, day_first)
        if end < start:
            raise CellError(f"'{raw}' ends before it starts")
        return start, end
    single = _single_date(raw, year, day_first)
    return single, single


def _written_range(raw: str) -> tuple[date, date] | None:
    """ "Apr 7-9, 2022", "April 7–9, 2022", "7-9 April 2022", "Apr 30-May 2, 2022" and
    "30 Apr-2 May 2022": a range with the month in words and the year once, at the end; None
    when `raw` is not written so."""
    found: tuple[str, str, str, str, str] | None = None  # start month, day, end month, day, year
    if match := _MONTH_DAYS.match(raw):
        found = (match[1], match[2], match[1], match[3], match[4])
    elif match := _MONTH_DAY_TO_MONTH_DAY.match(raw):
        found = (match[1], match[2], match[3], match[4], match[5])
    elif match := _DAYS_MONTH.match(raw):
        found = (match[3], match[1], match[3], match[2], match[4])
    elif match := _DAY_MONTH_TO_DAY_MONTH.match(raw):
        found = (match[2], match[1], match[4], match[3], match[5])
    if found is None:
        return None
    first_month, first_day, last_month, last_day, year_text = found
    months = _MONTHS.get(first_month.lower()), _MONTHS.get(last_month.lower())
    if months[0] is None or months[1] is None:
        return None  # not month names: left to the other notations (and their message)
    year = int(year_text)
    start = _make_date(year, months[0], int(first_day), raw)
    end = _make_date(year, months[1], int(last_day), raw)
    if end < start:
        raise CellError(f"'{raw}' ends before it starts")
    return start, end


def _whole_month(raw: str) -> tuple[date, date] | None:
    """ "March 2022" or "Mar 2022": the first to the last day of that month."""
    match = _MONTH_YEAR.match(raw)
    month = _MONTHS.get(match[1].lower()) if match else None
    if match is None or month is None:
        return None
    year = int(match[2])
    if not 1 <= year <= 9999:
        raise CellError(f"'{raw}' is not a date that exists")
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def is_month_only(value: Any) -> bool:
    """Whether a cell names a month alone ("March 2022"), which is read as the whole month: the
    import says so, since the meeting was surely shorter."""
    if type(value) is not str:
        return False
    match = _MONTH_YEAR.match(value.strip())
    return match is not None and match[1].lower() in _MONTHS


def day_first_in(values: Iterable[Any]) -> bool | None:
    """The order of day and month in a column's numeric dates, as its cells show it: True when
    some "15/03/2022" can only be day first, False when some "03/15/2022" can only be month
    first, None when no cell tells (or cells tell both, and each is then read alone)."""
    day_first = month_first = False
    for value in values:
        if type(value) is not str or ("/" not in value and "." not in value and "-" not in value):
            continue
        for first, second, _ in _NUMERIC_ANYWHERE.findall(value):
            first_number, second_number = int(first), int(second)
            day_first = day_first or (first_number > 12 >= second_number)
            month_first = month_first or (second_number > 12 >= first_number)
        if day_first and month_first:
            return None
    if day_first:
        return True
    if month_first:
        return False
    return None


def _start_of_range(
    text: str, end: date, year: int | None, raw: str, day_first: bool | None = None
) -> date:
    """The first date of "2–3 Mar 2021", "30 Aug – 19 Sep 2021" or "Aug 30 – Sep 19, 2021":
    month and year may be left to the end date, as people (and this program's own lists) write
    them."""
    if text.isdigit():
        return _make_date(end.year, end.month, int(text), raw)
    if match := re.fullmatch(r"(\d{1,2})\s+([A-Za-z]+)\.?", text):
        month = _MONTHS.get(match[2].lower())
        if month:
            return _make_date(end.year, month, int(match[1]), raw)
    if match := re.fullmatch(r"([A-Za-z]+)\.?\s+(\d{1,2}),?", text):
        month = _MONTHS.get(match[1].lower())
        if month:
            return _make_date(end.year, month, int(match[2]), raw)
    found = day(text, year, day_first=day_first)
    assert found is not None
    return found


def _numeric_date(first: int, second: int, year: int, raw: str, day_first: bool | None) -> date:
    """ "15/03/2022" or "03/15/2022" in the column's order; alone, the only possible reading, or
    day first when both are (as this program has always read them)."""
    if day_first is None:
        day_number, month = (second, first) if second > 12 >= first else (first, second)
        return _make_date(year, month, day_number, raw)
    day_number, month = (first, second) if day_first else (second, first)
    if month > 12:
        order = "the day" if day_first else "the month"
        raise CellError(f"'{raw}' is not a date that exists (this column writes {order} first)")
    return _make_date(year, month, day_number, raw)


def _single_date(raw: str, year: int | None, day_first: bool | None = None) -> date:
    if match := _ISO.match(raw):
        return _make_date(int(match[1]), int(match[2]), int(match[3]), raw)
    if match := _YMD.match(raw):
        return _make_date(int(match[1]), int(match[2]), int(match[3]), raw)
    if match := _NUMERIC.match(raw):
        second = match[2] or match[3]
        return _numeric_date(int(match[1]), int(second), int(match[4]), raw, day_first)
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


# Everyday words for a choice that are none of its labels ("Offline" under "Online/Offline").
_CHOICE_WORDS: dict[type[LabelledEnum], dict[str, LabelledEnum]] = {
    MeetingMode: {
        "offline": MeetingMode.ONSITE,
        "inperson": MeetingMode.ONSITE,
        "facetoface": MeetingMode.ONSITE,
        "virtual": MeetingMode.ONLINE,
        "onlineoffline": MeetingMode.HYBRID,
        "onlineandoffline": MeetingMode.HYBRID,
        "onlineandonsite": MeetingMode.HYBRID,
    },
}


def choice(value: Any, choices: type[LabelledEnum]) -> LabelledEnum | None:
    if is_blank(value):
        return None
    try:
        return choices.from_text(str(value))
    except ValueError as error:
        words = _CHOICE_WORDS.get(choices)
        if words is not None:
            found = words.get("".join(ch for ch in str(value).casefold() if ch.isalnum()))
            if found is not None:
                return found
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
