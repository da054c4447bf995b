"""The rows of an import a person decides: each may be a record already in the register (a weak
or ambiguous likely match), so the wizard asks, per row, "Same as …" one of the candidates or
"New". The answers go into the next check and the import (`ImportOptions.matches` and
`new_rows`); the wizard keeps Import disabled until every row is decided."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from anso_desktop.spreadsheets.report import UndecidedRow

#: A row's place in the file: (sheet, row number), as the report and ImportOptions name it.
RowKey = tuple[str, int]
#: The combo's data for "a new record" (record ids start at 1; None is "not decided yet").
NEW_RECORD = -1
DECIDE = "Decide…"
#: How the choices name a new record of a sheet's table.
NOUNS = {"members": "organization", "meetings": "meeting"}
_MAX_TABLE_HEIGHT = 190
_UNDECIDED_STYLE = "QComboBox { color: #0d47a1; font-weight: bold; }"


class DecisionsPanel(QWidget):
    """One line per row to decide, with its choices; stays listed once decided, so a decision
    can be changed after the rows were checked again."""

    #: A decision was made or changed.
    changed = Signal()

    def __init__(
        self, noun_of: Callable[[str], str] = lambda _sheet: "record", parent: Any = None
    ) -> None:
        super().__init__(parent)
        self._noun_of = noun_of
        self._rows: dict[RowKey, UndecidedRow] = {}
        self._combos: dict[RowKey, QComboBox] = {}
        self.heading = QLabel()
        self.hint = QLabel(
            "Each of these rows may be a record already in the database. Say which one it is, "
            "or that it is new: the rows are checked again once every one is decided."
        )
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #616161;")
        self.all_new_button = QPushButton("The rest are n&ew")
        self.all_new_button.setToolTip("Add every row not decided yet as a new record")
        self.all_new_button.setAutoDefault(False)
        self.all_new_button.clicked.connect(self.rest_are_new)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.all_new_button)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Sheet", "Row", "In the file", "It is"])
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(2, 280)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.hint)
        layout.addWidget(self.table)
        self.hide()

    # --- filling -------------------------------------------------------------------------------

    def add(self, undecided: Iterable[UndecidedRow]) -> None:
        """List the rows a check left undecided; rows listed already keep their decision."""
        for row in undecided:
            key = (row.sheet, row.row)
            if key in self._rows:
                continue
            self._rows[key] = row
            self._add_line(key, row)
        self.table.setColumnHidden(0, len({sheet for sheet, _ in self._rows}) < 2)
        self.setVisible(bool(self._rows))
        self._fit_height()
        self._update()

    def _fit_height(self) -> None:
        """As tall as its rows (up to a few), leaving the rest to the preview above."""
        rows = sum(self.table.rowHeight(line) for line in range(self.table.rowCount()))
        frame = 2 * self.table.frameWidth()
        header = self.table.horizontalHeader().sizeHint().height()
        self.table.setFixedHeight(min(header + rows + frame + 6, _MAX_TABLE_HEIGHT))

    def _add_line(self, key: RowKey, row: UndecidedRow) -> None:
        line = self.table.rowCount()
        self.table.insertRow(line)
        number = QTableWidgetItem(str(row.row))
        number.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        label = QTableWidgetItem(row.label)
        label.setToolTip(row.label)
        self.table.setItem(line, 0, QTableWidgetItem(row.sheet))
        self.table.setItem(line, 1, number)
        self.table.setItem(line, 2, label)
        combo = QComboBox()
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(30)
        combo.addItem(DECIDE, None)
        for candidate in row.candidates:
            record = candidate.record
            combo.addItem(f"Same as “{record.name}” — {candidate.reason}", record.id)
            combo.setItemData(
                combo.count() - 1,
                f"#{record.id} {record.name}\n{candidate.reason}",
                Qt.ItemDataRole.ToolTipRole,
            )
        combo.addItem(f"New — add it as a new {self._noun_of(row.sheet)}", NEW_RECORD)
        combo.setAccessibleName(f"Row {row.row}, {row.label}: what it is")
        combo.currentIndexChanged.connect(lambda _i: self._decided())
        self.table.setCellWidget(line, 3, combo)
        self._combos[key] = combo

    def clear(self) -> None:
        """Forget every row and decision (another file, sheet or table)."""
        self._rows.clear()
        self._combos.clear()
        self.table.setRowCount(0)
        self.hide()

    # --- deciding ------------------------------------------------------------------------------

    def decide(self, sheet: str, row: int, record_id: int | None) -> None:
        """Say what a row is, as a person choosing in its list would: the record `record_id`,
        or (None) a new record."""
        combo = self._combos[(sheet, row)]
        index = combo.findData(NEW_RECORD if record_id is None else record_id)
        if index < 0:
            raise KeyError(f"#{record_id} is not one of the choices of row {row}")
        combo.setCurrentIndex(index)

    def choices(self, sheet: str, row: int) -> list[str]:
        combo = self._combos[(sheet, row)]
        return [combo.itemText(i) for i in range(combo.count())]

    def rest_are_new(self) -> None:
        for combo in self._combos.values():
            if combo.currentData() is None:
                combo.blockSignals(True)
                combo.setCurrentIndex(combo.findData(NEW_RECORD))
                combo.blockSignals(False)
        self._decided()

    def _decided(self) -> None:
        self._update()
        self.changed.emit()

    def _update(self) -> None:
        pending = len(self.pending())
        self.all_new_button.setEnabled(pending > 0)
        if pending:
            self.heading.setText(f"<b>Rows to decide</b> ({pending:,} left)")
        else:
            self.heading.setText("<b>Rows you decided</b> (change one to check the rows again)")
        for combo in self._combos.values():  # the rows still to decide stand out
            combo.setStyleSheet(_UNDECIDED_STYLE if combo.currentData() is None else "")

    # --- what the import is told ---------------------------------------------------------------

    @property
    def rows(self) -> list[RowKey]:
        return list(self._rows)

    def pending(self) -> list[RowKey]:
        """The rows not decided yet."""
        return [key for key, combo in self._combos.items() if combo.currentData() is None]

    def matches(self) -> dict[tuple[str | None, int], int]:
        """Row -> the record it is, for `ImportOptions.matches`."""
        return {
            key: combo.currentData()
            for key, combo in self._combos.items()
            if combo.currentData() not in (None, NEW_RECORD)
        }

    def new_rows(self) -> frozenset[RowKey]:
        """The rows said to be new records, for `ImportOptions.new_rows`."""
        return frozenset(
            key for key, combo in self._combos.items() if combo.currentData() == NEW_RECORD
        )

    def snapshot(self) -> tuple[tuple[tuple[tuple[str | None, int], int], ...], frozenset[RowKey]]:
        """Every decision, comparable: whether the rows were checked with these."""
        return tuple(sorted(self.matches().items(), key=lambda item: str(item))), self.new_rows()
