"""The database a command-line test points at: a SQLite file, or the PostgreSQL test server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import POSTGRES_ENV_VAR, postgres_url, reset_postgres_schema


@pytest.fixture
def db_location(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return str(tmp_path / "t.sqlite")
    url = postgres_url()
    if url is None:
        pytest.skip(f"PostgreSQL: set {POSTGRES_ENV_VAR} to run this against a server")
    reset_postgres_schema(url)
    return url
