"""The window's File menu work on databases: new, open (a file or a server URL), the recent
list, back up and restore. A part of `MainWindow`, kept apart so the window only assembles.

Opening runs off the GUI thread, and so does reading a server's password from the credential
store; the settings keep a server URL without its password (the password stays in the store).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from anso_desktop.paths import data_dir
from anso_desktop.ui import messages
from anso_desktop.ui.read_only import editing

if TYPE_CHECKING:
    from anso_desktop.services import Services
    from anso_desktop.storage.database import Location
    from anso_desktop.ui.dialogs.server_password import Login
    from anso_desktop.ui.tasks import Progress, Task

MAX_RECENT = 8
SQLITE_FILTER = "ANSO Desktop databases (*.sqlite *.db);;All files (*)"
MESSAGE_MS = 15000


@dataclass(frozen=True)
class _Opened:
    """A database opened on the worker: its services, why it may only be read (None if it may
    be written), and whether a password given for it was kept in the store (None: none given)."""

    services: Services
    read_only_reason: str | None
    kept: bool | None


@dataclass(frozen=True)
class _PasswordNeeded:
    """The server wants a password none of the usual places held (or refused the one given)."""

    refused: bool


class DatabaseActions:
    """Databases opened, remembered, backed up and restored by the window (a mixin of it)."""

    services: Services | None
    settings: Any
    undo_stack: Any
    recent_menu: Any
    placeholder: Any
    read_only_reason: str | None

    def new_database(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(
            self, "New database", str(data_dir() / "anso.sqlite"), SQLITE_FILTER
        )
        if path:
            if Path(path).exists():
                messages.warn(self, f"{path} already exists; use File › Open database to open it.")
                return
            self.switch_database(path)

    def open_database_file(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self, "Open database", str(data_dir()), SQLITE_FILTER)
        if path:
            self.switch_database(path)

    def open_database_url(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        url, ok = QInputDialog.getText(
            self,
            "Open server database",
            "Database URL, for example postgresql://user@server/anso\n"
            "(the password is asked for when the server wants one, and kept in your system's "
            "credential store, never in the settings):",
        )
        if ok and url.strip():
            self.switch_database(url.strip())

    def switch_database(self, path_or_url: str | None, login: Login | None = None) -> Task | None:
        """Open a database off the GUI thread (it may need migrating), then show it.

        None opens the default database. If it cannot be opened, the one already open stays.
        A server's password is read from the credential store on the worker too (the store may
        wait to be unlocked); one the server still asks for is asked here, and `login` is the
        answer, tried in turn.
        """
        from PySide6.QtCore import QTimer

        from anso_desktop.app import open_prepared, prepare_database
        from anso_desktop.errors import DatabaseError, UserError
        from anso_desktop.storage import credentials
        from anso_desktop.storage.database import Database, Location

        try:
            database = prepare_database(path_or_url, from_store=False)
        except UserError as error:
            self._task_failed(error)
            return None
        url = database.location.url
        server = not database.location.is_sqlite
        look_in_store = server and login is None and not credentials.has_password(url)
        if look_in_store:
            credentials.load_store()

        def work(_progress: Progress) -> _Opened | _PasswordNeeded:
            password = login.password if login is not None else None
            if look_in_store:
                password = credentials.stored_password(url)  # may wait for an unlock
            reached = database
            if password is not None:
                database.dispose()
                reached = Database(Location(credentials.with_given_password(url, password)))
            try:
                services = open_prepared(reached)
            except DatabaseError as error:
                problem = credentials.password_problem(error) if server else None
                if problem is None:
                    raise
                return _PasswordNeeded(refused=problem == "refused")
            try:
                read_only_reason = services.database.read_only_reason()  # a query on a server
            except BaseException:
                services.database.dispose()
                raise
            kept = None
            if login is not None and login.remember:  # asked once, kept in the credential store
                with_it = services.database.location.url.render_as_string(hide_password=False)
                kept = credentials.remember_password(with_it)
            elif login is None and server and credentials.has_password(url):  # given in the URL
                kept = credentials.remember_password(url.render_as_string(hide_password=False))
            return _Opened(services, read_only_reason, kept)

        def opened(result: _Opened | _PasswordNeeded) -> None:
            if isinstance(result, _PasswordNeeded):
                # Once the progress dialog has closed (its reset is queued behind this).
                QTimer.singleShot(
                    0, lambda: self._ask_password(path_or_url, database.location, result.refused)
                )
                return
            old = self.services
            self.services = result.services
            self.undo_stack.clear()
            self.read_only_reason = result.read_only_reason  # the new tabs start as they stay
            self._build_tabs()
            self.set_read_only(result.read_only_reason)
            if old is not None:
                old.database.dispose()
            self._remember_recent(self._current_location_setting())
            if result.kept is False:
                self.statusBar().showMessage(
                    "The password could not be kept in the system's credential store; "
                    "it will be asked again next time.",
                    MESSAGE_MS,
                )

        def failed(_error: BaseException) -> None:
            if self.services is None:
                self.placeholder.setText(
                    "No database is open.\n\nUse File › Open database… or File › New database…"
                )

        task = self.run_task("Opening the database…", work, opened)
        task.failed.connect(failed)
        return task

    def _ask_password(self, path_or_url: str | None, location: Location, refused: bool) -> None:
        """The server wants a password: ask, and try the answer; Cancel keeps what was open."""
        from anso_desktop.storage.credentials import account_label
        from anso_desktop.ui.dialogs.server_password import ServerPasswordDialog

        login = ServerPasswordDialog.ask(self, account_label(location.url), refused=refused)
        if login is not None:
            self.switch_database(path_or_url, login)
            return
        where = location.describe()
        if self.services is None:
            self.placeholder.setText(
                f"No database is open: {where} needs a password, and none was given.\n\n"
                "Use File › Recent databases to try again, or File › Open database…"
            )
        else:
            self.statusBar().showMessage(
                f"{where} was not opened: no password was given. "
                f"{self.services.database.location.describe()} is still open.",
                MESSAGE_MS,
            )

    def _remember_recent(self, path_or_url: str) -> None:
        recent = [path_or_url, *(r for r in self._recent() if r != path_or_url)][:MAX_RECENT]
        self.settings.setValue("recent_databases", recent)
        self.settings.setValue("last_database", path_or_url)
        self._fill_recent_menu()

    def _recent(self) -> list[str]:
        value = self.settings.value("recent_databases") or []
        return [value] if isinstance(value, str) else list(value)

    def refresh_recent_menu(self) -> None:
        """The Recent databases menu as the settings hold it now."""
        self._fill_recent_menu()

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for entry in self._recent():
            action = self.recent_menu.addAction(entry)
            action.triggered.connect(lambda _checked=False, e=entry: self.switch_database(e))
        self.recent_menu.setEnabled(bool(self._recent()))

    def backup_database(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        from anso_desktop.storage.backup import backup

        suggested = data_dir() / "anso-backup.sqlite"
        path, _ = QFileDialog.getSaveFileName(
            self, "Back up the database", str(suggested), SQLITE_FILTER
        )
        if not path:
            return
        if self.services is None:
            return
        database = self.services.database
        self.run_task(
            "Backing up…",
            lambda _progress: backup(database, Path(path)),
            lambda target: messages.inform(self, f"The database was backed up to {target}."),
        )

    @editing
    def restore_database(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        from anso_desktop.storage.maintenance import restore

        path, _ = QFileDialog.getOpenFileName(
            self, "Restore from backup", str(data_dir()), SQLITE_FILTER
        )
        if not path:
            return
        if not messages.confirm(
            self,
            f"Replace everything in this database with the contents of {path}?\n\n"
            "The current data is backed up first.",
            action="Restore",
        ):
            return
        if self.services is None:
            return
        database = self.services.database

        def restored(_result: object) -> None:
            self.undo_stack.clear()
            self.refresh_tabs()
            messages.inform(self, f"The database was restored from {path}.")

        self.run_task("Restoring…", lambda _progress: restore(database, Path(path)), restored)

    def _current_location_setting(self) -> str:
        assert self.services is not None
        location = self.services.database.location
        file = location.file
        if file is not None:
            return str(file)
        from anso_desktop.storage.credentials import without_password

        # The password stays in the credential store; a settings file never holds it.
        return without_password(location.url.render_as_string(hide_password=False))
