"""Find duplicates: the pairs of members (or meetings) that look like one record, likeliest first;
a pair's fields side by side with a choice of which value survives; Merge (undone with Ctrl+Z,
through the window's undo stack) and "Not a duplicate" (never offered again).

Finding the pairs compares every record with the rest, and a merge moves every link of a record:
both run off the GUI thread. Comparing two records reads two rows and runs on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from anso_desktop.errors import UserError
from anso_desktop.paths import log_dir
from anso_desktop.services import Services
from anso_desktop.services.matching import DuplicatePair, RecordRef
from anso_desktop.services.merging import MergeResult, MergeTable
from anso_desktop.ui import messages, undo
from anso_desktop.ui.dialogs.merge_fields import FieldChoicesModel
from anso_desktop.ui.read_only import editing
from anso_desktop.ui.tasks import Progress, Task

#: How the dialog names a table's records: (one, many).
NOUNS: dict[str, tuple[str, str]] = {
    "members": ("organization", "organizations"),
    "meetings": ("meeting", "meetings"),
}
_ERROR_STYLE = "color: #c62828;"
_DONE_STYLE = "color: #1b5e20;"
_HINT_STYLE = "color: #616161;"
_EMPTY_STYLE = "color: #616161; font-size: 14px; padding: 40px;"


class DuplicatePairsModel(QAbstractTableModel):
    """The likely duplicates, in the order the service gives them (best first)."""

    HEADERS = ("Score", "One", "The other", "Why they look alike")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.pairs: list[DuplicatePair] = []

    def set_pairs(self, pairs: list[DuplicatePair]) -> None:
        self.beginResetModel()
        self.pairs = list(pairs)
        self.endResetModel()

    def remove(self, pair: DuplicatePair) -> None:
        row = self.pairs.index(pair)
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.pairs[row]
        self.endRemoveRows()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.pairs)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        pair = self.pairs[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                if role == Qt.ItemDataRole.ToolTipRole:
                    return "How alike the two look, out of 100"
                return pair.score
            if column == 1:
                return _named(pair.first)
            if column == 2:
                return _named(pair.second)
            return pair.reason
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _named(record: RecordRef) -> str:
    return f"{record.name} (#{record.id})"


class DuplicatesDialog(QDialog):
    """Likely duplicates of one table, and what to do with each pair."""

    def __init__(
        self,
        services: Services,
        table: MergeTable,
        undo_stack: QUndoStack,
        on_change: Callable[[], None] | None = None,
        parent: QWidget | None = None,
        *,
        read_only_reason: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.table: MergeTable = table
        #: Why nothing may be merged (None while the database may be written): the pairs are
        #: still listed and compared.
        self.read_only_reason = read_only_reason
        self.undo_stack = undo_stack
        self._on_change = on_change or (lambda: None)
        self.noun, self.plural = NOUNS[table]
        self.task: Task | None = None
        #: The pair shown, and whether its second record is the one kept.
        self.pair: DuplicatePair | None = None
        self.keep_second = False
        self.setWindowTitle(f"Find duplicate {self.plural}")
        self.resize(1040, 680)

        title = QLabel(f"Likely duplicate {self.plural}")
        title.setStyleSheet("font-size: 15px; font-weight: bold;")
        hint = QLabel(
            f"Pairs of {self.plural} that look like one, likeliest first. Select a pair, tick the "
            "value the merged record keeps where they differ, then press Merge. Ctrl+Z undoes a "
            "merge."
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(_HINT_STYLE)

        self.pairs_model = DuplicatePairsModel(self)
        self.pairs_view = QTableView()
        self.pairs_view.setModel(self.pairs_model)
        self.pairs_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.pairs_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.pairs_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.pairs_view.verticalHeader().hide()
        self.pairs_view.verticalHeader().setDefaultSectionSize(24)
        self.pairs_view.setWordWrap(False)
        self.pairs_view.setAlternatingRowColors(True)
        header = self.pairs_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for section in (1, 2, 3):
            header.setSectionResizeMode(section, QHeaderView.ResizeMode.Stretch)
        self.pairs_view.selectionModel().selectionChanged.connect(lambda *_: self._pair_chosen())

        self.compare_title = QLabel()
        self.compare_title.setWordWrap(True)
        self.compare_title.setTextFormat(Qt.TextFormat.PlainText)
        self.swap_button = QPushButton("S&wap")
        self.swap_button.setToolTip("Keep the other record instead (its values come first)")
        self.swap_button.clicked.connect(self.swap)
        compare_top = QHBoxLayout()
        compare_top.setContentsMargins(0, 0, 0, 0)
        compare_top.addWidget(self.compare_title, 1)
        compare_top.addWidget(self.swap_button)
        self.fields_model = FieldChoicesModel(self)
        self.fields_view = QTableView()
        self.fields_view.setModel(self.fields_model)
        self.fields_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.fields_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.fields_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.fields_view.verticalHeader().hide()
        self.fields_view.verticalHeader().setDefaultSectionSize(24)
        self.fields_view.setWordWrap(False)
        fields_header = self.fields_view.horizontalHeader()
        fields_header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        fields_header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        fields_header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.fields_view.clicked.connect(self._value_clicked)
        self.compare_hint = QLabel(f"Select a pair above to compare the two {self.plural}.")
        self.compare_hint.setStyleSheet(_HINT_STYLE)
        compare = QWidget()
        compare_layout = QVBoxLayout(compare)
        compare_layout.setContentsMargins(0, 0, 0, 0)
        compare_layout.addLayout(compare_top)
        compare_layout.addWidget(self.fields_view, 1)
        compare_layout.addWidget(self.compare_hint)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.pairs_view)
        splitter.addWidget(compare)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([170, 430])  # most of the room for the two records side by side
        splitter.setChildrenCollapsible(False)

        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet(_EMPTY_STYLE)
        self.stack = QStackedWidget()
        self.stack.addWidget(splitter)
        self.stack.addWidget(self.empty_label)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()

        self.distinct_button = QPushButton("Not a &duplicate")
        self.distinct_button.setToolTip(
            "These two are different records: never offer this pair again (Ctrl+Z undoes it)"
        )
        self.distinct_button.clicked.connect(self.mark_distinct)
        self.merge_button = QPushButton("&Merge")
        self.merge_button.clicked.connect(self.merge)
        self.close_button = QPushButton("&Close")
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.distinct_button)
        buttons.addStretch(1)
        buttons.addWidget(self.merge_button)
        buttons.addWidget(self.close_button)
        # A merge is never one stray Enter away: no button is the default (Alt+M merges).
        for button in (
            self.swap_button,
            self.distinct_button,
            self.merge_button,
            self.close_button,
        ):
            button.setAutoDefault(False)
            button.setDefault(False)

        QShortcut(QKeySequence.StandardKey.Undo, self, activated=self.undo_last)
        QShortcut(QKeySequence.StandardKey.Redo, self, activated=self.redo_last)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._show_pair()
        if read_only_reason is not None:
            self.show_message(f"The pairs can be looked at but not merged. {read_only_reason}")
        self.find_pairs()

    # --- the pairs -----------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.task is not None

    def find_pairs(self) -> None:
        """List the pairs again, off the GUI thread (the one selected stays so if still there)."""
        if self.task is not None:
            return
        merges, table = self.services.merges, self.table
        if not self.pairs_model.pairs:
            self._show_empty(f"Looking for likely duplicate {self.plural}…")
        self._run(lambda _progress: merges.duplicates(table), self._pairs_found)

    def _pairs_found(self, pairs: list[DuplicatePair]) -> None:
        chosen = self.pair
        row = self.pairs_view.currentIndex().row()
        self.pairs_model.set_pairs(pairs)
        if not pairs:
            self._show_empty(
                f"No likely duplicates among the {self.plural}.\n\nPairs marked “Not a "
                "duplicate” are not offered again."
            )
            return
        self.stack.setCurrentIndex(0)
        same = [i for i, pair in enumerate(pairs) if chosen and _same_pair(pair, chosen)]
        self.select_pair(same[0] if same else min(max(row, 0), len(pairs) - 1))

    def _show_empty(self, text: str) -> None:
        self.empty_label.setText(text)
        self.stack.setCurrentWidget(self.empty_label)
        self.pair = None
        self._show_pair()

    def select_pair(self, row: int) -> None:
        self.pairs_view.selectRow(row)
        self.pairs_view.setCurrentIndex(self.pairs_model.index(row, 1))

    def _pair_chosen(self) -> None:
        rows = self.pairs_view.selectionModel().selectedRows()
        pair = self.pairs_model.pairs[rows[0].row()] if rows else None
        if pair != self.pair:
            self.keep_second = False
        self.pair = pair
        self._show_pair()

    @property
    def kept(self) -> RecordRef | None:
        if self.pair is None:
            return None
        return self.pair.second if self.keep_second else self.pair.first

    @property
    def merged_away(self) -> RecordRef | None:
        if self.pair is None:
            return None
        return self.pair.first if self.keep_second else self.pair.second

    def swap(self) -> None:
        """Keep the other record of the pair; the choices start again from its values."""
        if self.pair is None or self.busy:
            return
        self.keep_second = not self.keep_second
        self._show_pair()

    def _show_pair(self) -> None:
        keep, other = self.kept, self.merged_away
        if keep is None or other is None:
            self.fields_model.clear()
            self.compare_title.setText("")
            self.compare_hint.show()
            self._update_buttons()
            return
        try:
            choices = self.services.merges.compare(self.table, keep.id, other.id)
        except UserError as error:  # one of them was deleted or merged elsewhere meanwhile
            self.fields_model.clear()
            self.show_message(error.message, error=True)
            self._update_buttons()
            return
        self.fields_model.set_choices(self.services, keep.id, other.id, choices)
        self.compare_title.setText(
            f"Keep “{keep.name}” (#{keep.id}) and merge “{other.name}” (#{other.id}) into it. "
            "Where they differ, the ticked value is kept; click the other to keep it instead."
        )
        self.compare_hint.hide()
        self._update_buttons()

    def _value_clicked(self, index: QModelIndex) -> None:
        """A click anywhere on a value keeps that value (not only on its tick box)."""
        if index.column() == FieldChoicesModel.FIELD:
            return
        choice = self.fields_model.choices[index.row()]
        if choice.differs:
            self.fields_model.choose(
                choice.key, from_other=index.column() == FieldChoicesModel.OTHER
            )

    # --- merge, not a duplicate, undo ----------------------------------------------------------

    @editing
    def merge(self) -> None:
        """Merge the shown pair with the ticked values, off the GUI thread; a refusal is shown
        here and the dialog stays open."""
        keep, other = self.kept, self.merged_away
        if keep is None or other is None or self.busy:
            return
        fields = self.fields_model.take_from_other()
        merges, table = self.services.merges, self.table

        def work(_progress: Progress) -> MergeResult:
            return merges.merge(table, keep.id, other.id, take_from_other=fields)

        self.show_message(f"Merging “{other.name}” into “{keep.name}”…")
        self._run(work, self._merged)

    def _merged(self, result: MergeResult) -> None:
        self.undo_stack.push(
            undo.merged(self.services, result, self._on_change, self.parentWidget())
        )
        self._on_change()
        self.show_message(f"{result.summary()} Ctrl+Z undoes it.", done=True)
        self.pair = None
        self.find_pairs()

    @editing
    def mark_distinct(self) -> None:
        """The two are different records: the pair leaves the list, and is never offered again."""
        pair = self.pair
        if pair is None or self.busy:
            return
        try:
            self.services.merges.mark_distinct(self.table, pair.first.id, pair.second.id)
        except UserError as error:
            self.show_message(error.message, error=True)
            return
        self.undo_stack.push(
            undo.marked_distinct(self.services, pair, self.table, lambda: None, self.parentWidget())
        )
        row = self.pairs_model.pairs.index(pair)
        self.pairs_model.remove(pair)
        self.show_message(
            f"“{pair.first.name}” and “{pair.second.name}” are not offered again. Ctrl+Z undoes it.",
            done=True,
        )
        if self.pairs_model.pairs:
            self.select_pair(min(row, len(self.pairs_model.pairs) - 1))
        else:
            self._pairs_found([])

    @editing
    def undo_last(self) -> None:
        """Ctrl+Z here does what it does in the window, then lists the pairs again."""
        if self.busy or not self.undo_stack.canUndo():
            return
        text = self.undo_stack.undoText()
        self.undo_stack.undo()
        self.show_message(f"Undone: {text}.", done=True)
        self.find_pairs()

    @editing
    def redo_last(self) -> None:
        if self.busy or not self.undo_stack.canRedo():
            return
        text = self.undo_stack.redoText()
        self.undo_stack.redo()
        self.show_message(f"Done again: {text}.", done=True)
        self.pair = None
        self.find_pairs()

    # --- messages, buttons and background work -------------------------------------------------

    def show_message(self, text: str, *, error: bool = False, done: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(_ERROR_STYLE if error else _DONE_STYLE if done else "")
        self.message.setVisible(bool(text))

    def message_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""

    def _update_buttons(self) -> None:
        ready = self.pair is not None and not self.busy and bool(self.fields_model.choices)
        writable = self.read_only_reason is None
        self.merge_button.setEnabled(writable and ready)
        self.swap_button.setEnabled(ready)
        self.distinct_button.setEnabled(writable and self.pair is not None and not self.busy)
        keep, other = self.kept, self.merged_away
        if keep is not None and other is not None:
            self.merge_button.setToolTip(
                f"Make “{other.name}” part of “{keep.name}”: its links move over and its name "
                "is kept as another name (Alt+M; Ctrl+Z undoes it)"
            )

    def _run(self, work: Callable[[Progress], Any], succeeded: Callable[[Any], None]) -> None:
        task = Task(work, self)

        def finished_with(result: object) -> None:
            self.task = None
            succeeded(result)
            self._update_buttons()

        def failed(error: object) -> None:
            self.task = None
            if isinstance(error, UserError):
                self.show_message(f"{error.message}\n\nNothing was changed.", error=True)
            else:
                messages.error(
                    self,
                    f"Something went wrong: {type(error).__name__}: {error}",
                    f"Nothing was changed. The details are in the log file in {log_dir()}.",
                )
            self._update_buttons()

        task.succeeded.connect(finished_with)
        task.failed.connect(failed)
        self.task = task
        self._update_buttons()
        task.start()

    def reject(self) -> None:
        """Esc and Close close the dialog, once a merge under way is done."""
        if self.busy:
            self.show_message("Wait a moment: the work under way finishes first.")
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.busy:
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        services: Services,
        table: MergeTable,
        undo_stack: QUndoStack,
        on_change: Callable[[], None] | None = None,
        *,
        read_only_reason: str | None = None,
    ) -> None:
        """Show the dialog until closed; merges are on `undo_stack` (none while
        `read_only_reason` says why the database may only be read). Tests patch this."""
        dialog: Self = cls(
            services, table, undo_stack, on_change, parent, read_only_reason=read_only_reason
        )
        dialog.exec()


def _same_pair(first: DuplicatePair, second: DuplicatePair) -> bool:
    return (first.first.id, first.second.id) == (second.first.id, second.second.id)
