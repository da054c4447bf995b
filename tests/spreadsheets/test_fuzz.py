"""Whatever the cells hold, the importer answers with a report or a UserError, never a crash, and
a refused file writes nothing.

The values come from everything a spreadsheet can hand over: text in any script, text that looks
like a formula or a date or an amount, whole numbers, floats (NaN and infinities included), dates,
datetimes, booleans and blanks. Numbers too big for a database column are left to the explicit
tests at the end of this file, which show how they crash today.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anso_desktop.errors import UserError
from anso_desktop.services import Services
from anso_desktop.services.decisions import BoardMeetingData
from anso_desktop.services.finances import FundData
from anso_desktop.services.organizations import OrganizationData
from anso_desktop.spreadsheets import ImportOptions, import_file
from anso_desktop.storage.database import Database
from anso_desktop.storage.migrations import upgrade
from anso_desktop.tables import TABLES
from tests.spreadsheets.conftest import make_workbook, row_counts

WORDS = [
    "=1+1",
    '=HYPERLINK("http://x","y")',
    "+1",
    "-1",
    "@SUM(A1)",
    "4.21-23",
    "3.2-3.3",
    "10.13-10.16",
    "31/02/2021",
    "21/04/2021",
    "9 October 2021",
    "2021-04-21",
    "2–3 Mar 2021",
    "Cuba",
    "China",
    "Atlantis",
    "Applicant",
    "Endorsed by GB",
    "Honorary",
    "Member",
    "Partner",
    "Academy",
    "Online",
    "Budget",
    "Expenditure",
    "Donation",
    "CNY",
    "RMB",
    "XYZ",
    "twelve",
    "1.005",
    "1,000.50",
    "¥ 30,000,000",
    "NaN",
    "Infinity",
    "-0",
    "rcees; cas; emcc",
    "XIEG, CAS",
    "STIC Endowment",
    "not-an-email",
    "info@example.org",
    "Cuban Academy of Sciences",
    "  ",
]
CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**31) + 1, max_value=2**31 - 1),
    st.floats(min_value=-1e12, max_value=1e12),
    st.sampled_from([math.nan, math.inf, -math.inf, 0.1 + 0.2, 1.005, 44307.0, 44307.5]),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2200, 12, 31)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2200, 12, 31)),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30),
    st.sampled_from(WORDS),
)
TABLE_NAMES = ["members", "meetings", "finances"]


@st.composite
def sheets(draw: st.DrawFn) -> tuple[str, list[list[Any]]]:
    table = draw(st.sampled_from(TABLE_NAMES))
    columns = [column.header for column in TABLES[table].sheet_columns]
    required = [column.header for column in TABLES[table].sheet_columns if column.required]
    header = draw(
        st.lists(st.sampled_from(columns), min_size=1, max_size=len(columns), unique=True)
    )
    if draw(st.booleans()):  # usually a sheet that names what the table needs
        header = list(dict.fromkeys([*required, *header]))
    if draw(st.booleans()):
        header.append(draw(st.sampled_from(["Colour", "Remarks 2", "ID", "Date(s)"])))
    rows = draw(
        st.lists(
            st.lists(CELLS, min_size=len(header), max_size=len(header)), min_size=0, max_size=6
        )
    )
    return table, [header, *rows]


@pytest.fixture(scope="module")
def fuzz_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """One SQLite database for every example, holding what the sheets may refer to."""
    database = Database.open(str(tmp_path_factory.mktemp("fuzz") / "anso.sqlite"))
    upgrade(database, backup=False)
    services = Services.over(database)
    partner = services.organizations.create(OrganizationData(name="Cuban Academy of Sciences"))
    services.funds.create(
        FundData(
            name="STIC Endowment",
            currency="CNY",
            initial_capital=Decimal("50000000.00"),
            partner_id=partner.id,
        )
    )
    services.board_meetings.create(BoardMeetingData(number=4, date=date(2021, 10, 9)))
    yield services
    database.dispose()


@settings(
    max_examples=int(os.environ.get("ANSO_FUZZ_EXAMPLES", "40")),
    deadline=None,
    database=None,
    derandomize=True,  # the same examples on every run: a failure here is reproducible
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(sheet=sheets(), dry_run=st.booleans())
def test_random_sheets_never_crash_the_importer(
    fuzz_services: Services, sheet: tuple[str, list[list[Any]]], dry_run: bool
) -> None:
    table, rows = sheet
    before = row_counts(fuzz_services.database)
    with tempfile.TemporaryDirectory() as folder:
        path = make_workbook(Path(folder) / "fuzz.xlsx", {TABLES[table].sheet: rows})
        try:
            report = import_file(fuzz_services, path, ImportOptions(table=table, dry_run=dry_run))
        except UserError as error:
            assert error.message.strip()
            assert row_counts(fuzz_services.database) == before
            return
    headers = {column.header for column in TABLES[table].sheet_columns} | {""}
    for issue in report.errors:
        assert 1 <= issue.row <= len(rows), issue
        assert issue.column in headers, issue
        assert issue.message.strip(), issue
    if report.errors or dry_run:
        assert not report.written
        assert row_counts(fuzz_services.database) == before
    else:
        assert report.written
        assert report.inserted + report.updated + report.unchanged == len(report.rows)


# --- what fuzzing found: numbers too big for their column ----------------------------------------


@pytest.mark.parametrize("amount", [1e300, 1e26, "1e999999999"], ids=["1e300", "1e26", "text"])
def test_an_enormous_amount_is_a_row_error(
    sqlite_services: Services, tmp_path: Path, amount: Any
) -> None:
    path = make_workbook(
        tmp_path / "finances.xlsx",
        {"Finances": [["Year", "Category", "Kind", "Amount"], [2021, "Travel", "Budget", amount]]},
    )
    report = import_file(sqlite_services, path, ImportOptions(table="finances"))
    assert [(e.row, e.column) for e in report.errors] == [(2, "Amount")]


@pytest.mark.parametrize(
    ("table", "row"),
    [
        ("meetings", {"Title": "Forum", "Start date": date(2021, 5, 4), "Participants": 10**20}),
        ("finances", {"Year": 10**20, "Category": "Travel", "Kind": "Budget", "Amount": 5}),
        ("decisions", {"Board meeting": 10**20, "Number": 1, "Decision": "Adopted."}),
    ],
    ids=["participants", "year", "board meeting"],
)
def test_a_whole_number_too_big_for_the_database_is_a_row_error(
    services: Services, tmp_path: Path, table: str, row: dict[str, Any]
) -> None:
    path = make_workbook(tmp_path / f"{table}.xlsx", {"Data": [list(row), list(row.values())]})
    counts = row_counts(services.database)
    report = import_file(services, path, ImportOptions(table=table))
    big = next(header for header, value in row.items() if value == 10**20)
    assert [(e.row, e.column) for e in report.errors] == [(2, big)]
    assert row_counts(services.database) == counts


def test_text_longer_than_its_column_is_a_row_error(services: Services, tmp_path: Path) -> None:
    path = make_workbook(
        tmp_path / "meetings.xlsx",
        {
            "Meetings": [
                ["Title", "Start date", "Location"],
                ["Forum", date(2021, 5, 4), "Beijing " * 50],
            ]
        },
    )
    counts = row_counts(services.database)
    report = import_file(services, path, ImportOptions(table="meetings"))
    assert [(e.row, e.column) for e in report.errors] == [(2, "Location")]
    assert row_counts(services.database) == counts
