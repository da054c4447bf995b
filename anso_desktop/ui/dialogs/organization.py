"""Add or edit an organization, and add or edit one of its contacts."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit, QWidget

from anso_desktop.domain import (
    MEMBER_TRANSITIONS,
    LabelledEnum,
    MemberStatus,
    OrganizationKind,
    Relation,
)
from anso_desktop.services import Services
from anso_desktop.services.organizations import ContactData, OrganizationData
from anso_desktop.storage.models import Contact, Organization
from anso_desktop.tables.formatting import format_date
from anso_desktop.ui.dialogs.base import RecordDialog
from anso_desktop.ui.widgets.inputs import (
    ChoiceCombo,
    CountryCombo,
    OptionalDateEdit,
    SuggestingLineEdit,
)

EnumT = TypeVar("EnumT", bound=LabelledEnum)

_STATUS_TIP = (
    "Members move along the admission lifecycle: Applicant → Endorsed by GB → Approved by GA → "
    "Active. To endorse or approve several at once with the board decision or the General "
    "Assembly behind it, use the Members tab's “Endorse at board meeting…” and “Approve at "
    "General Assembly…”."
)
_DATE_TIP = "Left empty, the day a member reaches this status is recorded as today."


def chosen(enum: type[EnumT], value: str | None) -> EnumT | None:
    """The enum member a drop-down's value stands for (Qt hands item data back as plain str)."""
    return None if value is None else enum(value)


def status_choices(current: MemberStatus | None) -> list[MemberStatus]:
    """What the status field offers: any status for a new member; otherwise the current status
    and the ones it may move to (so the form cannot offer a move the service would refuse)."""
    if current is None:
        return list(MemberStatus)
    allowed = MEMBER_TRANSITIONS[current] | {current}
    return [status for status in MemberStatus if status in allowed]


class OrganizationDialog(RecordDialog[Organization]):
    noun = "organization"

    def build_form(self) -> None:
        self.name_edit = self.add_field("name", "Name", QLineEdit(), required=True)
        self.name_edit.setPlaceholderText("The full name, e.g. Cuban Academy of Sciences")
        self.acronym = self.add_field("acronym", "Acronym", QLineEdit())
        self.country = self.add_field("country", "Country", CountryCombo())
        self.kind = self.add_field("kind", "Kind", ChoiceCombo(OrganizationKind))
        self.relation = self.add_field("relation", "Relation to ANSO", ChoiceCombo(Relation))
        self.relation.setToolTip("Only members have a membership status and admission dates")
        self.status = self.add_field("status", "Membership status", QComboBox())
        self.status.setToolTip(_STATUS_TIP)
        self.applied = self.add_field("applied_on", "Applied", OptionalDateEdit())
        self.endorsed = self.add_field("endorsed_on", "Endorsed by GB", OptionalDateEdit())
        self.approved = self.add_field("approved_on", "Approved by GA", OptionalDateEdit())
        self.joined = self.add_field("joined_on", "Joined", OptionalDateEdit())
        for date_edit in self._date_edits():
            date_edit.setToolTip(_DATE_TIP)
        self.recorded = QLabel()
        self.recorded.setWordWrap(True)
        self.recorded.setStyleSheet("color: #616161;")
        self.form.addRow("", self.recorded)
        self.recorded.hide()
        self.website = self.add_field("website", "Website", QLineEdit())
        self.website.setPlaceholderText("https://…")
        self.email = self.add_field("email", "Email", QLineEdit())
        self.notes = self.add_field("notes", "Notes", QPlainTextEdit())
        self.notes.setMaximumHeight(80)
        self._chosen_status: MemberStatus | None = MemberStatus.APPLICANT
        self.status.currentIndexChanged.connect(lambda _index: self._remember_status())
        self.relation.currentIndexChanged.connect(lambda _index: self._relation_changed())
        self._relation_changed()

    def _date_edits(self) -> tuple[OptionalDateEdit, ...]:
        return (self.applied, self.endorsed, self.approved, self.joined)

    # --- the status follows the relation -------------------------------------------------------

    def _is_member(self) -> bool:
        return chosen(Relation, self.relation.value()) is Relation.MEMBER

    def _remember_status(self) -> None:
        if self._is_member():
            self._chosen_status = chosen(MemberStatus, self.status.currentData())

    def _relation_changed(self) -> None:
        """Members get the lifecycle's choices; others a disabled field that says why."""
        member = self._is_member()
        self.status.blockSignals(True)
        self.status.clear()
        if member:
            current = self.record.status if self.record is not None else None
            for status in status_choices(current):
                self.status.addItem(status.label, status)
            wanted = self._chosen_status or current or MemberStatus.APPLICANT
            self.status.setCurrentIndex(max(self.status.findData(wanted), 0))
        else:
            self.status.addItem("— (members only)", None)
        self.status.blockSignals(False)
        self.status.setEnabled(member)
        for date_edit in self._date_edits():
            date_edit.setEnabled(member)

    # --- RecordDialog --------------------------------------------------------------------------

    def fill(self, record: Organization) -> None:
        self.name_edit.setText(record.name)
        self.name_edit.setCursorPosition(0)
        self.acronym.setText(record.acronym or "")
        self.country.set_value(record.country)
        self.kind.set_value(record.kind)
        self._chosen_status = record.status
        self.relation.blockSignals(True)
        self.relation.set_value(record.relation)
        self.relation.blockSignals(False)
        self._relation_changed()
        self.applied.set_value(record.applied_on)
        self.endorsed.set_value(record.endorsed_on)
        self.approved.set_value(record.approved_on)
        self.joined.set_value(record.joined_on)
        self.website.setText(record.website or "")
        self.email.setText(record.email or "")
        self.notes.setPlainText(record.notes or "")
        self._show_recorded(record)

    def _show_recorded(self, record: Organization) -> None:
        """The board decision and General Assembly behind the dates (set by the tab's actions)."""
        lines: list[str] = []
        if record.endorsement_decision is not None:
            decision = self.services.decisions.describe(record.endorsement_decision)
            lines.append(f"Endorsed by {decision}.")
        if record.approval_meeting is not None:
            meeting = record.approval_meeting
            lines.append(f"Approved at {meeting.title} ({format_date(meeting.start_date)}).")
        self.recorded.setText("\n".join(lines))
        self.recorded.setVisible(bool(lines))

    def collect(self) -> OrganizationData:
        member = self._is_member()
        return OrganizationData(
            name=self.name_edit.text(),
            acronym=self.acronym.text(),
            country=self.country.value(),
            kind=chosen(OrganizationKind, self.kind.value()) or OrganizationKind.OTHER,
            relation=chosen(Relation, self.relation.value()) or Relation.OTHER,
            status=chosen(MemberStatus, self.status.currentData()) if member else None,
            applied_on=self.applied.value(),
            endorsed_on=self.endorsed.value(),
            approved_on=self.approved.value(),
            joined_on=self.joined.value(),
            website=self.website.text(),
            email=self.email.text(),
            notes=self.notes.toPlainText(),
        )

    def save(self, data: OrganizationData) -> Organization:
        if self.record is None:
            return self.services.organizations.create(data)
        return self.services.organizations.update(self.record.id, self.record.version, data)

    def reread(self) -> Organization:
        assert self.record is not None
        return self.services.organizations.get(self.record.id)


class ContactDialog(RecordDialog[Contact]):
    """A person at an organization. Opened with a contact to edit it, or with the organization
    itself to add a contact to it (a new contact needs to know whose it is)."""

    noun = "contact"

    def __init__(
        self,
        services: Services,
        record: Contact | Organization | None = None,
        parent: QWidget | None = None,
    ) -> None:
        organization = record if isinstance(record, Organization) else None
        super().__init__(services, None if organization is not None else record, parent)
        if organization is not None:
            self.organization_id: int | None = organization.id
            self.setWindowTitle(f"New contact at {organization.name}")
        else:
            self.organization_id = self.record.organization_id if self.record else None

    def build_form(self) -> None:
        self.name_edit = self.add_field("name", "Name", QLineEdit(), required=True)
        self.title_edit = self.add_field("title", "Title", QLineEdit())
        self.title_edit.setPlaceholderText("e.g. Prof., Dr.")
        self.role = self.add_field(
            "role", "Role", SuggestingLineEdit(self.services.organizations.contact_roles())
        )
        self.role.setPlaceholderText("e.g. President, Focal point")
        self.email = self.add_field("email", "Email", QLineEdit())
        self.phone = self.add_field("phone", "Phone", QLineEdit())
        self.setMinimumWidth(440)

    def fill(self, record: Contact) -> None:
        self.name_edit.setText(record.name)
        self.title_edit.setText(record.title or "")
        self.role.setText(record.role or "")
        self.email.setText(record.email or "")
        self.phone.setText(record.phone or "")

    def collect(self) -> ContactData:
        assert self.organization_id is not None, "a contact dialog needs its organization"
        return ContactData(
            organization_id=self.organization_id,
            name=self.name_edit.text(),
            title=self.title_edit.text(),
            email=self.email.text(),
            phone=self.phone.text(),
            role=self.role.text(),
        )

    def save(self, data: ContactData) -> Contact:
        if self.record is None:
            return self.services.organizations.add_contact(data)
        return self.services.organizations.update_contact(self.record.id, self.record.version, data)

    def reread(self) -> Contact:
        assert self.record is not None
        return self.services.organizations.contact(self.record.id)

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        services: Services,
        record: Contact | Organization | None = None,
    ) -> Contact | None:
        """Edit `record` (a contact) or add a contact to it (an organization)."""
        dialog = cls(services, record, parent)
        return dialog.saved if dialog.exec() == dialog.DialogCode.Accepted else None
