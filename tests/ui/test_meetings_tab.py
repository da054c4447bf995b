"""The Meetings tab, driven as a secretary would: find, add, edit, delete, undo, filter, sort."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack

from anso_desktop.domain import MeetingKind, MeetingMode
from anso_desktop.services import Services
from anso_desktop.services.meetings import MeetingData, OrganizerData
from anso_desktop.ui.dialogs.meeting import MeetingDialog
from anso_desktop.ui.tabs.meetings import MeetingsTab
from tests.ui.conftest import drive_dialog

BLACK_SOIL = "The international forum on black soil conservation and utilization held in Changchun"


@pytest.fixture
def tab(qtbot: Any, demo_services: Services, undo_stack: QUndoStack) -> MeetingsTab:
    widget = MeetingsTab(demo_services, undo_stack)
    qtbot.addWidget(widget)
    return widget


def titles(tab: MeetingsTab) -> list[str]:
    return [tab.model.record_at(row).title for row in range(tab.model.rowCount())]


def select_title(tab: MeetingsTab, title: str) -> None:
    row = titles(tab).index(title)
    tab.view.selectRow(row)


def test_the_model_passes_qt_model_tests(tab: MeetingsTab, qtmodeltester: Any) -> None:
    qtmodeltester.check(tab.model, force_py=True)


def test_opens_with_the_latest_meeting_first_and_compact_dates(tab: MeetingsTab) -> None:
    assert tab.model.rowCount() == 38
    first = tab.model.record_at(0)
    assert first.start_date == date(2021, 12, 20)  # the TIB training course, 20–30 Dec 2021
    rows = titles(tab)
    row = rows.index("ANSO online open conference: agriculture and food security")
    assert tab.model.index(row, 0).data() == "21–23 Apr 2021"
    organizers = tab.model.columns.index(tab.spec.column("organizers"))
    forum = rows.index(
        "The 11th Forum on China's Rural Water Environment Governance and the Forum on "
        "Environmental Infrastructures in Rural Area"
    )
    assert tab.model.index(forum, organizers).data().split("; ")[0].casefold() == "rcees"
    assert tab.status_text() == "38 meetings"


def test_search_filters_as_you_type(qtbot: Any, tab: MeetingsTab) -> None:
    qtbot.keyClicks(tab.search, "black soil")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=2000)
    assert titles(tab) == [BLACK_SOIL]
    qtbot.keyClicks(tab.search, "x")  # "black soilx" matches nothing
    qtbot.waitUntil(lambda: tab.model.rowCount() == 0, timeout=2000)
    assert tab.stack.currentWidget() is tab.empty_label
    assert "Ctrl+Shift+L" in tab.empty_label.text()
    tab.clear_filters()
    assert tab.model.rowCount() == 38
    assert tab.search.text() == ""


def test_search_finds_organizers(qtbot: Any, tab: MeetingsTab) -> None:
    tab.search.setText("ITPCAS")
    tab.apply_query()
    assert len(titles(tab)) == 1  # the 10.15 COP15 session, once: both lists name it


def test_each_filter(tab: MeetingsTab, demo_services: Services) -> None:
    tab.kind.setCurrentIndex(tab.kind.findData(MeetingKind.SIGNING.value))
    assert sorted(titles(tab)) == [
        "MoU with Liaoning provincial people's government",
        "MoU with construction investment in Engineering Technology Co., Itd (CCIG)",
    ]
    tab.clear_filters()
    tab.mode.setCurrentIndex(tab.mode.findData(MeetingMode.ONSITE.value))
    assert titles(tab) == ['Exhibition "The Beauty of Life on Earth"']
    tab.clear_filters()
    tab.year.setCurrentIndex(tab.year.findData(2020))
    assert tab.year.findData(2020) == -1  # no meetings in 2020: no such choice
    demo_services.meetings.create(
        MeetingData(
            title="Host the Second ANSO GA",
            start_date=date(2023, 5, 10),
            kind=MeetingKind.GENERAL_ASSEMBLY,
        )
    )
    tab.refresh()
    tab.year.setCurrentIndex(tab.year.findData(2023))
    assert titles(tab) == ["Host the Second ANSO GA"]
    tab.kind.setCurrentIndex(tab.kind.findData(MeetingKind.WORKSHOP.value))
    assert tab.model.rowCount() == 0
    assert (
        tab.empty_label.text()
        == "No meetings match the search and filters — press Ctrl+Shift+L to clear them."
    )
    demo_services.meetings.delete(demo_services.meetings.list().rows[-1].id)
    tab.refresh()
    assert tab.year.currentData() == 2023  # the filter still says what the grid shows
    tab.kind.setCurrentIndex(0)
    assert tab.model.rowCount() == 0
    assert tab.empty_label.text() == "No meetings in 2023 — press Ctrl+N to add one."


def test_upcoming_meetings_are_marked_and_filterable(
    tab: MeetingsTab, demo_services: Services
) -> None:
    soon = date.today() + timedelta(days=30)
    demo_services.meetings.create(
        MeetingData(
            title="The Second ANSO General Assembly",
            start_date=soon,
            kind=MeetingKind.GENERAL_ASSEMBLY,
        )
    )
    tab.refresh()
    assert tab.model.record_at(0).title == "The Second ANSO General Assembly"
    assert tab.model.index(0, 1).data(Qt.ItemDataRole.FontRole).bold()
    assert tab.model.index(1, 1).data(Qt.ItemDataRole.FontRole) is None
    tab.upcoming.setChecked(True)
    assert titles(tab) == ["The Second ANSO General Assembly"]
    assert tab.status_text() == "1 meeting · 1 upcoming"


def test_sorting_by_clicking_headers(tab: MeetingsTab) -> None:
    title_section = tab.model.columns.index(tab.spec.column("title"))
    tab.view.sortByColumn(title_section, Qt.SortOrder.AscendingOrder)
    listed = titles(tab)
    assert listed[0] == "2021 annual symposium of the ANSO-MISSPAD project"
    assert tab.model.query.sort == "title"
    tab.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert tab.model.record_at(0).start_date == date(2021, 1, 19)


def test_add_a_meeting(
    monkeypatch: pytest.MonkeyPatch, tab: MeetingsTab, undo_stack: QUndoStack
) -> None:
    def fill(dialog: MeetingDialog) -> None:
        dialog.title_edit.setText("ANSO Workshop on Basic Sciences for Sustainable Development")
        dialog.kind.set_value(MeetingKind.WORKSHOP)
        dialog.start.set_value(date(2022, 7, 4))
        dialog.end.set_value(date(2022, 7, 5))
        dialog.mode.set_value(MeetingMode.HYBRID)
        dialog.organizers.set_values(["MTA", "XIEG, CAS"])

    drive_dialog(monkeypatch, MeetingDialog, fill)
    tab.new_record()
    assert tab.model.rowCount() == 39
    created = tab.selected_records()[0]
    assert created.title == "ANSO Workshop on Basic Sciences for Sustainable Development"
    assert [o.name for o in created.organizers] == ["MTA", "XIEG, CAS"]
    assert created.organizers[0].organization_id is not None  # linked to the Hungarian Academy
    assert undo_stack.undoText().startswith("Add meeting")
    undo_stack.undo()
    assert tab.model.rowCount() == 38
    undo_stack.redo()
    assert tab.model.rowCount() == 39


def test_a_refused_field_is_marked_inline_and_the_dialog_stays(
    monkeypatch: pytest.MonkeyPatch, tab: MeetingsTab, demo_services: Services
) -> None:
    opened: list[MeetingDialog] = []

    def fill(dialog: MeetingDialog) -> None:
        dialog.title_edit.setText("ANSO online conference: green technology")
        dialog.start.set_value(date(2021, 6, 11))
        dialog.end.set_value(date(2021, 6, 10))

    drive_dialog(monkeypatch, MeetingDialog, fill, opened)
    tab.new_record()
    dialog = opened[0]
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "before the start date" in dialog.error_text("end_date")
    assert "already starts on that date" in dialog.error_text("title")
    assert dialog.error_text("kind") == ""
    assert tab.model.rowCount() == 38
    dialog.end.set_value(None)
    dialog.title_edit.setText("ANSO online conference: green technology (day 2)")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.error_text("end_date") == ""
    assert demo_services.meetings.count() == 39


def test_edit_and_undo_the_edit(
    monkeypatch: pytest.MonkeyPatch, tab: MeetingsTab, undo_stack: QUndoStack
) -> None:
    select_title(tab, BLACK_SOIL)

    def fill(dialog: MeetingDialog) -> None:
        assert dialog.location.text() == "Changchun"
        dialog.participants.set_value(120)
        dialog.countries.set_value(11)

    drive_dialog(monkeypatch, MeetingDialog, fill)
    tab.edit_selected()
    edited = tab.selected_records()[0]
    assert (edited.participants_count, edited.countries_count) == (120, 11)
    undo_stack.undo()
    assert tab.selected_records()[0].participants_count is None


def test_a_stale_edit_offers_to_reload(
    monkeypatch: pytest.MonkeyPatch,
    tab: MeetingsTab,
    demo_services: Services,
    answers: dict[str, Any],
) -> None:
    select_title(tab, BLACK_SOIL)
    opened: list[MeetingDialog] = []

    def fill(dialog: MeetingDialog) -> None:
        # Meanwhile a colleague on another desktop changes the same meeting.
        record = dialog.record
        demo_services.meetings.update(
            record.id,
            record.version,
            MeetingData.from_record(record).__class__(
                **{**MeetingData.from_record(record).__dict__, "location": "Changchun, Jilin"}
            ),
        )
        dialog.location.setText("Harbin")

    drive_dialog(monkeypatch, MeetingDialog, fill, opened)
    tab.edit_selected()
    assert answers["seen"][0][0] == "conflict"
    assert "changed by someone else" in answers["seen"][0][1]
    assert opened[0].location.text() == "Changchun, Jilin"  # reloaded, nothing overwritten
    assert demo_services.meetings.get(opened[0].record.id).location == "Changchun, Jilin"


def test_delete_asks_and_can_be_undone(
    tab: MeetingsTab, undo_stack: QUndoStack, answers: dict[str, Any], demo_services: Services
) -> None:
    select_title(tab, BLACK_SOIL)
    answers["confirm"] = False
    tab.delete_selected()
    assert tab.model.rowCount() == 38
    answers["confirm"] = True
    tab.delete_selected()
    assert tab.model.rowCount() == 37
    assert BLACK_SOIL in answers["seen"][-1][1]
    undo_stack.undo()
    assert tab.model.rowCount() == 38
    restored = demo_services.meetings.list().rows
    black_soil = next(m for m in restored if m.title == BLACK_SOIL)
    assert black_soil.location == "Changchun"
    assert [o.name for o in black_soil.organizers] == [
        "Northeast Institute of Geography and Agroecology, CAS"
    ]


def test_several_rows_deleted_at_once_come_back_with_one_undo(
    tab: MeetingsTab, undo_stack: QUndoStack, answers: dict[str, Any]
) -> None:
    tab.view.selectRow(0)
    tab.view.selectionModel().select(
        tab.model.index(1, 0),
        tab.view.selectionModel().SelectionFlag.Select
        | tab.view.selectionModel().SelectionFlag.Rows,
    )
    assert len(tab.selected_records()) == 2
    tab.delete_selected()
    assert tab.model.rowCount() == 36
    assert "these 2 meetings" in answers["seen"][-1][1]
    undo_stack.undo()
    assert tab.model.rowCount() == 38


def test_empty_database_says_what_to_do(
    qtbot: Any, empty_services: Services, undo_stack: QUndoStack
) -> None:
    tab = MeetingsTab(empty_services, undo_stack)
    qtbot.addWidget(tab)
    assert tab.stack.currentWidget() is tab.empty_label
    assert tab.empty_label.text() == "No meetings yet — press Ctrl+N to add one."


def test_organizer_text_typed_but_not_added_is_kept(
    monkeypatch: pytest.MonkeyPatch, tab: MeetingsTab
) -> None:
    def fill(dialog: MeetingDialog) -> None:
        dialog.title_edit.setText("Taklimakan desert forum 2022")
        dialog.start.set_value(date(2022, 6, 17))
        dialog.organizers.entry.setText("XIEG, CAS")

    drive_dialog(monkeypatch, MeetingDialog, fill)
    tab.new_record()
    assert [o.name for o in tab.selected_records()[0].organizers] == ["XIEG, CAS"]


def test_organizer_order_is_kept_through_an_edit(demo_services: Services) -> None:
    meeting = demo_services.meetings.create(
        MeetingData(
            title="ANSO Workshop on Women in Science 2022",
            start_date=date(2022, 11, 18),
            organizers=(OrganizerData("MTA"), OrganizerData("OWSD"), OrganizerData("CAS")),
        )
    )
    assert [o.name for o in meeting.organizers] == ["MTA", "OWSD", "CAS"]


def test_undo_follows_a_record_through_edits_and_a_delete(
    monkeypatch: pytest.MonkeyPatch,
    tab: MeetingsTab,
    undo_stack: QUndoStack,
    answers: dict[str, Any],
) -> None:
    """Two edits, a delete, then undo all three: each undo finds the record as it is now."""
    for participants in (50, 60):
        select_title(tab, BLACK_SOIL)
        drive_dialog(
            monkeypatch, MeetingDialog, lambda d, n=participants: d.participants.set_value(n)
        )
        tab.edit_selected()
    select_title(tab, BLACK_SOIL)
    tab.delete_selected()
    assert BLACK_SOIL not in titles(tab)
    undo_stack.undo()  # the delete
    undo_stack.undo()  # the second edit
    select_title(tab, BLACK_SOIL)
    assert tab.selected_records()[0].participants_count == 50
    undo_stack.undo()  # the first edit
    select_title(tab, BLACK_SOIL)
    assert tab.selected_records()[0].participants_count is None
    assert not [seen for seen in answers["seen"] if seen[0] == "warn"]
    undo_stack.redo()
    undo_stack.redo()
    select_title(tab, BLACK_SOIL)
    assert tab.selected_records()[0].participants_count == 60


def test_enter_in_the_organizer_entry_adds_it_without_saving(
    qtbot: Any, demo_services: Services
) -> None:
    dialog = MeetingDialog(demo_services)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.organizers.entry.setFocus()
    qtbot.keyClicks(dialog.organizers.entry, "XIEG, CAS")
    qtbot.keyClick(dialog.organizers.entry, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.organizers.values() == ["XIEG, CAS"]
    assert dialog.kind.value() is MeetingKind.WORKSHOP


# --- the kind follows the title of a new meeting -----------------------------------------------


@pytest.fixture
def new_dialog(qtbot: Any, demo_services: Services) -> MeetingDialog:
    dialog = MeetingDialog(demo_services)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def type_title(qtbot: Any, dialog: MeetingDialog, title: str) -> None:
    dialog.title_edit.clear()
    qtbot.keyClicks(dialog.title_edit, title)


def test_a_new_meetings_kind_follows_the_title_as_it_is_typed(
    qtbot: Any, new_dialog: MeetingDialog
) -> None:
    type_title(qtbot, new_dialog, "Taklimakan desert")
    assert new_dialog.kind.value() is MeetingKind.WORKSHOP  # nothing told yet: as it opened
    qtbot.keyClicks(new_dialog.title_edit, " forum")
    assert new_dialog.kind.value() is MeetingKind.FORUM
    type_title(qtbot, new_dialog, "The Second ANSO General Assembly")
    assert new_dialog.kind.value() is MeetingKind.GENERAL_ASSEMBLY
    type_title(qtbot, new_dialog, "Second International Training Course on Synthetic Biology")
    assert new_dialog.kind.value() is MeetingKind.TRAINING
    type_title(qtbot, new_dialog, "The Fourth ANSO Governing Board Meeting")
    assert new_dialog.kind.value() is MeetingKind.BOARD_MEETING
    type_title(qtbot, new_dialog, "WWRP/WCRP S2S project phase II")
    assert new_dialog.kind.value() is MeetingKind.WORKSHOP  # names none: back to the first


def test_a_kind_chosen_by_hand_is_kept_whatever_the_title(
    qtbot: Any, new_dialog: MeetingDialog
) -> None:
    type_title(qtbot, new_dialog, "ANSO Workshop on Global Health")
    assert new_dialog.kind.value() is MeetingKind.WORKSHOP
    new_dialog.kind.setFocus()
    qtbot.keyClick(new_dialog.kind, Qt.Key.Key_Down)  # the user picks the next kind
    assert new_dialog.kind.value() is MeetingKind.CONFERENCE
    type_title(qtbot, new_dialog, "Taklimakan desert forum")
    assert new_dialog.kind.value() is MeetingKind.CONFERENCE


def test_picking_the_kind_the_title_gave_also_keeps_it(
    qtbot: Any, new_dialog: MeetingDialog
) -> None:
    type_title(qtbot, new_dialog, "Taklimakan desert forum")
    new_dialog.kind.activated.emit(new_dialog.kind.currentIndex())  # chosen again from the list
    type_title(qtbot, new_dialog, "ANSO Workshop on Global Health")
    assert new_dialog.kind.value() is MeetingKind.FORUM


def test_editing_a_meeting_never_changes_its_kind(qtbot: Any, demo_services: Services) -> None:
    record = next(
        m for m in demo_services.meetings.list().rows if m.title == "WWRP/WCRP S2S project phase II"
    )
    dialog = MeetingDialog(demo_services, demo_services.meetings.get(record.id))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.kind.value() is MeetingKind.OTHER
    dialog.title_edit.end(False)
    qtbot.keyClicks(dialog.title_edit, " workshop")
    assert dialog.title_edit.text() == "WWRP/WCRP S2S project phase II workshop"
    assert dialog.kind.value() is MeetingKind.OTHER
    dialog.accept()
    assert demo_services.meetings.get(record.id).kind is MeetingKind.OTHER


def test_a_new_meeting_is_saved_with_the_kind_its_title_names(
    monkeypatch: pytest.MonkeyPatch, tab: MeetingsTab
) -> None:
    def fill(dialog: MeetingDialog) -> None:
        dialog.title_edit.setText("The Second ANSO General Assembly")
        dialog.start.set_value(date(2022, 11, 28))

    drive_dialog(monkeypatch, MeetingDialog, fill)
    tab.new_record()
    created = tab.selected_records()[0]
    assert created.title == "The Second ANSO General Assembly"
    assert created.kind is MeetingKind.GENERAL_ASSEMBLY
