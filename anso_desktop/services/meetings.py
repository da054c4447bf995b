"""Meetings: workshops, conferences, forums, board meetings and the rest, with their organizers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import Select, extract, func, select
from sqlalchemy.orm import Session

from anso_desktop.domain import MeetingKind, MeetingMode
from anso_desktop.services.base import CrudService, Errors, clean_text
from anso_desktop.services.matching import Candidate
from anso_desktop.services.meeting_matching import MeetingIndex
from anso_desktop.storage.models import Meeting, MeetingOrganizer

_INDEX_KEY = "meeting_index"


@dataclass(frozen=True)
class OrganizerData:
    """An organizer as entered: a name, linked to an organization where one is known."""

    name: str
    organization_id: int | None = None


@dataclass(frozen=True)
class MeetingData:
    title: str
    start_date: date | None
    end_date: date | None = None
    kind: MeetingKind = MeetingKind.OTHER
    mode: MeetingMode | None = None
    location: str | None = None
    organizers: Sequence[OrganizerData] = field(default_factory=tuple)
    participants_count: int | None = None
    countries_count: int | None = None
    notes: str | None = None

    @classmethod
    def from_record(cls, record: Meeting) -> MeetingData:
        return cls(
            title=record.title,
            start_date=record.start_date,
            end_date=record.end_date,
            kind=record.kind,
            mode=record.mode,
            location=record.location,
            organizers=tuple(OrganizerData(o.name, o.organization_id) for o in record.organizers),
            participants_count=record.participants_count,
            countries_count=record.countries_count,
            notes=record.notes,
        )


class MeetingService(CrudService[Meeting, MeetingData]):
    model = Meeting
    noun = "Meeting"
    search_columns = ("title", "location", "notes")
    sort_columns = {
        "title": "title",
        "start_date": "start_date",
        "end_date": "end_date",
        "kind": "kind",
        "mode": "mode",
        "location": "location",
        "participants_count": "participants_count",
        "countries_count": "countries_count",
    }
    default_sort = ("start_date", "title")
    unique_messages = {
        "title": ("title", "A meeting with this title already starts on that date"),
    }

    def describe(self, record: Meeting) -> str:
        return f"Meeting '{record.title}' of {record.start_date:%d %b %Y}"

    def _filter(self, statement: Select[Any], name: str, value: Any) -> Select[Any]:
        if name == "year":
            return statement.where(extract("year", Meeting.start_date) == int(value))
        if name == "kind":
            return statement.where(Meeting.kind == MeetingKind(value))
        if name == "mode":
            return statement.where(Meeting.mode == MeetingMode(value))
        if name == "upcoming":
            today = value if isinstance(value, date) else date.today()
            return statement.where(Meeting.end_date >= today)
        return super()._filter(statement, name, value)

    def count_upcoming(self, today: date | None = None) -> int:
        """Meetings not yet over: the ones a secretary is preparing."""
        with self.database.transaction() as session:
            return (
                session.scalar(
                    select(func.count()).where(Meeting.end_date >= (today or date.today()))
                )
                or 0
            )

    def years(self) -> list[int]:
        """From the latest year with meetings back to the first, for the year filter.

        Two index look-ups (first and last date), not a scan: instant at a million meetings.
        """
        with self.database.transaction() as session:
            first, last = session.execute(
                select(func.min(Meeting.start_date), func.max(Meeting.start_date))
            ).one()
        if first is None:
            return []
        return list(range(last.year, first.year - 1, -1))

    # --- identity: likely matches --------------------------------------------------------

    @staticmethod
    def matching_index(session: Session) -> MeetingIndex:
        """Every meeting indexed for likely matches, built once per transaction."""
        index = session.info.get(_INDEX_KEY)
        if index is None:
            index = session.info[_INDEX_KEY] = MeetingIndex.of(
                session.execute(
                    select(Meeting.id, Meeting.title, Meeting.start_date, Meeting.end_date)
                )
            )
        return index

    @staticmethod
    def forget_matching_index(session: Session) -> None:
        session.info.pop(_INDEX_KEY, None)

    def likely_matches(
        self, title: str, start: date, end: date | None = None, *, session: Session | None = None
    ) -> list[Candidate]:
        """The meetings a (title, dates) may be, best first, each with its reason."""
        if session is not None:
            return self.matching_index(session).candidates(title, start, end)
        with self.database.transaction() as own:
            return self.matching_index(own).candidates(title, start, end)

    def _validate(
        self, session: Session, data: MeetingData, existing: Meeting | None
    ) -> MeetingData:
        errors = Errors()
        title = " ".join((data.title or "").split())
        errors.require("title", title, "Title")
        errors.max_length("title", title, 500, "Title")
        errors.require("start_date", data.start_date, "Start date")
        end_date = data.end_date or data.start_date
        if data.start_date is not None and end_date is not None and end_date < data.start_date:
            errors.add(
                "end_date",
                f"The end date {end_date:%d %b %Y} is before the start date "
                f"{data.start_date:%d %b %Y}",
            )
        errors.max_length("location", clean_text(data.location), 300, "Location")
        errors.not_negative("participants_count", data.participants_count, "Participants")
        errors.not_negative("countries_count", data.countries_count, "Countries")
        organizers: list[OrganizerData] = []
        for organizer in data.organizers:
            name = " ".join((organizer.name or "").split())
            if name:
                organizers.append(OrganizerData(name, organizer.organization_id))
        if title and data.start_date is not None:
            clash = session.scalars(
                select(Meeting).where(Meeting.title == title, Meeting.start_date == data.start_date)
            ).one_or_none()
            if clash is not None and (existing is None or clash.id != existing.id):
                errors.add("title", "A meeting with this title already starts on that date")
        errors.raise_if_any()
        return replace(
            data,
            title=title,
            end_date=end_date,
            location=clean_text(data.location),
            organizers=tuple(self._link_organizers(session, organizers)),
            notes=clean_text(data.notes),
        )

    @staticmethod
    def _link_organizers(
        session: Session, organizers: Sequence[OrganizerData]
    ) -> list[OrganizerData]:
        """Link free-text organizers to the organization they name: the same name, acronym or
        alias, or the one strong likely match ("The University of Belgrade", "XIEG, CAS"); names
        that match nothing sure stay free text."""
        from anso_desktop.services.organizations import OrganizationService

        linked: list[OrganizerData] = []
        for organizer in organizers:
            if organizer.organization_id is not None:
                linked.append(organizer)
                continue
            found, _ = OrganizationService.find_by_reference(session, organizer.name)
            linked.append(OrganizerData(organizer.name, found))
        return linked

    def _apply(self, session: Session, record: Meeting, data: MeetingData) -> None:
        record.title = data.title
        record.start_date = data.start_date  # type: ignore[assignment]
        record.end_date = data.end_date  # type: ignore[assignment]
        record.kind = data.kind
        record.mode = data.mode
        record.location = data.location
        record.participants_count = data.participants_count
        record.countries_count = data.countries_count
        record.notes = data.notes
        wanted = [(o.name, o.organization_id) for o in data.organizers]
        current = [(o.name, o.organization_id) for o in record.organizers]
        if wanted != current:
            record.organizers.clear()
            session.flush()
            record.organizers.extend(
                MeetingOrganizer(name=name, organization_id=organization_id)
                for name, organization_id in wanted
            )
            record.organizers.reorder()
