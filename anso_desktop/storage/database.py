"""Opening a database: where it is, how its connections are set up, and one transaction per call.

A location is a file path (SQLite) or any SQLAlchemy URL (PostgreSQL for a shared office database).
Errors that are the database's or the disk's, not ours, become `DatabaseError` with a message that
says which database and what to do.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from anso_desktop.errors import DatabaseError, ReadOnlyError
from anso_desktop.paths import DB_ENV_VAR, default_database_path
from anso_desktop.storage import history

SQLITE_BUSY_TIMEOUT_MS = 5000


@dataclass(frozen=True)
class Location:
    """Where a database is: its URL, and the file behind it when it is SQLite."""

    url: URL

    @property
    def file(self) -> Path | None:
        if self.url.get_backend_name() != "sqlite" or not self.url.database:
            return None
        if self.url.database == ":memory:":
            return None
        return Path(self.url.database)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    def describe(self) -> str:
        """A name for messages: the file path, or the URL without its password."""
        if self.file is not None:
            return str(self.file)
        url = self.url
        if "password" in url.query:  # a password given as a libpq option is hidden too
            url = url.update_query_dict({"password": "***"})
        return url.render_as_string(hide_password=True)


def resolve_location(
    path_or_url: str | os.PathLike[str] | None = None, *, from_store: bool = True
) -> Location:
    """`--db` first, then `ANSO_DB`, then the per-user default file. A server URL without a
    password takes it from the credential store, unless `from_store` is False (the window reads
    the store on a worker thread: it may wait for the user to unlock it)."""
    raw = os.fspath(path_or_url) if path_or_url is not None else os.environ.get(DB_ENV_VAR)
    if not raw:
        return Location(make_url(f"sqlite:///{default_database_path()}"))
    if "://" in raw:
        try:
            url = make_url(raw)
        except (sa_exc.ArgumentError, ValueError) as error:
            shown = re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", raw)  # never a password in a message
            raise DatabaseError(f"'{shown}' is neither a file path nor a database URL.") from error
        if url.get_backend_name() == "postgresql" and url.get_driver_name() in ("", "psycopg2"):
            url = url.set(drivername="postgresql+psycopg")
        if from_store and url.password is None and url.get_backend_name() != "sqlite":
            from anso_desktop.storage.credentials import with_password

            url = make_url(with_password(url.render_as_string(hide_password=False)))
        return Location(url)
    return Location(make_url(f"sqlite:///{Path(raw).expanduser().resolve()}"))


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys on, WAL for concurrent readers, and a wait instead of 'database is locked'."""
    # Let SQLAlchemy, not the driver, decide where transactions begin (explicit BEGIN below).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        # A table with triggers journals each statement: in memory, not in a temporary file.
        cursor.execute("PRAGMA temp_store = MEMORY")
    finally:
        cursor.close()


def _begin_sqlite_transaction(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def make_engine(location: Location) -> Engine:
    if location.is_sqlite:
        file = location.file
        if file is not None and not file.parent.exists():
            raise DatabaseError(f"The folder {file.parent} does not exist.")
        engine = create_engine(location.url)
        event.listen(engine, "connect", _configure_sqlite_connection)
        event.listen(engine, "begin", _begin_sqlite_transaction)
    else:
        engine = create_engine(location.url, pool_pre_ping=True)
    history.install(engine)
    return engine


def explain_database_error(error: BaseException, location: Location) -> DatabaseError:
    """Turn a driver error into a message the user can act on."""
    original = getattr(error, "orig", error)
    text = str(original).strip()
    where = location.describe()
    lowered = text.lower()
    if isinstance(original, sqlite3.DatabaseError):
        if "not a database" in lowered or "file is encrypted" in lowered:
            return DatabaseError(f"{where} is not an ANSO Desktop database (not a SQLite file).")
        if "malformed" in lowered or "corrupt" in lowered:
            return DatabaseError(
                f"{where} is damaged ({text}). Restore it from a backup "
                "(File › Restore, or `anso-desktop restore FILE`)."
            )
        if "locked" in lowered or "busy" in lowered:
            return DatabaseError(
                f"{where} is locked by another program; close it there and try again."
            )
        if "readonly" in lowered or "read-only" in lowered:
            return DatabaseError(f"{where} cannot be written (read-only file or folder).")
        if "unable to open" in lowered:
            return DatabaseError(f"{where} cannot be opened; check that the folder exists.")
        if "disk i/o" in lowered or "full" in lowered:
            return DatabaseError(f"{where} cannot be written: {text}.")
    if isinstance(error, sa_exc.OperationalError) and not location.is_sqlite:
        return DatabaseError(f"Cannot reach the database server {where}: {text.splitlines()[0]}")
    return DatabaseError(f"Database error on {where}: {text.splitlines()[0] if text else error}")


class Database:
    """An open database: the engine, a session factory, and `transaction()` for one unit of work."""

    def __init__(self, location: Location, engine: Engine | None = None) -> None:
        self.location = location
        self.engine = engine or make_engine(location)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._current_session: ContextVar[Session | None] = ContextVar(
            f"anso_session_{id(self)}", default=None
        )

    @classmethod
    def open(
        cls, path_or_url: str | os.PathLike[str] | None = None, *, from_store: bool = True
    ) -> Database:
        return cls(resolve_location(path_or_url, from_store=from_store))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction: committed when the outermost block ends, rolled back if it raises.

        Blocks nest: a service call made inside another's transaction (an import upserting many
        rows through the services) joins it, so the whole lands or none of it does.
        Objects read here stay usable after the block (detached, attributes loaded), so widgets
        never trigger a lazy load on a closed session.
        """
        current = self._current_session.get()
        if current is not None:
            yield current
            return
        session = self._sessions()
        token = self._current_session.set(session)
        try:
            with session.begin():
                yield session
        except (sa_exc.OperationalError, sa_exc.DatabaseError) as error:
            if isinstance(error, sa_exc.IntegrityError):
                raise
            raise explain_database_error(error, self.location) from error
        finally:
            self._current_session.reset(token)
            session.close()

    @contextmanager
    def connection(self) -> Iterator[Any]:
        """A plain connection in a transaction, for storage-level work (backup, checks)."""
        try:
            with self.engine.begin() as connection:
                yield connection
        except (sa_exc.OperationalError, sa_exc.DatabaseError) as error:
            raise explain_database_error(error, self.location) from error

    def read_only_reason(self) -> str | None:
        """Why this database may only be read (None when it may be written): the server login
        has no right to change the register's tables (granted by PostgreSQL, not by us), or the
        SQLite file cannot be written."""
        if self.location.file is not None:
            file = self.location.file
            if file.exists() and not os.access(file, os.W_OK):
                return f"The file {file} is read-only."
            return None
        if self.location.is_sqlite:
            return None
        with self.connection() as connection:
            login, read_only, may_write = connection.exec_driver_sql(
                "SELECT current_user, current_setting('transaction_read_only') = 'on', "
                "bool_and(has_table_privilege(current_user, to_regclass(t.name), 'INSERT') "
                "AND has_table_privilege(current_user, to_regclass(t.name), 'UPDATE') "
                "AND has_table_privilege(current_user, to_regclass(t.name), 'DELETE')) "
                "FROM (VALUES ('organizations'), ('meetings'), ('decisions'), "
                "('finance_entries')) AS t(name) WHERE to_regclass(t.name) IS NOT NULL"
            ).one()
        if read_only or may_write is not True:  # None: the register's tables are not in sight
            return (
                f"Your database login '{login}' may only read {self.location.describe()}; "
                "ask whoever runs the server for an editor login to change it."
            )
        return None

    def require_writable(self) -> None:
        """Refuse, before anything is written, a change this login or file may not make."""
        reason = self.read_only_reason()
        if reason is not None:
            raise ReadOnlyError(reason)

    def dispose(self) -> None:
        self.engine.dispose()
