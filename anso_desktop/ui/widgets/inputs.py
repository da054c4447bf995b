"""Input widgets that speak the domain's types: `date | None`, `Decimal`, enum members, ISO codes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QDate, QRegularExpression, QStringListModel, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from anso_desktop.countries import all_countries
from anso_desktop.domain import LabelledEnum

_NO_DATE = QDate(1900, 1, 1)


class OptionalDateEdit(QDateEdit):
    """A date picker that can also be empty: its lowest date stands for "no date" and shows blank.

    Typing Delete or Backspace over the whole text clears it; the calendar button picks a date.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("d MMM yyyy")
        self.setMinimumDate(_NO_DATE)
        self.setSpecialValueText(" ")
        self.setDate(_NO_DATE)

    def value(self) -> date | None:
        chosen = self.date()
        if chosen == _NO_DATE:
            return None
        return date(chosen.year(), chosen.month(), chosen.day())

    def set_value(self, value: date | None) -> None:
        if value is None:
            self.setDate(_NO_DATE)
        else:
            self.setDate(QDate(value.year, value.month, value.day))

    def clear_value(self) -> None:
        self.setDate(_NO_DATE)

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and (
            self.lineEdit().selectedText() == self.lineEdit().text()
        ):
            self.clear_value()
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        # An empty date opens the calendar on this month, not on January 1900.
        if self.value() is None:
            today = QDate.currentDate()
            self.calendarWidget().setCurrentPage(today.year(), today.month())
        super().mousePressEvent(event)


class ChoiceCombo(QComboBox):
    """A drop-down of an enum's labels; optionally with a blank first entry meaning None."""

    def __init__(
        self,
        choices: type[LabelledEnum] | Sequence[LabelledEnum],
        *,
        blank: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        # Qt would hand back a plain str for an enum member: keep the members on this side.
        self._members: list[LabelledEnum | None] = [None] if blank is not None else []
        if blank is not None:
            self.addItem(blank)
        for member in choices:
            self.addItem(member.label)
            self._members.append(member)

    def value(self) -> LabelledEnum | None:
        index = self.currentIndex()
        return self._members[index] if 0 <= index < len(self._members) else None

    def set_value(self, value: LabelledEnum | None) -> None:
        index = self._members.index(value) if value in self._members else 0
        self.setCurrentIndex(index)


class CountryCombo(QComboBox):
    """Pick a country by typing any part of its name; stores the ISO alpha-2 code."""

    def __init__(self, *, blank: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.addItem(blank, None)
        for code, name in all_countries():
            self.addItem(name, code)
        completer = self.completer()
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.lineEdit().setPlaceholderText("Type a country…")

    def value(self) -> str | None:
        """The chosen code; the typed text when it matches no entry (the service then names it)."""
        text = self.currentText().strip()
        if not text:
            return None
        index = self.findText(text, Qt.MatchFlag.MatchFixedString)
        if index >= 0:
            return self.itemData(index)
        return text

    def set_value(self, code: str | None) -> None:
        index = self.findData(code) if code else 0
        self.setCurrentIndex(max(index, 0))


def parse_amount(text: str) -> Decimal | None:
    """The amount typed ("1,234.50", "1234.5"), exactly; None when it is no number.

    Decimals and sign are left as typed so the service refuses them with its own words."""
    cleaned = text.replace(",", "").strip()
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


class MoneyEdit(QLineEdit):
    """An amount with at most two decimals; thousands separators may be typed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.setPlaceholderText("0.00")
        self.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"^[0-9][0-9,]*(\.[0-9]{0,2})?$"), self)
        )

    def value(self) -> Decimal | None:
        return parse_amount(self.text())

    def set_value(self, value: Decimal | None) -> None:
        self.setText("" if value is None else f"{value:,.2f}")


class IntegerEdit(QLineEdit):
    """A whole number that may be left empty (None), unlike QSpinBox."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.setValidator(QRegularExpressionValidator(QRegularExpression(r"^[0-9]{0,9}$"), self))

    def value(self) -> int | None:
        text = self.text().strip()
        return int(text) if text else None

    def set_value(self, value: int | None) -> None:
        self.setText("" if value is None else str(value))


class SuggestingLineEdit(QLineEdit):
    """Free text with suggestions (categories already used, organization names)."""

    def __init__(self, suggestions: Iterable[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = QStringListModel(list(suggestions), self)
        completer = QCompleter(self._model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompleter(completer)

    def set_suggestions(self, suggestions: Iterable[str]) -> None:
        self._model.setStringList(list(suggestions))


class _EntryLineEdit(SuggestingLineEdit):
    """A line edit whose Enter adds what was typed, instead of pressing the dialog's Save."""

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.text().strip():
            self.returnPressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class OrderedListEditor(QWidget):
    """An ordered list of names: pick known ones as you type, or enter free text; reorder them.

    Used for a meeting's organizers, whose order matters (the main organizer comes first).
    """

    changed = Signal()

    def __init__(self, suggestions: Iterable[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry = _EntryLineEdit(suggestions)
        self.entry.setPlaceholderText("Type a name and press Enter (names may contain commas)")
        self.entry.returnPressed.connect(self._add_from_entry)
        self.items = QListWidget()
        self.items.setMaximumHeight(110)
        self.items.setDragDropMode(QListWidget.DragDropMode.InternalMove)
        add = QPushButton("Add")
        add.clicked.connect(self._add_from_entry)
        remove = QPushButton("Remove")
        remove.clicked.connect(self._remove_selected)
        up = QPushButton("Up")
        up.clicked.connect(lambda: self._move(-1))
        down = QPushButton("Down")
        down.clicked.connect(lambda: self._move(1))
        entry_row = QHBoxLayout()
        entry_row.addWidget(self.entry, 1)
        entry_row.addWidget(add)
        buttons = QVBoxLayout()
        for button in (remove, up, down):
            buttons.addWidget(button)
        buttons.addStretch(1)
        list_row = QHBoxLayout()
        list_row.addWidget(self.items, 1)
        list_row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(entry_row)
        layout.addLayout(list_row)

    def values(self) -> list[str]:
        pending = self.entry.text().strip()
        names = [self.items.item(i).text() for i in range(self.items.count())]
        # Text typed but not yet added counts too: people expect Save to keep what they typed.
        return [*names, pending] if pending and pending not in names else names

    def set_values(self, names: Iterable[str]) -> None:
        self.items.clear()
        for name in names:
            self.items.addItem(QListWidgetItem(name))

    def _add_from_entry(self) -> None:
        name = " ".join(self.entry.text().split())
        if name:
            self.items.addItem(QListWidgetItem(name))
            self.entry.clear()
            self.changed.emit()

    def _remove_selected(self) -> None:
        for item in self.items.selectedItems():
            self.items.takeItem(self.items.row(item))
        self.changed.emit()

    def _move(self, step: int) -> None:
        row = self.items.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.items.count():
            return
        item = self.items.takeItem(row)
        self.items.insertItem(target, item)
        self.items.setCurrentRow(target)
        self.changed.emit()


#: Offered first in the currency list; ANSO keeps its books in yuan.
COMMON_CURRENCIES = ("CNY", "USD", "EUR")
DEFAULT_CURRENCY = "CNY"


def currency_combo(
    used: list[str], current: str = DEFAULT_CURRENCY, parent: QWidget | None = None
) -> QComboBox:
    """The usual three, then any other currency already in the books; any ISO code may be typed
    (the service says so when it is not one; RMB is read as CNY)."""
    combo = QComboBox(parent)
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    for code in dict.fromkeys([*COMMON_CURRENCIES, *used]):
        combo.addItem(code)
    combo.setCurrentText(current)
    combo.lineEdit().setValidator(
        QRegularExpressionValidator(QRegularExpression(r"^[A-Za-z]{0,3}$"), combo)
    )
    combo.completer().setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    combo.completer().setCompletionMode(QCompleter.CompletionMode.InlineCompletion)
    combo.setToolTip("ISO 4217 code, such as CNY, USD or EUR (RMB is read as CNY)")
    return combo
