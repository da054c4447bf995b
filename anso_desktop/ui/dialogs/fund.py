"""Add or edit a fund such as the STIC endowment: its initial capital, currency and partner."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit

from anso_desktop.services.base import ListQuery
from anso_desktop.services.finances import FundData
from anso_desktop.storage.models import Fund
from anso_desktop.ui.dialogs.base import RecordDialog
from anso_desktop.ui.widgets.inputs import MoneyEdit, OptionalDateEdit, currency_combo


class FundDialog(RecordDialog[Fund]):
    noun = "fund"

    def build_form(self) -> None:
        self.name = self.add_field("name", "Name", QLineEdit(), required=True)
        self.name.setPlaceholderText("Such as STIC Endowment")
        self.currency = self.add_field(
            "currency",
            "Currency",
            currency_combo(self.services.finances.currencies()),
            required=True,
        )
        self.currency.setToolTip("The fund's own currency: every entry charged to it uses it")
        self.initial_capital = self.add_field(
            "initial_capital", "Initial capital", MoneyEdit(), required=True
        )
        self.established_on = self.add_field("established_on", "Established", OptionalDateEdit())
        self.partner = self.add_field("partner_id", "Partner", QComboBox())
        self.partner.addItem("No partner organization", None)
        for organization in self.services.organizations.list(ListQuery()).rows:
            self.partner.addItem(organization.name, organization.id)
        self.notes = self.add_field("notes", "Notes", QPlainTextEdit())
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(80)

    def fill(self, record: Fund) -> None:
        self.name.setText(record.name)
        self.currency.setCurrentText(record.currency)
        self.initial_capital.set_value(record.initial_capital)
        self.established_on.set_value(record.established_on)
        self.partner.setCurrentIndex(max(self.partner.findData(record.partner_id), 0))
        self.notes.setPlainText(record.notes or "")

    def collect(self) -> FundData:
        return FundData(
            name=self.name.text(),
            currency=self.currency.currentText().strip().upper(),
            initial_capital=self.initial_capital.value(),
            established_on=self.established_on.value(),
            partner_id=self.partner.currentData(),
            notes=self.notes.toPlainText(),
        )

    def save(self, data: FundData) -> Fund:
        if self.record is None:
            return self.services.funds.create(data)
        return self.services.funds.update(self.record.id, self.record.version, data)

    def reread(self) -> Fund:
        assert self.record is not None
        return self.services.funds.get(self.record.id)
