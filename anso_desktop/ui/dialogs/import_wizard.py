"""The import wizard: choose a workbook and what it holds, match its columns to the table's,
check every row (a dry run: nothing written), then import it in one go.

Reading the file, the check and the import run off the GUI thread with a progress bar and
Cancel; everything about files and rows is `anso_desktop.spreadsheets`, this module only asks
and shows. The user's column matches are remembered per table in QSettings
(`import/mapping/<table>`: header as written -> column key, "" to ignore it) and applied the next
time the same header turns up.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, Self

# The worker threads read workbooks with calamine and back the database up before an import.
# Qt for Python's import hook is not thread-safe, so every module they use is imported here, on
# the GUI thread, before any task starts.
import python_calamine  # noqa: F401
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QCloseEvent, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

import anso_desktop.storage.backup  # noqa: F401  (import_file backs up on the worker thread)
from anso_desktop import spreadsheets
from anso_desktop.errors import UserError
from anso_desktop.paths import log_dir
from anso_desktop.services import Services
from anso_desktop.spreadsheets import (
    ImportOptions,
    ImportReport,
    Outcome,
    import_file,
)
from anso_desktop.spreadsheets.headers import (
    fold_header,
    year_in,
)
from anso_desktop.spreadsheets.inspection import (  # Qt-free: tested without a window
    HeaderCell,
    PreviewRow,
    SheetLook,
    counts_text,
    imported_text,
    look_at_sheet,
    preview_rows,
)
from anso_desktop.spreadsheets.reading import sheet_names
from anso_desktop.tables import TABLES, TableSpec
from anso_desktop.ui import messages
from anso_desktop.ui.dialogs.import_decisions import NOUNS, DecisionsPanel
from anso_desktop.ui.tasks import Cancelled as TaskCancelled
from anso_desktop.ui.tasks import Progress, Task

FILE_FILTER = "Workbooks (*.xlsx *.xlsm *.csv);;All files (*)"
EVERY_SHEET = "Every sheet named after a table"
IGNORE = "Ignore this column"
MAPPING_KEY = "import/mapping/{table}"
FOLDER_KEY = "import/folder"

_ERROR_STYLE = "color: #c62828;"
_WARNING_STYLE = "color: #8a5a00;"
_UNKNOWN_BACKGROUND = QColor("#fff3cd")
#: The preview's "New and changed" view: what the import would write.
CHANGING = f"{Outcome.NEW.value}+{Outcome.CHANGED.value}"
OUTCOME_LABELS = {
    Outcome.NEW: "New",
    Outcome.CHANGED: "Changed",
    Outcome.UNCHANGED: "Unchanged",
    Outcome.UNDECIDED: "Undecided",
    Outcome.ERROR: "Error",
}
#: Background and text colour of a preview row, by outcome.
OUTCOME_COLOURS: dict[Outcome, tuple[str | None, str | None]] = {
    Outcome.NEW: ("#e8f5e9", "#1b5e20"),
    Outcome.CHANGED: ("#fff8e1", "#8a5a00"),
    Outcome.UNCHANGED: (None, "#757575"),
    Outcome.UNDECIDED: ("#e3f2fd", "#0d47a1"),
    Outcome.ERROR: ("#ffebee", "#b71c1c"),
}


# --- reading a sheet's header (on a worker thread) ---------------------------------------------


# --- remembered column matches -----------------------------------------------------------------


def remembered_mapping(settings: QSettings, table: str) -> dict[str, str | None]:
    """The user's earlier matches for `table`: header as written -> column key (None: ignore)."""
    raw = settings.value(MAPPING_KEY.format(table=table))
    if not raw:
        return {}
    try:
        stored = json.loads(str(raw))
    except ValueError:
        return {}
    if not isinstance(stored, dict):
        return {}
    return {str(header): str(key) if key else None for header, key in stored.items()}


def remember_mapping(
    settings: QSettings,
    table: str,
    chosen: Mapping[str, str | None],
    automatic: Mapping[str, str | None],
) -> None:
    """Keep the choices that differ from what the headers' spelling gives on its own; a choice
    put back to the automatic one is forgotten."""
    stored = remembered_mapping(settings, table)
    folded = {fold_header(header) for header in chosen}
    kept = {h: k for h, k in stored.items() if fold_header(h) not in folded}
    for header, key in chosen.items():
        if key != automatic.get(header):
            kept[header] = key
    settings.setValue(
        MAPPING_KEY.format(table=table),
        json.dumps({header: key or "" for header, key in kept.items()}, ensure_ascii=False),
    )


# --- the preview table -------------------------------------------------------------------------


class PreviewModel(QAbstractTableModel):
    """Every row of the dry run, colour-coded by what the import would do with it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[PreviewRow] = []
        self.show_sheet = False
        self._brushes = {
            outcome: (QBrush(QColor(bg)) if bg else None, QBrush(QColor(fg)) if fg else None)
            for outcome, (bg, fg) in OUTCOME_COLOURS.items()
        }

    def set_rows(self, rows: list[PreviewRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.show_sheet = len({row.sheet for row in rows}) > 1
        self.endResetModel()

    def headers(self) -> list[str]:
        return [*(["Sheet"] if self.show_sheet else []), "Row", "Name", "Outcome", "Details"]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers())

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers()[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = self.headers()[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if role == Qt.ItemDataRole.ToolTipRole and column not in ("Name", "Details"):
                return None
            return {
                "Sheet": row.sheet,
                "Row": row.row,
                "Name": row.label,
                "Outcome": OUTCOME_LABELS[row.outcome],
                "Details": row.details,
            }[column]
        background, foreground = self._brushes[row.outcome]
        if role == Qt.ItemDataRole.BackgroundRole:
            return background
        if role == Qt.ItemDataRole.ForegroundRole and column in ("Outcome", "Details"):
            return foreground
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "Row":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class OutcomeFilter(QSortFilterProxyModel):
    """Show every row, or only the rows of some outcomes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.outcomes: frozenset[Outcome] | None = None

    def set_outcomes(self, outcomes: frozenset[Outcome] | None) -> None:
        if hasattr(self, "endFilterChange"):  # Qt 6.9 on, where invalidateFilter is deprecated
            self.beginFilterChange()
            self.outcomes = outcomes
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.outcomes = outcomes
            self.invalidateFilter()

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if self.outcomes is None:
            return True
        model = self.sourceModel()
        assert isinstance(model, PreviewModel)
        return model.rows[source_row].outcome in self.outcomes


# --- the wizard --------------------------------------------------------------------------------


class ImportWizard(QDialog):
    """File, then columns, then the check; Import writes what the check showed."""

    FILE, MAPPING, PREVIEW = range(3)
    TITLES = (
        (
            "Choose the workbook",
            "An Excel workbook (.xlsx, .xlsm) or a CSV file, and which table it holds.",
        ),
        (
            "Match the columns",
            "Which column of the table each column of the file goes into. Your choices are "
            "remembered for the next file with the same headers.",
        ),
        (
            "Check the rows",
            "What the import would do with every row. Nothing has been written yet.",
        ),
    )

    def __init__(
        self,
        services: Services,
        settings: QSettings,
        path: Path | str | None = None,
        table: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.settings = settings
        self.setWindowTitle("Import from Excel")
        self.resize(900, 620)
        #: The import's report once written (what `ask` returns).
        self.report: ImportReport | None = None
        #: The dry run's report, once checked, and its rows counted by outcome as shown.
        self.preview: ImportReport | None = None
        self.preview_counts: dict[Outcome, int] = {}
        #: The decisions the shown check was made with, and those of the check under way.
        self._preview_decisions: Any = None
        self._checking_decisions: Any = None
        self._recheck = False
        self.task: Task | None = None
        self.look: SheetLook | None = None
        self._sheets: list[str] = []
        self._listed_path: Path | None = None
        self._table_chosen = False  # by the user: the file's sheet names no longer guess it
        self._year_chosen = False
        #: Choices made on the mapping page while the wizard is open (folded header -> key).
        self._session_choices: dict[str, dict[str, str | None]] = {}
        self._combos: list[tuple[HeaderCell, QComboBox]] = []
        self._automatic: dict[str, str | None] = {}

        self.title_label = QLabel()
        self.title_label.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.subtitle_label = QLabel()
        self.subtitle_label.setWordWrap(True)
        self.subtitle_label.setStyleSheet("color: #616161;")
        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_file_page(table))
        self.pages.addWidget(self._build_mapping_page())
        self.pages.addWidget(self._build_preview_page())

        self.busy_label = QLabel()
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMaximumHeight(14)
        busy_row = QHBoxLayout()
        busy_row.addWidget(self.busy_label)
        busy_row.addWidget(self.progress_bar, 1)
        self.busy_bar = QWidget()
        self.busy_bar.setLayout(busy_row)
        busy_row.setContentsMargins(0, 0, 0, 0)
        self.busy_bar.hide()

        self.back_button = QPushButton("< &Back")
        self.next_button = QPushButton("&Next >")
        self.import_button = QPushButton("&Import")
        self.cancel_button = QPushButton("Cancel")
        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self.go_next)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.back_button, self.next_button, self.import_button, self.cancel_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.subtitle_label)
        layout.addSpacing(6)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.busy_bar)
        layout.addLayout(buttons)
        self._show_page(self.FILE)
        if path is not None:
            self.set_path(path)

    # --- page 1: the file ----------------------------------------------------------------------

    def _build_file_page(self, table: str | None) -> QWidget:
        page = QWidget()
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("Choose a file, or drop one on the main window")
        self.path_edit.editingFinished.connect(
            lambda: self.set_path(self.path_edit.text()) if self.path_edit.text().strip() else None
        )
        self.browse_button = QPushButton("&Choose…")
        self.browse_button.clicked.connect(self.browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)
        self.file_error = QLabel()
        self.file_error.setStyleSheet(_ERROR_STYLE)
        self.file_error.setWordWrap(True)
        self.file_error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.file_error.hide()

        self.table_combo = QComboBox()
        for spec in TABLES.values():
            self.table_combo.addItem(spec.title, spec.name)
        self.table_combo.insertSeparator(self.table_combo.count())
        self.table_combo.addItem(EVERY_SHEET, "")  # not None: that is the separator's data
        self.table_combo.setCurrentIndex(
            self.table_combo.findData(table if table in TABLES else "members")
        )
        self.table_combo.activated.connect(self._table_activated)
        self.sheet_combo = QComboBox()
        self.sheet_combo.activated.connect(self._sheet_activated)
        self.year_check = QCheckBox("Dates written without a year are in")
        self.year_spin = QSpinBox()
        self.year_spin.setRange(1950, 2100)
        self.year_spin.setValue(date.today().year)
        self.year_spin.setEnabled(False)
        self.year_check.toggled.connect(self.year_spin.setEnabled)
        self.year_check.clicked.connect(lambda _checked: setattr(self, "_year_chosen", True))
        self.year_spin.valueChanged.connect(lambda _v: setattr(self, "_year_chosen", True))
        year_row = QHBoxLayout()
        year_row.addWidget(self.year_check)
        year_row.addWidget(self.year_spin)
        year_row.addStretch(1)
        year_hint = QLabel(
            "Such as “4.21-23” in the annual report's tables; left unticked, the year is taken "
            "from the sheet's name or title when it has one."
        )
        year_hint.setWordWrap(True)
        year_hint.setStyleSheet("color: #616161;")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        file_box = QVBoxLayout()
        file_box.setSpacing(4)
        file_box.addLayout(path_row)
        file_box.addWidget(self.file_error)
        form.addRow("File:", file_box)
        form.addRow("It holds:", self.table_combo)
        form.addRow("Sheet:", self.sheet_combo)
        year_box = QVBoxLayout()
        year_box.setSpacing(2)
        year_box.addLayout(year_row)
        year_box.addWidget(year_hint)
        form.addRow("Year:", year_box)
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addStretch(1)
        return page

    @property
    def path(self) -> Path | None:
        text = self.path_edit.text().strip()
        return Path(text).expanduser() if text else None

    @property
    def table(self) -> str | None:
        """The chosen table's name; None for a whole-database workbook."""
        return self.table_combo.currentData() or None

    @property
    def spec(self) -> TableSpec | None:
        return TABLES[self.table] if self.table is not None else None

    @property
    def sheet(self) -> str | None:
        return self.sheet_combo.currentText() or None

    @property
    def year(self) -> int | None:
        return self.year_spin.value() if self.year_check.isChecked() else None

    def browse(self) -> None:
        start = str(
            self.path.parent if self.path else self.settings.value(FOLDER_KEY, str(Path.home()))
        )
        chosen, _ = QFileDialog.getOpenFileName(self, "Import a workbook", start, FILE_FILTER)
        if chosen:
            self.set_path(chosen)

    def set_path(self, path: Path | str) -> None:
        """Take `path` and list its sheets off the GUI thread (a large file takes a moment)."""
        path = Path(path).expanduser()
        if self.path_edit.text() != str(path):
            self.path_edit.setText(str(path))
        if path == self._listed_path and self._sheets:
            return
        if self.task is not None:
            return  # the first page is disabled while a step runs
        self._listed_path = path
        self._sheets = []
        self.sheet_combo.clear()
        self.sheet_combo.setEnabled(False)
        self.look = None
        self.show_file_error("")
        self.settings.setValue(FOLDER_KEY, str(path.parent))
        self._run(
            "Opening the file…",
            lambda _p: sheet_names(path),
            self._sheets_listed,
            self._file_failed,
        )

    def _sheets_listed(self, names: list[str]) -> None:
        self._sheets = list(names)
        self.sheet_combo.clear()
        self.sheet_combo.addItems(self._sheets)
        if not self._table_chosen:
            named = [
                spec.name
                for spec in TABLES.values()
                if spec.sheet.casefold() in {name.casefold() for name in names}
            ]
            if len(named) > 1:
                self.table_combo.setCurrentIndex(self.table_combo.findData(""))
            elif len(named) == 1:
                self.table_combo.setCurrentIndex(self.table_combo.findData(named[0]))
        self._select_table_sheet()
        self._update_buttons()

    def _table_activated(self, _index: int) -> None:
        self._table_chosen = True
        self._select_table_sheet()
        if self._sheets:  # a file that could not be opened at all keeps its message
            self.show_file_error("")
        self._update_buttons()

    def _sheet_activated(self, _index: int) -> None:
        self._sheet_chosen()
        self.show_file_error("")
        self._update_buttons()

    def _select_table_sheet(self) -> None:
        """The sheet named like the table (else the first); none to choose for every sheet."""
        spec = self.spec
        self.sheet_combo.setPlaceholderText(EVERY_SHEET if spec is None else "")
        if spec is None:
            self.sheet_combo.setCurrentIndex(-1)  # shows the placeholder
        else:
            same = [i for i, n in enumerate(self._sheets) if n.casefold() == spec.sheet.casefold()]
            if same:
                self.sheet_combo.setCurrentIndex(same[0])
            elif self.sheet_combo.currentIndex() < 0 and self._sheets:
                self.sheet_combo.setCurrentIndex(0)
        self.sheet_combo.setEnabled(spec is not None and len(self._sheets) > 1)
        self._sheet_chosen()

    def _sheet_chosen(self) -> None:
        self.look = None
        self.decisions.clear()  # rows of another sheet or table
        if not self._year_chosen:
            found = year_in([self.sheet]) if self.sheet else None
            self._suggest_year(found)

    def _suggest_year(self, year: int | None) -> None:
        if self._year_chosen:
            return
        self.year_check.setChecked(year is not None)
        if year is not None:
            self.year_spin.blockSignals(True)
            self.year_spin.setValue(year)
            self.year_spin.blockSignals(False)

    def show_file_error(self, text: str) -> None:
        self.file_error.setText(text)
        self.file_error.setVisible(bool(text))

    def file_error_text(self) -> str:
        return self.file_error.text() if not self.file_error.isHidden() else ""

    def _file_failed(self, error: BaseException) -> None:
        """A file that cannot be read: say why on the first page, and stay there."""
        if not isinstance(error, UserError):
            self._unexpected(error)
            return
        self._show_page(self.FILE)
        self.show_file_error(error.message)
        self._update_buttons()

    def _leave_file_page(self) -> None:
        path, spec = self.path, self.spec
        if path is None or not self._sheets:
            return
        if spec is None:
            tables = {s.sheet.casefold() for s in TABLES.values()}
            if not any(name.casefold() in tables for name in self._sheets):
                self.show_file_error(
                    f"{path.name} has no sheet named after a table "
                    f"({', '.join(s.sheet for s in TABLES.values())}); choose which table it holds."
                )
                return
            self._show_page(self.PREVIEW)
            self.check()
            return
        sheet = self.sheet
        mapping = self._known_choices(spec.name)
        self._run(
            "Reading the sheet…",
            lambda _p: look_at_sheet(path, sheet, spec, mapping),
            self._sheet_read,
            self._file_failed,
        )

    def _sheet_read(self, look: SheetLook) -> None:
        self.look = look
        self._suggest_year(look.year)
        self._fill_mapping(look)
        self._show_page(self.MAPPING)

    # --- page 2: the columns -------------------------------------------------------------------

    def _build_mapping_page(self) -> QWidget:
        page = QWidget()
        self.mapping_note = QLabel()
        self.mapping_note.setWordWrap(True)
        self.mapping_table = QTableWidget(0, 3)
        self.mapping_table.setHorizontalHeaderLabels(
            ["Column in the file", "First values", "Goes into"]
        )
        self.mapping_table.verticalHeader().hide()
        self.mapping_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.mapping_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.mapping_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.mapping_table.setColumnWidth(0, 230)
        self.mapping_table.setColumnWidth(2, 230)
        self.mapping_table.verticalHeader().setDefaultSectionSize(30)
        self.mapping_error = QLabel()
        self.mapping_error.setStyleSheet(_ERROR_STYLE)
        self.mapping_error.setWordWrap(True)
        self.mapping_error.hide()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.mapping_note)
        layout.addWidget(self.mapping_table, 1)
        layout.addWidget(self.mapping_error)
        return page

    def _known_choices(self, table: str) -> dict[str, str | None]:
        """Remembered matches, then this session's: header (folded) -> key or None."""
        chosen = {fold_header(h): k for h, k in remembered_mapping(self.settings, table).items()}
        chosen.update(self._session_choices.get(table, {}))
        return chosen

    def _fill_mapping(self, look: SheetLook) -> None:
        spec = self.spec
        assert spec is not None
        chosen = self._known_choices(spec.name)
        self._automatic = {}
        self._combos = []
        table = self.mapping_table
        table.setRowCount(0)
        table.setRowCount(len(look.headers))
        taken_automatic: set[str] = set()
        taken: set[str] = set()
        unknown = 0
        for row, cell in enumerate(look.headers):
            automatic = cell.known if cell.known not in taken_automatic else None
            if automatic:
                taken_automatic.add(automatic)
            self._automatic[cell.text] = automatic
            folded = fold_header(cell.text)
            if folded in chosen:
                key, why = chosen[folded], "Your choice, remembered from an earlier import."
            elif cell.known is None:
                key, why = (
                    None,
                    "Not recognised: choose the column it goes into, or leave it ignored.",
                )
            elif cell.known in taken:
                key, why = None, "Names the same column as an earlier header; ignored."
            else:
                key, why = cell.known, ""
            if key:
                taken.add(key)
            name_item = QTableWidgetItem(cell.text)
            if not why and cell.known is not None:
                why = f"Recognised as “{spec.column(cell.known).header}”."
            name_item.setToolTip(why)
            samples_item = QTableWidgetItem(" · ".join(cell.samples))
            samples_item.setForeground(QBrush(QColor("#616161")))
            if cell.known is None and folded not in chosen:
                unknown += 1
                for item in (name_item, samples_item):
                    item.setBackground(QBrush(_UNKNOWN_BACKGROUND))
                    item.setToolTip(why)
                font = name_item.font()
                font.setBold(True)
                name_item.setFont(font)
            combo = QComboBox()
            combo.addItem(IGNORE, "")
            for column in spec.sheet_columns:
                combo.addItem(
                    column.header + (" (required)" if column.required else ""), column.key
                )
            combo.setCurrentIndex(max(combo.findData(key or ""), 0))
            combo.setProperty("unknown", cell.known is None and folded not in chosen)
            combo.currentIndexChanged.connect(lambda _i: self._mapping_changed())
            table.setItem(row, 0, name_item)
            table.setItem(row, 1, samples_item)
            table.setCellWidget(row, 2, combo)
            self._combos.append((cell, combo))
        where = f"Sheet '{look.sheet}', header in row {look.header_row + 1}."
        if not look.recognised:
            note = (
                f"{where} None of its headers names a column of {spec.title.lower()}: match them "
                "below, or go back and choose another table or sheet."
            )
        elif unknown:
            note = (
                f"{where} {unknown} column{' was' if unknown == 1 else 's were'} not recognised "
                "(highlighted) and will be ignored unless you choose where "
                f"{'it goes' if unknown == 1 else 'they go'}."
            )
        else:
            note = f"{where} Every column was recognised."
        self.mapping_note.setText(note)
        self._mapping_changed(remember=False)

    def mapping(self) -> dict[str, str | None]:
        """The page's choices: header as written -> column key, None to ignore it."""
        chosen: dict[str, str | None] = {}
        for cell, combo in self._combos:
            key = combo.currentData() or None
            if chosen.get(cell.text) is None:
                chosen[cell.text] = key
        return chosen

    def set_mapping(self, header: str, key: str | None) -> None:
        """Choose the column `header` goes into (None: ignore it), as the user would."""
        for cell, combo in self._combos:
            if cell.text == header:
                combo.setCurrentIndex(combo.findData(key or ""))
                return
        raise KeyError(header)

    def unknown_headers(self) -> list[str]:
        """The highlighted headers: not recognised, and not matched before."""
        return [cell.text for cell, combo in self._combos if combo.property("unknown")]

    def mapping_problems(self) -> list[str]:
        spec = self.spec
        if spec is None:
            return []
        problems = []
        chosen = [combo.currentData() for _, combo in self._combos if combo.currentData()]
        for column in spec.sheet_columns:
            if chosen.count(column.key) > 1:
                headers = [c.text for c, combo in self._combos if combo.currentData() == column.key]
                problems.append(
                    f"“{column.header}” is chosen for {' and '.join(repr(h) for h in headers)}; "
                    "choose it for one column only."
                )
            elif column.required and column.key not in chosen:
                problems.append(
                    f"Choose the file's column for “{column.header}”: {spec.title.lower()} need it."
                )
        return problems

    def _mapping_changed(self, *, remember: bool = True) -> None:
        spec = self.spec
        if remember and spec is not None:
            self._session_choices.setdefault(spec.name, {}).update(
                {fold_header(h): k for h, k in self.mapping().items()}
            )
        problems = self.mapping_problems()
        self.mapping_error.setText("\n".join(problems))
        self.mapping_error.setVisible(bool(problems))
        self._update_buttons()

    def _leave_mapping_page(self) -> None:
        spec = self.spec
        if spec is None or self.mapping_problems():
            return
        remember_mapping(self.settings, spec.name, self.mapping(), self._automatic)
        self._show_page(self.PREVIEW)
        self.check()

    # --- page 3: the check, then the import ----------------------------------------------------

    def _build_preview_page(self) -> QWidget:
        page = QWidget()
        self.counts_label = QLabel()
        self.counts_label.setStyleSheet("font-size: 14px; font-weight: bold;")
        self.preview_note = QLabel()
        self.preview_note.setWordWrap(True)
        self.show_combo = QComboBox()
        self.show_combo.currentIndexChanged.connect(
            lambda _i: self.preview_filter.set_outcomes(self.shown_outcomes())
        )
        self.check_button = QPushButton("Check a&gain")
        self.check_button.setToolTip(
            "Read the file again (after fixing it in Excel) and check every row"
        )
        self.check_button.clicked.connect(self.check)
        top = QHBoxLayout()
        top.addWidget(self.counts_label, 1)
        top.addWidget(QLabel("Show:"))
        top.addWidget(self.show_combo)
        top.addWidget(self.check_button)
        self.preview_model = PreviewModel(self)
        self.preview_filter = OutcomeFilter(self)
        self.preview_filter.setSourceModel(self.preview_model)
        self.preview_view = QTableView()
        self.preview_view.setModel(self.preview_filter)
        self.preview_view.verticalHeader().hide()
        self.preview_view.verticalHeader().setDefaultSectionSize(22)
        self.preview_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.preview_view.setWordWrap(False)
        self.preview_view.horizontalHeader().setStretchLastSection(True)
        self.warnings_label = QLabel()
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setStyleSheet(_WARNING_STYLE)
        self.warnings_label.hide()
        self.decisions = DecisionsPanel(self._noun_of_sheet)
        self.decisions.changed.connect(self._decisions_changed)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.preview_note)
        layout.addWidget(self.preview_view, 1)
        layout.addWidget(self.decisions)
        layout.addWidget(self.warnings_label)
        return page

    def _noun_of_sheet(self, sheet: str) -> str:
        """What a new record of the row's table is called ("organization" for members)."""
        table = self.table or next(
            (spec.name for spec in TABLES.values() if spec.sheet.casefold() == sheet.casefold()),
            "",
        )
        return NOUNS.get(table, "record")

    def _decisions_changed(self) -> None:
        """Once every row is decided, check the rows again with the decisions."""
        self._update_buttons()
        if self.decisions.pending() or self.decisions.snapshot() == self._preview_decisions:
            return
        if self.task is None:
            self.check()
        else:
            self._recheck = True

    def options(self, *, dry_run: bool) -> ImportOptions:
        return ImportOptions(
            table=self.table,
            sheet=self.sheet if self.table is not None else None,
            year=self.year,
            dry_run=dry_run,
            mapping=self.mapping() if self.table is not None else {},
            matches=self.decisions.matches(),
            new_rows=self.decisions.new_rows(),
        )

    def check(self) -> None:
        """The dry run: every row read and checked against the database, nothing written."""
        path = self.path
        if path is None or self.task is not None:
            return
        self.preview = None
        self._show_preview(None)
        self.preview_note.setText("Checking every row…")
        options = self.options(dry_run=True)
        services = self.services
        self._recheck = False
        self._checking_decisions = self.decisions.snapshot()

        def work(progress: Progress) -> ImportReport:
            return _import(services, path, options, progress)

        self._run("Checking the rows…", work, self._checked, self._file_failed, self._check_stopped)

    def _checked(self, report: ImportReport) -> None:
        self.preview = report
        self._preview_decisions = self._checking_decisions
        self.decisions.add(report.undecided)
        self._show_preview(report)
        if self._recheck:  # decided again while the rows were being checked
            self._decisions_changed()

    def _check_stopped(self) -> None:
        self.preview_note.setText("The check was stopped. Press Check again to run it.")
        self._update_buttons()

    def _show_preview(self, report: ImportReport | None, *, note: str = "") -> None:
        rows = preview_rows(report, self.decisions.new_rows()) if report is not None else []
        self.preview_model.set_rows(rows)
        counts = {outcome: 0 for outcome in Outcome}
        for row in rows:
            counts[row.outcome] += 1
        self.preview_counts = counts
        self.show_combo.blockSignals(True)
        self.show_combo.clear()
        self.show_combo.addItem(f"All rows ({len(rows):,})", "")
        changing = counts[Outcome.NEW] + counts[Outcome.CHANGED]
        self.show_combo.addItem(f"New and changed ({changing:,})", CHANGING)
        for outcome in Outcome:
            self.show_combo.addItem(
                f"{OUTCOME_LABELS[outcome]} ({counts[outcome]:,})", outcome.value
            )
        self.show_combo.blockSignals(False)
        self.preview_filter.set_outcomes(None)
        self._fit_preview_columns()
        if report is None:
            self.counts_label.clear()
            self.warnings_label.hide()
            self._update_buttons()
            return
        self.counts_label.setText(counts_text(counts))
        if counts[Outcome.ERROR]:
            self.counts_label.setStyleSheet("font-size: 14px; font-weight: bold; color: #b71c1c;")
            text = (
                f"Nothing will be written until the errors are fixed in {report.file.name}. "
                "Fix the rows marked Error in Excel, save the file, and press Check again."
            )
            self.show_combo.setCurrentIndex(self.show_combo.findData(Outcome.ERROR.value))
        elif counts[Outcome.UNDECIDED]:
            self.counts_label.setStyleSheet("font-size: 14px; font-weight: bold; color: #0d47a1;")
            undecided = counts[Outcome.UNDECIDED]
            text = (
                f"{undecided:,} row{' may be a record' if undecided == 1 else 's may be records'} "
                "already in the database. Say below what each one is; nothing is written until "
                "every row is decided."
            )
            self.show_combo.setCurrentIndex(self.show_combo.findData(Outcome.UNDECIDED.value))
        elif counts[Outcome.NEW] + counts[Outcome.CHANGED] == 0:
            self.counts_label.setStyleSheet("font-size: 14px; font-weight: bold;")
            text = "Every row is already in the database as the file has it: there is nothing to import."
        else:
            self.counts_label.setStyleSheet("font-size: 14px; font-weight: bold;")
            text = (
                "Press Import to write the new and changed rows, all in one go. The database is "
                "backed up first; the import cannot be undone with Ctrl+Z."
            )
        self.preview_note.setText(f"{note}\n\n{text}" if note else text)
        self.preview_note.setStyleSheet(_ERROR_STYLE if note or counts[Outcome.ERROR] else "")
        if report.warnings:
            self.warnings_label.setText("\n".join(f"Warning: {w}" for w in report.warnings))
        self.warnings_label.setVisible(bool(report.warnings))
        self._update_buttons()

    def shown_outcomes(self) -> frozenset[Outcome] | None:
        """The outcomes the preview is narrowed to (None: every row)."""
        value = self.show_combo.currentData()
        if not value:
            return None
        return frozenset(Outcome(v) for v in value.split("+"))

    def _fit_preview_columns(self) -> None:
        """Widths from every kind of row (before the view is narrowed to some of them)."""
        self.preview_view.resizeColumnsToContents()
        for column in range(self.preview_model.columnCount() - 1):
            if self.preview_view.columnWidth(column) > 360:
                self.preview_view.setColumnWidth(column, 360)

    def can_import(self) -> bool:
        """Only what the check showed, with every row decided: no errors, no undecided rows,
        and no decision changed since."""
        if self.preview is None or self.task is not None or self.current_page() != self.PREVIEW:
            return False
        counts = self.preview_counts
        decided = not self.decisions.pending() and (
            self.decisions.snapshot() == self._preview_decisions
        )
        return (
            decided
            and not counts[Outcome.ERROR]
            and not counts[Outcome.UNDECIDED]
            and counts[Outcome.NEW] + counts[Outcome.CHANGED] > 0
        )

    def start_import(self) -> None:
        """Write the rows off the GUI thread; Cancel rolls everything back."""
        path = self.path
        if path is None or not self.can_import():
            return
        options = self.options(dry_run=False)
        services = self.services

        def work(progress: Progress) -> ImportReport:
            return _import(services, path, options, progress)

        self.preview_note.setStyleSheet("")
        self.preview_note.setText("Importing… Cancel stops it and writes nothing.")
        self._run("Importing…", work, self._imported, self._import_failed, self._import_stopped)

    def _imported(self, report: ImportReport) -> None:
        if report.written:
            self.report = report
            self.accept()
            return
        # The file changed since the check and now has errors: show them; nothing was written.
        self.preview = report
        self._show_preview(
            report, note="The file changed since it was checked. Nothing was written."
        )

    def _import_stopped(self) -> None:
        self.preview_note.setStyleSheet(_ERROR_STYLE)
        self.preview_note.setText("The import was cancelled. Nothing was written.")
        self._update_buttons()

    def _import_failed(self, error: BaseException) -> None:
        if isinstance(error, UserError):
            self.preview_note.setStyleSheet(_ERROR_STYLE)
            self.preview_note.setText(f"{error.message}\n\nNothing was written.")
            self._update_buttons()
        else:
            self._unexpected(error)

    def _unexpected(self, error: BaseException) -> None:
        self._update_buttons()
        messages.error(
            self,
            f"Something went wrong: {type(error).__name__}: {error}",
            f"Nothing was written. The details are in the log file in {log_dir()}.",
        )

    # --- navigation and background work --------------------------------------------------------

    def current_page(self) -> int:
        return self.pages.currentIndex()

    def _show_page(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        title, subtitle = self.TITLES[page]
        if page == self.PREVIEW and self.path is not None:
            subtitle = f"{self.path.name}: {subtitle[0].lower()}{subtitle[1:]}"
        self.title_label.setText(title)
        self.subtitle_label.setText(subtitle)
        self._update_buttons()

    def go_next(self) -> None:
        if self.task is not None:
            return
        if self.current_page() == self.FILE:
            self._leave_file_page()
        elif self.current_page() == self.MAPPING:
            self._leave_mapping_page()

    def go_back(self) -> None:
        if self.task is not None:
            return
        page = self.current_page()
        if page == self.PREVIEW and self.table is not None and self.look is not None:
            self._show_page(self.MAPPING)
        elif page != self.FILE:
            self._show_page(self.FILE)

    @property
    def busy(self) -> bool:
        return self.task is not None

    def _run(
        self,
        label: str,
        work: Callable[[Progress], Any],
        succeeded: Callable[[Any], None],
        failed: Callable[[BaseException], None],
        stopped: Callable[[], None] | None = None,
    ) -> Task:
        """Run `work` off the GUI thread; the wizard waits (Cancel stops it) and then goes on."""
        task = Task(work, self)

        def end() -> bool:
            if self.task is not task:
                return False
            self.task = None
            self.busy_bar.hide()
            self.cancel_button.setText("Cancel")
            for page in (self.pages.widget(self.FILE), self.pages.widget(self.MAPPING)):
                page.setEnabled(True)
            return True

        def on_success(result: object) -> None:
            if end():
                succeeded(result)
                self._update_buttons()

        def on_failure(error: object) -> None:
            if end():
                assert isinstance(error, BaseException)
                failed(error)
                self._update_buttons()

        def on_cancel() -> None:
            if end():
                if stopped is not None:
                    stopped()
                self._update_buttons()

        task.progressed.connect(self._progressed)
        task.succeeded.connect(on_success)
        task.failed.connect(on_failure)
        task.cancelled.connect(on_cancel)
        self.task = task
        self.busy_label.setText(label)
        self.progress_bar.setRange(0, 0)
        self.busy_bar.show()
        for page in (self.pages.widget(self.FILE), self.pages.widget(self.MAPPING)):
            page.setEnabled(False)
        self._update_buttons()
        task.start()
        return task

    def _progressed(self, done: int, total: int, text: str) -> None:
        if total > 0:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(done)
        if text and text != "Done":
            self.busy_label.setText(text)

    def _update_buttons(self) -> None:
        page = self.current_page()
        idle = self.task is None
        self.back_button.setEnabled(idle and page != self.FILE)
        self.next_button.setVisible(page != self.PREVIEW)
        self.import_button.setVisible(page == self.PREVIEW)
        if page == self.FILE:
            self.next_button.setEnabled(idle and bool(self._sheets) and not self.file_error_text())
        elif page == self.MAPPING:
            self.next_button.setEnabled(idle and not self.mapping_problems())
        self.import_button.setEnabled(self.can_import())
        self.check_button.setEnabled(idle and self.path is not None)
        default = self.import_button if page == self.PREVIEW else self.next_button
        default.setDefault(True)

    def reject(self) -> None:
        """Cancel stops a running step (an import writes nothing); when idle it closes."""
        if self.task is not None:
            self.task.cancel()
            self.busy_label.setText("Stopping…")
            self.cancel_button.setText("Stopping…")
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.task is not None:
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        services: Services,
        settings: QSettings,
        path: Path | str | None = None,
        table: str | None = None,
    ) -> ImportReport | None:
        """Run the wizard; the written import's report, or None if nothing was imported.
        Tests patch this."""
        wizard: Self = cls(services, settings, path, table, parent)
        if wizard.exec() == QDialog.DialogCode.Accepted:
            return wizard.report
        return None


def _import(
    services: Services, path: Path, options: ImportOptions, progress: Progress
) -> ImportReport:
    """`import_file` as a task: Cancel is checked row by row inside its transaction (so nothing
    is written); reporting progress never raises, so a late Cancel cannot undo a committed
    import's success."""

    def report(done: int, total: int, text: str) -> None:
        with contextlib.suppress(TaskCancelled):
            progress.report(done, total, text)

    try:
        return import_file(
            services, path, options, progress=report, cancelled=lambda: progress.cancelled
        )
    except spreadsheets.Cancelled:
        raise TaskCancelled from None


__all__ = [
    "ImportWizard",
    "counts_text",
    "imported_text",
    "look_at_sheet",
    "preview_rows",
    "remember_mapping",
    "remembered_mapping",
]
