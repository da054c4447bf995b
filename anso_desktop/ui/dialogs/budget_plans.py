"""Budget plans: next year's plan, started from a year's expenditure or budget, edited line by line
and approved once the Governing Board has adopted it.

An approved plan is read-only (the service refuses any change to it); changing it means a new
revision, a draft copy. Money stays Decimal from the cell's text to the service; every check the
service makes comes back keyed by line and field, and is shown on the offending cell.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from anso_desktop.domain import BudgetPlanStatus, FinanceKind
from anso_desktop.errors import ConflictError, NotFoundError, UserError, ValidationError
from anso_desktop.services import Services
from anso_desktop.services.base import Errors
from anso_desktop.services.budget_plans import BudgetPlanData, BudgetPlanLineData, line_field
from anso_desktop.services.money import check_amount, check_currency, currency_code
from anso_desktop.storage.models import BudgetPlan
from anso_desktop.tables.formatting import format_date, format_money
from anso_desktop.ui import messages
from anso_desktop.ui.widgets.inputs import (
    DEFAULT_CURRENCY,
    SuggestingLineEdit,
    currency_combo,
    parse_amount,
)

AnyIndex = QModelIndex | QPersistentModelIndex

COLUMNS = ("Category", "Currency", "Amount", "Note")
CATEGORY, CURRENCY, AMOUNT, NOTE = range(len(COLUMNS))
#: The grid column of each line field the service names in its errors ("lines[2].amount").
FIELD_COLUMNS = {"category": CATEGORY, "currency": CURRENCY, "amount": AMOUNT, "note": NOTE}
_LINE_ERROR_KEY = re.compile(r"^lines\[(\d+)\]\.(\w+)$")
_LINE_PREFIX = re.compile(r"^Line \d+: ")
#: A cell's refusal, without its "Line N: " (the row may move before it is shown again).
ERROR_ROLE = Qt.ItemDataRole.UserRole + 1
PLAN_ID_ROLE = Qt.ItemDataRole.UserRole

EMPTY_TEXT = "No budget plans yet — start one from a year's expenditure or budget."
_ERROR_STYLE = "color: #c62828;"
_HINT_STYLE = "color: #616161;"
_UNSAVED_STYLE = "color: #b26a00; font-weight: bold;"
_DRAFT_BANNER = "background: #fff8e1; color: #5d4037; padding: 6px; border-radius: 3px;"
_APPROVED_BANNER = "background: #e8f5e9; color: #1b5e20; padding: 6px; border-radius: 3px;"
_READ_ONLY_GRID = "QTableWidget, QPlainTextEdit { background: #f3f3f3; color: #616161; }"
INVALID_BACKGROUND = QBrush(QColor("#ffcdd2"))
APPROVED_FOREGROUND = QBrush(QColor("#1b5e20"))
READ_ONLY_FOREGROUND = QBrush(QColor("#616161"))
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def amount_problem(text: str) -> str | None:
    """What the service would say about this amount ('Amount has more than two decimals'), or
    None: checked as soon as a cell is left, so a mistake shows before Save."""
    errors = Errors()
    cleaned = text.replace(",", "").strip()
    check_amount(errors, "amount", cleaned or None, "Amount")
    return errors.by_field.get("amount")


def currency_problem(text: str) -> str | None:
    errors = Errors()
    check_currency(errors, text)
    return errors.by_field.get("currency")


def plan_title(plan: BudgetPlan) -> str:
    """ "2022 budget plan, revision 1 — Draft, based on 2021 expenditure": the pane's header."""
    title = f"{plan.fiscal_year} budget plan, revision {plan.revision} — {plan.status.label}"
    return f"{title}, based on {plan.based_on}" if plan.based_on else title


def totals_text(totals: Mapping[str, Decimal]) -> str:
    """One line per currency: amounts in different currencies are never added together."""
    if not totals:
        return "Total: nothing yet"
    label = "Total" if len(totals) == 1 else "Totals"
    return "\n".join(
        f"{label if i == 0 else ''}\t{currency} {format_money(amount)}"
        for i, (currency, amount) in enumerate(sorted(totals.items()))
    )


class LineDelegate(QStyledItemDelegate):
    """The editors of a plan line's cells: category with suggestions, a currency list any ISO
    code may be typed into, and an amount typed as written (refused with the service's words,
    not swallowed keystroke by keystroke)."""

    def __init__(self, categories: list[str], currencies: list[str], parent: QWidget) -> None:
        super().__init__(parent)
        self.categories = categories
        self.currencies = currencies

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> QWidget:
        column = index.column()
        if column == CURRENCY:
            return currency_combo(self.currencies, parent=parent)
        editor: QLineEdit
        if column == CATEGORY:
            editor = SuggestingLineEdit(self.categories, parent)
            editor.setPlaceholderText("Budget line, such as Scholarships")
        else:
            editor = QLineEdit(parent)
        if column == AMOUNT:
            editor.setAlignment(RIGHT)
            editor.setPlaceholderText("0.00")
        editor.setFrame(False)
        return editor

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        text = str(index.data(Qt.ItemDataRole.EditRole) or "")
        if isinstance(editor, QComboBox):
            editor.setCurrentText(text)
        elif isinstance(editor, QLineEdit):
            editor.setText(text)
            editor.selectAll()

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: AnyIndex) -> None:
        if isinstance(editor, QComboBox):
            text = editor.currentText()
        elif isinstance(editor, QLineEdit):
            text = editor.text()
        else:
            return
        model.setData(index, " ".join(text.split()), Qt.ItemDataRole.EditRole)


class NewDraftDialog(QDialog):
    """The small form behind "New draft…": which year to plan, and what to start it from.

    It starts the draft itself, so a refusal ("there is no 2023 budget") shows in the form."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.created: BudgetPlan | None = None
        self.setWindowTitle("New budget plan draft")
        self.setMinimumWidth(480)
        self._revisions: dict[int, int] = {}
        for plan in services.budget_plans.list().rows:
            self._revisions[plan.fiscal_year] = max(
                plan.revision, self._revisions.get(plan.fiscal_year, 0)
            )
        # What each year with entries can start a plan from: only those choices are offered.
        self._kinds: dict[int, set[str]] = {
            year: {kind for kind, _currency in services.finances.totals({"year": year})}
            for year in services.finances.years()
        }

        self.year = QSpinBox()
        self.year.setRange(1900, 2200)
        self.year.setValue(date.today().year + 1)
        self.year.setToolTip("The fiscal year the plan is for")
        self.year.valueChanged.connect(self._describe_year)
        self.year_hint = QLabel()
        self.year_hint.setStyleSheet(_HINT_STYLE)
        self.year_hint.setWordWrap(True)

        self.source_year = QComboBox()
        for year in self._kinds:
            self.source_year.addItem(str(year), year)
        self.source_year.setToolTip("Only years with finance entries are listed")
        self.source_year.currentIndexChanged.connect(self._source_year_changed)
        self.expenditure_radio = QRadioButton("Its e&xpenditure (what was spent)")
        self.budget_radio = QRadioButton("Its &budget")
        self.empty_radio = QRadioButton("&Nothing: an empty plan to fill in")
        self.sources = QButtonGroup(self)
        for radio in (self.expenditure_radio, self.budget_radio, self.empty_radio):
            self.sources.addButton(radio)
            radio.toggled.connect(self._source_changed)
        self.source_hint = QLabel()
        self.source_hint.setStyleSheet(_HINT_STYLE)
        self.source_hint.setWordWrap(True)

        self.error = QLabel()
        self.error.setStyleSheet(_ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()

        sources = QVBoxLayout()
        sources.setSpacing(4)
        for radio in (self.expenditure_radio, self.budget_radio, self.empty_radio):
            sources.addWidget(radio)
        form = QFormLayout()
        form.addRow("Plan &year:", self.year)
        form.addRow("", self.year_hint)
        form.addRow("&From the year:", self.source_year)
        form.addRow("Start from:", sources)
        form.addRow("", self.source_hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.start_button = buttons.addButton("Start draft", QDialogButtonBox.ButtonRole.AcceptRole)
        self.start_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._describe_year()
        self._source_year_changed()

    def source(self) -> FinanceKind | None:
        """What the draft starts from; None for an empty plan."""
        if self.expenditure_radio.isChecked():
            return FinanceKind.EXPENDITURE
        if self.budget_radio.isChecked():
            return FinanceKind.BUDGET
        return None

    def choose(self, year: int, source_year: int | None, source: FinanceKind | None) -> None:
        """Fill the form as the secretary would (tests, and callers that know the answer)."""
        self.year.setValue(year)
        if source_year is not None:
            self.source_year.setCurrentIndex(self.source_year.findData(source_year))
        radio = {
            FinanceKind.EXPENDITURE: self.expenditure_radio,
            FinanceKind.BUDGET: self.budget_radio,
        }.get(source, self.empty_radio)  # type: ignore[arg-type]
        radio.setChecked(True)

    def _source_year_changed(self) -> None:
        """Offer only what the chosen year has; expenditure (the actuals) first."""
        year = self.source_year.currentData()
        kinds = self._kinds.get(year, set())
        self.expenditure_radio.setEnabled(FinanceKind.EXPENDITURE.value in kinds)
        self.budget_radio.setEnabled(FinanceKind.BUDGET.value in kinds)
        checked = self.sources.checkedButton()
        if checked is None or not checked.isEnabled():
            available = [r for r in (self.expenditure_radio, self.budget_radio) if r.isEnabled()]
            (available[0] if available else self.empty_radio).setChecked(True)
        self._source_changed()

    def _source_changed(self) -> None:
        source = self.source()
        self.source_year.setEnabled(source is not None)
        year = self.source_year.currentData()
        if year is None:
            text = "There are no finance entries yet to start from: the plan starts empty."
        elif source is None:
            text = "The plan starts with no lines; add them one by one."
        else:
            text = (
                f"One line per category and currency, holding {year}'s total "
                f"{source.label.lower()}; edit the lines afterwards."
            )
            missing = {FinanceKind.EXPENDITURE, FinanceKind.BUDGET} - {
                FinanceKind(kind) for kind in self._kinds.get(year, set())
            }
            if missing:
                text += f" {year} has no {missing.pop().label.lower()} entries."
        self.source_hint.setText(text)

    def _describe_year(self) -> None:
        """Say when the year has a plan already: the draft then becomes its next revision."""
        last = self._revisions.get(self.year.value())
        self.year_hint.setText(
            f"{self.year.value()} already has a plan; this draft will be revision {last + 1}."
            if last
            else ""
        )
        self.year_hint.setVisible(bool(last))

    def accept(self) -> None:
        plans = self.services.budget_plans
        source = self.source()
        try:
            if source is None:
                self.created = plans.create(BudgetPlanData(self.year.value()))
            else:
                self.created = plans.start_draft(
                    self.year.value(), self.source_year.currentData(), source
                )
        except UserError as error:
            self.error.setText(error.message)
            self.error.show()
            return
        super().accept()

    @classmethod
    def ask(cls, parent: QWidget | None, services: Services) -> BudgetPlan | None:
        """Show the form; the draft it started, or None if cancelled. Tests patch this."""
        dialog = cls(services, parent)
        return dialog.created if dialog.exec() == QDialog.DialogCode.Accepted else None


class BudgetPlansDialog(QDialog):
    """Every year's budget plans on the left; the chosen plan's lines, totals and notes on the
    right, editable while it is a draft."""

    #: A plan was saved, started, approved or deleted (the Finances tab may refresh).
    plans_changed = Signal()

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.plan: BudgetPlan | None = None
        self._snapshot: tuple[Any, ...] = ()
        self._loading = False
        self.setWindowTitle("Budget plans")
        self.resize(1080, 620)
        self._build()
        self.refresh()

    # --- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.new_draft_button = self._button("&New draft…", self.new_draft)
        self.new_draft_button.setToolTip("Start next year's plan from a year's figures")
        self.new_revision_button = self._button("New &revision", self.new_revision)
        self.new_revision_button.setToolTip(
            "A new draft of the chosen plan's year, copying its lines: how an approved plan "
            "is changed"
        )
        self.delete_button = self._button("&Delete draft", self.delete_draft)
        self.delete_button.setToolTip("Delete the chosen draft (approved plans are kept)")

        self.plan_list = QTreeWidget()
        self.plan_list.setHeaderLabels(["Year", "Revision", "Status", "Based on"])
        self.plan_list.setRootIsDecorated(False)
        self.plan_list.setUniformRowHeights(True)
        self.plan_list.setAllColumnsShowFocus(True)
        self.plan_list.header().setStretchLastSection(True)
        self.plan_list.currentItemChanged.connect(self._plan_chosen)
        self.plan_list.setAccessibleName("Budget plans")

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        plans_label = QLabel("&Plans")
        plans_label.setBuddy(self.plan_list)
        plans_label.setFont(_bold())
        left_layout.addWidget(plans_label)
        left_layout.addWidget(self.plan_list, 1)
        plan_buttons = QHBoxLayout()
        for button in (self.new_draft_button, self.new_revision_button, self.delete_button):
            plan_buttons.addWidget(button)
        plan_buttons.addStretch(1)
        left_layout.addLayout(plan_buttons)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_empty_page())
        self.pages.addWidget(self._build_plan_page())

        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(self.pages)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([330, 750])

        self.approve_button = self._button("&Approve…", self.approve)
        self.approve_button.setToolTip(
            "Record the Governing Board's approval as of today; the plan then becomes read-only"
        )
        self.save_button = self._button("&Save", self.save)
        self.save_button.setToolTip("Save the lines and notes (Ctrl+S)")
        self.unsaved_label = QLabel("Unsaved changes")
        self.unsaved_label.setStyleSheet(_UNSAVED_STYLE)
        self.unsaved_label.hide()
        self.notice = QLabel()
        self.notice.setStyleSheet(_HINT_STYLE)
        close_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close_box.rejected.connect(self.reject)
        self.close_button = close_box.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setAutoDefault(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.notice, 1)
        bottom.addWidget(self.unsaved_label)
        bottom.addWidget(self.approve_button)
        bottom.addWidget(self.save_button)
        bottom.addWidget(close_box)

        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        QShortcut(QKeySequence(Qt.Key.Key_Insert), self, activated=self.add_line)
        QShortcut(
            QKeySequence(Qt.Key.Key_Delete),
            self.table,
            activated=self.remove_line,
            context=Qt.ShortcutContext.WidgetShortcut,
        )
        order = [
            self.plan_list,
            self.new_draft_button,
            self.new_revision_button,
            self.delete_button,
            self.empty_button,
            self.table,
            self.add_line_button,
            self.remove_line_button,
            self.notes,
            self.approve_button,
            self.save_button,
            self.close_button,
        ]
        for before, after in pairwise(order):
            QWidget.setTabOrder(before, after)

    def _build_empty_page(self) -> QWidget:
        page = QWidget()
        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.empty_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.empty_label.setFont(font)
        self.empty_button = self._button("Start a draft…", self.new_draft)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.empty_button)
        row.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(self.empty_label)
        layout.addLayout(row)
        layout.addStretch(2)
        return page

    def _build_plan_page(self) -> QWidget:
        page = QWidget()
        self.header = QLabel()
        font = _bold()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.header.setFont(font)
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_line = QLabel()
        self.status_line.setWordWrap(True)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.horizontalHeaderItem(AMOUNT).setTextAlignment(RIGHT)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        self.table.setColumnWidth(CATEGORY, 260)
        self.table.setColumnWidth(CURRENCY, 80)
        self.table.setColumnWidth(AMOUNT, 160)
        self.table.verticalHeader().setToolTip("Line numbers, as messages name them")
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        # Tab leaves the grid (arrows move between cells); while a cell is edited, Tab moves on
        # to the next cell.
        self.table.setTabKeyNavigation(False)
        self.table.setAccessibleName("Plan lines")
        self.delegate = LineDelegate(
            self.services.finances.categories(), self.services.finances.currencies(), self.table
        )
        self.table.setItemDelegate(self.delegate)
        self.table.itemChanged.connect(self._cell_changed)
        self.table.currentCellChanged.connect(lambda *_: self._update_actions())
        lines_label = QLabel("&Lines")
        lines_label.setBuddy(self.table)
        lines_label.setFont(_bold())

        self.add_line_button = self._button("Add l&ine", self.add_line)
        self.add_line_button.setToolTip("Add a line (Ins)")
        self.remove_line_button = self._button("Re&move line", self.remove_line)
        self.remove_line_button.setToolTip("Remove the selected lines (Del)")
        self.totals_label = QLabel()
        self.totals_label.setFont(_bold())
        self.totals_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.totals_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.totals_label.setToolTip("Per currency: amounts in different currencies are not added")
        line_row = QHBoxLayout()
        line_row.addWidget(self.add_line_button, 0, Qt.AlignmentFlag.AlignTop)
        line_row.addWidget(self.remove_line_button, 0, Qt.AlignmentFlag.AlignTop)
        line_row.addStretch(1)
        self.totals_hint = QLabel("Lines with a refused amount are not counted.")
        self.totals_hint.setStyleSheet(_HINT_STYLE)
        self.totals_hint.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.totals_hint.hide()
        totals = QVBoxLayout()
        totals.setSpacing(0)
        totals.addWidget(self.totals_label)
        totals.addWidget(self.totals_hint)
        line_row.addLayout(totals)

        self.error_label = QLabel()
        self.error_label.setStyleSheet(_ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(72)
        self.notes.setPlaceholderText("What the plan assumes, who asked for it, when it goes")
        self.notes.textChanged.connect(self._edited)
        notes_label = QLabel("N&otes")
        notes_label.setBuddy(self.notes)
        notes_label.setFont(_bold())

        layout = QVBoxLayout(page)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.status_line)
        layout.addSpacing(4)
        layout.addWidget(lines_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(line_row)
        layout.addWidget(self.error_label)
        layout.addWidget(notes_label)
        layout.addWidget(self.notes)
        return page

    def _button(self, text: str, slot: Any) -> QPushButton:
        button = QPushButton(text)
        # Enter edits a cell or picks a plan; it never approves or deletes by accident.
        button.setAutoDefault(False)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    # --- the list of plans ---------------------------------------------------------------------

    def refresh(self, select_id: int | None = None) -> None:
        """Re-read the plans, newest year and revision first, and show `select_id` (or the
        newest plan). Unsaved edits are the caller's business."""
        plans = sorted(
            self.services.budget_plans.list().rows,
            key=lambda plan: (plan.fiscal_year, plan.revision),
            reverse=True,
        )
        self.plan_list.blockSignals(True)
        self.plan_list.clear()
        chosen: QTreeWidgetItem | None = None
        for plan in plans:
            item = QTreeWidgetItem(
                [
                    str(plan.fiscal_year),
                    f"revision {plan.revision}",
                    plan.status.label,
                    plan.based_on or "empty plan",
                ]
            )
            item.setData(0, PLAN_ID_ROLE, plan.id)
            item.setToolTip(0, plan.describe())
            if plan.status is BudgetPlanStatus.APPROVED:
                item.setForeground(2, APPROVED_FOREGROUND)
                item.setToolTip(2, f"Approved on {format_date(plan.approved_on)}")
            self.plan_list.addTopLevelItem(item)
            if plan.id == select_id:
                chosen = item
        if chosen is None and plans:
            chosen = self.plan_list.topLevelItem(0)
        for column in range(3):
            self.plan_list.resizeColumnToContents(column)
        self.plan_list.setCurrentItem(chosen)
        self.plan_list.blockSignals(False)
        if chosen is None:
            self._show(None)
        else:
            self._open(chosen.data(0, PLAN_ID_ROLE))

    def plan_ids(self) -> list[int]:
        """The listed plans' ids, top to bottom."""
        return [
            self.plan_list.topLevelItem(i).data(0, PLAN_ID_ROLE)
            for i in range(self.plan_list.topLevelItemCount())
        ]

    def select_plan(self, plan_id: int) -> None:
        """Choose a plan in the list, as a click would (asking about unsaved edits)."""
        for i in range(self.plan_list.topLevelItemCount()):
            item = self.plan_list.topLevelItem(i)
            if item.data(0, PLAN_ID_ROLE) == plan_id:
                self.plan_list.setCurrentItem(item)
                return
        raise LookupError(f"Budget plan #{plan_id} is not listed")

    def _plan_chosen(
        self, current: QTreeWidgetItem | None, previous: QTreeWidgetItem | None
    ) -> None:
        if current is None:
            return
        plan_id = current.data(0, PLAN_ID_ROLE)
        if self.plan is not None and plan_id == self.plan.id:
            return
        if not self._may_discard():
            # Stay on the plan being edited.
            self.plan_list.blockSignals(True)
            self.plan_list.setCurrentItem(previous)
            self.plan_list.blockSignals(False)
            return
        self._open(plan_id)

    def _open(self, plan_id: int) -> None:
        try:
            plan = self.services.budget_plans.get(plan_id)
        except NotFoundError as error:
            messages.warn(self, error.message)
            self.plan = None
            self.refresh()
            return
        self._show(plan)

    # --- showing one plan ----------------------------------------------------------------------

    def _show(self, plan: BudgetPlan | None) -> None:
        """Fill the right-hand side from `plan` (the empty state when None); no edits pending."""
        self.plan = plan
        self._loading = True
        try:
            self.table.setRowCount(0)
            self.notes.clear()
            self._set_general_errors([])
            if plan is None:
                self.pages.setCurrentIndex(0)
            else:
                self.pages.setCurrentIndex(1)
                self.header.setText(plan_title(plan))
                read_only = plan.status is BudgetPlanStatus.APPROVED
                if read_only:
                    self.status_line.setText(
                        f"Approved on {format_date(plan.approved_on)} — read-only. "
                        "Make a new revision to change it."
                    )
                    self.status_line.setStyleSheet(_APPROVED_BANNER)
                else:
                    self.status_line.setText(
                        "Draft — edit the lines, then Save. Approve it once the Governing Board "
                        "has adopted it."
                    )
                    self.status_line.setStyleSheet(_DRAFT_BANNER)
                for line in plan.lines:
                    self._append_row(
                        line.category, line.currency, format_money(line.amount), line.note or ""
                    )
                self.notes.setPlainText(plan.notes or "")
                self._set_read_only(read_only)
        finally:
            self._loading = False
        self._snapshot = self._state()
        self._update_totals()
        self._refresh_errors()
        self._update_actions()

    def _append_row(self, category: str, currency: str, amount: str, note: str) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column, text in enumerate((category, currency, amount, note)):
            item = QTableWidgetItem(text)
            item.setTextAlignment(RIGHT if column == AMOUNT else LEFT)
            self.table.setItem(row, column, item)
        return row

    def _set_read_only(self, read_only: bool) -> None:
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.NoEditTriggers
            if read_only
            else QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        for row in range(self.table.rowCount()):
            for column in range(len(COLUMNS)):
                item = self.table.item(row, column)
                flags = item.flags()
                if read_only:
                    item.setFlags(flags & ~Qt.ItemFlag.ItemIsEditable)
                    item.setForeground(READ_ONLY_FOREGROUND)
                else:
                    item.setFlags(flags | Qt.ItemFlag.ItemIsEditable)
        self.notes.setReadOnly(read_only)
        style = _READ_ONLY_GRID if read_only else ""
        self.table.setStyleSheet(style)
        self.notes.setStyleSheet(style)

    def is_read_only(self) -> bool:
        return self.plan is not None and self.plan.status is BudgetPlanStatus.APPROVED

    # --- the grid ------------------------------------------------------------------------------

    def cell_text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    def grid_lines(self) -> list[tuple[str, str, str, str]]:
        """The grid as typed, one (category, currency, amount, note) per row."""
        return [
            tuple(self.cell_text(row, column) for column in range(len(COLUMNS)))  # type: ignore[misc]
            for row in range(self.table.rowCount())
        ]

    def add_line(self) -> None:
        """A new row, in the plan's usual currency, with its category being typed."""
        if self.plan is None or self.is_read_only():
            return
        currencies = [self.cell_text(row, CURRENCY) for row in range(self.table.rowCount())]
        usual = max(set(currencies), key=currencies.count) if currencies else DEFAULT_CURRENCY
        self._loading = True
        try:
            row = self._append_row("", usual, "", "")
        finally:
            self._loading = False
        self.table.setCurrentCell(row, CATEGORY)
        self.table.scrollToItem(self.table.item(row, CATEGORY))
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.isVisible():
            self.table.editItem(self.table.item(row, CATEGORY))
        self._edited()

    def remove_line(self) -> None:
        """Remove the selected rows (or the current one); nothing is saved until Save."""
        if self.plan is None or self.is_read_only():
            return
        rows = {index.row() for index in self.table.selectionModel().selectedIndexes()}
        if not rows and self.table.currentRow() >= 0:
            rows = {self.table.currentRow()}
        if not rows:
            return
        for row in sorted(rows, reverse=True):
            self.table.removeRow(row)
        if self.table.rowCount():
            self.table.setCurrentCell(min(min(rows), self.table.rowCount() - 1), CATEGORY)
        self._edited()

    def _commit_open_editor(self) -> None:
        """Ctrl+S while a cell is being typed in saves what was typed, as people expect."""
        editor = QApplication.focusWidget()
        if editor is not None and self.table.viewport().isAncestorOf(editor):
            self.table.commitData(editor)
            self.table.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def _cell_changed(self, item: QTableWidgetItem) -> None:
        """Tidy what was typed (amounts with separators, currency codes in capitals) and say at
        once what the service would refuse, on the cell itself."""
        if self._loading:
            return
        column = item.column()
        text = item.text()
        problem: str | None = None
        tidy = " ".join(text.split())  # as the service keeps it
        if column == AMOUNT:
            problem = amount_problem(text)
            value = parse_amount(text)
            if problem is None and value is not None:
                tidy = format_money(value)
        elif column == CURRENCY:
            problem = currency_problem(text)
            if problem is None:
                tidy = currency_code(text)
        self.table.blockSignals(True)
        try:
            if tidy != text:
                item.setText(tidy)
            self._mark(item, problem)
        finally:
            self.table.blockSignals(False)
        self._edited()

    # --- errors --------------------------------------------------------------------------------

    def _mark(self, item: QTableWidgetItem, message: str | None) -> None:
        """Highlight a refused cell, its message in the tooltip; or clear it."""
        if message:
            message = _LINE_PREFIX.sub("", message)
        item.setData(ERROR_ROLE, message)
        item.setData(Qt.ItemDataRole.BackgroundRole, INVALID_BACKGROUND if message else None)
        item.setToolTip(message or "")

    def cell_error(self, row: int, column: int) -> str:
        """The message on a cell ('' when none)."""
        item = self.table.item(row, column)
        return str(item.data(ERROR_ROLE) or "") if item is not None else ""

    def error_text(self) -> str:
        """Every message shown under the grid: what tests and screen readers read."""
        return self.error_label.text() if not self.error_label.isHidden() else ""

    def show_errors(self, errors: Mapping[str, str], rows: list[int]) -> None:
        """Put the service's messages on their cells; `rows[i]` is the grid row of the i-th line
        sent (blank rows are not sent). Messages about no one cell go under the grid."""
        general: list[str] = []
        first: QTableWidgetItem | None = None
        self.table.blockSignals(True)
        try:
            for row in range(self.table.rowCount()):
                for column in range(len(COLUMNS)):
                    self._mark(self.table.item(row, column), None)
            for key, message in errors.items():
                match = _LINE_ERROR_KEY.match(key)
                column = FIELD_COLUMNS.get(match.group(2)) if match else None
                index = int(match.group(1)) if match else -1
                if column is None or not 0 <= index < len(rows):
                    general.append(message)
                    continue
                item = self.table.item(rows[index], column)
                self._mark(item, message)
                first = first or item
        finally:
            self.table.blockSignals(False)
        self._set_general_errors(general)
        self._update_totals()
        if first is not None:
            self.table.setCurrentItem(first)
            self.table.scrollToItem(first)

    def _set_general_errors(self, messages_: list[str]) -> None:
        self._general_errors = messages_
        self._refresh_errors()

    def _refresh_errors(self) -> None:
        lines = list(getattr(self, "_general_errors", []))
        for row in range(self.table.rowCount()):
            for column in range(len(COLUMNS)):
                message = self.cell_error(row, column)
                if message:
                    lines.append(f"Line {row + 1}: {message}")
        self.error_label.setText("\n".join(lines))
        self.error_label.setVisible(bool(lines))

    # --- totals and edits ----------------------------------------------------------------------

    def totals(self) -> dict[str, Decimal]:
        """The grid's total per currency, counting the rows whose amount and currency are valid
        (the saved plan's totals once saved)."""
        totals: dict[str, Decimal] = {}
        for row in range(self.table.rowCount()):
            amount = parse_amount(self.cell_text(row, AMOUNT))
            text = self.cell_text(row, CURRENCY)
            if amount is None or amount_problem(self.cell_text(row, AMOUNT)) or not text:
                continue
            try:
                currency = currency_code(text)
            except ValueError:
                continue
            totals[currency] = totals.get(currency, Decimal("0.00")) + amount
        return dict(sorted(totals.items()))

    def _update_totals(self) -> None:
        self.totals_label.setText(totals_text(self.totals()))
        self.totals_hint.setVisible(
            any(self.cell_error(row, AMOUNT) for row in range(self.table.rowCount()))
        )

    def _state(self) -> tuple[Any, ...]:
        """What Save would write, to tell a real edit from none (typing a value back is none)."""
        rows = tuple(
            (
                " ".join(category.split()),
                currency.strip().upper(),
                parse_amount(amount) if parse_amount(amount) is not None else amount.strip(),
                note.strip(),
            )
            for category, currency, amount, note in self.grid_lines()
            if any(text.strip() for text in (category, amount, note))
        )
        return (rows, self.notes.toPlainText().strip())

    def is_dirty(self) -> bool:
        """Whether the shown draft has edits not saved yet."""
        return self.plan is not None and not self.is_read_only() and self._state() != self._snapshot

    def _edited(self) -> None:
        if self._loading:
            return
        self._update_totals()
        self._refresh_errors()  # rows added or removed renumber the messages
        self.notice.clear()
        self._update_actions()

    def _update_actions(self) -> None:
        has_plan = self.plan is not None
        draft = has_plan and not self.is_read_only()
        dirty = self.is_dirty()
        self.new_revision_button.setEnabled(has_plan)
        self.delete_button.setEnabled(draft)
        self.save_button.setEnabled(draft and dirty)
        self.approve_button.setEnabled(draft and self.table.rowCount() > 0)
        self.add_line_button.setEnabled(draft)
        self.remove_line_button.setEnabled(draft and self.table.currentRow() >= 0)
        self.unsaved_label.setVisible(dirty)
        # With no plan (the empty state) there is nothing to approve or save: no greyed buttons.
        self.approve_button.setVisible(has_plan)
        self.save_button.setVisible(has_plan)

    def _may_discard(self) -> bool:
        """True when there is nothing unsaved, or the user agrees to lose it."""
        if not self.is_dirty():
            return True
        assert self.plan is not None
        return messages.confirm(
            self,
            f"{self.plan.describe()} has unsaved changes. Discard them?",
            "Discard changes",
        )

    # --- actions -------------------------------------------------------------------------------

    def save(self) -> bool:
        """Save the draft's lines, then its notes; True when saved. Refusals stay on screen."""
        if self.plan is None or self.is_read_only():
            return False
        self._commit_open_editor()
        if not self.is_dirty():
            return True  # nothing to write (Ctrl+S pressed twice)
        plan = self.plan
        sent: list[BudgetPlanLineData] = []
        rows: list[int] = []
        unreadable: dict[str, str] = {}
        for row, (category, currency, amount_text, note) in enumerate(self.grid_lines()):
            if not any(text.strip() for text in (category, amount_text, note)):
                continue  # a row left blank is no line
            amount = parse_amount(amount_text)
            if amount is None and amount_text.strip():
                # The service is sent no amount (so it refuses the whole save, having checked
                # every other line), and the cell gets the words for what was typed.
                unreadable[line_field(len(sent), "amount")] = amount_problem(amount_text) or ""
            sent.append(BudgetPlanLineData(category, amount, currency, note))
            rows.append(row)
        notes = self.notes.toPlainText()
        plans = self.services.budget_plans
        try:
            saved = plans.save_lines(plan.id, plan.version, sent, notes=notes)
        except ValidationError as error:
            self.show_errors({**error.errors, **unreadable}, rows)
            return False
        except ConflictError as error:
            self._conflict(error)
            return False
        except NotFoundError as error:
            self._gone(error)
            return False
        self._after_change(saved, f"Saved {len(saved.lines)} lines.")
        self.delegate.categories = self.services.finances.categories()
        return True

    def approve(self) -> None:
        """Approve the draft as of today, after asking; unsaved edits are saved first."""
        if self.plan is None or self.is_read_only():
            return
        today = date.today()
        text = (
            f"Approve {_named(self.plan)} as of "
            f"{format_date(today)}?\n\nAn approved plan is read-only; a later change needs a new "
            "revision."
        )
        if self.is_dirty():
            text += "\n\nYour unsaved changes are saved first."
        if not messages.confirm(self, text, "Approve"):
            return
        if self.is_dirty() and not self.save():
            return
        plan = self.plan
        try:
            approved = self.services.budget_plans.approve(plan.id, plan.version, today)
        except ValidationError as error:
            self._set_general_errors(list(dict.fromkeys(error.errors.values())))
            return
        except ConflictError as error:
            self._conflict(error)
            return
        except NotFoundError as error:
            self._gone(error)
            return
        self._after_change(approved, f"Approved on {format_date(today)}.")

    def new_revision(self) -> None:
        """A draft copy of the chosen plan, which is then shown to be edited."""
        if self.plan is None or not self._may_discard():
            return
        source = self.plan
        try:
            draft = self.services.budget_plans.new_revision(source.id)
        except NotFoundError as error:
            self._gone(error)
            return
        except UserError as error:
            messages.warn(self, error.message)
            return
        self._after_change(
            draft,
            f"Revision {draft.revision} started from revision "
            f"{source.revision}: edit it, then Save.",
        )

    def new_draft(self) -> None:
        """Start a plan from a year's expenditure or budget (or empty), then show it."""
        if not self._may_discard():
            return
        created = NewDraftDialog.ask(self, self.services)
        if created is None:
            return
        self._after_change(created, f"Draft started with {len(created.lines)} lines.")

    def delete_draft(self) -> None:
        """Delete the chosen draft, after asking; approved plans cannot be deleted."""
        if self.plan is None or self.is_read_only():
            return
        plan = self.plan
        count = len(plan.lines)
        if not messages.confirm(
            self,
            f"Delete the draft of {_named(plan)}"
            f"{f' and its {count} lines' if count else ''}? This cannot be undone.",
            "Delete draft",
        ):
            return
        try:
            self.services.budget_plans.delete(plan.id, plan.version)
        except ConflictError as error:
            self._conflict(error)
            return
        except NotFoundError:
            pass  # gone already: what was asked
        except UserError as error:
            messages.warn(self, error.message)
            return
        self.plan = None
        self.refresh()
        self.notice.setText(f"Deleted the draft of {_named(plan)}.")
        self.plans_changed.emit()

    def _after_change(self, plan: BudgetPlan, notice: str) -> None:
        self.plan = None  # nothing unsaved any more: the list may move freely
        self.refresh(plan.id)
        self.notice.setText(notice)
        self.plans_changed.emit()

    def _conflict(self, error: ConflictError) -> None:
        """Someone changed the plan since it was read: offer its current values."""
        if messages.conflict(self, error.message) is messages.ConflictChoice.RELOAD:
            assert self.plan is not None
            plan_id = self.plan.id
            self.plan = None
            self.refresh(plan_id)
            self.notice.setText("Reloaded the plan as it is now saved.")

    def _gone(self, error: NotFoundError) -> None:
        messages.warn(self, error.message)
        self.plan = None
        self.refresh()

    # --- closing -------------------------------------------------------------------------------

    def reject(self) -> None:
        """Esc, Close and the window's close button: ask before losing unsaved edits."""
        if not self._may_discard():
            return
        super().reject()

    @classmethod
    def ask(cls, parent: QWidget | None, services: Services) -> None:
        """Show the dialog modally. Tests build the dialog directly."""
        dialog = cls(services, parent)
        dialog.exec()


def _named(plan: BudgetPlan) -> str:
    """ "the 2022 budget plan (revision 1)": a plan named mid-sentence."""
    return f"the {plan.fiscal_year} budget plan (revision {plan.revision})"


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font
