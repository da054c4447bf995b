"""The export dialog: what to write — the current list as shown, the whole database as a
readable backup, or an empty template to send a partner — and the export itself, which the
window runs off the GUI thread. Writing the workbook is `anso_desktop.spreadsheets`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum, auto
from pathlib import Path
from typing import Self

# The export runs on a worker thread; Qt for Python's import hook is not thread-safe, so what it
# uses is imported here, on the GUI thread.
import xlsxwriter  # noqa: F401
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from xlsxwriter.exceptions import FileCreateError

from anso_desktop.errors import UserError
from anso_desktop.services import Services
from anso_desktop.services.base import ListQuery
from anso_desktop.spreadsheets import export_template, export_workbook
from anso_desktop.tables import TABLES, TableSpec
from anso_desktop.ui.tasks import Progress

EXPORT_FILTER = "Excel workbooks (*.xlsx)"
FOLDER_KEY = "export/folder"
_HINT_STYLE = "color: #616161;"


class ExportKind(Enum):
    LIST = auto()
    DATABASE = auto()
    TEMPLATE = auto()


@dataclass(frozen=True)
class ExportChoice:
    """What the dialog asked for: enough to name the file and write it."""

    kind: ExportKind
    #: The list's table, or the template's.
    table: str
    #: The list's search, filters and order (every row: no offset or limit).
    query: ListQuery = field(default_factory=ListQuery)

    @property
    def spec(self) -> TableSpec:
        return TABLES[self.table]

    def file_name(self, today: date | None = None) -> str:
        """ "ANSO members 2026-11-28.xlsx": what the save dialog offers."""
        day = (today or date.today()).isoformat()
        if self.kind is ExportKind.DATABASE:
            return f"ANSO database {day}.xlsx"
        if self.kind is ExportKind.TEMPLATE:
            return f"ANSO {self.spec.sheet.lower()} template.xlsx"
        return f"ANSO {self.spec.sheet.lower()} {day}.xlsx"

    def export(self, services: Services, path: Path, progress: Progress) -> str:
        """Write the workbook (on a worker thread); what to tell the user once it is written."""
        try:
            if self.kind is ExportKind.TEMPLATE:
                export_template(path, self.table)
                return (
                    f"{path.name} was saved: an empty sheet of {self.spec.title.lower()} with "
                    f"their headers and drop-down lists, ready to send.\n\nIt is in {path.parent}."
                )
            tables = [self.table] if self.kind is ExportKind.LIST else None
            queries = {self.table: self.query} if self.kind is ExportKind.LIST else None
            report = export_workbook(services, path, tables, queries, progress=progress.report)
        except (FileCreateError, PermissionError):
            raise UserError(f"{path} cannot be written: is it open in Excel?") from None
        except OSError as error:
            raise UserError(f"{path} cannot be written: {error.strerror or error}.") from None
        if self.kind is ExportKind.LIST:
            rows = report.total
            return (
                f"{path.name} was saved with {rows:,} row{'' if rows == 1 else 's'} of "
                f"{self.spec.title.lower()}.\n\nIt is in {path.parent}."
            )
        counts = "\n".join(f"{TABLES[name].sheet}: {rows:,}" for name, rows in report.rows.items())
        return (
            f"{path.name} was saved with the whole database, {report.total:,} rows:\n\n"
            f"{counts}\n\nIt is in {path.parent}."
        )


def _filtered(query: ListQuery) -> bool:
    return bool(query.search.strip()) or any(
        value not in (None, "", False) for value in query.filters.values()
    )


class ExportDialog(QDialog):
    """Three choices, each saying what ends up in the file."""

    def __init__(
        self, spec: TableSpec, query: ListQuery, shown_rows: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.spec = spec
        self.query = replace(query, offset=0, limit=None, with_total=True)
        self.setWindowTitle("Export to Excel")
        self.setMinimumWidth(520)
        self.list_radio = QRadioButton("&This list as shown")
        self.database_radio = QRadioButton("The &whole database (a readable backup)")
        self.template_radio = QRadioButton("An empty &template for")
        self.template_combo = QComboBox()
        for table in TABLES.values():
            self.template_combo.addItem(table.title, table.name)
        self.template_combo.setCurrentIndex(self.template_combo.findData(spec.name))
        self.template_combo.setEnabled(False)
        self.template_radio.toggled.connect(self.template_combo.setEnabled)
        self.group = QButtonGroup(self)
        for button in (self.list_radio, self.database_radio, self.template_radio):
            self.group.addButton(button)
        self.list_radio.setChecked(True)

        rows = f"{shown_rows:,} row{'' if shown_rows == 1 else 's'} of {spec.title.lower()}"
        which = "those the current search and filters show" if _filtered(query) else "all of them"
        hints = (
            f"{rows}: {which}, in the order shown.",
            "Every table on its own sheet, as people read it; it can be imported again.",
            "The headers and drop-down lists, to send a partner to fill in.",
        )
        grid = QGridLayout()
        grid.setColumnMinimumWidth(0, 22)
        grid.setColumnStretch(2, 1)
        row = 0
        for button, hint, extra in (
            (self.list_radio, hints[0], None),
            (self.database_radio, hints[1], None),
            (self.template_radio, hints[2], self.template_combo),
        ):
            grid.addWidget(button, row, 0, 1, 2 if extra is not None else 3)
            if extra is not None:
                grid.addWidget(extra, row, 2)
            label = QLabel(hint)
            label.setWordWrap(True)
            label.setStyleSheet(_HINT_STYLE)
            grid.addWidget(label, row + 1, 1, 1, 2)
            grid.setRowMinimumHeight(row + 2, 8)
            row += 3
        self.hint_labels = hints
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        ok.setText("&Export…")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        title = QLabel("What to export:")
        title.setStyleSheet("font-weight: bold;")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(grid)
        layout.addStretch(1)
        layout.addWidget(buttons)

    def choice(self) -> ExportChoice:
        if self.database_radio.isChecked():
            return ExportChoice(ExportKind.DATABASE, self.spec.name)
        if self.template_radio.isChecked():
            return ExportChoice(ExportKind.TEMPLATE, self.template_combo.currentData())
        return ExportChoice(ExportKind.LIST, self.spec.name, self.query)

    @classmethod
    def ask(
        cls, parent: QWidget | None, spec: TableSpec, query: ListQuery, shown_rows: int
    ) -> ExportChoice | None:
        """Show the dialog; what to export, or None if cancelled. Tests patch this."""
        dialog: Self = cls(spec, query, shown_rows, parent)
        return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None
