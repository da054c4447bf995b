"""The exported workbook as a person opens it: the sheets and headers DESIGN.md names, a bold
frozen header with filters, real dates, exact amounts with a money format, lists joined with "; ",
text that can never turn into a formula, filtered exports, and templates with drop-down lists."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from anso_desktop.domain import FinanceKind, MeetingKind, MemberStatus, OrganizationKind, Relation
from anso_desktop.errors import UserError
from anso_desktop.services import Services
from anso_desktop.services.base import ListQuery
from anso_desktop.services.finances import MAX_AMOUNT, FinanceEntryData
from anso_desktop.services.meetings import MeetingData, OrganizerData
from anso_desktop.services.organizations import OrganizationData
from anso_desktop.spreadsheets import ImportOptions, export_template, export_workbook, import_file
from anso_desktop.storage.database import Database
from anso_desktop.storage.migrations import upgrade
from anso_desktop.storage.models import FinanceEntry, Organization
from anso_desktop.tables import TABLES, ValueKind
from tests.spreadsheets.conftest import load_full_demo, read_workbook

DESIGN_HEADERS = {
    "Members": [
        "Name",
        "Acronym",
        "Country",
        "Status",
        "Applied",
        "Endorsed by GB",
        "Approved by GA",
    ],
    "Meetings": ["Title", "Start date", "End date", "Organizers"],
    "Decisions": ["Board meeting", "Number", "Decision", "Status"],
    "Finances": ["Year", "Category", "Kind", "Amount", "Currency"],
    "Aliases": ["Record", "Alias"],
}
SHEETS = [
    "Members",
    "Contacts",
    "Aliases",
    "Meetings",
    "Board meetings",
    "Decisions",
    "Funds",
    "Finances",
    "Exchange rates",
    "Budget plans",
    "Budget plan lines",
]
#: Text that a spreadsheet program would run as a formula if it were written as one.
FORMULA_LIKE = [
    '=HYPERLINK("http://x","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "=1+1",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Services, Path]]:
    """A SQLite database with the demo, organizations named like formulas, and its export."""
    folder = tmp_path_factory.mktemp("export")
    database = Database.open(str(folder / "anso.sqlite"))
    upgrade(database, backup=False)
    services = Services.over(database)
    load_full_demo(services)
    for text in FORMULA_LIKE:
        services.organizations.create(
            OrganizationData(
                name=text, acronym=text[:10], notes=text, kind=OrganizationKind.COMPANY
            )
        )
    services.meetings.create(
        MeetingData(
            title=FORMULA_LIKE[0],
            start_date=date(2021, 12, 1),
            organizers=(OrganizerData(FORMULA_LIKE[3]), OrganizerData("XIEG, CAS")),
            location=FORMULA_LIKE[1],
        )
    )
    path = folder / "anso.xlsx"
    export_workbook(services, path)
    yield services, path
    database.dispose()


@pytest.fixture(scope="module")
def workbook(demo: tuple[Services, Path]) -> Iterator[Any]:
    book = openpyxl.load_workbook(demo[1])
    yield book
    book.close()


def headers(sheet: Any) -> list[str]:
    return [cell.value for cell in sheet[1]]


def column_cells(sheet: Any, header: str) -> list[Any]:
    index = headers(sheet).index(header) + 1
    return [row[0] for row in sheet.iter_rows(min_row=2, min_col=index, max_col=index)]


def test_sheets_and_headers_are_as_designed(workbook: Any) -> None:
    assert workbook.sheetnames == [*SHEETS, "Budget summary"]
    for name, wanted in DESIGN_HEADERS.items():
        found = headers(workbook[name])
        assert [h for h in found if h in wanted] == wanted, name
    for spec in TABLES.values():
        assert headers(workbook[spec.sheet]) == [c.header for c in spec.sheet_columns]


def test_the_header_is_bold_frozen_and_filtered(workbook: Any) -> None:
    for sheet in workbook.worksheets:
        assert all(cell.font.b for cell in sheet[1]), sheet.title
        assert sheet.freeze_panes == "A2", sheet.title
        last_column = openpyxl.utils.get_column_letter(len(headers(sheet)))
        assert sheet.auto_filter.ref == f"A1:{last_column}{max(sheet.max_row, 2)}", sheet.title


def test_dates_are_real_dates_and_numbers_real_numbers(workbook: Any) -> None:
    seen = {ValueKind.DATE: 0, ValueKind.MONEY: 0, ValueKind.INTEGER: 0, ValueKind.RATE: 0}
    for spec in TABLES.values():
        sheet = workbook[spec.sheet]
        for column in spec.sheet_columns:
            for cell in column_cells(sheet, column.header):
                if cell.value is None:
                    continue
                if column.kind is ValueKind.DATE:
                    assert cell.is_date and isinstance(cell.value, datetime), cell.coordinate
                    seen[ValueKind.DATE] += 1
                elif column.kind is ValueKind.MONEY:
                    assert cell.data_type == "n" and isinstance(cell.value, int | float)
                    assert "#,##0.00" in cell.number_format, cell.coordinate
                    seen[ValueKind.MONEY] += 1
                elif column.kind is ValueKind.INTEGER:
                    assert cell.data_type == "n" and isinstance(cell.value, int), cell.coordinate
                    seen[ValueKind.INTEGER] += 1
                elif column.kind is ValueKind.RATE:
                    assert cell.data_type == "n" and cell.number_format == "0.000000"
                    seen[ValueKind.RATE] += 1
                else:
                    assert cell.data_type == "s", cell.coordinate
    assert all(seen.values()), seen
    meetings = workbook["Meetings"]
    agriculture = next(
        row
        for row in meetings.iter_rows(min_row=2, values_only=True)
        if row[0] == "ANSO online open conference: agriculture and food security"
    )
    start, end = headers(meetings).index("Start date"), headers(meetings).index("End date")
    assert (agriculture[start], agriculture[end]) == (datetime(2021, 4, 21), datetime(2021, 4, 23))


def test_organizers_are_joined_with_semicolons(workbook: Any) -> None:
    organizers = {
        row[0].value: row[headers(workbook["Meetings"]).index("Organizers")].value
        for row in workbook["Meetings"].iter_rows(min_row=2)
    }
    assert organizers[FORMULA_LIKE[0]] == f"{FORMULA_LIKE[3]}; XIEG, CAS"
    rural = next(t for t in organizers if t.startswith("The 11th Forum on China's Rural Water"))
    assert organizers[rural] == "rcees; cas; emcc; cmea"


def test_text_that_looks_like_a_formula_stays_text(
    demo: tuple[Services, Path], workbook: Any
) -> None:
    members = workbook["Members"]
    written = {cell.value: cell for cell in column_cells(members, "Name")}
    notes_column = headers(members).index("Notes") + 1
    for text in FORMULA_LIKE:
        cell = written[text]
        assert cell.data_type == "s", text
        notes = members.cell(row=cell.row, column=notes_column)
        assert (notes.value, notes.data_type) == (text, "s")
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row), sheet.title
    with zipfile.ZipFile(demo[1]) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name), name
    # And they come back as the same text.
    services, path = demo
    report = import_file(services, path)
    assert report.errors == []
    assert (report.inserted, report.updated) == (0, 0)


def test_a_leading_tab_or_line_break_does_not_make_a_formula(
    demo: tuple[Services, Path], tmp_path: Path
) -> None:
    """The services trim a leading tab or line break; written straight into the database, they
    show that the export would still not make a formula of "\t=..." or "\r=..."."""
    services = demo[0]
    with services.database.transaction() as session:
        record = session.scalars(select(Organization).where(Organization.name == "=1+1")).one()
        record.notes, record.website = "\t=1+1", "\r=2+2"
    try:
        path = export_workbook(services, tmp_path / "members.xlsx", ["members"]).path
    finally:
        with services.database.transaction() as session:
            record = session.scalars(select(Organization).where(Organization.name == "=1+1")).one()
            record.notes, record.website = "=1+1", None
    book = openpyxl.load_workbook(path)
    members = book["Members"]
    row = next(c.row for c in column_cells(members, "Name") if c.value == "=1+1")
    notes = members.cell(row=row, column=headers(members).index("Notes") + 1)
    website = members.cell(row=row, column=headers(members).index("Website") + 1)
    assert (notes.value, notes.data_type) == ("\t=1+1", "s")
    assert website.data_type == "s"
    # (XML reads a bare carriage return as a line feed: either way, text.)
    assert website.value in ("\r=2+2", "\n=2+2", "_x000D_=2+2")
    with zipfile.ZipFile(path) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    book.close()


def test_amounts_are_exact(sqlite_services: Services, tmp_path: Path) -> None:
    amounts = ["30000000.00", "0.10", "0.07", "1234567.89", "4000000.50", "1234567890123.45"]
    for index, amount in enumerate(amounts):
        sqlite_services.finances.create(
            FinanceEntryData(
                fiscal_year=2021,
                category=f"Line {index}",
                kind=FinanceKind.EXPENDITURE,
                amount=Decimal(amount),
            )
        )
    path = tmp_path / "finances.xlsx"
    export_workbook(sqlite_services, path, ["finances"])
    sheet = read_workbook(path)["Finances"]
    assert [row[3] for row in sheet[1:]] == [float(a) for a in amounts]
    assert sheet[1][3] == 30000000.0

    with sqlite_services.database.transaction() as session:
        for entry in session.scalars(select(FinanceEntry)):
            session.delete(entry)
    report = import_file(sqlite_services, path, ImportOptions(table="finances"))
    assert report.inserted == len(amounts)
    with sqlite_services.database.transaction() as session:
        stored = [
            e.amount for e in session.scalars(select(FinanceEntry).order_by(FinanceEntry.category))
        ]
    assert stored == [Decimal(a) for a in amounts]
    assert all(str(a) == b for a, b in zip(stored, amounts, strict=True))


def test_the_largest_amount_survives_the_round_trip(
    sqlite_services: Services, tmp_path: Path
) -> None:
    largest = MAX_AMOUNT  # 15 significant digits: what a spreadsheet number holds exactly
    sqlite_services.finances.create(
        FinanceEntryData(
            fiscal_year=2021, category="Endowment", kind=FinanceKind.INCOME, amount=largest
        )
    )
    path = tmp_path / "largest.xlsx"
    export_workbook(sqlite_services, path, ["finances"])
    report = import_file(sqlite_services, path, ImportOptions(table="finances"))
    assert (report.updated, report.unchanged) == (0, 1)


def test_an_export_holds_only_the_rows_of_its_query(
    demo: tuple[Services, Path], tmp_path: Path
) -> None:
    services = demo[0]
    endorsed = ListQuery(filters={"status": MemberStatus.ENDORSED.value})
    path = tmp_path / "endorsed.xlsx"
    report = export_workbook(services, path, ["members", "meetings"], {"members": endorsed})
    expected = [o.name for o in services.organizations.list(endorsed).rows]
    assert len(expected) == 8
    sheets = read_workbook(path)
    assert list(sheets) == ["Members", "Meetings"]
    members = sheets["Members"]
    status = members[0].index("Status")
    assert [row[0] for row in members[1:]] == expected
    assert {row[status] for row in members[1:]} == {MemberStatus.ENDORSED.label}
    assert report.rows == {"members": 8, "meetings": services.meetings.count()}
    partners = ListQuery(filters={"relation": Relation.PARTNER.value}, search="academy")
    only = export_workbook(services, tmp_path / "partners.xlsx", ["members"], {"members": partners})
    assert only.rows["members"] == services.organizations.count(partners)


def test_the_template_has_drop_down_lists(tmp_path: Path) -> None:
    expected = {
        "members": {"Country", "Kind", "Relation", "Status"},
        "meetings": {"Kind", "Mode"},
        "decisions": {"Status"},
        "finances": {"Kind"},
    }
    for table, lists in expected.items():
        spec = TABLES[table]
        path = export_template(tmp_path / f"{table}-template.xlsx", table)
        book = openpyxl.load_workbook(path)
        sheet = book[spec.sheet]
        assert headers(sheet) == [c.header for c in spec.sheet_columns]
        assert sheet.max_row == 1
        assert book["Lists"].sheet_state == "hidden"
        found: dict[str, list[str]] = {}
        for validation in sheet.data_validations.dataValidation:
            if validation.type != "list":
                continue
            column = str(validation.sqref).split(":")[0].rstrip("0123456789")
            header = sheet[f"{column}1"].value
            reference = validation.formula1.split("!")[1].replace("$", "")
            first, last = reference.split(":")
            found[header] = [c.value for row in book["Lists"][first:last] for c in row]
        assert set(found) == lists, table
        if table == "members":
            assert found["Status"] == MemberStatus.labels()
            assert "China" in found["Country"] and "Cuba" in found["Country"]
        if table == "finances":
            assert found["Kind"] == FinanceKind.labels()
        if table == "meetings":
            assert found["Kind"] == MeetingKind.labels()
        book.close()


def test_a_template_filled_in_imports(sqlite_services: Services, tmp_path: Path) -> None:
    path = export_template(tmp_path / "members-template.xlsx", "members")
    book = openpyxl.load_workbook(path)
    book["Members"].append(
        [
            "Cuban Academy of Sciences",
            "ACC",
            "Cuba",
            "Academy",
            "Member",
            "Applicant",
            date(2021, 2, 1),
        ]
    )
    book.save(path)
    report = import_file(sqlite_services, path, ImportOptions(table="members"))
    assert report.errors == [] and report.inserted == 1


def test_an_export_is_refused_clearly(demo: tuple[Services, Path], tmp_path: Path) -> None:
    services = demo[0]
    with pytest.raises(UserError, match=r"\.xlsx"):
        export_workbook(services, tmp_path / "anso.csv")
    with pytest.raises(UserError, match="does not exist"):
        export_workbook(services, tmp_path / "no" / "such" / "anso.xlsx")
    with pytest.raises(UserError, match="partners"):
        export_workbook(services, tmp_path / "anso.xlsx", ["partners"])
    with pytest.raises(UserError, match="partners"):
        export_template(tmp_path / "t.xlsx", "partners")
    assert list(tmp_path.iterdir()) == []  # no half-written file left behind


def test_the_budget_summary_sheet(services: Services, tmp_path: Path) -> None:
    """Per year and currency, exact figures as real numbers in the money format, a total row per
    currency and never one across currencies; output only, so an import skips it."""

    def add(kind: FinanceKind, amount: str, category: str, currency: str = "CNY", year: int = 2021):  # type: ignore[no-untyped-def]
        data = FinanceEntryData(year, category, kind, Decimal(amount), currency)
        services.finances.create(replace(data, description=f"{category}, {amount}"))

    budget, spent = FinanceKind.BUDGET, FinanceKind.EXPENDITURE
    add(budget, "0.30", "Publications")
    add(spent, "0.10", "Publications")
    add(spent, "0.20", "Publications")
    add(budget, "32000000.00", "Scholarships")
    add(spent, "30000000.00", "Scholarships")
    add(spent, "2500.55", "Scholarships", "USD")
    add(budget, "6000000.00", "Training", year=2022)
    add(FinanceKind.INCOME, "2000000.00", "STIC Endowment earnings", year=2023)  # no summary
    path = tmp_path / "anso.xlsx"

    report = export_workbook(services, path)

    assert report.summary_rows == 7
    assert "budget-summary" not in report.rows  # not a table: not counted as imported rows
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Budget summary"]
    assert workbook.sheetnames[-1] == "Budget summary"
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Year", "Currency", "Category", "Budget", "Actual", "Variance", "% used"],
        [2021, "CNY", "Publications", 0.3, 0.3, 0, 1],
        [2021, "CNY", "Scholarships", 32000000, 30000000, 2000000, 0.9375],
        [2021, "CNY", "Total CNY", 32000000.3, 30000000.3, 2000000, 0.9375],
        [2021, "USD", "Scholarships", 0, 2500.55, -2500.55, None],
        [2021, "USD", "Total USD", 0, 2500.55, -2500.55, None],
        [2022, "CNY", "Training", 6000000, 0, 6000000, 0],
        [2022, "CNY", "Total CNY", 6000000, 0, 6000000, 0],
    ]
    assert {sheet.cell(row, 4).number_format for row in range(2, 9)} == {"#,##0.00"}
    # "% used" is a real percentage: 0.9375 shown as 93.75%; a currency's total row is bold.
    assert {sheet.cell(row, 7).number_format for row in (2, 3, 4, 7, 8)} == {"0.00%"}
    assert [row for row in range(2, 9) if sheet.cell(row, 3).font.b] == [4, 6, 8]
    assert sheet.cell(4, 4).font.b and sheet.cell(4, 7).font.b and not sheet.cell(3, 7).font.b
    assert sheet.freeze_panes == "A2"
    # The cells hold the exact decimal text, not a float's rounding of it.
    with zipfile.ZipFile(path) as archive:
        xml = archive.read(f"xl/worksheets/sheet{len(workbook.sheetnames)}.xml").decode()
    assert "<v>32000000.30</v>" in xml and "<v>-2500.55</v>" in xml
    workbook.close()

    # Filtered or single-table exports are lists, not the whole database: no summary.
    only = export_workbook(services, tmp_path / "finances.xlsx", ["finances"])
    assert only.summary_rows == 0
    assert read_workbook(tmp_path / "finances.xlsx").keys() == {"Finances"}

    # Importing the whole workbook back reads the table sheets only.
    result = import_file(services, path)
    assert result.errors == []
    assert "budget-summary" not in result.tables
    assert (result.inserted, result.updated) == (0, 0)
