"""The Board decisions tab, driven as a secretary would: board meetings on the left, their decisions
beside them; add, edit, delete and undo both; filter the open and overdue follow-ups; open the
organizations a decision concerns."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextCursor, QUndoStack

from anso_desktop.domain import DecisionStatus, MeetingMode
from anso_desktop.services import Services
from anso_desktop.services.decisions import BoardMeetingData, DecisionData
from anso_desktop.ui.dialogs.decision import BoardMeetingDialog, DecisionDialog
from anso_desktop.ui.tabs.decisions import DecisionsTab
from tests.ui.conftest import drive_dialog

FOURTH = "4th Governing Board meeting — 9 Oct 2021"
THIRD = "3rd Governing Board meeting — 9 Nov 2020"
WORK_PLAN = [(4, n) for n in range(5, 11)]  # owned by the Secretariat, due 31 Dec 2022: overdue
EVERY_DECISION = [(4, n) for n in range(1, 11)] + [(3, 1), (3, 2)]


@pytest.fixture
def tab(qtbot: Any, demo_services: Services, undo_stack: QUndoStack) -> DecisionsTab:
    widget = DecisionsTab(demo_services, undo_stack)
    qtbot.addWidget(widget)
    return widget


def rows(tab: DecisionsTab) -> list[tuple[int, int]]:
    """(board meeting number, decision number) of each row, top to bottom."""
    records = [tab.model.record_at(row) for row in range(tab.model.rowCount())]
    return [(record.board_meeting.number, record.number) for record in records]


def select_row(tab: DecisionsTab, key: tuple[int, int]) -> None:
    tab.view.selectRow(rows(tab).index(key))


def choose_board_meeting(qtbot: Any, tab: DecisionsTab, label_start: str) -> None:
    """Click the board meeting in the list on the left, as a user would."""
    row = next(
        i for i, text in enumerate(tab.board_meeting_texts()) if text.startswith(label_start)
    )
    rect = tab.board_list.visualItemRect(tab.board_list.item(row))
    qtbot.mouseClick(tab.board_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert tab.board_list.currentRow() == row


def board_id(services: Services, number: int) -> int:
    board = services.board_meetings.by_number(number)
    assert board is not None
    return board.id


def decision_of(services: Services, board: int, number: int) -> Any:
    found = [
        d
        for d in services.decisions.list().rows
        if (d.board_meeting.number, d.number) == (board, number)
    ]
    assert len(found) == 1
    return found[0]


def background(tab: DecisionsTab, row: int) -> QColor | None:
    brush = tab.model.index(row, 2).data(Qt.ItemDataRole.BackgroundRole)
    return None if brush is None else brush.color()


# --- reading -------------------------------------------------------------------------------------


def test_the_model_passes_qt_model_tests(tab: DecisionsTab, qtmodeltester: Any) -> None:
    qtmodeltester.check(tab.model, force_py=True)


def test_opens_with_the_latest_board_meeting_first_then_by_number(tab: DecisionsTab) -> None:
    assert [c.header for c in tab.model.columns] == [
        "Board meeting", "Number", "Decision", "Category", "Status", "Owner", "Due",
    ]  # fmt: skip
    assert rows(tab) == EVERY_DECISION
    assert tab.model.index(4, 6).data() == "31 Dec 2022"
    assert tab.board_meeting_texts() == [
        "All board meetings",
        f"{FOURTH} (10 decisions)",
        f"{THIRD} (2 decisions)",
    ]
    assert tab.board_list.currentRow() == 0
    assert not tab.edit_board_button.isEnabled()
    assert tab.status_text() == "12 decisions · 12 open · 6 overdue"
    assert tab.detail.toPlainText() == "Select a decision to read it in full."


def test_ties_follow_the_board_meeting_number_not_the_order_typed_in(
    tab: DecisionsTab, demo_services: Services
) -> None:
    # The 2nd board meeting is entered after the 3rd and 4th: its id is the highest.
    second = demo_services.board_meetings.create(
        BoardMeetingData(number=2, date=date(2019, 11, 5), mode=MeetingMode.ONSITE)
    )
    demo_services.decisions.create(
        DecisionData(second.id, "Approved the 2020 work plan.", status=DecisionStatus.ADOPTED)
    )
    tab.refresh()
    assert rows(tab)[-3:] == [(3, 1), (3, 2), (2, 1)]
    status = tab.model.columns.index(tab.spec.column("status"))
    tab.view.sortByColumn(status, Qt.SortOrder.AscendingOrder)  # every one is "Adopted": all ties
    assert rows(tab)[:4] == [(2, 1), (3, 1), (3, 2), (4, 1)]
    tab.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert rows(tab)[:4] == [(2, 1), (3, 1), (3, 2), (4, 1)]
    assert rows(tab)[-1] == (4, 10)


def test_choosing_a_board_meeting_shows_its_decisions(qtbot: Any, tab: DecisionsTab) -> None:
    choose_board_meeting(qtbot, tab, THIRD)
    assert rows(tab) == [(3, 1), (3, 2)]
    assert tab.status_text() == "2 decisions · 2 open"  # counted in view, none overdue
    assert tab.edit_board_button.isEnabled() and tab.delete_board_button.isEnabled()
    choose_board_meeting(qtbot, tab, "All board meetings")
    assert len(rows(tab)) == 12
    assert not tab.delete_board_button.isEnabled()


def test_search_filters_as_you_type(qtbot: Any, tab: DecisionsTab) -> None:
    qtbot.keyClicks(tab.search, "new applications")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=2000)
    assert rows(tab) == [(4, 3)]
    assert tab.status_text() == "1 decision · 1 open"
    qtbot.keyClicks(tab.search, "x")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 0, timeout=2000)
    assert tab.stack.currentWidget() is tab.empty_label
    assert tab.empty_label.text() == (
        "No decisions match the search and filters — press Ctrl+Shift+L to clear them."
    )
    tab.clear_filters()
    assert tab.model.rowCount() == 12
    tab.search.setText("secretariat")  # owners are searched too
    tab.apply_query()
    assert rows(tab) == WORK_PLAN


def test_each_filter(qtbot: Any, tab: DecisionsTab, demo_services: Services) -> None:
    first = decision_of(demo_services, 3, 1)
    demo_services.decisions.update(
        first.id,
        first.version,
        replace(DecisionData.from_record(first), status=DecisionStatus.IMPLEMENTED),
    )
    tab.refresh()
    assert tab.status_text() == "12 decisions · 11 open · 6 overdue"

    tab.status.setCurrentIndex(tab.status.findData(DecisionStatus.IMPLEMENTED.value))
    assert rows(tab) == [(3, 1)]
    tab.clear_filters()

    tab.open_only.setChecked(True)  # across every board meeting: "All board meetings" is chosen
    assert rows(tab) == [key for key in EVERY_DECISION if key != (3, 1)]
    choose_board_meeting(qtbot, tab, THIRD)  # ... and combined with the board meeting chosen
    assert rows(tab) == [(3, 2)]
    assert tab.open_only.isChecked()
    tab.clear_filters()
    assert tab.board_list.currentRow() == 0
    assert not tab.open_only.isChecked()
    assert len(rows(tab)) == 12

    tab.overdue_only.setChecked(True)
    assert rows(tab) == WORK_PLAN
    assert tab.status_text() == "6 decisions · 6 open · 6 overdue"
    tab.clear_filters()

    assert [tab.owner.itemText(i) for i in range(tab.owner.count())] == [
        "Any owner",
        "ANSO Secretariat",
    ]
    tab.owner.setCurrentIndex(1)
    assert rows(tab) == WORK_PLAN
    choose_board_meeting(qtbot, tab, THIRD)
    assert rows(tab) == []
    assert tab.empty_label.text() == (
        "No decisions match the search and filters — press Ctrl+Shift+L to clear them."
    )


def test_overdue_decisions_are_highlighted(tab: DecisionsTab, demo_services: Services) -> None:
    listed = rows(tab)
    for row, key in enumerate(listed):
        if key in WORK_PLAN:
            assert background(tab, row) == QColor("#ffebee"), key
        else:
            assert background(tab, row) is None, key
    # Due later, or done: not overdue.
    fourth = board_id(demo_services, 4)
    demo_services.decisions.create(
        DecisionData(
            fourth,
            "Prepare the 2023 budget.",
            status=DecisionStatus.ADOPTED,
            due_date=date.today() + timedelta(days=30),
        )
    )
    host_ga = decision_of(demo_services, 4, 5)
    demo_services.decisions.update(
        host_ga.id,
        host_ga.version,
        replace(DecisionData.from_record(host_ga), status=DecisionStatus.IMPLEMENTED),
    )
    tab.refresh()
    assert background(tab, rows(tab).index((4, 11))) is None
    assert background(tab, rows(tab).index((4, 5))) is None
    assert background(tab, rows(tab).index((4, 6))) == QColor("#ffebee")
    select_row(tab, (4, 6))
    assert "Due: 31 Dec 2022 (overdue)" in tab.detail.toPlainText()
    select_row(tab, (4, 11))
    assert "(overdue)" not in tab.detail.toPlainText()
    assert tab.status_text() == "13 decisions · 12 open · 5 overdue"


# --- decisions -----------------------------------------------------------------------------------


def test_add_a_decision_to_the_chosen_board_meeting(
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
    tab: DecisionsTab,
    undo_stack: QUndoStack,
    demo_services: Services,
) -> None:
    choose_board_meeting(qtbot, tab, FOURTH)
    iac = demo_services.organizations.find_by_name("Instituto de Astrofísica de Canarias")

    def fill(dialog: DecisionDialog) -> None:
        assert dialog.board_meeting.currentText() == FOURTH  # preselected
        assert dialog.number.placeholderText() == "Next free: 11"
        dialog.text_edit.setPlainText("Welcome the IAC as a member of ANSO.")
        dialog.category.setText("Membership")
        dialog.status.set_value(DecisionStatus.ADOPTED)
        dialog.owner.setText("ANSO Secretariat")
        dialog.due.set_value(date.today() + timedelta(days=60))
        dialog.organizations.entry.setText("IAC")
        dialog.organizations.add_from_entry()

    drive_dialog(monkeypatch, DecisionDialog, fill)
    tab.new_record()
    created = tab.selected_records()[0]
    assert (created.board_meeting.number, created.number) == (4, 11)
    assert [o.id for o in created.organizations] == [iac.id]
    assert rows(tab)[-1] == (4, 11)
    assert tab.board_meeting_texts()[1] == f"{FOURTH} (11 decisions)"
    assert "Welcome the IAC" in tab.detail.toPlainText()
    assert undo_stack.undoText().startswith("Add decision “4th Governing Board meeting, no. 11")
    undo_stack.undo()
    assert tab.model.rowCount() == 10
    assert tab.board_meeting_texts()[1] == f"{FOURTH} (10 decisions)"
    undo_stack.redo()
    assert rows(tab)[-1] == (4, 11)
    assert demo_services.decisions.count() == 13


def test_a_decision_saved_under_another_board_meeting_is_followed_there(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, tab: DecisionsTab
) -> None:
    choose_board_meeting(qtbot, tab, FOURTH)

    def fill(dialog: DecisionDialog) -> None:
        dialog.board_meeting.setCurrentIndex(dialog.board_meeting.findText(THIRD))
        assert dialog.number.placeholderText() == "Next free: 3"
        dialog.text_edit.setPlainText("Postponed the 2nd ANSO GA to 2021.")

    drive_dialog(monkeypatch, DecisionDialog, fill)
    tab.new_record()
    assert tab.board_list.currentItem().text().startswith(THIRD)
    assert rows(tab) == [(3, 1), (3, 2), (3, 3)]
    assert [(r.board_meeting.number, r.number) for r in tab.selected_records()] == [(3, 3)]


def test_blank_text_is_refused_inline_and_the_dialog_stays(
    monkeypatch: pytest.MonkeyPatch, tab: DecisionsTab, demo_services: Services
) -> None:
    opened: list[DecisionDialog] = []

    def fill(dialog: DecisionDialog) -> None:
        dialog.text_edit.setPlainText("   ")
        dialog.number.set_value(3)

    drive_dialog(monkeypatch, DecisionDialog, fill, opened)
    tab.new_record()
    dialog = opened[0]
    assert dialog.result() != dialog.DialogCode.Accepted
    assert dialog.error_text("text") == "Decision text is required"
    assert dialog.error_text("board_meeting_id") == ""
    assert tab.model.rowCount() == 12
    dialog.text_edit.setPlainText("Adopted the rules of procedure.")
    dialog.accept()  # the 4th (the newest) already has a decision 3
    assert "already exists" in dialog.error_text("number")
    assert dialog.error_text("text") == ""
    dialog.number.clear()
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert demo_services.decisions.count() == 13


def test_edit_and_undo_the_edit(
    monkeypatch: pytest.MonkeyPatch, tab: DecisionsTab, undo_stack: QUndoStack
) -> None:
    select_row(tab, (4, 5))
    row = rows(tab).index((4, 5))
    assert background(tab, row) is not None

    def fill(dialog: DecisionDialog) -> None:
        assert dialog.text_edit.toPlainText() == "Host the Second ANSO GA"
        assert dialog.owner.text() == "ANSO Secretariat"
        assert dialog.number.value() == 5
        dialog.status.set_value(DecisionStatus.IMPLEMENTED)
        dialog.follow_up.setPlainText("The 2nd GA was held online on 25 Nov 2022.")

    drive_dialog(monkeypatch, DecisionDialog, fill)
    tab.edit_selected()
    edited = tab.selected_records()[0]
    assert (edited.number, edited.status) == (5, DecisionStatus.IMPLEMENTED)
    assert background(tab, row) is None  # done, so no longer overdue
    assert "The 2nd GA was held online" in tab.detail.toPlainText()
    assert tab.status_text() == "12 decisions · 11 open · 5 overdue"
    undo_stack.undo()
    assert tab.selected_records()[0].status is DecisionStatus.ADOPTED
    assert tab.selected_records()[0].follow_up is None
    assert background(tab, row) is not None


def test_a_stale_edit_offers_to_reload(
    monkeypatch: pytest.MonkeyPatch,
    tab: DecisionsTab,
    demo_services: Services,
    answers: dict[str, Any],
) -> None:
    select_row(tab, (4, 9))
    opened: list[DecisionDialog] = []

    def fill(dialog: DecisionDialog) -> None:
        # Meanwhile a colleague on another desktop records progress on the same decision.
        record = dialog.record
        demo_services.decisions.update(
            record.id,
            record.version,
            replace(DecisionData.from_record(record), follow_up="Office opened in Nairobi."),
        )
        dialog.follow_up.setPlainText("Looking for a host in Latin America.")

    drive_dialog(monkeypatch, DecisionDialog, fill, opened)
    tab.edit_selected()
    assert answers["seen"][0][0] == "conflict"
    assert "changed by someone else" in answers["seen"][0][1]
    assert opened[0].follow_up.toPlainText() == "Office opened in Nairobi."  # reloaded
    assert demo_services.decisions.get(opened[0].record.id).follow_up == "Office opened in Nairobi."


def test_delete_asks_and_undo_brings_back_the_organizations(
    tab: DecisionsTab, undo_stack: QUndoStack, answers: dict[str, Any], demo_services: Services
) -> None:
    select_row(tab, (4, 3))
    answers["confirm"] = False
    tab.delete_selected()
    assert tab.model.rowCount() == 12
    answers["confirm"] = True
    tab.delete_selected()
    assert (4, 3) not in rows(tab)
    assert "4th Governing Board meeting, no. 3: Endorsed all the 8" in answers["seen"][-1][1]
    assert tab.board_meeting_texts()[1] == f"{FOURTH} (9 decisions)"
    undo_stack.undo()
    assert (4, 3) in rows(tab)
    assert len(decision_of(demo_services, 4, 3).organizations) == 8


def test_clicking_an_organization_opens_it(
    qtbot: Any, tab: DecisionsTab, demo_services: Services
) -> None:
    tab.resize(1300, 700)
    tab.show()
    qtbot.waitExposed(tab)
    select_row(tab, (4, 3))
    text = tab.detail.toPlainText()
    assert "Cuban Academy of Sciences" in text
    assert "Instituto de Astrofísica de Canarias (IAC)" in text
    cuba = demo_services.organizations.find_by_name("Cuban Academy of Sciences")
    found = tab.detail.document().find("Cuban Academy of Sciences")
    cursor = QTextCursor(tab.detail.document())
    cursor.setPosition(found.selectionStart() + 3)
    point = tab.detail.cursorRect(cursor).center()
    with qtbot.waitSignal(tab.open_organization, timeout=1000) as clicked:
        qtbot.mouseClick(tab.detail.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert clicked.args == [cuba.id]
    select_row(tab, (4, 1))
    assert "No organizations linked." in tab.detail.toPlainText()


def test_organizations_are_picked_by_typing(
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
    tab: DecisionsTab,
    demo_services: Services,
    answers: dict[str, Any],
) -> None:
    select_row(tab, (4, 4))
    cuba = demo_services.organizations.find_by_name("Cuban Academy of Sciences")
    opened: list[DecisionDialog] = []

    def fill(dialog: DecisionDialog) -> None:
        dialog.show()
        qtbot.waitExposed(dialog)
        picker = dialog.organizations
        picker.entry.setFocus()
        qtbot.keyClicks(picker.entry, "canar")  # any part of the name, any case
        popup = picker.entry.completer().popup()
        assert popup.isVisible()
        qtbot.keyClick(popup, Qt.Key.Key_Down)
        qtbot.keyClick(popup, Qt.Key.Key_Return)  # picked from the suggestions: added at once
        assert picker.items.item(0).text() == "Instituto de Astrofísica de Canarias (IAC)"
        assert picker.entry.text() == ""
        qtbot.keyClicks(picker.entry, "Academy")  # several match: nothing added, the hint says why
        qtbot.keyClick(picker.entry, Qt.Key.Key_Return)
        assert picker.hint.text().startswith("“Academy” matches ")
        assert picker.count() == 1
        picker.entry.clear()
        qtbot.keyClicks(picker.entry, "cuban academy")
        qtbot.keyClick(picker.entry, Qt.Key.Key_Return)
        assert picker.count() == 2
        assert dialog.isVisible() and dialog.saved is None  # Enter here never saves the dialog
        picker.items.setFocus()
        picker.items.setCurrentRow(picker.chosen_ids().index(cuba.id))
        qtbot.keyClick(picker.items, Qt.Key.Key_Delete)  # changed their mind
        assert picker.count() == 1
        picker.entry.setText("UTAR")  # an acronym, typed but not added: Save keeps it

    drive_dialog(monkeypatch, DecisionDialog, fill, opened)
    tab.edit_selected()
    saved = demo_services.decisions.get(tab.selected_records()[0].id)
    assert [o.acronym for o in saved.organizations] == ["IAC", "UTAR"]
    assert "Universiti Tunku Abdul Rahman (UTAR)" in tab.detail.toPlainText()

    def fill_unknown(dialog: DecisionDialog) -> None:
        dialog.organizations.entry.setText("Royal Society of Atlantis")

    drive_dialog(monkeypatch, DecisionDialog, fill_unknown, opened)
    tab.edit_selected()
    assert opened[1].result() != opened[1].DialogCode.Accepted
    assert opened[1].error_text("organization_ids") == (
        "No organization matches “Royal Society of Atlantis”; add it in the Members tab first."
    )
    assert len(demo_services.decisions.get(saved.id).organizations) == 2
    assert answers["seen"] == []


# --- board meetings ------------------------------------------------------------------------------


def test_add_edit_and_delete_a_board_meeting_with_undo(
    monkeypatch: pytest.MonkeyPatch,
    tab: DecisionsTab,
    undo_stack: QUndoStack,
    answers: dict[str, Any],
    demo_services: Services,
) -> None:
    fifth = "5th Governing Board meeting — 25 Nov 2022"

    def fill_new(dialog: BoardMeetingDialog) -> None:
        assert dialog.number.value() == 5  # the next number is proposed
        dialog.held_on.set_value(date(2022, 11, 25))
        dialog.mode.set_value(MeetingMode.HYBRID)
        dialog.location.setText("Beijing")

    drive_dialog(monkeypatch, BoardMeetingDialog, fill_new)
    tab.new_board_meeting()
    assert tab.board_meeting_texts()[1] == f"{fifth} (0 decisions)"
    assert tab.board_list.currentRow() == 1  # the new one is chosen, and is empty
    assert tab.stack.currentWidget() is tab.empty_label
    assert tab.empty_label.text() == (
        "No decisions recorded for the 5th Governing Board meeting — press Ctrl+N to add one."
    )
    assert undo_stack.undoText() == f"Add board meeting “{fifth}”"

    def fill_edit(dialog: BoardMeetingDialog) -> None:
        assert dialog.location.text() == "Beijing"
        dialog.held_on.set_value(date(2022, 11, 26))

    drive_dialog(monkeypatch, BoardMeetingDialog, fill_edit)
    tab.edit_board_meeting()
    assert tab.board_meeting_texts()[1] == "5th Governing Board meeting — 26 Nov 2022 (0 decisions)"

    undo_stack.undo()
    assert tab.board_meeting_texts()[1] == f"{fifth} (0 decisions)"
    undo_stack.redo()
    assert tab.board_meeting_texts()[1].startswith("5th Governing Board meeting — 26 Nov 2022")
    assert tab.board_list.currentRow() == 1  # still chosen through undo and redo

    tab.delete_board_meeting()
    assert answers["seen"][-1][0] == "confirm"
    assert "5th Governing Board meeting — 26 Nov 2022" in answers["seen"][-1][1]
    assert len(tab.board_meeting_texts()) == 3
    assert tab.board_list.currentRow() == 0
    assert (
        undo_stack.undoText() == "Delete board meeting “5th Governing Board meeting — 26 Nov 2022”"
    )
    undo_stack.undo()
    assert tab.board_meeting_texts()[1] == "5th Governing Board meeting — 26 Nov 2022 (0 decisions)"
    assert demo_services.board_meetings.by_number(5).location == "Beijing"
    undo_stack.redo()
    assert len(tab.board_meeting_texts()) == 3
    assert demo_services.board_meetings.count() == 2


def test_a_board_meeting_with_decisions_cannot_be_deleted(
    qtbot: Any,
    tab: DecisionsTab,
    undo_stack: QUndoStack,
    answers: dict[str, Any],
    demo_services: Services,
) -> None:
    choose_board_meeting(qtbot, tab, FOURTH)
    tab.delete_board_meeting()
    assert answers["seen"] == [
        (
            "warn",
            "The 4th Governing Board meeting has 10 decision(s); delete or move them first",
        )
    ]
    assert demo_services.board_meetings.count() == 2
    assert demo_services.decisions.count() == 12
    assert undo_stack.count() == 0
    assert tab.board_list.currentItem().text() == f"{FOURTH} (10 decisions)"
    assert tab.model.rowCount() == 10


def test_delete_and_edit_keys_in_the_board_meeting_list_act_on_board_meetings(
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
    tab: DecisionsTab,
    answers: dict[str, Any],
    demo_services: Services,
) -> None:
    tab.show()
    qtbot.waitExposed(tab)
    choose_board_meeting(qtbot, tab, THIRD)
    tab.view.selectRow(0)
    tab.board_list.setFocus()
    qtbot.waitUntil(tab.board_list.hasFocus, timeout=1000)
    tab.delete_selected()  # what Edit › Delete calls: the board meeting, not decision 3/1
    assert answers["seen"][-1][0] == "warn"
    assert "3rd Governing Board meeting has 2 decision(s)" in answers["seen"][-1][1]
    assert demo_services.decisions.count() == 12
    opened: list[BoardMeetingDialog] = []
    drive_dialog(monkeypatch, BoardMeetingDialog, lambda d: d.location.setText("Beijing"), opened)
    tab.edit_selected()  # what F2 calls: the board meeting, not decision 3/1
    assert opened[-1].number.value() == 3
    qtbot.keyClick(tab.board_list, Qt.Key.Key_Return)  # Enter in the list edits it too
    assert len(opened) == 2
    assert demo_services.board_meetings.by_number(3).location == "Beijing"
    tab.view.setFocus()
    qtbot.waitUntil(tab.view.hasFocus, timeout=1000)
    decisions: list[DecisionDialog] = []
    drive_dialog(monkeypatch, DecisionDialog, lambda d: None, decisions)
    tab.edit_selected()  # back in the grid: F2 edits the decision
    assert len(opened) == 2
    assert [(d.record.board_meeting.number, d.record.number) for d in decisions] == [(3, 1)]


def test_the_board_meeting_dialog_links_the_meeting_of_that_day_and_refuses_a_taken_number(
    qtbot: Any, demo_services: Services
) -> None:
    dialog = BoardMeetingDialog(demo_services)
    qtbot.addWidget(dialog)
    assert dialog.meeting.currentData() is None
    dialog.held_on.set_value(date(2021, 10, 9))
    assert dialog.meeting.currentText() == (
        "9 Oct 2021 — The Fourth ANSO Governing Board Meeting Held Online"
    )
    dialog.number.set_value(4)
    dialog.accept()
    assert dialog.error_text("number") == "The 4th Governing Board meeting already exists"
    assert demo_services.board_meetings.count() == 2
    fourth = demo_services.board_meetings.by_number(4)
    editing = BoardMeetingDialog(demo_services, fourth)
    qtbot.addWidget(editing)
    assert editing.meeting.currentData() == fourth.meeting_id is not None
    assert editing.collect().mode is MeetingMode.ONLINE


# --- empty states --------------------------------------------------------------------------------


def test_an_empty_database_says_what_to_do_and_ctrl_n_starts_with_the_board_meeting(
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
    empty_services: Services,
    undo_stack: QUndoStack,
    answers: dict[str, Any],
) -> None:
    tab = DecisionsTab(empty_services, undo_stack)
    qtbot.addWidget(tab)
    assert tab.stack.currentWidget() is tab.empty_label
    assert tab.empty_label.text() == (
        "No board meetings yet — add the first one with “New board meeting”."
    )
    assert tab.board_meeting_texts() == ["All board meetings"]
    assert tab.status_text() == "0 decisions"

    def fill_board(dialog: BoardMeetingDialog) -> None:
        assert dialog.number.value() == 1
        dialog.held_on.set_value(date(2018, 11, 4))

    def fill_decision(dialog: DecisionDialog) -> None:
        assert dialog.board_meeting.currentText() == "1st Governing Board meeting — 4 Nov 2018"
        dialog.text_edit.setPlainText("Elected the first President of ANSO.")

    drive_dialog(monkeypatch, BoardMeetingDialog, fill_board)
    drive_dialog(monkeypatch, DecisionDialog, fill_decision)
    tab.new_record()
    assert answers["seen"][0][0] == "inform"
    assert "Add the board meeting first" in answers["seen"][0][1]
    assert rows(tab) == [(1, 1)]
    assert tab.board_meeting_texts()[1] == "1st Governing Board meeting — 4 Nov 2018 (1 decision)"
    assert tab.status_text() == "1 decision · 1 open"
    assert undo_stack.count() == 2
    undo_stack.undo()
    assert tab.empty_label.text() == (
        "No decisions recorded for the 1st Governing Board meeting — press Ctrl+N to add one."
    )
    tab.clear_filters()
    assert tab.empty_label.text() == "No decisions yet — press Ctrl+N to add one."
