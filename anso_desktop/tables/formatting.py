"""How values read on screen, in spreadsheets and on paper: dates, date ranges, money, lists.

Month names are English on purpose: the secretariat's documents are in English whatever the
language of the computer they are printed on.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
EN_DASH = "–"
LIST_SEPARATOR = "; "


def format_date(value: date | None) -> str:
    """9 Oct 2021."""
    if value is None:
        return ""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def format_date_range(start: date | None, end: date | None) -> str:
    """A meeting's dates, compactly: "9 Oct 2021", "2–3 Mar 2021", "30 Aug – 19 Sep 2021",
    "20 Dec 2021 – 2 Jan 2022"."""
    if start is None:
        return ""
    if end is None or end == start:
        return format_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}{EN_DASH}{end.day} {_MONTHS[start.month - 1]} {start.year}"
    if start.year == end.year:
        return (
            f"{start.day} {_MONTHS[start.month - 1]} {EN_DASH} "
            f"{end.day} {_MONTHS[end.month - 1]} {end.year}"
        )
    return f"{format_date(start)} {EN_DASH} {format_date(end)}"


def report_date_notation(start: date | None, end: date | None) -> str:
    """The annual report's own notation: "1.19", "4.21-23", "3.2-3.3" (month.day, no year)."""
    if start is None:
        return ""
    first = f"{start.month}.{start.day}"
    if end is None or end == start:
        return first
    if end.month == start.month:
        return f"{first}-{end.day}"
    return f"{first}-{end.month}.{end.day}"


def format_money(value: Decimal | None) -> str:
    """1,234,567.89 — thousands separators, always two decimals, exact (no float on the way)."""
    if value is None:
        return ""
    return f"{value:,.2f}"


NO_PERCENT = "—"


def format_percent(value: Decimal | None) -> str:
    """93.75% — or a dash when there is no budget to be a percentage of."""
    return NO_PERCENT if value is None else f"{value:,.2f}%"


def format_list(values: Iterable[str]) -> str:
    """Organizers and other lists, joined the way the spreadsheets join them."""
    return LIST_SEPARATOR.join(values)
