"""Add or edit a Governing Board decision, or a Governing Board meeting."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from anso_desktop.domain import DecisionStatus, MeetingKind, MeetingMode
from anso_desktop.errors import ValidationError
from anso_desktop.services.base import ListQuery
from anso_desktop.services.decisions import (
    BoardMeetingData,
    DecisionData,
    OrganizationChoice,
    board_meeting_title,
)
from anso_desktop.storage.models import BoardMeeting, Decision, Meeting
from anso_desktop.tables.formatting import format_date
from anso_desktop.ui.dialogs.base import RecordDialog
from anso_desktop.ui.widgets.inputs import (
    ChoiceCombo,
    IntegerEdit,
    OptionalDateEdit,
    SuggestingLineEdit,
)


def board_meeting_label(record: BoardMeeting) -> str:
    """How a board meeting reads in lists: "4th Governing Board meeting — 9 Oct 2021"."""
    return f"{board_meeting_title(record)} — {format_date(record.date)}"


@runtime_checkable
class BoardMeetingContext(Protocol):
    """A parent that shows one board meeting: a new decision opened from it starts there.

    (RecordDialog.ask takes no defaults for a new record, so the dialog asks its parent.)
    """

    def current_board_meeting_id(self) -> int | None: ...


class _ChosenList(QListWidget):
    """The picked organizations; Delete or Backspace removes the selected ones."""

    delete_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selectedItems():
            self.delete_pressed.emit()
            return
        super().keyPressEvent(event)


class _PickerEntry(SuggestingLineEdit):
    """Enter adds the organization typed; it must not also press the dialog's Save button."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        pending = bool(self.text().strip())
        super().keyPressEvent(event)
        if pending and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()


class OrganizationPicker(QWidget):
    """Several organizations picked by typing any part of a name or acronym; keeps their ids.

    Only organizations already in the register can be picked: a decision links to records, and a
    name typed here that matches none is reported rather than silently dropped.
    """

    changed = Signal()

    def __init__(
        self, choices: Sequence[OrganizationChoice], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._choices = {choice.id: choice for choice in choices}
        self.entry = _PickerEntry(choice.label for choice in choices)
        self.entry.setPlaceholderText("Type part of a name or acronym, then Enter")
        self.entry.returnPressed.connect(self.add_from_entry)
        self.entry.completer().activated.connect(lambda _text: self.add_from_entry())
        self.items = _ChosenList()
        self.items.setMaximumHeight(130)
        self.items.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.items.delete_pressed.connect(self.remove_selected)
        add = QPushButton("Add")
        add.clicked.connect(self.add_from_entry)
        self.remove = QPushButton("Remove")
        self.remove.setToolTip("Remove the selected organizations from this decision (Delete)")
        self.remove.clicked.connect(self.remove_selected)
        self.hint = QLabel()
        self.hint.setStyleSheet("color: #616161;")
        self.hint.setWordWrap(True)
        self.hint.hide()
        entry_row = QHBoxLayout()
        entry_row.addWidget(self.entry, 1)
        entry_row.addWidget(add)
        list_row = QHBoxLayout()
        list_row.addWidget(self.items, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(self.remove)
        buttons.addStretch(1)
        list_row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(entry_row)
        layout.addWidget(self.hint)
        layout.addLayout(list_row)

    # --- values --------------------------------------------------------------------------------

    def values(self) -> list[int]:
        """The chosen ids, plus the one typed but not yet added (Save keeps what was typed);
        ValidationError when the typed text names no single organization."""
        ids = self.chosen_ids()
        pending = self.entry.text().strip()
        if pending:
            matches = self.matches(pending)
            if len(matches) != 1:
                raise ValidationError.single("organization_ids", self._no_match_text(pending))
            if matches[0].id not in ids:
                ids.append(matches[0].id)
        return ids

    def chosen_ids(self) -> list[int]:
        return [self.items.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.count())]

    def count(self) -> int:
        return self.items.count()

    def set_values(self, ids: Iterable[int]) -> None:
        self.items.clear()
        for organization_id in ids:
            self._append(organization_id)

    # --- matching ------------------------------------------------------------------------------

    def matches(self, text: str) -> list[OrganizationChoice]:
        """The organization `text` names: exactly (label, name or acronym), or else every one
        whose name or acronym contains it."""
        wanted = " ".join(text.split()).casefold()
        exact = [
            choice
            for choice in self._choices.values()
            if wanted in (choice.label.casefold(), choice.name.casefold())
            or wanted == (choice.acronym or "").casefold()
        ]
        if exact:
            return exact
        return [choice for choice in self._choices.values() if wanted in choice.label.casefold()]

    def _no_match_text(self, text: str) -> str:
        found = len(self.matches(text))
        if found == 0:
            return f"No organization matches “{text}”; add it in the Members tab first."
        return f"“{text}” matches {found} organizations; pick one from the suggestions."

    # --- editing -------------------------------------------------------------------------------

    def add_from_entry(self) -> None:
        text = self.entry.text().strip()
        if not text:
            return
        matches = self.matches(text)
        if len(matches) != 1:
            self.hint.setText(self._no_match_text(text))
            self.hint.show()
            return
        self.hint.hide()
        if matches[0].id not in self.chosen_ids():
            self._append(matches[0].id)
            self.changed.emit()
        self.entry.clear()

    def remove_selected(self) -> None:
        for item in self.items.selectedItems():
            self.items.takeItem(self.items.row(item))
        self.changed.emit()

    def _append(self, organization_id: int) -> None:
        choice = self._choices.get(organization_id)
        item = QListWidgetItem(choice.label if choice else f"Organization #{organization_id}")
        item.setData(Qt.ItemDataRole.UserRole, organization_id)
        self.items.addItem(item)


class DecisionDialog(RecordDialog[Decision]):
    noun = "decision"

    def build_form(self) -> None:
        self.setMinimumWidth(640)
        self.board_meeting = self.add_field(
            "board_meeting_id", "Board meeting", QComboBox(), required=True
        )
        for record in self.services.board_meetings.list(
            ListQuery(sort="date", descending=True)
        ).rows:
            self.board_meeting.addItem(board_meeting_label(record), record.id)
        if self.board_meeting.count() == 0:
            self.board_meeting.setPlaceholderText("No board meetings yet: add one first")
        self.number = self.add_field("number", "Number", IntegerEdit())
        self.number.setMaximumWidth(220)
        self.text_edit = self.add_field("text", "Decision", QPlainTextEdit(), required=True)
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setPlaceholderText("What the Governing Board decided, as in the minutes")
        self.category = self.add_field(
            "category", "Category", SuggestingLineEdit(self.services.decisions.categories())
        )
        self.category.setPlaceholderText("e.g. Membership, Work plan")
        self.status = self.add_field("status", "Status", ChoiceCombo(DecisionStatus))
        self.owner = self.add_field(
            "owner", "Owner", SuggestingLineEdit(self.services.decisions.owners())
        )
        self.owner.setPlaceholderText("Who follows it up")
        self.due = self.add_field("due_date", "Due", OptionalDateEdit())
        self.due.setMaximumWidth(220)
        self.due.setToolTip("Leave empty when there is no deadline (Delete clears the date)")
        self.follow_up = self.add_field("follow_up", "Follow-up notes", QPlainTextEdit())
        self.follow_up.setTabChangesFocus(True)
        self.follow_up.setMaximumHeight(80)
        self.organizations = self.add_field(
            "organization_ids",
            "Concerns",
            OrganizationPicker(self.services.decisions.organization_choices()),
        )
        self.organizations.setToolTip("The organizations this decision is about")
        self.board_meeting.currentIndexChanged.connect(lambda _index: self._show_next_number())
        if self.record is None:
            parent = self.parentWidget()
            if isinstance(parent, BoardMeetingContext):
                self.set_board_meeting(parent.current_board_meeting_id())
        self._show_next_number()

    def set_board_meeting(self, board_meeting_id: int | None) -> None:
        index = self.board_meeting.findData(board_meeting_id)
        if index >= 0:
            self.board_meeting.setCurrentIndex(index)

    def _show_next_number(self) -> None:
        """An empty number means the next free one: say which, so nobody has to look it up."""
        board_meeting_id = self.board_meeting.currentData()
        if board_meeting_id is None:
            self.number.setPlaceholderText("")
            return
        if self.record is not None and self.record.board_meeting_id == board_meeting_id:
            text = f"Keep {self.record.number}"
        else:
            text = f"Next free: {self.services.decisions.next_number(board_meeting_id)}"
        self.number.setPlaceholderText(text)

    def fill(self, record: Decision) -> None:
        self.set_board_meeting(record.board_meeting_id)
        self.number.set_value(record.number)
        self.text_edit.setPlainText(record.text)
        self.category.setText(record.category or "")
        self.status.set_value(record.status)
        self.owner.setText(record.owner or "")
        self.due.set_value(record.due_date)
        self.follow_up.setPlainText(record.follow_up or "")
        self.organizations.set_values(o.id for o in record.organizations)
        self._show_next_number()

    def collect(self) -> DecisionData:
        return DecisionData(
            board_meeting_id=self.board_meeting.currentData(),
            text=self.text_edit.toPlainText(),
            number=self.number.value(),
            category=self.category.text(),
            status=DecisionStatus(self.status.value() or DecisionStatus.PROPOSED),
            owner=self.owner.text(),
            due_date=self.due.value(),
            follow_up=self.follow_up.toPlainText(),
            organization_ids=tuple(self.organizations.values()),
        )

    def save(self, data: DecisionData) -> Decision:
        if self.record is None:
            return self.services.decisions.create(data)
        return self.services.decisions.update(self.record.id, self.record.version, data)

    def reread(self) -> Decision:
        assert self.record is not None
        return self.services.decisions.get(self.record.id)


class BoardMeetingDialog(RecordDialog[BoardMeeting]):
    noun = "board meeting"

    def build_form(self) -> None:
        self.number = self.add_field("number", "Number", IntegerEdit(), required=True)
        self.number.setMaximumWidth(120)
        self.number.setToolTip("4 for the 4th Governing Board meeting")
        self.held_on = self.add_field("date", "Date", OptionalDateEdit(), required=True)
        self.held_on.setMaximumWidth(220)
        self.mode = self.add_field("mode", "Mode", ChoiceCombo(MeetingMode, blank="Not recorded"))
        self.location = self.add_field("location", "Location", QLineEdit())
        self.meeting = self.add_field("meeting_id", "Meetings tab entry", QComboBox())
        self.meeting.setToolTip("The entry of the Meetings tab this board meeting corresponds to")
        # Meeting titles are long: let the combo shrink instead of squeezing the labels.
        self.meeting.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.meeting.setMinimumContentsLength(30)
        self.notes = self.add_field("notes", "Notes", QPlainTextEdit())
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(80)
        self._fill_meetings(None)
        if self.record is None:
            self.number.set_value(self.services.board_meetings.next_number())
            self.held_on.dateChanged.connect(lambda _date: self._suggest_meeting())

    def _fill_meetings(self, linked_id: int | None) -> None:
        """Board meetings of the Meetings list, newest first (plus the linked one, whatever its
        kind)."""
        meetings = self.services.meetings.list(
            ListQuery(
                filters={"kind": MeetingKind.BOARD_MEETING.value},
                sort="start_date",
                descending=True,
            )
        ).rows
        if linked_id is not None and all(m.id != linked_id for m in meetings):
            meetings.append(self.services.meetings.get(linked_id))
        self._meetings: list[Meeting] = meetings
        self.meeting.clear()
        self.meeting.addItem("Not in the Meetings list", None)
        for meeting in meetings:
            self.meeting.addItem(f"{format_date(meeting.start_date)} — {meeting.title}", meeting.id)
        self.meeting.setCurrentIndex(max(self.meeting.findData(linked_id), 0))

    def _suggest_meeting(self) -> None:
        """A new board meeting held on the day of a board meeting in the Meetings list is that
        meeting: link it unless the user already chose."""
        if self.meeting.currentData() is not None:
            return
        held_on = self.held_on.value()
        for meeting in self._meetings:
            if meeting.start_date == held_on:
                self.meeting.setCurrentIndex(self.meeting.findData(meeting.id))
                return

    def fill(self, record: BoardMeeting) -> None:
        self.number.set_value(record.number)
        self.held_on.set_value(record.date)
        self.mode.set_value(record.mode)
        self.location.setText(record.location or "")
        self._fill_meetings(record.meeting_id)
        self.notes.setPlainText(record.notes or "")

    def collect(self) -> BoardMeetingData:
        return BoardMeetingData(
            number=self.number.value(),
            date=self.held_on.value(),
            mode=MeetingMode(mode) if (mode := self.mode.value()) else None,
            location=self.location.text(),
            meeting_id=self.meeting.currentData(),
            notes=self.notes.toPlainText(),
        )

    def save(self, data: BoardMeetingData) -> BoardMeeting:
        if self.record is None:
            return self.services.board_meetings.create(data)
        return self.services.board_meetings.update(self.record.id, self.record.version, data)

    def reread(self) -> BoardMeeting:
        assert self.record is not None
        return self.services.board_meetings.get(self.record.id)
