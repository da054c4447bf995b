"""The Finances tab, driven as a secretary would: amounts to the cent, filters, add / edit / delete
with undo, the year's budget against actual, and totals that never mix currencies."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QImage, QUndoStack
from PySide6.QtWidgets import QFileDialog

from anso_desktop.domain import FinanceKind
from anso_desktop.services import Services
from anso_desktop.services.finances import FinanceEntryData
from anso_desktop.storage.models import FinanceEntry
from anso_desktop.ui.dialogs.finance_entry import FinanceEntryDialog
from anso_desktop.ui.main_window import MainWindow
from anso_desktop.ui.tabs.finances import OVER_BUDGET, FinancesTab
from tests.ui.conftest import drive_dialog

BUDGET, SPENT, INCOME = FinanceKind.BUDGET, FinanceKind.EXPENDITURE, FinanceKind.INCOME
DEMO_STATUS = (
    "19 entries · Budget CNY 132,900,000.00 · Expenditure CNY 56,000,000.00 "
    "· Income CNY 2,000,000.00"
)
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


@pytest.fixture
def tab(qtbot: Any, demo_services: Services, undo_stack: QUndoStack) -> FinancesTab:
    widget = FinancesTab(demo_services, undo_stack)
    qtbot.addWidget(widget)
    return widget


def records(tab: FinancesTab) -> list[FinanceEntry]:
    return [tab.model.record_at(row) for row in range(tab.model.rowCount())]


def row_of(tab: FinancesTab, year: int, category: str, kind: FinanceKind) -> int:
    keys = [(r.fiscal_year, r.category, r.kind) for r in records(tab)]
    return keys.index((year, category, kind))


def cell(tab: FinancesTab, row: int, key: str, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
    return tab.model.index(row, tab.model.columns.index(tab.spec.column(key))).data(role)


def summary_rows(tab: FinancesTab) -> list[list[str]]:
    model = tab.summary_model
    return [
        [model.index(row, column).data() for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def summary_row(tab: FinancesTab, category: str, currency: str = "CNY") -> list[str]:
    return next(r for r in summary_rows(tab) if r[:2] == [category, currency])


def choose(combo: Any, value: Any) -> None:
    index = combo.findData(value)
    assert index >= 0, f"{value!r} is not offered"
    combo.setCurrentIndex(index)


def add_entry(services: Services, kind: FinanceKind, amount: str, category: str, **kw: Any) -> Any:
    data = FinanceEntryData(
        fiscal_year=kw.pop("year", 2021),
        category=category,
        kind=kind,
        amount=Decimal(amount),
        **kw,
    )
    return services.finances.create(data)


def test_the_models_pass_qt_model_tests(tab: FinancesTab, qtmodeltester: Any) -> None:
    qtmodeltester.check(tab.model, force_py=True)
    qtmodeltester.check(tab.summary_model, force_py=True)


def test_opens_newest_year_first_with_exact_right_aligned_amounts(tab: FinancesTab) -> None:
    assert tab.model.rowCount() == 19
    headers = [tab.model.headerData(s, Qt.Orientation.Horizontal) for s in range(8)]
    assert headers == [
        "Year",
        "Category",
        "Kind",
        "Amount",
        "Currency",
        "Funding source",
        "Date",
        "Description",
    ]
    listed = [(r.fiscal_year, r.category) for r in records(tab)]
    assert listed == sorted(listed, key=lambda key: (-key[0], key[1]))
    assert listed[0] == (2022, "Meetings and workshops")
    row = row_of(tab, 2021, "Scholarships", SPENT)
    assert cell(tab, row, "amount") == "30,000,000.00"
    assert cell(tab, row, "amount", Qt.ItemDataRole.TextAlignmentRole) == RIGHT
    assert cell(tab, row, "category", Qt.ItemDataRole.TextAlignmentRole) != RIGHT
    assert cell(tab, row, "kind") == "Expenditure"
    assert tab.model.headerData(3, Qt.Orientation.Horizontal, Qt.ItemDataRole.TextAlignmentRole)
    publications = row_of(tab, 2022, "Publications", BUDGET)
    assert cell(tab, publications, "amount") == "1,200,000.00"
    assert tab.status_text() == DEMO_STATUS
    assert [tab.year.itemText(i) for i in range(tab.year.count())] == ["All years", "2022", "2021"]
    assert tab.currency.findData("CNY") == 1


def test_search_filters_as_you_type_and_the_totals_follow(qtbot: Any, tab: FinancesTab) -> None:
    statuses: list[str] = []
    tab.status_changed.connect(statuses.append)
    qtbot.keyClicks(tab.search, "endowment")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=2000)
    assert records(tab)[0].category == "STIC Endowment earnings"
    qtbot.waitUntil(
        lambda: bool(statuses) and statuses[-1] == "1 entry · Income CNY 2,000,000.00", timeout=2000
    )
    qtbot.keyClicks(tab.search, "x")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 0, timeout=2000)
    assert tab.stack.currentWidget() is tab.empty_label
    assert "Ctrl+Shift+L" in tab.empty_label.text()
    qtbot.waitUntil(lambda: bool(statuses) and statuses[-1] == "0 entries", timeout=2000)
    tab.clear_filters()
    assert tab.model.rowCount() == 19
    # The totals come just after the rows have painted.
    qtbot.waitUntil(lambda: statuses[-1] == DEMO_STATUS, timeout=2000)


def test_each_filter(tab: FinancesTab, demo_services: Services, answers: dict[str, Any]) -> None:
    choose(tab.year, 2022)
    assert {r.fiscal_year for r in records(tab)} == {2022}
    assert tab.model.rowCount() == 6
    assert tab.status_text() == "6 entries · Budget CNY 70,200,000.00"
    tab.clear_filters()

    choose(tab.kind, SPENT.value)
    assert tab.model.rowCount() == 6
    assert {r.kind for r in records(tab)} == {SPENT}
    assert tab.status_text() == "6 entries · Expenditure CNY 56,000,000.00"
    tab.clear_filters()

    choose(tab.category, "Scholarships")
    assert sorted((r.fiscal_year, r.kind.value) for r in records(tab)) == [
        (2021, "budget"),
        (2021, "expenditure"),
        (2022, "budget"),
    ]
    tab.clear_filters()

    assert tab.currency.findData("USD") == -1  # nothing in dollars yet
    add_entry(demo_services, SPENT, "15000.00", "Training", currency="USD")
    tab.refresh()
    choose(tab.currency, "USD")
    assert [(r.category, r.amount) for r in records(tab)] == [("Training", Decimal("15000.00"))]
    assert tab.status_text() == "1 entry · Expenditure USD 15,000.00"
    tab.clear_filters()

    add_entry(demo_services, SPENT, "800.00", "Publications", year=2019)
    tab.refresh()
    choose(tab.year, 2019)
    assert tab.model.rowCount() == 1
    tab.view.selectRow(0)
    tab.delete_selected()
    assert tab.model.rowCount() == 0
    assert tab.year.currentData() == 2019  # the combo still says what the grid shows
    assert tab.empty_label.text() == "No finance entries for 2019 — press Ctrl+N to add one."
    choose(tab.kind, BUDGET.value)
    assert (
        tab.empty_label.text()
        == "No finance entries match the search and filters — press Ctrl+Shift+L to clear them."
    )
    tab.clear_filters()
    assert tab.year.findData(2019) == -1  # gone once another year is chosen


def test_sorting_by_clicking_headers(tab: FinancesTab) -> None:
    amount = tab.model.columns.index(tab.spec.column("amount"))
    tab.view.sortByColumn(amount, Qt.SortOrder.DescendingOrder)
    amounts = [r.amount for r in records(tab)]
    assert amounts == sorted(amounts, reverse=True)
    assert amounts[0] == Decimal("35000000.00")
    assert tab.model.query.sort == "amount"


def test_add_an_entry_typed_with_thousands_separators(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, tab: FinancesTab, undo_stack: QUndoStack
) -> None:
    opened: list[FinanceEntryDialog] = []

    def fill(dialog: FinanceEntryDialog) -> None:
        assert dialog.year.value() == date.today().year  # a new entry is for this year
        assert dialog.currency.currentText() == "CNY"
        dialog.year.setValue(2021)
        qtbot.keyClicks(dialog.category, "Publications")
        dialog.kind.set_value(SPENT)
        qtbot.keyClicks(dialog.amount, "1,234.56")
        dialog.entry_date.set_value(date(2021, 11, 30))
        dialog.description.setPlainText("Printing of the 2021 annual report")

    drive_dialog(monkeypatch, FinanceEntryDialog, fill, opened)
    tab.new_record()
    assert opened[0].error_text("amount") == ""
    assert tab.model.rowCount() == 20
    created = tab.selected_records()[0]
    assert created.amount == Decimal("1234.56")
    assert isinstance(created.amount, Decimal)
    row = tab.model.row_of(created.id)
    assert row is not None
    assert cell(tab, row, "amount") == "1,234.56"
    assert cell(tab, row, "amount", Qt.ItemDataRole.TextAlignmentRole) == RIGHT
    assert cell(tab, row, "entry_date") == "30 Nov 2021"
    assert tab.status_text() == (
        "20 entries · Budget CNY 132,900,000.00 · Expenditure CNY 56,001,234.56 "
        "· Income CNY 2,000,000.00"
    )
    assert undo_stack.undoText() == (
        "Add finance entry “Publications, 2021 expenditure, CNY 1,234.56”"
    )
    undo_stack.undo()
    assert tab.model.rowCount() == 19
    assert tab.status_text() == DEMO_STATUS
    undo_stack.redo()
    assert tab.model.rowCount() == 20


def test_a_refused_field_is_marked_inline_and_the_dialog_stays(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, tab: FinancesTab, demo_services: Services
) -> None:
    opened: list[FinanceEntryDialog] = []

    def fill(dialog: FinanceEntryDialog) -> None:
        dialog.kind.set_value(SPENT)
        qtbot.keyClicks(dialog.amount, "250.00")
        dialog.currency.lineEdit().clear()
        qtbot.keyClicks(dialog.currency.lineEdit(), "xyz")

    drive_dialog(monkeypatch, FinanceEntryDialog, fill, opened)
    tab.new_record()
    dialog = opened[0]
    assert dialog.result() != dialog.DialogCode.Accepted
    assert dialog.error_text("category") == "Category is required"
    assert "'XYZ' is not an ISO 4217 currency code" in dialog.error_text("currency")
    assert dialog.error_text("amount") == ""
    assert demo_services.finances.count() == 19
    assert tab.model.rowCount() == 19
    dialog.category.setText("Training")
    dialog.currency.setCurrentText("usd")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.error_text("currency") == ""
    assert dialog.saved is not None
    assert (dialog.saved.currency, dialog.saved.amount) == ("USD", Decimal("250.00"))


def test_the_amount_field_refuses_a_third_decimal(qtbot: Any, demo_services: Services) -> None:
    dialog = FinanceEntryDialog(demo_services)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.amount, "12.345")
    assert dialog.amount.text() == "12.34"
    assert dialog.amount.value() == Decimal("12.34")


def test_edit_and_undo_the_edit(
    monkeypatch: pytest.MonkeyPatch, tab: FinancesTab, undo_stack: QUndoStack
) -> None:
    tab.view.selectRow(row_of(tab, 2021, "Training", SPENT))

    def fill(dialog: FinanceEntryDialog) -> None:
        assert dialog.windowTitle() == "Edit finance entry"
        assert dialog.amount.text() == "4,000,000.00"
        assert dialog.year.value() == 2021
        dialog.amount.setText("4,500,000.05")
        dialog.funding_source.setText("CAS")

    drive_dialog(monkeypatch, FinanceEntryDialog, fill)
    tab.edit_selected()
    edited = tab.selected_records()[0]
    assert (edited.amount, edited.funding_source) == (Decimal("4500000.05"), "CAS")
    row = tab.model.row_of(edited.id)
    assert row is not None
    assert cell(tab, row, "amount") == "4,500,000.05"
    assert "Expenditure CNY 56,500,000.05" in tab.status_text()
    undo_stack.undo()
    restored = tab.selected_records()[0]
    assert (restored.amount, restored.funding_source) == (Decimal("4000000.00"), None)
    assert tab.status_text() == DEMO_STATUS


def test_a_stale_edit_offers_to_reload(
    monkeypatch: pytest.MonkeyPatch,
    tab: FinancesTab,
    demo_services: Services,
    answers: dict[str, Any],
) -> None:
    tab.view.selectRow(row_of(tab, 2021, "Publications", BUDGET))
    opened: list[FinanceEntryDialog] = []

    def fill(dialog: FinanceEntryDialog) -> None:
        # Meanwhile a colleague on another desktop corrects the same budget line.
        record = dialog.record
        assert record is not None
        demo_services.finances.update(
            record.id,
            record.version,
            replace(FinanceEntryData.from_record(record), amount=Decimal("1250000.00")),
        )
        dialog.amount.setText("1,300,000.00")

    drive_dialog(monkeypatch, FinanceEntryDialog, fill, opened)
    tab.edit_selected()
    assert answers["seen"][0][0] == "conflict"
    assert "changed by someone else" in answers["seen"][0][1]
    assert opened[0].amount.text() == "1,250,000.00"  # reloaded, nothing overwritten
    assert opened[0].result() != opened[0].DialogCode.Accepted
    assert demo_services.finances.get(opened[0].record.id).amount == Decimal("1250000.00")


def test_delete_asks_and_can_be_undone(
    tab: FinancesTab, undo_stack: QUndoStack, answers: dict[str, Any], demo_services: Services
) -> None:
    choose(tab.year, 2021)
    tab.view.selectRow(row_of(tab, 2021, "STIC Endowment earnings", INCOME))
    answers["confirm"] = False
    tab.delete_selected()
    assert tab.model.rowCount() == 13
    answers["confirm"] = True
    tab.delete_selected()
    assert tab.model.rowCount() == 12
    assert "STIC Endowment earnings, 2021 income, CNY 2,000,000.00" in answers["seen"][-1][1]
    assert "Income" not in tab.status_text()
    undo_stack.undo()
    assert tab.model.rowCount() == 13
    restored = next(
        r for r in demo_services.finances.list().rows if r.category == "STIC Endowment earnings"
    )
    assert (restored.amount, restored.funding_source) == (Decimal("2000000.00"), "STIC Endowment")
    assert restored.fund is not None and restored.fund.name == "STIC Endowment"
    assert "Income CNY 2,000,000.00" in tab.status_text()


def test_the_summary_shows_the_years_budget_against_actual(
    tab: FinancesTab, demo_services: Services
) -> None:
    # With All years, the latest year is summarised; 2022 has a budget and nothing spent yet.
    assert tab.summary_caption.text() == "2022 budget against actual (CNY)"
    assert summary_row(tab, "Scholarships") == [
        "Scholarships",
        "CNY",
        "35,000,000.00",
        "0.00",
        "35,000,000.00",
        "0.00%",
    ]
    choose(tab.year, 2021)
    assert tab.summary_caption.text() == "2021 budget against actual (CNY)"
    # The Scholarships line, worked out here from the entries themselves.
    entries = [
        e
        for e in demo_services.finances.list().rows
        if (e.fiscal_year, e.category, e.currency) == (2021, "Scholarships", "CNY")
    ]
    budget = sum((e.amount for e in entries if e.kind is BUDGET), Decimal("0"))
    actual = sum((e.amount for e in entries if e.kind is SPENT), Decimal("0"))
    assert (budget, actual) == (Decimal("32000000.00"), Decimal("30000000.00"))
    percent = (actual * 100 / budget).quantize(Decimal("0.01"))
    assert summary_row(tab, "Scholarships") == [
        "Scholarships",
        "CNY",
        f"{budget:,.2f}",
        f"{actual:,.2f}",
        f"{budget - actual:,.2f}",
        f"{percent}%",
    ]
    assert summary_row(tab, "Scholarships")[2:] == [
        "32,000,000.00",
        "30,000,000.00",
        "2,000,000.00",
        "93.75%",
    ]
    rows = summary_rows(tab)
    assert [r[0] for r in rows] == [
        "Meetings and workshops",
        "Publications",
        "Research cooperation",
        "Scholarships",
        "Secretariat operations",
        "Training",
        "Total CNY",
    ]  # income is not budget against actual
    assert rows[-1] == [
        "Total CNY",
        "CNY",
        "62,700,000.00",
        "56,000,000.00",
        "6,700,000.00",
        "89.31%",
    ]
    total = tab.summary_model.index(len(rows) - 1, 0)
    assert total.data(Qt.ItemDataRole.FontRole).bold()
    assert tab.summary_model.index(0, 2).data(Qt.ItemDataRole.TextAlignmentRole) == RIGHT
    assert tab.summary_model.index(0, 2).data(Qt.ItemDataRole.ForegroundRole) is None


def test_the_summary_follows_every_change_and_marks_over_budget_lines(
    monkeypatch: pytest.MonkeyPatch,
    qtbot: Any,
    tab: FinancesTab,
    undo_stack: QUndoStack,
    answers: dict[str, Any],
) -> None:
    choose(tab.year, 2021)

    def fill(dialog: FinanceEntryDialog) -> None:
        dialog.year.setValue(2021)
        dialog.category.setText("Training")
        dialog.kind.set_value(SPENT)
        qtbot.keyClicks(dialog.amount, "2,000,000.01")

    drive_dialog(monkeypatch, FinanceEntryDialog, fill)
    tab.new_record()
    assert summary_row(tab, "Training")[2:] == [
        "6,000,000.00",
        "6,000,000.01",
        "-0.01",
        "100.00%",
    ]
    row = [r[0] for r in summary_rows(tab)].index("Training")
    assert tab.summary_model.index(row, 4).data(Qt.ItemDataRole.ForegroundRole) == OVER_BUDGET
    assert "over budget by CNY 0.01" in tab.summary_model.index(row, 0).data(
        Qt.ItemDataRole.ToolTipRole
    )
    assert tab.summary_hint.text().startswith("1 line is over budget (in red).")
    undo_stack.undo()
    assert summary_row(tab, "Training")[3:] == ["4,000,000.00", "2,000,000.00", "66.67%"]
    assert tab.summary_model.index(row, 4).data(Qt.ItemDataRole.ForegroundRole) is None
    assert "over budget" not in tab.summary_hint.text()

    tab.view.selectRow(row_of(tab, 2021, "Training", SPENT))
    tab.delete_selected()
    assert summary_row(tab, "Training")[3:] == ["0.00", "6,000,000.00", "0.00%"]
    undo_stack.undo()
    assert summary_row(tab, "Training")[3] == "4,000,000.00"


def test_a_dollar_entry_keeps_to_its_own_currency(
    monkeypatch: pytest.MonkeyPatch, tab: FinancesTab
) -> None:
    choose(tab.year, 2021)
    cny_before = summary_row(tab, "Scholarships")
    cny_total_before = summary_row(tab, "Total CNY")

    def fill(dialog: FinanceEntryDialog) -> None:
        dialog.year.setValue(2021)
        dialog.category.setText("Scholarships")
        dialog.kind.set_value(SPENT)
        dialog.amount.setText("45,000.50")
        dialog.currency.setCurrentText("USD")

    drive_dialog(monkeypatch, FinanceEntryDialog, fill)
    tab.new_record()
    assert tab.status_text() == (
        "14 entries · Budget CNY 62,700,000.00 · Expenditure CNY 56,000,000.00; USD 45,000.50 "
        "· Income CNY 2,000,000.00"
    )
    assert summary_row(tab, "Scholarships") == cny_before
    assert summary_row(tab, "Total CNY") == cny_total_before
    assert summary_row(tab, "Scholarships", "USD") == [
        "Scholarships",
        "USD",
        "0.00",
        "45,000.50",
        "-45,000.50",
        "—",
    ]
    assert summary_rows(tab)[-1] == ["Total USD", "USD", "0.00", "45,000.50", "-45,000.50", "—"]
    assert tab.summary_caption.text() == "2021 budget against actual (CNY, USD)"
    usd_row = len(summary_rows(tab)) - 2
    assert "with no budget" in tab.summary_model.index(usd_row, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert tab.currency.findData("USD") > 0  # the new currency is offered as a filter


def test_double_clicking_a_summary_line_lists_its_entries(tab: FinancesTab) -> None:
    choose(tab.year, 2021)
    row = [r[0] for r in summary_rows(tab)].index("Publications")
    tab.summary_view.activated.emit(tab.summary_model.index(row, 0))
    assert (tab.year.currentData(), tab.category.currentData(), tab.currency.currentData()) == (
        2021,
        "Publications",
        "CNY",
    )
    assert sorted(r.kind.value for r in records(tab)) == ["budget", "expenditure"]
    assert tab.status_text() == (
        "2 entries · Budget CNY 1,200,000.00 · Expenditure CNY 1,000,000.00"
    )
    total = tab.summary_model.rowCount() - 1
    tab.summary_view.activated.emit(tab.summary_model.index(total, 0))  # a total: nothing to list
    assert tab.model.rowCount() == 2


def test_a_fund_brings_its_currency_and_name(qtbot: Any, demo_services: Services) -> None:
    dialog = FinanceEntryDialog(demo_services)
    qtbot.addWidget(dialog)
    assert dialog.fund.itemText(0) == "Not charged to a fund"
    assert dialog.fund.currentData() is None
    dialog.currency.setCurrentText("USD")
    index = dialog.fund.findText("STIC Endowment (CNY)")
    dialog.fund.setCurrentIndex(index)
    dialog.fund.activated.emit(index)
    assert dialog.currency.currentText() == "CNY"
    assert dialog.funding_source.text() == "STIC Endowment"
    assert dialog.collect().fund_id == demo_services.funds.list().rows[0].id


def test_empty_database_says_what_to_do(
    qtbot: Any, empty_services: Services, undo_stack: QUndoStack
) -> None:
    tab = FinancesTab(empty_services, undo_stack)
    qtbot.addWidget(tab)
    assert tab.stack.currentWidget() is tab.empty_label
    assert tab.empty_label.text() == "No finance entries yet — press Ctrl+N to add one."
    assert tab.status_text() == "0 entries"
    assert tab.summary_model.rowCount() == 0
    assert tab.summary_view.isHidden()
    assert "Add budget and expenditure entries" in tab.summary_hint.text()
    add_entry(empty_services, INCOME, "2000000.00", "STIC Endowment earnings")
    tab.refresh()
    assert tab.summary_view.isHidden()
    assert tab.summary_hint.text() == "No budget or expenditure entries for 2021."


def test_the_summary_height_is_remembered(
    qtbot: Any, tab: FinancesTab, demo_services: Services, settings: QSettings
) -> None:
    tab.resize(1200, 800)
    tab.summary_splitter.setSizes([600, 200])
    tab.save_state(settings)
    again = FinancesTab(demo_services, QUndoStack())
    qtbot.addWidget(again)
    again.resize(1200, 800)
    again.restore_state(settings)
    assert again.summary_splitter.saveState() == tab.summary_splitter.saveState()


def test_the_charts_follow_the_filters_and_save_as_png(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    tab = next(t for t in window.record_tabs() if isinstance(t, FinancesTab))
    window.tabs.setCurrentWidget(tab)
    tab.year.setCurrentIndex(tab.year.findData(2021))
    tab.lower_tabs.setCurrentWidget(tab.chart_pane)
    pane = tab.chart_pane
    titles = [pane.chooser.itemText(i) for i in range(pane.chooser.count())]
    assert titles == [
        "2021 budget against actual (CNY)",
        "2021 expenditure by category (CNY)",
        "STIC Endowment: balance over time (CNY)",
    ]
    summary = window.services.finances.budget_vs_actual(2021)
    (series,) = pane.view.chart().series()
    budget = next(s for s in series.barSets() if s.label() == "Budget")
    # In millions, bottom up: the table's last category is the lowest bar.
    expected = [float(line.budget) / 1_000_000 for line in reversed(summary.lines)]
    assert [budget.at(i) for i in range(budget.count())] == pytest.approx(expected)

    pane.chooser.setCurrentIndex(1)
    assert pane.view.chart().title() == "2021 expenditure by category (CNY)"
    tab.year.setCurrentIndex(tab.year.findData(2022))  # a plan: nothing spent yet, one chart
    assert [pane.chooser.itemText(i) for i in range(pane.chooser.count())] == [
        "2022 budget against actual (CNY)",
        "STIC Endowment: balance over time (CNY)",
    ]
    tab.year.setCurrentIndex(tab.year.findData(2021))
    tab.kind.setCurrentIndex(tab.kind.findData(FinanceKind.BUDGET.value))
    pane.chooser.setCurrentIndex(1)
    tab.kind.setCurrentIndex(0)
    assert pane.chooser.currentText() == "2021 expenditure by category (CNY)"  # same kind kept

    target = tmp_path / "expenditure.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    pane.save_button.click()
    assert QImage(str(target)).width() == 1800
