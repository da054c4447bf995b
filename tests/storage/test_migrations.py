"""Each migration keeps the data of a database made by an earlier version."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import inspect, text

from anso_desktop.domain import FinanceKind
from anso_desktop.services import Services
from anso_desktop.storage.database import Database
from anso_desktop.storage.migrations import (
    current_revision,
    head_revision,
    migrate,
    upgrade,
)


def migrate_to(database: Database, revision: str, *, downgrade: bool = False) -> None:
    migrate(database, revision, downgrade=downgrade)


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
    assert current_revision(blank_database) == head_revision()


def test_0003_adds_plans_and_rates_to_a_database_with_data(blank_database: Database) -> None:
    migrate_to(blank_database, "0002")
    with blank_database.connection() as connection:
        connection.execute(
            text(
                "INSERT INTO funds (name, currency, initial_capital, version) "
                "VALUES ('STIC Endowment', 'CNY', :capital, 1)"
            ),
            # Money is whole cents on SQLite, NUMERIC on PostgreSQL.
            {"capital": 5000000000 if blank_database.location.is_sqlite else "50000000.00"},
        )
        connection.execute(
            text(
                "INSERT INTO finance_entries (fiscal_year, category, kind, amount, currency, "
                "fund_id, search_text, version) SELECT 2021, 'Scholarships', 'expenditure', "
                ":amount, 'CNY', id, 'scholarships', 1 FROM funds"
            ),
            {"amount": 30 if blank_database.location.is_sqlite else "0.30"},
        )

    assert upgrade(blank_database) is True
    assert current_revision(blank_database) == head_revision()

    services = Services.over(blank_database)
    [entry] = services.finances.list().rows
    assert (entry.category, entry.amount, entry.fund.name) == (  # type: ignore[union-attr]
        "Scholarships",
        Decimal("0.30"),
        "STIC Endowment",
    )
    [balance] = services.funds.balances()
    assert balance.balance == Decimal("49999999.70")
    plan = services.budget_plans.start_draft(2022, 2021, FinanceKind.EXPENDITURE)
    assert [(x.category, x.amount) for x in plan.lines] == [("Scholarships", Decimal("0.30"))]
    services.exchange_rates.set_rate(2021, "USD", "CNY", Decimal("6.4515"))

    migrate_to(blank_database, "0002", downgrade=True)
    with blank_database.connection() as connection:
        tables = set(inspect(connection).get_table_names())
        amount = connection.execute(text("SELECT amount FROM finance_entries")).scalar()
    assert not tables & {"budget_plans", "budget_plan_lines", "exchange_rates"}
    assert "finance_entries" in tables
    assert Decimal(amount) in (Decimal(30), Decimal("0.30"))
    assert current_revision(blank_database) == "0002"
    assert upgrade(blank_database) is True  # and up again
    assert services.budget_plans.count() == 0


def test_the_revisions_read_off_the_scripts_are_alembic_s() -> None:
    from alembic.script import ScriptDirectory

    from anso_desktop.storage.migrations import alembic_config, known_revisions

    script = ScriptDirectory.from_config(alembic_config())
    assert [head_revision()] == script.get_heads()
    assert known_revisions() == {revision.revision for revision in script.walk_revisions()}


def test_opening_a_current_database_does_not_load_alembic(tmp_path: Path) -> None:
    """Alembic is a tenth of a command's start-up: only a migration needs it."""
    import subprocess
    import sys

    from anso_desktop.app import open_services

    open_services(str(tmp_path / "current.sqlite")).database.dispose()
    probe = (
        "import sys; from anso_desktop.app import open_services; "
        f"open_services({str(tmp_path / 'current.sqlite')!r}); "
        "print('alembic' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
