"""Add or edit a finance entry: a budget line, an expenditure or an income, in its own currency."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QComboBox, QPlainTextEdit, QSpinBox

from anso_desktop.domain import FinanceKind
from anso_desktop.services.finances import FinanceEntryData
from anso_desktop.storage.models import FinanceEntry
from anso_desktop.ui.dialogs.base import RecordDialog
from anso_desktop.ui.widgets.inputs import (
    ChoiceCombo,
    MoneyEdit,
    OptionalDateEdit,
    SuggestingLineEdit,
    currency_combo,
)


class FinanceEntryDialog(RecordDialog[FinanceEntry]):
    noun = "finance entry"

    def build_form(self) -> None:
        finances = self.services.finances
        self.year = self.add_field("fiscal_year", "Year", QSpinBox(), required=True)
        self.year.setRange(1900, 2200)
        self.year.setValue(date.today().year)
        self.year.setToolTip("The fiscal year the amount belongs to")
        self.category = self.add_field(
            "category", "Category", SuggestingLineEdit(finances.categories()), required=True
        )
        self.category.setPlaceholderText("Budget line, such as Scholarships")
        self.kind = self.add_field("kind", "Kind", ChoiceCombo(FinanceKind), required=True)
        self.amount = self.add_field("amount", "Amount", MoneyEdit(), required=True)
        self.amount.setToolTip("Up to two decimals; thousands separators may be typed")
        self.currency = self.add_field(
            "currency", "Currency", currency_combo(finances.currencies()), required=True
        )
        self.funding_source = self.add_field(
            "funding_source", "Funding source", SuggestingLineEdit(finances.funding_sources())
        )
        self.funding_source.setPlaceholderText("Who pays, such as CAS or STIC Endowment")
        self.fund = self.add_field("fund_id", "Fund", QComboBox())
        self.fund.addItem("Not charged to a fund", None)
        self._funds: dict[int, tuple[str, str]] = {}
        for fund in self.services.funds.list().rows:
            self.fund.addItem(f"{fund.name} ({fund.currency})", fund.id)
            self._funds[fund.id] = (fund.name, fund.currency)
        self.fund.setToolTip("Income or spending of an endowment; its currency is the fund's")
        self.fund.activated.connect(lambda _index: self._fund_chosen())
        self.entry_date = self.add_field("entry_date", "Date", OptionalDateEdit())
        self.entry_date.setToolTip("When it was booked; may be left empty")
        self.description = self.add_field("description", "Description", QPlainTextEdit())
        self.description.setTabChangesFocus(True)
        self.description.setMaximumHeight(80)

    def _fund_chosen(self) -> None:
        """A fund keeps one currency, and usually is the funding source too: fill both in."""
        fund_id = self.fund.currentData()
        if fund_id is None:
            return
        name, currency = self._funds[fund_id]
        self.currency.setCurrentText(currency)
        if not self.funding_source.text().strip():
            self.funding_source.setText(name)

    def fill(self, record: FinanceEntry) -> None:
        self.year.setValue(record.fiscal_year)
        self.category.setText(record.category)
        self.category.setCursorPosition(0)
        self.kind.set_value(record.kind)
        self.amount.set_value(record.amount)
        self.currency.setCurrentText(record.currency)
        self.funding_source.setText(record.funding_source or "")
        self.fund.setCurrentIndex(max(self.fund.findData(record.fund_id), 0))
        self.entry_date.set_value(record.entry_date)
        self.description.setPlainText(record.description or "")

    def collect(self) -> FinanceEntryData:
        return FinanceEntryData(
            fiscal_year=self.year.value(),
            category=self.category.text(),
            kind=self.kind.value() or FinanceKind.EXPENDITURE,  # type: ignore[arg-type]
            amount=self.amount.value(),
            currency=self.currency.currentText().strip().upper(),
            funding_source=self.funding_source.text(),
            fund_id=self.fund.currentData(),
            entry_date=self.entry_date.value(),
            description=self.description.toPlainText(),
        )

    def save(self, data: FinanceEntryData) -> FinanceEntry:
        if self.record is None:
            return self.services.finances.create(data)
        return self.services.finances.update(self.record.id, self.record.version, data)

    def reread(self) -> FinanceEntry:
        assert self.record is not None
        return self.services.finances.get(self.record.id)
