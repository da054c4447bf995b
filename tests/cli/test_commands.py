"""The command line as a script would use it: a real process, real files, exit codes and messages."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from anso_desktop import __version__
from tests.storage.test_backup import damage


def run_cli(
    *arguments: str, data_dir: Path, db: str | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "ANSO_DATA_DIR": str(data_dir)}
    environment.pop("ANSO_DB", None)
    if db is not None:
        environment["ANSO_DB"] = db
    return subprocess.run(
        [sys.executable, "-m", "anso_desktop", *arguments],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr + result.stdout


def test_demo_twice_then_check(db_location: str, tmp_path: Path) -> None:
    first = run_cli("--db", db_location, "demo", data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "38 meetings" in first.stdout

    second = run_cli("demo", "--db", db_location, data_dir=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "nothing added" in second.stdout

    check = run_cli("--db", db_location, "check", data_dir=tmp_path)
    assert check.returncode == 0, check.stderr
    assert "meetings: 38 rows" in check.stdout
    assert "OK" in check.stdout


def test_backup_and_restore_round_trip(db_location: str, tmp_path: Path) -> None:
    assert run_cli("--db", db_location, "demo", data_dir=tmp_path).returncode == 0
    backup_file = tmp_path / "before-the-assembly.sqlite"
    made = run_cli("--db", db_location, "backup", str(backup_file), data_dir=tmp_path)
    assert made.returncode == 0, made.stderr
    with sqlite3.connect(backup_file) as connection:
        assert connection.execute("SELECT count(*) FROM meetings").fetchone()[0] == 38
    connection.close()

    restored = run_cli("--db", db_location, "restore", str(backup_file), data_dir=tmp_path)
    assert restored.returncode == 0, restored.stderr
    check = run_cli("--db", db_location, "check", data_dir=tmp_path)
    assert "meetings: 38 rows" in check.stdout


def test_the_database_comes_from_ANSO_DB_when_no_option(tmp_path: Path) -> None:
    file = tmp_path / "from-env.sqlite"
    result = run_cli("demo", data_dir=tmp_path, db=str(file))
    assert result.returncode == 0, result.stderr
    assert str(file) in result.stdout
    assert file.exists()


def test_the_default_database_is_in_the_data_directory(tmp_path: Path) -> None:
    result = run_cli("demo", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "anso.sqlite").exists()


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "members.sqlite"
    file.write_text("Name,Country\nCuban Academy of Sciences,Cuba\n", encoding="utf-8")
    for command in ("check", "demo"):
        result = run_cli("--db", str(file), command, data_dir=tmp_path)
        assert result.returncode == 1
        assert_no_traceback(result)
        assert "is not an ANSO Desktop database" in result.stderr
    assert file.read_text(encoding="utf-8").startswith("Name,Country")


def test_a_damaged_database_is_refused_with_exit_1(tmp_path: Path) -> None:
    file = tmp_path / "t.sqlite"
    assert run_cli("--db", str(file), "demo", data_dir=tmp_path).returncode == 0
    with sqlite3.connect(file) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    damage(file)
    result = run_cli("--db", str(file), "check", data_dir=tmp_path)
    assert result.returncode == 1
    assert_no_traceback(result)
    assert result.stderr.strip(), "the user is told what is wrong"


def test_restore_of_a_bad_file_changes_nothing(tmp_path: Path) -> None:
    file = tmp_path / "t.sqlite"
    assert run_cli("--db", str(file), "demo", data_dir=tmp_path).returncode == 0
    bogus = tmp_path / "bogus.sqlite"
    bogus.write_bytes(b"PK\x03\x04 not a database")
    result = run_cli("--db", str(file), "restore", str(bogus), data_dir=tmp_path)
    assert result.returncode == 1
    assert_no_traceback(result)
    assert "bogus.sqlite" in result.stderr
    check = run_cli("--db", str(file), "check", data_dir=tmp_path)
    assert "meetings: 38 rows" in check.stdout


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli("--db", str(tmp_path / "no" / "such" / "t.sqlite"), "demo", data_dir=tmp_path)
    assert result.returncode == 1
    assert_no_traceback(result)
    assert "does not exist" in result.stderr


def test_version_and_help(tmp_path: Path) -> None:
    version = run_cli("--version", data_dir=tmp_path)
    assert version.returncode == 0
    assert __version__ in version.stdout
    help_text = run_cli("--help", data_dir=tmp_path)
    assert help_text.returncode == 0
    for command in ("demo", "check", "backup", "restore"):
        assert command in help_text.stdout


def test_wrong_usage_exits_2(tmp_path: Path) -> None:
    result = run_cli("backup", data_dir=tmp_path)  # FILE missing
    assert result.returncode == 2
    assert "usage" in result.stderr.lower()
    assert run_cli("--frobnicate", data_dir=tmp_path).returncode == 2


def test_main_py_runs_the_same_command_line(tmp_path: Path) -> None:
    main_py = Path(__file__).resolve().parents[2] / "main.py"
    result = subprocess.run(
        [sys.executable, str(main_py), "--version"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ANSO_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert __version__ in result.stdout
