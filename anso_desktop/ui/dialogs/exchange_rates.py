"""The exchange rates the user enters per year: what lets a summary show several currencies in
one, with the rate in plain sight ("1 USD = 6.4515 CNY (2021)")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Self

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from anso_desktop.errors import UserError, ValidationError
from anso_desktop.services import Services
from anso_desktop.services.base import ListQuery
from anso_desktop.services.exchange_rates import format_rate
from anso_desktop.ui import messages
from anso_desktop.ui.widgets.inputs import currency_combo

_ERROR_STYLE = "color: #c62828;"
_HINT_STYLE = "color: #616161;"
HEADERS = ("Year", "1 unit of", "is worth", "Note")


class ExchangeRatesDialog(QDialog):
    """Every rate entered, and a form to enter or replace one (the year's rate, last one wins)."""

    def __init__(
        self,
        services: Services,
        year: int | None = None,
        currency: str | None = None,
        to_currency: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.changed = False
        self.setWindowTitle("Exchange rates")
        self.setMinimumSize(620, 460)
        used = services.finances.currencies()

        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._fill_form_from_selection)

        self.year = QSpinBox()
        self.year.setRange(1900, 2200)
        self.year.setValue(year or date.today().year)
        self.currency = currency_combo(used, currency or "USD")
        self.to_currency = currency_combo(used, to_currency or "CNY")
        self.rate = QLineEdit()
        self.rate.setPlaceholderText("such as 6.4515")
        self.rate.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.note = QLineEdit()
        self.note.setPlaceholderText("Where the rate comes from, e.g. the bank's yearly average")
        self.error = QLabel()
        self.error.setStyleSheet(_ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.set_button = QPushButton("&Set rate")
        self.set_button.setDefault(True)
        self.set_button.clicked.connect(self.set_rate)
        self.delete_button = QPushButton("&Delete")
        self.delete_button.clicked.connect(self.delete_selected)

        pair = QHBoxLayout()
        pair.addWidget(QLabel("1"))
        pair.addWidget(self.currency)
        pair.addWidget(QLabel("="))
        pair.addWidget(self.rate, 1)
        pair.addWidget(self.to_currency)
        form = QFormLayout()
        form.addRow("&Year:", self.year)
        form.addRow("Rate:", pair)
        form.addRow("&Note:", self.note)
        hint = QLabel(
            "A summary converted to one currency uses the rate of its own year; a year without "
            "a rate is never converted."
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(_HINT_STYLE)
        row = QHBoxLayout()
        row.addWidget(self.delete_button)
        row.addStretch(1)
        row.addWidget(self.set_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error)
        layout.addLayout(row)
        layout.addWidget(close)
        self.reload()
        self.rate.setFocus()

    def reload(self) -> None:
        rates = self.services.exchange_rates.list(ListQuery(sort="fiscal_year", descending=True))
        self.rows = rates.rows
        self.table.setRowCount(len(self.rows))
        for row, record in enumerate(self.rows):
            cells = (
                str(record.fiscal_year),
                f"1 {record.currency}",
                f"{format_rate(record.rate)} {record.to_currency}",
                record.note or "",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
        self.delete_button.setEnabled(False)

    def selected(self) -> Any | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def _fill_form_from_selection(self) -> None:
        record = self.selected()
        self.delete_button.setEnabled(record is not None)
        if record is None:
            return
        self.year.setValue(record.fiscal_year)
        self.currency.setCurrentText(record.currency)
        self.to_currency.setCurrentText(record.to_currency)
        self.rate.setText(format_rate(record.rate))
        self.note.setText(record.note or "")

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def set_rate(self) -> None:
        self.error.hide()
        try:
            rate = Decimal(self.rate.text().replace(",", "").strip())
        except InvalidOperation:
            self._show_error(f"'{self.rate.text().strip()}' is not a rate such as 6.4515.")
            return
        try:
            self.services.exchange_rates.set_rate(
                self.year.value(),
                self.currency.currentText(),
                self.to_currency.currentText(),
                rate,
                self.note.text().strip() or None,
            )
        except ValidationError as error:
            self._show_error("\n".join(error.errors.values()))
            return
        except UserError as error:
            self._show_error(error.message)
            return
        self.changed = True
        self.reload()

    def delete_selected(self) -> None:
        record = self.selected()
        if record is None:
            return
        label = f"1 {record.currency} = {format_rate(record.rate)} {record.to_currency}"
        if not messages.confirm(self, f"Delete the {record.fiscal_year} rate {label}?"):
            return
        try:
            self.services.exchange_rates.delete(record.id, record.version)
        except UserError as error:
            self._show_error(error.message)
        else:
            self.changed = True
        self.reload()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        services: Services,
        year: int | None = None,
        currency: str | None = None,
        to_currency: str | None = None,
    ) -> bool:
        """Show the rates; whether any was set or deleted (the summary then converts anew)."""
        dialog: Self = cls(services, year, currency, to_currency, parent)
        dialog.exec()
        return dialog.changed
