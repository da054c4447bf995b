"""Edit › Recent changes…: every change set, newest first, filtered by person, table, date and
where from; and Undo… of one, after saying what it would put back.

The list is read a page at a time, and a change set's rows only once it is selected: an import's
may hold 100,000, of which the first few hundred are shown. Everything is read off the GUI
thread; an answer that comes after the filters or the selection moved on is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Self

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtGui import QBrush, QCloseEvent, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from anso_desktop.errors import UserError
from anso_desktop.paths import log_dir
from anso_desktop.services import Services
from anso_desktop.services.history import DATABASE_TABLES, ChangeSetView, HistoryFilter
from anso_desktop.ui import messages
from anso_desktop.ui.dialogs.history import add_row, change_tree, in_background
from anso_desktop.ui.history_words import (
    NOUNS,
    ChangeWords,
    RowLine,
    change_set_title,
    counts_text,
    source_text,
    undo_note,
    undo_question,
    when_text,
    who_text,
)
from anso_desktop.ui.read_only import editing
from anso_desktop.ui.tasks import Task

PAGE = 200
#: Rows of one change set shown at most (the rest are counted).
SHOWN_ROWS = 500
#: A change set with at most this many rows opens with every row's fields showing.
EXPANDED_ROWS = 30
LIST_HEADERS = ("#", "When", "Who", "From", "What changed", "Note")
#: The tables to filter by, in the words of the tabs (value: the database table).
TABLE_CHOICES: list[tuple[str, str | None]] = [("All tables", None), ("Members", "organizations")]
TABLE_CHOICES += [
    (NOUNS[name][1].capitalize(), DATABASE_TABLES[name])
    for name in (
        "contacts aliases meetings board-meetings decisions funds finances exchange-rates budget-plans"
    ).split()
]
ANY_PERSON = "Anyone"
#: The date that means "no date chosen" (shown as "Any date").
NO_DATE = QDate(2000, 1, 1)
_MUTED = QBrush(QColor("#757575"))
_ERROR_STYLE = "color: #c62828;"
_DONE_STYLE = "color: #1b5e20;"
_HINT_STYLE = "color: #616161;"


@dataclass(frozen=True)
class ChangeSetRows:
    change_set: ChangeSetView
    lines: list[RowLine]
    total: int


def read_rows(services: Services, change_set_id: int) -> ChangeSetRows:
    """One change set's first rows in words (background work)."""
    change_set = services.history.change_set(change_set_id)
    words = ChangeWords(services)
    lines = [words.row(change) for change in change_set.changes[:SHOWN_ROWS]]
    total = sum(change_set.counts.values()) or len(change_set.changes)
    return ChangeSetRows(change_set, lines, total)


class RecentChangesDialog(QDialog):
    """The change sets of the whole register, and the way to undo one."""

    def __init__(
        self,
        services: Services,
        on_change: Callable[[], None] | None = None,
        parent: QWidget | None = None,
        *,
        read_only_reason: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self._on_change = on_change or (lambda: None)
        #: Why nothing may be undone (None while the database may be written).
        self.read_only_reason = read_only_reason
        self.change_sets: list[ChangeSetView] = []
        self.loading = False
        self.more = False
        self.rows: ChangeSetRows | None = None
        self.undoing: Task | None = None
        self._generation = 0
        self.setWindowTitle("Recent changes")
        self.resize(1100, 720)

        self.person = QComboBox()
        self.person.addItem(ANY_PERSON, None)
        self.person.setToolTip("Who made the change")
        self.table = QComboBox()
        for text, value in TABLE_CHOICES:
            self.table.addItem(text, value)
        self.table.setToolTip("What was changed")
        self.since = QDateEdit()
        self.since.setCalendarPopup(True)
        self.since.setMinimumDate(NO_DATE)
        self.since.setSpecialValueText("Any date")
        self.since.setDisplayFormat("d MMM yyyy")
        self.since.setDate(NO_DATE)
        self.since.setToolTip("Changes on or after this day")
        self.source = QLineEdit()
        self.source.setPlaceholderText("From (e.g. import, Edit member)…")
        self.source.setClearButtonEnabled(True)
        self.source.setMinimumWidth(240)
        self._source_timer = QTimer(self)
        self._source_timer.setSingleShot(True)
        self._source_timer.setInterval(300)
        self._source_timer.timeout.connect(self.reload)
        self.person.currentIndexChanged.connect(lambda _i: self.reload())
        self.table.currentIndexChanged.connect(lambda _i: self.reload())
        self.since.dateChanged.connect(lambda _d: self.reload())
        self.source.textChanged.connect(lambda _t: self._source_timer.start())
        filters = QHBoxLayout()
        for label, widget in (
            ("Who:", self.person),
            ("Table:", self.table),
            ("Since:", self.since),
            ("From:", self.source),
        ):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addStretch(1)

        self.list = QTreeWidget()
        self.list.setColumnCount(len(LIST_HEADERS))
        self.list.setHeaderLabels(list(LIST_HEADERS))
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.list.header()
        header.setStretchLastSection(False)
        for column, width in enumerate((60, 140, 150, 230, 0, 130)):
            if width:
                header.resizeSection(column, width)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.list.itemSelectionChanged.connect(self._selected)
        self.count_label = QLabel()
        self.count_label.setStyleSheet(_HINT_STYLE)
        self.more_button = QPushButton("Show more")
        self.more_button.setToolTip(f"List the next {PAGE} older change sets")
        self.more_button.clicked.connect(self.show_more)
        under_list = QHBoxLayout()
        under_list.addWidget(self.count_label, 1)
        under_list.addWidget(self.more_button)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.list, 1)
        top_layout.addLayout(under_list)

        self.detail_title = QLabel("Select a change set to see what it changed.")
        self.detail_title.setWordWrap(True)
        self.detail_title.setStyleSheet("font-weight: bold;")
        self.detail = change_tree()
        self.detail_note = QLabel()
        self.detail_note.setStyleSheet(_HINT_STYLE)
        self.detail_note.hide()
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.detail_title)
        bottom_layout.addWidget(self.detail, 1)
        bottom_layout.addWidget(self.detail_note)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setSizes([330, 330])

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        self.undo_button = QPushButton("&Undo…")
        self.undo_button.clicked.connect(self.undo_selected)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.addButton(self.undo_button, QDialogButtonBox.ButtonRole.ActionRole)
        box.rejected.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addStretch(0)
        buttons.addWidget(box)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        if read_only_reason is not None:
            self.show_message(f"Changes can be looked at but not undone. {read_only_reason}")
        in_background(self, services.history.people, self._fill_people, self._failed)
        self.reload()

    # --- the list ------------------------------------------------------------------------------

    def query(self, offset: int = 0) -> HistoryFilter:
        since = self.since.date()
        return HistoryFilter(
            table=self.table.currentData(),
            since=None if since == NO_DATE else date(since.year(), since.month(), since.day()),
            person=self.person.currentData(),  # the very person chosen: "Ann" is not "Anna"
            source=self.source.text().strip() or None,
            limit=PAGE + 1,  # one more than shown: whether there are more
            offset=offset,
        )

    def reload(self) -> None:
        """List the change sets again from the newest (the filters changed, or an undo)."""
        self._source_timer.stop()
        self._load(0)

    def show_more(self) -> None:
        if not self.loading and self.more:
            self._load(len(self.change_sets))

    def _load(self, offset: int) -> None:
        self._generation += 1
        generation, query, history = self._generation, self.query(offset), self.services.history
        self.loading = True
        self.count_label.setText("Reading the history…")
        self._update_buttons()
        in_background(
            self,
            lambda: history.change_sets(query, with_rows=False),
            lambda found: self._listed(generation, offset, found),
            self._failed,
        )

    def _listed(self, generation: int, offset: int, found: list[ChangeSetView]) -> None:
        if generation != self._generation:
            return  # the filters changed meanwhile: a newer answer is on its way
        self.loading = False
        chosen = self.selected()
        self.more = len(found) > PAGE
        found = found[:PAGE]
        if offset == 0:
            self.change_sets = []
            self.list.clear()
        self.change_sets += found
        for change_set in found:
            self._add_line(change_set)
        shown = len(self.change_sets)
        self.count_label.setText(
            f"{shown:,} change sets{' — older ones under Show more' if self.more else ''}"
            if shown
            else "No change matches these filters."
        )
        if offset == 0 and self.change_sets:
            ids = [change_set.id for change_set in self.change_sets]
            self.select(chosen.id if chosen is not None and chosen.id in ids else ids[0])
        elif not self.change_sets:
            self._show_rows(None)
        self._update_buttons()

    def _add_line(self, change_set: ChangeSetView) -> None:
        item = QTreeWidgetItem(
            self.list,
            [
                f"#{change_set.id}",
                when_text(change_set.local_time),
                who_text(change_set),
                source_text(change_set.source),
                counts_text(change_set),
                undo_note(change_set),
            ],
        )
        item.setData(0, Qt.ItemDataRole.UserRole, change_set.id)
        item.setToolTip(4, counts_text(change_set))
        item.setToolTip(3, change_set.source)
        if change_set.undone_by is not None:
            for column in range(len(LIST_HEADERS)):
                item.setForeground(column, _MUTED)

    def _fill_people(self, people: list[str]) -> None:
        chosen = self.person.currentData()
        self.person.blockSignals(True)
        for name in people:
            if self.person.findData(name) < 0:
                self.person.addItem(name, name)
        self.person.setCurrentIndex(max(self.person.findData(chosen), 0))
        self.person.blockSignals(False)

    def listed_ids(self) -> list[int]:
        return [change_set.id for change_set in self.change_sets]

    # --- one change set's rows -----------------------------------------------------------------

    def selected(self) -> ChangeSetView | None:
        items = self.list.selectedItems()
        if not items:
            return None
        wanted = items[0].data(0, Qt.ItemDataRole.UserRole)
        return next((cs for cs in self.change_sets if cs.id == wanted), None)

    def select(self, change_set_id: int) -> None:
        for index in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(index)
            if item.data(0, Qt.ItemDataRole.UserRole) == change_set_id:
                self.list.setCurrentItem(item)
                return

    def _selected(self) -> None:
        chosen = self.selected()
        self._show_rows(chosen.id if chosen is not None else None)
        self._update_buttons()

    def _show_rows(self, change_set_id: int | None) -> None:
        self.rows = None
        self.detail.clear()
        self.detail_note.hide()
        if change_set_id is None:
            self.detail_title.setText("Select a change set to see what it changed.")
            return
        self.detail_title.setText(f"Reading change set #{change_set_id}…")
        services = self.services
        in_background(
            self,
            lambda: read_rows(services, change_set_id),
            lambda rows: self._rows_read(change_set_id, rows),
            self._failed,
        )

    def _rows_read(self, change_set_id: int, rows: ChangeSetRows) -> None:
        chosen = self.selected()
        if chosen is None or chosen.id != change_set_id:
            return  # another one was selected meanwhile
        self.rows = rows
        self.detail_title.setText(change_set_title(rows.change_set))
        for line in rows.lines:
            add_row(self.detail, line)
        if len(rows.lines) <= EXPANDED_ROWS:
            self.detail.expandAll()
        if rows.total > len(rows.lines):
            self.detail_note.setText(
                f"Showing the first {len(rows.lines):,} of {rows.total:,} rows; "
                f"{rows.total - len(rows.lines):,} more are not listed."
            )
            self.detail_note.show()

    def detail_lines(self) -> list[list[str]]:
        """The rows shown and their fields, as texts: what the tests read."""
        found = []
        for index in range(self.detail.topLevelItemCount()):
            item = self.detail.topLevelItem(index)
            found.append([item.text(0)])
            for child in range(item.childCount()):
                field = item.child(child)
                found.append(["  " + field.text(0), field.text(1), field.text(2)])
        return found

    # --- undo ----------------------------------------------------------------------------------

    @editing
    def undo_selected(self) -> None:
        """Say what the undo would change, ask, then undo off the GUI thread; a refusal (a
        record changed since) is told and the dialog stays."""
        chosen = self.selected()
        if chosen is None or chosen.undone_by is not None or self.undoing is not None:
            return
        services = self.services
        self.show_message(f"Working out what undoing #{chosen.id} would change…")
        self.undoing = in_background(
            self,
            lambda: services.undo.undo(chosen.id, dry_run=True),
            lambda plan: self._confirm(chosen, plan),
            self._undo_failed,
        )
        self._update_buttons()

    def _confirm(self, chosen: ChangeSetView, plan: Any) -> None:
        self.undoing = None
        self.show_message("")
        if not messages.confirm(self, undo_question(chosen, plan.counts), action="Undo"):
            self._update_buttons()
            return
        services = self.services
        self.show_message(f"Undoing #{chosen.id}…")
        self.undoing = in_background(
            self, lambda: services.undo.undo(chosen.id), self._undone, self._undo_failed
        )
        self._update_buttons()

    def _undone(self, result: Any) -> None:
        self.undoing = None
        self.show_message(result.summary(), done=True)
        self._on_change()
        self.reload()

    def _undo_failed(self, error: BaseException) -> None:
        self.undoing = None
        self.show_message("")
        if isinstance(error, UserError):
            messages.warn(self, error.message)
        else:
            self._failed(error)
        self._update_buttons()

    def _failed(self, error: BaseException) -> None:
        self.loading = False
        if isinstance(error, UserError):
            self.show_message(error.message, error=True)
        else:
            messages.error(
                self,
                f"Something went wrong: {type(error).__name__}: {error}",
                f"Nothing was changed. The details are in the log file in {log_dir()}.",
            )
        self._update_buttons()

    # --- messages and buttons ------------------------------------------------------------------

    def show_message(self, text: str, *, error: bool = False, done: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(_ERROR_STYLE if error else _DONE_STYLE if done else "")
        self.message.setVisible(bool(text))

    def message_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""

    def _update_buttons(self) -> None:
        chosen = self.selected()
        self.more_button.setVisible(self.more)
        self.more_button.setEnabled(not self.loading)
        self.undo_button.setEnabled(
            self.read_only_reason is None
            and chosen is not None
            and chosen.undone_by is None
            and self.undoing is None
        )
        if self.read_only_reason is not None:
            tip = self.read_only_reason
        elif chosen is not None and chosen.undone_by is not None:
            tip = f"Already undone by #{chosen.undone_by}"
        else:
            tip = "Put back what the selected change set changed (you are asked first)"
        self.undo_button.setToolTip(tip)

    def reject(self) -> None:
        """Esc and Close close the dialog, once an undo under way is done."""
        if self.undoing is not None:
            self.show_message("Wait a moment: the undo under way finishes first.")
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.undoing is not None:
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        services: Services,
        on_change: Callable[[], None] | None = None,
        *,
        read_only_reason: str | None = None,
    ) -> None:
        """Show the dialog until closed; `on_change` runs after an undo. Tests patch this."""
        dialog: Self = cls(services, on_change, parent, read_only_reason=read_only_reason)
        dialog.exec()
