"""The print dialog: which columns, grouping, order, paper and orientation, and whether to preview,
print or save a PDF. Building and painting the pages is `anso_desktop.reports`."""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from datetime import date
from enum import Enum, auto
from typing import Self

from PySide6.QtCore import QLocale, QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from anso_desktop.reports.documents import (
    LISTS,
    PrintRequest,
    default_columns,
    printable_columns,
)
from anso_desktop.reports.rendering import PAPER_SIZES, PageSetup
from anso_desktop.services.register_as_at import day_label

_HINT_STYLE = "color: #616161;"


class PrintAction(Enum):
    PREVIEW = auto()
    PRINTER = auto()
    PDF = auto()


@dataclass(frozen=True)
class PrintChoice:
    request: PrintRequest
    setup: PageSetup
    action: PrintAction

    def file_name(self, today: date | None = None) -> str:
        """ "ANSO members 2026-11-28.pdf" ("ANSO members as at 2021-10-09.pdf" for a past day):
        what the save dialog offers."""
        if self.request.as_at is not None:
            return f"ANSO {self.request.table} as at {self.request.as_at.isoformat()}.pdf"
        day = (today or date.today()).isoformat()
        return f"ANSO {self.request.table} {day}.pdf"


def _default_paper() -> str:
    """Letter where people measure in inches, A4 everywhere else."""
    if QLocale.system().measurementSystem() == QLocale.MeasurementSystem.ImperialUSSystem:
        return "Letter"
    return "A4"


class PrintDialog(QDialog):
    """Set up the printed list; the choices are remembered per list for next time."""

    def __init__(
        self,
        request: PrintRequest,
        filter_summary: str,
        row_count: int,
        settings: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.request = request
        self.settings = settings
        table = request.table
        self._key = f"print/{table}"
        as_at = f" as at {day_label(request.as_at)}" if request.as_at is not None else ""
        self.setWindowTitle(f"Print {LISTS[table].spec.title.lower()}{as_at}")
        self.setMinimumWidth(480)

        of_the_day = f" of the register{html.escape(as_at)}," if as_at else ""
        what = QLabel(
            f"<b>{row_count:,} row{'' if row_count == 1 else 's'}</b>{of_the_day} as this tab "
            f"shows them: {html.escape(filter_summary)}."
        )
        what.setWordWrap(True)

        self.columns = QListWidget()
        self.columns.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.columns.setToolTip("Tick the columns to print; drag them to change their order")
        self.columns.setMaximumHeight(190)
        self.defaults_button = QPushButton("&Default columns")
        self.defaults_button.clicked.connect(lambda: self._fill_columns(default_columns(table)))
        saved = settings.value(f"{self._key}/columns")
        self._fill_columns(tuple(str(saved).split(",")) if saved else default_columns(table))

        self.group_by = QComboBox()
        self.group_by.addItem("No grouping", None)
        for key, grouping in LISTS[table].groupings.items():
            self.group_by.addItem(grouping.label, key)
        saved_group = settings.value(f"{self._key}/group_by")
        self.group_by.setCurrentIndex(max(self.group_by.findData(saved_group), 0))
        if request.group_by:
            self.group_by.setCurrentIndex(max(self.group_by.findData(request.group_by), 0))

        self.sort = QComboBox()
        self.descending = QCheckBox("&Descending")
        self.sort.addItem("As on screen" if request.sort else "Standard order", request.sort)
        for column in printable_columns(table):
            if column.sort and column.sort != request.sort and self.sort.findData(column.sort) < 0:
                self.sort.addItem(column.header, column.sort)
        self.descending.setChecked(request.descending)

        self.paper = QComboBox()
        for paper in PAPER_SIZES:
            self.paper.addItem(paper, paper)
        paper = str(settings.value("print/paper") or _default_paper())
        self.paper.setCurrentIndex(max(self.paper.findData(paper), 0))
        self.orientation = QComboBox()
        self.orientation.addItem("Portrait", False)
        self.orientation.addItem("Landscape", True)
        landscape = str(settings.value(f"{self._key}/landscape", "false")).lower() == "true"
        self.orientation.setCurrentIndex(1 if landscape else 0)

        self.with_charts = QCheckBox(
            "Include the &charts (budget against actual, expenditure, fund balances)"
        )
        self.with_charts.setChecked(
            str(settings.value(f"{self._key}/charts", "true")).lower() == "true"
        )
        if table == "finances":
            # The summary keeps its own order: per year and currency, categories A to Z.
            for widget in (self.group_by, self.sort, self.descending):
                widget.setEnabled(False)
            self.group_by.setItemText(0, "Year and currency")

        sort_row = QHBoxLayout()
        sort_row.addWidget(self.sort, 1)
        sort_row.addWidget(self.descending)
        columns_box = QVBoxLayout()
        columns_box.addWidget(self.columns)
        defaults_row = QHBoxLayout()
        hint = QLabel("Drag to reorder.")
        hint.setStyleSheet(_HINT_STYLE)
        defaults_row.addWidget(hint)
        defaults_row.addStretch(1)
        defaults_row.addWidget(self.defaults_button)
        columns_box.addLayout(defaults_row)
        form = QFormLayout()
        form.addRow("Columns:", columns_box)
        form.addRow("&Group by:", self.group_by)
        form.addRow("Sort by:", sort_row)
        form.addRow("&Paper:", self.paper)
        form.addRow("&Orientation:", self.orientation)
        if table == "finances":
            form.addRow("", self.with_charts)

        buttons = QDialogButtonBox()
        self.preview_button = buttons.addButton("Pre&view…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.pdf_button = buttons.addButton("Save as P&DF…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.printer_button = buttons.addButton("&Print…", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.preview_button.setDefault(True)
        self.action = PrintAction.PREVIEW
        for button, action in (
            (self.preview_button, PrintAction.PREVIEW),
            (self.pdf_button, PrintAction.PDF),
            (self.printer_button, PrintAction.PRINTER),
        ):
            button.clicked.connect(lambda _=False, chosen=action: self._choose(chosen))
        buttons.rejected.connect(self.reject)
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b3261e;")
        self.error_label.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(what)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    def _fill_columns(self, chosen: tuple[str, ...]) -> None:
        available = {column.key: column for column in printable_columns(self.request.table)}
        order = [key for key in chosen if key in available]
        order += [key for key in available if key not in order]
        self.columns.clear()
        for key in order:
            item = QListWidgetItem(available[key].header)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable
                | Qt.ItemFlag.ItemIsDragEnabled
            )
            item.setCheckState(Qt.CheckState.Checked if key in chosen else Qt.CheckState.Unchecked)
            self.columns.addItem(item)

    def chosen_columns(self) -> tuple[str, ...]:
        items = (self.columns.item(row) for row in range(self.columns.count()))
        return tuple(
            str(item.data(Qt.ItemDataRole.UserRole))
            for item in items
            if item is not None and item.checkState() == Qt.CheckState.Checked
        )

    def _choose(self, action: PrintAction) -> None:
        if not self.chosen_columns():
            self.error_label.setText("Tick at least one column to print.")
            self.error_label.show()
            return
        self.action = action
        self._remember()
        self.accept()

    def _remember(self) -> None:
        self.settings.setValue(f"{self._key}/columns", ",".join(self.chosen_columns()))
        self.settings.setValue(f"{self._key}/group_by", self.group_by.currentData() or "")
        self.settings.setValue(f"{self._key}/landscape", bool(self.orientation.currentData()))
        self.settings.setValue("print/paper", self.paper.currentData())
        self.settings.setValue(f"{self._key}/charts", self.with_charts.isChecked())

    def choice(self) -> PrintChoice:
        request = replace(
            self.request,
            columns=self.chosen_columns(),
            group_by=self.group_by.currentData() if self.request.table != "finances" else None,
            sort=self.sort.currentData(),
            descending=self.descending.isChecked(),
            with_charts=self.with_charts.isChecked(),
        )
        setup = PageSetup(self.paper.currentData(), bool(self.orientation.currentData()))
        return PrintChoice(request, setup, self.action)

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        request: PrintRequest,
        filter_summary: str,
        row_count: int,
        settings: QSettings,
    ) -> PrintChoice | None:
        """Show the dialog; what to print and how, or None if cancelled. Tests patch this."""
        dialog: Self = cls(request, filter_summary, row_count, settings, parent)
        return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None
