"""Edit › Preferences…: the name the history records for this person's changes.

Left empty, the history records the operating-system user, which on a shared office computer or
a service account may say little; the name is kept in the settings and applied at start-up.
"""

from __future__ import annotations

import getpass
from typing import Self

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from anso_desktop.storage import history

PERSON_KEY = "history/person"
_HINT_STYLE = "color: #616161;"


def system_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment (a service account, a container)
        return ""


def saved_person(settings: QSettings) -> str:
    return str(settings.value(PERSON_KEY, "") or "").strip()


def apply_saved_person(settings: QSettings) -> None:
    """Record this person's changes under the name saved in Preferences (at start-up)."""
    history.set_person(saved_person(settings) or None)


class PreferencesDialog(QDialog):
    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Preferences")
        self.setMinimumWidth(520)
        self.person = QLineEdit(saved_person(settings))
        user = system_user()
        self.person.setPlaceholderText(user or "Your name")
        self.person.setClearButtonEnabled(True)
        hint = QLabel(
            "Shown under “Who” in Record history… and Recent changes, for every change you make "
            f"from now on. Left empty, your computer login{f' ({user})' if user else ''} is "
            "recorded."
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(_HINT_STYLE)
        label = QLabel("&Your name (recorded in the history of every change):")
        label.setBuddy(self.person)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.person)
        layout.addWidget(hint)
        layout.addStretch(1)
        layout.addWidget(buttons)

    def accept(self) -> None:
        name = " ".join(self.person.text().split())
        self.settings.setValue(PERSON_KEY, name)
        self.settings.sync()
        history.set_person(name or None)
        super().accept()

    @classmethod
    def ask(cls, parent: QWidget | None, settings: QSettings) -> bool:
        """Show the dialog; whether the preferences were saved. Tests patch this."""
        dialog: Self = cls(settings, parent)
        return dialog.exec() == QDialog.DialogCode.Accepted
