"""Logging to a file in the data directory: bugs are written there with their traceback, and users
are told where the file is instead of being shown the traceback."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

from anso_desktop.paths import log_dir

LOG_FILE_NAME = "anso-desktop.log"
_configured: Path | None = None


def configure_logging() -> Path:
    """Send log records to the rotating log file; returns its path. Safe to call twice."""
    global _configured
    if _configured is not None:
        return _configured
    path = log_dir() / LOG_FILE_NAME
    handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    _configured = path
    return path
