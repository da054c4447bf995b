"""What every tab shares: a searchable, filterable, sortable table over one service, add / edit /
delete with undo, an empty state that says what to do, and a line for the status bar.

A tab subclass names its spec, service and dialog, builds its filters, and may add a detail pane.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import QEvent, QObject, QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from anso_desktop.errors import UserError
from anso_desktop.reports.documents import PrintRequest
from anso_desktop.services import Services
from anso_desktop.services.base import CrudService, ListQuery, Page
from anso_desktop.storage import history
from anso_desktop.tables import TableSpec
from anso_desktop.ui import messages, undo
from anso_desktop.ui.dialogs.base import RecordDialog
from anso_desktop.ui.models.record_table import RecordTableModel, RowStyle
from anso_desktop.ui.read_only import editing

SEARCH_DELAY_MS = 250


class RecordTab(QWidget):
    """One tab of the main window."""

    #: The text for the status bar changed (row counts, totals).
    status_changed = Signal(str)
    selection_changed = Signal()
    #: Records other tabs show changed too (a merge moves links between tables): the window
    #: refreshes every tab.
    register_changed = Signal()

    spec: ClassVar[TableSpec]
    noun: ClassVar[str]
    plural: ClassVar[str]
    dialog: ClassVar[type[RecordDialog[Any]]]
    #: The grid's order before any header click: (column key, descending).
    initial_sort: ClassVar[tuple[str, bool] | None] = None
    #: Grid columns hidden until the user shows them (header right-click menu).
    hidden_columns: ClassVar[frozenset[str]] = frozenset()
    #: The printed list behind the tab (File › Print…): members, meetings, decisions, finances.
    printed_list: ClassVar[str] = ""
    #: Whether the tab offers Find duplicates (its table is one the merge service knows).
    finds_duplicates: ClassVar[bool] = False

    def __init__(
        self, services: Services, undo_stack: QUndoStack, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.undo_stack = undo_stack
        #: Why the database may only be read (None while it may be written): see set_read_only.
        self.read_only_reason: str | None = None
        #: The tab's own actions and buttons that change data, whatever is selected: enabled only
        #: while the database may be written. Those that also depend on the selection check
        #: `writable` in `update_editing` instead.
        self.editing_widgets: list[QAction | QWidget] = []
        self._painted = False
        self._after_paint: list[Callable[[], None]] = []
        self._widths_restored = False
        self.model = RecordTableModel(self.spec, self.fetch, row_style=self.row_style, parent=self)

        self.search = QLineEdit()
        self.search.setPlaceholderText(f"Search {self.plural}…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(260)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_query)
        self.search.textChanged.connect(self._search_timer.start)
        self.search.returnPressed.connect(self.apply_query)

        self.clear_button = QPushButton("Clear filters")
        self.clear_button.setToolTip("Show every row again (Ctrl+Shift+L)")
        self.clear_button.clicked.connect(self.clear_filters)
        self.filter_bar = QHBoxLayout()
        self.filter_bar.addWidget(self.search)
        self.build_filters()
        self.filter_bar.addWidget(self.clear_button)
        self.filter_bar.addStretch(1)

        self.view = QTableView()
        self.view.setModel(self.model)
        # No sort indicator at first: rows come in the service's natural order until a header click.
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicatorShown(True)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(False)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.doubleClicked.connect(lambda _index: self.edit_selected())
        self.view.selectionModel().selectionChanged.connect(
            lambda *_: self.selection_changed.emit()
        )
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), self.view, activated=self.edit_selected)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        self._set_column_widths()
        if self.initial_sort is not None:
            key, descending = self.initial_sort
            section = [column.key for column in self.model.columns].index(key)
            order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
            self.view.horizontalHeader().setSortIndicator(section, order)

        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: #616161; font-size: 14px; padding: 40px;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty_label)

        body = QSplitter(Qt.Orientation.Horizontal)
        before = self.build_side_pane()
        if before is not None:
            body.addWidget(before)
        body.addWidget(self.stack)
        detail = self.build_detail_pane()
        if detail is not None:
            body.addWidget(detail)
        body.setStretchFactor(body.indexOf(self.stack), 1)
        # The table gets the room; side and detail panes start narrow (the user can widen them).
        sizes = [*([240] if before is not None else []), 2000, *([300] if detail else [])]
        body.setSizes(sizes)
        self.splitter = body

        layout = QVBoxLayout(self)
        layout.addLayout(self.filter_bar)
        layout.addWidget(body, 1)
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.setInterval(0)
        self._status_timer.timeout.connect(self._emit_status)
        self.view.viewport().installEventFilter(self)
        self.model.reloaded.connect(self._after_reload)
        #: What the tab puts in its own menu of the menu bar (Meetings, Members, Finances).
        self.menu_actions: tuple[QAction, ...] = ()
        if self.finds_duplicates:
            self.find_duplicates_action = QAction("Find &duplicates…", self)
            self.find_duplicates_action.setStatusTip(
                f"List the {self.plural} that look like one, and merge them"
            )
            self.find_duplicates_action.triggered.connect(lambda _c=False: self.find_duplicates())
            self.menu_actions = (self.find_duplicates_action,)
        # History… on the rows' context menu; Ctrl+H is the window's (Edit › Record history…),
        # so the menu only shows it: a second Ctrl+H here would make the key ambiguous.
        self.history_action = QAction("History…\tCtrl+H", self)
        self.history_action.setStatusTip(
            f"Every change of the selected {self.noun}: when, by whom, and what it was before"
        )
        self.history_action.triggered.connect(lambda _checked=False: self.show_history())
        self.history_action.setEnabled(False)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._row_menu)
        self.selection_changed.connect(self._update_history_action)
        self.model.modelReset.connect(self._update_history_action)
        self.apply_query()

    # --- for subclasses ------------------------------------------------------------------------

    @property
    def service(self) -> CrudService[Any, Any]:
        raise NotImplementedError

    def fetch(self, query: ListQuery) -> Page[Any]:
        return self.service.list(query)

    def build_filters(self) -> None:
        """Add the tab's filter widgets to `self.filter_bar`; call `self.apply_query` on change."""

    def build_side_pane(self) -> QWidget | None:
        return None

    def build_detail_pane(self) -> QWidget | None:
        return None

    def current_filters(self) -> dict[str, Any]:
        return {}

    def reset_filters(self) -> None:
        """Put the tab's own filter widgets back to 'all'."""

    def row_style(self, record: Any) -> RowStyle | None:
        return None

    def empty_text(self) -> str:
        if self.search.text().strip() or any(
            v not in (None, "", False) for v in self.current_filters().values()
        ):
            return (
                f"No {self.plural} match the search and filters — press Ctrl+Shift+L to clear them."
            )
        return self.add_hint(f"No {self.plural} yet")

    def print_request(self) -> PrintRequest:
        """The tab's list as it is shown (search, filters, order), for File › Print…."""
        query = self.model.query
        return PrintRequest(
            table=self.printed_list,
            search=query.search,
            filters={k: v for k, v in query.filters.items() if v not in (None, "", False)},
            sort=query.sort,
            descending=query.descending,
        )

    def print_row_count(self) -> int:
        return self.model.total

    def status_text(self) -> str:
        total = self.model.total
        return f"{total:,} {self.noun if total == 1 else self.plural}"

    def data_of(self, record: Any) -> Any:
        """The service's data class for a record (to undo an edit or a delete)."""
        raise NotImplementedError

    def describe(self, record: Any) -> str:
        return str(getattr(record, "name", None) or getattr(record, "title", None) or self.noun)

    def extra_dialogs(self) -> list[tuple[str, QWidget]]:
        """Other dialogs this tab opens, built but not shown: for the screenshot review."""
        return []

    def update_editing(self) -> None:
        """Enable the tab's ways of changing data only while the database may be written; a tab
        whose actions depend on the selection too adds them here."""
        for widget in self.editing_widgets:
            widget.setEnabled(self.writable)

    def open_dialog(self, record: Any | None) -> Any | None:
        return self.dialog.ask(self, self.services, record)

    def find_duplicates(self) -> None:
        """Likely duplicates of this tab's records, to merge; every tab shows the merges."""
        from anso_desktop.ui.dialogs.duplicates import DuplicatesDialog

        DuplicatesDialog.ask(
            self,
            self.services,
            self.spec.name,  # type: ignore[arg-type]  # "members" or "meetings"
            self.undo_stack,
            self.register_changed.emit,
            read_only_reason=self.read_only_reason,
        )

    def show_history(self) -> None:
        """Every change of the selected record and its parts, newest first."""
        records = self.selected_records()
        if not records:
            return
        from anso_desktop.ui.dialogs.history import HistoryDialog

        what = self.describe(records[0])
        if len(what) > 60:
            what = what[:59].rstrip() + "…"
        HistoryDialog.ask(
            self, self.services, self.spec.name, records[0].id, f"{self.noun} “{what}”"
        )

    def _update_history_action(self) -> None:
        self.history_action.setEnabled(bool(self.view.selectionModel().selectedRows()))

    def row_menu(self) -> QMenu:
        """The rows' context menu: the tab's own commands (`self.view.actions()`, which change
        data), then History…, which only reads and so stays when the database is read-only."""
        menu = QMenu(self)
        menu.addActions(self.view.actions())
        if self.view.actions():
            menu.addSeparator()
        menu.addAction(self.history_action)
        return menu

    def _row_menu(self, position: QPoint) -> None:
        self.row_menu().exec(self.view.viewport().mapToGlobal(position))

    # --- a database that may only be read ------------------------------------------------------

    @property
    def writable(self) -> bool:
        return self.read_only_reason is None

    def set_read_only(self, reason: str | None) -> None:
        """Offer no change while `reason` says why the database may only be read (None: offer
        every change again). Searching, sorting, printing and exporting stay."""
        self.read_only_reason = reason
        self.update_editing()
        if self.stack.currentWidget() is self.empty_label:
            self.empty_label.setText(self.empty_text())

    def add_hint(self, text: str) -> str:
        """An empty list's text, ending with how to add a record when that is possible."""
        return f"{text} — press Ctrl+N to add one." if self.writable else f"{text}."

    # --- querying ------------------------------------------------------------------------------

    def apply_query(self) -> None:
        self._search_timer.stop()
        selected = [record.id for record in self.selected_records()]
        self.model.set_query(search=self.search.text(), filters=self.current_filters())
        if selected:
            self.select_ids(selected)

    def refresh(self) -> None:
        """Re-read the rows (after an edit here, an undo, or a change by someone else)."""
        selected = [record.id for record in self.selected_records()]
        self.model.reload()
        self.select_ids(selected)

    def refresh_in_place(self) -> None:
        """Re-read the rows after a colleague's change without moving the user's place: the same
        records stay selected, the same one current, and the list stays scrolled where it was."""
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        selected = [record.id for record in self.selected_records()]
        current = self.view.currentIndex()
        current_record = self.model.record_at(current.row()) if current.isValid() else None
        bars = (self.view.verticalScrollBar(), self.view.horizontalScrollBar())
        positions = [bar.value() for bar in bars]
        self.refresh()
        for row in rows:  # the pages the selection was on: a selected record is looked for there
            self.model.record_at(row)
        selection = self.view.selectionModel()
        selection.clearSelection()
        flags = selection.SelectionFlag.Select | selection.SelectionFlag.Rows
        for record_id in selected:
            row = self.model.row_of(record_id)
            if row is not None:
                selection.select(self.model.index(row, 0), flags)
        row = self.model.row_of(current_record.id) if current_record is not None else None
        if row is not None:
            selection.setCurrentIndex(
                self.model.index(row, current.column()), selection.SelectionFlag.NoUpdate
            )
        for bar, position in zip(bars, positions, strict=True):
            bar.setValue(position)

    def clear_filters(self) -> None:
        blockers = [self.search.blockSignals(True)]
        self.search.clear()
        self.search.blockSignals(blockers[0])
        self.reset_filters()
        self.apply_query()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _after_reload(self, total: int) -> None:
        if total == 0:
            self.empty_label.setText(self.empty_text())
            self.stack.setCurrentWidget(self.empty_label)
        else:
            self.stack.setCurrentWidget(self.view)
        # Counts and totals for the status bar come once the rows have painted (they may scan
        # the whole table); several reloads in a row cost one computation.
        self._status_timer.start()

    def _emit_status(self) -> None:
        if self._painted or not self.isVisible():
            self.status_changed.emit(self.status_text())
        else:
            self.after_first_paint(self._status_timer.start)

    def after_first_paint(self, work: Callable[[], None]) -> None:
        """Run `work` once the rows have been painted: what can wait should not delay them."""
        if self._painted:
            QTimer.singleShot(0, work)
        else:
            self._after_paint.append(work)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._painted:
            self._painted = True
            if not self._widths_restored:
                self._after_paint.insert(0, self._give_spare_width_to_the_widest_column)
            self.view.viewport().removeEventFilter(self)
            for work in self._after_paint:
                QTimer.singleShot(0, work)
            self._after_paint.clear()
        return False

    # --- selection -----------------------------------------------------------------------------

    def selected_records(self) -> list[Any]:
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        return [record for row in rows if (record := self.model.record_at(row)) is not None]

    def select_ids(self, ids: list[int]) -> None:
        selection = self.view.selectionModel()
        selection.clearSelection()
        first = True
        for record_id in ids:
            row = self.model.row_of(record_id)
            if row is None:
                continue
            index = self.model.index(row, 0)
            flags = selection.SelectionFlag.Select | selection.SelectionFlag.Rows
            if first:
                self.view.setCurrentIndex(index)
                first = False
            selection.select(index, flags)
            self.view.scrollTo(index)

    # --- commands ------------------------------------------------------------------------------

    @editing
    def new_record(self) -> None:
        record = self.open_dialog(None)
        if record is None:
            return
        self.undo_stack.push(
            undo.created(
                self.service,
                record,
                self.data_of(record),
                self.refresh,
                self,
                label=f"{self.noun} “{self.describe(record)}”",
            )
        )
        self.refresh()
        self.select_ids([record.id])

    @editing
    def edit_selected(self) -> None:
        records = self.selected_records()
        if not records:
            return
        try:
            current = self.service.get(records[0].id)
        except UserError as error:
            messages.warn(self, error.message)
            self.refresh()
            return
        before = self.data_of(current)
        saved = self.open_dialog(current)
        if saved is None:
            return
        self.undo_stack.push(
            undo.edited(
                self.service,
                saved,
                before,
                self.data_of(saved),
                self.refresh,
                self,
                label=f"{self.noun} “{self.describe(saved)}”",
            )
        )
        self.refresh()

    @editing
    def delete_selected(self) -> None:
        records = self.selected_records()
        if not records:
            return
        if len(records) == 1:
            question = f"Delete the {self.noun} “{self.describe(records[0])}”?"
        else:
            question = f"Delete these {len(records)} {self.plural}?"
        if not messages.confirm(self, f"{question}\n\nYou can undo this with Ctrl+Z."):
            return
        self.undo_stack.beginMacro(
            f"Delete {len(records)} {self.plural}" if len(records) > 1 else f"Delete {self.noun}"
        )
        try:
            for record in records:
                snapshot = self.data_of(record)
                with history.recorded_as(f"Delete {self.noun}"):
                    self.service.delete(record.id, record.version)
                self.undo_stack.push(self.deleted_command(record, snapshot))
        except UserError as error:
            messages.warn(self, error.message)
        finally:
            self.undo_stack.endMacro()
            self.refresh()

    def deleted_command(self, record: Any, snapshot: Any) -> undo.ServiceCommand:
        return undo.deleted(
            self.service,
            record,
            snapshot,
            self.refresh,
            self,
            label=f"{self.noun} “{self.describe(record)}”",
        )

    # --- settings ------------------------------------------------------------------------------

    def _set_column_widths(self) -> None:
        """Widths from the column specs (never narrower than the header's words); columns the
        tab hides at first can be shown again from the header's right-click menu."""
        metrics = self.view.fontMetrics()
        header = self.view.horizontalHeader()
        for section, column in enumerate(self.model.columns):
            characters = max(column.width, len(column.header) + 3)
            self.view.setColumnWidth(section, metrics.averageCharWidth() * characters + 16)
            header.setSectionHidden(section, column.key in self.hidden_columns)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)

    def _give_spare_width_to_the_widest_column(self) -> None:
        """Once shown: if the columns leave room, the widest (a name or title) takes it."""
        header = self.view.horizontalHeader()
        spare = self.view.viewport().width() - header.length()
        shown = [s for s in range(len(self.model.columns)) if not header.isSectionHidden(s)]
        if spare > 0 and shown:
            widest = max(shown, key=lambda s: self.model.columns[s].width)
            header.resizeSection(widest, header.sectionSize(widest) + spare)

    def _column_menu(self, position: QPoint) -> None:
        header = self.view.horizontalHeader()
        menu = QMenu(self)
        for section, column in enumerate(self.model.columns):
            action = menu.addAction(column.header)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(section))
            action.toggled.connect(lambda shown, s=section: header.setSectionHidden(s, not shown))
        menu.exec(header.mapToGlobal(position))

    def save_state(self, settings: QSettings) -> None:
        settings.setValue(f"tabs/{self.spec.name}/header", self.view.horizontalHeader().saveState())
        settings.setValue(f"tabs/{self.spec.name}/splitter", self.splitter.saveState())

    def restore_state(self, settings: QSettings) -> None:
        header = settings.value(f"tabs/{self.spec.name}/header")
        if header is not None:
            self.view.horizontalHeader().restoreState(header)
            self._widths_restored = True
        splitter = settings.value(f"tabs/{self.spec.name}/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)


def filter_combo(
    items: list[tuple[str, Any]], on_change: Callable[[], None], *, tooltip: str
) -> QComboBox:
    """A filter drop-down: its first item means 'all'."""
    combo = QComboBox()
    for text, value in items:
        combo.addItem(text, value)
    combo.setToolTip(tooltip)
    combo.currentIndexChanged.connect(lambda _index: on_change())
    return combo
