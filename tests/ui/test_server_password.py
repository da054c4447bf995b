"""A server that wants a password the URL and the credential store do not hold: the window asks
(on the GUI thread, after reading the store on a worker), connects with the answer, keeps it in
the credential store when asked to, asks again when the server refuses it, and Cancel leaves the
window as it was. No password reaches the settings file, the log or a message.

The server is the test PostgreSQL server; it trusts every local login, so the refusal is made
below SQLAlchemy (see `serving_with_password` in tests/storage/test_credentials.py)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from PySide6.QtCore import QSettings

from anso_desktop.ui.dialogs.server_password import (
    REFUSED_TEXT,
    REMEMBER_TEXT,
    Login,
    ServerPasswordDialog,
)
from anso_desktop.ui.main_window import MainWindow
from tests.storage.test_credentials import (
    BrokenKeyring,
    MemoryKeyring,
    PasswordServer,
    serving_with_password,
)

WAIT_MS = 20000


class ThreadNotingKeyring(MemoryKeyring):
    """A store that notes whether each read came on the GUI thread (it must not: a locked store
    waits there for the user)."""

    def __init__(self) -> None:
        super().__init__()
        self.read_on_gui_thread: list[bool] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.read_on_gui_thread.append(threading.current_thread() is threading.main_thread())
        return super().get_password(service, username)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[PasswordServer]:
    with serving_with_password(monkeypatch) as served:
        yield served


@pytest.fixture
def store() -> Iterator[ThreadNotingKeyring]:
    previous = keyring.get_keyring()
    memory = ThreadNotingKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(previous)


Typed = str | Login | None


@pytest.fixture
def typing(monkeypatch: pytest.MonkeyPatch, qtbot: Any) -> Callable[..., list[dict[str, Any]]]:
    """Answer the password dialogs in turn, typing into the real dialog: a password (remember
    ticked), a `Login`, or None for Cancel. Returns what each dialog showed."""

    def answer(*answers: Typed) -> list[dict[str, Any]]:
        shown: list[dict[str, Any]] = []
        queue = list(answers)

        def ask(cls: type, parent: Any, account: str, *, refused: bool = False) -> Login | None:
            dialog = ServerPasswordDialog(account, refused=refused, parent=parent)
            qtbot.addWidget(dialog)
            shown.append(
                {
                    "prompt": dialog.prompt.text(),
                    "refused": not dialog.refused.isHidden(),
                    "remember": dialog.remember.isChecked(),
                }
            )
            typed = queue.pop(0) if queue else None
            if typed is None:
                dialog.reject()
                return None
            login = typed if isinstance(typed, Login) else Login(typed, True)
            qtbot.keyClicks(dialog.password, login.password)
            dialog.remember.setChecked(login.remember)
            dialog.accept()
            return dialog.login() if dialog.result() == dialog.DialogCode.Accepted else None

        monkeypatch.setattr(ServerPasswordDialog, "ask", classmethod(ask))
        return shown

    return answer


def opened_on(window: MainWindow, server: PasswordServer) -> bool:
    return window.services is not None and window.services.database.location.url.database == (
        server.role
    )


def test_the_password_is_asked_used_and_kept_in_the_store_only(
    qtbot: Any,
    window: MainWindow,
    server: PasswordServer,
    store: ThreadNotingKeyring,
    typing: Callable[..., list[dict[str, Any]]],
    settings: QSettings,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    shown = typing(server.password)
    window.switch_database(server.url)
    qtbot.waitUntil(lambda: opened_on(window, server), timeout=WAIT_MS)
    where = f"{server.role} on {server.host}:{server.port}/{server.role}"
    assert shown == [{"prompt": f"Password for {where}:", "refused": False, "remember": True}]
    assert store.passwords == {("ANSO Desktop", server.account): server.password}
    assert store.read_on_gui_thread == [False]  # looked up on a worker, found nothing
    settings.sync()
    assert server.role in (tmp_path / "settings.ini").read_text()
    assert server.password not in (tmp_path / "settings.ini").read_text()
    assert settings.value("last_database") == server.url
    assert server.password not in window.database_label.text()
    assert server.password not in caplog.text


def test_a_refused_password_is_asked_again(
    qtbot: Any,
    window: MainWindow,
    server: PasswordServer,
    store: ThreadNotingKeyring,
    typing: Callable[..., list[dict[str, Any]]],
) -> None:
    shown = typing("not-it", server.password)
    window.switch_database(server.url)
    qtbot.waitUntil(lambda: opened_on(window, server), timeout=WAIT_MS)
    assert [dialog["refused"] for dialog in shown] == [False, True]
    assert store.passwords == {("ANSO Desktop", server.account): server.password}


def test_a_stored_password_is_read_off_the_gui_thread_and_not_asked(
    qtbot: Any,
    window: MainWindow,
    server: PasswordServer,
    store: ThreadNotingKeyring,
    typing: Callable[..., list[dict[str, Any]]],
) -> None:
    store.passwords[("ANSO Desktop", server.account)] = server.password
    shown = typing()
    window.switch_database(server.url)
    qtbot.waitUntil(lambda: opened_on(window, server), timeout=WAIT_MS)
    assert shown == []
    assert store.read_on_gui_thread == [False]


def test_a_stale_stored_password_is_asked_again_and_replaced(
    qtbot: Any,
    window: MainWindow,
    server: PasswordServer,
    store: ThreadNotingKeyring,
    typing: Callable[..., list[dict[str, Any]]],
) -> None:
    store.passwords[("ANSO Desktop", server.account)] = "last-year's"
    shown = typing(server.password)
    window.switch_database(server.url)
    qtbot.waitUntil(lambda: opened_on(window, server), timeout=WAIT_MS)
    assert [dialog["refused"] for dialog in shown] == [True]
    assert store.passwords == {("ANSO Desktop", server.account): server.password}


def test_a_password_not_to_remember_is_not_kept(
    qtbot: Any,
    window: MainWindow,
    server: PasswordServer,
    store: ThreadNotingKeyring,
    typing: Callable[..., list[dict[str, Any]]],
) -> None:
    typing(Login(server.password, remember=False))
    window.switch_database(server.url)
    qtbot.waitUntil(lambda: opened_on(window, server), timeout=WAIT_MS)
    assert store.passwords == {}


def test_cancel_keeps_the_database_that_was_open(
    qtbot: Any,
    window: MainWindow,
    server: PasswordServer,
    store: ThreadNotingKeyring,
    typing: Callable[..., list[dict[str, Any]]],
) -> None:
    before = window.services
    assert before is not None
    shown = typing(None)
    window.switch_database(server.url)
    qtbot.waitUntil(lambda: bool(window.statusBar().currentMessage()), timeout=WAIT_MS)
    assert len(shown) == 1
    message = window.statusBar().currentMessage()
    assert "was not opened: no password was given" in message
    assert str(before.database.location.file) in message
    assert window.services is before
    assert window.database_label.text() == str(before.database.location.file)
    assert store.passwords == {}


def test_cancel_at_start_leaves_the_start_state(
    qtbot: Any,
    server: PasswordServer,
    store: ThreadNotingKeyring,
    typing: Callable[..., list[dict[str, Any]]],
    settings: QSettings,
) -> None:
    window = MainWindow(None, settings)
    qtbot.addWidget(window)
    typing(None)
    window.switch_database(server.url)
    qtbot.waitUntil(lambda: "needs a password" in window.placeholder.text(), timeout=WAIT_MS)
    assert window.services is None
    assert server.url in window.placeholder.text()
    assert settings.value("last_database") is None


def test_a_store_that_cannot_keep_it_is_said_and_the_database_opens(
    qtbot: Any,
    window: MainWindow,
    server: PasswordServer,
    typing: Callable[..., list[dict[str, Any]]],
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    try:
        shown = typing(server.password)
        window.switch_database(server.url)
        qtbot.waitUntil(lambda: opened_on(window, server), timeout=WAIT_MS)
    finally:
        keyring.set_keyring(previous)
    assert len(shown) == 1
    assert "could not be kept in the system's credential store" in (
        window.statusBar().currentMessage()
    )


def test_the_dialog_asks_for_a_hidden_password_and_offers_to_remember_it(qtbot: Any) -> None:
    dialog = ServerPasswordDialog("editor on db.office:5432/anso", refused=True)
    qtbot.addWidget(dialog)
    assert dialog.prompt.text() == "Password for editor on db.office:5432/anso:"
    assert dialog.refused.text() == REFUSED_TEXT and not dialog.refused.isHidden()
    assert dialog.password.echoMode() is dialog.password.EchoMode.Password
    assert dialog.remember.text() == REMEMBER_TEXT and dialog.remember.isChecked()
    assert not dialog.ok_button.isEnabled()  # nothing typed yet
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted
    qtbot.keyClicks(dialog.password, "s3cret")
    assert dialog.ok_button.isEnabled()
    assert dialog.login() == Login("s3cret", True)
    assert "s3cret" not in repr(dialog.login())
    first_time = ServerPasswordDialog("editor on db.office:5432/anso")
    qtbot.addWidget(first_time)
    assert first_time.refused.isHidden()
