"""A reader's login on the shared server (granted by PostgreSQL, as the README says) reads,
exports and prints, but every command that writes is refused with exit 1 and nothing written;
an editor's login writes. Run against the real PostgreSQL server of the test run."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from anso_desktop.app import open_services
from anso_desktop.services.demo import load_demo
from tests.conftest import POSTGRES_ENV_VAR, postgres_url, reset_postgres_schema
from tests.spreadsheets.conftest import make_workbook

#: The README's statements, word for word: an editor may change the register, a reader only read.
GRANTS = """
CREATE ROLE anso_editor LOGIN;
GRANT CONNECT ON DATABASE {database} TO anso_editor;
GRANT USAGE ON SCHEMA public TO anso_editor;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO anso_editor;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO anso_editor;
CREATE ROLE anso_reader LOGIN;
GRANT CONNECT ON DATABASE {database} TO anso_reader;
GRANT USAGE ON SCHEMA public TO anso_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO anso_reader;
"""
#: Not from the README: a login that may add rows but not change or delete them may not edit.
PARTIAL = """
CREATE ROLE anso_adder LOGIN;
GRANT USAGE ON SCHEMA public TO anso_adder;
GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO anso_adder;
"""


def _drop_roles(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        for role in ("anso_editor", "anso_reader", "anso_adder"):
            exists = connection.execute(
                text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}
            ).scalar()
            if exists:
                connection.execute(text(f"DROP OWNED BY {role}"))
                connection.execute(text(f"DROP ROLE {role}"))
    engine.dispose()


@pytest.fixture
def logins() -> Iterator[dict[str, str]]:
    url = postgres_url()
    if url is None:
        pytest.skip(f"PostgreSQL: set {POSTGRES_ENV_VAR} to run this against a server")
    reset_postgres_schema(url)
    _drop_roles(url)
    services = open_services(url)
    load_demo(services)
    services.database.dispose()
    database = make_url(url).database
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        for statement in (GRANTS.format(database=database) + PARTIAL).strip().splitlines():
            if statement.strip():
                connection.execute(text(statement))
    engine.dispose()
    as_user = {
        role: make_url(url).set(username=role).render_as_string(hide_password=False)
        for role in ("anso_editor", "anso_reader", "anso_adder")
    }
    yield as_user
    _drop_roles(url)


def run(*arguments: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "anso_desktop", *arguments],
        capture_output=True,
        text=True,
        env={"ANSO_DATA_DIR": str(data_dir), "QT_QPA_PLATFORM": "offscreen", "PATH": ""},
        timeout=120,
    )


def test_a_reader_reads_and_an_editor_writes_on_postgresql(
    logins: dict[str, str], tmp_path: Path
) -> None:
    members = make_workbook(tmp_path / "m.xlsx", {"Members": [["Name"], ["Brand New Lab"]]})
    reader, editor = logins["anso_reader"], logins["anso_editor"]

    refused = run("import", str(members), "--db", reader, data_dir=tmp_path)
    assert refused.returncode == 1, refused.stderr
    assert "may only read" in refused.stderr and "anso_reader" in refused.stderr
    assert "Traceback" not in refused.stderr
    for writing in (["demo"], ["merge", "members", "1", "2"]):
        result = run(*writing, "--db", reader, data_dir=tmp_path)
        assert result.returncode == 1 and "may only read" in result.stderr, result.stderr

    exported = run("export", str(tmp_path / "all.xlsx"), "--db", reader, data_dir=tmp_path)
    assert exported.returncode == 0, exported.stderr
    printed = run(
        "print", "members", "--pdf", str(tmp_path / "m.pdf"), "--db", reader, data_dir=tmp_path
    )
    assert printed.returncode == 0, printed.stderr
    dry = run("import", str(members), "--dry-run", "--db", reader, data_dir=tmp_path)
    assert dry.returncode == 1 and "may only read" in dry.stderr  # it tries the writes
    for reading in (
        ["duplicates", "members"],
        ["check"],
        ["backup", str(tmp_path / "copy.sqlite")],
    ):
        result = run(*reading, "--db", reader, data_dir=tmp_path)
        assert result.returncode == 0, (reading, result.stderr)

    written = run("import", str(members), "--db", editor, data_dir=tmp_path)
    assert written.returncode == 0, written.stderr
    services = open_services(editor)
    try:
        assert services.database.read_only_reason() is None
        assert services.organizations.find_by_name("Brand New Lab") is not None
    finally:
        services.database.dispose()
    for login in ("anso_reader", "anso_adder"):
        services = open_services(logins[login])
        try:
            assert login in (services.database.read_only_reason() or "")
        finally:
            services.database.dispose()
