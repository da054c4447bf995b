"""What a printed list holds, from the real services (SQLite and PostgreSQL): groups and their
counts, filters, the report's date notation, the decision register and the finance summary."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from anso_desktop.domain import FinanceKind, MemberStatus
from anso_desktop.errors import UserError
from anso_desktop.reports.documents import (
    PrintRequest,
    RowStyle,
    build_list,
    filters_from_text,
    sort_key,
)
from anso_desktop.services import Services
from anso_desktop.services.base import ListQuery
from anso_desktop.services.demo import load_demo
from anso_desktop.services.finances import FinanceEntryData


@pytest.fixture
def demo(services: Services) -> Services:
    load_demo(services)
    return services


def test_members_by_country_have_one_heading_per_country_with_its_count(demo: Services) -> None:
    document = build_list(demo, PrintRequest("members", group_by="country"))
    members = demo.organizations.list(ListQuery()).rows
    expected = Counter(member.country for member in members)
    headings = [group.heading or "" for group in document.groups]
    assert headings[0].startswith("Argentina — ")
    by_name = {heading.split(" — ")[0]: heading for heading in headings}
    assert by_name["China"] == f"China — {expected['CN']} organizations"
    assert sum(len(group.rows) for group in document.groups) == len(members)
    assert document.record_count == len(members)
    assert document.closing == f"{len(members)} organizations in {len(expected)} groups"
    # Countries in alphabetical order of their names, as a reader looks them up; none last.
    names = [heading.split(" — ")[0] for heading in headings]
    assert names[-1] == "No country" and expected[None] > 0
    assert names[:-1] == sorted(names[:-1], key=str.casefold)


def test_a_filtered_list_holds_only_its_rows_and_says_so(demo: Services) -> None:
    filters = filters_from_text(demo, "members", {"status": "Endorsed by GB", "country": "Russia"})
    assert filters == {"status": MemberStatus.ENDORSED.value, "country": "RU"}
    document = build_list(demo, PrintRequest("members", filters=filters))
    expected = demo.organizations.list(ListQuery(filters=filters)).rows
    assert [row.cells[0] for group in document.groups for row in group.rows] == [
        member.name for member in expected
    ]
    assert document.filter_summary == "Status: Endorsed by GB · Country: Russia"
    assert build_list(demo, PrintRequest("members")).filter_summary == "All organizations"


def test_meetings_of_one_year_use_the_reports_date_notation(demo: Services) -> None:
    document = build_list(demo, PrintRequest("meetings", filters={"year": 2021}))
    assert document.title == "List of ANSO meetings 2021"
    assert [column.header for column in document.columns] == ["Date(s)", "Title", "Organizers"]
    rows = {row.cells[1]: row.cells[0] for group in document.groups for row in group.rows}
    # From the report's list: "4.21-23 ANSO online open conference: agriculture and food security".
    assert rows["ANSO online open conference: agriculture and food security"] == "4.21-23"
    # Over several years the year must show: the full dates replace the notation.
    spanning = build_list(demo, PrintRequest("meetings"))
    assert spanning.columns[0].header == "Dates"
    assert any(row.cells[0] == "21–23 Apr 2021" for row in spanning.groups[0].rows)


def test_meetings_by_month_are_in_calendar_order(demo: Services) -> None:
    document = build_list(demo, PrintRequest("meetings", group_by="month"))
    headings = [group.heading or "" for group in document.groups]
    assert headings[0].startswith("January 2021 — ")
    assert headings[-1].startswith("December 2021 — ")
    assert [h.split(" — ")[0] for h in headings].index("April 2021") == 3


def test_the_decision_register_groups_by_board_meeting(demo: Services) -> None:
    document = build_list(demo, PrintRequest("decisions", group_by="board-meeting"))
    # The heading names the board meeting: its column is left out.
    assert [column.header for column in document.columns] == [
        "Number",
        "Decision",
        "Status",
        "Owner",
        "Due",
    ]
    fourth = next(g for g in document.groups if (g.heading or "").startswith("4th"))
    assert fourth.heading is not None and fourth.heading.startswith(
        "4th Governing Board meeting, 9 Oct 2021 — "
    )
    numbers = [row.cells[0] for row in fourth.rows]
    assert numbers == sorted(numbers, key=int)


def test_finance_summary_totals_each_currency_apart(services: Services) -> None:
    def add(category: str, kind: FinanceKind, amount: str, currency: str = "CNY") -> None:
        services.finances.create(
            FinanceEntryData(2021, category, kind, Decimal(amount), currency=currency)
        )

    add("Travel", FinanceKind.BUDGET, "0.10")
    add("Travel", FinanceKind.BUDGET, "0.20")
    add("Travel", FinanceKind.EXPENDITURE, "0.30")
    add("Events", FinanceKind.BUDGET, "100.00")
    add("Events", FinanceKind.EXPENDITURE, "150.25")
    add("Events", FinanceKind.EXPENDITURE, "10.00", currency="USD")
    document = build_list(services, PrintRequest("finances", filters={"year": 2021}))
    assert [group.heading for group in document.groups] == [
        "2021 — CNY — 2 categories",
        "2021 — USD — 1 category",
    ]
    cny = document.groups[0].rows
    assert [row.cells for row in cny] == [
        ("Events", "CNY", "100.00", "150.25", "-50.25", "150.25%"),
        ("Travel", "CNY", "0.30", "0.30", "0.00", "100.00%"),
        ("Total CNY", "CNY", "100.30", "150.55", "-50.25", "150.10%"),
    ]
    assert [row.style for row in cny] == [RowStyle.FLAGGED, RowStyle.NORMAL, RowStyle.TOTAL]
    usd = document.groups[1].rows
    assert usd[0].cells == ("Events", "USD", "0.00", "10.00", "-10.00", "—")
    assert document.closing == "2 categories over budget (in red)."
    assert document.record_count == 3


@pytest.mark.parametrize(
    ("table", "given", "message"),
    [
        ("members", {"status": "Sleeping"}, "--status: 'Sleeping' is not one of"),
        ("members", {"country": "Atlantis"}, "--country: 'Atlantis' is not a country"),
        ("meetings", {"status": "Active"}, "The meetings list has no --status filter."),
        ("meetings", {"year": "20x1"}, "--year: '20x1' is not a year"),
        ("decisions", {"board_meeting": "9"}, "there is no 9th Governing Board meeting"),
    ],
)
def test_filters_that_name_nothing_are_refused(
    demo: Services, table: str, given: dict[str, str], message: str
) -> None:
    with pytest.raises(UserError, match=None) as refused:
        filters_from_text(demo, table, given)
    assert message in refused.value.message


def test_the_grouped_column_is_left_to_the_headings_and_columns_come_once(
    demo: Services,
) -> None:
    by_country = build_list(demo, PrintRequest("members", group_by="country"))
    assert "Country" not in [column.header for column in by_country.columns]
    twice = build_list(demo, PrintRequest("members", columns=("name", "name", "country")))
    assert [column.header for column in twice.columns] == ["Name", "Country"]
    # Without a year the report's notation gives way to full dates, never printed twice.
    both = build_list(demo, PrintRequest("meetings", columns=("report_dates", "dates", "title")))
    assert [column.header for column in both.columns] == ["Dates", "Title"]


def test_a_column_empty_on_every_row_is_left_out_unless_chosen(demo: Services) -> None:
    members = demo.organizations.list(ListQuery()).rows
    assert not any(member.joined_on for member in members)  # no joined dates in the demo
    document = build_list(demo, PrintRequest("members"))
    headers = [column.header for column in document.columns]
    assert "Joined" not in headers and headers[:3] == ["Name", "Acronym", "Country"]
    assert {len(row.cells) for group in document.groups for row in group.rows} == {len(headers)}
    chosen = build_list(demo, PrintRequest("members", columns=("name", "joined_on")))
    assert [column.header for column in chosen.columns] == ["Name", "Joined"]
    assert all(row.cells[1] == "" for row in chosen.groups[0].rows)
    # A list with no rows keeps its headers: nothing says which columns are empty.
    nothing = build_list(demo, PrintRequest("members", search="zzzz"))
    assert "Joined" in [column.header for column in nothing.columns]


def test_an_empty_list_says_why(demo: Services) -> None:
    searched = build_list(demo, PrintRequest("members", search="zzzz"))
    assert searched.record_count == 0
    assert searched.closing == "No organizations match the filters above."


def test_unknown_columns_groupings_and_sorts_are_refused(demo: Services) -> None:
    with pytest.raises(UserError, match="no column 'budget'"):
        build_list(demo, PrintRequest("members", columns=("name", "budget")))
    with pytest.raises(UserError, match="cannot be grouped by 'month'; choose from: country"):
        build_list(demo, PrintRequest("members", group_by="month"))
    with pytest.raises(UserError, match="cannot be sorted by 'notes'"):
        sort_key("members", "notes")
    assert sort_key("meetings", "report_dates") == "start_date"
