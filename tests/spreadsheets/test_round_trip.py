"""Export, import, export again: every table survives the trip unchanged, on both backends, and
re-importing an export changes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from anso_desktop.domain import BudgetPlanStatus
from anso_desktop.services import Services
from anso_desktop.services.budget_plans import BudgetPlanData, BudgetPlanLineData
from anso_desktop.spreadsheets import ImportOptions, export_workbook, import_file
from anso_desktop.tables import TABLES
from tests.spreadsheets.conftest import read_workbook, row_counts

SHEETS = [spec.sheet for spec in TABLES.values()]
#: A whole-database workbook ends with the budget summary: output only, the importer skips it.
WHOLE_DATABASE_SHEETS = [*SHEETS, "Budget summary"]
#: A rate that needs all six decimals (a float nearest it is not it).
SIX_DECIMALS = Decimal("7.628345")


def add_plans_and_rates(services: Services) -> None:
    """Beside the demo's draft 2022 plan and 2021 USD rate: an approved 2023 plan in two
    currencies, and a rate with six decimals. Revision 2 of the 2023 plan is a draft deleted
    after revision 3 was made, so the file's revisions have a gap an import must keep."""
    plans = services.budget_plans
    plan = plans.create(BudgetPlanData(2023, "2022 budget", "Approved by the Governing Board"))
    plan = plans.save_lines(
        plan.id,
        plan.version,
        [
            BudgetPlanLineData("Research cooperation", Decimal("9000000.00"), "CNY"),
            BudgetPlanLineData("Scholarships", Decimal("12500.50"), "USD", "Visiting fellows"),
        ],
    )
    approved = plans.approve(plan.id, plan.version, date(2022, 12, 15))
    dropped = plans.new_revision(approved.id)
    third = plans.new_revision(approved.id, notes="After the mid-year review")
    plans.delete(dropped.id, dropped.version)
    assert (approved.revision, third.revision) == (1, 3)
    services.exchange_rates.set_rate(2021, "EUR", "CNY", SIX_DECIMALS, "Yearly average")


@pytest.fixture
def full_services(demo_services: Services) -> Services:
    add_plans_and_rates(demo_services)
    return demo_services


def exported_row_counts(services: Services) -> dict[str, int]:
    """Rows of every table: all of them travel in a whole-database workbook."""
    return row_counts(services.database)


def plans_and_rates(services: Services) -> tuple[list[tuple[object, ...]], dict[object, Decimal]]:
    """Every plan (year, revision, status, date, notes, lines) and rate, as values to compare."""
    plans = [
        (
            p.fiscal_year,
            p.revision,
            p.status,
            p.approved_on,
            p.based_on,
            p.notes,
            [(x.category, x.currency, x.amount, x.note) for x in p.lines],
        )
        for year in sorted(services.budget_plans.years())
        for p in services.budget_plans.for_year(year)
    ]
    rates = {
        (r.fiscal_year, r.currency, r.to_currency): r.rate
        for r in services.exchange_rates.iterate()
    }
    return plans, rates


def assert_same_workbooks(first: Path, second: Path) -> None:
    before, after = read_workbook(first), read_workbook(second)
    assert list(before) == list(after) == WHOLE_DATABASE_SHEETS
    for sheet, rows in before.items():
        assert len(rows) == len(after[sheet]), sheet
        for number, (row, other) in enumerate(zip(rows, after[sheet], strict=True), start=1):
            assert row == other, f"{sheet}, row {number}"


def test_every_table_survives_export_import_export(
    full_services: Services, second_services: Services, tmp_path: Path
) -> None:
    demo_services = full_services
    exported = tmp_path / "anso.xlsx"
    report = export_workbook(demo_services, exported)
    # Something in every table, or the comparison below proves little.
    assert all(report.rows[name] > 0 for name in TABLES), report.rows
    assert report.summary_rows > 0
    counts = exported_row_counts(demo_services)

    imported = import_file(second_services, exported)
    assert imported.errors == []
    assert imported.written
    assert imported.tables == list(TABLES)
    assert imported.inserted == report.total
    assert imported.updated == imported.unchanged == 0
    # The links the sheets carry by name (organizers, decisions' organizations, endorsements,
    # funds' partners, finance entries' funds) are there too: the same rows in every table.
    assert exported_row_counts(second_services) == counts
    assert counts["budget_plans"] == 3 and counts["exchange_rates"] == 2
    # Plans keep their revision (gap included), status and date; rates all six decimals.
    assert plans_and_rates(second_services) == plans_and_rates(demo_services)
    plans, rates = plans_and_rates(second_services)
    assert [(p[0], p[1], p[2]) for p in plans] == [
        (2022, 1, BudgetPlanStatus.DRAFT),
        (2023, 1, BudgetPlanStatus.APPROVED),
        (2023, 3, BudgetPlanStatus.DRAFT),
    ]
    assert plans[1][3] == date(2022, 12, 15)
    assert str(rates[2021, "EUR", "CNY"].normalize()) == "7.628345"
    assert str(rates[2021, "USD", "CNY"].normalize()) == "6.4515"

    again = tmp_path / "again.xlsx"
    export_workbook(second_services, again)
    assert_same_workbooks(exported, again)

    for services in (second_services, demo_services):
        repeat = import_file(services, exported)
        assert repeat.errors == []
        assert (repeat.inserted, repeat.updated) == (0, 0)
        assert repeat.unchanged == report.total
    assert exported_row_counts(second_services) == counts
    assert exported_row_counts(demo_services) == counts


def test_each_table_alone_round_trips(
    full_services: Services, second_services: Services, tmp_path: Path
) -> None:
    demo_services = full_services
    whole = tmp_path / "whole.xlsx"
    export_workbook(demo_services, whole)
    everything = read_workbook(whole)
    singles: dict[str, Path] = {}
    exported: dict[str, int] = {}
    for name, spec in TABLES.items():
        singles[name] = tmp_path / f"{name}.xlsx"
        exported[name] = export_workbook(demo_services, singles[name], [name]).rows[name]
        sheets = read_workbook(singles[name])
        assert list(sheets) == [spec.sheet]
        assert sheets[spec.sheet] == everything[spec.sheet], name

    # Tables that refer to no other fill an empty database on their own...
    for name in ("meetings", "board-meetings"):
        result = import_file(second_services, singles[name], ImportOptions(table=name))
        assert result.errors == [], name
        assert (result.inserted, result.unchanged) == (exported[name], 0), name
        again = tmp_path / f"again-{name}.xlsx"
        export_workbook(second_services, again, [name])
        assert read_workbook(again) == read_workbook(singles[name])
    # ...and the whole workbook brings the rest.
    assert import_file(second_services, whole).written

    for name in TABLES:
        for services in (demo_services, second_services):
            result = import_file(services, singles[name], ImportOptions(table=name))
            assert result.errors == [], name
            assert result.tables == [name]
            assert (result.inserted, result.updated) == (0, 0), name
            assert result.unchanged == exported[name], name
