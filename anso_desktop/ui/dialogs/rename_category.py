"""Rename a finance category everywhere it is used: the secretariat's categories are its own, and a
new name (or two names for one thing) must not leave old entries behind."""

from __future__ import annotations

from typing import Self

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from anso_desktop.ui import messages
from anso_desktop.ui.widgets.inputs import SuggestingLineEdit

_HINT_STYLE = "color: #616161;"
_ERROR_STYLE = "color: #c62828;"


class RenameCategoryDialog(QDialog):
    def __init__(
        self, categories: list[str], current: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.categories = categories
        self.setWindowTitle("Rename category")
        self.setMinimumWidth(460)
        self.old = QComboBox()
        self.old.addItems(categories)
        if current in categories:
            self.old.setCurrentText(current)
        self.new = SuggestingLineEdit(categories)
        self.new.setPlaceholderText("The new name, or an existing one to merge into")
        hint = QLabel(
            "Every finance entry and every draft budget plan with this category takes the new "
            "name. Approved plans are read-only and keep theirs. Choosing a name already in use "
            "merges the two categories."
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(_HINT_STYLE)
        self.error = QLabel()
        self.error.setStyleSheet(_ERROR_STYLE)
        self.error.hide()
        form = QFormLayout()
        form.addRow("&Category:", self.old)
        form.addRow("&New name:", self.new)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        ok.setText("&Rename")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.new.setFocus()

    def chosen(self) -> tuple[str, str]:
        """(old, new); a new name matching a category but for capitals takes its spelling, so
        the two really merge."""
        old, new = self.old.currentText(), " ".join(self.new.text().split())
        existing = next(
            (c for c in self.categories if c.casefold() == new.casefold() and c != old), None
        )
        return old, existing or new

    def accept(self) -> None:
        old, new = self.chosen()
        problem = None
        if not new:
            problem = "Type the new name."
        elif new == old:
            problem = "The new name is the same as the old one."
        if problem is not None:
            self.error.setText(problem)
            self.error.show()
            return
        merging = next((c for c in self.categories if c.casefold() == new.casefold()), None)
        if (
            merging is not None
            and merging.casefold() != old.casefold()
            and not messages.confirm(
                self,
                f"'{merging}' is already a category. Merge '{old}' into it? The two become one "
                "and cannot be told apart afterwards.",
                "Merge",
            )
        ):
            return
        super().accept()

    @classmethod
    def ask(
        cls, parent: QWidget | None, categories: list[str], current: str | None = None
    ) -> tuple[str, str] | None:
        """(old name, new name), or None if cancelled. Tests patch this."""
        dialog: Self = cls(categories, current, parent)
        return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None
