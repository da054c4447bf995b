"""Bringing a database to the current schema: version check, then backup, then migrate.

Runs at every start-up. A database already at the head revision costs one small query; one that
holds data and needs migrating is first backed up (SQLite), so a failed migration loses nothing.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from anso_desktop.errors import DatabaseError
from anso_desktop.paths import MIGRATIONS_DIR
from anso_desktop.storage import history
from anso_desktop.storage.database import Database


def alembic_config(scripts: Path = MIGRATIONS_DIR) -> Config:
    config = Config()
    config.set_main_option("script_location", str(scripts))
    return config


@cache
def head_revision(scripts: Path = MIGRATIONS_DIR) -> str:
    heads = ScriptDirectory.from_config(alembic_config(scripts)).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"The migrations in {scripts} have {len(heads)} heads; merge them.")
    return heads[0]


@cache
def known_revisions(scripts: Path = MIGRATIONS_DIR) -> frozenset[str]:
    script = ScriptDirectory.from_config(alembic_config(scripts))
    return frozenset(revision.revision for revision in script.walk_revisions())


def current_revision(database: Database) -> str | None:
    """The revision the database is at; None for an empty database.

    Raises DatabaseError for a database that holds tables of some other program.
    """
    with database.connection() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
        if revision is None and inspect(connection).get_table_names():
            raise DatabaseError(
                f"{database.location.describe()} is a database of some other program, "
                "not an ANSO Desktop database."
            )
    return revision


def upgrade(database: Database, *, backup: bool = True, scripts: Path = MIGRATIONS_DIR) -> bool:
    """Migrate to the head revision; returns whether anything was done.

    A SQLite database that already holds a schema is backed up first. A database made by a newer
    version of the program is refused rather than touched.
    """
    revision = current_revision(database)
    if revision is not None and revision not in known_revisions(scripts):
        raise DatabaseError(
            f"{database.location.describe()} was made by a newer version of ANSO Desktop "
            f"(schema {revision}); update the program to open it."
        )
    if revision == head_revision(scripts):
        return False
    if backup and revision is not None:
        from anso_desktop.storage.backup import automatic_backup

        automatic_backup(database, reason="before-upgrade")
    migrate(database, "head", scripts=scripts)
    return True


def migrate(
    database: Database, revision: str, *, downgrade: bool = False, scripts: Path = MIGRATIONS_DIR
) -> None:
    """Move the schema to `revision` in one transaction, then (re)install the history triggers.

    On SQLite a table is rebuilt to change it, so foreign keys are off meanwhile (as SQLite asks)
    and checked before the commit: a migration that would break a link changes nothing.
    """
    config = alembic_config(scripts)
    with database.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _pragma(connection, "PRAGMA foreign_keys = OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                (command.downgrade if downgrade else command.upgrade)(config, revision)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
                    if broken is not None:
                        raise DatabaseError(
                            f"Migrating {database.location.describe()} would break a link "
                            f"of the table {broken[0]}; nothing was changed."
                        )
                install_history_triggers(connection)
        finally:
            if sqlite:
                _pragma(connection, "PRAGMA foreign_keys = ON")


def install_history_triggers(connection: Connection) -> None:
    """The history triggers of every table, for the columns each has now."""
    inspector = inspect(connection)
    tables = {
        name: [column["name"] for column in inspector.get_columns(name)]
        for name in inspector.get_table_names()
    }
    history.install_triggers(connection, tables)


def _pragma(connection: Connection, statement: str) -> None:
    """A PRAGMA outside any transaction (SQLite ignores some inside one)."""
    raw = connection.connection.dbapi_connection
    assert raw is not None
    raw.execute(statement)
