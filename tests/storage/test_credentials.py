"""Server passwords live in the credential store, never in a settings file: a URL is kept without
its password, opening it takes the password back from the store, settings of an earlier version
are cleaned, and without a store nothing is kept (libpq's own password file still works)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends.fail import Keyring as NoKeyring

from anso_desktop.storage import credentials
from anso_desktop.storage.database import Database

URL = "postgresql+psycopg://editor:s3cret@db.office:5432/anso"
BARE = "postgresql+psycopg://editor@db.office:5432/anso"


class MemoryKeyring(KeyringBackend):
    """A credential store in memory, standing in for the operating system's."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


@pytest.fixture
def store() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(previous)


@pytest.fixture
def no_store() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    yield
    keyring.set_keyring(previous)


def test_a_url_is_kept_without_its_password() -> None:
    assert credentials.without_password(URL) == BARE
    assert credentials.without_password(BARE) == BARE
    assert credentials.without_password("/home/me/anso.sqlite") == "/home/me/anso.sqlite"


def test_the_password_goes_to_the_store_and_comes_back(store: MemoryKeyring) -> None:
    assert credentials.remember_password(URL)
    assert store.passwords == {
        ("ANSO Desktop", "postgresql://editor@db.office:5432/anso"): "s3cret"
    }
    assert credentials.with_password(BARE) == URL
    # Another user or database is another account.
    other = "postgresql+psycopg://reader@db.office:5432/anso"
    assert credentials.with_password(other) == other


def test_without_a_store_nothing_is_kept(no_store: None) -> None:
    assert not credentials.remember_password(URL)
    assert credentials.with_password(BARE) == BARE  # libpq may find it in ~/.pgpass


def test_settings_of_an_earlier_version_are_cleaned(store: MemoryKeyring) -> None:
    cleaned, changed = credentials.moved_out([URL, "/data/anso.sqlite", BARE])
    assert changed and cleaned == [BARE, "/data/anso.sqlite", BARE]
    assert store.passwords[("ANSO Desktop", "postgresql://editor@db.office:5432/anso")] == "s3cret"
    assert credentials.moved_out(cleaned) == (cleaned, False)


def test_opening_a_url_takes_its_password_from_the_store(store: MemoryKeyring) -> None:
    credentials.remember_password(URL)
    database = Database.open(BARE)
    try:
        assert database.location.url.password == "s3cret"
        assert "s3cret" not in database.location.describe()
    finally:
        database.dispose()


def test_a_sqlite_file_never_asks_the_store(store: MemoryKeyring, tmp_path: Path) -> None:
    path = str(tmp_path / "anso.sqlite")
    assert credentials.with_password(path) == path
    assert credentials.with_password(f"sqlite:///{path}") == f"sqlite:///{path}"


def test_the_window_keeps_no_password_in_its_settings(
    store: MemoryKeyring, tmp_path: Path, qtbot: object
) -> None:
    """Settings written by an earlier version (passwords in the URLs) are cleaned on start."""
    from PySide6.QtCore import QSettings

    from anso_desktop.ui.application import forget_stored_passwords

    file = tmp_path / "settings.ini"
    settings = QSettings(str(file), QSettings.Format.IniFormat)
    settings.setValue("recent_databases", [URL, "/data/anso.sqlite"])
    settings.setValue("last_database", URL)
    settings.sync()
    assert "s3cret" in file.read_text()
    forget_stored_passwords(settings)
    assert "s3cret" not in file.read_text()
    assert settings.value("last_database") == BARE
    assert list(settings.value("recent_databases")) == [BARE, "/data/anso.sqlite"]
    assert credentials.with_password(BARE) == URL


def test_libpq_options_in_the_url_reach_the_server() -> None:
    """`sslmode`, `application_name` and the other libpq options of a URL are passed on."""
    from sqlalchemy import text

    from tests.conftest import POSTGRES_ENV_VAR, postgres_url

    url = postgres_url()
    if url is None:
        pytest.skip(f"PostgreSQL: set {POSTGRES_ENV_VAR} to run this against a server")
    database = Database.open(f"{url}?sslmode=disable&application_name=anso-check")
    try:
        with database.connection() as connection:
            name = connection.execute(text("SELECT current_setting('application_name')")).scalar()
            ssl = connection.execute(
                text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            ).scalar()
        assert (name, ssl) == ("anso-check", False)
    finally:
        database.dispose()


class BrokenKeyring(MemoryKeyring):
    """A store that fails the way a locked or absent desktop store may (a DBus error)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")


def test_a_failing_store_never_stops_an_open() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    try:
        assert not credentials.remember_password(URL)
        assert credentials.with_password(BARE) == BARE
        database = Database.open(BARE)
        database.dispose()
    finally:
        keyring.set_keyring(previous)


def test_a_password_given_as_an_option_is_treated_as_one(store: MemoryKeyring) -> None:
    url = "postgresql+psycopg://db.office/anso?user=owner&password=s3cret&sslmode=require"
    bare = credentials.without_password(url)
    assert "s3cret" not in bare and "sslmode=require" in bare and "user=owner" in bare
    assert credentials.remember_password(url)
    assert credentials.with_password(bare).count("s3cret") == 1
    database = Database.open(url)
    try:
        assert "s3cret" not in database.location.describe()
    finally:
        database.dispose()


def test_each_server_and_service_keeps_its_own_password(store: MemoryKeyring) -> None:
    first = "postgresql://editor:one@/anso?host=server-a"
    second = "postgresql://editor:two@/anso?host=server-b"
    credentials.remember_password(first)
    credentials.remember_password(second)
    assert credentials.with_password(credentials.without_password(first)) == first
    assert credentials.with_password(credentials.without_password(second)) == second
    # The settings keep the driver the database was opened with; the store finds it all the same.
    assert credentials.with_password("postgresql+psycopg://editor@/anso?host=server-a").startswith(
        "postgresql+psycopg://editor:one@"
    )


def test_an_unreadable_url_is_refused_without_showing_its_password() -> None:
    from anso_desktop.errors import DatabaseError

    with pytest.raises(DatabaseError) as refused:
        Database.open("postgre-sql://owner:s3cret@db.office:99999999/anso")
    assert "s3cret" not in refused.value.message


# --- a server that asks for a password ---------------------------------------------------------
# The test server trusts every local login (its pg_hba.conf says `trust`, and the tests leave its
# configuration alone), so it never refuses a password. The refusal is made one step below
# SQLAlchemy instead: `psycopg.connect` raises what libpq says (the wording of a real server set
# to scram-sha-256) unless the right password comes; the login itself is real.


@dataclass(frozen=True)
class PasswordServer:
    """A role and its own database on the test server, behind a password."""

    role: str
    password: str
    host: str
    port: int

    @property
    def url(self) -> str:
        """The URL as a user types it: no password."""
        return f"postgresql+psycopg://{self.role}@{self.host}:{self.port}/{self.role}"

    @property
    def account(self) -> str:
        """What the credential store keeps the password under."""
        return f"postgresql://{self.role}@{self.host}:{self.port}/{self.role}"


@contextmanager
def serving_with_password(monkeypatch: pytest.MonkeyPatch) -> Iterator[PasswordServer]:
    import psycopg
    from sqlalchemy import create_engine
    from sqlalchemy import text as sql

    from tests.conftest import POSTGRES_ENV_VAR, postgres_url

    admin_url = postgres_url()
    if admin_url is None:
        pytest.skip(f"PostgreSQL: set {POSTGRES_ENV_VAR} to run this against a server")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    host, port = admin.url.host or "127.0.0.1", admin.url.port or 5432
    server = PasswordServer(f"anso_clerk_{uuid.uuid4().hex[:10]}", "Right-0ne", host, port)
    with admin.connect() as connection:
        connection.execute(sql(f"CREATE ROLE {server.role} LOGIN PASSWORD '{server.password}'"))
        connection.execute(sql(f"CREATE DATABASE {server.role} OWNER {server.role}"))
    real_connect = psycopg.connect

    def connect(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("user") == server.role:
            where = f'connection failed: connection to server at "{host}", port {port} failed: '
            given = kwargs.get("password") or os.environ.get("PGPASSWORD")  # as libpq reads it
            if not given:
                raise psycopg.OperationalError(f"{where}fe_sendauth: no password supplied")
            if given != server.password:
                raise psycopg.OperationalError(
                    f'{where}FATAL:  password authentication failed for user "{server.role}"'
                )
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(psycopg, "connect", connect)
    try:
        yield server
    finally:
        monkeypatch.setattr(psycopg, "connect", real_connect)
        with admin.connect() as connection:
            connection.execute(sql(f"DROP DATABASE IF EXISTS {server.role} WITH (FORCE)"))
            connection.execute(sql(f"DROP ROLE IF EXISTS {server.role}"))
        admin.dispose()


@pytest.fixture
def password_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[PasswordServer]:
    with serving_with_password(monkeypatch) as server:
        yield server


def test_what_libpq_says_tells_a_missing_password_from_a_refused_one() -> None:
    from sqlalchemy.exc import OperationalError

    from anso_desktop.errors import DatabaseError

    where = 'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
    missing = OperationalError(
        "connect", {}, Exception(f"{where}fe_sendauth: no password supplied")
    )
    refused = Exception(f'{where}FATAL:  password authentication failed for user "editor"')
    wrapped = DatabaseError("Cannot reach the database server")
    wrapped.__cause__ = missing
    assert credentials.password_problem(wrapped) == "missing"
    assert credentials.password_problem(refused) == "refused"
    assert credentials.password_problem(Exception(f"{where}Connection refused")) is None
    assert credentials.password_problem(DatabaseError("x.sqlite is damaged")) is None


def test_a_prompt_names_whose_password_for_which_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sqlalchemy import make_url

    for name in ("PGUSER", "PGHOST", "PGPORT", "PGSERVICE"):
        monkeypatch.delenv(name, raising=False)
    label = credentials.account_label
    assert label(make_url(BARE)) == "editor on db.office:5432/anso"
    assert label(make_url("postgresql://editor@db.office/anso")) == "editor on db.office:5432/anso"
    assert label(make_url("postgresql:///anso?host=db2&user=owner&port=6543")) == (
        "owner on db2:6543/anso"
    )
    assert label(make_url("postgresql://editor@/?service=office")) == "editor on service office"
    assert label(make_url("postgresql:///?service=office")) == "service office"


def test_the_command_line_asks_at_the_terminal_and_keeps_nothing(
    password_server: PasswordServer, store: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    import getpass
    import sys

    prompts: list[str] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(getpass, "getpass", lambda prompt: prompts.append(prompt) or "Right-0ne")
    given = credentials.for_command_line(password_server.url)
    assert given is not None and ":Right-0ne@" in given
    assert prompts == [
        f"Password for {password_server.role} on {password_server.host}:"
        f"{password_server.port}/{password_server.role}: "
    ]
    assert store.passwords == {}  # the window is where a password is remembered
    # A password libpq found (PGPASSWORD here) and the server refused: said, then asked.
    monkeypatch.setenv("PGPASSWORD", "last-year's")
    assert credentials.for_command_line(password_server.url) == given
    assert prompts[1].startswith("The server refused the password it was given.\nPassword for ")
    # A password the store holds is used without asking.
    store.passwords[("ANSO Desktop", password_server.account)] = "Right-0ne"
    assert credentials.for_command_line(password_server.url) == given
    assert len(prompts) == 2


def test_without_a_terminal_a_command_says_how_to_give_the_password(
    password_server: PasswordServer,
    no_store: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import io
    import sys

    from anso_desktop.cli import main

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal
    assert main(["check", "--db", password_server.url]) == 1
    said = capsys.readouterr().err
    assert "needs a password" in said
    for way in ("credential store", "~/.pgpass", "PGPASSFILE", "PGPASSWORD", "service"):
        assert way in said
    # With PGPASSWORD (which libpq reads by itself) the command goes on.
    monkeypatch.setenv("PGPASSWORD", password_server.password)
    main(["check", "--db", password_server.url])
    out = capsys.readouterr()
    assert "needs a password" not in out.err
    assert f"Database: postgresql+psycopg://{password_server.role}@" in out.out
