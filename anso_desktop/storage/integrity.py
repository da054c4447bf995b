"""Integrity checks: is this a sound ANSO Desktop database (or backup file)?

`anso-desktop check` runs `check_database`; `maintenance.restore` runs `check_backup_file` on
the file first.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select, text

from anso_desktop.errors import DatabaseError, UserError
from anso_desktop.storage.database import Database
from anso_desktop.storage.migrations import current_revision, head_revision, known_revisions
from anso_desktop.storage.models import Base

_MAX_REPORTED_PROBLEMS = 50


@dataclass
class CheckReport:
    """What a check found: the schema revision, row counts per table, and any problems."""

    database: str
    revision: str | None = None
    row_counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_database(database: Database) -> CheckReport:
    """Run the engine's own consistency checks and ours; never raises for a damaged database,
    except when it cannot be read at all (DatabaseError)."""
    report = CheckReport(database=database.location.describe())
    with database.connection() as connection:
        if connection.dialect.name == "sqlite":
            rows = connection.exec_driver_sql("PRAGMA integrity_check").fetchall()
            messages = [row[0] for row in rows if row[0] != "ok"]
            report.problems += [f"integrity: {m}" for m in messages[:_MAX_REPORTED_PROBLEMS]]
            for table, rowid, parent, _ in connection.exec_driver_sql(
                "PRAGMA foreign_key_check"
            ).fetchall()[:_MAX_REPORTED_PROBLEMS]:
                report.problems.append(
                    f"foreign key: row {rowid} of {table} points to a missing {parent} row"
                )
    report.revision = current_revision(database)
    if report.revision is None:
        report.problems.append("the database is empty: it has no ANSO Desktop tables yet")
        return report
    if report.revision != head_revision():
        report.problems.append(
            f"schema revision {report.revision} is not the current {head_revision()}"
        )
        return report
    with database.connection() as connection:
        for table in Base.metadata.sorted_tables:
            report.row_counts[table.name] = connection.execute(
                select(func.count()).select_from(table)
            ).scalar_one()
        orphans = connection.execute(
            text("SELECT count(*) FROM organizations WHERE relation = 'member' AND status IS NULL")
        ).scalar_one()
        if orphans:
            report.problems.append(f"{orphans} member(s) have no membership status")
    return report


def check_backup_file(path: Path) -> str:
    """Refuse a file that is not a sound ANSO Desktop backup; return its schema revision."""
    if not path.exists():
        raise UserError(f"{path} does not exist.")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            result = connection.execute("PRAGMA quick_check").fetchone()
            if result is None or result[0] != "ok":
                raise DatabaseError(f"{path} is damaged ({result[0] if result else 'no answer'}).")
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            if "alembic_version" not in tables:
                raise DatabaseError(f"{path} is not an ANSO Desktop backup.")
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        connection.close()
    except sqlite3.DatabaseError as error:
        raise DatabaseError(f"{path} is not an ANSO Desktop backup ({error}).") from error
    revision = row[0] if row else None
    if revision not in known_revisions():
        raise DatabaseError(
            f"{path} was made by a newer version of ANSO Desktop; update the program first."
        )
    return revision
