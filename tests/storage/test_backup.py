"""Backups, restores and start-up migrations: the data survives every one of them."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from anso_desktop.errors import DatabaseError, UserError
from anso_desktop.paths import MIGRATIONS_DIR
from anso_desktop.services import Services
from anso_desktop.services.demo import load_demo
from anso_desktop.services.meetings import MeetingData
from anso_desktop.storage import backup as backup_module
from anso_desktop.storage.backup import (
    automatic_backup,
    automatic_backups,
    backup,
    backups_to_delete,
    prune_automatic_backups,
)
from anso_desktop.storage.database import Database
from anso_desktop.storage.integrity import check_database
from anso_desktop.storage.maintenance import restore, upgrade
from anso_desktop.storage.migrations import current_revision, head_revision
from anso_desktop.storage.models import Base, Meeting, Organization
from tests.services.test_demo import MEETINGS_IN_2021 as DEMO_MEETINGS


def row_counts(database: Database) -> dict[str, int]:
    with database.connection() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


def sqlite_file_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as connection:
        counts = {
            table.name: connection.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0]
            for table in Base.metadata.sorted_tables
        }
    connection.close()
    return counts


def test_backup_then_restore_gives_the_data_back(services: Services, tmp_path: Path) -> None:
    load_demo(services)
    before = row_counts(services.database)
    target = backup(services.database, tmp_path / "annual-report.sqlite")

    assert sqlite_file_counts(target) == before  # a plain SQLite file, whatever the database
    with services.database.transaction() as session:
        session.execute(text("DELETE FROM meeting_organizers"))
        session.execute(text("DELETE FROM meetings"))
    assert row_counts(services.database)["meetings"] == 0

    restore(services.database, target)

    after = row_counts(services.database)
    # The backup's history comes back whole (the deletes above are no longer in it), and one
    # change set more says the register was restored.
    assert after == {**before, "change_sets": before["change_sets"] + 1}
    newest = services.history.change_sets(with_rows=False)[0]
    assert newest.source == "restore annual-report.sqlite"
    assert not any(
        change.action == "delete" for c in services.history.change_sets() for change in c.changes
    )
    meeting = services.meetings.list().rows[0]
    assert meeting.organizers, "organizers came back with their meetings"
    # New rows still get fresh ids after a restore that inserted explicit ones (PostgreSQL).
    created = services.meetings.create(
        MeetingData(title="Host the Second ANSO GA", start_date=meeting.start_date)
    )
    assert created.id > max(m.id for m in services.meetings.list().rows if m.id != created.id)


def test_a_backup_restores_into_the_other_kind_of_database(
    services: Services, tmp_path: Path
) -> None:
    load_demo(services)
    target = backup(services.database, tmp_path / "copy.sqlite")
    other = Database.open(str(tmp_path / "other.sqlite"))
    upgrade(other)
    restore(other, target)
    expected = row_counts(services.database)
    assert row_counts(other) == {**expected, "change_sets": expected["change_sets"] + 1}
    other.dispose()


def test_restore_backs_up_the_current_data_first(sqlite_services: Services, tmp_path: Path) -> None:
    load_demo(sqlite_services)
    snapshot = backup(sqlite_services.database, tmp_path / "snapshot.sqlite")
    restore(sqlite_services.database, snapshot)
    file = sqlite_services.database.location.file
    assert file is not None
    made = list((file.parent / "backups").glob("anso-*-before-restore.sqlite"))
    assert len(made) == 1
    assert sqlite_file_counts(made[0])["meetings"] == DEMO_MEETINGS


@pytest.mark.parametrize(
    "content", [b"Date(s),Event(s)\n1.19,WWRP/WCRP S2S project phase II\n", b""]
)
def test_restore_refuses_a_file_that_is_not_a_backup(
    sqlite_services: Services, tmp_path: Path, content: bytes
) -> None:
    load_demo(sqlite_services)
    before = row_counts(sqlite_services.database)
    bogus = tmp_path / "meetings.sqlite"
    bogus.write_bytes(content)
    with pytest.raises(DatabaseError, match="not an ANSO Desktop backup"):
        restore(sqlite_services.database, bogus)
    assert row_counts(sqlite_services.database) == before


def test_restore_refuses_a_missing_file(sqlite_services: Services, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="does not exist"):
        restore(sqlite_services.database, tmp_path / "nowhere.sqlite")


def test_automatic_backups_keep_only_the_latest(sqlite_services: Services) -> None:
    made = [automatic_backup(sqlite_services.database, reason="test") for _ in range(13)]
    file = sqlite_services.database.location.file
    assert file is not None
    kept = sorted((file.parent / "backups").glob("anso-*-test.sqlite"))
    assert len(kept) == backup_module.KEEP_AUTOMATIC_BACKUPS
    assert kept[-1] == made[-1]  # the newest survive


#: Four automatic backups a day (an import or two, an upgrade, a restore) for 40 days.
BACKUP_HOURS = (9, 12, 15, 18)
NOW = datetime(2022, 3, 15, 20, 0)


def backup_name(written: datetime, reason: str = "before-import") -> str:
    return f"anso-{written:%Y%m%d-%H%M%S-%f}-{reason}.sqlite"


def forty_days_of_backups(folder: Path) -> dict[tuple[int, int], Path]:
    """Real files, by (days before NOW, hour), each named and dated as written at that time."""
    made: dict[tuple[int, int], Path] = {}
    for days_ago in range(40):
        for hour in BACKUP_HOURS:
            written = (NOW - timedelta(days=days_ago)).replace(hour=hour)
            path = folder / backup_name(written, reason=f"test-{hour}")
            path.write_bytes(b"SQLite format 3\x00")
            os.utime(path, (written.timestamp(), written.timestamp()))
            made[days_ago, hour] = path
    return made


def test_automatic_backups_keep_the_last_ten_and_one_a_day_for_thirty_days(
    tmp_path: Path,
) -> None:
    made = forty_days_of_backups(tmp_path)
    # Not automatic backups of this database: never pruned, whatever their age.
    others = [
        tmp_path / "anso-my-copy.sqlite",
        tmp_path / "other-20220101-090000-000000-before-import.sqlite",
        tmp_path / "anso-20220230-090000-000000-before-import.sqlite",  # no such day
    ]
    for path in others:
        path.write_bytes(b"")
        os.utime(path, (0, 0))
    survivors = {
        *((0, hour) for hour in BACKUP_HOURS),  # the last ten: today's four, yesterday's four
        *((1, hour) for hour in BACKUP_HOURS),
        (2, 18),
        (2, 15),
        *((days_ago, 18) for days_ago in range(3, 30)),  # then the newest of each day to day 29
    }
    assert len(survivors) == 10 + 27

    on_mtimes = [(path, datetime.fromtimestamp(path.stat().st_mtime)) for path in made.values()]
    deleted = backups_to_delete(on_mtimes, NOW)
    assert set(deleted) == {made[key] for key in made.keys() - survivors}
    assert deleted == sorted(deleted)  # oldest first (the names sort by time)
    assert backups_to_delete(on_mtimes[:10], NOW) == []

    # The folder is pruned by the times the names hold: copying it (new mtimes) changes nothing.
    for path in made.values():
        os.utime(path)
    assert sorted(automatic_backups(tmp_path, "anso")) == sorted(on_mtimes)
    assert sorted(prune_automatic_backups(tmp_path, "anso", NOW)) == sorted(deleted)
    assert set(tmp_path.iterdir()) == {made[key] for key in survivors} | set(others)
    assert prune_automatic_backups(tmp_path, "anso", NOW) == []  # pruning again: nothing more


def test_the_newest_backup_of_a_day_outside_the_thirty_goes(tmp_path: Path) -> None:
    """Day 29 before today is the thirtieth day kept; day 30 is out, unless among the last ten."""
    day_29, day_30 = NOW - timedelta(days=29), NOW - timedelta(days=30)
    backups = [(tmp_path / backup_name(day_30), day_30), (tmp_path / backup_name(day_29), day_29)]
    assert backups_to_delete(backups, NOW, keep_last=0) == [backups[0][0]]
    assert backups_to_delete(backups, NOW, keep_last=2) == []
    assert backups_to_delete([], NOW) == []


def _migrations_with_one_more(tmp_path: Path) -> Path:
    """A copy of the real migrations plus a new revision that adds a column, as a release would."""
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9999_add_meeting_website.py").write_text(
        f'''
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head_revision()}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("website", sa.String(300)))


def downgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("website")
''',
        encoding="utf-8",
    )
    return scripts


def test_start_up_migration_backs_up_first_and_keeps_the_data(
    sqlite_services: Services, tmp_path: Path
) -> None:
    load_demo(sqlite_services)
    database = sqlite_services.database
    scripts = _migrations_with_one_more(tmp_path)

    assert upgrade(database, scripts=scripts) is True

    assert current_revision(database) == "9999"
    with database.connection() as connection:
        assert (
            connection.execute(select(func.count()).select_from(Meeting)).scalar_one()
            == DEMO_MEETINGS
        )
        assert connection.execute(text("SELECT count(website) FROM meetings")).scalar_one() == 0
    file = database.location.file
    assert file is not None
    backups = list((file.parent / "backups").glob("anso-*-before-upgrade.sqlite"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as old:
        assert (
            old.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()
        )
        assert old.execute("SELECT count(*) FROM meetings").fetchone()[0] == DEMO_MEETINGS
    old.close()


def test_a_database_from_a_newer_version_is_refused_untouched(database: Database) -> None:
    with database.connection() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dcafe'"))
    with pytest.raises(DatabaseError, match="newer version"):
        upgrade(database)
    assert current_revision(database) == "f00dcafe"


def test_a_database_of_another_program_is_refused(blank_database: Database) -> None:
    with blank_database.connection() as connection:
        connection.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"))
    with pytest.raises(DatabaseError, match="some other program"):
        upgrade(blank_database)


def test_check_passes_on_a_sound_database(services: Services) -> None:
    load_demo(services)
    report = check_database(services.database)
    assert report.ok, report.problems
    assert report.revision == head_revision()
    assert report.row_counts["meetings"] == DEMO_MEETINGS
    assert report.row_counts["organizations"] > 8


def test_check_finds_a_broken_foreign_key(sqlite_services: Services) -> None:
    load_demo(sqlite_services)
    file = sqlite_services.database.location.file
    sqlite_services.database.dispose()
    with sqlite3.connect(file) as connection:  # another tool, without foreign keys enforced
        connection.execute("PRAGMA foreign_keys = OFF")
        # ...and without the history, whose triggers refuse a write made outside the program.
        with pytest.raises(sqlite3.OperationalError, match="no such function"):
            connection.execute("DELETE FROM meetings")
        connection.execute("DROP TRIGGER history_delete_meetings")
        connection.execute(
            "DELETE FROM meetings WHERE id = (SELECT min(meeting_id) FROM meeting_organizers)"
        )
    connection.close()
    report = check_database(sqlite_services.database)
    assert not report.ok
    assert any("meeting_organizers" in problem for problem in report.problems)


def damage(file: Path) -> None:
    """Overwrite pages in the middle of a SQLite file, as a failing disk would."""
    data = bytearray(file.read_bytes())
    page = 4096
    for offset in range(page * 2, len(data) - page, page * 3):
        data[offset + 8 : offset + page] = b"\xa5" * (page - 8)
    file.write_bytes(bytes(data))


def test_check_reports_a_damaged_file(sqlite_services: Services) -> None:
    load_demo(sqlite_services)
    file = sqlite_services.database.location.file
    assert file is not None
    sqlite_services.database.dispose()
    with sqlite3.connect(file) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    damage(file)
    database = Database.open(str(file))
    try:
        report = check_database(database)
    except DatabaseError as error:
        assert "damaged" in error.message or "not an ANSO Desktop database" in error.message
    else:
        assert not report.ok
    database.dispose()


def test_organizations_keep_their_accents_through_a_backup(
    services: Services, tmp_path: Path
) -> None:
    load_demo(services)
    target = backup(services.database, tmp_path / "b.sqlite")
    with sqlite3.connect(target) as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM organizations")}
    connection.close()
    assert "Instituto de Astrofísica de Canarias" in names
    with services.database.transaction() as session:
        assert (
            session.scalar(
                select(func.count()).where(
                    Organization.name == "Instituto Argentino de Radioastronomía"
                )
            )
            == 1
        )
