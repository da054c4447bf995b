"""Opening a database on a worker thread must import nothing new: Qt for Python's import hook is
not thread-safe, and a first import on a worker thread while the window runs can crash the app.
`prepare_database` (GUI thread) must load everything `open_prepared` (worker) will touch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = r"""
import json, sys
from anso_desktop.app import prepare_database, open_prepared
database = prepare_database(sys.argv[1])
before = set(sys.modules)
services = open_prepared(database)
services.meetings.count()
print(json.dumps(sorted(set(sys.modules) - before)))
"""


@pytest.mark.parametrize("existing", [False, True], ids=["new database", "existing database"])
def test_opening_after_prepare_imports_nothing(tmp_path: Path, existing: bool) -> None:
    file = tmp_path / "anso.sqlite"
    if existing:
        subprocess.run([sys.executable, "-c", PROBE, str(file)], check=True, capture_output=True)
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(file)], capture_output=True, text=True, check=True
    )
    newly_imported = json.loads(result.stdout.strip().splitlines()[-1])
    assert newly_imported == []
