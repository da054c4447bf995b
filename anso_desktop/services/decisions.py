"""Governing Board meetings and their decisions, and the follow-up of what is still open."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from anso_desktop.domain import DecisionStatus, MeetingMode
from anso_desktop.errors import ValidationError
from anso_desktop.services.base import CrudService, Errors, ListQuery, clean_text
from anso_desktop.storage.models import BoardMeeting, Decision, Organization

OPEN_STATUSES = tuple(status for status in DecisionStatus if status.is_open)


@dataclass(frozen=True)
class BoardMeetingData:
    number: int | None
    date: date | None
    mode: MeetingMode | None = None
    location: str | None = None
    meeting_id: int | None = None
    notes: str | None = None

    @classmethod
    def from_record(cls, record: BoardMeeting) -> BoardMeetingData:
        return cls(**{name: getattr(record, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class DecisionData:
    board_meeting_id: int | None
    text: str
    number: int | None = None  # None: the next free number of that board meeting
    category: str | None = None
    status: DecisionStatus = DecisionStatus.PROPOSED
    owner: str | None = None
    due_date: date | None = None
    follow_up: str | None = None
    organization_ids: Sequence[int] = field(default_factory=tuple)

    @classmethod
    def from_record(cls, record: Decision) -> DecisionData:
        return cls(
            board_meeting_id=record.board_meeting_id,
            text=record.text,
            number=record.number,
            category=record.category,
            status=record.status,
            owner=record.owner,
            due_date=record.due_date,
            follow_up=record.follow_up,
            organization_ids=tuple(o.id for o in record.organizations),
        )


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st: how the secretariat names board meetings."""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def board_meeting_title(record: BoardMeeting) -> str:
    return f"{ordinal(record.number)} Governing Board meeting"


@dataclass(frozen=True)
class BoardMeetingSummary:
    """A board meeting with how many decisions it took: one line of the list beside the register."""

    record: BoardMeeting
    decisions: int


@dataclass(frozen=True)
class OrganizationChoice:
    """An organization a decision may concern, as offered for type-ahead."""

    id: int
    name: str
    acronym: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class BoardMeetingService(CrudService[BoardMeeting, BoardMeetingData]):
    model = BoardMeeting
    noun = "Board meeting"
    search_columns = ("notes", "location")
    sort_columns = {"number": "number", "date": "date", "mode": "mode"}
    default_sort = ("number",)
    unique_messages = {"number": ("number", "A board meeting with this number already exists")}

    @staticmethod
    def id_of_number(session: Session, number: int) -> int | None:
        """The board meeting of this number (the key sheets name it by), or None."""
        return session.scalars(select(BoardMeeting.id).where(BoardMeeting.number == number)).first()

    def describe(self, record: BoardMeeting) -> str:
        return f"The {board_meeting_title(record)}"

    def _validate(
        self, session: Session, data: BoardMeetingData, existing: BoardMeeting | None
    ) -> BoardMeetingData:
        errors = Errors()
        errors.require("number", data.number, "Number")
        if data.number is not None and data.number <= 0:
            errors.add("number", "Number must be 1 or more")
        errors.require("date", data.date, "Date")
        if data.number is not None:
            clash = session.scalars(
                select(BoardMeeting).where(BoardMeeting.number == data.number)
            ).one_or_none()
            if clash is not None and (existing is None or clash.id != existing.id):
                errors.add("number", f"The {board_meeting_title(clash)} already exists")
        errors.raise_if_any()
        return replace(data, location=clean_text(data.location), notes=clean_text(data.notes))

    def _apply(self, session: Session, record: BoardMeeting, data: BoardMeetingData) -> None:
        for name in BoardMeetingData.__dataclass_fields__:
            setattr(record, name, getattr(data, name))

    def _before_delete(self, session: Session, record: BoardMeeting) -> None:
        count = session.scalar(
            select(func.count()).select_from(Decision).where(Decision.board_meeting_id == record.id)
        )
        if count:
            raise ValidationError.single(
                "decisions",
                f"The {board_meeting_title(record)} has {count} decision(s); "
                "delete or move them first",
            )

    def by_number(self, number: int) -> BoardMeeting | None:
        with self.database.transaction() as session:
            return session.scalars(
                select(BoardMeeting).where(BoardMeeting.number == number)
            ).one_or_none()

    def summaries(self) -> list[BoardMeetingSummary]:
        """Every board meeting, newest first, with its number of decisions (one query, so the
        list beside the register costs the same for 3 board meetings as for 30)."""
        counts = (
            select(func.count())
            .where(Decision.board_meeting_id == BoardMeeting.id)
            .correlate(BoardMeeting)
            .scalar_subquery()
        )
        with self.database.transaction() as session:
            rows = session.execute(
                select(BoardMeeting, counts).order_by(
                    BoardMeeting.date.desc(), BoardMeeting.number.desc()
                )
            ).all()
        return [BoardMeetingSummary(record, count or 0) for record, count in rows]

    def next_number(self) -> int:
        """The number the next board meeting will most likely have: one after the highest."""
        with self.database.transaction() as session:
            return (session.scalar(select(func.max(BoardMeeting.number))) or 0) + 1


class DecisionService(CrudService[Decision, DecisionData]):
    model = Decision
    noun = "Decision"
    search_columns = ("text", "category", "owner", "follow_up")
    sort_columns = {
        "number": "number",
        "category": "category",
        "status": "status",
        "owner": "owner",
        "due_date": "due_date",
    }
    default_sort = ("board_meeting_id", "number")
    unique_messages = {
        "board_meeting_id": (
            "number",
            "This board meeting already has a decision with this number",
        ),
    }

    def describe(self, record: Decision) -> str:
        return f"Decision {record.number} of the {board_meeting_title(record.board_meeting)}"

    def _ordered(self, statement: Select[Any], query: ListQuery) -> Select[Any]:
        """Ties in the register's own order: by board meeting *number*, then decision number.

        The inherited tie-breaker is `board_meeting_id`, i.e. the order board meetings were typed
        in; a 2nd board meeting entered after the 4th would then sort after it.
        """
        order: list[Any] = []
        if query.sort:
            expression = self._sort_expression(query.sort)
            order.append(expression.desc() if query.descending else expression.asc())
        order += [self._sort_expression("board_meeting"), Decision.number]
        order.append(Decision.id.desc() if query.descending else Decision.id)
        return statement.order_by(*order)

    def _sort_expression(self, key: str) -> Any:
        if key == "board_meeting":
            return (
                select(BoardMeeting.number)
                .where(BoardMeeting.id == Decision.board_meeting_id)
                .scalar_subquery()
            )
        return super()._sort_expression(key)

    def _filter(self, statement: Select[Any], name: str, value: Any) -> Select[Any]:
        if name == "board_meeting_id":
            return statement.where(Decision.board_meeting_id == int(value))
        if name == "status":
            return statement.where(Decision.status == DecisionStatus(value))
        if name == "open":
            return statement.where(Decision.status.in_(OPEN_STATUSES)) if value else statement
        if name == "overdue":
            today = value if isinstance(value, date) else date.today()
            return statement.where(Decision.status.in_(OPEN_STATUSES), Decision.due_date < today)
        if name == "owner":
            return statement.where(Decision.owner == value)
        if name == "organization_id":
            return statement.where(Decision.organizations.any(Organization.id == int(value)))
        return super()._filter(statement, name, value)

    def _validate(
        self, session: Session, data: DecisionData, existing: Decision | None
    ) -> DecisionData:
        errors = Errors()
        errors.require("board_meeting_id", data.board_meeting_id, "Board meeting")
        text = (data.text or "").strip()
        errors.require("text", text, "Decision text")
        if data.board_meeting_id is not None and (
            session.get(BoardMeeting, data.board_meeting_id) is None
        ):
            errors.add("board_meeting_id", f"Board meeting #{data.board_meeting_id} does not exist")
        number = data.number
        if number is not None and number <= 0:
            errors.add("number", "Number must be 1 or more")
        errors.raise_if_any()
        if number is None:
            if existing is not None and existing.board_meeting_id == data.board_meeting_id:
                number = existing.number
            else:
                highest = session.scalar(
                    select(func.max(Decision.number)).where(
                        Decision.board_meeting_id == data.board_meeting_id
                    )
                )
                number = (highest or 0) + 1
        clash = session.scalars(
            select(Decision).where(
                Decision.board_meeting_id == data.board_meeting_id, Decision.number == number
            )
        ).one_or_none()
        if clash is not None and (existing is None or clash.id != existing.id):
            errors.add("number", f"Decision {number} of this board meeting already exists")
        missing = [
            organization_id
            for organization_id in data.organization_ids
            if session.get(Organization, organization_id) is None
        ]
        if missing:
            errors.add("organization_ids", f"Organization(s) #{missing} do not exist")
        errors.raise_if_any()
        return replace(
            data,
            text=text,
            number=number,
            category=clean_text(data.category),
            owner=clean_text(data.owner),
            follow_up=clean_text(data.follow_up),
            organization_ids=tuple(dict.fromkeys(data.organization_ids)),
        )

    def _apply(self, session: Session, record: Decision, data: DecisionData) -> None:
        record.board_meeting_id = data.board_meeting_id  # type: ignore[assignment]
        record.number = data.number  # type: ignore[assignment]
        record.text = data.text
        record.category = data.category
        record.status = data.status
        record.owner = data.owner
        record.due_date = data.due_date
        record.follow_up = data.follow_up
        wanted = list(data.organization_ids)
        if [o.id for o in record.organizations] != wanted:
            record.organizations = [session.get_one(Organization, i) for i in wanted]

    def categories(self) -> list[str]:
        with self.database.transaction() as session:
            return sorted(c for c in session.scalars(select(Decision.category).distinct()) if c)

    def owners(self) -> list[str]:
        """Owners already given to decisions, for type-ahead and the owner filter."""
        with self.database.transaction() as session:
            owners = session.scalars(select(Decision.owner).distinct()).all()
        return sorted((o for o in owners if o), key=str.casefold)

    def next_number(self, board_meeting_id: int) -> int:
        """The number a new decision of this board meeting gets when none is typed."""
        with self.database.transaction() as session:
            highest = session.scalar(
                select(func.max(Decision.number)).where(
                    Decision.board_meeting_id == board_meeting_id
                )
            )
        return (highest or 0) + 1

    def follow_up_counts(self, query: ListQuery, today: date) -> tuple[int, int]:
        """(open, overdue) among the decisions `query` matches: the register's status line
        counts what the user is looking at, in one transaction so the two numbers agree."""
        with self.database.transaction() as session:

            def count(extra: dict[str, Any]) -> int:
                narrowed = replace(query, filters={**query.filters, **extra}, offset=0, limit=None)
                statement = self._query_statement(narrowed).order_by(None)
                return session.execute(
                    select(func.count()).select_from(statement.subquery())
                ).scalar_one()

            return count({"open": True}), count({"overdue": today})

    def organization_choices(self) -> list[OrganizationChoice]:
        """Every organization a decision may concern, by name, for the type-ahead picker."""
        with self.database.transaction() as session:
            rows = session.execute(
                select(Organization.id, Organization.name, Organization.acronym)
            ).all()
        return sorted(
            (OrganizationChoice(id_, name, acronym) for id_, name, acronym in rows),
            key=lambda choice: choice.name.casefold(),
        )
