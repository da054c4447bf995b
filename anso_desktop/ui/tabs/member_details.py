"""The Members tab's detail pane: the selected organization's key facts (its lifecycle, the
other names it was matched under, its website) and its contacts, added, edited and deleted with
undo. A mixin of `MembersTab`, kept apart so the tab's module stays about the list."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from anso_desktop.countries import country_name
from anso_desktop.domain import MemberStatus
from anso_desktop.errors import UserError
from anso_desktop.services.organizations import ContactData
from anso_desktop.storage.models import Contact, Organization
from anso_desktop.tables.formatting import format_date
from anso_desktop.ui import messages, undo
from anso_desktop.ui.dialogs.organization import ContactDialog
from anso_desktop.ui.read_only import editing

if TYPE_CHECKING:
    from anso_desktop.services import Services
    from anso_desktop.services.organizations import OrganizationService

NO_SELECTION = "Select an organization to see its contacts"
CONTACT_COLUMNS = ("Name", "Role", "Email", "Phone")
#: The other names shown in full; beyond that, how many more there are.
ALIASES_SHOWN = 6


class MemberDetails:
    """The detail pane of `MembersTab` (listed before `RecordTab` among its bases, so that its
    `build_detail_pane` is the one called)."""

    if TYPE_CHECKING:  # given by RecordTab and MembersTab
        services: Services
        undo_stack: QUndoStack
        plural: str
        read_only_reason: str | None

        @property
        def service(self) -> OrganizationService: ...

        def selected_records(self) -> list[Any]: ...

        def refresh(self) -> None: ...

    # --- the pane: key facts and contacts ------------------------------------------------------

    def build_detail_pane(self) -> QWidget:
        self.detail_hint = QLabel(NO_SELECTION)
        self.detail_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail_hint.setWordWrap(True)
        self.detail_hint.setStyleSheet("color: #616161; padding: 20px;")

        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.RichText)
        self.facts.setOpenExternalLinks(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.facts.setAlignment(Qt.AlignmentFlag.AlignTop)

        self.contacts_table = QTableWidget(0, len(CONTACT_COLUMNS))
        self.contacts_table.setHorizontalHeaderLabels(list(CONTACT_COLUMNS))
        self.contacts_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.contacts_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.contacts_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.contacts_table.verticalHeader().hide()
        self.contacts_table.setWordWrap(False)
        # The pane is narrow: name and email share what is left after role and phone.
        header = self.contacts_table.horizontalHeader()
        for section, mode in enumerate(
            (QHeaderView.ResizeMode.Stretch, QHeaderView.ResizeMode.ResizeToContents) * 2
        ):
            header.setSectionResizeMode(section, mode)
        self.contacts_table.doubleClicked.connect(lambda _index: self.edit_contact())
        self.contacts_table.itemSelectionChanged.connect(self._update_contact_buttons)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(
                QKeySequence(key), self.contacts_table, activated=self.edit_contact
            )
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.contacts_empty = QLabel()
        self.contacts_empty.setStyleSheet("color: #616161;")
        self.contacts_empty.setWordWrap(True)

        self.add_contact_button = QPushButton("Add contact…")
        self.add_contact_button.clicked.connect(self.add_contact)
        self.edit_contact_button = QPushButton("Edit contact…")
        self.edit_contact_button.clicked.connect(self.edit_contact)
        self.delete_contact_button = QPushButton("Delete contact")
        self.delete_contact_button.clicked.connect(self.delete_contact)
        buttons = QHBoxLayout()
        for button in (
            self.add_contact_button,
            self.edit_contact_button,
            self.delete_contact_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)

        details = QWidget()
        column = QVBoxLayout(details)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.facts)
        heading = QLabel("<b>Contacts</b>")
        column.addWidget(heading)
        column.addWidget(self.contacts_table, 1)
        column.addWidget(self.contacts_empty)
        column.addLayout(buttons)

        self.detail_stack = QStackedWidget()
        self.detail_stack.addWidget(self.detail_hint)
        self.detail_stack.addWidget(details)
        self.detail_stack.setMinimumWidth(320)
        self.shown: Organization | None = None
        #: The other names the shown organization was matched under (imports, merges).
        self.shown_aliases: list[str] = []
        self._contacts: list[Contact] = []
        return self.detail_stack

    def show_detail(self) -> None:
        """Show the selected organization as it is now in the database, with its contacts."""
        records = self.selected_records()
        self.shown = None
        if len(records) == 1:
            try:
                self.shown = self.service.get(records[0].id)
            except UserError:
                self.shown = None  # deleted meanwhile: the next refresh drops its row
        if self.shown is None:
            if len(records) > 1:
                text = f"{len(records)} {self.plural} selected."
                if self.read_only_reason is None:
                    text += (
                        "\n\nEndorse, approve or change the status of the selected members all "
                        "at once with the buttons above."
                    )
                self.detail_hint.setText(text)
            else:
                self.detail_hint.setText(NO_SELECTION)
            self.detail_stack.setCurrentWidget(self.detail_hint)
            return
        try:
            self.shown_aliases = self.service.aliases(self.shown.id)
        except UserError:
            self.shown_aliases = []
        self.facts.setText(self._facts_html(self.shown))
        self._fill_contacts(list(self.shown.contacts))
        self.detail_stack.setCurrentIndex(1)

    def _facts_html(self, record: Organization) -> str:
        name = escape(record.name)
        if record.acronym:
            name += f" ({escape(record.acronym)})"
        lines = [f"<span style='font-size: 14px'><b>{name}</b></span>"]
        if self.shown_aliases:
            lines.append(
                f"<span style='color: #616161'>{escape(aliases_text(self.shown_aliases))}</span>"
            )
        about = [record.kind.label, country_name(record.country), record.relation.label]
        lines.append(escape(" · ".join(part for part in about if part)))
        if record.status is not None:
            lines.append(f"Status: <b>{escape(record.status.label)}</b>")
        endorsed_by = (
            self.services.decisions.describe(record.endorsement_decision)
            if record.endorsement_decision is not None
            else None
        )
        approved_at = record.approval_meeting.title if record.approval_meeting else None
        for label, day, behind in (
            ("Applied", record.applied_on, None),
            (MemberStatus.ENDORSED.label, record.endorsed_on, endorsed_by),
            (MemberStatus.APPROVED.label, record.approved_on, approved_at),
            ("Joined", record.joined_on, None),
            (MemberStatus.SUSPENDED.label, record.suspended_on, None),
            (MemberStatus.WITHDRAWN.label, record.withdrawn_on, None),
        ):
            if day is not None or behind is not None:
                text = " — ".join(part for part in (format_date(day), behind) if part)
                lines.append(f"{escape(label)}: {escape(text)}")
        if record.website:
            href = record.website if "://" in record.website else f"https://{record.website}"
            lines.append(
                f"Website: <a href='{escape(href, quote=True)}'>{escape(record.website)}</a>"
            )
        if record.email:
            lines.append(
                f"Email: <a href='mailto:{escape(record.email, quote=True)}'>"
                f"{escape(record.email)}</a>"
            )
        return "<br>".join(lines)

    def _fill_contacts(self, contacts: list[Contact]) -> None:
        chosen = self.selected_contact()
        self._contacts = contacts
        self.contacts_table.setRowCount(len(contacts))
        for row, contact in enumerate(contacts):
            name = f"{contact.title} {contact.name}" if contact.title else contact.name
            for column, value in enumerate((name, contact.role, contact.email, contact.phone)):
                item = QTableWidgetItem(value or "")
                item.setToolTip(value or "")
                self.contacts_table.setItem(row, column, item)
        self.contacts_table.setVisible(bool(contacts))
        self.contacts_empty.setText(
            "No contacts yet — press “Add contact…” to add one."
            if self.read_only_reason is None
            else "No contacts yet."
        )
        self.contacts_empty.setVisible(not contacts)
        if chosen is not None:
            self.select_contact(chosen.id)
        self._update_contact_buttons()

    def selected_contact(self) -> Contact | None:
        rows = self.contacts_table.selectionModel().selectedRows()
        if not rows or not 0 <= rows[0].row() < len(self._contacts):
            return None
        return self._contacts[rows[0].row()]

    def select_contact(self, contact_id: int) -> None:
        for row, contact in enumerate(self._contacts):
            if contact.id == contact_id:
                self.contacts_table.selectRow(row)
                return

    def _update_contact_buttons(self) -> None:
        chosen = self.selected_contact() is not None
        writable = self.read_only_reason is None
        self.add_contact_button.setEnabled(writable)
        self.edit_contact_button.setEnabled(writable and chosen)
        self.delete_contact_button.setEnabled(writable and chosen)

    # --- contacts: add, edit, delete, each with undo -------------------------------------------

    @editing
    def add_contact(self) -> None:
        if self.shown is None:
            return
        contact = ContactDialog.ask(self, self.services, self.shown)
        if contact is None:
            return
        data = ContactData.from_record(contact)
        tracked = {"id": contact.id}

        def undo_add() -> None:
            self.service.delete_contact(tracked["id"])

        def redo_add() -> None:
            tracked["id"] = self.service.add_contact(data).id

        self._push_contact_command(f"Add contact “{contact.name}”", undo_add, redo_add)
        self.select_contact(contact.id)

    @editing
    def edit_contact(self) -> None:
        chosen = self.selected_contact()
        if chosen is None:
            return
        try:
            current = self.service.contact(chosen.id)
        except UserError as error:
            messages.warn(self, error.message)
            self.show_detail()
            return
        before = ContactData.from_record(current)
        saved = ContactDialog.ask(self, self.services, current)
        if saved is None:
            return
        after = ContactData.from_record(saved)
        version = {"value": saved.version}

        def undo_edit() -> None:
            version["value"] = self.service.update_contact(
                saved.id, version["value"], before
            ).version

        def redo_edit() -> None:
            version["value"] = self.service.update_contact(
                saved.id, version["value"], after
            ).version

        self._push_contact_command(f"Edit contact “{saved.name}”", undo_edit, redo_edit)

    @editing
    def delete_contact(self) -> None:
        chosen = self.selected_contact()
        if chosen is None or self.shown is None:
            return
        question = f"Delete the contact “{chosen.name}” of {self.shown.name}?"
        if not messages.confirm(self, f"{question}\n\nYou can undo this with Ctrl+Z."):
            return
        data = ContactData.from_record(chosen)
        tracked = {"id": chosen.id}
        self.service.delete_contact(chosen.id)

        def undo_delete() -> None:
            tracked["id"] = self.service.add_contact(data).id

        def redo_delete() -> None:
            self.service.delete_contact(tracked["id"])

        self._push_contact_command(f"Delete contact “{chosen.name}”", undo_delete, redo_delete)

    def _push_contact_command(
        self, text: str, undo_step: Callable[[], None], redo_step: Callable[[], None]
    ) -> None:
        self.undo_stack.push(undo.ServiceCommand(text, undo_step, redo_step, self.refresh, self))
        self.show_detail()


def aliases_text(aliases: list[str]) -> str:
    """ "Also written as: A; B; C and 2 more" — the names an import or a merge matched."""
    shown = "; ".join(aliases[:ALIASES_SHOWN])
    more = len(aliases) - ALIASES_SHOWN
    return f"Also written as: {shown}" + (f" and {more} more" if more > 0 else "")
