"""The Finances tab: budget lines, expenditure and income, newest year first, with the year's budget
against actual under the grid and the totals per kind and currency in the status bar."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    Qt,
)
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from anso_desktop.domain import FinanceKind
from anso_desktop.errors import UserError
from anso_desktop.reports.chart_data import (
    ChartData,
    budget_against_actual,
    expenditure_by_category,
)
from anso_desktop.reports.documents import PrintRequest
from anso_desktop.services import Services
from anso_desktop.services.exchange_rates import MissingRateError
from anso_desktop.services.finances import (
    BudgetLine,
    BudgetSummary,
    BudgetTotal,
    FinanceEntryData,
    FinanceEntryService,
)
from anso_desktop.storage.models import FinanceEntry
from anso_desktop.tables import BUDGET_SUMMARY, FINANCES
from anso_desktop.tables.formatting import format_money
from anso_desktop.ui import messages, undo
from anso_desktop.ui.dialogs.finance_entry import FinanceEntryDialog
from anso_desktop.ui.read_only import editing
from anso_desktop.ui.tabs.base import RecordTab, filter_combo
from anso_desktop.ui.widgets.chart_pane import ChartPane
from anso_desktop.ui.widgets.funds_pane import FundsPane

AnyIndex = QModelIndex | QPersistentModelIndex

OVER_BUDGET = QBrush(QColor("#c62828"))
TOTAL_BACKGROUND = QBrush(QColor("#eeeeee"))


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


class BudgetSummaryModel(QAbstractTableModel):
    """A year's budget against actual: each currency's categories, then that currency's total.

    Read-only and small (one row per category), so it holds the whole summary.
    """

    COLUMNS = BUDGET_SUMMARY.columns
    HEADERS = tuple(column.header for column in COLUMNS)
    NUMERIC = frozenset(i for i, column in enumerate(COLUMNS) if column.numeric)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.summary: BudgetSummary | None = None
        self._rows: list[BudgetLine | BudgetTotal] = []
        self._bold = _bold()

    def set_summary(self, summary: BudgetSummary | None) -> None:
        self.beginResetModel()
        self.summary = summary
        self._rows = []
        if summary is not None:
            for currency in summary.currencies:
                self._rows.extend(summary.lines_in(currency))
                total = summary.total_in(currency)
                if total is not None:
                    self._rows.append(total)
        self.endResetModel()

    def row_at(self, row: int) -> BudgetLine | BudgetTotal | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None or not 0 <= index.column() < len(self.HEADERS):
            return None
        column = index.column()
        is_total = isinstance(row, BudgetTotal)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignRight
                if column in self.NUMERIC
                else Qt.AlignmentFlag.AlignLeft
            )
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            return OVER_BUDGET if row.over_budget else None
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if is_total else None
        if role == Qt.ItemDataRole.BackgroundRole:
            return TOTAL_BACKGROUND if is_total else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row)
        return None

    def _text(self, row: BudgetLine | BudgetTotal, column: int) -> str:
        spec = self.COLUMNS[column]
        return spec.display(spec.value(row))

    @staticmethod
    def _tooltip(row: BudgetLine | BudgetTotal) -> str | None:
        what = row.category if isinstance(row, BudgetLine) else f"All categories in {row.currency}"
        if row.over_budget and row.budget == 0:
            return f"{what}: spent {row.currency} {format_money(row.actual)} with no budget"
        if row.over_budget:
            return f"{what}: over budget by {row.currency} {format_money(-row.variance)}"
        if isinstance(row, BudgetLine):
            return "Double-click to list this category's entries"
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section in self.NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return {
                4: "Budget minus actual: negative when more was spent than budgeted",
                5: "Actual as a percentage of the budget",
            }.get(section)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class FinancesTab(RecordTab):
    spec = FINANCES
    printed_list = "finances"
    noun = "finance entry"
    plural = "finance entries"
    dialog = FinanceEntryDialog
    initial_sort = ("fiscal_year", True)  # this year's lines first, by category within a year

    def __init__(
        self, services: Services, undo_stack: QUndoStack, parent: QWidget | None = None
    ) -> None:
        super().__init__(services, undo_stack, parent)
        # The summary goes under the grid rather than beside it: both are wide tables of amounts.
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.removeWidget(self.splitter)
        self.summary_splitter = QSplitter(Qt.Orientation.Vertical)
        self.summary_splitter.addWidget(self.splitter)
        self.summary_splitter.addWidget(self._build_summary_pane())
        self.summary_splitter.setStretchFactor(0, 3)
        self.summary_splitter.setStretchFactor(1, 1)
        self.summary_splitter.setCollapsible(0, False)
        layout.addWidget(self.summary_splitter, 1)
        # The list reloads on every search keystroke; the summary below it is read again only when
        # what it shows changes (see update_summary).
        self._summary_for: tuple[Any, ...] | None = None
        self.model.reloaded.connect(lambda _total: self.update_summary())
        self.update_summary()
        self.finance_actions = (
            self._action("&Rename category…", self.rename_category),
            self._action("&Exchange rates…", self.edit_exchange_rates),
            self._action("&Budget plans…", self.edit_budget_plans),
        )
        self.menu_actions = self.finance_actions
        self.editing_widgets += [*self.finance_actions, self.rates_button]

    def update_editing(self) -> None:
        super().update_editing()
        self.funds_pane.set_read_only(self.read_only_reason)

    def extra_dialogs(self) -> list[tuple[str, QWidget]]:
        from anso_desktop.ui.dialogs.budget_plans import BudgetPlansDialog
        from anso_desktop.ui.dialogs.exchange_rates import ExchangeRatesDialog
        from anso_desktop.ui.dialogs.fund import FundDialog
        from anso_desktop.ui.dialogs.rename_category import RenameCategoryDialog

        funds = self.services.funds.list().rows
        return [
            ("budget-plans", BudgetPlansDialog(self.services, self)),
            ("rename-category", RenameCategoryDialog(self.service.categories(), None, self)),
            ("exchange-rates", ExchangeRatesDialog(self.services, 2021, "USD", "CNY", self)),
            ("edit-fund", FundDialog(self.services, funds[0] if funds else None, self)),
        ]

    def _action(self, text: str, slot: Any) -> QAction:
        action = QAction(text, self)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    @property
    def service(self) -> FinanceEntryService:
        return self.services.finances

    # --- filters -------------------------------------------------------------------------------

    def build_filters(self) -> None:
        self.year = filter_combo([("All years", None)], self.apply_query, tooltip="Fiscal year")
        self.kind = filter_combo(
            [("All kinds", None), *((k.label, k.value) for k in FinanceKind)],
            self.apply_query,
            tooltip="Budget, expenditure or income",
        )
        self.category = filter_combo(
            [("All categories", None)], self.apply_query, tooltip="Category (budget line)"
        )
        self.currency = filter_combo(
            [("All currencies", None)], self.apply_query, tooltip="Currency"
        )
        self._fill_choices()
        for widget in (self.year, self.kind, self.category, self.currency):
            self.filter_bar.addWidget(widget)

    def _fill_choices(self) -> None:
        """The years, categories and currencies in the books now; a chosen one that has just gone
        (its last entry deleted) stays, so the combo still says what the grid is showing."""
        _refill(self.year, self.service.years(), descending=True)
        _refill(self.category, self.service.categories())
        _refill(self.currency, self.service.currencies())
        if hasattr(self, "convert_to"):
            self._fill_convert_choices()

    def refresh(self) -> None:
        self._summary_for = None  # the books may have changed: the summary is read again
        self._fill_choices()
        super().refresh()

    def current_filters(self) -> dict[str, Any]:
        return {
            "year": self.year.currentData(),
            "kind": self.kind.currentData(),
            "category": self.category.currentData(),
            "currency": self.currency.currentData(),
        }

    def reset_filters(self) -> None:
        for combo in (self.year, self.kind, self.category, self.currency):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self._fill_choices()  # and drop a year or category whose last entry has gone

    def show_budget_line(self, category: str, currency: str) -> None:
        """List the entries behind one line of the summary (its year, category and currency)."""
        year = self.summary_model.summary.year if self.summary_model.summary else None
        for combo, value in (
            (self.year, year),
            (self.kind, None),
            (self.category, category),
            (self.currency, currency),
        ):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(combo.findData(value), 0))
            combo.blockSignals(False)
        self.apply_query()

    # --- texts ---------------------------------------------------------------------------------

    def empty_text(self) -> str:
        year = self.year.currentData()
        others = {k: v for k, v in self.current_filters().items() if k != "year" and v is not None}
        if year is not None and not others and not self.search.text().strip():
            return self.add_hint(f"No finance entries for {year}")
        return super().empty_text()

    def status_text(self) -> str:
        """'19 entries · Budget CNY 132,900,000.00 · Expenditure …': sums of what the grid shows,
        per kind, each currency on its own."""
        count = self.model.total
        parts = [f"{count:,} {'entry' if count == 1 else 'entries'}"]
        totals = self.service.query_totals(self.model.query)
        for kind in FinanceKind:
            amounts = sorted((c, total) for (k, c), total in totals.items() if k == kind.value)
            if amounts:
                sums = "; ".join(f"{c} {format_money(total)}" for c, total in amounts)
                parts.append(f"{kind.label} {sums}")
        return " · ".join(parts)

    def data_of(self, record: FinanceEntry) -> FinanceEntryData:
        return FinanceEntryData.from_record(record)

    def describe(self, record: FinanceEntry) -> str:
        return (
            f"{record.category}, {record.fiscal_year} {record.kind.label.lower()}, "
            f"{record.currency} {format_money(record.amount)}"
        )

    # --- budget against actual -----------------------------------------------------------------

    def _build_summary_pane(self) -> QWidget:
        self.summary_model = BudgetSummaryModel(self)
        self.summary_caption = QLabel()
        self.summary_caption.setStyleSheet("font-weight: bold;")
        self.summary_hint = QLabel()
        self.summary_hint.setStyleSheet("color: #616161;")
        self.summary_hint.setWordWrap(True)
        view = QTableView()
        view.setModel(self.summary_model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setWordWrap(False)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(24)
        view.activated.connect(self._summary_line_activated)  # double-click or Enter
        metrics = view.fontMetrics()
        # Fixed widths keep the figures next to their category, the way a printed report reads.
        for section, spec_column in enumerate(BUDGET_SUMMARY.columns):
            view.setColumnWidth(section, metrics.averageCharWidth() * spec_column.width + 16)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.summary_view = view
        self.convert_to = QComboBox()
        self.convert_to.setToolTip(
            "Show every currency converted into one, at the rates entered for the year"
        )
        self._fill_convert_choices()
        self.convert_to.currentIndexChanged.connect(lambda _index: self.update_summary())
        self.rates_button = QPushButton("Exchange &rates…")
        self.rates_button.clicked.connect(self.edit_exchange_rates)
        caption_row = QHBoxLayout()
        caption_row.addWidget(self.summary_caption, 1)
        caption_row.addWidget(QLabel("Show in:"))
        caption_row.addWidget(self.convert_to)
        caption_row.addWidget(self.rates_button)
        pane = QWidget()
        column = QVBoxLayout(pane)
        column.setContentsMargins(0, 4, 0, 0)
        column.addLayout(caption_row)
        column.addWidget(view, 1)
        column.addWidget(self.summary_hint)
        self.chart_pane = ChartPane(parent=self)
        self.funds_pane = FundsPane(self.services)
        self.funds_pane.changed.connect(self.refresh)
        self.lower_tabs = QTabWidget()
        self.lower_tabs.setDocumentMode(True)
        self.lower_tabs.addTab(pane, "&Budget against actual")
        self.lower_tabs.addTab(self.chart_pane, "C&harts")
        self.lower_tabs.addTab(self.funds_pane, "F&unds")
        return self.lower_tabs

    def _fill_convert_choices(self) -> None:
        current = self.convert_to.currentData()
        self.convert_to.blockSignals(True)
        self.convert_to.clear()
        self.convert_to.addItem("Each currency apart", None)
        for code in sorted({*self.service.currencies(), "CNY"}):
            self.convert_to.addItem(f"All in {code}", code)
        self.convert_to.setCurrentIndex(max(self.convert_to.findData(current), 0))
        self.convert_to.blockSignals(False)

    def charts(self, summary: BudgetSummary | None) -> list[ChartData]:
        """The charts of the year and currency the filters show: budget against actual and
        expenditure by category, per currency (never two currencies in one chart)."""
        charts: list[ChartData] = []
        if summary is not None:
            chosen = None if summary.convert_to else self.currency.currentData()
            for currency in summary.currencies:
                if chosen in (None, currency):
                    charts.append(budget_against_actual(summary, currency))
                    charts.append(expenditure_by_category(summary, currency))
        year = self.year.currentData()
        until = date(int(year), 12, 31) if year is not None else None
        return charts + self.funds_pane.charts(self.currency.currentData(), until)

    def print_request(self) -> PrintRequest:
        """The finance summary (budget against actual) of the year and currency shown."""
        filters = {
            "year": self.year.currentData(),
            "currency": self.currency.currentData(),
            "convert_to": self.convert_to.currentData(),
        }
        return PrintRequest(table="finances", filters=filters)

    def print_row_count(self) -> int:
        """The summary lines the printout will have: every year's when the filter says All."""
        chosen = self.year.currentData()
        years = [int(chosen)] if chosen is not None else self.service.years()
        currency = self.currency.currentData()
        return sum(
            1
            for year in years
            for line in self.service.budget_vs_actual(year).lines
            if currency in (None, line.currency)
        )

    def summary_year(self) -> int | None:
        """The year in the Year filter, or the latest year in the books when it says All years."""
        chosen = self.year.currentData()
        if chosen is not None:
            return int(chosen)
        years = self.service.years()
        return years[0] if years else None

    def summary(self, year: int) -> tuple[BudgetSummary, str | None]:
        """The year's budget against actual, converted if asked and possible; and why not."""
        convert_to = self.convert_to.currentData()
        if convert_to is None:
            return self.service.budget_vs_actual(year), None
        try:
            return self.service.budget_vs_actual(year, convert_to=convert_to), None
        except MissingRateError as missing:
            return self.service.budget_vs_actual(year), missing.message

    def update_summary(self) -> None:
        """Budget against actual, the funds and the charts, for the year and currency shown.
        A search, kind or category filter leaves them as they are: no query for those."""
        shown = (
            self.year.currentData(),
            self.currency.currentData(),
            self.convert_to.currentData(),
        )
        if shown == self._summary_for:
            return
        self._summary_for = shown
        year = self.summary_year()
        summary, not_converted = self.summary(year) if year is not None else (None, None)
        self.summary_model.set_summary(summary)
        self.funds_pane.reload()
        self.chart_pane.set_charts(
            self.charts(summary), "Add budget and expenditure entries to chart them here."
        )
        if summary is None:
            self.summary_caption.setText("Budget against actual")
            self.summary_hint.setText(
                "Add budget and expenditure entries to compare them here, category by category."
            )
            self.summary_view.hide()
            return
        if not summary.lines:
            self.summary_caption.setText(f"{year} budget against actual")
            self.summary_hint.setText(f"No budget or expenditure entries for {year}.")
            self.summary_view.hide()
            return
        self.summary_view.show()
        caption = f"{year} budget against actual ({', '.join(summary.currencies)})"
        if summary.rates:
            caption += " — converted at " + "; ".join(rate.label for rate in summary.rates)
        self.summary_caption.setText(caption)
        over = sum(1 for line in summary.lines if line.over_budget)
        hints = [] if not_converted is None else [not_converted]
        if over:
            hints.append(f"{over} {'line is' if over == 1 else 'lines are'} over budget (in red).")
        if self.year.currentData() is None:
            hints.append("The latest year is shown: choose a year in the Year filter for another.")
        hints.append("Double-click a line to list its entries.")
        self.summary_hint.setText(" ".join(hints))

    def _summary_line_activated(self, index: QModelIndex) -> None:
        row = self.summary_model.row_at(index.row())
        if isinstance(row, BudgetLine):
            # A converted line gathers several currencies: list them all.
            self.show_budget_line(row.category, None if row.converted_from else row.currency)

    # --- the Finances menu ---------------------------------------------------------------------

    @editing
    def edit_exchange_rates(self) -> None:
        from anso_desktop.ui.dialogs.exchange_rates import ExchangeRatesDialog

        year = self.summary_year()
        currencies = [c for c in self.service.currencies() if c != "CNY"]
        if ExchangeRatesDialog.ask(
            self, self.services, year, currencies[0] if currencies else None, "CNY"
        ):
            self._summary_for = None  # new rates: the same choices convert differently
            self.update_summary()

    @editing
    def rename_category(self) -> None:
        """Rename a category in every entry and draft plan; undoable unless two were merged."""
        from anso_desktop.ui.dialogs.rename_category import RenameCategoryDialog

        categories = self.service.categories()
        if not categories:
            messages.inform(self, "There are no categories yet: add a finance entry first.")
            return
        chosen = RenameCategoryDialog.ask(self, categories, self.category.currentData())
        if chosen is None:
            return
        old, new = chosen
        try:
            result = self.service.rename_category(old, new)
        except UserError as error:
            messages.warn(self, error.message)
            return
        if result.changed and not result.merged:  # a merge cannot be told apart: no undo

            def rename_back() -> None:
                self.service.rename_category(new, old)

            def rename_again() -> None:
                self.service.rename_category(old, new)

            self.undo_stack.push(
                undo.ServiceCommand(
                    f"Rename category '{old}' to '{new}'",
                    undo=rename_back,
                    redo=rename_again,
                    on_change=self.refresh,
                    parent_widget=self,
                )
            )
        self.refresh()
        self.category.setCurrentIndex(max(self.category.findData(new), 0))
        self.status_changed.emit(result.message)
        messages.inform(self, result.message)

    @editing
    def edit_budget_plans(self) -> None:
        from anso_desktop.ui.dialogs.budget_plans import BudgetPlansDialog

        BudgetPlansDialog.ask(self, self.services)
        self.refresh()

    # --- settings ------------------------------------------------------------------------------

    def save_state(self, settings: QSettings) -> None:
        super().save_state(settings)
        settings.setValue(f"tabs/{self.spec.name}/summary", self.summary_splitter.saveState())

    def restore_state(self, settings: QSettings) -> None:
        super().restore_state(settings)
        self.chart_pane.settings = settings  # where charts were saved last time
        state = settings.value(f"tabs/{self.spec.name}/summary")
        if state is not None:
            self.summary_splitter.restoreState(state)


def _refill(combo: QComboBox, values: Iterable[Any], *, descending: bool = False) -> None:
    """Replace a filter combo's choices after its first ('all') item, keeping the current one."""
    chosen = combo.currentData()
    choices = set(values) | ({chosen} if chosen is not None else set())
    combo.blockSignals(True)
    while combo.count() > 1:
        combo.removeItem(1)
    for value in sorted(choices, reverse=descending):
        combo.addItem(str(value), value)
    combo.setCurrentIndex(max(combo.findData(chosen), 0) if chosen is not None else 0)
    combo.blockSignals(False)
