"""The schema's revisions, and moving a database between them.

A database already at the head revision costs one small query, and no Alembic: the revisions are
read off the scripts' own lines, the database's from its version table (Alembic is loaded only to
migrate: a tenth of a command's start-up). Nothing here backs up: opening a database backs it up
before migrating it through `maintenance.upgrade`.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sqlalchemy import Connection, inspect, text

from anso_desktop.errors import DatabaseError
from anso_desktop.paths import MIGRATIONS_DIR
from anso_desktop.storage import history
from anso_desktop.storage.database import Database

if TYPE_CHECKING:
    from alembic.config import Config

_REVISION = re.compile(r'^revision(?:: str)? = "([^"]+)"', re.MULTILINE)
_DOWN = re.compile(r'^down_revision(?:: [^=]+)? = (?:"([^"]+)"|None)', re.MULTILINE)


def alembic_config(scripts: Path = MIGRATIONS_DIR) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(scripts))
    return config


@cache
def _revisions(scripts: Path) -> dict[str, str | None]:
    """Each migration script's revision -> the one it follows, as the scripts write them."""
    found: dict[str, str | None] = {}
    for script in sorted((scripts / "versions").glob("*.py")):
        source = script.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN.search(source)
        if revision is None or down is None:
            raise RuntimeError(f"{script} names no revision and down_revision.")
        found[revision.group(1)] = down.group(1)
    return found


@cache
def head_revision(scripts: Path = MIGRATIONS_DIR) -> str:
    revisions = _revisions(scripts)
    heads = set(revisions) - {down for down in revisions.values() if down}
    if len(heads) != 1:
        raise RuntimeError(f"The migrations in {scripts} have {len(heads)} heads; merge them.")
    return heads.pop()


@cache
def known_revisions(scripts: Path = MIGRATIONS_DIR) -> frozenset[str]:
    return frozenset(_revisions(scripts))


def current_revision(database: Database) -> str | None:
    """The revision the database is at; None for an empty database.

    Raises DatabaseError for a database that holds tables of some other program.
    """
    with database.connection() as connection:
        tables = inspect(connection).get_table_names()
        revision = None
        if "alembic_version" in tables:
            revision = connection.execute(
                text("SELECT version_num FROM alembic_version")
            ).scalar_one_or_none()
        if revision is None and tables:
            raise DatabaseError(
                f"{database.location.describe()} is a database of some other program, "
                "not an ANSO Desktop database."
            )
    return revision


def checked_revision(database: Database, scripts: Path = MIGRATIONS_DIR) -> str | None:
    """`current_revision`, refusing a database made by a newer version of the program."""
    revision = current_revision(database)
    if revision is not None and revision not in known_revisions(scripts):
        raise DatabaseError(
            f"{database.location.describe()} was made by a newer version of ANSO Desktop "
            f"(schema {revision}); update the program to open it."
        )
    return revision


def upgrade(
    database: Database, *, backup: Literal[False] = False, scripts: Path = MIGRATIONS_DIR
) -> bool:
    """Migrate to the head revision, with no backup; returns whether anything was done.

    A database made by a newer version of the program is refused rather than touched. `backup`
    may only be False: `maintenance.upgrade` is the one that backs up first.
    """
    if backup:
        raise TypeError("migrations.upgrade does not back up; call maintenance.upgrade.")
    if checked_revision(database, scripts) == head_revision(scripts):
        return False
    migrate(database, "head", scripts=scripts)
    return True


def migrate(
    database: Database, revision: str, *, downgrade: bool = False, scripts: Path = MIGRATIONS_DIR
) -> None:
    """Move the schema to `revision` in one transaction, then (re)install the history triggers.

    On SQLite a table is rebuilt to change it, so foreign keys are off meanwhile (as SQLite asks)
    and checked before the commit: a migration that would break a link changes nothing.
    """
    from alembic import command

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
