"""The main window: menus and shortcuts, status bar, settings that persist, switching database,
backups off the GUI thread, and errors that never take the window down."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog

from anso_desktop.app import open_services
from anso_desktop.paths import log_dir
from anso_desktop.services import Services
from anso_desktop.ui.application import choose_database, install_exception_hook
from anso_desktop.ui.main_window import MainWindow, tab_classes


def actions_by_text(window: MainWindow) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for menu_action in window.menuBar().actions():
        for action in menu_action.menu().actions():
            if action.text():
                found[action.text().replace("&", "")] = action
    return found


def test_the_tabs_in_order(window: MainWindow) -> None:
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == [title for title, _ in tab_classes()]
    assert titles[0] == "Meetings"


def test_standard_shortcuts(qtbot: Any, window: MainWindow) -> None:
    # Set just after the first paint.
    qtbot.waitUntil(lambda: not window.print_action.shortcut().isEmpty(), timeout=2000)
    actions = actions_by_text(window)
    expected = {
        "New": QKeySequence(QKeySequence.StandardKey.New),
        "Find": QKeySequence(QKeySequence.StandardKey.Find),
        "Delete": QKeySequence(QKeySequence.StandardKey.Delete),
        "Undo": QKeySequence(QKeySequence.StandardKey.Undo),
        "Print…": QKeySequence(QKeySequence.StandardKey.Print),
        "Quit": QKeySequence(QKeySequence.StandardKey.Quit),
    }
    for text, sequence in expected.items():
        assert actions[text].shortcut() == sequence, text
    for text in (
        "New database…",
        "Open database…",
        "Import…",
        "Export…",
        "Backup…",
        "About ANSO Desktop",
        "Data folder location…",
    ):
        assert text in actions


def test_status_bar_follows_the_current_tab(window: MainWindow) -> None:
    assert window.status_label.text() == window.current_tab().status_text()
    assert "meetings" in window.status_label.text()
    assert str(window.services.database.location.describe()) == window.database_label.text()


def test_find_focuses_the_search_box(qtbot: Any, window: MainWindow) -> None:
    window.activateWindow()
    actions_by_text(window)["Find"].trigger()
    qtbot.waitUntil(lambda: window.current_tab().search.hasFocus(), timeout=2000)


def test_edit_menu_drives_the_current_tab(window: MainWindow, answers: dict[str, Any]) -> None:
    tab = window.current_tab()
    tab.view.selectRow(0)
    actions_by_text(window)["Delete"].trigger()
    assert tab.model.rowCount() == 37
    assert window.undo_stack.canUndo()
    window.undo_stack.undo()
    assert tab.model.rowCount() == 38


def test_window_state_persists(qtbot: Any, demo_services: Services, settings: QSettings) -> None:
    first = MainWindow(demo_services, settings)
    qtbot.addWidget(first)
    first.resize(700, 500)
    first.tabs.setCurrentIndex(first.tabs.count() - 1)
    header = first.current_tab().view.horizontalHeader()
    header.resizeSection(1, 333)
    first.close()
    second = MainWindow(demo_services, settings)
    qtbot.addWidget(second)
    assert second.tabs.currentIndex() == first.tabs.count() - 1
    assert (second.size().width(), second.size().height()) == (700, 500)
    assert second.current_tab().view.horizontalHeader().sectionSize(1) == 333
    assert settings.value("last_database") == str(demo_services.database.location.file)


def test_switching_database_runs_off_the_gui_thread(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    other = tmp_path / "office.sqlite"
    window.switch_database(str(other))
    qtbot.waitUntil(lambda: window.database_label.text() == str(other), timeout=10000)
    assert window.current_tab().model.rowCount() == 0
    assert window.current_tab().empty_label.text().startswith("No meetings yet")
    assert window.settings.value("recent_databases")[0] == str(other)
    assert next(a.text() for a in window.recent_menu.actions()) == str(other)


def test_a_database_that_cannot_be_opened_is_explained(
    qtbot: Any, window: MainWindow, tmp_path: Path, answers: dict[str, Any]
) -> None:
    bogus = tmp_path / "minutes.sqlite"
    bogus.write_text("These are the minutes of the 4th GB meeting.", encoding="utf-8")
    before = window.database_label.text()
    window.switch_database(str(bogus))
    qtbot.waitUntil(lambda: bool(answers["seen"]), timeout=10000)
    kind, text = answers["seen"][0]
    assert kind == "warn"
    assert "is not an ANSO Desktop database" in text
    assert window.database_label.text() == before  # still working on the old one


def test_backup_from_the_menu(
    qtbot: Any,
    window: MainWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    answers: dict[str, Any],
) -> None:
    target = tmp_path / "before-the-assembly.sqlite"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    actions_by_text(window)["Backup…"].trigger()
    qtbot.waitUntil(lambda: bool(answers["seen"]), timeout=10000)
    assert target.exists()
    assert answers["seen"][0] == ("inform", f"The database was backed up to {target}.")
    copy = open_services(str(target))
    assert copy.meetings.count() == 38
    copy.database.dispose()


def test_restore_from_the_menu(
    qtbot: Any,
    window: MainWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    answers: dict[str, Any],
) -> None:
    empty = open_services(str(tmp_path / "empty.sqlite"))
    empty.database.dispose()
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *a, **k: (str(tmp_path / "empty.sqlite"), "")
    )
    actions_by_text(window)["Restore from backup…"].trigger()
    qtbot.waitUntil(lambda: any(kind == "inform" for kind, _ in answers["seen"]), timeout=10000)
    assert answers["seen"][0][0] == "confirm"
    assert window.current_tab().model.rowCount() == 0


def test_an_unexpected_error_is_reported_not_fatal(
    window: MainWindow, answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    install_exception_hook()
    try:
        raise RuntimeError("simulated bug")
    except RuntimeError as error:
        sys.excepthook(type(error), error, error.__traceback__)
    kind, text = answers["seen"][-1]
    assert kind == "error"
    assert "simulated bug" in text
    assert window.isVisible()
    log_text = (log_dir() / "anso-desktop.log").read_text(encoding="utf-8")
    assert "simulated bug" in log_text


def test_the_last_database_is_opened_again(
    settings: QSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANSO_DB", raising=False)
    existing = tmp_path / "last.sqlite"
    existing.write_bytes(b"")
    settings.setValue("last_database", str(existing))
    assert choose_database(None, settings) == str(existing)
    assert choose_database("/explicit.sqlite", settings) == "/explicit.sqlite"
    settings.setValue("last_database", str(tmp_path / "deleted.sqlite"))
    assert choose_database(None, settings) is None  # a vanished file: back to the default


def test_a_decision_opens_the_organizations_it_concerns(window: MainWindow) -> None:
    from anso_desktop.ui.tabs.decisions import DecisionsTab
    from anso_desktop.ui.tabs.members import MembersTab

    decisions = next(t for t in window.record_tabs() if isinstance(t, DecisionsTab))
    members = next(t for t in window.record_tabs() if isinstance(t, MembersTab))
    window.tabs.setCurrentWidget(decisions)
    endorsement = next(
        d for d in window.services.decisions.list().rows if len(d.organizations) == 8
    )
    cuba = next(o for o in endorsement.organizations if o.name == "Cuban Academy of Sciences")
    decisions.open_organization.emit(cuba.id)
    assert window.tabs.currentWidget() is members
    assert [r.name for r in members.selected_records()] == ["Cuban Academy of Sciences"]
    assert members.model.total == 1  # searched by its name


def test_the_members_menu_holds_the_membership_actions(window: MainWindow) -> None:
    texts = [a.text() for a in window.members_menu.actions()]
    assert any("Endorse" in t for t in texts)
    assert any("Approve" in t for t in texts)
