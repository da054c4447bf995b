"""Where things live: the per-user data directory, the bundled resources, the migrations."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESOURCES_DIR = PROJECT_ROOT / "resources"
MIGRATIONS_DIR = PROJECT_ROOT / "db"
DEMO_DATA_FILE = RESOURCES_DIR / "demo" / "annual_report_2021.json"

_APP_DIR_NAME = "ANSO Desktop"
_APP_AUTHOR = "ANSO"
DB_ENV_VAR = "ANSO_DB"
DATA_DIR_ENV_VAR = "ANSO_DATA_DIR"


def data_dir() -> Path:
    """The per-user data directory (database, backups); `ANSO_DATA_DIR` overrides it."""
    from platformdirs import user_data_path  # on first use: it costs the window's start-up

    override = os.environ.get(DATA_DIR_ENV_VAR)
    path = Path(override) if override else user_data_path(_APP_DIR_NAME, _APP_AUTHOR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_dir() -> Path:
    from platformdirs import user_log_path

    override = os.environ.get(DATA_DIR_ENV_VAR)
    path = Path(override) / "logs" if override else user_log_path(_APP_DIR_NAME, _APP_AUTHOR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_path() -> Path:
    return data_dir() / "anso.sqlite"


def backups_dir_for(database_file: Path | None) -> Path:
    """Automatic backups sit beside the database they protect, in a `backups` folder."""
    base = database_file.parent if database_file is not None else data_dir()
    path = base / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path
