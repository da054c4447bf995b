"""The register as it stood on a day: each organization's name, country, relation and status as
they were, rebuilt from today's rows by taking back, newest first, every change made after that
day (an insert taken back: not there yet; a delete: there, as it was; an update: its old values).

History began when this version of the program first opened the database; for an organization
entered before that, what the history does not tell is taken from its lifecycle dates (applied,
endorsed, approved, joined, suspended, withdrawn) and otherwise from today's values — and the
list says how many it took so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from anso_desktop.domain import MemberStatus, OrganizationKind, Relation
from anso_desktop.services.base import ListQuery
from anso_desktop.services.history import stored_value
from anso_desktop.storage.database import Database
from anso_desktop.storage.models import Change, ChangeSet, Organization, fold_for_search

#: Each step of membership with the date that records it, in the order a member takes them.
_STEPS: tuple[tuple[MemberStatus, str], ...] = (
    (MemberStatus.APPLICANT, "applied_on"),
    (MemberStatus.ENDORSED, "endorsed_on"),
    (MemberStatus.APPROVED, "approved_on"),
    (MemberStatus.ACTIVE, "joined_on"),
    (MemberStatus.SUSPENDED, "suspended_on"),
    (MemberStatus.WITHDRAWN, "withdrawn_on"),
)
_DATE_OF = dict(_STEPS)
_ENUMS: dict[str, Any] = {"status": MemberStatus, "kind": OrganizationKind, "relation": Relation}


@dataclass(frozen=True)
class RegisterAsAt:
    day: date
    #: Transient records (not in any session), as they were on the day.
    records: list[Organization]
    #: Of those, how many the history cannot tell on the day (entered before it began, or
    #: after the day): their status is their lifecycle dates', the rest as first recorded.
    taken_as_now: int
    #: When history began (its first change set), in UTC; None when it has none yet.
    history_began: datetime | None

    def note(self) -> str | None:
        """What the printed list says about records the history cannot tell."""
        if not self.taken_as_now:
            return None
        began = (
            f" on {self.history_began.replace(tzinfo=UTC).astimezone():%-d %B %Y}"
            if self.history_began
            else ""
        )
        noun = "organization is" if self.taken_as_now == 1 else "organizations are"
        return (
            f"{self.taken_as_now:,} {noun} shown with the status their lifecycle dates give for "
            f"the day and their other details as first recorded: they were entered after it, or "
            f"before the history began{began}."
        )


def day_label(day: date) -> str:
    """ "9 October 2021", as the printed header writes the day."""
    return f"{day.day} {day:%B %Y}"


def register_as_at(database: Database, day: date, query: ListQuery | None = None) -> RegisterAsAt:
    query = query or ListQuery()
    cutoff = (
        datetime.combine(day + timedelta(days=1), time.min).astimezone(UTC).replace(tzinfo=None)
    )
    table = Organization.__table__
    with database.transaction() as session:
        dialect = session.get_bind().dialect.name
        rows: dict[int, dict[str, Any]] = {
            row["id"]: dict(row) for row in session.execute(select(table)).mappings()
        }
        later = session.execute(
            select(Change.row_id, Change.action, Change.data)
            .join(ChangeSet, ChangeSet.id == Change.change_set_id)
            .where(Change.table_name == "organizations", ChangeSet.at >= cutoff)
            .order_by(Change.id.desc())
        )
        entered_after: set[int] = set()
        for row_id, action, data in later:
            values = json.loads(data) if data else {}
            if action == "insert":
                entered_after.add(row_id)
            elif action == "delete":
                rows[row_id] = {
                    name: _value(name, value, dialect) for name, value in values.items()
                }
            elif row_id in rows:
                for name, (old, _new) in values.items():
                    rows[row_id][name] = _value(name, old, dialect)
        entered_before = set(
            session.execute(
                select(Change.row_id)
                .join(ChangeSet, ChangeSet.id == Change.change_set_id)
                .where(
                    Change.table_name == "organizations",
                    Change.action == "insert",
                    ChangeSet.at < cutoff,
                )
            ).scalars()
        )
        began = session.execute(select(func.min(ChangeSet.at))).scalar()
    records: list[Organization] = []
    taken_as_now = 0
    for row_id, values in rows.items():
        if row_id not in entered_before or row_id in entered_after:
            # The history cannot tell this record's day: its lifecycle dates can.
            if not _by_lifecycle(values, day, entered_later=row_id in entered_after):
                continue
            taken_as_now += 1
        values = {name: value for name, value in values.items() if name in table.c}
        records.append(Organization(**values))
    records = [record for record in records if _matches(record, query)]
    records.sort(key=sort_key(query), reverse=query.descending)
    return RegisterAsAt(day, records, taken_as_now, began)


def _value(name: str, value: Any, dialect: str) -> Any:
    value = stored_value("organizations", name, value, dialect)
    if name in _ENUMS and value is not None:
        return _ENUMS[name](value)
    return value


def _by_lifecycle(values: dict[str, Any], day: date, *, entered_later: bool) -> bool:
    """Put a record the history cannot tell at its step of the day; False when its dates say
    it was not in the register yet, or it has none and was entered after the day."""
    known = [values[column] for _, column in _STEPS if values.get(column) is not None]
    if (known and all(d > day for d in known)) or (not known and entered_later):
        return False
    status = values.get("status")
    own = values.get(_DATE_OF[status]) if status in _DATE_OF else None
    if own is not None and own > day:
        reached = [
            step
            for step, column in _STEPS
            if values.get(column) is not None and values[column] <= day
        ]
        values["status"] = reached[-1] if reached else MemberStatus.APPLICANT
    for _, column in _STEPS:  # a step taken after the day had no date yet on the day
        if values.get(column) is not None and values[column] > day:
            values[column] = None
    return True


def _matches(record: Organization, query: ListQuery) -> bool:
    for name, wanted in query.filters.items():
        if wanted in (None, ""):
            continue
        value = getattr(record, name, None)
        if name in _ENUMS:
            wanted = _ENUMS[name](wanted)
        if value != wanted:
            return False
    if query.search.strip():
        text = fold_for_search(" ".join(v for v in (record.name, record.acronym) if v))
        if fold_for_search(query.search) not in text:
            return False
    return True


def sort_key(query: ListQuery) -> Any:
    """How the day's list sorts by `query.sort` (name by default): the screen and the print alike."""
    column = query.sort or "name"

    def key(record: Organization) -> tuple[Any, ...]:
        value = getattr(record, column, None)
        text = value.label if hasattr(value, "label") else value
        if isinstance(text, str):
            text = text.casefold()
        return (text is None, text if text is not None else "", (record.name or "").casefold())

    return key
