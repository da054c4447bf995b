"""What the import wizard shows of a file, read without Qt: the header under title rows with
samples of each column, and the preview rows with their problems and matches."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from anso_desktop.services import Services
from anso_desktop.services.organizations import OrganizationData
from anso_desktop.spreadsheets import ImportOptions, import_file
from anso_desktop.spreadsheets.inspection import counts_text, look_at_sheet, preview_rows
from anso_desktop.spreadsheets.reading import WorkbookError
from anso_desktop.spreadsheets.report import Outcome
from anso_desktop.tables import TABLES
from tests.spreadsheets.conftest import make_workbook


def test_the_header_under_title_rows_with_samples(tmp_path: Path) -> None:
    file = make_workbook(
        tmp_path / "list.xlsx",
        {
            "2021": [
                ["5.5 List of ANSO Meetings 2021"],
                [],
                ["Date(s)", "Event(s)", "Main Organizer(s)", "Remarks"],
                ["4.21-23", "Workshop on Agriculture", "ANSO", None],
                ["5.25", "Workshop on CropWatch", "AIR, CAS", "online"],
            ]
        },
    )
    look = look_at_sheet(file, None, TABLES["meetings"], {})
    assert (look.sheet, look.header_row, look.recognised, look.year) == ("2021", 2, True, 2021)
    assert [(h.text, h.known) for h in look.headers] == [
        ("Date(s)", "start_date"),
        ("Event(s)", "title"),
        ("Main Organizer(s)", "organizers"),
        ("Remarks", "notes"),
    ]
    assert look.headers[1].samples == ("Workshop on Agriculture", "Workshop on CropWatch")


def test_the_inspection_module_needs_no_qt() -> None:
    import subprocess

    code = "import sys, anso_desktop.spreadsheets.inspection; print('PySide6' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "False"


def test_a_sheet_without_rows_is_refused(tmp_path: Path) -> None:
    file = make_workbook(tmp_path / "empty.xlsx", {"Members": [["Name", "Country"]]})
    with pytest.raises(WorkbookError, match="no rows under its header"):
        look_at_sheet(file, None, TABLES["members"], {})


def test_preview_rows_say_what_each_row_would_do(sqlite_services: Services, tmp_path: Path) -> None:
    services = sqlite_services
    services.organizations.create(OrganizationData("University of Belgrade", country="RS"))
    services.organizations.create(OrganizationData("Cuban Academy of Sciences", country="CU"))
    file = make_workbook(
        tmp_path / "m.xlsx",
        {
            "Members": [
                ["Name", "Country"],
                ["The University of Belgrade", "Serbia"],
                ["Cuban Academy of Science", "Cuba"],
                ["Brand New Lab", "Atlantis"],
            ]
        },
    )
    report = import_file(services, file, ImportOptions(table="members", dry_run=True))
    rows = {row.row: row for row in preview_rows(report)}
    assert rows[2].outcome is Outcome.UNCHANGED
    assert rows[2].details == "Matched “University of Belgrade”: same name without 'The'"
    assert rows[3].outcome is Outcome.UNDECIDED and "Cuban Academy of Sciences" in rows[3].details
    assert rows[4].outcome is Outcome.ERROR and rows[4].details.startswith("Country: ")
    counts = {outcome: sum(r.outcome is outcome for r in rows.values()) for outcome in Outcome}
    assert counts_text(counts) == "0 new, 0 changed, 1 unchanged, 1 undecided, 1 error"
