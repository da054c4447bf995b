"""Start-up of the window: choose the database, open it, show the main window — or explain why
not. Also routes unexpected errors to a short message and the log file, so the window survives."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from anso_desktop import APP_NAME, __version__
from anso_desktop.errors import UserError
from anso_desktop.paths import DB_ENV_VAR, log_dir
from anso_desktop.ui import messages

log = logging.getLogger(__name__)


def forget_stored_passwords(settings: QSettings) -> None:
    """An earlier version kept server URLs with their passwords in the settings file: move each
    password to the credential store and keep the URL without it."""
    from anso_desktop.storage.credentials import moved_out

    for key in ("recent_databases", "last_database"):
        value = settings.value(key)
        if not value:
            continue
        values = [value] if isinstance(value, str) else [str(v) for v in value]
        cleaned, changed = moved_out(values)
        if changed:
            settings.setValue(key, cleaned[0] if isinstance(value, str) else cleaned)
    settings.sync()


def choose_database(path_or_url: str | None, settings: QSettings) -> str | None:
    """--db, then ANSO_DB, then the database used last time (if its file still exists)."""
    if path_or_url or os.environ.get(DB_ENV_VAR):
        return path_or_url
    last = settings.value("last_database")
    if not last:
        return None
    if "://" not in str(last) and not Path(str(last)).exists():
        return None
    return str(last)


def apply_history_settings(settings: QSettings) -> None:
    """Changes made here are recorded as the window's, under the name from Preferences.
    (Once the window has painted: the history module loads the database layer.)"""
    from anso_desktop.storage import history
    from anso_desktop.ui.dialogs.preferences import apply_saved_person

    history.set_default_source("window")
    apply_saved_person(settings)


def install_exception_hook() -> None:
    """A bug shows a short message and where the log is; the window keeps running."""

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        if isinstance(error, KeyboardInterrupt):
            sys.__excepthook__(kind, error, trace)
            return
        from anso_desktop.logs import configure_logging

        configure_logging()
        log.error("Unexpected error", exc_info=(kind, error, trace))
        if isinstance(error, UserError):
            messages.warn(QApplication.activeWindow(), error.message)
            return
        messages.error(
            QApplication.activeWindow(),
            f"Something went wrong: {kind.__name__}: {error}",
            f"Your data is safe; the change in progress was not saved.\n"
            f"The details are in the log file in {log_dir()}.",
        )

    sys.excepthook = hook


def run(path_or_url: str | None, argv: list[str]) -> int:
    """Show the window at once, then open the database in the background and fill the tabs."""
    from anso_desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("ANSO")
    install_exception_hook()
    settings = QSettings()
    window = MainWindow(settings=settings)
    window.show()
    # Once the window has painted: load the database layer and open the database.
    chosen = choose_database(path_or_url, settings)

    def after_first_paint() -> None:
        from anso_desktop.logs import configure_logging

        configure_logging()
        apply_history_settings(settings)
        forget_stored_passwords(settings)
        window.refresh_recent_menu()  # built before the cleaning: no stale password shown
        window.switch_database(chosen)

    QTimer.singleShot(0, after_first_paint)
    return app.exec()
