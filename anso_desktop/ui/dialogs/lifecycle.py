"""The dialogs behind the Members tab's lifecycle actions: endorse at a board meeting, approve at a
General Assembly, change status. Each asks only what its action needs and hands back the choice;
the tab makes the change through the services, so tests can drive the dialog or patch `ask`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import ClassVar, Generic, Self, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from anso_desktop.domain import MEMBER_TRANSITIONS, MeetingKind, MemberStatus
from anso_desktop.errors import ValidationError
from anso_desktop.services import Services
from anso_desktop.services.base import ListQuery
from anso_desktop.services.decisions import board_meeting_title
from anso_desktop.storage.models import Organization
from anso_desktop.tables.formatting import format_date
from anso_desktop.ui.widgets.inputs import ChoiceCombo, OptionalDateEdit

ChoiceT = TypeVar("ChoiceT")

_ERROR_STYLE = "color: #c62828;"
_SHOWN_NAMES = 8


@dataclass(frozen=True)
class Endorsement:
    """Endorse at `board_meeting_id`: by the existing `decision_id`, or (None) by a new decision
    with `decision_text`."""

    board_meeting_id: int
    decision_id: int | None
    decision_text: str | None
    on: date


@dataclass(frozen=True)
class Approval:
    """Approve at the General Assembly `general_assembly_id`, or (None) just on a date."""

    general_assembly_id: int | None
    on: date


@dataclass(frozen=True)
class StatusChange:
    status: MemberStatus
    on: date


def join_names(names: Sequence[str]) -> str:
    """X; X and Y; X, Y and Z — as a decision's text names them."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def new_decision_text(names: Sequence[str]) -> str:
    noun = "application" if len(names) == 1 else "applications"
    return f"Endorsed the {noun} of {join_names(names)} to join ANSO."


class LifecycleDialog(QDialog, Generic[ChoiceT]):
    """A small form about the selected organizations; OK hands back `chosen`."""

    title: ClassVar[str]
    ok_text: ClassVar[str]

    def __init__(
        self, services: Services, organizations: Sequence[Organization], parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.organizations = list(organizations)
        self.chosen: ChoiceT | None = None
        self.setWindowTitle(self.title)
        self.setMinimumWidth(520)
        self.summary = QLabel(self.summary_text())
        self.summary.setWordWrap(True)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.error = QLabel()
        self.error.setStyleSheet(_ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.ok_text)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.build_form()

    # --- for subclasses ------------------------------------------------------------------------

    def summary_text(self) -> str:
        raise NotImplementedError

    def build_form(self) -> None:
        raise NotImplementedError

    def choice(self) -> ChoiceT:
        """The choice read from the widgets; raise ValidationError to keep the dialog open."""
        raise NotImplementedError

    # --- shared --------------------------------------------------------------------------------

    def names(self) -> str:
        """The selected organizations' names, the first few of a long selection."""
        names = [organization.name for organization in self.organizations]
        if len(names) > _SHOWN_NAMES:
            return f"{', '.join(names[:_SHOWN_NAMES])} and {len(names) - _SHOWN_NAMES} more"
        return join_names(names)

    def counted(self, singular: str, plural: str) -> str:
        count = len(self.organizations)
        return f"{count} {singular if count == 1 else plural}"

    def check_date(self, status: MemberStatus, on: date | None) -> date:
        """The date, if given and not before the step it follows for any organization."""
        if on is None:
            raise ValidationError.single("on", "Choose the date")
        problems = self.services.organizations.lifecycle_problems(
            [organization.id for organization in self.organizations], status, on
        )
        if problems:
            raise ValidationError.single("on", "\n".join(problems))
        return on

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def accept(self) -> None:
        try:
            self.chosen = self.choice()
        except ValidationError as error:
            self.show_error("\n".join(error.errors.values()))
            return
        self.show_error("")
        super().accept()

    @classmethod
    def ask(
        cls, parent: QWidget | None, services: Services, organizations: Sequence[Organization]
    ) -> ChoiceT | None:
        """Show the dialog; the choice, or None if cancelled. Tests patch or drive this."""
        dialog: Self = cls(services, organizations, parent)
        return dialog.chosen if dialog.exec() == QDialog.DialogCode.Accepted else None


class EndorseDialog(LifecycleDialog[Endorsement]):
    """Which board meeting endorsed the applications, and by which decision (or a new one)."""

    title = "Endorse at board meeting"
    ok_text = "Endorse"

    def summary_text(self) -> str:
        return (
            f"Record that the Governing Board endorsed "
            f"{self.counted('application', 'applications')}: {self.names()}."
        )

    def build_form(self) -> None:
        self.board_meeting = QComboBox()
        meetings = self.services.board_meetings.list(ListQuery(sort="number", descending=True))
        self._board_dates: dict[int, date] = {}
        for meeting in meetings.rows:
            self.board_meeting.addItem(
                f"{board_meeting_title(meeting)} — {format_date(meeting.date)}", meeting.id
            )
            self._board_dates[meeting.id] = meeting.date
        self.form.addRow("Board meeting:", self.board_meeting)
        self.decision = QComboBox()
        self.decision.setToolTip("The board's decision that endorsed the applications")
        self.form.addRow("Decision:", self.decision)
        self.decision_text = QPlainTextEdit(new_decision_text([o.name for o in self.organizations]))
        self.decision_text.setMaximumHeight(80)
        self.decision_text.setTabChangesFocus(True)
        self.form.addRow("New decision's text:", self.decision_text)
        self.on = OptionalDateEdit()
        self.on.setToolTip("The day of the board meeting, unless the endorsement took effect later")
        self.form.addRow("Endorsed on:", self.on)
        self.board_meeting.currentIndexChanged.connect(lambda _index: self._meeting_changed())
        self.decision.currentIndexChanged.connect(lambda _index: self._decision_changed())
        self._meeting_changed()
        if not meetings.rows:
            self.show_error(
                "No Governing Board meeting is recorded yet: add it with its decisions first."
            )
            self.ok_button.setEnabled(False)

    def _meeting_changed(self) -> None:
        """List the meeting's decisions, and date the endorsement on the meeting's day."""
        meeting_id = self.board_meeting.currentData()
        self.decision.blockSignals(True)
        self.decision.clear()
        self.decision.addItem("Record a new decision", None)
        if meeting_id is not None:
            query = ListQuery(filters={"board_meeting_id": meeting_id})
            for decision in self.services.decisions.list(query).rows:
                text = " ".join(decision.text.split())
                short = text if len(text) <= 70 else f"{text[:69]}…"
                self.decision.addItem(f"Decision {decision.number}: {short}", decision.id)
                self.decision.setItemData(
                    self.decision.count() - 1, text, Qt.ItemDataRole.ToolTipRole
                )
        self.decision.blockSignals(False)
        self._decision_changed()
        self.on.set_value(self._board_dates.get(meeting_id) if meeting_id is not None else None)

    def _decision_changed(self) -> None:
        self.decision_text.setEnabled(self.decision.currentData() is None)

    def choice(self) -> Endorsement:
        meeting_id = self.board_meeting.currentData()
        if meeting_id is None:
            raise ValidationError.single("board_meeting", "Choose the board meeting")
        decision_id = self.decision.currentData()
        text = self.decision_text.toPlainText().strip() if decision_id is None else None
        if decision_id is None and not text:
            raise ValidationError.single("decision", "Write the new decision's text")
        on = self.check_date(MemberStatus.ENDORSED, self.on.value())
        return Endorsement(meeting_id, decision_id, text, on)


class ApproveDialog(LifecycleDialog[Approval]):
    """Which General Assembly approved the endorsed members (or just the day it did)."""

    title = "Approve at General Assembly"
    ok_text = "Approve"

    def summary_text(self) -> str:
        return (
            f"Record that the General Assembly approved "
            f"{self.counted('member', 'members')}: {self.names()}."
        )

    def build_form(self) -> None:
        self.assembly = QComboBox()
        self.assembly.addItem("Not recorded as a meeting — just the date", None)
        query = ListQuery(
            filters={"kind": MeetingKind.GENERAL_ASSEMBLY.value}, sort="start_date", descending=True
        )
        self._assembly_dates: dict[int, date] = {}
        for meeting in self.services.meetings.list(query).rows:
            self.assembly.addItem(
                f"{meeting.title} — {format_date(meeting.start_date)}", meeting.id
            )
            self._assembly_dates[meeting.id] = meeting.start_date
        self.assembly.setToolTip(
            "General Assemblies are meetings of the kind “General Assembly” in the Meetings tab"
        )
        self.form.addRow("General Assembly:", self.assembly)
        self.on = OptionalDateEdit()
        self.form.addRow("Approved on:", self.on)
        self.assembly.currentIndexChanged.connect(lambda _index: self._assembly_changed())
        if self.assembly.count() > 1:
            self.assembly.setCurrentIndex(1)  # the latest General Assembly
        self._assembly_changed()

    def _assembly_changed(self) -> None:
        meeting_id = self.assembly.currentData()
        if meeting_id is not None:
            self.on.set_value(self._assembly_dates[meeting_id])

    def choice(self) -> Approval:
        on = self.check_date(MemberStatus.APPROVED, self.on.value())
        return Approval(self.assembly.currentData(), on)


class StatusChangeDialog(LifecycleDialog[StatusChange]):
    """Admit (Active), suspend or record the withdrawal of members."""

    title = "Change membership status"
    ok_text = "Change status"
    CHOICES: ClassVar[tuple[MemberStatus, ...]] = (
        MemberStatus.ACTIVE,
        MemberStatus.SUSPENDED,
        MemberStatus.WITHDRAWN,
    )

    def summary_text(self) -> str:
        return f"Change the status of {self.counted('member', 'members')}: {self.names()}."

    def build_form(self) -> None:
        self.status = ChoiceCombo(self.CHOICES)
        self.status.setToolTip(
            "Active: admitted (after approval by the General Assembly, or back from suspension). "
            "Withdrawn members may apply again later."
        )
        self.form.addRow("New status:", self.status)
        self.on = OptionalDateEdit()
        self.on.set_value(date.today())
        self.form.addRow("As of:", self.on)
        # Start on the first status every selected member may move to, if there is one.
        for status in self.CHOICES:
            if all(
                o.status is not None and status in MEMBER_TRANSITIONS[o.status]
                for o in self.organizations
            ):
                self.status.set_value(status)
                break

    def choice(self) -> StatusChange:
        on = self.on.value()
        if on is None:
            raise ValidationError.single("on", "Choose the date")
        return StatusChange(MemberStatus(self.status.value()), on)
