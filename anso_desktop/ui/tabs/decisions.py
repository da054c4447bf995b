"""The Board decisions tab: Governing Board meetings on the left, the decision register beside
them, and the selected decision in full on the right with links to the organizations it concerns.

Filters combine: a board meeting chosen on the left *and* the filter bar. "All board meetings" is
the default, so "Open follow-ups" and "Overdue only" work across every board meeting unless one
is picked. The status line counts the decisions in view, and how many of those are open/overdue.
"""

from __future__ import annotations

import html
from datetime import date
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QPoint, Qt, QUrl, Signal
from PySide6.QtGui import QKeyEvent, QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from anso_desktop.domain import DecisionStatus
from anso_desktop.errors import UserError, ValidationError
from anso_desktop.services import Services
from anso_desktop.services.decisions import (
    BoardMeetingData,
    BoardMeetingSummary,
    DecisionData,
    DecisionService,
    board_meeting_title,
)
from anso_desktop.storage.models import BoardMeeting, Decision
from anso_desktop.tables import DECISIONS
from anso_desktop.tables.formatting import format_date
from anso_desktop.ui import messages, undo
from anso_desktop.ui.dialogs.decision import BoardMeetingDialog, DecisionDialog, board_meeting_label
from anso_desktop.ui.models.record_table import RowStyle
from anso_desktop.ui.read_only import editing
from anso_desktop.ui.tabs.base import RecordTab, filter_combo

OVERDUE = RowStyle(background="#ffebee", foreground="#b71c1c")
ALL_BOARD_MEETINGS = "All board meetings"
ORGANIZATION_SCHEME = "organization"
_SHORT_TEXT = 50


def is_overdue(record: Decision, today: date | None = None) -> bool:
    """Still open and past its due date: what the secretariat has to chase."""
    return (
        record.status.is_open
        and record.due_date is not None
        and record.due_date < (today or date.today())
    )


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun if count == 1 else noun + 's'}"


class _BoardMeetingList(QListWidget):
    """The board meetings on the left; Enter edits the chosen one, like Enter in the grid."""

    enter_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.enter_pressed.emit()
            return
        super().keyPressEvent(event)


class DecisionsTab(RecordTab):
    #: An organization link in the detail pane was clicked (the organization's id); the main
    #: window opens it in the Members tab.
    open_organization = Signal(int)

    spec = DECISIONS
    printed_list = "decisions"
    noun = "decision"
    plural = "decisions"
    dialog = DecisionDialog
    initial_sort = ("board_meeting", True)  # the latest board meeting first, then by number

    def __init__(
        self, services: Services, undo_stack: QUndoStack, parent: QWidget | None = None
    ) -> None:
        super().__init__(services, undo_stack, parent)
        header = self.view.horizontalHeader()
        header.resizeSection(0, max(header.sectionSize(0), header.sectionSizeHint(0) + 8))
        self.splitter.setSizes([250, 2000, 300])
        # Tab moves left to right: filters, board meetings (and their buttons), decisions, detail.
        chain = [
            self.clear_button,
            self.board_list,
            self.new_board_button,
            self.edit_board_button,
            self.delete_board_button,
            self.view,
            self.detail,
        ]
        for before, after in pairwise(chain):
            QWidget.setTabOrder(before, after)

    @property
    def service(self) -> DecisionService:
        return self.services.decisions

    # --- filters -------------------------------------------------------------------------------

    def build_filters(self) -> None:
        self.status = filter_combo(
            [("All statuses", None), *((s.label, s.value) for s in DecisionStatus)],
            self.apply_query,
            tooltip="Status",
        )
        self.owner = filter_combo([("Any owner", None)], self.apply_query, tooltip="Owner")
        self._fill_owners()
        self.open_only = QCheckBox("Open follow-ups")
        self.open_only.setToolTip("Decisions proposed, adopted or deferred: still to follow up")
        self.overdue_only = QCheckBox("Overdue only")
        self.overdue_only.setToolTip("Open decisions whose due date has passed")
        for box in (self.open_only, self.overdue_only):
            box.toggled.connect(lambda _checked: self.apply_query())
        for widget in (self.status, self.owner, self.open_only, self.overdue_only):
            self.filter_bar.addWidget(widget)

    def _fill_owners(self) -> None:
        chosen = self.owner.currentData()
        self.owner.blockSignals(True)
        while self.owner.count() > 1:
            self.owner.removeItem(1)
        for owner in self.service.owners():
            self.owner.addItem(owner, owner)
        self.owner.setCurrentIndex(max(self.owner.findData(chosen), 0))
        self.owner.blockSignals(False)

    def current_filters(self) -> dict[str, Any]:
        return {
            "board_meeting_id": self.current_board_meeting_id(),
            "status": self.status.currentData(),
            "owner": self.owner.currentData(),
            "open": True if self.open_only.isChecked() else None,
            "overdue": date.today() if self.overdue_only.isChecked() else None,
        }

    def reset_filters(self) -> None:
        for combo in (self.status, self.owner):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        for box in (self.open_only, self.overdue_only):
            box.blockSignals(True)
            box.setChecked(False)
            box.blockSignals(False)
        self.select_board_meeting(None)

    def refresh(self) -> None:
        # The side list's counts and the owner choices follow every change; if the chosen board
        # meeting or owner went away (an undo), the query changes with them.
        self._fill_board_meetings()
        self._fill_owners()
        self.apply_query()

    # --- board meetings (the side pane) --------------------------------------------------------

    def build_side_pane(self) -> QWidget:
        pane = QWidget()
        title = QLabel("Board meetings")
        title.setStyleSheet("font-weight: bold;")
        self.board_list = _BoardMeetingList()
        self.board_list.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.board_list.setWordWrap(True)
        self.board_list.setSpacing(2)
        self.board_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.board_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.board_list.setToolTip(
            "Pick a board meeting to see its decisions. Enter or double-click edits it."
        )
        self.board_list.currentRowChanged.connect(self._board_meeting_chosen)
        self.board_list.itemDoubleClicked.connect(lambda _item: self.edit_board_meeting())
        self.board_list.enter_pressed.connect(self.edit_board_meeting)
        self.board_list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.board_list.customContextMenuRequested.connect(self._board_menu)
        self.new_board_button = QPushButton("New board meeting")
        self.new_board_button.setToolTip("Record a Governing Board meeting")
        self.new_board_button.clicked.connect(self.new_board_meeting)
        self.edit_board_button = QPushButton("Edit…")
        self.edit_board_button.setToolTip("Edit the selected board meeting (Enter)")
        self.edit_board_button.clicked.connect(self.edit_board_meeting)
        self.delete_board_button = QPushButton("Delete")
        self.delete_board_button.setToolTip(
            "Delete the selected board meeting (only once it has no decisions)"
        )
        self.delete_board_button.clicked.connect(self.delete_board_meeting)
        buttons = QHBoxLayout()
        buttons.addWidget(self.edit_board_button)
        buttons.addWidget(self.delete_board_button)
        layout = QVBoxLayout(pane)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.addWidget(title)
        layout.addWidget(self.board_list, 1)
        layout.addWidget(self.new_board_button)
        layout.addLayout(buttons)
        pane.setMinimumWidth(220)
        self._summaries: dict[int, BoardMeetingSummary] = {}
        self._fill_board_meetings()
        return pane

    def _fill_board_meetings(self) -> None:
        """Newest first under "All board meetings"; keeps the choice if it still exists."""
        chosen = self.current_board_meeting_id()
        summaries = self.services.board_meetings.summaries()
        self._summaries = {summary.record.id: summary for summary in summaries}
        self.board_list.blockSignals(True)
        self.board_list.clear()
        self.board_list.addItem(QListWidgetItem(ALL_BOARD_MEETINGS))
        for summary in summaries:
            record = summary.record
            item = QListWidgetItem(
                f"{board_meeting_label(record)} ({_plural(summary.decisions, 'decision')})"
            )
            item.setData(Qt.ItemDataRole.UserRole, record.id)
            details = [
                text for text in (record.mode and record.mode.label, record.location) if text
            ]
            item.setToolTip("\n".join(filter(None, (" · ".join(details), record.notes))))
            self.board_list.addItem(item)
        rows = [self.board_list.item(r).data(Qt.ItemDataRole.UserRole) for r in self._rows()]
        self.board_list.setCurrentRow(rows.index(chosen) if chosen in rows else 0)
        self.board_list.blockSignals(False)
        self._update_board_buttons()

    def _rows(self) -> range:
        return range(self.board_list.count())

    def current_board_meeting_id(self) -> int | None:
        """The board meeting picked on the left; None for all of them."""
        item = self.board_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def select_board_meeting(self, board_meeting_id: int | None) -> None:
        """Pick a board meeting on the left without querying (the caller does)."""
        for row in self._rows():
            if self.board_list.item(row).data(Qt.ItemDataRole.UserRole) == board_meeting_id:
                self.board_list.blockSignals(True)
                self.board_list.setCurrentRow(row)
                self.board_list.blockSignals(False)
                break
        self._update_board_buttons()

    def board_meeting_texts(self) -> list[str]:
        return [self.board_list.item(row).text() for row in self._rows()]

    def _board_meeting_chosen(self, _row: int) -> None:
        self._update_board_buttons()
        self.apply_query()

    def _update_board_buttons(self) -> None:
        chosen = self.current_board_meeting_id() is not None
        self.new_board_button.setEnabled(self.writable)
        self.edit_board_button.setEnabled(self.writable and chosen)
        self.delete_board_button.setEnabled(self.writable and chosen)

    def update_editing(self) -> None:
        super().update_editing()
        self._update_board_buttons()

    def _board_menu(self, position: QPoint) -> None:
        chosen = self.current_board_meeting_id() is not None
        if not self.writable and not chosen:  # nothing to offer but changes
            return
        menu = QMenu(self)
        if self.writable:
            menu.addAction("New board meeting…", self.new_board_meeting)
            if chosen:
                menu.addAction("Edit board meeting…", self.edit_board_meeting)
                menu.addAction("Delete board meeting", self.delete_board_meeting)
                menu.addSeparator()
        if chosen:
            menu.addAction("History of the board meeting…", self.show_board_meeting_history)
        menu.exec(self.board_list.viewport().mapToGlobal(position))

    def show_board_meeting_history(self) -> None:
        board_meeting_id = self.current_board_meeting_id()
        summary = self._summaries.get(board_meeting_id) if board_meeting_id else None
        if summary is None:
            return
        from anso_desktop.ui.dialogs.history import HistoryDialog

        what = f"board meeting “{board_meeting_label(summary.record)}”"
        HistoryDialog.ask(self, self.services, "board-meetings", summary.record.id, what)

    @editing
    def new_board_meeting(self) -> BoardMeeting | None:
        record = BoardMeetingDialog.ask(self, self.services, None)
        if record is None:
            return None
        self.undo_stack.push(
            undo.created(
                self.services.board_meetings,
                record,
                BoardMeetingData.from_record(record),
                self.refresh,
                self,
                label=f"board meeting “{board_meeting_label(record)}”",
            )
        )
        self._fill_board_meetings()
        self.select_board_meeting(record.id)
        self.refresh()
        return record

    @editing
    def edit_board_meeting(self) -> None:
        board_meeting_id = self.current_board_meeting_id()
        if board_meeting_id is None:
            return
        try:
            current = self.services.board_meetings.get(board_meeting_id)
        except UserError as error:
            messages.warn(self, error.message)
            self.refresh()
            return
        before = BoardMeetingData.from_record(current)
        saved = BoardMeetingDialog.ask(self, self.services, current)
        if saved is None:
            return
        self.undo_stack.push(
            undo.edited(
                self.services.board_meetings,
                saved,
                before,
                BoardMeetingData.from_record(saved),
                self.refresh,
                self,
                label=f"board meeting “{board_meeting_label(saved)}”",
            )
        )
        self.refresh()

    @editing
    def delete_board_meeting(self) -> None:
        summary = self._summaries.get(self.current_board_meeting_id() or 0)
        if summary is None:
            return
        record = summary.record
        label = board_meeting_label(record)
        # With decisions, the service refuses and says why: asking first would be a false choice.
        if summary.decisions == 0 and not messages.confirm(
            self, f"Delete the {label}?\n\nYou can undo this with Ctrl+Z."
        ):
            return
        try:
            self.services.board_meetings.delete(record.id, record.version)
        except ValidationError as error:
            messages.warn(self, "\n".join(error.errors.values()))  # without the field names
            self.refresh()
            return
        except UserError as error:
            messages.warn(self, error.message)
            self.refresh()
            return
        self.undo_stack.push(
            undo.deleted(
                self.services.board_meetings,
                record,
                BoardMeetingData.from_record(record),
                self.refresh,
                self,
                label=f"board meeting “{label}”",
            )
        )
        self.select_board_meeting(None)
        self.refresh()

    # --- decisions -----------------------------------------------------------------------------

    @editing
    def new_record(self) -> None:
        """A decision belongs to a board meeting: with none yet, record the board meeting first."""
        if not self._summaries:
            messages.inform(
                self,
                "Decisions are recorded under the board meeting that took them. "
                "Add the board meeting first; the new decision follows.",
            )
            if self.new_board_meeting() is None:
                return
        super().new_record()

    def open_dialog(self, record: Decision | None) -> Decision | None:
        saved = super().open_dialog(record)
        chosen = self.current_board_meeting_id()
        if saved is not None and chosen is not None and saved.board_meeting_id != chosen:
            # Saved under another board meeting: follow it there, or it would vanish from view.
            self._fill_board_meetings()
            self.select_board_meeting(saved.board_meeting_id)
        return saved

    @editing
    def edit_selected(self) -> None:
        # F2 / Enter act on what has the focus: the board meeting list or the register.
        if self.board_list.hasFocus():
            self.edit_board_meeting()
        else:
            super().edit_selected()

    @editing
    def delete_selected(self) -> None:
        if self.board_list.hasFocus():
            self.delete_board_meeting()
        else:
            super().delete_selected()

    def row_style(self, record: Decision) -> RowStyle | None:
        return OVERDUE if is_overdue(record) else None

    def empty_text(self) -> str:
        if not self._summaries:
            if not self.writable:
                return "No board meetings yet."
            return "No board meetings yet — add the first one with “New board meeting”."
        summary = self._summaries.get(self.current_board_meeting_id() or 0)
        others = {k: v for k, v in self.current_filters().items() if k != "board_meeting_id"}
        if (
            summary is not None
            and not self.search.text().strip()
            and all(v in (None, "", False) for v in others.values())
        ):
            return self.add_hint(
                f"No decisions recorded for the {board_meeting_title(summary.record)}"
            )
        return super().empty_text()

    def status_text(self) -> str:
        """Counted among the decisions in view, so the numbers describe what is on screen:
        "12 decisions · 10 open · 2 overdue" (a part that would be 0 is left out)."""
        parts = [super().status_text()]
        open_count, overdue = self.service.follow_up_counts(self.model.query, date.today())
        if open_count:
            parts.append(f"{open_count:,} open")
        if overdue:
            parts.append(f"{overdue:,} overdue")
        return " · ".join(parts)

    def data_of(self, record: Decision) -> DecisionData:
        return DecisionData.from_record(record)

    def describe(self, record: Decision) -> str:
        text = " ".join(record.text.split())
        if len(text) > _SHORT_TEXT:
            text = text[: _SHORT_TEXT - 1].rstrip() + "…"
        return f"{board_meeting_title(record.board_meeting)}, no. {record.number}: {text}"

    # --- the selected decision in full (the detail pane) ---------------------------------------

    def build_detail_pane(self) -> QWidget:
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        self.detail.setOpenExternalLinks(False)
        self.detail.setMinimumWidth(280)
        self.detail.anchorClicked.connect(self._link_clicked)
        self.selection_changed.connect(self.show_detail)
        self.model.reloaded.connect(lambda _total: self.show_detail())
        self.show_detail()
        return self.detail

    def show_detail(self) -> None:
        records = self.selected_records()
        if not records:
            self.detail.setHtml(_hint("Select a decision to read it in full."))
        elif len(records) > 1:
            self.detail.setHtml(_hint(f"{len(records)} decisions selected."))
        else:
            self.detail.setHtml(decision_html(records[0]))

    def _link_clicked(self, url: QUrl) -> None:
        if url.scheme() == ORGANIZATION_SCHEME and url.path().isdigit():
            self.open_organization.emit(int(url.path()))


def _hint(text: str) -> str:
    return f"<p style='color:#616161'>{html.escape(text)}</p>"


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())


def decision_html(record: Decision, today: date | None = None) -> str:
    """The whole decision: what was decided, its follow-up, and links to whom it concerns."""
    board = record.board_meeting
    facts = [f"<b>Status:</b> {html.escape(record.status.label)}"]
    if record.owner:
        facts.append(f"<b>Owner:</b> {html.escape(record.owner)}")
    if record.due_date is not None:
        due = f"<b>Due:</b> {format_date(record.due_date)}"
        if is_overdue(record, today):
            due += " <span style='color:#c62828; font-weight:bold'>(overdue)</span>"
        facts.append(due)
    if record.category:
        facts.append(f"<b>Category:</b> {html.escape(record.category)}")
    parts = [
        f"<h3>Decision {record.number}</h3>",
        f"<p style='color:#616161'>{html.escape(board_meeting_label(board))}</p>",
        f"<p>{' · '.join(facts)}</p>",
        _paragraphs(record.text),
        "<h4>Follow-up notes</h4>",
        _paragraphs(record.follow_up or "") or _hint("None yet."),
        "<h4>Concerns</h4>",
    ]
    if record.organizations:
        links = "".join(
            f"<li><a href='{ORGANIZATION_SCHEME}:{o.id}'>{html.escape(o.name)}</a>"
            + (f" ({html.escape(o.acronym)})" if o.acronym else "")
            + "</li>"
            for o in record.organizations
        )
        parts.append(f"<ul>{links}</ul>")
        parts.append(_hint("Click an organization to open it in Members."))
    else:
        parts.append(_hint("No organizations linked."))
    return "".join(parts)
