"""Every message box the application shows goes through here, so tests can answer them without a
modal loop (monkeypatch these functions) and the wording stays in one place."""

from __future__ import annotations

from enum import Enum, auto
from typing import TYPE_CHECKING

from anso_desktop import APP_NAME

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

# QMessageBox is imported where a box is shown: loading it costs the window's first paint.


class ConflictChoice(Enum):
    RELOAD = auto()
    CANCEL = auto()


def inform(parent: QWidget | None, text: str, title: str = APP_NAME) -> None:
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.information(parent, title, text)


def warn(parent: QWidget | None, text: str, title: str = APP_NAME) -> None:
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.warning(parent, title, text)


def error(parent: QWidget | None, text: str, details: str | None = None) -> None:
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, text, parent=parent)
    if details:
        box.setInformativeText(details)
    box.exec()


def confirm(parent: QWidget | None, text: str, action: str = "Delete") -> bool:
    """Ask before something destructive; the safe answer is the default."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Question, APP_NAME, text, parent=parent)
    yes = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is yes


def conflict(parent: QWidget | None, text: str) -> ConflictChoice:
    """A stale edit: offer to reload the current values (the user's edits are then lost)."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, text, parent=parent)
    reload = box.addButton("Reload", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(reload)
    box.exec()
    return ConflictChoice.RELOAD if box.clickedButton() is reload else ConflictChoice.CANCEL
