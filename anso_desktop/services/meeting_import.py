"""Importing meetings: keyed by title and start date; a row with another spelling or a corrected
date is matched to its meeting by the register's rules; the kind comes from the title when the
sheet gives none."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from anso_desktop.domain import MeetingKind
from anso_desktop.services.importing import ImportSession, RowRefused, TableImport, first_date
from anso_desktop.services.matching import Candidate
from anso_desktop.services.meeting_matching import MeetingIndex
from anso_desktop.services.meetings import MeetingData, OrganizerData
from anso_desktop.storage.models import Meeting


class MeetingImport(TableImport):
    table = "meetings"
    noun = "meeting"
    model = Meeting
    kept_on_match = ("title",)

    def new_rows_index(self) -> Any:
        return _NewMeetings()

    def likely(
        self, context: ImportSession, values: dict[str, Any], key: Hashable = None
    ) -> list[Candidate]:
        start, end = values["start_date"]
        if values.get("end_date"):
            end = values["end_date"][1]
        return context.services.meetings.likely_matches(
            values["title"], start, end, session=context.session
        )

    def key(self, values: dict[str, Any]) -> Hashable:
        title = values.get("title")
        dates = values.get("start_date")
        if not title:
            raise RowRefused("title", "the title is missing")
        if not dates:
            raise RowRefused("start_date", "the date is missing")
        return (" ".join(title.split()), dates[0])

    def label(self, values: dict[str, Any]) -> str:
        return values.get("title") or "?"

    def find(self, context: ImportSession, key: Hashable) -> Any:
        title, start = key  # type: ignore[misc]
        return context.session.scalars(
            select(Meeting).where(Meeting.title == title, Meeting.start_date == start)
        ).one_or_none()

    def data_of(self, record: Any) -> Any:
        return MeetingData.from_record(record)

    def build(self, context: ImportSession, values: dict[str, Any], current: Any) -> Any:
        start, end_of_range = values["start_date"]
        changes: dict[str, Any] = {"start_date": start}
        if "end_date" in values and values["end_date"] is not None:
            changes["end_date"] = first_date(values, "end_date")
        elif end_of_range != start or "end_date" in values or current is None:
            changes["end_date"] = end_of_range  # "Date(s)" gave both; or a one-day meeting
        elif current.end_date is not None and current.start_date not in (None, start):
            # A corrected start and no end given: the meeting keeps its length.
            changes["end_date"] = current.end_date + (start - current.start_date)
        for key in (
            "title",
            "kind",
            "mode",
            "location",
            "participants_count",
            "countries_count",
            "notes",
        ):
            if key in values:
                changes[key] = values[key]
        if current is None and changes.get("kind") is None:  # as the New meeting form does
            changes["kind"] = MeetingKind.from_title(values["title"]) or MeetingKind.OTHER
        elif changes.get("kind", 0) is None:
            changes["kind"] = current.kind if current is not None else MeetingKind.OTHER
        if "organizers" in values:
            changes["organizers"] = tuple(OrganizerData(name) for name in values["organizers"])
        base = (
            current if current is not None else MeetingData(title=values["title"], start_date=start)
        )
        return replace(base, **changes)

    def comparable(self, data: Any) -> Any:
        return replace(data, organizers=tuple(o.name for o in data.organizers))


def _dates(values: dict[str, Any]) -> tuple[Any, Any]:
    start, end = values["start_date"]
    if values.get("end_date"):
        end = values["end_date"][1]
    return start, end


class _NewMeetings:
    """The file's new meetings so far, matched by the register's rules (ids are row numbers)."""

    def __init__(self) -> None:
        self.index = MeetingIndex(where="in this file")

    def see(self, row: int, values: dict[str, Any], key: Hashable = None) -> list[Candidate]:
        """The earlier rows this one surely repeats (a file that lists a title twice on other
        dates lists a series); this row is kept for the rows after it."""
        found = [c for c in self.index.candidates(values["title"], *_dates(values)) if c.strong]
        self.index.add(row, values["title"], *_dates(values))
        return found
