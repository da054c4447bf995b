"""The Finances menu and panes: renaming a category everywhere (and undoing it), exchange rates
and the summary converted at them, and the funds with their balance over time."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog

from anso_desktop.domain import FinanceKind
from anso_desktop.services.base import ListQuery
from anso_desktop.services.finances import FinanceEntryData
from anso_desktop.ui.dialogs.exchange_rates import ExchangeRatesDialog
from anso_desktop.ui.dialogs.rename_category import RenameCategoryDialog
from anso_desktop.ui.main_window import MainWindow
from anso_desktop.ui.tabs.finances import FinancesTab


def finances_tab(window: MainWindow) -> FinancesTab:
    tab = next(t for t in window.record_tabs() if isinstance(t, FinancesTab))
    window.tabs.setCurrentWidget(tab)
    return tab


def test_the_finances_menu_offers_the_tools(window: MainWindow) -> None:
    texts = [action.text() for action in window.finances_menu.actions()]
    assert texts == ["&Rename category…", "&Exchange rates…", "&Budget plans…"]


def test_budget_plans_open_from_the_menu_and_the_tab_follows(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from anso_desktop.services.budget_plans import BudgetPlanLineData
    from anso_desktop.ui.dialogs.budget_plans import BudgetPlansDialog

    tab = finances_tab(window)
    plans = window.services.budget_plans

    def edit_a_plan(cls: type, parent: Any, services: Any) -> None:
        assert parent is tab and services is window.services
        plan = plans.list(ListQuery()).rows[0]
        lines = [
            BudgetPlanLineData(line.category, line.amount, line.currency) for line in plan.lines
        ]
        lines.append(BudgetPlanLineData("Travel grants", Decimal("15000.00"), "CNY"))
        plans.save_lines(plan.id, plan.version, lines)

    monkeypatch.setattr(BudgetPlansDialog, "ask", classmethod(edit_a_plan))
    window.finances_menu.actions()[2].trigger()
    # A category first used in a plan is suggested from then on: the tab refreshed its choices.
    assert "Travel grants" in window.services.finances.categories()
    assert tab.category.findData("Travel grants") >= 0


def test_rename_a_category_everywhere_then_undo(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, answers: dict[str, Any]
) -> None:
    tab = finances_tab(window)
    service = window.services.finances
    before = service.count(ListQuery(filters={"category": "Training"}))
    assert before > 0
    monkeypatch.setattr(
        RenameCategoryDialog, "ask", classmethod(lambda cls, *a: ("Training", "Capacity building"))
    )
    window.finances_menu.actions()[0].trigger()
    assert service.count(ListQuery(filters={"category": "Training"})) == 0
    assert service.count(ListQuery(filters={"category": "Capacity building"})) == before
    assert tab.category.currentData() == "Capacity building"
    informed = [text for kind, text in answers["seen"] if kind == "inform"]
    assert informed and "'Training' is now 'Capacity building'" in informed[0]
    window.undo_stack.undo()
    assert service.count(ListQuery(filters={"category": "Training"})) == before
    assert "Capacity building" not in service.categories()


def test_the_rename_dialog_refuses_nothing_and_asks_before_merging(
    qtbot: Any, answers: dict[str, Any]
) -> None:
    dialog = RenameCategoryDialog(["Publications", "Training"], "Training")
    qtbot.addWidget(dialog)
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error.text() == "Type the new name."
    dialog.new.setText("publications")
    answers["confirm"] = False
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "'Publications' is already a category" in answers["seen"][-1][1]
    answers["confirm"] = True
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.chosen() == ("Training", "Publications")  # merged under its own spelling


def test_exchange_rates_are_set_refused_and_deleted(
    qtbot: Any, demo_services: Any, answers: dict[str, Any]
) -> None:
    dialog = ExchangeRatesDialog(demo_services, 2022, "EUR", "CNY")
    qtbot.addWidget(dialog)
    rows_before = dialog.table.rowCount()
    dialog.rate.setText("7.1234567")
    dialog.set_button.click()
    assert "more than six decimals" in dialog.error.text()
    assert demo_services.exchange_rates.rate(2022, "EUR", "CNY") is None
    dialog.rate.setText("7.8")
    dialog.note.setText("Bank of China yearly average")
    dialog.set_button.click()
    assert demo_services.exchange_rates.rate(2022, "EUR", "CNY") == Decimal("7.8")
    assert dialog.changed and dialog.table.rowCount() == rows_before + 1
    assert dialog.table.item(0, 2).text() == "7.8 CNY"  # the latest year first
    dialog.table.selectRow(0)
    assert dialog.rate.text() == "7.8" and dialog.currency.currentText() == "EUR"
    dialog.delete_button.click()
    assert demo_services.exchange_rates.rate(2022, "EUR", "CNY") is None
    assert dialog.table.rowCount() == rows_before


def test_the_summary_converts_at_the_years_rate_and_says_so(window: MainWindow) -> None:
    services = window.services
    services.finances.create(
        FinanceEntryData(2021, "Training", FinanceKind.EXPENDITURE, Decimal("1000.00"), "USD")
    )
    tab = finances_tab(window)
    tab.refresh()
    tab.year.setCurrentIndex(tab.year.findData(2021))
    assert tab.summary_model.summary.currencies == ("CNY", "USD")
    tab.convert_to.setCurrentIndex(tab.convert_to.findData("CNY"))
    summary = tab.summary_model.summary
    assert summary.currencies == ("CNY",)
    training = summary.line("Training", "CNY")
    # 4,000,000.00 CNY spent, plus 1,000.00 USD at the demo's 6.4515.
    assert training is not None and training.actual == Decimal("4006451.50")
    assert "converted at 1 USD = 6.4515 CNY (2021)" in tab.summary_caption.text()
    assert tab.print_request().filters["convert_to"] == "CNY"

    tab.convert_to.setCurrentIndex(tab.convert_to.findData("USD"))  # no CNY to USD rate
    assert tab.summary_model.summary.currencies == ("CNY", "USD")
    assert "No 2021 exchange rate from CNY to USD is set" in tab.summary_hint.text()


def test_funds_show_their_balance_and_its_chart(window: MainWindow) -> None:
    services = window.services
    (before,) = services.funds.balances()
    for kind, amount, day in (
        (FinanceKind.INCOME, "1250000.00", date(2021, 6, 30)),
        (FinanceKind.EXPENDITURE, "300000.00", date(2021, 9, 1)),
    ):
        services.finances.create(
            FinanceEntryData(
                2021, "STIC", kind, Decimal(amount), "CNY", fund_id=before.fund_id, entry_date=day
            )
        )
    tab = finances_tab(window)
    tab.refresh()
    pane = tab.funds_pane
    row = [pane.table.item(0, column).text() for column in range(pane.table.columnCount())]
    assert row == [
        "STIC Endowment",
        "CNY",
        "50,000,000.00",
        f"{before.income + Decimal('1250000.00'):,.2f}",
        f"{before.spending + Decimal('300000.00'):,.2f}",
        f"{before.balance + Decimal('950000.00'):,.2f}",
    ]
    titles = [tab.chart_pane.chooser.itemText(i) for i in range(tab.chart_pane.chooser.count())]
    assert "STIC Endowment: balance over time (CNY)" in titles
    chart = next(c for c in tab.chart_pane.charts if c.title.startswith("STIC"))
    points = dict(chart.points)
    assert points[date(2021, 9, 1)] - points[date(2021, 6, 30)] == Decimal("-300000.00")
    assert chart.points[-1][1] == before.balance + Decimal("950000.00")


def test_a_new_fund_from_the_funds_pane(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, answers: dict[str, Any]
) -> None:
    from anso_desktop.ui.dialogs.fund import FundDialog
    from tests.ui.conftest import drive_dialog

    tab = finances_tab(window)

    def fill(dialog: FundDialog) -> None:
        dialog.name.setText("ANSO Scholarship Fund")
        dialog.currency.setCurrentText("usd")
        dialog.initial_capital.setText("2,500,000.50")

    drive_dialog(monkeypatch, FundDialog, fill)
    tab.funds_pane.new_button.click()
    names = [
        tab.funds_pane.table.item(row, 0).text() for row in range(tab.funds_pane.table.rowCount())
    ]
    assert "ANSO Scholarship Fund" in names
    (fund,) = [f for f in window.services.funds.balances() if f.name == "ANSO Scholarship Fund"]
    assert (fund.currency, fund.initial_capital) == ("USD", Decimal("2500000.50"))
    assert fund.balance == Decimal("2500000.50")
