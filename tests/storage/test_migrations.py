"""Each migration keeps the data of a database made by an earlier version."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from anso_desktop.storage.database import Database
from anso_desktop.storage.migrations import alembic_config, current_revision, upgrade


def migrate_to(database: Database, revision: str) -> None:
    config = alembic_config()
    with database.connection() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_0002_fills_the_search_text_of_existing_rows(blank_database: Database) -> None:
    migrate_to(blank_database, "0001")
    with blank_database.connection() as connection:
        connection.execute(
            text(
                "INSERT INTO organizations (name, normalized_name, kind, relation, status, "
                "acronym, version) VALUES ('Instituto de Astrofísica de Canarias', "
                "'instituto de astrofisica de canarias', 'research_institute', 'member', "
                "'endorsed', 'IAC', 1)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO meetings (title, kind, start_date, end_date, version) VALUES "
                "('Taklimakan desert forum', 'forum', '2021-06-17', '2021-06-17', 1)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO meeting_organizers (meeting_id, position, name) "
                "SELECT id, 0, 'Xinjiang Institute of Ecology and Geography (XIEG), CAS' "
                "FROM meetings"
            )
        )

    assert upgrade(blank_database) is True

    with blank_database.connection() as connection:
        organization = connection.execute(text("SELECT search_text FROM organizations")).scalar()
        meeting = connection.execute(text("SELECT search_text FROM meetings")).scalar()
        decisions = connection.execute(text("SELECT count(*) FROM decisions")).scalar()
    assert organization == "instituto de astrofisica de canarias | iac"
    assert (
        meeting
        == "taklimakan desert forum | xinjiang institute of ecology and geography (xieg), cas"
    )
    assert decisions == 0
    assert current_revision(blank_database) == "0002"
