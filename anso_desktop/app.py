"""The one place that wires settings, database, services and (for the GUI) the main window."""

from __future__ import annotations

import logging
import os

from anso_desktop.services import Services
from anso_desktop.storage import migrations
from anso_desktop.storage.database import Database

log = logging.getLogger(__name__)


def open_services(path_or_url: str | os.PathLike[str] | None = None) -> Services:
    """Open the database (creating it if new), bring its schema up to date, and hand back the
    services over it. Raises DatabaseError with a user-facing message if it cannot be used."""
    database = Database.open(path_or_url)
    try:
        if migrations.upgrade(database):
            log.info(
                "Database %s migrated to %s",
                database.location.describe(),
                migrations.head_revision(),
            )
    except BaseException:
        database.dispose()
        raise
    return Services.over(database)


def run_gui(path_or_url: str | None, argv: list[str]) -> int:
    """Start the window; Qt is imported only here, so headless commands never load it."""
    from anso_desktop.ui.application import run

    return run(path_or_url, argv)
