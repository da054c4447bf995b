"""The main window: menus, tabs and status bar. It only assembles; each tab is its own module.

The window shows before the database (and SQLAlchemy) is loaded: it appears about as fast as an
empty Qt window, then the database opens off the GUI thread and the tabs fill in.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from anso_desktop import APP_NAME, __version__
from anso_desktop.paths import data_dir, log_dir
from anso_desktop.ui import messages
from anso_desktop.ui.database_actions import DatabaseActions
from anso_desktop.ui.read_only import BANNER_STYLE, banner_html, editing

if TYPE_CHECKING:
    from anso_desktop.services import Services
    from anso_desktop.ui.live_updates import LiveUpdates
    from anso_desktop.ui.tabs.base import RecordTab
    from anso_desktop.ui.tasks import Progress, Task


def tab_classes() -> list[tuple[str, type[RecordTab]]]:
    """The tabs, in order. Imported on first use: they pull in the database layer."""
    from anso_desktop.ui.tabs.decisions import DecisionsTab
    from anso_desktop.ui.tabs.finances import FinancesTab
    from anso_desktop.ui.tabs.meetings import MeetingsTab
    from anso_desktop.ui.tabs.members import MembersTab

    return [
        ("Meetings", MeetingsTab),
        ("Members", MembersTab),
        ("Board decisions", DecisionsTab),
        ("Finances", FinancesTab),
    ]


#: How long after the window is built its shortcuts are set: after the first paint, long before
#: anyone can press a key.
SHORTCUTS_AFTER_MS = 100


class MainWindow(DatabaseActions, QMainWindow):
    def __init__(
        self,
        services: Services | None = None,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services: Services | None = services
        self.settings = settings or QSettings()
        self.undo_stack = QUndoStack(self)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.placeholder = QLabel("Opening the database…")
        # Centred through the style sheet: the Qt namespace's enums cost the first paint 20 ms.
        self.placeholder.setStyleSheet(
            "color: #616161; font-size: 14px; qproperty-alignment: AlignCenter;"
        )
        self.pages = QStackedWidget()
        self.pages.addWidget(self.placeholder)
        self.pages.addWidget(self.tabs)
        #: Why the open database may only be read (None while it may be written); see
        #: `set_read_only`.
        self.read_only_reason: str | None = None
        self.read_only_banner = QLabel()
        self.read_only_banner.setWordWrap(True)
        self.read_only_banner.setStyleSheet(BANNER_STYLE)
        self.read_only_banner.hide()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.read_only_banner)
        column.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.setWindowTitle(APP_NAME)
        self.status_label = QLabel()
        self.database_label = QLabel()
        self.database_label.setStyleSheet("color: #616161;")
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.database_label)
        self._running: list[Task] = []
        self._pending_shortcuts: list[tuple[QAction, str]] = []
        #: The window's commands that change data: disabled while the database may only be read.
        self.editing_actions: list[QAction] = []
        #: Colleagues' changes to the open database, shown as they come (see ui/live_updates.py).
        self.live_updates: LiveUpdates | None = None
        self._build_menus()
        # Key sequences load Qt's key tables and enums (tens of ms): set them once the window has
        # painted. A zero timer would still run before the first paint reaches the screen.
        QTimer.singleShot(SHORTCUTS_AFTER_MS, self._apply_shortcuts)
        self._restore_geometry()
        self.setAcceptDrops(True)  # a workbook dropped on the window opens the import wizard
        if services is not None:
            self._build_tabs()

    # --- assembly ------------------------------------------------------------------------------

    def _action(
        self,
        menu: QMenu,
        text: str,
        slot: Callable[[], object],
        shortcut: str | None = None,
        *,
        tip: str | None = None,
    ) -> QAction:
        """A menu entry. `shortcut` is a key sequence ("Ctrl+I") or the name of a standard key
        ("Open"), which becomes each platform's own (Cmd+O on macOS)."""
        action = QAction(text, self)
        if shortcut is not None:
            self._pending_shortcuts.append((action, shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def _apply_shortcuts(self) -> None:
        for action, shortcut in self._pending_shortcuts:
            standard = getattr(QKeySequence.StandardKey, shortcut, None)
            action.setShortcut(QKeySequence(standard if standard is not None else shortcut))
        self._pending_shortcuts.clear()

    def _build_menus(self) -> None:
        file = self.menuBar().addMenu("&File")
        self._action(file, "&New database…", self.new_database, "Ctrl+Shift+N")
        self._action(file, "&Open database…", self.open_database_file, "Open")
        self._action(file, "Open &server database…", self.open_database_url)
        self.recent_menu = file.addMenu("&Recent databases")
        file.addSeparator()
        self.import_action = self._action(
            file,
            "&Import…",
            self.import_file,
            "Ctrl+I",
            tip="Import members, meetings, decisions or finances from an Excel workbook",
        )
        self.export_action = self._action(
            file,
            "&Export…",
            self.export_file,
            "Ctrl+E",
            tip="Save this list, the whole database or an empty template as an Excel workbook",
        )
        self.print_action = self._action(
            file,
            "&Print…",
            self.print_list,
            "Print",
            tip="Print this list as filtered, or save it as a PDF, with a preview first",
        )
        file.addSeparator()
        self._action(file, "&Backup…", self.backup_database, "Ctrl+Shift+B")
        self.restore_action = self._action(file, "Res&tore from backup…", self.restore_database)
        file.addSeparator()
        self._action(file, "&Quit", self.close, "Quit")

        edit = self.menuBar().addMenu("&Edit")
        self.new_action = self._action(
            edit,
            "&New",
            lambda: self._on_tab(lambda tab: tab.new_record()),
            "New",
        )
        self.edit_action = self._action(
            edit, "&Edit… (Enter)", lambda: self._on_tab(lambda tab: tab.edit_selected()), "F2"
        )
        self.delete_action = self._action(
            edit,
            "&Delete",
            lambda: self._on_tab(lambda tab: tab.delete_selected()),
            "Delete",
        )
        self.history_action = self._action(
            edit,
            "Record &history…",
            lambda: self._on_tab(lambda tab: tab.show_history()),
            "Ctrl+H",
            tip="Every change of the selected record: when, by whom, and what it was before",
        )
        self.history_action.setEnabled(False)
        self._action(
            edit,
            "Recent &changes…",
            self.show_recent_changes,
            "Ctrl+Shift+H",
            tip="Every change to the register, newest first, and Undo of any of them",
        )
        self.editing_actions += [
            self.import_action,
            self.restore_action,
            self.new_action,
            self.edit_action,
            self.delete_action,
        ]
        edit.addSeparator()
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self._pending_shortcuts.append((self.undo_action, "Undo"))
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self._pending_shortcuts.append((self.redo_action, "Redo"))
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
        # Connected after the stack's own connections, so this has the last word.
        self.undo_stack.canUndoChanged.connect(self._update_undo_actions)
        self.undo_stack.canRedoChanged.connect(self._update_undo_actions)
        edit.addSeparator()
        self._action(
            edit,
            "&Find",
            lambda: self._on_tab(lambda tab: tab.focus_search()),
            "Find",
        )
        self._action(
            edit,
            "&Clear filters",
            lambda: self._on_tab(lambda tab: tab.clear_filters()),
            "Ctrl+Shift+L",
        )
        edit.addSeparator()
        self._action(edit, "&Preferences…", self.show_preferences, "Preferences")

        self.meetings_menu = self.menuBar().addMenu("Mee&tings")
        self.members_menu = self.menuBar().addMenu("&Members")
        self.finances_menu = self.menuBar().addMenu("Fi&nances")

        view = self.menuBar().addMenu("&View")
        self.view_menu = view
        self._action(
            view,
            "&Refresh",
            lambda: self._on_tab(lambda tab: tab.refresh()),
            "Refresh",
        )
        view.addSeparator()

        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&Data folder location…", self.show_data_folder)
        self._action(help_menu, "&About ANSO Desktop", self.show_about)

    def _build_tabs(self) -> None:
        assert self.services is not None
        self._save_tab_states()
        self.tabs.clear()
        for action in self.view_menu.actions()[2:]:
            self.view_menu.removeAction(action)
        for number, (title, tab_class) in enumerate(tab_classes(), start=1):
            tab = tab_class(self.services, self.undo_stack, self)
            tab.status_changed.connect(self._tab_status_changed)
            tab.register_changed.connect(self.refresh_tabs)
            tab.history_action.changed.connect(self._update_history_action)
            tab.restore_state(self.settings)
            self.tabs.addTab(tab, title)
            index = number - 1
            self._action(
                self.view_menu,
                title,
                lambda i=index: self.tabs.setCurrentIndex(i),
                f"Ctrl+{number}",
            )
        self._connect_tabs()
        for tab in self.record_tabs():
            tab.set_read_only(self.read_only_reason)
        self.database_label.setText(self.services.database.location.describe())
        self.setWindowTitle(f"{APP_NAME} — {self.services.database.location.describe()}")
        tab = self.settings.value("window/tab")
        if tab is not None and 0 <= int(tab) < self.tabs.count():
            self.tabs.setCurrentIndex(int(tab))
        self.pages.setCurrentWidget(self.tabs)
        self._tab_changed(self.tabs.currentIndex())
        from anso_desktop.ui.live_updates import LiveUpdates

        if self.live_updates is not None:  # the database before this one
            self.live_updates.stop()
        self.live_updates = LiveUpdates(self, self.services)

    def _connect_tabs(self) -> None:
        """What one tab offers another: a decision opens the organizations it concerns in
        Members; each tab's own actions (the membership lifecycle, Find duplicates, the finance
        tools) sit in its menu."""
        from anso_desktop.ui.tabs.decisions import DecisionsTab
        from anso_desktop.ui.tabs.finances import FinancesTab
        from anso_desktop.ui.tabs.meetings import MeetingsTab
        from anso_desktop.ui.tabs.members import MembersTab

        tabs = self.record_tabs()
        members = next(tab for tab in tabs if isinstance(tab, MembersTab))
        decisions = next(tab for tab in tabs if isinstance(tab, DecisionsTab))
        decisions.open_organization.connect(
            lambda organization_id: self.show_organization(members, organization_id)
        )
        meetings = next(tab for tab in tabs if isinstance(tab, MeetingsTab))
        finances = next(tab for tab in tabs if isinstance(tab, FinancesTab))
        for menu, actions in (
            (self.meetings_menu, meetings.menu_actions),
            (self.members_menu, members.menu_actions),
            (self.finances_menu, finances.menu_actions),
        ):
            menu.clear()
            menu.addActions(list(actions))

    def set_read_only(self, reason: str | None) -> None:
        """Offer no change to the open database while `reason` says why it may only be read (a
        banner says so; search, sort, print and export stay); None offers every change again."""
        self.read_only_reason = reason
        self.read_only_banner.setText(banner_html(reason) if reason is not None else "")
        self.read_only_banner.setVisible(reason is not None)
        for action in self.editing_actions:
            action.setEnabled(reason is None)
        if reason is not None:
            self.undo_stack.clear()  # nothing done here could be undone on this database
        self._update_undo_actions()
        for tab in self.record_tabs():
            tab.set_read_only(reason)

    def _update_undo_actions(self) -> None:
        writable = self.read_only_reason is None
        self.undo_action.setEnabled(writable and self.undo_stack.canUndo())
        self.redo_action.setEnabled(writable and self.undo_stack.canRedo())

    def refresh_tabs(self) -> None:
        """Every tab reads its rows again: a merge changes what several of them show."""
        for tab in self.record_tabs():
            tab.refresh()

    def show_organization(self, members: RecordTab, organization_id: int) -> None:
        self.tabs.setCurrentWidget(members)
        members.show_organization(organization_id)  # type: ignore[attr-defined]

    def record_tabs(self) -> list[RecordTab]:
        return [self.tabs.widget(i) for i in range(self.tabs.count())]  # type: ignore[misc]

    def current_tab(self) -> RecordTab:
        widget = self.tabs.currentWidget()
        assert widget is not None, "no database is open"
        return widget  # type: ignore[return-value]

    def _on_tab(self, action: Callable[[RecordTab], object]) -> None:
        """Run a menu command on the current tab; nothing to do while no database is open."""
        if self.tabs.count():
            action(self.current_tab())

    def _tab_changed(self, _index: int) -> None:
        if self.tabs.count():
            self.status_label.setText(self.current_tab().status_text())
        self._update_history_action()

    def _update_history_action(self) -> None:
        """Record history… is there for the current tab's selected row."""
        tab = self.tabs.currentWidget() if self.tabs.count() else None
        self.history_action.setEnabled(tab is not None and tab.history_action.isEnabled())

    def _tab_status_changed(self, text: str) -> None:
        if self.sender() is self.tabs.currentWidget():
            self.status_label.setText(text)

    # --- import and export ---------------------------------------------------------------------

    @editing
    def import_file(self, path: Path | None = None) -> None:
        """The import wizard (on `path` when a file was dropped); every tab shows the result."""
        if self.services is None or not self.tabs.count():
            return
        from anso_desktop.ui.dialogs.import_wizard import ImportWizard, imported_text

        report = ImportWizard.ask(
            self, self.services, self.settings, path=path, table=self.current_tab().spec.name
        )
        if report is None or not report.written:
            return
        self.refresh_tabs()
        messages.inform(self, imported_text(report))

    def export_file(self) -> None:
        """This list, the whole database or a template, written off the GUI thread."""
        if self.services is None or not self.tabs.count():
            return

        from anso_desktop.ui.dialogs.export_dialog import EXPORT_FILTER, FOLDER_KEY, ExportDialog
        from anso_desktop.ui.files import ask_save_path

        tab = self.current_tab()
        choice = ExportDialog.ask(self, tab.spec, tab.model.query, tab.model.total)
        if choice is None:
            return
        target = ask_save_path(
            self,
            self.settings,
            FOLDER_KEY,
            "Export to Excel",
            choice.file_name(),
            EXPORT_FILTER,
            ".xlsx",
        )
        if target is None:
            return
        services = self.services
        self.run_task(
            "Exporting…",
            lambda progress: choice.export(services, target, progress),
            lambda summary: messages.inform(self, summary),
        )

    def _dropped_workbook(self, event: QDropEvent) -> Path | None:
        """The first local .xlsx, .xlsm or .csv file being dragged, if a database is open and
        may be written."""
        if self.services is None or self.read_only_reason is not None:
            return None
        if not event.mimeData().hasUrls():
            return None
        from anso_desktop.spreadsheets.reading import SUPPORTED_SUFFIXES

        for url in event.mimeData().urls():
            if url.isLocalFile() and Path(url.toLocalFile()).suffix.lower() in SUPPORTED_SUFFIXES:
                return Path(url.toLocalFile())
        return None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_workbook(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._dropped_workbook(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self._dropped_workbook(event)
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        # After the drop returns: a modal wizard inside it would hold the file manager's drag.
        QTimer.singleShot(0, lambda: self.import_file(path))

    def print_list(self) -> None:
        """Print the current tab's list as filtered: preview, printer or PDF."""
        if self.services is None or not self.tabs.count() or not self.current_tab().printed_list:
            return
        from anso_desktop.ui.printing import print_tab

        print_tab(self, self.current_tab())

    # --- background work -----------------------------------------------------------------------

    def run_task(
        self,
        label: str,
        work: Callable[[Progress], object],
        on_success: Callable[..., None],
    ) -> Task:
        """Run `work` off the GUI thread behind a progress dialog (shown if it takes a while)."""
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QProgressDialog

        from anso_desktop.ui.tasks import Task

        task = Task(work, self)
        dialog = QProgressDialog(label, "Cancel", 0, 0, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.canceled.connect(task.cancel)
        task.progressed.connect(
            lambda done, total, text: (
                dialog.setMaximum(total),
                dialog.setValue(done),
                text and dialog.setLabelText(text),
            )
        )
        task.succeeded.connect(on_success)
        task.failed.connect(self._task_failed)
        task.finished.connect(dialog.reset)
        task.finished.connect(lambda: self._running.remove(task))
        self._running.append(task)
        task.start()
        return task

    def _task_failed(self, error: BaseException) -> None:
        from anso_desktop.errors import UserError

        if isinstance(error, UserError):
            messages.warn(self, error.message)
        else:
            messages.error(
                self,
                f"Something went wrong: {type(error).__name__}: {error}",
                f"Your data is safe. The details are in the log file in {log_dir()}.",
            )

    # --- history and preferences ---------------------------------------------------------------

    def show_recent_changes(self) -> None:
        if self.services is None:
            return
        from anso_desktop.ui.dialogs.recent_changes import RecentChangesDialog

        RecentChangesDialog.ask(
            self, self.services, self._history_undone, read_only_reason=self.read_only_reason
        )

    def _history_undone(self) -> None:
        """An undo from the history changed records behind Ctrl+Z's back: its steps would act on
        versions that are gone, so they go; every tab shows the records as they are now."""
        self.undo_stack.clear()
        self.refresh_tabs()

    def show_preferences(self) -> None:
        from anso_desktop.ui.dialogs.preferences import PreferencesDialog

        PreferencesDialog.ask(self, self.settings)

    # --- help ----------------------------------------------------------------------------------

    def show_data_folder(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        folder = data_dir()
        in_use = self.services.database.location.describe() if self.services else "none"
        messages.inform(
            self,
            f"Your data folder is\n{folder}\n\nThe database in use is\n{in_use}"
            f"\n\nLog files are in\n{log_dir()}",
        )
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def show_about(self) -> None:
        from PySide6 import __version__ as qt_version

        messages.inform(
            self,
            f"{APP_NAME} {__version__}\n\nThe register of meetings, members, Governing Board "
            "decisions and finances of the Alliance of International Science Organizations "
            f"(ANSO).\n\nQt for Python {qt_version}",
            title=f"About {APP_NAME}",
        )

    # --- settings ------------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        self._fill_recent_menu()

    def _save_tab_states(self) -> None:
        for tab in self.record_tabs():
            tab.save_state(self.settings)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.live_updates is not None:
            self.live_updates.stop()
        self.settings.setValue("window/geometry", self.saveGeometry())
        if self.services is not None:
            self.settings.setValue("window/tab", self.tabs.currentIndex())
            self.settings.setValue("last_database", self._current_location_setting())
        self._save_tab_states()
        self.settings.sync()
        super().closeEvent(event)
