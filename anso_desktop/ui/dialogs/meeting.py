"""Add or edit a meeting. A new meeting's kind follows its title as it is typed ("ANSO Workshop
on ..." is a workshop) until the user picks a kind; an existing meeting keeps the kind it has."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QWidget

from anso_desktop.domain import MeetingKind, MeetingMode
from anso_desktop.services.meetings import MeetingData, OrganizerData
from anso_desktop.storage.models import Meeting
from anso_desktop.ui.dialogs.base import RecordDialog
from anso_desktop.ui.widgets.inputs import (
    ChoiceCombo,
    IntegerEdit,
    OptionalDateEdit,
    OrderedListEditor,
)


class MeetingDialog(RecordDialog[Meeting]):
    noun = "meeting"

    def build_form(self) -> None:
        self.title_edit = self.add_field("title", "Title", QLineEdit(), required=True)
        self.kind = self.add_field("kind", "Kind", ChoiceCombo(MeetingKind))
        dates = QWidget()
        row = QHBoxLayout(dates)
        row.setContentsMargins(0, 0, 0, 0)
        self.start = OptionalDateEdit()
        self.end = OptionalDateEdit()
        self.end.setToolTip("Leave empty for a one-day meeting")
        row.addWidget(self.start)
        row.addWidget(QLabel("to"))
        row.addWidget(self.end)
        row.addStretch(1)
        self.add_field("start_date", "Dates", dates, required=True)
        self._fields["end_date"] = self.end  # its message shows under the dates row
        self._errors["end_date"] = self._errors["start_date"]
        self.mode = self.add_field("mode", "Mode", ChoiceCombo(MeetingMode, blank="Not recorded"))
        self.location = self.add_field("location", "Location", QLineEdit())
        names = self._organization_names()
        self.organizers = self.add_field("organizers", "Organizers", OrderedListEditor(names))
        counts = QWidget()
        counts_row = QHBoxLayout(counts)
        counts_row.setContentsMargins(0, 0, 0, 0)
        self.participants = IntegerEdit()
        self.countries = IntegerEdit()
        counts_row.addWidget(self.participants)
        counts_row.addWidget(QLabel("participants from"))
        counts_row.addWidget(self.countries)
        counts_row.addWidget(QLabel("countries"))
        self.add_field("participants_count", "Attendance", counts)
        self._fields["countries_count"] = self.countries
        self._errors["countries_count"] = self._errors["participants_count"]
        self.notes = self.add_field("notes", "Notes", QPlainTextEdit())
        self.notes.setMaximumHeight(80)
        self.start.set_value(date.today())  # a new meeting: today until told otherwise
        self._kind_by_hand = self.record is not None
        self._following_title = False
        self._starting_kind = self.kind.value()
        self.kind.currentIndexChanged.connect(self._kind_chosen)
        self.kind.activated.connect(self._kind_chosen)  # the same kind picked again counts too
        if self.record is None:
            self.kind.setToolTip("Follows the title until you choose one")
            self.title_edit.textChanged.connect(self._follow_title)

    def _kind_chosen(self) -> None:
        if not self._following_title:
            self._kind_by_hand = True

    def _follow_title(self, title: str) -> None:
        """The kind the title names, or the starting one when it names none."""
        if self._kind_by_hand:
            return
        self._following_title = True
        try:
            self.kind.set_value(MeetingKind.from_title(title) or self._starting_kind)
        finally:
            self._following_title = False

    def _organization_names(self) -> list[str]:
        return self.services.organizations.names_for_suggestions()

    def fill(self, record: Meeting) -> None:
        self.title_edit.setText(record.title)
        self.title_edit.setCursorPosition(0)
        self.kind.set_value(record.kind)
        self.start.set_value(record.start_date)
        self.end.set_value(record.end_date if record.end_date != record.start_date else None)
        self.mode.set_value(record.mode)
        self.location.setText(record.location or "")
        self.organizers.set_values(o.name for o in record.organizers)
        self.participants.set_value(record.participants_count)
        self.countries.set_value(record.countries_count)
        self.notes.setPlainText(record.notes or "")

    def collect(self) -> MeetingData:
        return MeetingData(
            title=self.title_edit.text(),
            start_date=self.start.value(),
            end_date=self.end.value(),
            kind=self.kind.value() or MeetingKind.OTHER,  # type: ignore[arg-type]
            mode=self.mode.value(),  # type: ignore[arg-type]
            location=self.location.text(),
            organizers=tuple(OrganizerData(name) for name in self.organizers.values()),
            participants_count=self.participants.value(),
            countries_count=self.countries.value(),
            notes=self.notes.toPlainText(),
        )

    def save(self, data: MeetingData) -> Meeting:
        if self.record is None:
            return self.services.meetings.create(data)
        return self.services.meetings.update(self.record.id, self.record.version, data)

    def reread(self) -> Meeting:
        assert self.record is not None
        return self.services.meetings.get(self.record.id)
