"""A database that may only be read opens the window read-only: a banner says why, nothing that
changes data is offered (menus, buttons, shortcuts, double-click, a dropped workbook), and what
only reads (search, sort, print, export, Find duplicates' list) works as usual. Opening a database
that may be written offers everything again.

On real SQLite files made read-only with chmod. Root may write any file whatever its mode, so
when the tests run as root the database layer's answer for that one file is stood in for (see
`read_only_file`); elsewhere the real check answers.
"""

from __future__ import annotations

import html
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent

from anso_desktop.app import open_services
from anso_desktop.domain import Relation
from anso_desktop.storage.database import Database, resolve_location
from anso_desktop.ui.dialogs.base import RecordDialog
from anso_desktop.ui.dialogs.duplicates import DuplicatesDialog
from anso_desktop.ui.dialogs.import_wizard import ImportWizard
from anso_desktop.ui.main_window import MainWindow
from anso_desktop.ui.screenshots import _plant_duplicate
from anso_desktop.ui.tabs.base import RecordTab
from anso_desktop.ui.tabs.decisions import DecisionsTab
from anso_desktop.ui.tabs.finances import FinancesTab
from anso_desktop.ui.tabs.meetings import MeetingsTab
from anso_desktop.ui.tabs.members import MembersTab

TIMEOUT = 10000


@pytest.fixture
def read_only_file(
    demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A copy of the demo (with a likely duplicate planted) that its owner may only read."""
    path = (tmp_path / "reader.sqlite").resolve()
    shutil.copy(demo_file, path)
    services = open_services(str(path))
    _plant_duplicate(services)
    services.database.dispose()
    os.chmod(path, 0o444)
    if os.access(path, os.W_OK):  # root: the mode bits do not stop it, so answer as for others
        real = Database.read_only_reason

        def as_for_others(self: Database) -> str | None:
            if self.location.file == path:
                return f"The file {path} is read-only."
            return real(self)

        monkeypatch.setattr(Database, "read_only_reason", as_for_others)
    yield path
    os.chmod(path, 0o644)


@pytest.fixture
def reason(read_only_file: Path) -> str:
    database = Database(resolve_location(str(read_only_file)))
    try:
        found = database.read_only_reason()
    finally:
        database.dispose()
    assert found is not None
    return found


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every record dialog asked for (none is shown) and every import wizard."""
    seen: list[str] = []

    def ask(cls: type, parent: Any, services: Any, record: Any = None) -> None:
        seen.append(cls.__name__)

    monkeypatch.setattr(RecordDialog, "ask", classmethod(ask))
    monkeypatch.setattr(
        ImportWizard, "ask", classmethod(lambda cls, *a, **k: seen.append("import"))
    )
    return seen


def open_in(qtbot: Any, window: MainWindow, path: Path) -> None:
    window.switch_database(str(path))
    qtbot.waitUntil(lambda: window.database_label.text() == str(path), timeout=TIMEOUT)


def tab_of(window: MainWindow, kind: type[RecordTab]) -> Any:
    return next(tab for tab in window.record_tabs() if isinstance(tab, kind))


def select_a_member(members: MembersTab) -> None:
    row = next(
        row
        for row in range(members.model.rowCount())
        if members.model.record_at(row).relation is Relation.MEMBER
    )
    members.view.selectRow(row)
    assert members.selected_members()


def editing_actions(window: MainWindow) -> dict[str, Any]:
    """What changes data, in the menus and the tabs (a few of each kind)."""
    members: MembersTab = tab_of(window, MembersTab)
    decisions: DecisionsTab = tab_of(window, DecisionsTab)
    finances: FinancesTab = tab_of(window, FinancesTab)
    found = {
        "New": window.new_action,
        "Edit": window.edit_action,
        "Delete": window.delete_action,
        "Import": window.import_action,
        "Restore": window.restore_action,
        "New board meeting": decisions.new_board_button,
        "Exchange rates button": finances.rates_button,
        "New fund": finances.funds_pane.new_button,
        "Add contact": members.add_contact_button,
    }
    for action in (*members.lifecycle_actions, *finances.finance_actions):
        found[action.text()] = action
    for action in members.view.actions():  # the rows' context menu
        if action.text():
            found[f"context {action.text()}"] = action
    return found


def test_a_read_only_database_opens_the_window_read_only(
    qtbot: Any,
    window: MainWindow,
    read_only_file: Path,
    reason: str,
    asked: list[str],
    answers: dict[str, Any],
) -> None:
    assert window.read_only_banner.isHidden()
    open_in(qtbot, window, read_only_file)

    assert window.read_only_reason == reason
    assert window.read_only_banner.isVisible()
    assert html.escape(reason) in window.read_only_banner.text()
    assert "read-only" in window.read_only_banner.text()
    for name, action in editing_actions(window).items():
        assert not action.isEnabled(), name
    assert not window.undo_action.isEnabled() and not window.redo_action.isEnabled()
    for still in (window.export_action, window.print_action):
        assert still.isEnabled(), still.text()
    for kind in (MembersTab, MeetingsTab):
        tab = tab_of(window, kind)
        assert tab.find_duplicates_action.isEnabled()
        assert tab.search.isEnabled() and tab.view.isSortingEnabled()
        assert "Ctrl+N" not in tab.empty_text()

    # Selection does not bring the membership actions back.
    members: MembersTab = tab_of(window, MembersTab)
    window.tabs.setCurrentWidget(members)
    select_a_member(members)
    assert not any(action.isEnabled() for action in members.lifecycle_actions)
    assert reason in members.endorse_action.toolTip()
    assert not members.edit_contact_button.isEnabled()


def test_no_shortcut_double_click_or_drop_changes_a_read_only_database(
    qtbot: Any,
    window: MainWindow,
    read_only_file: Path,
    tmp_path: Path,
    asked: list[str],
    answers: dict[str, Any],
) -> None:
    open_in(qtbot, window, read_only_file)
    qtbot.waitUntil(lambda: not window.new_action.shortcut().isEmpty(), timeout=2000)
    for kind in (MeetingsTab, MembersTab):
        tab = tab_of(window, kind)
        window.tabs.setCurrentWidget(tab)
        tab.view.setFocus()
        tab.view.selectRow(0)
        rows = tab.model.total
        qtbot.keyClick(tab.view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(tab.view, Qt.Key.Key_F2)
        qtbot.keyClick(tab.view, Qt.Key.Key_Return)
        qtbot.keyClick(tab.view, Qt.Key.Key_Delete)
        qtbot.keyClick(tab.view, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
        tab.view.doubleClicked.emit(tab.model.index(0, 0))
        tab.new_record()  # however it is called
        assert tab.model.total == rows
    assert asked == []
    assert answers["seen"] == []  # not even "Delete …?"
    assert window.undo_stack.count() == 0

    workbook = tmp_path / "members.xlsx"
    workbook.write_bytes(b"")
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(workbook))])
    event = QDragEnterEvent(
        QPoint(5, 5),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dragEnterEvent(event)
    assert not event.isAccepted()
    window.import_file(workbook)
    assert asked == []


def test_find_duplicates_lists_the_pairs_but_offers_no_merge(
    qtbot: Any,
    window: MainWindow,
    read_only_file: Path,
    reason: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[DuplicatesDialog] = []

    def ask(cls: type[DuplicatesDialog], parent: Any, *args: Any, **kwargs: Any) -> None:
        dialog = cls(*args, parent=parent, **kwargs)  # type: ignore[misc]
        qtbot.addWidget(dialog)
        dialog.show()
        opened.append(dialog)

    monkeypatch.setattr(DuplicatesDialog, "ask", classmethod(ask))
    open_in(qtbot, window, read_only_file)
    tab_of(window, MembersTab).find_duplicates_action.trigger()
    dialog = opened[-1]
    qtbot.waitUntil(lambda: not dialog.busy, timeout=TIMEOUT)
    assert dialog.pairs_model.pairs  # the planted pair
    dialog.select_pair(0)
    assert dialog.fields_model.choices  # compared side by side
    assert not dialog.merge_button.isEnabled()
    assert not dialog.distinct_button.isEnabled()
    assert reason in dialog.message_text()
    dialog.merge()  # Alt+M
    dialog.mark_distinct()
    assert not dialog.busy
    assert window.undo_stack.count() == 0


def test_a_writable_database_afterwards_offers_every_change_again(
    qtbot: Any,
    window: MainWindow,
    read_only_file: Path,
    demo_file: Path,
    tmp_path: Path,
    asked: list[str],
) -> None:
    open_in(qtbot, window, read_only_file)
    assert window.read_only_banner.isVisible()
    writable = (tmp_path / "editor.sqlite").resolve()
    shutil.copy(demo_file, writable)
    open_in(qtbot, window, writable)

    assert window.read_only_reason is None
    assert window.read_only_banner.isHidden()
    members: MembersTab = tab_of(window, MembersTab)
    window.tabs.setCurrentWidget(members)
    select_a_member(members)
    for name, action in editing_actions(window).items():
        if action in members.lifecycle_actions:
            continue  # these follow the selection: one of them fits the selected member
        assert action.isEnabled(), name
    assert any(action.isEnabled() for action in members.lifecycle_actions)

    # Ctrl+N opens the dialog again (the check above that it did not is not vacuous).
    qtbot.waitUntil(lambda: not window.new_action.shortcut().isEmpty(), timeout=2000)
    meetings = tab_of(window, MeetingsTab)
    window.tabs.setCurrentWidget(meetings)
    meetings.view.setFocus()
    qtbot.keyClick(meetings.view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert asked == ["MeetingDialog"]


def test_the_review_screenshot_shows_the_banner(window: MainWindow, tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    from anso_desktop.ui.screenshots import READ_ONLY_REASON, _save_read_only

    path = _save_read_only(window, tmp_path / "window-read-only.png")
    assert not QImage(str(path)).isNull()
    assert window.read_only_reason == READ_ONLY_REASON
    assert window.read_only_banner.isVisible()
