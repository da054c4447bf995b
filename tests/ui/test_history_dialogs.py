"""History… of a record, Recent changes (filters and Undo) and Preferences, on the demo data: what
a secretary reads there after an edit, and that the name from Preferences is the one recorded."""

from __future__ import annotations

import dataclasses
import getpass
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence, QUndoCommand

from anso_desktop.services import Services
from anso_desktop.services.history import HistoryFilter
from anso_desktop.services.meetings import MeetingData
from anso_desktop.services.organizations import ContactData, OrganizationData
from anso_desktop.storage import history
from anso_desktop.storage.models import Organization
from anso_desktop.ui.application import apply_history_settings
from anso_desktop.ui.dialogs import recent_changes
from anso_desktop.ui.dialogs.history import HistoryDialog
from anso_desktop.ui.dialogs.organization import OrganizationDialog
from anso_desktop.ui.dialogs.preferences import (
    PERSON_KEY,
    PreferencesDialog,
    apply_saved_person,
)
from anso_desktop.ui.dialogs.recent_changes import RecentChangesDialog
from anso_desktop.ui.main_window import MainWindow
from anso_desktop.ui.tabs.decisions import DecisionsTab
from anso_desktop.ui.tabs.members import MembersTab
from tests.ui.conftest import drive_dialog

RAS = "Russian Academy of Sciences"


@pytest.fixture(autouse=True)
def person() -> Iterator[None]:
    """Each test starts, and leaves, with the operating-system user recorded."""
    history.set_person(None)
    yield
    history.set_person(None)


def member(services: Services, name: str = RAS) -> Organization:
    found = services.organizations.find_by_name(name)
    assert found is not None, name
    return found


def edit_member(services: Services, name: str = RAS, **changes: Any) -> Organization:
    record = member(services, name)
    data = dataclasses.replace(OrganizationData.from_record(record), **changes)
    return services.organizations.update(record.id, record.version, data)


def newest(services: Services) -> Any:
    return services.history.change_sets(HistoryFilter(limit=1), with_rows=False)[0]


def open_history(qtbot: Any, services: Services, record_id: int) -> HistoryDialog:
    dialog = HistoryDialog(services, "members", record_id, f"organization “{RAS}”")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.loading, timeout=5000)
    return dialog


def open_recent(qtbot: Any, services: Services, **options: Any) -> RecentChangesDialog:
    dialog = RecentChangesDialog(services, **options)
    qtbot.addWidget(dialog)
    wait_listed(qtbot, dialog)
    return dialog


def wait_listed(qtbot: Any, dialog: RecentChangesDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.loading, timeout=5000)


def wait_rows(qtbot: Any, dialog: RecentChangesDialog, change_set_id: int) -> None:
    dialog.select(change_set_id)
    qtbot.waitUntil(
        lambda: dialog.rows is not None and dialog.rows.change_set.id == change_set_id,
        timeout=5000,
    )


def choose(combo: Any, text: str) -> None:
    index = combo.findText(text)
    assert index >= 0, f"{text} is not offered: {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(index)


# --- History… of a record ----------------------------------------------------------------------


def test_the_history_shows_an_edited_fields_old_and_new_value(
    qtbot: Any, demo_services: Services
) -> None:
    edit_member(demo_services, acronym="RAN", website="www.ras.ru")
    edit_member(demo_services, acronym="RAS")
    record = member(demo_services)
    demo_services.organizations.add_contact(ContactData(record.id, "Dr Olga Ivanova"))

    lines = open_history(qtbot, demo_services, record.id).lines()

    headings = [line[0] for line in lines if not line[0].startswith(" ")]
    assert len(headings) == 4  # newest first: the contact, the two edits, the demo's insert
    assert getpass.getuser() in headings[0]
    assert "created" in headings[-1]
    assert lines.index(["  Contact “Dr Olga Ivanova” added", "", ""]) == 1
    second_edit = lines.index(["  Acronym", "RAN", "RAS"])
    first_edit = lines.index(["  Acronym", "RAS", "RAN"])
    assert second_edit < first_edit
    assert lines[first_edit + 1] == ["  Website", "—", "www.ras.ru"]  # it had none: the dash
    assert ["  Status", "", "Active"] in lines[first_edit:]  # the insert: the values it set


def test_ctrl_h_opens_the_history_of_the_selected_row(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, window: MainWindow
) -> None:
    opened: list[tuple[str, int, str]] = []
    monkeypatch.setattr(
        HistoryDialog,
        "ask",
        classmethod(lambda _cls, _parent, _services, *details: opened.append(details)),
    )
    members = next(tab for tab in window.record_tabs() if isinstance(tab, MembersTab))
    window.tabs.setCurrentWidget(members)
    qtbot.waitUntil(lambda: not window.history_action.shortcut().isEmpty(), timeout=2000)
    assert window.history_action.shortcut() == QKeySequence("Ctrl+H")
    assert not window.history_action.isEnabled()  # nothing selected yet
    assert not members.history_action.isEnabled()

    row = next(r for r in range(members.model.rowCount()) if members.model.record_at(r).name == RAS)
    members.view.selectRow(row)
    assert window.history_action.isEnabled()
    assert "History…\tCtrl+H" in [action.text() for action in members.row_menu().actions()]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    members.view.setFocus()
    qtbot.keyClick(members.view, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)

    assert opened == [("members", member(window.services).id, f"organization “{RAS}”")]


def test_a_board_meetings_history_opens_from_its_list(
    monkeypatch: pytest.MonkeyPatch, window: MainWindow
) -> None:
    opened: list[tuple[str, int, str]] = []
    monkeypatch.setattr(
        HistoryDialog,
        "ask",
        classmethod(lambda _cls, _parent, _services, *details: opened.append(details)),
    )
    decisions = next(tab for tab in window.record_tabs() if isinstance(tab, DecisionsTab))
    decisions.show_board_meeting_history()  # "All board meetings": no one record
    assert opened == []
    decisions.board_list.setCurrentRow(1)
    chosen = decisions.current_board_meeting_id()
    decisions.show_board_meeting_history()
    assert [details[:2] for details in opened] == [("board-meetings", chosen)]
    assert "Governing Board meeting" in opened[0][2]


def test_a_save_in_a_dialog_is_recorded_under_its_title(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, window: MainWindow, answers: dict[str, Any]
) -> None:
    members = next(tab for tab in window.record_tabs() if isinstance(tab, MembersTab))
    row = next(r for r in range(members.model.rowCount()) if members.model.record_at(r).name == RAS)
    members.view.selectRow(row)
    drive_dialog(monkeypatch, OrganizationDialog, lambda dialog: dialog.acronym.setText("RAN"))
    members.edit_selected()
    assert (newest(window.services).source, member(window.services).acronym) == (
        "Edit organization",
        "RAN",
    )
    members.delete_selected()
    assert newest(window.services).source == "Delete organization"


# --- Recent changes ----------------------------------------------------------------------------


def test_recent_changes_filter_by_person_and_table(qtbot: Any, demo_services: Services) -> None:
    demo_set = newest(demo_services).id
    history.set_person("Maria Santos")
    edit_member(demo_services, website="www.ras.ru")
    member_edit = newest(demo_services).id
    history.set_person("Li Wei")
    meeting = demo_services.meetings.list().rows[0]
    data = dataclasses.replace(MeetingData.from_record(meeting), location="Beijing")
    demo_services.meetings.update(meeting.id, meeting.version, data)
    meeting_edit = newest(demo_services).id

    dialog = open_recent(qtbot, demo_services)
    assert dialog.listed_ids() == [meeting_edit, member_edit, demo_set]
    qtbot.waitUntil(lambda: dialog.person.findText("Maria Santos") >= 0, timeout=5000)

    choose(dialog.person, "Maria Santos")
    wait_listed(qtbot, dialog)
    assert dialog.listed_ids() == [member_edit]
    wait_rows(qtbot, dialog, member_edit)
    assert ["  Website", "—", "www.ras.ru"] in dialog.detail_lines()

    choose(dialog.person, "Anyone")
    choose(dialog.table, "Meetings")
    wait_listed(qtbot, dialog)
    assert dialog.listed_ids() == [meeting_edit, demo_set]  # the demo inserted meetings too
    choose(dialog.person, "Li Wei")
    wait_listed(qtbot, dialog)
    assert dialog.listed_ids() == [meeting_edit]


def test_the_who_filter_lists_only_the_person_chosen(qtbot: Any, demo_services: Services) -> None:
    history.set_person("Ann")
    edit_member(demo_services, website="www.ras.ru")
    by_ann = newest(demo_services).id
    history.set_person("Anna")
    edit_member(demo_services, website="www.ras.example")
    by_anna = newest(demo_services).id
    partly = demo_services.history.change_sets(HistoryFilter(who="Ann"), with_rows=False)
    assert [change_set.id for change_set in partly] == [by_anna, by_ann]  # the command line's

    dialog = open_recent(qtbot, demo_services)
    qtbot.waitUntil(lambda: dialog.person.findText("Anna") >= 0, timeout=5000)
    choose(dialog.person, "Ann")
    wait_listed(qtbot, dialog)
    assert dialog.listed_ids() == [by_ann]
    choose(dialog.person, "Anna")
    wait_listed(qtbot, dialog)
    assert dialog.listed_ids() == [by_anna]


def test_a_big_change_set_shows_its_first_rows_and_says_how_many_more(
    qtbot: Any, demo_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recent_changes, "SHOWN_ROWS", 10)
    demo_set = newest(demo_services)
    dialog = open_recent(qtbot, demo_services)
    wait_rows(qtbot, dialog, demo_set.id)
    total = sum(demo_set.counts.values())
    assert len(dialog.rows.lines) == 10
    assert dialog.detail_note.text().startswith(f"Showing the first 10 of {total:,} rows")


def test_undo_is_not_offered_on_a_read_only_database(qtbot: Any, demo_services: Services) -> None:
    edit_member(demo_services, website="www.ras.ru")
    dialog = open_recent(qtbot, demo_services, read_only_reason="A reader's login.")
    assert dialog.selected() is not None
    assert not dialog.undo_button.isEnabled()
    assert dialog.undo_button.toolTip() == "A reader's login."
    dialog.undo_selected()  # no other way in either
    assert dialog.undoing is None


def test_undo_from_recent_changes_puts_the_old_value_back(
    qtbot: Any, demo_services: Services, answers: dict[str, Any]
) -> None:
    edit_member(demo_services, website="www.ras.ru")
    edit = newest(demo_services).id
    changed: list[bool] = []
    dialog = open_recent(qtbot, demo_services, on_change=lambda: changed.append(True))
    wait_rows(qtbot, dialog, edit)

    dialog.undo_button.click()
    qtbot.waitUntil(lambda: changed == [True], timeout=10000)  # the window reloads its tabs

    assert member(demo_services).website is None
    assert f"#{edit}" in dialog.message_text()  # the undo's own summary, told as done
    assert dialog.message.styleSheet() == recent_changes._DONE_STYLE
    (kind, question), *_ = answers["seen"]
    assert kind == "confirm" and question.startswith(f"Undo change set #{edit} — ")
    assert "\n\nIt would put back 1 organization as it was.\n\n" in question
    wait_listed(qtbot, dialog)
    undo_set = dialog.change_sets[0]
    assert undo_set.undoes == edit
    undone = next(change_set for change_set in dialog.change_sets if change_set.id == edit)
    assert undone.undone_by == undo_set.id
    wait_rows(qtbot, dialog, edit)
    assert not dialog.undo_button.isEnabled()  # done once is enough


def test_a_refused_undo_is_explained_and_the_dialog_stays(
    qtbot: Any, demo_services: Services, answers: dict[str, Any]
) -> None:
    edit_member(demo_services, website="www.ras.ru")
    edit = newest(demo_services).id
    edit_member(demo_services, website="www.ras.example")  # changed again since
    dialog = open_recent(qtbot, demo_services)
    dialog.show()
    wait_rows(qtbot, dialog, edit)

    dialog.undo_button.click()
    qtbot.waitUntil(lambda: dialog.undoing is None and bool(answers["seen"]), timeout=10000)

    assert [kind for kind, _text in answers["seen"]] == ["warn"]
    assert member(demo_services).website == "www.ras.example"
    assert dialog.isVisible()
    assert dialog.undo_button.isEnabled()


def test_the_window_opens_recent_changes_read_only_and_forgets_stale_undo_steps(
    monkeypatch: pytest.MonkeyPatch, window: MainWindow
) -> None:
    asked: list[str | None] = []

    def ask(_cls: Any, _parent: Any, _services: Any, on_change: Any, **options: Any) -> None:
        asked.append(options["read_only_reason"])
        on_change()  # as after an undo

    monkeypatch.setattr(RecentChangesDialog, "ask", classmethod(ask))
    window.undo_stack.push(QUndoCommand("Edit organization"))
    window.show_recent_changes()
    assert asked == [None]
    assert not window.undo_stack.canUndo()  # its steps would act on versions now gone
    window.set_read_only("A reader's login.")
    window.show_recent_changes()
    assert asked == [None, "A reader's login."]


# --- Preferences -------------------------------------------------------------------------------


def test_the_window_records_its_changes_as_the_windows_under_the_saved_name(
    demo_services: Services, settings: QSettings
) -> None:
    settings.setValue(PERSON_KEY, "Li Wei")
    try:
        apply_history_settings(settings)
        edit_member(demo_services, website="www.ras.ru")
    finally:
        history.set_default_source("command")
    assert (newest(demo_services).who, newest(demo_services).source) == ("Li Wei", "window")


def test_the_name_from_preferences_is_stored_and_recorded_as_who(
    qtbot: Any, demo_services: Services, settings: QSettings, tmp_path: Any
) -> None:
    dialog = PreferencesDialog(settings)
    qtbot.addWidget(dialog)
    assert dialog.person.text() == ""
    assert dialog.person.placeholderText() == getpass.getuser()
    dialog.person.setText("  Maria   Santos ")
    dialog.accept()

    assert settings.value(PERSON_KEY) == "Maria Santos"
    edit_member(demo_services, website="www.ras.ru")
    assert newest(demo_services).who == "Maria Santos"

    # At the next start the saved name is applied again.
    history.set_person(None)
    apply_saved_person(QSettings(settings.fileName(), QSettings.Format.IniFormat))
    edit_member(demo_services, website=None)
    assert newest(demo_services).who == "Maria Santos"
    assert "Maria Santos" in demo_services.history.people()
