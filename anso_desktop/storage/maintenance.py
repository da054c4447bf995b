"""Work that takes several storage modules: back up then migrate, and restore a backup.

The only storage module that imports `backup`, `integrity` and `migrations` together, so that
those stay one-way (`integrity` and `backup` use `migrations`, which uses neither).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from anso_desktop.paths import MIGRATIONS_DIR
from anso_desktop.storage import history, migrations
from anso_desktop.storage.backup import automatic_backup, copy_sqlite_file, replace_with
from anso_desktop.storage.database import Database
from anso_desktop.storage.integrity import check_backup_file


def upgrade(database: Database, *, scripts: Path = MIGRATIONS_DIR) -> bool:
    """Bring the database to the head revision, as opening it does; returns whether anything
    was done. Version check, then backup, then migrate: a SQLite database that already holds a
    schema is backed up first, so a failed migration loses nothing; one made by a newer version
    of the program is refused rather than touched."""
    revision = migrations.checked_revision(database, scripts)
    if revision == migrations.head_revision(scripts):
        return False
    if revision is not None:
        automatic_backup(database, reason="before-upgrade")
    migrations.migrate(database, "head", scripts=scripts)
    return True


def restore(database: Database, source: Path, *, named: str | None = None) -> None:
    """Replace every row of the database with the backup's; the current data is backed up first.

    The file is checked first; one from an earlier version is brought up to date in a copy
    (`named`: the file the user chose, as the history names the restore).
    """
    source = Path(source).expanduser().resolve()
    if check_backup_file(source) != migrations.head_revision():
        with tempfile.TemporaryDirectory() as folder:
            upgraded = Path(folder) / "upgraded.sqlite"
            copy_sqlite_file(source, upgraded, self_contained=True)
            copy = Database.open(str(upgraded))
            migrations.upgrade(copy)
            copy.dispose()
            restore(database, upgraded, named=named or source.name)
        return
    automatic_backup(database, reason="before-restore")
    replace_with(database, source)
    migrations.upgrade(database)
    _mark_restored(database, named or source.name)


def _mark_restored(database: Database, name: str) -> None:
    """A line in the history saying the register was replaced: the history before it is the
    backup's, so what was done between the backup and the restore is no longer listed."""
    with history.recorded_as(f"restore {name}"), database.connection() as connection:
        history.open_change_set(connection)
