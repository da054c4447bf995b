"""The funds (such as the STIC endowment) with what they hold today: initial capital, income and
spending charged to them, and the balance; and the data of each fund's balance chart."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from anso_desktop.reports.chart_data import ChartData, fund_balance
from anso_desktop.services import Services
from anso_desktop.services.finances import FundBalance
from anso_desktop.tables.formatting import format_money

HEADERS = ("Fund", "Currency", "Initial capital", "Income", "Spending", "Balance")
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class FundsPane(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.balances: list[FundBalance] = []
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
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.hint)

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
        self.hint.setText(
            "Income and expenditure entries charged to a fund (the Fund field of an entry) add to "
            "and spend from its capital. Each fund's balance over time is in Charts."
            if self.balances
            else "No funds yet. A fund such as the STIC endowment is added with its initial "
            "capital in File › Import (sheet Funds)."
        )

    def charts(self) -> list[ChartData]:
        """Each fund's balance over time, for the Charts pane."""
        return [
            fund_balance(
                fund.name, fund.currency, self.services.funds.balance_history(fund.fund_id)
            )
            for fund in self.balances
        ]
