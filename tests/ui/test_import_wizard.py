"""The import wizard, driven page by page on real workbooks and the demo database: columns
matched and remembered, every row checked before anything is written, bad files and bad rows
explained, Cancel writing nothing, and workbooks dropped on the window."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from anso_desktop.services import Services
from anso_desktop.spreadsheets import ImportReport, Outcome, export_workbook
from anso_desktop.ui.dialogs import import_wizard
from anso_desktop.ui.dialogs.import_wizard import CHANGING, OUTCOME_COLOURS, ImportWizard
from anso_desktop.ui.main_window import MainWindow
from anso_desktop.ui.tabs.members import MembersTab

NEW = "Mongolian University of Science and Technology"
CHANGED = "Aerospace Information Research Institute, Chinese Academy of Sciences"
DEMO_ORGANIZATIONS = 79
TIMEOUT = 10000


@pytest.fixture
def members_workbook(tmp_path: Path, demo_services: Services) -> Path:
    """The demo's members as exported, with one acronym changed, one organization added and a
    column the table does not have."""
    path = tmp_path / "ANSO members.xlsx"
    export_workbook(demo_services, path, ["members"])
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Members"]
    rank = sheet.max_column + 1
    sheet.cell(1, rank, "Institution rank")
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row, rank, row - 1)
    assert sheet.cell(2, 1).value == CHANGED
    sheet.cell(2, 2, "AIR-CAS")
    sheet.append([NEW, "MUST", "Mongolia", "University", "Partner"])
    workbook.save(path)
    return path


def write_workbook(path: Path, rows: list[list[Any]], sheet: str = "Partners") -> Path:
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    workbook.save(path)
    return path


@pytest.fixture
def open_wizard(
    qtbot: Any, demo_services: Services, settings: QSettings
) -> Iterator[Callable[..., ImportWizard]]:
    opened: list[ImportWizard] = []

    def open_(path: Path, table: str = "members") -> ImportWizard:
        wizard = ImportWizard(demo_services, settings, path, table)
        qtbot.addWidget(wizard)
        wizard.show()
        qtbot.waitUntil(lambda: not wizard.busy, timeout=TIMEOUT)
        opened.append(wizard)
        return wizard

    yield open_
    for wizard in opened:  # never leave a worker thread behind a closed wizard
        qtbot.waitUntil(lambda w=wizard: not w.busy, timeout=TIMEOUT)


def next_page(qtbot: Any, wizard: ImportWizard, page: int) -> None:
    wizard.go_next()
    qtbot.waitUntil(lambda: not wizard.busy, timeout=TIMEOUT)
    assert wizard.current_page() == page, wizard.file_error_text() or wizard.preview_note.text()


def outcomes(wizard: ImportWizard) -> dict[str, Outcome]:
    return {row.label: row.outcome for row in wizard.preview_model.rows}


def organization_names(services: Services) -> set[str]:
    return {o.name for o in services.organizations.list().rows}


def test_a_members_workbook_page_by_page(
    qtbot: Any,
    window: MainWindow,
    members_workbook: Path,
    monkeypatch: pytest.MonkeyPatch,
    answers: dict[str, Any],
) -> None:
    seen: dict[str, Any] = {}

    def drive(
        cls: type[ImportWizard],
        parent: Any,
        services: Services,
        settings: QSettings,
        path: Path | None = None,
        table: str | None = None,
    ) -> ImportReport | None:
        wizard = cls(services, settings, members_workbook, table, parent)
        qtbot.addWidget(wizard)
        wizard.show()
        qtbot.waitUntil(lambda: not wizard.busy, timeout=TIMEOUT)
        assert wizard.table == "members"  # the file's sheet names it, whatever the tab
        assert wizard.sheet == "Members"
        assert wizard.file_error_text() == ""
        next_page(qtbot, wizard, wizard.MAPPING)
        seen["unknown"] = wizard.unknown_headers()
        seen["mapping"] = wizard.mapping()
        next_page(qtbot, wizard, wizard.PREVIEW)
        seen["outcomes"] = outcomes(wizard)
        seen["counts"] = wizard.counts_label.text()
        seen["can_import"] = wizard.import_button.isEnabled()
        new_row = next(i for i, r in enumerate(wizard.preview_model.rows) if r.label == NEW)
        background = wizard.preview_model.index(new_row, 0).data(Qt.ItemDataRole.BackgroundRole)
        seen["new_colour"] = background.color().name()
        wizard.show_combo.setCurrentIndex(wizard.show_combo.findData(CHANGING))
        seen["shown"] = {
            wizard.preview_filter.index(r, 1).data()
            for r in range(wizard.preview_filter.rowCount())
        }
        wizard.start_import()
        qtbot.waitUntil(lambda: wizard.report is not None, timeout=TIMEOUT)
        assert wizard.result() == wizard.DialogCode.Accepted
        return wizard.report

    monkeypatch.setattr(ImportWizard, "ask", classmethod(drive))
    assert window.import_action.isEnabled()
    window.import_action.trigger()

    assert seen["unknown"] == ["Institution rank"]
    assert seen["mapping"]["Institution rank"] is None
    assert seen["mapping"]["Name"] == "name"
    assert seen["mapping"]["Endorsed by GB"] == "endorsed_on"
    assert seen["outcomes"][NEW] is Outcome.NEW
    assert seen["outcomes"][CHANGED] is Outcome.CHANGED
    assert list(seen["outcomes"].values()).count(Outcome.UNCHANGED) == DEMO_ORGANIZATIONS - 1
    assert seen["counts"] == f"1 new, 1 changed, {DEMO_ORGANIZATIONS - 1} unchanged, 0 errors"
    assert seen["can_import"]
    assert seen["new_colour"] == OUTCOME_COLOURS[Outcome.NEW][0]
    assert seen["shown"] == {NEW, CHANGED}  # "New and changed": what the import writes

    services = window.services
    assert services is not None
    assert NEW in organization_names(services)
    changed = next(o for o in services.organizations.list().rows if o.name == CHANGED)
    assert changed.acronym == "AIR-CAS"
    kind, text = answers["seen"][-1]
    assert kind == "inform"
    assert "1 new, 1 changed" in text
    members = next(t for t in window.record_tabs() if isinstance(t, MembersTab))
    shown = {members.model.record_at(r).name for r in range(members.model.rowCount())}
    assert NEW in shown
    assert not window.undo_stack.canUndo()  # the import is not on the undo stack


def test_a_mapping_choice_is_remembered(
    qtbot: Any, tmp_path: Path, open_wizard: Callable[..., ImportWizard], settings: QSettings
) -> None:
    first = write_workbook(
        tmp_path / "partners.xlsx",
        [["Institution name", "Country", "Relation"], [NEW, "Mongolia", "Partner"]],
    )
    wizard = open_wizard(first)
    next_page(qtbot, wizard, wizard.MAPPING)
    assert "Institution name" in wizard.unknown_headers()
    assert not wizard.next_button.isEnabled()  # a member organization needs its name
    assert "Name" in wizard.mapping_error.text()
    wizard.set_mapping("Institution name", "name")
    wizard.set_mapping("Country", "name")
    assert "choose it for one column only" in wizard.mapping_error.text()
    assert not wizard.next_button.isEnabled()
    wizard.set_mapping("Country", "country")
    assert wizard.next_button.isEnabled()
    next_page(qtbot, wizard, wizard.PREVIEW)
    assert outcomes(wizard) == {NEW: Outcome.NEW}
    wizard.reject()
    assert settings.value("import/mapping/members")

    second = write_workbook(
        tmp_path / "more partners.xlsx",
        [
            ["Institution name", "Acronym", "Country"],
            ["Mongolian Academy of Sciences", "MAS", "MN"],
        ],
    )
    again = open_wizard(second)
    next_page(qtbot, again, again.MAPPING)
    assert again.mapping()["Institution name"] == "name"
    assert "Institution name" not in again.unknown_headers()
    assert again.next_button.isEnabled()


def test_a_bad_row_is_shown_and_nothing_is_written(
    qtbot: Any,
    tmp_path: Path,
    open_wizard: Callable[..., ImportWizard],
    demo_services: Services,
) -> None:
    path = write_workbook(
        tmp_path / "partners.xlsx",
        [
            ["Name", "Country", "Relation"],
            [NEW, "Mongolia", "Partner"],
            ["Atlantis Institute", "Atlantis", "Partner"],
        ],
    )
    wizard = open_wizard(path)
    next_page(qtbot, wizard, wizard.MAPPING)
    next_page(qtbot, wizard, wizard.PREVIEW)
    assert wizard.counts_label.text() == "1 new, 0 changed, 0 unchanged, 1 error"
    bad = next(r for r in wizard.preview_model.rows if r.outcome is Outcome.ERROR)
    assert (bad.row, bad.label) == (3, "Atlantis Institute")
    assert bad.details.startswith("Country: 'Atlantis' is not a country")
    assert wizard.shown_outcomes() == {Outcome.ERROR}  # the errors are what to look at
    assert wizard.preview_filter.rowCount() == 1
    assert not wizard.import_button.isEnabled()
    assert "Nothing will be written until the errors are fixed" in wizard.preview_note.text()
    wizard.start_import()  # refused: nothing runs
    assert not wizard.busy
    assert NEW not in organization_names(demo_services)
    assert demo_services.organizations.count() == DEMO_ORGANIZATIONS


def test_cancel_during_the_import_writes_nothing(
    qtbot: Any,
    members_workbook: Path,
    open_wizard: Callable[..., ImportWizard],
    demo_services: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_import = import_wizard.import_file
    started = threading.Event()
    go_on = threading.Event()

    def held_import(services: Services, path: Path, options: Any, **kwargs: Any) -> Any:
        """The real import, held at its start until the test has pressed Cancel."""
        if not options.dry_run:
            started.set()
            go_on.wait(TIMEOUT / 1000)
        return real_import(services, path, options, **kwargs)

    monkeypatch.setattr(import_wizard, "import_file", held_import)
    wizard = open_wizard(members_workbook)
    next_page(qtbot, wizard, wizard.MAPPING)
    next_page(qtbot, wizard, wizard.PREVIEW)
    wizard.start_import()
    assert wizard.busy
    assert not wizard.back_button.isEnabled() and not wizard.import_button.isEnabled()
    assert started.wait(TIMEOUT / 1000)
    wizard.cancel_button.click()
    go_on.set()
    qtbot.waitUntil(lambda: not wizard.busy, timeout=TIMEOUT)
    assert wizard.isVisible()  # Cancel stopped the import, not the wizard
    assert wizard.report is None
    assert wizard.preview_note.text() == "The import was cancelled. Nothing was written."
    assert NEW not in organization_names(demo_services)
    changed = next(o for o in demo_services.organizations.list().rows if o.name == CHANGED)
    assert changed.acronym != "AIR-CAS"
    assert wizard.import_button.isEnabled()  # it can be started again


def test_a_csv_renamed_xlsx_is_refused_on_the_first_page(
    tmp_path: Path, open_wizard: Callable[..., ImportWizard]
) -> None:
    path = tmp_path / "members.xlsx"
    path.write_text(f"Name,Country\n{NEW},Mongolia\n", encoding="utf-8")
    wizard = open_wizard(path)
    assert "not an Excel workbook" in wizard.file_error_text()
    assert wizard.current_page() == wizard.FILE
    assert not wizard.next_button.isEnabled()
    wizard.go_next()
    assert wizard.current_page() == wizard.FILE
    assert wizard.isVisible()
    meetings = wizard.table_combo.findData("meetings")
    wizard.table_combo.setCurrentIndex(meetings)
    wizard.table_combo.activated.emit(meetings)  # as a click would
    assert "not an Excel workbook" in wizard.file_error_text()  # still says why


def test_a_sheet_without_rows_is_refused_on_the_first_page(
    qtbot: Any, tmp_path: Path, open_wizard: Callable[..., ImportWizard]
) -> None:
    path = write_workbook(tmp_path / "empty.xlsx", [["Name", "Country"]])
    wizard = open_wizard(path)
    wizard.go_next()
    qtbot.waitUntil(lambda: not wizard.busy, timeout=TIMEOUT)
    assert wizard.current_page() == wizard.FILE
    assert "has no rows under its header" in wizard.file_error_text()


def test_a_whole_database_workbook_skips_the_mapping(
    qtbot: Any,
    tmp_path: Path,
    demo_services: Services,
    open_wizard: Callable[..., ImportWizard],
) -> None:
    path = tmp_path / "backup.xlsx"
    report = export_workbook(demo_services, path)
    wizard = open_wizard(path, table="meetings")
    assert wizard.table is None  # several sheets named after tables: every one of them
    assert wizard.table_combo.currentText() == "Every sheet named after a table"
    assert wizard.sheet is None
    assert not wizard.sheet_combo.isEnabled()
    next_page(qtbot, wizard, wizard.PREVIEW)
    assert wizard.counts_label.text() == f"0 new, 0 changed, {report.total} unchanged, 0 errors"
    assert wizard.preview_model.show_sheet  # rows of several sheets say which
    assert not wizard.import_button.isEnabled()  # nothing to import
    assert "nothing to import" in wizard.preview_note.text()
    wizard.go_back()
    assert wizard.current_page() == wizard.FILE
    members = wizard.table_combo.findData("members")
    wizard.table_combo.setCurrentIndex(members)
    wizard.table_combo.activated.emit(members)
    assert wizard.sheet == "Members"


def test_a_year_in_the_sheet_name_is_offered(
    tmp_path: Path, open_wizard: Callable[..., ImportWizard]
) -> None:
    path = write_workbook(
        tmp_path / "report.xlsx",
        [["Event", "Date(s)"], ["Training workshop", "4.21-23"]],
        sheet="Meetings 2021",
    )
    wizard = open_wizard(path, table="meetings")
    assert wizard.year == 2021
    assert wizard.options(dry_run=True).year == 2021


def drag_events(window: MainWindow, path: Path) -> tuple[QDragEnterEvent, QDropEvent]:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    actions = Qt.DropAction.CopyAction
    button, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    centre = window.rect().center()
    # Qt takes a whole-pixel point for entering and an exact one for the drop.
    enter = QDragEnterEvent(centre, actions, data, button, modifiers)
    drop = QDropEvent(QPointF(centre), actions, data, button, modifiers)
    enter.setAccepted(False)
    drop.setAccepted(False)
    data.setParent(window)  # alive until the events are done with
    return enter, drop


def test_dropping_a_workbook_opens_the_wizard_on_it(
    qtbot: Any, window: MainWindow, members_workbook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[dict[str, Any]] = []

    def record(
        cls: type, parent: Any, services: Services, settings: QSettings, **kwargs: Any
    ) -> None:
        asked.append(kwargs)

    monkeypatch.setattr(ImportWizard, "ask", classmethod(record))
    window.tabs.setCurrentIndex(2)
    enter, drop = drag_events(window, members_workbook)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(window, drop)
    assert drop.isAccepted()
    qtbot.waitUntil(lambda: bool(asked), timeout=2000)
    assert asked == [{"path": members_workbook, "table": window.current_tab().spec.name}]


def test_other_files_are_not_taken(window: MainWindow, tmp_path: Path) -> None:
    minutes = tmp_path / "minutes.docx"
    minutes.write_bytes(b"PK")
    enter, drop = drag_events(window, minutes)
    QApplication.sendEvent(window, enter)
    assert not enter.isAccepted()
    QApplication.sendEvent(window, drop)
    assert not drop.isAccepted()
