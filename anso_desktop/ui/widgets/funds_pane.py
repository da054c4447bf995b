"""The funds (such as the STIC endowment) with what they hold today: initial capital, income and
spending charged to them, and the balance; and the data of each fund's balance chart."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from anso_desktop.reports.chart_data import ChartData, fund_balance
from anso_desktop.services import Services
from anso_desktop.services.finances import FundBalance
from anso_desktop.tables.formatting import format_money
from anso_desktop.ui.read_only import editing

HEADERS = ("Fund", "Currency", "Initial capital", "Income", "Spending", "Balance")
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class FundsPane(QWidget):
    #: A fund was added or changed: the tab refreshes its choices and charts.
    changed = Signal()

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.balances: list[FundBalance] = []
        #: Why funds may not be added or changed (None while the database may be written).
        self.read_only_reason: str | None = None
        self.new_button = QPushButton("&New fund…")
        self.new_button.clicked.connect(lambda: self.open_fund(None))
        self.edit_button = QPushButton("&Edit fund…")
        self.edit_button.clicked.connect(self.edit_selected)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(HEADERS)):
            self.table.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents
            )
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #616161;")
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        buttons = QHBoxLayout()
        buttons.addWidget(self.hint, 1)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.edit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def reload(self) -> None:
        self.balances = self.services.funds.balances()
        self.table.setRowCount(len(self.balances))
        for row, fund in enumerate(self.balances):
            cells = (
                fund.name,
                fund.currency,
                format_money(fund.initial_capital),
                format_money(fund.income),
                format_money(fund.spending),
                format_money(fund.balance),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column >= 2:
                    item.setTextAlignment(_RIGHT)
                self.table.setItem(row, column, item)
        self._update_buttons()

    def set_read_only(self, reason: str | None) -> None:
        """Offer no new or changed fund while `reason` says why the database may only be read."""
        self.read_only_reason = reason
        self._update_buttons()

    def _update_buttons(self) -> None:
        writable = self.read_only_reason is None
        self.new_button.setEnabled(writable)
        self.edit_button.setEnabled(writable and bool(self.balances))
        if self.balances:
            self.hint.setText(
                "Income and expenditure entries charged to a fund (the Fund field of an entry) "
                "add to and spend from its capital. Each fund's balance over time is in Charts."
            )
        elif writable:
            self.hint.setText(
                "No funds yet: add one, such as the STIC endowment, with its initial capital."
            )
        else:
            self.hint.setText("No funds yet.")

    @editing
    def edit_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows and len(self.balances) != 1:
            return
        fund = self.balances[rows[0].row() if rows else 0]
        self.open_fund(self.services.funds.get(fund.fund_id))

    @editing
    def open_fund(self, record: Any | None) -> None:
        from anso_desktop.ui.dialogs.fund import FundDialog

        if FundDialog.ask(self, self.services, record) is not None:
            self.reload()
            self.changed.emit()

    def charts(self, currency: str | None = None, until: date | None = None) -> list[ChartData]:
        """Each fund's balance over time (to the end of the year shown, in the currency shown),
        for the Charts pane."""
        return [
            fund_balance(
                fund.name,
                fund.currency,
                self.services.funds.balance_history(fund.fund_id, until=until),
            )
            for fund in self.balances
            if currency in (None, fund.currency)
        ]
