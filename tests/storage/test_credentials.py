"""Server passwords live in the credential store, never in a settings file: a URL is kept without
its password, opening it takes the password back from the store, settings of an earlier version
are cleaned, and without a store nothing is kept (libpq's own password file still works)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
