"""Every change on record, written by the database itself in the same transaction as the change.

Each table of the register has triggers (SQLite and PostgreSQL alike) that write a row to
`changes` for every insert, update and delete, with the row's values, or for an update each
changed column's old and new value. So no path — a dialog, an import's plain rows, a merge, a
cascade the database runs — changes a row without its history, and no history lands without its
change: one transaction holds both.

The change set a trigger writes under is opened here, by the program, just before the first write
of a transaction: who (the person's name from Preferences, else the operating-system user; on
PostgreSQL also the login), when, and where from (`recorded_as`). SQLite triggers ask for it
through a function this connection registers; PostgreSQL ones read a transaction-local setting.

A bulk import's plain rows are the one exception to "a trigger per row": on SQLite the triggers
stand aside (`bulk_insert`) and the history of the rows is written in one statement afterwards,
which costs a tenth of row-by-row triggers. Restoring a backup sets history aside (`suspended`):
the backup brings its own.
"""

from __future__ import annotations

import getpass
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine, event

HISTORY_TABLES = frozenset({"change_sets", "changes"})
#: Tables whose writes are not register changes (Alembic's own bookkeeping).
_UNRECORDED = HISTORY_TABLES | {"alembic_version"}
#: Rows that are parts of a record: their history is the owner's (table, column pointing to it).
PARTS: dict[str, tuple[str, str]] = {
    "meeting_organizers": ("meetings", "meeting_id"),
    "decision_organizations": ("decisions", "decision_id"),
    "organization_aliases": ("organizations", "organization_id"),
    "contacts": ("organizations", "organization_id"),
    "budget_plan_lines": ("budget_plans", "plan_id"),
}
#: Columns whose change is no change of content (the concurrency token).
UNRECORDED_COLUMNS = frozenset({"version"})
#: Columns worked out from the others: an insert's record leaves them out (a delete's keeps the
#: whole row, which an undo puts back as it was).
DERIVED_COLUMNS = ("search_text", "normalized_name")

_STATE_KEY = "anso_history"
_WRITE = re.compile(
    r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)"
    r'\s+"?(\w+)',
    re.IGNORECASE,
)


# --- who and where from ------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeContext:
    source: str
    who: str | None = None
    undoes: int | None = None


_person: str | None = None
_default_source = "command"
_context: ContextVar[ChangeContext | None] = ContextVar("anso_change_context", default=None)


def set_person(name: str | None) -> None:
    """The name changes are recorded under (Preferences); blank: the operating-system user."""
    global _person
    _person = (name or "").strip() or None


def set_default_source(source: str) -> None:
    """Where changes come from when the code making them says nothing ("window", "command")."""
    global _default_source
    _default_source = source


def _operating_system_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment (a service account, a container)
        return "unknown"


#: Read once, at import: it may import a module, which the window's start keeps off its thread.
OPERATING_SYSTEM_USER = _operating_system_user()


def current_person() -> str:
    return _person or OPERATING_SYSTEM_USER


def current_context() -> ChangeContext:
    context = _context.get()
    return context if context is not None else ChangeContext(_default_source)


@contextmanager
def recorded_as(source: str, *, undoes: int | None = None) -> Iterator[None]:
    """Record the changes made inside under `source` ("import members.xlsx", "Edit member")."""
    token = _context.set(ChangeContext(source, current_person(), undoes))
    try:
        yield
    finally:
        _context.reset(token)


# --- one connection's state --------------------------------------------------------------------


@dataclass
class _State:
    change_set: int | None = None
    #: Savepoints open when the change set was made (rolling one of them back removes it).
    depth: int = 0
    savepoints: list[str] = field(default_factory=list)
    bulk: bool = False
    suspended: bool = False
    opening: bool = False
    has_history: bool = False

    def reset(self) -> None:
        self.change_set = None
        self.depth = 0
        self.savepoints.clear()
        self.bulk = False
        self.suspended = False

    def capturing(self) -> int:
        return 0 if self.bulk or self.suspended else 1


def _state(connection: Connection) -> _State:
    return connection.info.setdefault(_STATE_KEY, _State())  # type: ignore[no-any-return]


def install(engine: Engine) -> None:
    """Wire the change sets into every connection of `engine`."""
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "checkin", _on_checkin)
    event.listen(engine, "before_cursor_execute", _before_execute)
    event.listen(engine, "commit", _on_end)
    event.listen(engine, "rollback", _on_end)
    event.listen(engine, "savepoint", _on_savepoint)
    event.listen(engine, "rollback_savepoint", _on_rollback_savepoint)
    event.listen(engine, "release_savepoint", _on_release_savepoint)


def _on_connect(dbapi_connection: Any, record: Any) -> None:
    state = record.info.setdefault(_STATE_KEY, _State())
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.create_function("anso_change_set", 0, lambda: state.change_set)
        dbapi_connection.create_function("anso_capture", 0, state.capturing)


def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
    state = record.info.get(_STATE_KEY)
    if state is not None:
        state.reset()


def _on_end(connection: Connection) -> None:
    _state(connection).reset()


def _on_savepoint(connection: Connection, name: str) -> None:
    _state(connection).savepoints.append(name)


def _on_rollback_savepoint(connection: Connection, name: str, _context: Any) -> None:
    state = _state(connection)
    position = state.savepoints.index(name) if name in state.savepoints else 0
    if state.change_set is not None and state.depth > position:
        state.change_set = None  # it was made inside the savepoint, and is gone with it
    del state.savepoints[position:]


def _on_release_savepoint(connection: Connection, name: str, _context: Any) -> None:
    state = _state(connection)
    if name in state.savepoints:
        del state.savepoints[state.savepoints.index(name) :]
        state.depth = min(state.depth, len(state.savepoints))


def _before_execute(
    connection: Connection,
    _cursor: Any,
    statement: str,
    _parameters: Any,
    _context: Any,
    _executemany: bool,
) -> None:
    state = _state(connection)
    if state.change_set is not None or state.opening or state.suspended:
        return
    write = _WRITE.match(statement)
    if write is None or write.group(1).lower() not in _recorded_tables():
        return  # not a register table: the history's own, Alembic's, a migration's copy
    open_change_set(connection)


@cache
def _recorded_tables() -> frozenset[str]:
    from anso_desktop.storage.models import Base

    return frozenset(Base.metadata.tables) - _UNRECORDED


def open_change_set(connection: Connection) -> int | None:
    """The change set of this transaction, opened now if it is not yet (None: a database whose
    schema has no history yet, during its migration)."""
    state = _state(connection)
    if state.change_set is not None:
        return state.change_set
    raw = connection.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    state.opening = True
    try:
        if not state.has_history:
            state.has_history = _has_history_tables(connection, cursor)
            if not state.has_history:
                return None
        context = current_context()
        at = datetime.now(UTC).replace(tzinfo=None)
        who = context.who or current_person()
        if connection.dialect.name == "postgresql":
            cursor.execute(
                "WITH made AS (INSERT INTO change_sets (at, who, login, source, undoes) "
                "VALUES (%s, %s, current_user, %s, %s) RETURNING id) "
                "SELECT id, set_config('anso.change_set', id::text, true), "
                "pg_notify('anso_changes', id::text) FROM made",
                (at, who, context.source, context.undoes),
            )
            state.change_set = int(cursor.fetchone()[0])
        else:
            cursor.execute(
                "INSERT INTO change_sets (uuid, at, who, login, source, undoes) "
                "VALUES (lower(hex(randomblob(16))), ?, ?, NULL, ?, ?)",
                (at.isoformat(sep=" "), who, context.source, context.undoes),
            )
            state.change_set = int(cursor.lastrowid)
        state.depth = len(state.savepoints)
        return state.change_set
    finally:
        state.opening = False
        cursor.close()


def _has_history_tables(connection: Connection, cursor: Any) -> bool:
    if connection.dialect.name == "postgresql":
        cursor.execute("SELECT to_regclass('change_sets') IS NOT NULL")
    else:
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'changes'"
        )
    return bool(cursor.fetchone()[0])


# --- the exceptions: bulk rows and restores ----------------------------------------------------


@contextmanager
def bulk_insert(connection: Connection, table: str, columns: list[str]) -> Iterator[None]:
    """Plain rows inserted inside go on record in one statement afterwards (SQLite; a server's
    triggers are fast enough, and other sessions' rows could interleave with ours there)."""
    if connection.dialect.name != "sqlite" or "id" not in columns:
        yield
        return
    state = _state(connection)
    change_set = open_change_set(connection)  # first: it takes the write lock
    if change_set is None:
        yield
        return
    highest = connection.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table}").scalar()
    # The insert trigger is set aside meanwhile, inside this transaction (SQLite's schema is
    # transactional: a kill leaves it as it was). A trigger that only declines still costs
    # every row a call and a statement journal: a third of a big import's time.
    trigger = f"history_insert_{table}"
    created = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (trigger,)
    ).scalar()
    if created is not None:
        connection.exec_driver_sql(f"DROP TRIGGER {trigger}")
    state.bulk = True
    try:
        yield
    finally:
        state.bulk = False
        if created is not None:
            connection.exec_driver_sql(created)
    owner_table, owner_column = PARTS.get(table, (table, "id"))
    connection.exec_driver_sql(
        "INSERT INTO changes (change_set_id, table_name, row_id, row_key, record_table, "
        f"record_id, action, data) SELECT ?, '{table}', id, NULL, '{owner_table}', "
        f"{_quote(owner_column)}, 'insert', {_json_row('', _inserted(columns))} FROM {table} "
        "WHERE id > ?",
        (change_set, highest),
    )


@contextmanager
def suspended(connection: Connection) -> Iterator[None]:
    """Writes inside are not recorded: rows copied whole from a backup, which has its history."""
    state = _state(connection)
    state.suspended = True
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        connection.exec_driver_sql("SELECT set_config('anso.suspend', 'on', true)")
    try:
        yield
    finally:
        state.suspended = False
        if postgres:
            connection.exec_driver_sql("SELECT set_config('anso.suspend', 'off', true)")


# --- the triggers ------------------------------------------------------------------------------


def install_triggers(connection: Connection, tables: dict[str, list[str]]) -> None:
    """(Re)create the history triggers of `tables` (name -> its columns, as the database has
    them now): after every migration, since a table rebuilt or a column added needs them anew."""
    postgres = connection.dialect.name == "postgresql"
    keep = "changes" in tables  # a schema from before the history (a downgrade): none
    if postgres and keep:
        connection.exec_driver_sql(_POSTGRES_FUNCTION)
    for table, columns in tables.items():
        if table in _UNRECORDED:
            continue
        statements = (
            _postgres_triggers(table, columns) if postgres else _sqlite_triggers(table, columns)
        )
        for statement in statements if keep else statements[: -1 if postgres else -3]:
            connection.exec_driver_sql(statement)
    if postgres and not keep:
        connection.exec_driver_sql("DROP FUNCTION IF EXISTS anso_history()")


def _quote(column: str | None) -> str:
    return f'"{column}"' if column else "NULL"


def _inserted(columns: list[str]) -> list[str]:
    return [column for column in columns if column not in DERIVED_COLUMNS]


def _json_row(prefix: str, columns: list[str]) -> str:
    return "json_object(" + ", ".join(f"'{c}', {prefix}{_quote(c)}" for c in columns) + ")"


def _sqlite_triggers(table: str, columns: list[str]) -> list[str]:
    owner_table, owner_column = PARTS.get(table, (table, "id" if "id" in columns else None))
    key_columns = ["id"] if "id" in columns else None

    def key(prefix: str) -> str:
        if key_columns:
            return f"{prefix}id, NULL"
        keys = _primary_key_guess(table, columns)
        return f"NULL, {_json_row(prefix, keys)}"

    def owner(prefix: str) -> str:
        return f"{prefix}{_quote(owner_column)}" if owner_column else "NULL"

    into = (
        "INSERT INTO changes (change_set_id, table_name, row_id, row_key, record_table, "
        "record_id, action, data) VALUES (anso_change_set(), "
        f"'{table}', "
    )
    content = [c for c in columns if c not in UNRECORDED_COLUMNS]
    differs = " OR ".join(f"OLD.{_quote(c)} IS NOT NEW.{_quote(c)}" for c in content)
    pairs = " UNION ALL ".join(
        f"SELECT '{c}' AS k, json_array(OLD.{_quote(c)}, NEW.{_quote(c)}) AS v "
        f"WHERE OLD.{_quote(c)} IS NOT NEW.{_quote(c)}"
        for c in content
    )
    return [
        f"DROP TRIGGER IF EXISTS history_insert_{table}",
        f"DROP TRIGGER IF EXISTS history_update_{table}",
        f"DROP TRIGGER IF EXISTS history_delete_{table}",
        f"CREATE TRIGGER history_insert_{table} AFTER INSERT ON {table} WHEN anso_capture() "
        f"BEGIN {into}{key('NEW.')}, '{owner_table}', {owner('NEW.')}, 'insert', "
        f"{_json_row('NEW.', _inserted(columns))}); END",
        f"CREATE TRIGGER history_update_{table} AFTER UPDATE ON {table} "
        f"WHEN anso_capture() AND ({differs}) "
        f"BEGIN {into}{key('NEW.')}, '{owner_table}', {owner('NEW.')}, 'update', "
        f"(SELECT json_group_object(k, json(v)) FROM ({pairs}))); END",
        f"CREATE TRIGGER history_delete_{table} AFTER DELETE ON {table} WHEN anso_capture() "
        f"BEGIN {into}{key('OLD.')}, '{owner_table}', {owner('OLD.')}, 'delete', "
        f"{_json_row('OLD.', columns)}); END",
    ]


def _primary_key_guess(table: str, columns: list[str]) -> list[str]:
    from anso_desktop.storage.models import Base

    known = Base.metadata.tables.get(table)
    if known is not None:
        return [c.name for c in known.primary_key.columns]
    return columns


def _postgres_triggers(table: str, columns: list[str]) -> list[str]:
    owner_table, owner_column = PARTS.get(table, (table, "id" if "id" in columns else ""))
    keys = ["id"] if "id" in columns else _primary_key_guess(table, columns)
    return [
        f"DROP TRIGGER IF EXISTS history ON {table}",
        f"CREATE TRIGGER history AFTER INSERT OR UPDATE OR DELETE ON {table} FOR EACH ROW "
        f"EXECUTE FUNCTION anso_history('{owner_table}', '{owner_column or ''}', "
        f"'{','.join(keys)}')",
    ]


_POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION anso_history() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    change_set bigint;
    old_row jsonb;
    new_row jsonb;
    the_row jsonb;
    changed jsonb;
    row_key jsonb;
    owner_column text := NULLIF(TG_ARGV[1], '');
    key_columns text[] := string_to_array(TG_ARGV[2], ',');
BEGIN
    IF current_setting('anso.suspend', true) = 'on' THEN
        RETURN NULL;
    END IF;
    change_set := NULLIF(current_setting('anso.change_set', true), '')::bigint;
    IF change_set IS NULL THEN
        RAISE EXCEPTION USING MESSAGE =
            'a change to ' || TG_TABLE_NAME || ' outside a change set of ANSO Desktop';
    END IF;
    IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD); END IF;
    IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW); END IF;
    IF TG_OP = 'UPDATE' THEN
        SELECT jsonb_object_agg(n.key, jsonb_build_array(old_row -> n.key, n.value))
          INTO changed
          FROM jsonb_each(new_row) AS n
         WHERE n.key <> 'version' AND n.value IS DISTINCT FROM old_row -> n.key;
        IF changed IS NULL THEN
            RETURN NULL;
        END IF;
    END IF;
    the_row := COALESCE(new_row, old_row);
    IF key_columns <> ARRAY['id'] THEN
        SELECT jsonb_object_agg(k, the_row -> k) INTO row_key FROM unnest(key_columns) AS k;
    END IF;
    INSERT INTO changes (change_set_id, table_name, row_id, row_key, record_table, record_id,
                         action, data)
    VALUES (change_set, TG_TABLE_NAME,
            CASE WHEN key_columns = ARRAY['id'] THEN (the_row ->> 'id')::integer END,
            row_key::text, TG_ARGV[0],
            CASE WHEN owner_column IS NOT NULL THEN (the_row ->> owner_column)::integer END,
            lower(TG_OP),
            (CASE TG_OP WHEN 'UPDATE' THEN changed
             WHEN 'INSERT' THEN new_row - 'search_text' - 'normalized_name'
             ELSE old_row END)::text);
    RETURN NULL;
END
$$
"""


def row_key_of(text: str | None) -> dict[str, Any] | None:
    return json.loads(text) if text else None
