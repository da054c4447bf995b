"""Dates and headers as everyday spreadsheets write them: both orders of day and month, ranges
with the month in words, a month alone, and the headers partners use for meetings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from anso_desktop.domain import MeetingMode
from anso_desktop.spreadsheets.cells import (
    CellError,
    choice,
    date_range,
    day,
    day_first_in,
    is_month_only,
)
from anso_desktop.spreadsheets.headers import find_header
from anso_desktop.tables import MEETINGS

# --- dates read alone ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "start", "end"),
    [
        # Year, month, day.
        ("2022/3/15", date(2022, 3, 15), date(2022, 3, 15)),
        ("2022/03/05", date(2022, 3, 5), date(2022, 3, 5)),
        ("2022.3.15", date(2022, 3, 15), date(2022, 3, 15)),
        # Day and month, where only one order is possible.
        ("15/03/2022", date(2022, 3, 15), date(2022, 3, 15)),
        ("03/15/2022", date(2022, 3, 15), date(2022, 3, 15)),
        ("15.03.2022", date(2022, 3, 15), date(2022, 3, 15)),
        ("3.15.2022", date(2022, 3, 15), date(2022, 3, 15)),
        ("15-03-2022", date(2022, 3, 15), date(2022, 3, 15)),
        # A range with the month in words, the dash hugging the days or not.
        ("Apr 7-9, 2022", date(2022, 4, 7), date(2022, 4, 9)),
        ("Apr. 7-9, 2022", date(2022, 4, 7), date(2022, 4, 9)),
        ("April 7–9, 2022", date(2022, 4, 7), date(2022, 4, 9)),
        ("April 7 – 9, 2022", date(2022, 4, 7), date(2022, 4, 9)),
        ("April 7-9 2022", date(2022, 4, 7), date(2022, 4, 9)),
        ("7–9 April 2022", date(2022, 4, 7), date(2022, 4, 9)),
        ("7-9 April 2022", date(2022, 4, 7), date(2022, 4, 9)),
        ("7 - 9 Apr 2022", date(2022, 4, 7), date(2022, 4, 9)),
        # Across two months.
        ("Apr 30-May 2, 2022", date(2022, 4, 30), date(2022, 5, 2)),
        ("April 30 – May 2, 2022", date(2022, 4, 30), date(2022, 5, 2)),
        ("30 Apr-2 May 2022", date(2022, 4, 30), date(2022, 5, 2)),
        ("30 April – 2 May 2022", date(2022, 4, 30), date(2022, 5, 2)),
        ("Aug 30 – Sep 19, 2021", date(2021, 8, 30), date(2021, 9, 19)),
        # A month alone: the whole month.
        ("March 2022", date(2022, 3, 1), date(2022, 3, 31)),
        ("Mar 2022", date(2022, 3, 1), date(2022, 3, 31)),
        ("Sept. 2021", date(2021, 9, 1), date(2021, 9, 30)),
        ("February 2024", date(2024, 2, 1), date(2024, 2, 29)),
        ("february 2023", date(2023, 2, 1), date(2023, 2, 28)),
    ],
)
def test_everyday_notations(written: str, start: date, end: date) -> None:
    assert date_range(written) == (start, end)


@pytest.mark.parametrize(
    ("value", "year", "expected"),
    [
        # What was read before keeps being read the same.
        ("4.21-23", 2021, (date(2021, 4, 21), date(2021, 4, 23))),
        ("3.2-3.3", 2021, (date(2021, 3, 2), date(2021, 3, 3))),
        ("10.13-10.16", 2021, (date(2021, 10, 13), date(2021, 10, 16))),
        ("1.19", 2021, (date(2021, 1, 19), date(2021, 1, 19))),
        ("2021-04-21", None, (date(2021, 4, 21), date(2021, 4, 21))),
        ("2021-04-21 10:30", None, (date(2021, 4, 21), date(2021, 4, 21))),
        ("21/04/2021", None, (date(2021, 4, 21), date(2021, 4, 21))),
        ("15.03.2022", None, (date(2022, 3, 15), date(2022, 3, 15))),
        ("03/04/2022", None, (date(2022, 4, 3), date(2022, 4, 3))),  # ambiguous: day first
        ("7 April 2022", None, (date(2022, 4, 7), date(2022, 4, 7))),
        ("9 October 2021", None, (date(2021, 10, 9), date(2021, 10, 9))),
        ("October 9, 2021", None, (date(2021, 10, 9), date(2021, 10, 9))),
        ("2–3 March 2021", None, (date(2021, 3, 2), date(2021, 3, 3))),
        ("2–3 Mar 2021", None, (date(2021, 3, 2), date(2021, 3, 3))),
        ("30 Aug – 19 Sep 2021", None, (date(2021, 8, 30), date(2021, 9, 19))),
        ("16 Dec 2021 - 17 Dec 2021", None, (date(2021, 12, 16), date(2021, 12, 17))),
        ("2021-12-16 – 2021-12-17", None, (date(2021, 12, 16), date(2021, 12, 17))),
        (44307, None, (date(2021, 4, 21), date(2021, 4, 21))),
        (44307.0, None, (date(2021, 4, 21), date(2021, 4, 21))),
        (date(2021, 4, 21), None, (date(2021, 4, 21), date(2021, 4, 21))),
        (datetime(2021, 4, 21, 9, 0), None, (date(2021, 4, 21), date(2021, 4, 21))),
        (None, None, None),
        ("  ", None, None),
    ],
)
def test_the_notations_read_before_are_read_the_same(
    value: Any, year: int | None, expected: tuple[date, date] | None
) -> None:
    assert date_range(value, year) == expected


# --- the order of day and month --------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "day_first", "expected"),
    [
        ("03/04/2022", True, date(2022, 4, 3)),
        ("03/04/2022", False, date(2022, 3, 4)),
        ("03/04/2022", None, date(2022, 4, 3)),
        ("3.4.2022", False, date(2022, 3, 4)),
        ("03-04-2022", False, date(2022, 3, 4)),
        ("12/11/2021", False, date(2021, 12, 11)),
        ("12/11/2021", True, date(2021, 11, 12)),
        # The order never touches what is not ambiguous.
        ("2022/3/4", False, date(2022, 3, 4)),
        ("2022/3/4", True, date(2022, 3, 4)),
        ("2022-03-04", False, date(2022, 3, 4)),
        ("4 March 2022", False, date(2022, 3, 4)),
        ("March 4, 2022", True, date(2022, 3, 4)),
    ],
)
def test_an_ambiguous_date_follows_the_columns_order(
    written: str, day_first: bool | None, expected: date
) -> None:
    assert day(written, day_first=day_first) == expected
    assert date_range(written, day_first=day_first) == (expected, expected)


def test_the_order_reaches_both_ends_of_a_range() -> None:
    assert date_range("03/04/2022 – 05/04/2022", day_first=False) == (
        date(2022, 3, 4),
        date(2022, 5, 4),
    )
    assert date_range("03/04/2022 – 05/04/2022", day_first=True) == (
        date(2022, 4, 3),
        date(2022, 4, 5),
    )
    assert date_range("03/04/2022 - 03/06/2022") == (date(2022, 4, 3), date(2022, 6, 3))


@pytest.mark.parametrize(
    ("written", "day_first", "order"),
    [("03/15/2022", True, "day"), ("15/03/2022", False, "month")],
)
def test_a_date_against_the_columns_order_is_refused_by_name(
    written: str, day_first: bool, order: str
) -> None:
    with pytest.raises(CellError, match=f"'{written}' .*writes the {order} first"):
        day(written, day_first=day_first)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["03/04/2022", "15/03/2022"], True),
        (["03/04/2022", "15.03.2022"], True),
        (["15-03-2022"], True),
        (["15/03/2022 – 17/03/2022"], True),
        (["03/04/2022", "03/15/2022"], False),
        (["Apr 1", "3.15.2022"], False),
        (["03/04/2022", "04/05/2022"], None),  # every one ambiguous
        (["2022/3/15", "2022-03-15", "4.21-23", "10.13-10.16"], None),  # no day/month order
        ([date(2022, 3, 15), 44307, None, True, "March 2022"], None),
        (["15/03/2022", "03/15/2022"], None),  # the column says both: read each alone
        (["15/15/2022"], None),  # no date at all
        ([], None),
    ],
)
def test_day_first_in_a_column(values: list[Any], expected: bool | None) -> None:
    assert day_first_in(values) is expected


def test_day_first_in_takes_any_iterable() -> None:
    assert day_first_in(value for value in ["01/02/2022", "25/12/2022"]) is True


def test_a_column_read_in_its_evident_order() -> None:
    column = ["03/04/2022", "10/11/2022", "12/25/2022"]
    order = day_first_in(column)
    assert order is False
    assert [day(value, day_first=order) for value in column] == [
        date(2022, 3, 4),
        date(2022, 10, 11),
        date(2022, 12, 25),
    ]


# --- a month alone -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("March 2022", True),
        ("Mar 2022", True),
        ("  mar. 2022 ", True),
        ("March, 2022", True),
        ("March 15, 2022", False),
        ("15 March 2022", False),
        ("Apr 7-9, 2022", False),
        ("2022-03", False),
        ("Meetings 2022", False),
        (date(2022, 3, 1), False),
        (None, False),
        (44307, False),
    ],
)
def test_is_month_only(value: Any, expected: bool) -> None:
    assert is_month_only(value) is expected


def test_a_month_alone_is_no_single_date() -> None:
    with pytest.raises(CellError, match="'March 2022' is a whole month"):
        day("March 2022")


# --- what is refused, by name ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("31/02/2021", "'31/02/2021' is not a date that exists"),
        ("13/13/2022", "'13/13/2022' is not a date that exists"),
        ("2022/2/30", "'2022/2/30' is not a date that exists"),
        ("Apr 31-May 2, 2022", "'Apr 31-May 2, 2022' is not a date that exists"),
        ("May 2-Apr 30, 2022", "'May 2-Apr 30, 2022' ends before it starts"),
        ("9-7 April 2022", "'9-7 April 2022' ends before it starts"),
        ("Foo 7-9, 2022", "'Foo 7-9, 2022' is not a date"),
        ("Smarch 2022", "'Smarch 2022' is not a date"),
        ("4.21-23", "'4.21-23' has no year"),
    ],
)
def test_unreadable_dates_are_named(written: str, message: str) -> None:
    with pytest.raises(CellError) as raised:
        date_range(written)
    assert str(raised.value).startswith(message)


def test_a_range_is_no_single_date() -> None:
    with pytest.raises(CellError, match="'Apr 7-9, 2022' is a range of dates"):
        day("Apr 7-9, 2022")


# --- a mode in everyday words ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "mode"),
    [
        ("Online", MeetingMode.ONLINE),
        ("Offline", MeetingMode.ONSITE),
        ("In person", MeetingMode.ONSITE),
        ("Online/Offline", MeetingMode.HYBRID),
        ("online and offline", MeetingMode.HYBRID),
        ("Hybrid", MeetingMode.HYBRID),
    ],
)
def test_a_mode_under_online_offline(written: str, mode: MeetingMode) -> None:
    assert choice(written, MeetingMode) is mode


def test_an_unknown_mode_names_the_choices() -> None:
    with pytest.raises(CellError, match="'Sometimes' is not one of: Online, Onsite, Hybrid"):
        choice("Sometimes", MeetingMode)


# --- headers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Online/Offline", "mode"),
        ("online / offline", "mode"),
        ("No. of participants", "participants_count"),
        ("Participants (number)", "participants_count"),
        ("No. of countries", "countries_count"),
        ("Venue", "location"),
        ("Host(s)", "organizers"),
        ("Host", "organizers"),
        ("Hosts", "organizers"),
        ("Co-organizer(s)", "organizers"),
        ("Co-organizers", "organizers"),
    ],
)
def test_everyday_meeting_headers(header: str, key: str) -> None:
    match = find_header([["Title", "Date", header]], MEETINGS)
    assert match is not None
    assert {position: column.key for position, column in match.columns.items()} == {
        0: "title",
        1: "start_date",
        2: key,
    }
    assert match.unknown == []


def test_two_headers_of_a_list_column_are_both_kept_in_order() -> None:
    rows = [
        ["List of meetings 2022"],
        ["Title", "Co-organizer(s)", "Date", "Host(s)", "Venue", "Organizers"],
    ]
    match = find_header(rows, MEETINGS)
    assert match is not None
    assert match.row == 1
    assert {position: column.key for position, column in match.columns.items()} == {
        0: "title",
        1: "organizers",
        2: "start_date",
        3: "organizers",
        4: "location",
        5: "organizers",
    }
    assert match.positions("organizers") == [1, 3, 5]
    assert match.positions("notes") == []
    assert match.keys == {"title", "organizers", "start_date", "location"}
    assert match.repeated == []
    assert match.unknown == []


def test_a_second_header_of_any_other_column_is_still_repeated() -> None:
    match = find_header([["Title", "Venue", "Location", "Host", "Date", "Start"]], MEETINGS)
    assert match is not None
    assert {position: column.key for position, column in match.columns.items()} == {
        0: "title",
        1: "location",
        3: "organizers",
        4: "start_date",
    }
    assert match.repeated == [(2, "Location"), (5, "Start")]


def test_a_mapped_header_may_add_to_a_list_column() -> None:
    match = find_header(
        [["Title", "Date", "Host(s)", "Partner institutes"]],
        MEETINGS,
        {"Partner institutes": "organizers"},
    )
    assert match is not None
    assert match.positions("organizers") == [2, 3]
    assert match.repeated == []


def test_the_extra_list_header_does_not_move_the_header_row() -> None:
    """The header row is the one naming the most columns; a list named twice counts once."""
    rows = [
        ["Host", "Co-organizers", "Host(s)"],
        ["Title", None, None],
    ]
    match = find_header(rows, MEETINGS)
    assert match is not None
    assert match.row == 1
