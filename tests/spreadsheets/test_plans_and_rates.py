"""Budget plans, their lines and exchange rates in workbooks: plans keep the file's revision and
status, an approved plan is never changed by an import, and bad rows are listed with sheet, row
and column while nothing is written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from anso_desktop.domain import BudgetPlanStatus
from anso_desktop.services import Services
from anso_desktop.spreadsheets import ImportOptions, export_workbook, import_file
from tests.spreadsheets.conftest import make_workbook, read_workbook, row_counts
from tests.spreadsheets.test_round_trip import add_plans_and_rates, plans_and_rates

PLAN_HEADERS = ["Year", "Revision", "Status", "Based on", "Approved on", "Notes"]
LINE_HEADERS = ["Year", "Revision", "Category", "Currency", "Amount", "Note"]
RATE_HEADERS = ["Year", "Currency", "To currency", "Rate", "Note"]


def issues(report: Any) -> set[tuple[str, int, str]]:
    return {(issue.sheet, issue.row, issue.column) for issue in report.errors}


def test_plans_keep_their_revision_and_are_approved_with_their_lines(
    services: Services, tmp_path: Path
) -> None:
    path = make_workbook(
        tmp_path / "plans.xlsx",
        {
            "Budget plans": [
                PLAN_HEADERS,
                [2024, 2, "Approved", None, date(2023, 11, 30), "Second try"],
                [2024, 5, "Draft", None, None, None],
            ],
            "Budget plan lines": [
                LINE_HEADERS,
                [2024, 2, "Training", "CNY", 150000, None],
                [2024, 2, "Training", "USD", 2500.5, "Fellows"],
                [2024, 5, "Training", "RMB", 1, None],
            ],
        },
    )

    report = import_file(services, path)

    assert report.errors == []
    assert report.written and report.inserted == 5
    plans, _ = plans_and_rates(services)
    assert plans == [
        (
            2024,
            2,
            BudgetPlanStatus.APPROVED,
            date(2023, 11, 30),
            None,
            "Second try",
            [
                ("Training", "CNY", Decimal("150000.00"), None),
                ("Training", "USD", Decimal("2500.50"), "Fellows"),
            ],
        ),
        (
            2024,
            5,
            BudgetPlanStatus.DRAFT,
            None,
            None,
            None,
            [("Training", "CNY", Decimal("1"), None)],
        ),
    ]
    again = import_file(services, path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 5)


def test_a_changed_approved_plan_is_refused_and_nothing_is_written(
    demo_services: Services, tmp_path: Path
) -> None:
    add_plans_and_rates(demo_services)
    exported = tmp_path / "anso.xlsx"
    export_workbook(demo_services, exported)
    sheets = read_workbook(exported)
    plans = sheets["Budget plans"]
    lines = sheets["Budget plan lines"]
    approved_row = next(i for i, row in enumerate(plans) if row[2] == "Approved")
    line_row = next(i for i, row in enumerate(lines) if row[:2] == [2023, 1])
    plans[approved_row][5] = "Notes changed after approval"
    lines[line_row][4] = 1.5
    draft_row = next(i for i, row in enumerate(plans) if row[:2] == [2023, 3])
    plans[draft_row][5] = "A draft may change"  # would be written, were it not for the refusals
    del sheets["Budget summary"]
    changed = make_workbook(tmp_path / "changed.xlsx", sheets)
    counts = row_counts(demo_services.database)
    before = plans_and_rates(demo_services)

    report = import_file(demo_services, changed)

    assert not report.written
    assert issues(report) == {
        ("Budget plans", approved_row + 1, "Status"),
        ("Budget plan lines", line_row + 1, "Revision"),
    }
    assert all("approved plans are read-only" in issue.message for issue in report.errors)
    assert row_counts(demo_services.database) == counts
    assert plans_and_rates(demo_services) == before


def test_bad_plan_line_and_rate_rows_are_listed_with_sheet_row_and_column(
    services: Services, tmp_path: Path
) -> None:
    path = make_workbook(
        tmp_path / "bad.xlsx",
        {
            "Exchange rates": [
                RATE_HEADERS,
                [2021, "USD", "CNY", 0, None],
                [2021, "EUR", "CNY", 7.6283451, None],
                [2021, "GBP", "CNY", "8.123456", "fine"],
                [2021, "JPY", "CNY", "0.0512345", None],
            ],
            "Budget plans": [
                PLAN_HEADERS,
                [2022, 1, "Pending", None, None, None],
                [2022, 2, "Approved", None, None, None],
                [2023, 1, "Approved", None, date(2022, 12, 1), "no lines"],
            ],
            "Budget plan lines": [
                LINE_HEADERS,
                [2030, 1, "Training", "CNY", 100, None],
                [2022, 2, "Training", "CNY", 100, None],
            ],
        },
    )
    counts = row_counts(services.database)

    report = import_file(services, path)

    assert not report.written
    assert issues(report) == {
        ("Exchange rates", 2, "Rate"),  # zero
        ("Exchange rates", 3, "Rate"),  # seven decimals (a float)
        ("Exchange rates", 5, "Rate"),  # seven decimals (text)
        ("Budget plans", 2, "Status"),  # not a status
        ("Budget plans", 3, "Approved on"),  # approved, but when?
        ("Budget plan lines", 2, "Revision"),  # no such plan
        ("Budget plan lines", 3, "Revision"),  # its plan's row was refused
    }
    messages = {(issue.sheet, issue.row): issue.message for issue in report.errors}
    assert "more than zero" in messages["Exchange rates", 2]
    assert "more than six decimals" in messages["Exchange rates", 3]
    assert "Pending" in messages["Budget plans", 2]
    assert "2030 budget plan, revision 1" in messages["Budget plan lines", 2]
    assert row_counts(services.database) == counts

    # With the rows above fixed, the plan the file approves without lines is refused in turn.
    fixed = make_workbook(
        tmp_path / "nolines.xlsx",
        {"Budget plans": [PLAN_HEADERS, [2023, 1, "Approved", None, date(2022, 12, 1), None]]},
    )
    report = import_file(services, fixed, ImportOptions(table="budget-plans"))
    assert issues(report) == {("Budget plans", 2, "Status")}
    assert "no lines" in report.errors[0].message
    assert row_counts(services.database) == counts


def test_a_rate_is_read_exactly_and_written_as_a_number(services: Services, tmp_path: Path) -> None:
    path = make_workbook(
        tmp_path / "rates.xlsx",
        {
            "Exchange rates": [
                RATE_HEADERS,
                [2021, "USD", "CNY", 6.4515, None],
                [2022, "EUR", "USD", 1.123456, None],
            ]
        },
    )
    assert import_file(services, path).written
    assert services.exchange_rates.rate(2022, "EUR", "USD") == Decimal("1.123456")

    exported = tmp_path / "out.xlsx"
    export_workbook(services, exported, ["exchange-rates"])
    import openpyxl

    workbook = openpyxl.load_workbook(exported)
    sheet = workbook["Exchange rates"]
    assert [sheet.cell(row, 4).value for row in (2, 3)] == [6.4515, 1.123456]
    assert sheet.cell(3, 4).number_format == "0.000000"
    workbook.close()


def test_the_summary_shows_percent_used_as_a_percentage(
    demo_services: Services, tmp_path: Path
) -> None:
    import openpyxl

    path = tmp_path / "anso.xlsx"
    export_workbook(demo_services, path)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Budget summary"]
    (row,) = [
        r
        for r in sheet.iter_rows(min_row=2)
        if [c.value for c in r[:3]] == [2021, "CNY", "Meetings and workshops"]
    ]
    assert row[6].value == 0.6  # 3,000,000 spent of 5,000,000: shown as 60.00%
    assert "%" in row[6].number_format
    workbook.close()
