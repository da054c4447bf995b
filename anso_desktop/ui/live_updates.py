"""Colleagues' changes shown in an open window within seconds, without F5.

`ChangeWatcher` notices commits made by other connections: on SQLite by asking a connection of
its own for `PRAGMA data_version` (it changes when anyone else commits; microseconds) every
1.5 seconds, on PostgreSQL by listening for the notification each change set sends
(`storage/history.py`) on a thread of its own, or by asking for the latest change every few
seconds when the server cannot be listened to. Then it asks the history what changed since its
last look. `LiveUpdates` shows that in the window: the tabs that show those tables read their
rows again in place, the status bar says who changed what, and an edit dialog whose record
changed says that saving it would be refused.

The window's own saves are seen too (its connections are "others" to the watcher's): the tabs
read their rows once more, which changes nothing, and the status bar names only other people.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from sqlalchemy.exc import SQLAlchemyError

from anso_desktop.errors import NotFoundError, UserError
from anso_desktop.services.history import TABLE_NAMES, ChangedRecords
from anso_desktop.storage.history import PARTS, current_person
from anso_desktop.ui.dialogs.base import RecordDialog

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar

    from anso_desktop.services import Services
    from anso_desktop.ui.tabs.base import RecordTab


class ShowsRecords(Protocol):
    """What a window offers to be kept up to date: its tabs, a status bar, its open dialogs."""

    def record_tabs(self) -> list[RecordTab]: ...

    def statusBar(self) -> QStatusBar: ...

    def findChildren(self, kind: type[Any]) -> list[Any]: ...


log = logging.getLogger(__name__)

#: How often SQLite is asked whether anyone committed.
POLL_MS = 1500
#: How often a server that cannot be listened to is asked for its latest change.
SERVER_POLL_S = 4.0
#: How long a server that could not be listened to is polled before listening is tried again.
RETRY_LISTEN_S = 60.0
#: How long the listening thread waits for a notification before it checks whether to stop: the
#: longest a window's closing waits for it.
WAKE_S = 0.25
#: Notifications that come together (an import's change sets) are looked at once.
GATHER_MS = 150
#: How long the status bar shows what was updated.
MESSAGE_MS = 6000
#: The channel every change set notifies on PostgreSQL (`storage/history.py`).
CHANNEL = "anso_changes"

#: The tables whose changes each tab shows, by the tab's table: its own, and those whose names
#: or facts it shows (a member's name in a meeting's organizers, a decision in a member's facts).
TAB_TABLES: dict[str, frozenset[str]] = {
    "members": frozenset({"members", "decisions"}),
    "meetings": frozenset({"meetings", "members"}),
    "decisions": frozenset({"decisions", "board-meetings", "members"}),
    "finances": frozenset({"finances", "funds", "budget-plans", "exchange-rates", "members"}),
}
#: How the status bar counts each table's records: (one, many).
NOUNS: dict[str, tuple[str, str]] = {
    "members": ("member", "members"),
    "meetings": ("meeting", "meetings"),
    "board-meetings": ("board meeting", "board meetings"),
    "decisions": ("decision", "decisions"),
    "finances": ("finance entry", "finance entries"),
    "funds": ("fund", "funds"),
    "exchange-rates": ("exchange rate", "exchange rates"),
    "budget-plans": ("budget plan", "budget plans"),
}

_LOOK_ERRORS = (UserError, SQLAlchemyError)


class ChangeWatcher(QObject):
    """Notices commits by other connections to a database and tells what they changed."""

    #: What was changed since the last look (a `ChangedRecords`), on the GUI thread.
    changed = Signal(object)
    #: The history went back (a restore replaced the database): everything may have changed.
    replaced = Signal()
    #: Someone committed: sent from the listening thread, handled on the GUI thread.
    _committed = Signal()

    def __init__(
        self,
        services: Services,
        parent: QObject | None = None,
        *,
        poll_ms: int | None = None,
        server_poll_s: float | None = None,
    ) -> None:
        super().__init__(parent)
        self._history = services.history
        self._database = services.database
        self._server_poll_s = server_poll_s or SERVER_POLL_S
        #: The latest change looked at (None until the history could be read).
        self.last_seen: int | None = self._latest()
        #: Notifications received from the server (for tests and the log).
        self.notifications = 0
        self._stopped = False
        self._look = QTimer(self)
        self._look.setSingleShot(True)
        self._look.setInterval(GATHER_MS)
        self._look.timeout.connect(self.check)
        self._committed.connect(self._look.start, Qt.ConnectionType.QueuedConnection)
        self._poll = QTimer(self)
        self._poll.setInterval(poll_ms or POLL_MS)
        self._poll.timeout.connect(self._poll_version)
        self._version: sqlite3.Connection | None = None
        self._data_version: int | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._listening = threading.Event()

    # --- starting and stopping -----------------------------------------------------------------

    def start(self) -> None:
        location = self._database.location
        if location.is_sqlite:
            if location.file is not None:  # a database in memory: nobody else can change it
                self._start_sqlite(location.file.absolute().as_uri())
        else:
            self._start_server()

    def stop(self) -> None:
        """Stop looking: no timer left, the thread ended, the watcher's connection closed."""
        self._stopped = True
        self._stopping.set()
        self._poll.stop()
        self._look.stop()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
            if self._thread.is_alive():  # waiting on a server that does not answer; it ends alone
                log.warning("The thread listening for changes is still waiting on the server")
            self._thread = None
        if self._version is not None:
            self._version.close()
            self._version = None

    @property
    def listening(self) -> bool:
        """Whether the server tells this watcher of every commit (PostgreSQL's LISTEN)."""
        return self._listening.is_set()

    # --- looking -------------------------------------------------------------------------------

    def check(self) -> None:
        """Ask the history what changed since the last look, and tell it when anything did."""
        if self._stopped:
            return
        try:
            if self.last_seen is None:
                self.last_seen = self._history.latest_change_id()
                return
            changes = self._history.changed_since(self.last_seen)
            latest = None if changes.records else self._history.latest_change_id()
        except _LOOK_ERRORS as error:
            log.warning("Could not look for changes made elsewhere: %s", error)
            return
        if latest is not None and latest < self.last_seen:  # changes gone: a restore
            self.last_seen = latest
            self.replaced.emit()
            return
        self.last_seen = changes.latest
        if changes.records:
            self.changed.emit(changes)

    def _latest(self) -> int | None:
        try:
            return self._history.latest_change_id()
        except _LOOK_ERRORS as error:
            log.warning("Could not read the history to follow changes made elsewhere: %s", error)
            return None

    # --- SQLite: PRAGMA data_version -----------------------------------------------------------

    def _start_sqlite(self, uri: str) -> None:
        try:
            # Read-only: it must never create a file that went away, nor write anything.
            self._version = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None)
            self._data_version = self._read_version()
        except sqlite3.Error as error:  # then each tick asks the history itself
            log.info("Following changes by the history alone (%s)", error)
            if self._version is not None:
                self._version.close()
            self._version = None
        self._poll.start()

    def _read_version(self) -> int:
        assert self._version is not None
        return int(self._version.execute("PRAGMA data_version").fetchone()[0])

    def _poll_version(self) -> None:
        if self._version is None:
            self.check()
            return
        try:
            version = self._read_version()
        except sqlite3.Error as error:
            log.warning("Could not ask whether the database changed: %s", error)
            return
        if version != self._data_version:
            self._data_version = version
            self.check()

    # --- PostgreSQL: LISTEN, or polling when that fails ----------------------------------------

    def _start_server(self) -> None:
        import psycopg  # here, on the GUI thread: a first import on another thread is unsafe

        engine = self._database.engine
        args, params = engine.dialect.create_connect_args(engine.url)  # the password included
        params.pop("context", None)  # the engine's type adapters: nothing is read here
        params.setdefault("connect_timeout", 10)
        params.setdefault("application_name", "ANSO Desktop (changes)")
        self._thread = threading.Thread(
            target=self._listen,
            args=(psycopg, args, {**params, "autocommit": True}),
            name="anso-live-updates",
            daemon=True,  # never keeps the program from ending
        )
        self._thread.start()

    def _listen(self, psycopg: Any, args: list[Any], params: dict[str, Any]) -> None:
        """The listening thread: notifications as they come; polling while none can come."""
        polled = self.last_seen
        while not self._stopping.is_set():
            try:
                with psycopg.connect(*args, **params) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self._listening.set()
                    self._tell()  # what was committed before the listening began
                    while not self._stopping.is_set():
                        for _notification in connection.notifies(timeout=WAKE_S):
                            self.notifications += 1
                            self._tell()
            except psycopg.Error as error:
                log.warning(
                    "Cannot listen for changes on the server (%s); asking every %s s instead",
                    (str(error).strip() or type(error).__name__).splitlines()[0],
                    self._server_poll_s,
                )
            finally:
                self._listening.clear()
            polled = self._poll_server(polled, time.monotonic() + RETRY_LISTEN_S)

    def _poll_server(self, polled: int | None, until: float) -> int | None:
        while time.monotonic() < until and not self._stopping.wait(self._server_poll_s):
            try:
                latest = self._history.latest_change_id()
            except _LOOK_ERRORS as error:
                log.debug("Could not ask the server for its latest change: %s", error)
                continue
            if latest != polled:
                polled = latest
                self._tell()
        return polled

    def _tell(self) -> None:
        if not self._stopping.is_set():
            self._committed.emit()


class LiveUpdates(QObject):
    """Shows in a window what others changed: tabs re-read in place, a status bar message, a
    notice in an edit dialog whose record changed."""

    def __init__(self, window: ShowsRecords, services: Services) -> None:
        super().__init__(window)  # type: ignore[arg-type]
        self._window = window
        self._stopped = False
        self.watcher = ChangeWatcher(services, self)
        self.watcher.changed.connect(self.show)
        self.watcher.replaced.connect(self._replaced)
        self.watcher.start()

    def stop(self) -> None:
        """Stop following the database (the window closes, or opens another one)."""
        if self._stopped:
            return
        self._stopped = True
        self.watcher.stop()
        self.deleteLater()

    def show(self, changes: ChangedRecords) -> None:
        """Show `changes` in the window."""
        for tab in self._window.record_tabs():
            if TAB_TABLES.get(tab.spec.name, frozenset({tab.spec.name})) & changes.tables:
                tab.refresh_in_place()
        text = updated_text(changes, current_person())
        if text is not None:
            self._window.statusBar().showMessage(text, MESSAGE_MS)
        self._tell_dialogs(changes)

    def _replaced(self) -> None:
        for tab in self._window.record_tabs():
            tab.refresh_in_place()
        self._window.statusBar().showMessage(
            "Updated: the database was restored from a backup", MESSAGE_MS
        )

    def _tell_dialogs(self, changes: ChangedRecords) -> None:
        at = datetime.now().strftime("%H:%M")
        for dialog in self._window.findChildren(RecordDialog):
            if dialog.record is None or not dialog.isVisible():
                continue
            key = record_key(dialog.record)
            if key is None or key[1] not in changes.records.get(key[0], {}):
                continue
            text = changed_notice(dialog, changes.records[key[0]][key[1]], at)
            if text is not None:
                dialog.show_notice(text)


def changed_notice(dialog: RecordDialog[Any], who: str, at: str) -> str | None:
    """What an edit dialog says of its record changed elsewhere (None: the dialog shows the
    record as it is now, when it was opened after the change)."""
    by = "You" if who == current_person() else who
    where = " elsewhere" if who == current_person() else ""
    try:
        current = dialog.reread()
    except NotFoundError:
        return (
            f"{by} deleted this {dialog.noun}{where} at {at} — it can no longer be saved; "
            "close this window."
        )
    except NotImplementedError:
        current = None
    except UserError:
        return None
    if current is not None and getattr(current, "version", None) == getattr(
        dialog.record, "version", None
    ):
        return None
    return (
        f"{by} changed this {dialog.noun}{where} at {at} — saving now would be refused; "
        "close and reopen to see the change."
    )


def record_key(record: Any) -> tuple[str, int | None] | None:
    """The (table, record id) the history files a record's changes under: a contact's are its
    organization's."""
    table = getattr(type(record), "__tablename__", None)
    if table is None:
        return None
    owner_table, owner_column = PARTS.get(table, (table, "id"))
    return TABLE_NAMES.get(owner_table, owner_table), getattr(record, owner_column, None)


def updated_text(changes: ChangedRecords, me: str) -> str | None:
    """ "Updated: 3 members changed by Alice" — what others changed (None if nobody else did)."""
    counts: dict[str, int] = {}
    people: list[str] = []
    for table, records in changes.records.items():
        for who in records.values():
            if who == me:
                continue
            counts[table] = counts.get(table, 0) + 1
            if who not in people:
                people.append(who)
    if not people:
        return None
    parts = [
        f"{count:,} {NOUNS[table][0 if count == 1 else 1]}"
        for table, count in counts.items()
        if table in NOUNS
    ]
    if not parts:
        return f"Updated: changes by {_listed(people)}"
    return f"Updated: {_listed(parts)} changed by {_listed(people)}"


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
