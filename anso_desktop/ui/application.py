"""Start-up of the window: open the database, then show the main window, or explain why not."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from anso_desktop import APP_NAME, __version__
from anso_desktop.errors import UserError


def run(path_or_url: str | None, argv: list[str]) -> int:
    from anso_desktop.app import open_services
    from anso_desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("ANSO")
    try:
        services = open_services(path_or_url)
    except UserError as error:
        QMessageBox.critical(None, APP_NAME, error.message)
        return 1
    window = MainWindow(services)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(run(None, sys.argv))
