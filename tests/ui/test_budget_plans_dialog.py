"""The Budget plans dialog, driven as a secretary would: a draft started from 2021 expenditure,
edited and saved to the cent, refused amounts shown on their cells, approval making it read-only,
new revisions, deletion, totals that never mix currencies, unsaved edits and stale edits."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QLineEdit, QWidget

from anso_desktop.domain import BudgetPlanStatus, FinanceKind
from anso_desktop.services import Services
from anso_desktop.services.base import ListQuery
from anso_desktop.services.budget_plans import BudgetPlanLineData
from anso_desktop.services.finances import FinanceEntryData
from anso_desktop.storage.models import BudgetPlan
from anso_desktop.tables.formatting import format_date
from anso_desktop.ui.dialogs.budget_plans import (
    AMOUNT,
    CATEGORY,
    CURRENCY,
    EMPTY_TEXT,
    INVALID_BACKGROUND,
    NOTE,
    BudgetPlansDialog,
    NewDraftDialog,
)

SPENT, BUDGET = FinanceKind.EXPENDITURE, FinanceKind.BUDGET
DEMO_LINES = [
    ("Meetings and workshops", "CNY", "3,000,000.00", ""),
    ("Publications", "CNY", "1,000,000.00", ""),
    ("Research cooperation", "CNY", "12,000,000.00", ""),
    ("Scholarships", "CNY", "30,000,000.00", ""),
    ("Secretariat operations", "CNY", "6,000,000.00", ""),
    ("Training", "CNY", "4,000,000.00", ""),
]


@pytest.fixture(autouse=True)
def no_message_boxes(answers: dict[str, Any]) -> dict[str, Any]:
    """Every box answered, even a question asked while pytest-qt closes a dialog left edited."""
    return answers


@pytest.fixture
def demo_plan(demo_services: Services) -> BudgetPlan:
    """The demo's draft 2022 plan, started from 2021 expenditure."""
    (plan,) = demo_services.budget_plans.for_year(2022)
    return plan


def open_dialog(qtbot: Any, services: Services, *, shown: bool = False) -> BudgetPlansDialog:
    dialog = BudgetPlansDialog(services)
    qtbot.addWidget(dialog)
    if shown:
        dialog.show()
        qtbot.waitExposed(dialog)
        activate(qtbot, dialog)
    return dialog


def activate(qtbot: Any, dialog: BudgetPlansDialog) -> None:
    """Bring the window to the front (a completer's popup may have taken it offscreen), so its
    keyboard shortcuts answer."""
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)


@pytest.fixture
def dialog(qtbot: Any, demo_services: Services) -> BudgetPlansDialog:
    return open_dialog(qtbot, demo_services)


def row_of(dialog: BudgetPlansDialog, category: str, currency: str = "CNY") -> int:
    keys = [(line[CATEGORY], line[CURRENCY]) for line in dialog.grid_lines()]
    return keys.index((category, currency))


def type_in(dialog: BudgetPlansDialog, row: int, column: int, text: str) -> None:
    """What the cell's editor commits when the secretary presses Enter."""
    dialog.table.item(row, column).setText(text)


def open_editor(dialog: BudgetPlansDialog) -> QWidget:
    """The cell editor open in the grid (offscreen windows get no focus to ask)."""
    viewport = dialog.table.viewport()
    editors = [
        widget
        for widget in viewport.findChildren(QWidget)
        if widget.parentWidget() is viewport and widget.isVisible()
    ]
    assert len(editors) == 1, editors
    return editors[0]


def saved_lines(services: Services, plan_id: int) -> list[tuple[str, str, Decimal, str | None]]:
    plan = services.budget_plans.get(plan_id)
    return [(line.category, line.currency, line.amount, line.note) for line in plan.lines]


def start_draft_through_form(
    monkeypatch: pytest.MonkeyPatch,
    year: int,
    source_year: int | None,
    source: FinanceKind | None,
    forms: list[NewDraftDialog] | None = None,
) -> None:
    """Make "New draft…" fill the real form and press Start draft, without its modal loop."""

    def ask(cls: type[NewDraftDialog], parent: Any, services: Services) -> BudgetPlan | None:
        form = cls(services, parent)
        if forms is not None:
            forms.append(form)
        form.choose(year, source_year, source)
        form.accept()
        return form.created if form.result() == form.DialogCode.Accepted else None

    monkeypatch.setattr(NewDraftDialog, "ask", classmethod(ask))


# --- opening -------------------------------------------------------------------------------------


def test_opens_on_the_latest_plan_with_its_lines_totals_and_notes(
    dialog: BudgetPlansDialog, demo_plan: BudgetPlan
) -> None:
    assert dialog.plan is not None and dialog.plan.id == demo_plan.id
    assert dialog.pages.currentIndex() == 1
    item = dialog.plan_list.topLevelItem(0)
    assert [item.text(c) for c in range(4)] == ["2022", "revision 1", "Draft", "2021 expenditure"]
    assert dialog.header.text() == (
        "2022 budget plan, revision 1 — Draft, based on 2021 expenditure"
    )
    assert dialog.grid_lines() == DEMO_LINES
    assert dialog.table.item(0, AMOUNT).textAlignment() & Qt.AlignmentFlag.AlignRight
    assert not dialog.table.item(0, CATEGORY).textAlignment() & Qt.AlignmentFlag.AlignRight
    assert dialog.totals() == {"CNY": Decimal("56000000.00")}
    assert dialog.totals_label.text() == "Total\tCNY 56,000,000.00"
    assert dialog.notes.toPlainText() == demo_plan.notes
    assert not dialog.is_dirty()
    assert not dialog.save_button.isEnabled()  # nothing to save yet
    assert dialog.approve_button.isEnabled()
    assert dialog.delete_button.isEnabled()
    assert dialog.error_text() == ""


def test_newest_year_and_revision_come_first(
    qtbot: Any, demo_services: Services, demo_plan: BudgetPlan
) -> None:
    plans = demo_services.budget_plans
    older = plans.start_draft(2021, 2021, BUDGET)
    second = plans.new_revision(demo_plan.id)
    dialog = open_dialog(qtbot, demo_services)
    assert dialog.plan_ids() == [second.id, demo_plan.id, older.id]
    assert dialog.plan is not None and dialog.plan.id == second.id
    assert dialog.plan_list.topLevelItem(0).text(3) == "2022 plan, revision 1"


def test_empty_state_offers_a_new_draft(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, empty_services: Services
) -> None:
    dialog = open_dialog(qtbot, empty_services)
    assert dialog.plan is None
    assert dialog.pages.currentIndex() == 0
    assert dialog.empty_label.text() == EMPTY_TEXT
    assert dialog.plan_list.topLevelItemCount() == 0
    for button in (dialog.save_button, dialog.approve_button, dialog.new_revision_button):
        assert not button.isEnabled()
    assert dialog.save_button.isHidden() and dialog.approve_button.isHidden()
    assert dialog.new_draft_button.isEnabled() and dialog.empty_button.isEnabled()

    # With no finance entries, the form can only start an empty plan.
    forms: list[NewDraftDialog] = []
    start_draft_through_form(monkeypatch, 2023, None, None, forms)
    dialog.empty_button.click()
    assert not forms[0].expenditure_radio.isEnabled() and not forms[0].budget_radio.isEnabled()
    assert "no finance entries yet" in forms[0].source_hint.text()
    assert dialog.pages.currentIndex() == 1
    assert dialog.header.text() == "2023 budget plan, revision 1 — Draft"
    assert dialog.grid_lines() == []
    assert dialog.totals_label.text() == "Total: nothing yet"
    assert not dialog.approve_button.isEnabled()  # nothing to approve


# --- starting a draft ----------------------------------------------------------------------------


def test_new_draft_from_2021_expenditure_holds_the_years_sums(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, dialog: BudgetPlansDialog, demo_services: Services
) -> None:
    # A second currency and a second entry in one category: summed per category and currency.
    for amount, category, currency in (
        ("1500.25", "Training", "CNY"),
        ("2000.00", "Training", "USD"),
    ):
        demo_services.finances.create(
            FinanceEntryData(2021, category, SPENT, Decimal(amount), currency)
        )
    expected: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for entry in demo_services.finances.list(
        ListQuery(filters={"year": 2021, "kind": SPENT.value})
    ).rows:
        expected[entry.category, entry.currency] += entry.amount

    forms: list[NewDraftDialog] = []
    start_draft_through_form(monkeypatch, 2023, 2021, SPENT, forms)
    dialog.new_draft_button.click()

    form = forms[0]
    assert form.year.value() == 2023
    assert dialog.plan is not None and dialog.plan.fiscal_year == 2023
    assert dialog.header.text() == (
        "2023 budget plan, revision 1 — Draft, based on 2021 expenditure"
    )
    grid = {(c, cur): Decimal(a.replace(",", "")) for c, cur, a, _n in dialog.grid_lines()}
    assert grid == dict(expected)
    assert grid["Training", "CNY"] == Decimal("4001500.25")
    saved = {(c, cur): a for c, cur, a, _n in saved_lines(demo_services, dialog.plan.id)}
    assert saved == grid
    assert dialog.plan_ids()[0] == dialog.plan.id  # listed first, and chosen
    assert dialog.plan_list.currentItem().text(0) == "2023"
    assert dialog.totals() == {"CNY": Decimal("56001500.25"), "USD": Decimal("2000.00")}
    assert "Draft started with 7 lines" in dialog.notice.text()


def test_new_draft_form_defaults_and_refusals(
    qtbot: Any, demo_services: Services, demo_plan: BudgetPlan
) -> None:
    form = NewDraftDialog(demo_services)
    qtbot.addWidget(form)
    assert form.year.value() == date.today().year + 1
    # The latest year with entries is 2022, which has a budget but no expenditure yet.
    assert form.source_year.currentData() == 2022
    assert not form.expenditure_radio.isEnabled()
    assert form.source() is BUDGET
    assert "2022 has no expenditure entries" in form.source_hint.text()
    form.source_year.setCurrentIndex(form.source_year.findData(2021))
    assert form.expenditure_radio.isEnabled() and form.budget_radio.isEnabled()

    form.year.setValue(2022)
    assert form.year_hint.text() == "2022 already has a plan; this draft will be revision 2."

    form.choose(1800, 2021, SPENT)  # the spin box keeps the year plausible
    assert form.year.value() == 1900
    # A source the service refuses (the entries went since the form opened): said in the form.
    for entry in demo_services.finances.list(
        ListQuery(filters={"year": 2021, "kind": SPENT.value})
    ).rows:
        demo_services.finances.delete(entry.id, entry.version)
    form.choose(2024, 2021, SPENT)
    form.accept()
    assert form.created is None
    assert form.result() != form.DialogCode.Accepted
    assert form.error.text() == "There is no 2021 expenditure to start the plan from"
    assert demo_services.budget_plans.for_year(2024) == []


# --- editing -------------------------------------------------------------------------------------


def test_edit_add_and_remove_lines_then_save_to_the_database(
    qtbot: Any, demo_services: Services, demo_plan: BudgetPlan
) -> None:
    dialog = open_dialog(qtbot, demo_services, shown=True)
    changes: list[bool] = []
    dialog.plans_changed.connect(lambda: changes.append(True))

    # An amount typed through the cell's own editor, with separators and one decimal.
    scholarships = row_of(dialog, "Scholarships")
    dialog.table.setCurrentCell(scholarships, AMOUNT)
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_F2)
    editor = open_editor(dialog)
    assert isinstance(editor, QLineEdit)
    assert editor.text() == "30,000,000.00"
    editor.selectAll()
    qtbot.keyClicks(editor, "31,500,000.5")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # Qt commits on the next turn of the loop
    qtbot.waitUntil(lambda: dialog.cell_text(scholarships, AMOUNT) == "31,500,000.50")
    assert dialog.is_dirty() and dialog.save_button.isEnabled()
    assert dialog.unsaved_label.isVisible()
    assert dialog.totals() == {"CNY": Decimal("57500000.50")}

    type_in(dialog, row_of(dialog, "Publications"), CATEGORY, "Publications  and outreach")
    type_in(dialog, row_of(dialog, "Publications and outreach"), NOTE, "Two journals")

    # Ins adds a line and starts typing its category; Tab moves on cell by cell.
    new_row = dialog.table.rowCount()
    qtbot.keyClick(dialog, Qt.Key.Key_Insert)
    assert dialog.table.rowCount() == new_row + 1
    assert dialog.cell_text(new_row, CURRENCY) == "CNY"  # the plan's usual currency
    qtbot.keyClicks(open_editor(dialog), "Travel grants")
    qtbot.keyClick(open_editor(dialog), Qt.Key.Key_Tab)  # to the currency
    assert isinstance(open_editor(dialog), QComboBox)
    qtbot.keyClick(open_editor(dialog), Qt.Key.Key_Tab)  # to the amount
    assert (dialog.table.currentRow(), dialog.table.currentColumn()) == (new_row, AMOUNT)
    qtbot.keyClicks(open_editor(dialog), "1234.5")
    qtbot.keyClick(open_editor(dialog), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.cell_text(new_row, AMOUNT) == "1,234.50")
    type_in(dialog, new_row, CURRENCY, "usd")
    assert dialog.grid_lines()[new_row] == ("Travel grants", "USD", "1,234.50", "")

    # Del removes the chosen line.

    activate(qtbot, dialog)
    dialog.table.setCurrentCell(row_of(dialog, "Training"), CATEGORY)
    dialog.table.setFocus()
    qtbot.waitUntil(dialog.table.hasFocus, timeout=2000)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
    assert "Training" not in [line[CATEGORY] for line in dialog.grid_lines()]

    dialog.notes.setPlainText("For the Board's meeting of 20 December")
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    assert dialog.error_text() == ""
    assert saved_lines(demo_services, demo_plan.id) == [
        ("Meetings and workshops", "CNY", Decimal("3000000.00"), None),
        ("Publications and outreach", "CNY", Decimal("1000000.00"), "Two journals"),
        ("Research cooperation", "CNY", Decimal("12000000.00"), None),
        ("Scholarships", "CNY", Decimal("31500000.50"), None),
        ("Secretariat operations", "CNY", Decimal("6000000.00"), None),
        ("Travel grants", "USD", Decimal("1234.50"), None),
    ]
    saved = demo_services.budget_plans.get(demo_plan.id)
    assert saved.notes == "For the Board's meeting of 20 December"
    assert saved.status is BudgetPlanStatus.DRAFT
    assert not dialog.is_dirty()
    assert not dialog.save_button.isEnabled() and not dialog.unsaved_label.isVisible()
    assert dialog.notice.text() == "Saved 6 lines."
    assert changes == [True]
    assert "Publications and outreach" in dialog.delegate.categories  # suggested from now on


def test_ctrl_s_while_a_cell_is_being_typed_saves_what_was_typed(
    qtbot: Any, demo_services: Services, demo_plan: BudgetPlan
) -> None:
    dialog = open_dialog(qtbot, demo_services, shown=True)
    dialog.table.setCurrentCell(0, NOTE)
    qtbot.keyClick(dialog.table, Qt.Key.Key_F2)
    qtbot.keyClicks(open_editor(dialog), "Annual meeting in Beijing")
    activate(qtbot, dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert saved_lines(demo_services, demo_plan.id)[0] == (
        "Meetings and workshops",
        "CNY",
        Decimal("3000000.00"),
        "Annual meeting in Beijing",
    )
    assert not dialog.is_dirty()


def test_a_blank_new_row_is_no_line(dialog: BudgetPlansDialog, demo_services: Services) -> None:
    dialog.add_line()
    type_in(dialog, dialog.table.rowCount() - 1, CURRENCY, "CNY")
    assert not dialog.is_dirty()  # nothing typed that Save would write
    dialog.add_line()
    type_in(dialog, dialog.table.rowCount() - 1, NOTE, "to do")
    assert dialog.is_dirty()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12.345", "Line 4: Amount has more than two decimals"),
        ("abc", "Line 4: 'abc' is not an amount"),
        ("-5", "Line 4: Amount cannot be negative"),
        ("", "Line 4: Amount is required"),
    ],
)
def test_a_refused_amount_is_shown_on_its_cell_and_nothing_is_saved(
    dialog: BudgetPlansDialog,
    demo_services: Services,
    demo_plan: BudgetPlan,
    typed: str,
    message: str,
) -> None:
    row = row_of(dialog, "Scholarships")
    assert row == 3
    type_in(dialog, row, AMOUNT, typed)
    type_in(dialog, row_of(dialog, "Training"), AMOUNT, "4,100,000")  # a good edit beside it
    # Said at once, on the cell, before Save.
    assert dialog.cell_error(row, AMOUNT) == message.removeprefix("Line 4: ")
    assert dialog.error_text() == message

    assert dialog.save() is False
    assert dialog.cell_error(row, AMOUNT) == message.removeprefix("Line 4: ")
    assert dialog.table.item(row, AMOUNT).background() == INVALID_BACKGROUND
    assert dialog.table.item(row, AMOUNT).toolTip() == message.removeprefix("Line 4: ")
    assert dialog.error_text() == message
    assert dialog.table.currentRow() == row  # taken to the refused cell
    assert dialog.cell_text(row, AMOUNT) == typed  # what was typed stays, to be corrected
    assert dialog.is_dirty()
    # Nothing was written: not the refused line, not the good one.
    current = demo_services.budget_plans.get(demo_plan.id)
    assert current.version == demo_plan.version
    assert saved_lines(demo_services, demo_plan.id) == [
        (c, cur, Decimal(a.replace(",", "")), None) for c, cur, a, _n in DEMO_LINES
    ]

    # Corrected, it saves and the marks go.
    type_in(dialog, row, AMOUNT, "30,000,000.10")
    assert dialog.error_text() == ""
    assert dialog.save() is True
    assert dialog.cell_error(row, AMOUNT) == ""
    assert saved_lines(demo_services, demo_plan.id)[row][2] == Decimal("30000000.10")


def test_the_services_refusals_land_on_the_right_rows(
    dialog: BudgetPlansDialog, demo_services: Services, demo_plan: BudgetPlan
) -> None:
    dialog.add_line()  # left blank: skipped, so the lines after it are numbered by the grid
    dialog.add_line()
    last = dialog.table.rowCount() - 1
    type_in(dialog, last, CATEGORY, "Scholarships")  # already a CNY line
    type_in(dialog, last, AMOUNT, "5")
    type_in(dialog, row_of(dialog, "Publications"), CURRENCY, "XYZ")
    assert dialog.save() is False
    assert (
        dialog.cell_error(last, CATEGORY) == "'Scholarships' in CNY is already a line of this plan"
    )
    publications = row_of(dialog, "Publications", "XYZ")
    assert "'XYZ' is not an ISO 4217 currency code" in dialog.cell_error(publications, CURRENCY)
    assert dialog.error_text().splitlines() == [
        f"Line {publications + 1}: {dialog.cell_error(publications, CURRENCY)}",
        f"Line {last + 1}: 'Scholarships' in CNY is already a line of this plan",
    ]
    assert demo_services.budget_plans.get(demo_plan.id).version == demo_plan.version

    # Removing the offending line takes its message with it; the rest renumber.
    dialog.table.setCurrentCell(last, CATEGORY)
    dialog.remove_line()
    assert len(dialog.error_text().splitlines()) == 1


# --- approving, revisions, deleting --------------------------------------------------------------


def test_approve_makes_the_plan_read_only(
    qtbot: Any, dialog: BudgetPlansDialog, demo_services: Services, answers: dict[str, Any]
) -> None:
    plan_id = dialog.plan.id  # type: ignore[union-attr]
    answers["confirm"] = False
    dialog.approve_button.click()
    assert answers["seen"][-1][0] == "confirm"
    assert "Approve the 2022 budget plan (revision 1)" in answers["seen"][-1][1]
    assert demo_services.budget_plans.get(plan_id).status is BudgetPlanStatus.DRAFT

    answers["confirm"] = True
    dialog.approve_button.click()
    approved = demo_services.budget_plans.get(plan_id)
    assert approved.status is BudgetPlanStatus.APPROVED
    assert approved.approved_on == date.today()
    assert dialog.status_line.text() == (
        f"Approved on {format_date(date.today())} — read-only. Make a new revision to change it."
    )
    assert dialog.header.text().startswith("2022 budget plan, revision 1 — Approved")
    assert dialog.plan_list.topLevelItem(0).text(2) == "Approved"

    table = dialog.table
    assert table.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    item = table.item(row_of(dialog, "Scholarships"), AMOUNT)
    assert not item.flags() & Qt.ItemFlag.ItemIsEditable
    assert dialog.notes.isReadOnly()
    for button in (
        dialog.save_button,
        dialog.approve_button,
        dialog.remove_line_button,
        dialog.add_line_button,
        dialog.delete_button,
    ):
        assert not button.isEnabled(), button.text()
    assert dialog.new_revision_button.isEnabled()

    # Typing over a cell, Ins, Del and Ctrl+S change nothing.
    dialog.show()
    qtbot.waitExposed(dialog)
    activate(qtbot, dialog)
    table.setCurrentItem(item)
    table.setFocus()
    qtbot.keyClicks(table, "99")
    qtbot.keyClick(table, Qt.Key.Key_F2)
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    qtbot.keyClick(dialog, Qt.Key.Key_Insert)
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.grid_lines() == DEMO_LINES
    assert not [w for w in table.viewport().findChildren(QLineEdit) if w.isVisible()]
    assert not dialog.is_dirty()
    assert demo_services.budget_plans.get(plan_id).version == approved.version


def test_approving_with_unsaved_edits_saves_them_first(
    dialog: BudgetPlansDialog, demo_services: Services, answers: dict[str, Any]
) -> None:
    plan_id = dialog.plan.id  # type: ignore[union-attr]
    type_in(dialog, row_of(dialog, "Training"), AMOUNT, "4,250,000.00")
    dialog.approve()
    assert "unsaved changes are saved first" in answers["seen"][-1][1]
    approved = demo_services.budget_plans.get(plan_id)
    assert approved.status is BudgetPlanStatus.APPROVED
    assert saved_lines(demo_services, plan_id)[-1] == (
        "Training",
        "CNY",
        Decimal("4250000.00"),
        None,
    )


def test_new_revision_is_a_draft_with_the_same_lines(
    dialog: BudgetPlansDialog, demo_services: Services, answers: dict[str, Any]
) -> None:
    first = dialog.plan
    assert first is not None
    dialog.approve()
    dialog.new_revision_button.click()
    draft = dialog.plan
    assert draft is not None and draft.id != first.id
    assert (draft.fiscal_year, draft.revision, draft.status) == (2022, 2, BudgetPlanStatus.DRAFT)
    assert dialog.plan_ids() == [draft.id, first.id]
    assert dialog.plan_list.currentItem().text(1) == "revision 2"
    assert dialog.header.text() == (
        "2022 budget plan, revision 2 — Draft, based on 2022 plan, revision 1"
    )
    assert dialog.grid_lines() == DEMO_LINES
    assert saved_lines(demo_services, draft.id) == saved_lines(demo_services, first.id)
    assert dialog.table.item(0, AMOUNT).flags() & Qt.ItemFlag.ItemIsEditable
    assert not dialog.notes.isReadOnly() and dialog.approve_button.isEnabled()
    assert dialog.notice.text().startswith("Revision 2 started from revision 1")

    # The approved one still shows read-only when chosen again.
    dialog.select_plan(first.id)
    assert dialog.table.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers


def test_delete_draft_asks_first(
    dialog: BudgetPlansDialog, demo_services: Services, answers: dict[str, Any]
) -> None:
    plan_id = dialog.plan.id  # type: ignore[union-attr]
    answers["confirm"] = False
    dialog.delete_button.click()
    assert answers["seen"] == [
        (
            "confirm",
            "Delete the draft of the 2022 budget plan (revision 1) and its 6 lines? "
            "This cannot be undone.",
        )
    ]
    assert demo_services.budget_plans.for_year(2022)[0].id == plan_id

    answers["confirm"] = True
    dialog.delete_button.click()
    assert demo_services.budget_plans.for_year(2022) == []
    assert dialog.plan is None and dialog.plan_ids() == []
    assert dialog.pages.currentIndex() == 0  # back to the empty state
    assert dialog.notice.text() == "Deleted the draft of the 2022 budget plan (revision 1)."


# --- totals --------------------------------------------------------------------------------------


def test_totals_are_per_currency_never_added_together(
    dialog: BudgetPlansDialog, demo_services: Services
) -> None:
    for category, amount in (("Travel grants", "1,000.00"), ("Visiting fellows", "234.5")):
        dialog.add_line()
        row = dialog.table.rowCount() - 1
        type_in(dialog, row, CATEGORY, category)
        type_in(dialog, row, CURRENCY, "USD")
        type_in(dialog, row, AMOUNT, amount)
    assert dialog.totals() == {"CNY": Decimal("56000000.00"), "USD": Decimal("1234.50")}
    assert dialog.totals_label.text() == "Totals\tCNY 56,000,000.00\n\tUSD 1,234.50"
    assert "56,001,234.50" not in dialog.totals_label.text()
    assert dialog.totals_hint.isHidden()

    type_in(dialog, row_of(dialog, "Visiting fellows", "USD"), AMOUNT, "abc")
    assert dialog.totals()["USD"] == Decimal("1000.00")  # a refused amount is not counted
    assert not dialog.totals_hint.isHidden()

    type_in(dialog, row_of(dialog, "Visiting fellows", "USD"), AMOUNT, "234.50")
    assert dialog.save()
    assert demo_services.budget_plans.totals(dialog.plan.id) == dialog.totals()  # type: ignore[union-attr]


# --- unsaved and stale edits ---------------------------------------------------------------------


def test_unsaved_edits_are_not_lost_silently(
    qtbot: Any, demo_services: Services, demo_plan: BudgetPlan, answers: dict[str, Any]
) -> None:
    other = demo_services.budget_plans.start_draft(2023, 2021, BUDGET)
    dialog = open_dialog(qtbot, demo_services, shown=True)
    assert dialog.plan is not None and dialog.plan.id == other.id
    dialog.select_plan(demo_plan.id)  # nothing edited: no question
    assert answers["seen"] == []
    assert dialog.plan.id == demo_plan.id

    type_in(dialog, 0, AMOUNT, "3,100,000.00")
    answers["confirm"] = False
    dialog.select_plan(other.id)
    assert answers["seen"][-1] == (
        "confirm",
        "The 2022 budget plan (revision 1) has unsaved changes. Discard them?",
    )
    assert dialog.plan.id == demo_plan.id  # stayed, edit kept
    assert dialog.plan_list.currentItem().text(0) == "2022"
    assert dialog.cell_text(0, AMOUNT) == "3,100,000.00"

    # Closing (Esc) asks too.
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    dialog.new_draft()  # so does starting another draft; declined, no form opens
    assert len(answers["seen"]) == 3

    answers["confirm"] = True
    dialog.select_plan(other.id)
    assert dialog.plan.id == other.id
    assert saved_lines(demo_services, demo_plan.id)[0][2] == Decimal("3000000.00")
    type_in(dialog, 0, NOTE, "a note")
    dialog.reject()
    assert not dialog.isVisible()
    assert len(answers["seen"]) == 5


def test_closing_without_edits_does_not_ask(
    qtbot: Any, demo_services: Services, answers: dict[str, Any]
) -> None:
    dialog = open_dialog(qtbot, demo_services, shown=True)
    dialog.close_button.click()
    assert not dialog.isVisible()
    assert answers["seen"] == []


def test_a_stale_edit_is_reported_and_the_plan_reloaded(
    dialog: BudgetPlansDialog,
    demo_services: Services,
    demo_plan: BudgetPlan,
    answers: dict[str, Any],
) -> None:
    type_in(dialog, row_of(dialog, "Training"), AMOUNT, "4,500,000.00")
    # Meanwhile, someone else saves the plan.
    demo_services.budget_plans.save_lines(
        demo_plan.id,
        demo_plan.version,
        [
            BudgetPlanLineData("Scholarships", Decimal("32000000.00")),
            BudgetPlanLineData("Training", Decimal("3900000.00"), note="Fewer courses"),
        ],
    )
    assert dialog.save() is False
    kind, text = answers["seen"][-1]
    assert kind == "conflict"
    assert text.startswith("The 2022 budget plan (revision 1) was changed by someone else")
    assert dialog.grid_lines() == [
        ("Scholarships", "CNY", "32,000,000.00", ""),
        ("Training", "CNY", "3,900,000.00", "Fewer courses"),
    ]
    assert not dialog.is_dirty()
    assert dialog.notice.text() == "Reloaded the plan as it is now saved."
    # Saving again now works against the current version.
    type_in(dialog, 1, AMOUNT, "4,000,000.00")
    assert dialog.save() is True
    assert saved_lines(demo_services, demo_plan.id)[1][2] == Decimal("4000000.00")


def test_a_stale_edit_kept_when_the_user_cancels_the_reload(
    dialog: BudgetPlansDialog,
    demo_services: Services,
    demo_plan: BudgetPlan,
    answers: dict[str, Any],
) -> None:
    from anso_desktop.ui import messages

    answers["conflict"] = messages.ConflictChoice.CANCEL
    type_in(dialog, 0, AMOUNT, "1.00")
    demo_services.budget_plans.approve(demo_plan.id, demo_plan.version, date(2021, 12, 20))
    assert dialog.save() is False
    assert answers["seen"][-1][0] == "conflict"
    assert dialog.cell_text(0, AMOUNT) == "1.00"  # the edit is still there to copy
    assert dialog.is_dirty()


# --- keyboard and looks --------------------------------------------------------------------------


def test_every_action_has_a_key(dialog: BudgetPlansDialog) -> None:
    buttons = [
        dialog.new_draft_button,
        dialog.new_revision_button,
        dialog.delete_button,
        dialog.add_line_button,
        dialog.remove_line_button,
        dialog.approve_button,
        dialog.save_button,
    ]
    mnemonics = [button.text().split("&")[1][0].lower() for button in buttons]
    assert len(set(mnemonics)) == len(mnemonics)
    for button in buttons:
        assert not button.autoDefault()  # Enter never approves or deletes by accident
    # Tab goes from the list to the plan buttons, into the grid, and on to Save and Close.
    expected = [
        dialog.plan_list,
        dialog.new_draft_button,
        dialog.new_revision_button,
        dialog.delete_button,
        dialog.table,
        dialog.add_line_button,
        dialog.remove_line_button,
        dialog.notes,
        dialog.approve_button,
        dialog.save_button,
        dialog.close_button,
    ]
    chain = [dialog.plan_list]
    while len(chain) < 500 and chain[-1].nextInFocusChain() is not dialog.plan_list:
        chain.append(chain[-1].nextInFocusChain())
    assert [w for w in chain if w in expected] == expected


def test_screenshot(
    qtbot: Any, demo_services: Services, demo_plan: BudgetPlan, tmp_path: Path
) -> None:
    demo_services.budget_plans.approve(demo_plan.id, demo_plan.version, date(2021, 12, 20))
    dialog = open_dialog(qtbot, demo_services, shown=True)
    dialog.new_revision()
    type_in(dialog, row_of(dialog, "Scholarships"), AMOUNT, "12.345")
    dialog.add_line()
    row = dialog.table.rowCount() - 1
    type_in(dialog, row, CATEGORY, "Travel grants")
    type_in(dialog, row, CURRENCY, "USD")
    type_in(dialog, row, AMOUNT, "15,000")
    dialog.table.setFocus()
    qtbot.wait(50)
    for path in (tmp_path / "plans-dialog.png", Path("/tmp/plans-dialog.png")):
        assert dialog.grab().save(str(path))
    image = QImage(str(tmp_path / "plans-dialog.png"))
    assert image.width() >= 900 and image.height() >= 500
