"""The main window: menus, tabs and status bar; each tab lives in its own module."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow

from anso_desktop import APP_NAME
from anso_desktop.services import Services


class MainWindow(QMainWindow):
    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.setWindowTitle(f"{APP_NAME} — {services.database.location.describe()}")
        self.setCentralWidget(QLabel(f"Database: {services.database.location.describe()}"))
        self.resize(1100, 700)
