"""An import killed outright (power cut, task manager) in the middle of writing leaves the
database exactly as it was: one transaction, so SQLite rolls the half-written rows back.

The kill comes once the import's transaction has started writing its rows (its uncommitted
pages appear in SQLite's write-ahead log), never before and never after the commit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from anso_desktop.services import Services
from anso_desktop.spreadsheets import ImportOptions, import_file
from anso_desktop.storage.database import Database
from anso_desktop.storage.migrations import upgrade
from tests.spreadsheets.conftest import load_full_demo, make_workbook, row_counts

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def big_members_file(path: Path, rows: int) -> Path:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("Members")
    for column, header in enumerate(["Name", "Acronym", "Country", "Status", "Notes"]):
        sheet.write_string(0, column, header)
    for row in range(1, rows + 1):
        sheet.write_string(row, 0, f"Imported Test Institute number {row}")
        sheet.write_string(row, 1, f"ITI{row}")
        sheet.write_string(row, 2, "Cuba")
        sheet.write_string(row, 3, "Applicant")
        sheet.write_string(row, 4, "Written by the kill test")
    workbook.close()
    return path


def wal_size(database_file: Path) -> int:
    wal = database_file.with_name(database_file.name + "-wal")
    try:
        return wal.stat().st_size
    except FileNotFoundError:
        return 0


def cli(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "anso_desktop", *arguments]


def test_a_killed_import_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    file = tmp_path / "anso.sqlite"
    database = Database.open(str(file))
    upgrade(database, backup=False)
    load_full_demo(Services.over(database))
    before = row_counts(database, with_history=True)
    database.dispose()
    environment = {**os.environ, "ANSO_DATA_DIR": str(tmp_path)}
    environment.pop("ANSO_DB", None)
    backups = tmp_path / "backups"

    pristine = file.read_bytes()  # each attempt starts from the same database

    rows = 20_000
    for _attempt in range(3):
        workbook = big_members_file(tmp_path / f"members-{rows}.xlsx", rows)
        for leftover in (file.with_name(file.name + "-wal"), file.with_name(file.name + "-shm")):
            leftover.unlink(missing_ok=True)
        file.write_bytes(pristine)
        baseline = wal_size(file)
        process = subprocess.Popen(
            cli("--db", str(file), "import", str(workbook), "--table", "members"),
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 120
        # Wait until the import's transaction is writing rows: SQLite spills its uncommitted
        # pages into the write-ahead log (the backup comes only just before the commit).
        while process.poll() is None and wal_size(file) <= baseline:
            assert time.monotonic() < deadline, "the import never wrote anything"
            time.sleep(0.002)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            output, _ = process.communicate(timeout=30)
            assert output == b"", "killed before it could report anything"
            assert wal_size(file) > baseline
            break
        process.communicate()
        rows *= 2  # finished before the kill: a bigger file
    else:
        pytest.fail("the import always finished before it could be killed")
    assert process.returncode == -signal.SIGKILL

    check = subprocess.run(
        cli("--db", str(file), "check"),
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "OK" in check.stdout
    assert f"organizations: {before['organizations']} rows" in check.stdout

    database = Database.open(str(file))
    try:
        assert row_counts(database, with_history=True) == before
        # Still a working database: not locked, and an import goes through.
        services = Services.over(database)
        small = make_workbook(
            tmp_path / "small.xlsx",
            {"Members": [["Name", "Country"], ["Imported Test Institute number 1", "Cuba"]]},
        )
        report = import_file(services, small, ImportOptions(table="members"))
        assert report.written and report.inserted == 1
        # ...whose history lands with it: one change set, its one row.
        newest = services.history.change_sets(with_rows=False)[0]
        assert newest.counts == {("members", "insert"): 1}
    finally:
        database.dispose()
    # The backup taken before the import holds the data as it was too.
    backup = Database.open(str(next(backups.glob("*before-import*.sqlite"))))
    try:
        assert row_counts(backup, with_history=True) == before
    finally:
        backup.dispose()
