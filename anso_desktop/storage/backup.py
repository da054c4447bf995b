"""Backups: copies of a database, automatic ones before risky work, and their pruning.

A backup is always a self-contained SQLite file at the current schema, whatever the database:
SQLite databases are copied page by page with SQLite's online backup API (safe while in use);
other databases (PostgreSQL) are copied row by row into a new SQLite file. So one backup file can
be restored into either kind, and opened with any SQLite tool. Restoring one (check the file,
bring it up to date, then `replace_with`) is `maintenance.restore`.

Files are written beside their final name and renamed into place, so a backup is never half there.
"""

from __future__ import annotations

import glob
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Connection, Table, func, select, text

from anso_desktop.errors import UserError
from anso_desktop.paths import backups_dir_for
from anso_desktop.storage import history
from anso_desktop.storage.database import Database, explain_database_error
from anso_desktop.storage.migrations import upgrade
from anso_desktop.storage.models import Base

#: Automatic backups always kept: the latest ones, however close together (an afternoon of imports).
KEEP_AUTOMATIC_BACKUPS = 10
#: ... and the newest of each day for this many days (today included), so that a mistake noticed
#: a week later still has a backup from before it.
KEEP_DAILY_BACKUPS_DAYS = 30
_STAMP_FORMAT = "%Y%m%d-%H%M%S-%f"
_STAMP = r"\d{8}-\d{6}-\d{6}"
_COPY_BATCH = 2000


def backup(database: Database, target: Path) -> Path:
    """Write a complete copy of the database to `target` (a new SQLite file)."""
    target = Path(target).expanduser().resolve()
    if not target.parent.is_dir():
        raise UserError(f"The folder {target.parent} does not exist.")
    handle, temporary_name = tempfile.mkstemp(prefix=".backup-", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temporary = Path(temporary_name)
    try:
        if database.location.is_sqlite and database.location.file is not None:
            copy_sqlite_file(database.location.file, temporary, self_contained=True)
        else:
            _copy_into_new_sqlite(database, temporary)
        os.replace(temporary, target)
    except sqlite3.Error as error:
        raise explain_database_error(error, database.location) from error
    finally:
        temporary.unlink(missing_ok=True)
    return target


def automatic_backup(database: Database, reason: str) -> Path | None:
    """A timestamped backup before risky work (migration, import, restore), returned so the
    caller can say where it is; older ones are pruned (`backups_to_delete`).

    Only for SQLite files (None otherwise): a server database is the office's to back up.
    """
    file = database.location.file
    if file is None or not file.exists():
        return None
    folder = backups_dir_for(file)
    now = datetime.now()
    path = backup(database, folder / f"{file.stem}-{now.strftime(_STAMP_FORMAT)}-{reason}.sqlite")
    prune_automatic_backups(folder, file.stem, now)
    return path


def backups_to_delete(
    backups: Iterable[tuple[Path, datetime]],
    now: datetime,
    *,
    keep_last: int = KEEP_AUTOMATIC_BACKUPS,
    keep_days: int = KEEP_DAILY_BACKUPS_DAYS,
) -> list[Path]:
    """The backups (file, time written) to delete, oldest first: all but the `keep_last` newest
    and the newest of each of the last `keep_days` days (today included).

    Pure, so the rule is tested without waiting 40 days; the times are naive local times, as the
    file names hold them, and days are `now`'s calendar days.
    """
    newest_first = sorted(backups, key=lambda backup: (backup[1], backup[0].name), reverse=True)
    kept = {path for path, _ in newest_first[:keep_last]}
    days_seen: set[date] = set()
    for path, written in newest_first:
        day = written.date()
        if day not in days_seen:
            days_seen.add(day)
            if (now.date() - day).days < keep_days:
                kept.add(path)
    return [path for path, _ in reversed(newest_first) if path not in kept]


def automatic_backups(folder: Path, stem: str) -> list[tuple[Path, datetime]]:
    """The automatic backups of the database `stem` in `folder`, with the time their name holds
    (a copied folder changes mtimes, not names); other files there are never touched."""
    name = re.compile(rf"{re.escape(stem)}-({_STAMP})-.+\.sqlite")
    found: list[tuple[Path, datetime]] = []
    for path in folder.glob(f"{glob.escape(stem)}-*.sqlite"):
        match = name.fullmatch(path.name)
        if match is None:
            continue
        try:
            found.append((path, datetime.strptime(match.group(1), _STAMP_FORMAT)))
        except ValueError:  # digits that are no date ("20219999-...")
            continue
    return found


def prune_automatic_backups(folder: Path, stem: str, now: datetime) -> list[Path]:
    """Delete the automatic backups `backups_to_delete` names; returns the ones deleted."""
    old = backups_to_delete(automatic_backups(folder, stem), now)
    for path in old:
        path.unlink(missing_ok=True)
    return old


def replace_with(database: Database, source: Path) -> None:
    """Replace every row of the database with those of the backup file `source`, which must be at
    the database's schema revision; nothing is checked or backed up here (`maintenance.restore`
    does both first)."""
    if database.location.is_sqlite and database.location.file is not None:
        database.dispose()
        try:
            copy_sqlite_file(source, database.location.file, self_contained=False)
        except sqlite3.Error as error:
            raise explain_database_error(error, database.location) from error
        return
    backup_db = Database.open(str(source))
    try:
        with (
            backup_db.connection() as reader,
            database.connection() as writer,
            history.suspended(writer),  # the backup brings its own history
        ):
            for table in reversed(Base.metadata.sorted_tables):
                writer.execute(table.delete())
            _copy_rows(reader, writer, Base.metadata.sorted_tables)
            _reset_sequences(writer)
    finally:
        backup_db.dispose()


def copy_sqlite_file(source: Path, target: Path, *, self_contained: bool) -> None:
    """Copy one SQLite database into another with the online backup API (consistent snapshot).

    A backup file is made `self_contained` (one file, no WAL beside it); a live database keeps WAL.
    """
    if not source.exists():
        raise UserError(f"{source} does not exist.")
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as reader:
        writer = sqlite3.connect(target)
        try:
            writer.execute("PRAGMA busy_timeout = 5000")
            reader.backup(writer)
            if self_contained:
                writer.execute("PRAGMA journal_mode = DELETE")
        finally:
            writer.close()
    reader.close()


def _copy_into_new_sqlite(database: Database, target: Path) -> None:
    copy = Database.open(str(target))
    try:
        upgrade(copy)
        with (
            database.connection() as reader,
            copy.connection() as writer,
            history.suspended(writer),  # the history is copied as it is
        ):
            _copy_rows(reader, writer, Base.metadata.sorted_tables)
    finally:
        copy.dispose()
    # One self-contained file: fold the WAL back in once no other connection is open.
    connection = sqlite3.connect(target)
    try:
        connection.execute("PRAGMA journal_mode = DELETE")
    finally:
        connection.close()


def _copy_rows(reader: Connection, writer: Connection, tables: Iterable[Table]) -> None:
    """Copy every row of each table, parents before children (foreign keys hold throughout)."""
    for table in tables:
        result = reader.execute(select(table).order_by(*table.primary_key.columns))
        while batch := result.mappings().fetchmany(_COPY_BATCH):
            writer.execute(table.insert(), [dict(row) for row in batch])


def _reset_sequences(connection: Connection) -> None:
    """After inserting explicit ids, move PostgreSQL's id sequences past them."""
    if connection.dialect.name != "postgresql":
        return
    for table in Base.metadata.sorted_tables:
        if "id" not in table.c or len(table.primary_key.columns) != 1:
            continue
        highest = connection.execute(select(func.max(table.c.id))).scalar()
        connection.execute(
            text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :value, :called)"),
            {"table": table.name, "value": highest or 1, "called": highest is not None},
        )
