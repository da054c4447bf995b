"""Asking for a server password the URL, the credential store and libpq's own files did not
hold, or that the server refused. The password goes back to the caller only: whether it is kept
(in the system's credential store, never the settings) is the caller's to do once it worked."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

REFUSED_TEXT = "The server refused the password."
REMEMBER_TEXT = "Remember in the system's credential store"


@dataclass(frozen=True)
class Login:
    """A password typed for a server, and whether to keep it once the server takes it."""

    password: str = field(repr=False)  # never in a log or a traceback
    remember: bool = True


class ServerPasswordDialog(QDialog):
    """ "Password for editor on db.office:5432/anso", a password field and "Remember…"."""

    def __init__(self, account: str, *, refused: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Server password")
        self.setMinimumWidth(420)
        self.prompt = QLabel(f"Password for {account}:")
        self.prompt.setWordWrap(True)
        self.refused = QLabel(REFUSED_TEXT)
        self.refused.setStyleSheet("color: #c62828;")
        self.refused.setVisible(refused)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setObjectName("password")
        self.remember = QCheckBox(REMEMBER_TEXT)
        self.remember.setChecked(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setEnabled(False)  # an empty password is no answer
        self.password.textChanged.connect(lambda text: self.ok_button.setEnabled(bool(text)))
        layout = QVBoxLayout(self)
        layout.addWidget(self.refused)
        layout.addWidget(self.prompt)
        layout.addWidget(self.password)
        layout.addWidget(self.remember)
        layout.addWidget(self.buttons)
        self.password.setFocus()

    def accept(self) -> None:
        if self.password.text():
            super().accept()

    def login(self) -> Login:
        return Login(self.password.text(), self.remember.isChecked())

    @classmethod
    def ask(cls, parent: QWidget | None, account: str, *, refused: bool = False) -> Login | None:
        """Show the dialog; the password typed, or None if cancelled. Tests patch this."""
        dialog = cls(account, refused=refused, parent=parent)
        try:
            return dialog.login() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.password.clear()
            dialog.deleteLater()
