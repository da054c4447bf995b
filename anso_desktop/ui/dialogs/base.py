"""The shape every add/edit dialog shares: a form of fields, each with room for the service's
message under it; Save keeps the dialog open while any field is refused; a stale edit offers to
reload the current values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Generic, Self, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from anso_desktop.errors import ConflictError, NotFoundError, UserError, ValidationError
from anso_desktop.services import Services
from anso_desktop.storage import history
from anso_desktop.ui import messages
from anso_desktop.ui.read_only import BANNER_STYLE

RecordT = TypeVar("RecordT")

_INVALID_STYLE = "border: 1px solid #c62828; border-radius: 2px;"
_ERROR_LABEL_STYLE = "color: #c62828;"


class RecordDialog(QDialog, Generic[RecordT]):
    """Subclasses build their fields in `build_form`, read them in `collect`, fill them in
    `fill`, and save through the service in `save`."""

    noun: ClassVar[str] = "record"

    def __init__(
        self, services: Services, record: RecordT | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.record = record
        self.saved: RecordT | None = None
        self._fields: dict[str, QWidget] = {}
        self._errors: dict[str, QLabel] = {}
        self.setWindowTitle(f"Edit {self.noun}" if record is not None else f"New {self.noun}")
        self.setMinimumWidth(560)
        self.general_error = QLabel()
        self.general_error.setStyleSheet(_ERROR_LABEL_STYLE)
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        #: A note over the form that stops nothing (a colleague changed this record meanwhile).
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(BANNER_STYLE)
        self.notice.hide()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addWidget(self.general_error)
        layout.addLayout(self.form)
        layout.addWidget(buttons)
        self.build_form()
        if record is not None:
            self.fill(record)

    # --- for subclasses ------------------------------------------------------------------------

    def build_form(self) -> None:
        raise NotImplementedError

    def fill(self, record: RecordT) -> None:
        raise NotImplementedError

    def collect(self) -> Any:
        """The data class the service takes, read from the fields."""
        raise NotImplementedError

    def save(self, data: Any) -> RecordT:
        raise NotImplementedError

    def reread(self) -> RecordT:
        """The record as it is now in the database (after a conflict)."""
        raise NotImplementedError

    def add_field(self, key: str, label: str, widget: QWidget, *, required: bool = False) -> Any:
        """A form row for `widget`, with a hidden message line under it for the field `key`."""
        container = QWidget()
        column = QVBoxLayout(container)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        error = QLabel()
        error.setStyleSheet(_ERROR_LABEL_STYLE)
        error.setWordWrap(True)
        error.hide()
        column.addWidget(error)
        self.form.addRow(f"{label}{' *' if required else ''}:", container)
        widget.setObjectName(key)
        self._fields[key] = widget
        self._errors[key] = error
        return widget

    # --- errors --------------------------------------------------------------------------------

    def field(self, key: str) -> QWidget:
        return self._fields[key]

    def error_text(self, key: str) -> str:
        """The message shown under a field ('' when none): what tests and screen readers read."""
        label = self._errors.get(key)
        return label.text() if label is not None and not label.isHidden() else ""

    def show_errors(self, errors: Mapping[str, str]) -> None:
        self.clear_errors()
        unplaced: list[str] = []
        first: QWidget | None = None
        for key, message in errors.items():
            if key in self._fields:
                self._fields[key].setStyleSheet(_INVALID_STYLE)
                self._errors[key].setText(message)
                self._errors[key].show()
                first = first or self._fields[key]
            else:
                unplaced.append(message)
        if unplaced:
            self.general_error.setText("\n".join(unplaced))
            self.general_error.show()
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def clear_errors(self) -> None:
        for key, widget in self._fields.items():
            widget.setStyleSheet("")
            self._errors[key].clear()
            self._errors[key].hide()
        self.general_error.clear()
        self.general_error.hide()

    def show_notice(self, text: str) -> None:
        """Tell the user, without stopping them, what they should know before saving."""
        self.notice.setText(text)
        self.notice.show()

    # --- saving --------------------------------------------------------------------------------

    def accept(self) -> None:
        try:
            with history.recorded_as(self.windowTitle()):  # "Edit organization", "New meeting"
                self.saved = self.save(self.collect())
        except ValidationError as error:
            self.show_errors(error.errors)
            return
        except ConflictError as error:
            if messages.conflict(self, error.message) is messages.ConflictChoice.RELOAD:
                self.record = self.reread()
                self.notice.hide()  # what it warned of is now in the form
                self.clear_errors()
                self.fill(self.record)
            return
        except NotFoundError as error:
            messages.warn(self, error.message)
            self.reject()
            return
        except UserError as error:
            self.show_errors({"": error.message})
            return
        self.clear_errors()
        super().accept()

    @classmethod
    def ask(
        cls, parent: QWidget | None, services: Services, record: RecordT | None = None
    ) -> RecordT | None:
        """Show the dialog; the saved record, or None if cancelled. Tests patch this."""
        dialog: Self = cls(services, record, parent)
        return dialog.saved if dialog.exec() == QDialog.DialogCode.Accepted else None
