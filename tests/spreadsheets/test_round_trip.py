"""Export, import, export again: every table survives the trip unchanged, on both backends, and
re-importing an export changes nothing."""

from __future__ import annotations

from pathlib import Path

from anso_desktop.services import Services
from anso_desktop.spreadsheets import ImportOptions, export_workbook, import_file
from anso_desktop.tables import TABLES
from tests.spreadsheets.conftest import read_workbook, row_counts

SHEETS = [spec.sheet for spec in TABLES.values()]
#: A whole-database workbook ends with the budget summary: output only, the importer skips it.
WHOLE_DATABASE_SHEETS = [*SHEETS, "Budget summary"]
#: Tables no workbook carries (budget plans and exchange rates are kept in the program only).
NOT_IN_WORKBOOKS = {"budget_plans", "budget_plan_lines", "exchange_rates"}


def exported_row_counts(services: Services) -> dict[str, int]:
    counts = row_counts(services.database)
    return {table: n for table, n in counts.items() if table not in NOT_IN_WORKBOOKS}


def assert_same_workbooks(first: Path, second: Path) -> None:
    before, after = read_workbook(first), read_workbook(second)
    assert list(before) == list(after) == WHOLE_DATABASE_SHEETS
    for sheet, rows in before.items():
        assert len(rows) == len(after[sheet]), sheet
        for number, (row, other) in enumerate(zip(rows, after[sheet], strict=True), start=1):
            assert row == other, f"{sheet}, row {number}"


def test_every_table_survives_export_import_export(
    demo_services: Services, second_services: Services, tmp_path: Path
) -> None:
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
    demo_services: Services, second_services: Services, tmp_path: Path
) -> None:
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
