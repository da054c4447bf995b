"""The Members tab: the member organizations, partners and others ANSO deals with, the contacts of
the selected one (in `member_details`), and the admission lifecycle — endorse, approve, admit,
suspend — applied to several members at once, recording the board decision or General Assembly
behind it. The register as at a past day, read only, is `members_as_at`'s."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QUndoStack
from PySide6.QtWidgets import QLabel, QToolBar, QVBoxLayout, QWidget

from anso_desktop.countries import country_name
from anso_desktop.domain import (
    DecisionStatus,
    MemberStatus,
    OrganizationKind,
    Relation,
)
from anso_desktop.errors import UserError, ValidationError
from anso_desktop.services import Services
from anso_desktop.services.decisions import DecisionData
from anso_desktop.services.organizations import (
    OrganizationData,
    OrganizationService,
    OrganizationSnapshot,
)
from anso_desktop.storage.models import Decision, Organization
from anso_desktop.tables import MEMBERS
from anso_desktop.ui import messages, undo
from anso_desktop.ui.dialogs.lifecycle import ApproveDialog, EndorseDialog, StatusChangeDialog
from anso_desktop.ui.dialogs.organization import OrganizationDialog
from anso_desktop.ui.models.record_table import RowStyle
from anso_desktop.ui.read_only import editing
from anso_desktop.ui.tabs.base import RecordTab, filter_combo
from anso_desktop.ui.tabs.member_details import MemberDetails
from anso_desktop.ui.tabs.members_as_at import RegisterAsAtView

#: Members no longer taking part read greyed out.
INACTIVE = RowStyle(foreground="#9e9e9e")
NOT_MEMBERS_TIP = "Select one or more members (partners and others have no membership status)"
DECISION_CATEGORY = "Membership"
#: How the undo history names a change of status.
STATUS_VERBS = {
    MemberStatus.ACTIVE: "Admit",
    MemberStatus.SUSPENDED: "Suspend",
    MemberStatus.WITHDRAWN: "Withdraw",
}


def refusal(error: UserError) -> str:
    """A service's refusal of a lifecycle change, one line per organization that cannot move."""
    lines = error.errors.values() if isinstance(error, ValidationError) else [error.message]
    return "Nothing was changed.\n\n" + "\n".join(lines)


def _follow(versions: dict[int, int], records: Iterable[Any]) -> None:
    """Remember the versions undo/redo left the records at (the next step must expect them)."""
    versions.update({record.id: record.version for record in records})


class LifecycleChange:
    """One lifecycle action on several members, made and unmade through the services.

    Undo puts every organization back exactly as it was (with `restore`: the lifecycle would
    refuse to move a status backwards) and withdraws the decision the action recorded, if it
    recorded one; redo records the decision again and makes the change again.
    """

    def __init__(
        self,
        services: Services,
        organization_ids: Sequence[int],
        status: MemberStatus,
        *,
        on: date,
        decision_id: int | None = None,
        general_assembly_id: int | None = None,
        new_decision: DecisionData | None = None,
    ) -> None:
        self.services = services
        self.ids = list(organization_ids)
        self.status = status
        self.on = on
        self.decision_id = decision_id
        self.general_assembly_id = general_assembly_id
        self.new_decision = new_decision
        self.before = services.organizations.snapshots(self.ids)
        self.versions: dict[int, int] = {}
        self.recorded: Decision | None = None

    def redo(self) -> None:
        decision_id = self.decision_id
        if self.new_decision is not None:
            self.recorded = self.services.decisions.create(self.new_decision)
            decision_id = self.recorded.id
        try:
            changed = self.services.organizations.change_status(
                self.ids,
                self.status,
                on=self.on,
                decision_id=decision_id,
                general_assembly_id=self.general_assembly_id,
            )
        except UserError:
            self._withdraw_decision()  # all or nothing: no decision for a refused change
            raise
        _follow(self.versions, changed)

    def undo(self) -> None:
        _follow(self.versions, self.services.organizations.restore(self.before, self.versions))
        self._withdraw_decision()

    def _withdraw_decision(self) -> None:
        if self.recorded is not None:
            self.services.decisions.delete(self.recorded.id, self.recorded.version)
            self.recorded = None


class MembersTab(RegisterAsAtView, MemberDetails, RecordTab):
    spec = MEMBERS
    printed_list = "members"
    noun = "organization"
    plural = "organizations"
    dialog = OrganizationDialog
    initial_sort = ("name", False)
    finds_duplicates = True
    # The register reads best with the names wide: these two are in the detail pane anyway.
    hidden_columns = frozenset({"relation", "applied_on"})

    def __init__(
        self, services: Services, undo_stack: QUndoStack, parent: QWidget | None = None
    ) -> None:
        super().__init__(services, undo_stack, parent)
        self._doomed: dict[int, OrganizationSnapshot] = {}
        self.endorse_action = self._make_action(
            "Endorse at board meeting…",
            "Record that the Governing Board endorsed the selected applicants, and by which "
            "decision",
            self.endorse_selected,
        )
        self.approve_action = self._make_action(
            "Approve at General Assembly…",
            "Record that the General Assembly approved the selected endorsed members",
            self.approve_selected,
        )
        self.change_status_action = self._make_action(
            "Change status…",
            "Make the selected members Active, Suspended or Withdrawn",
            self.change_status_selected,
        )
        self.lifecycle_actions = (
            self.endorse_action,
            self.approve_action,
            self.change_status_action,
        )
        between = QAction(self)
        between.setSeparator(True)
        self.menu_actions = (*self.lifecycle_actions, between, *self.menu_actions)
        toolbar = QToolBar("Membership")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addWidget(QLabel("Selected members: "))
        for action in self.lifecycle_actions:
            toolbar.addAction(action)
        self.toolbar = toolbar
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, toolbar)

        # The same actions on the rows' context menu (Shift+F10 or the Menu key), over History….
        edit = self._make_action("Edit…", "Edit the organization", self.edit_selected)
        delete = self._make_action(
            "Delete", "Delete the selected organizations", self.delete_selected
        )
        separators = [QAction(self), QAction(self)]
        for separator in separators:
            separator.setSeparator(True)
        self.view.addActions([edit, separators[0], *self.lifecycle_actions, separators[1], delete])
        self.editing_widgets += [edit, delete]
        self.build_as_at()

        self.selection_changed.connect(self._selection_changed)
        self.model.modelReset.connect(self._selection_changed)
        self._selection_changed()

    def show_organization(self, organization_id: int) -> None:
        """Bring one organization into view and select it (from a decision's link)."""
        self.show_now()  # the link is to the organization as it is
        try:
            record = self.service.get(organization_id)
        except UserError as error:
            messages.warn(self, error.message)
            return
        self.clear_filters()
        self.search.blockSignals(True)
        self.search.setText(record.name)
        self.search.blockSignals(False)
        self.apply_query()
        self.select_ids([organization_id])

    def _make_action(self, text: str, tip: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    @property
    def service(self) -> OrganizationService:
        return self.services.organizations

    # --- filters -------------------------------------------------------------------------------

    def build_filters(self) -> None:
        self.status_filter = filter_combo(
            [("Any status", None), *((s.label, s.value) for s in MemberStatus)],
            self.apply_query,
            tooltip="Membership status",
        )
        self.country_filter = filter_combo(
            [("All countries", None)], self.apply_query, tooltip="Country"
        )
        # Filled once the grid has painted: it reads every row's country (a scan at 1M rows).
        self.after_first_paint(self._fill_countries)
        self.kind_filter = filter_combo(
            [("All kinds", None), *((k.label, k.value) for k in OrganizationKind)],
            self.apply_query,
            tooltip="Kind of organization",
        )
        self.relation_filter = filter_combo(
            [
                ("Members, partners and others", None),
                ("Members", Relation.MEMBER.value),
                ("Partners", Relation.PARTNER.value),
                ("Others", Relation.OTHER.value),
            ],
            self.apply_query,
            tooltip="Member, partner or other",
        )
        for combo in self._filter_combos():
            self.filter_bar.addWidget(combo)

    def _filter_combos(self) -> tuple[Any, ...]:
        return (self.status_filter, self.country_filter, self.kind_filter, self.relation_filter)

    def _fill_countries(self) -> None:
        """Only the countries the register has: choosing one always shows someone."""
        chosen = self.country_filter.currentData()
        names = sorted(
            ((country_name(code), code) for code in self.service.countries_in_use()),
            key=lambda pair: pair[0].casefold(),
        )
        self.country_filter.blockSignals(True)
        while self.country_filter.count() > 1:
            self.country_filter.removeItem(1)
        for name, code in names:
            self.country_filter.addItem(name, code)
        self.country_filter.setCurrentIndex(max(self.country_filter.findData(chosen), 0))
        self.country_filter.blockSignals(False)

    def refresh(self) -> None:
        self._fill_countries()
        super().refresh()

    def current_filters(self) -> dict[str, Any]:
        return {
            "status": self.status_filter.currentData(),
            "country": self.country_filter.currentData(),
            "kind": self.kind_filter.currentData(),
            "relation": self.relation_filter.currentData(),
        }

    def reset_filters(self) -> None:
        for combo in self._filter_combos():
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)

    def _filtered(self) -> bool:
        return bool(self.search.text().strip()) or any(
            value is not None for value in self.current_filters().values()
        )

    # --- rows ----------------------------------------------------------------------------------

    def row_style(self, record: Organization) -> RowStyle | None:
        if record.status in (MemberStatus.SUSPENDED, MemberStatus.WITHDRAWN):
            return INACTIVE
        return None

    def status_text(self) -> str:
        if self.as_at_day is not None:
            return self.as_at_status_text()
        shown = self.model.total
        if self._filtered():
            text = f"{shown:,} of {self.service.count():,} {self.plural}"
        else:
            text = super().status_text()
        counts = self.service.counts_by_status()
        return " · ".join(
            [text, *(f"{status.label} {count}" for status, count in counts.items() if count)]
        )

    def data_of(self, record: Organization) -> OrganizationData:
        return OrganizationData.from_record(record)

    def describe(self, record: Organization) -> str:
        return record.name

    # --- edit and delete: undo puts back everything --------------------------------------------

    @editing
    def edit_selected(self) -> None:
        """As every tab, but undo and redo write the organization back with `restore`: undoing
        a status change moves it backwards, which `update` rightly refuses."""
        records = self.selected_records()
        if not records:
            return
        try:
            current = self.service.get(records[0].id)
            (before,) = self.service.snapshots([current.id])
        except UserError as error:
            messages.warn(self, error.message)
            self.refresh()
            return
        saved = self.open_dialog(current)
        if saved is None:
            return
        (after,) = self.service.snapshots([saved.id])
        versions = {saved.id: saved.version}

        def undo_edit() -> None:
            _follow(versions, self.service.restore([before], versions))

        def redo_edit() -> None:
            _follow(versions, self.service.restore([after], versions))

        self.undo_stack.push(
            undo.ServiceCommand(
                f"Edit {self.noun} “{saved.name}”", undo_edit, redo_edit, self.refresh, self
            )
        )
        self.refresh()

    @editing
    def delete_selected(self) -> None:
        """Snapshot the selected organizations first, so undo brings them back with their
        contacts, their lifecycle and their links to decisions, meetings and funds."""
        ids = [record.id for record in self.selected_records()]
        if not ids:
            return
        try:
            self._doomed = {snapshot.id: snapshot for snapshot in self.service.snapshots(ids)}
        except UserError as error:
            messages.warn(self, error.message)
            self.refresh()
            return
        try:
            super().delete_selected()
        finally:
            self._doomed = {}

    def deleted_command(self, record: Organization, snapshot: Any) -> undo.ServiceCommand:
        saved = self._doomed[record.id]
        return undo.deleted(
            self.service,
            record,
            snapshot,
            self.refresh,
            self,
            label=f"{self.noun} “{record.name}”",
            recreate=lambda: self.service.recreate(saved),
        )

    # --- lifecycle actions ---------------------------------------------------------------------

    def selected_members(self) -> list[Organization]:
        """The selection if it holds members only (the lifecycle is theirs alone), else []."""
        records = self.selected_records()
        if records and all(record.relation is Relation.MEMBER for record in records):
            return records
        return []

    def _update_actions(self) -> None:
        members = bool(self.selected_members())
        for action in self.lifecycle_actions:
            action.setEnabled(self.writable and members)
            tip = action.statusTip() if members else NOT_MEMBERS_TIP
            action.setToolTip(tip if self.read_only_reason is None else self.read_only_reason)

    def update_editing(self) -> None:
        super().update_editing()
        self._selection_changed()  # the pane's texts say what can be done, too
        self._update_contact_buttons()

    def _can_move(self, records: Sequence[Organization], status: MemberStatus) -> bool:
        """Refuse before asking for meeting and decision when some cannot move to `status`."""
        problems = self.service.lifecycle_problems([record.id for record in records], status)
        if problems:
            messages.warn(self, "Nothing was changed.\n\n" + "\n".join(problems))
        return not problems

    @editing
    def endorse_selected(self) -> None:
        records = self.selected_members()
        if not records or not self._can_move(records, MemberStatus.ENDORSED):
            return
        choice = EndorseDialog.ask(self, self.services, records)
        if choice is None:
            return
        new_decision = None
        if choice.decision_id is None:
            new_decision = DecisionData(
                board_meeting_id=choice.board_meeting_id,
                text=choice.decision_text or "",
                category=DECISION_CATEGORY,
                status=DecisionStatus.ADOPTED,
            )
        self._change(
            records,
            MemberStatus.ENDORSED,
            "Endorse",
            on=choice.on,
            decision_id=choice.decision_id,
            new_decision=new_decision,
        )

    @editing
    def approve_selected(self) -> None:
        records = self.selected_members()
        if not records or not self._can_move(records, MemberStatus.APPROVED):
            return
        choice = ApproveDialog.ask(self, self.services, records)
        if choice is None:
            return
        self._change(
            records,
            MemberStatus.APPROVED,
            "Approve",
            on=choice.on,
            general_assembly_id=choice.general_assembly_id,
        )

    @editing
    def change_status_selected(self) -> None:
        records = self.selected_members()
        if not records:
            return
        choice = StatusChangeDialog.ask(self, self.services, records)
        if choice is None:
            return
        self._change(records, choice.status, STATUS_VERBS[choice.status], on=choice.on)

    def _change(
        self,
        records: Sequence[Organization],
        status: MemberStatus,
        verb: str,
        **details: Any,
    ) -> None:
        """Make a lifecycle change through the services, all or nothing, with undo."""
        try:
            change = LifecycleChange(
                self.services, [record.id for record in records], status, **details
            )
            change.redo()
        except UserError as error:
            messages.warn(self, refusal(error))
            self.refresh()
            return
        what = f"“{records[0].name}”" if len(records) == 1 else f"{len(records)} {self.plural}"
        self.undo_stack.push(
            undo.ServiceCommand(f"{verb} {what}", change.undo, change.redo, self.refresh, self)
        )
        self.refresh()

    def _selection_changed(self) -> None:
        self._update_actions()
        self.show_detail()
