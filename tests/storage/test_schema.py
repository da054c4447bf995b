"""The schema: migrations from nothing, migrations agree with the models, and every constraint
refuses bad rows in the database itself (so no code path can bypass it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import DataError, IntegrityError

from anso_desktop.storage.database import Database
from anso_desktop.storage.migrations import current_revision, head_revision, upgrade
from anso_desktop.storage.models import Base

EXPECTED_TABLES = {
    "alembic_version",
    "board_meetings",
    "budget_plan_lines",
    "budget_plans",
    "change_sets",
    "changes",
    "contacts",
    "decision_organizations",
    "decisions",
    "distinct_pairs",
    "exchange_rates",
    "finance_entries",
    "funds",
    "meeting_organizers",
    "meetings",
    "organization_aliases",
    "organizations",
}


def test_migrations_build_the_schema_from_an_empty_database(blank_database: Database) -> None:
    assert current_revision(blank_database) is None
    assert upgrade(blank_database) is True
    assert current_revision(blank_database) == head_revision()
    with blank_database.connection() as connection:
        assert set(inspect(connection).get_table_names()) == EXPECTED_TABLES
    assert upgrade(blank_database) is False  # already at head: nothing to do


def test_migrations_match_the_models(database: Database) -> None:
    with database.connection() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def _insert(connection: Connection, sql: str, **values: object) -> None:
    connection.execute(text(sql), values)


def _meeting(connection: Connection, title: str = "Taklimakan desert forum", **dates: date) -> None:
    _insert(
        connection,
        "INSERT INTO meetings (title, kind, start_date, end_date, version) "
        "VALUES (:title, 'forum', :start, :end, 1)",
        title=title,
        start=dates.get("start", date(2021, 6, 17)),
        end=dates.get("end", date(2021, 6, 17)),
    )


def _organization(connection: Connection, name: str, relation: str, status: str | None) -> None:
    _insert(
        connection,
        "INSERT INTO organizations (name, normalized_name, kind, relation, status, version) "
        "VALUES (:name, :normalized, 'academy', :relation, :status, 1)",
        name=name,
        normalized=name.lower(),
        relation=relation,
        status=status,
    )


def _board_meeting(connection: Connection, number: int = 4) -> None:
    _insert(
        connection,
        "INSERT INTO board_meetings (number, date, version) VALUES (:number, :date, 1)",
        number=number,
        date=date(2021, 10, 9),
    )


def _entry(connection: Connection, **overrides: object) -> None:
    values: dict[str, object] = {
        "year": 2021,
        "category": "Training",
        "kind": "expenditure",
        "amount": 100,
        "currency": "CNY",
    }
    values.update(overrides)
    _insert(
        connection,
        "INSERT INTO finance_entries (fiscal_year, category, kind, amount, currency, version) "
        "VALUES (:year, :category, :kind, :amount, :currency, 1)",
        **values,
    )


def _rate(connection: Connection, rate: object = 6.4515, to_currency: str = "CNY") -> None:
    _insert(
        connection,
        "INSERT INTO exchange_rates (fiscal_year, currency, to_currency, rate, version) "
        "VALUES (2021, 'USD', :to_currency, :rate, 1)",
        rate=rate,
        to_currency=to_currency,
    )


def _plan(
    connection: Connection, revision: int = 1, status: str = "draft", approved_on: object = None
) -> None:
    _insert(
        connection,
        "INSERT INTO budget_plans (fiscal_year, revision, status, approved_on, version) "
        "VALUES (2022, :revision, :status, :approved_on, 1)",
        revision=revision,
        status=status,
        approved_on=approved_on,
    )


def _plan_line(connection: Connection, amount: object = 100, plan_id: int | None = None) -> None:
    _insert(
        connection,
        "INSERT INTO budget_plan_lines (plan_id, category, currency, amount) "
        "VALUES (COALESCE(:plan_id, (SELECT max(id) FROM budget_plans)), 'Training', 'CNY', "
        ":amount)",
        plan_id=plan_id,
        amount=amount,
    )


VIOLATIONS: dict[str, Callable[[Connection], None]] = {
    "meeting ends before it starts": lambda c: _meeting(
        c, start=date(2021, 4, 23), end=date(2021, 4, 21)
    ),
    "meeting title blank": lambda c: _meeting(c, title="   "),
    "meeting title and start date repeated": lambda c: (_meeting(c), _meeting(c)),
    "meeting kind unknown": lambda c: _insert(
        c,
        "INSERT INTO meetings (title, kind, start_date, end_date, version) "
        "VALUES ('x', 'party', '2021-01-01', '2021-01-01', 1)",
    ),
    "negative participant count": lambda c: _insert(
        c,
        "INSERT INTO meetings (title, kind, start_date, end_date, participants_count, version) "
        "VALUES ('x', 'forum', '2021-01-01', '2021-01-01', -5, 1)",
    ),
    "organizer of a missing meeting": lambda c: _insert(
        c, "INSERT INTO meeting_organizers (meeting_id, position, name) VALUES (999, 0, 'CAS')"
    ),
    "member without a status": lambda c: _organization(
        c, "Cuban Academy of Sciences", "member", None
    ),
    "partner with a status": lambda c: _organization(c, "UNESCO", "partner", "active"),
    "status unknown": lambda c: _organization(c, "RAS", "member", "honorary"),
    "organization name repeated (normalized)": lambda c: (
        _organization(c, "Universiti Tunku Abdul Rahman", "member", "applicant"),
        _organization(c, "UNIVERSITI TUNKU ABDUL RAHMAN", "member", "applicant"),
    ),
    "country not a two-letter code": lambda c: _insert(
        c,
        "INSERT INTO organizations (name, normalized_name, kind, relation, country, version) "
        "VALUES ('IAC', 'iac', 'research_institute', 'other', 'Spain', 1)",
    ),
    "endorsed before applying": lambda c: _insert(
        c,
        "INSERT INTO organizations (name, normalized_name, kind, relation, status, applied_on, "
        "endorsed_on, version) VALUES ('IAR', 'iar', 'research_institute', 'member', "
        "'endorsed', '2021-10-09', '2021-01-01', 1)",
    ),
    "board meeting number zero": lambda c: _board_meeting(c, number=0),
    "board meeting number repeated": lambda c: (_board_meeting(c), _board_meeting(c)),
    "decision number repeated in one board meeting": lambda c: (
        _board_meeting(c),
        _insert(
            c,
            "INSERT INTO decisions (board_meeting_id, number, text, status, version) "
            "SELECT id, 1, 'Endorsed eight applications', 'adopted', 1 FROM board_meetings",
        ),
        _insert(
            c,
            "INSERT INTO decisions (board_meeting_id, number, text, status, version) "
            "SELECT id, 1, 'Host the Second ANSO GA', 'adopted', 1 FROM board_meetings",
        ),
    ),
    "decision of a missing board meeting": lambda c: _insert(
        c,
        "INSERT INTO decisions (board_meeting_id, number, text, status, version) "
        "VALUES (999, 1, 'x', 'adopted', 1)",
    ),
    "negative amount": lambda c: _entry(c, amount=-1),
    "fiscal year 1850": lambda c: _entry(c, year=1850),
    "currency not three letters": lambda c: _entry(c, currency="YUAN"),
    "finance kind unknown": lambda c: _entry(c, kind="gift"),
    "blank category": lambda c: _entry(c, category=" "),
    "exchange rate zero": lambda c: _rate(c, rate=0),
    "exchange rate into the same currency": lambda c: _rate(c, to_currency="USD"),
    "exchange rate repeated for a year": lambda c: (_rate(c), _rate(c, rate=6.5)),
    "budget plan revision zero": lambda c: _plan(c, revision=0),
    "budget plan revision repeated": lambda c: (_plan(c), _plan(c)),
    "approved budget plan without a date": lambda c: _plan(c, status="approved"),
    "draft budget plan with an approval date": lambda c: _plan(c, approved_on=date(2021, 12, 1)),
    "budget plan status unknown": lambda c: _plan(c, status="final"),
    "budget plan line repeated": lambda c: (_plan(c), _plan_line(c), _plan_line(c, amount=5)),
    "budget plan line negative": lambda c: (_plan(c), _plan_line(c, amount=-1)),
    "budget plan line of a missing plan": lambda c: _plan_line(c, plan_id=999),
}


@pytest.mark.parametrize("violation", list(VIOLATIONS))
def test_the_database_refuses(database: Database, violation: str) -> None:
    # PostgreSQL reports a value too long for its column as a DataError, SQLite as a CHECK.
    with pytest.raises((IntegrityError, DataError)), database.engine.begin() as connection:
        VIOLATIONS[violation](connection)


def test_a_valid_row_is_accepted_by_the_same_helpers(database: Database) -> None:
    """The violation helpers insert good rows when given good values (so the refusals above are
    about the bad value, not a broken helper)."""
    with database.engine.begin() as connection:
        _meeting(connection)
        _organization(connection, "Cuban Academy of Sciences", "member", "applicant")
        _board_meeting(connection)
        _entry(connection)
        _rate(connection)
        _plan(connection, status="approved", approved_on=date(2021, 12, 20))
        _plan_line(connection)
    tables = (
        "meetings",
        "organizations",
        "board_meetings",
        "finance_entries",
        "exchange_rates",
        "budget_plans",
        "budget_plan_lines",
    )
    with database.engine.connect() as connection:
        counts = [
            connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in tables
        ]
    assert counts == [1] * len(tables)


def test_deleting_an_organization_deletes_its_contacts(database: Database) -> None:
    with database.engine.begin() as connection:
        _organization(connection, "Pakistan Academy of Sciences", "member", "active")
        _insert(
            connection,
            "INSERT INTO contacts (organization_id, name, version) "
            "SELECT id, 'Prof. M. Qasim Jan', 1 FROM organizations",
        )
        connection.execute(text("DELETE FROM organizations"))
        assert connection.execute(text("SELECT count(*) FROM contacts")).scalar_one() == 0


def test_deleting_a_budget_plan_deletes_its_lines(database: Database) -> None:
    with database.engine.begin() as connection:
        _plan(connection)
        _plan_line(connection)
        connection.execute(text("DELETE FROM budget_plans"))
        assert connection.execute(text("SELECT count(*) FROM budget_plan_lines")).scalar_one() == 0


def test_a_board_meeting_with_decisions_cannot_be_deleted(database: Database) -> None:
    with database.engine.begin() as connection:
        _board_meeting(connection)
        _insert(
            connection,
            "INSERT INTO decisions (board_meeting_id, number, text, status, version) "
            "SELECT id, 1, 'Host the Second ANSO GA', 'adopted', 1 FROM board_meetings",
        )
    with pytest.raises(IntegrityError), database.engine.begin() as connection:
        connection.execute(text("DELETE FROM board_meetings"))


def test_sqlite_connections_are_set_up_for_safety(sqlite_services) -> None:  # type: ignore[no-untyped-def]
    with sqlite_services.database.engine.connect() as connection:

        def pragma(name: str) -> object:
            return connection.exec_driver_sql(f"PRAGMA {name}").scalar()

        assert pragma("foreign_keys") == 1
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 1  # NORMAL
        assert pragma("busy_timeout") == 5000
