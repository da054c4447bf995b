"""The one place that wires settings, database, services and (for the GUI) the main window.

Imports of the database layer happen inside the functions, so the window can appear before
SQLAlchemy has loaded. The GUI opens a database in two steps: `prepare_database` on the GUI
thread (every import it will need, and the engine), then `open_prepared` on a worker thread (the
first connection, the schema check, any migration). Python modules must not be imported for the
first time on a worker thread while Qt for Python is running: its import hook is not thread-safe.
"""

from __future__ import annotations

import importlib
import logging
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from anso_desktop.services import Services
    from anso_desktop.storage.database import Database

log = logging.getLogger(__name__)

# Everything opening and migrating a database may import, loaded up front on the calling thread
# when a worker is to open it (a command opens it on its own thread: Alembic only if it migrates).
_DATABASE_MODULES = (
    "anso_desktop.services",
    "anso_desktop.storage.backup",
    "anso_desktop.storage.integrity",
    "anso_desktop.storage.maintenance",
    "anso_desktop.storage.migrations",
    "sqlalchemy.dialects.sqlite.pysqlite",
)
_MIGRATION_MODULES = (
    "alembic.command",
    "alembic.config",
    "alembic.context",
    "alembic.op",
    "alembic.operations.ops",
    "alembic.runtime.environment",
    "alembic.runtime.migration",
    "alembic.script",
    "alembic.ddl.impl",
)
_DIALECT_MODULES = {
    "sqlite": ("alembic.ddl.sqlite",),
    "postgresql": ("alembic.ddl.postgresql", "sqlalchemy.dialects.postgresql.psycopg", "psycopg"),
}


def prepare_database(
    path_or_url: str | os.PathLike[str] | None = None,
    *,
    from_store: bool = True,
    for_worker: bool = True,
) -> Database:
    """Import what opening the database needs and make its engine; no connection yet.
    `from_store=False`: a server password is left for the caller to find off the GUI thread.
    `for_worker=False`: the caller opens it on this thread, importing the rest as needed."""
    for name in (*_DATABASE_MODULES, *(_MIGRATION_MODULES if for_worker else ())):
        importlib.import_module(name)
    from anso_desktop.storage.database import Database
    from anso_desktop.storage.migrations import head_revision, known_revisions

    database = Database.open(path_or_url, from_store=from_store)
    for name in _DIALECT_MODULES.get(database.location.url.get_backend_name(), ()):
        if for_worker or not name.startswith("alembic"):
            importlib.import_module(name)
    # Reading the migration scripts loads them as modules: do it here too.
    head_revision()
    known_revisions()
    return database


def open_prepared(database: Database) -> Services:
    """Connect, bring the schema up to date (backing up first), and hand back the services."""
    from anso_desktop.services import Services
    from anso_desktop.storage import maintenance, migrations

    try:
        if maintenance.upgrade(database):
            log.info(
                "Database %s migrated to %s",
                database.location.describe(),
                migrations.head_revision(),
            )
    except BaseException:
        database.dispose()
        raise
    return Services.over(database)


def open_services(path_or_url: str | os.PathLike[str] | None = None) -> Services:
    """Open the database (creating it if new), bring its schema up to date, and hand back the
    services over it. Raises DatabaseError with a user-facing message if it cannot be used."""
    return open_prepared(prepare_database(path_or_url, for_worker=False))


def run_gui(path_or_url: str | None, argv: list[str]) -> int:
    """Start the window; Qt is imported only here, so headless commands never load it."""
    from anso_desktop.ui.application import run

    return run(path_or_url, argv)
