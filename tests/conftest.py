"""Shared fixtures: a real SQLite file per test, and the same tests against a real PostgreSQL
server when `ANSO_TEST_POSTGRES_URL` names one (`.ci/run` starts one and sets it)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

# Set before anything imports Qt or reads the data directory: tests never touch the user's files.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["ANSO_DATA_DIR"] = tempfile.mkdtemp(prefix="anso-test-data-")
os.environ.pop("ANSO_DB", None)

import pytest
from sqlalchemy import create_engine, text

from anso_desktop.services import Services
from anso_desktop.storage.database import Database
from anso_desktop.storage.migrations import upgrade

POSTGRES_ENV_VAR = "ANSO_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgresql"]


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV_VAR) or None


def reset_postgres_schema(url: str) -> None:
    """An empty public schema: each PostgreSQL test starts from nothing, like a new SQLite file."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def empty_database(backend: str, tmp_path: Path) -> Database:
    if backend == "sqlite":
        return Database.open(str(tmp_path / "anso.sqlite"))
    url = postgres_url()
    if url is None:
        pytest.skip(
            f"PostgreSQL: set {POSTGRES_ENV_VAR} to a server URL to run this against it "
            "(.ci/run installs and starts one)"
        )
    reset_postgres_schema(url)
    return Database.open(url)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def blank_database(backend: str, tmp_path: Path) -> Iterator[Database]:
    """A database with nothing in it, not even the schema."""
    database = empty_database(backend, tmp_path)
    yield database
    database.dispose()


@pytest.fixture
def database(blank_database: Database) -> Database:
    """A database at the current schema, with no rows."""
    upgrade(blank_database, backup=False)
    return blank_database


@pytest.fixture
def services(database: Database) -> Services:
    return Services.over(database)


@pytest.fixture
def sqlite_services(tmp_path: Path) -> Iterator[Services]:
    """Services over a SQLite file only: for tests of SQLite-specific behaviour."""
    database = Database.open(str(tmp_path / "anso.sqlite"))
    upgrade(database, backup=False)
    yield Services.over(database)
    database.dispose()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly how many tests ran against PostgreSQL, so a CI log shows it did."""
    passed = terminalreporter.stats.get("passed", [])
    failed = terminalreporter.stats.get("failed", [])
    on_postgres = [r for r in passed + failed if "postgresql" in r.nodeid]
    if postgres_url():
        terminalreporter.write_line(
            f"PostgreSQL: {len(on_postgres)} tests ran against the PostgreSQL server "
            f"({sum(1 for r in failed if 'postgresql' in r.nodeid)} failed)."
        )
    else:
        terminalreporter.write_line(
            f"PostgreSQL: not tested ({POSTGRES_ENV_VAR} is not set); those tests were skipped."
        )
