"""Importing board meetings (keyed by number) and their decisions (board meeting and number);
a likely match is a board meeting on the same date, or the same decision text under another
number, for a person to decide."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from anso_desktop.domain import DecisionStatus
from anso_desktop.services.decisions import BoardMeetingData, DecisionData
from anso_desktop.services.importing import ImportSession, RowRefused, TableImport, first_date
from anso_desktop.services.matching import Candidate, RecordRef
from anso_desktop.storage.models import BoardMeeting, Decision, normalize_name


class BoardMeetingImport(TableImport):
    table = "board-meetings"
    noun = "board meeting"
    model = BoardMeeting
    kept_on_match = ("number",)

    def name_of(self, record: Any) -> str:
        return f"Board meeting {record.number}"

    def likely(
        self, context: ImportSession, values: dict[str, Any], key: Hashable = None
    ) -> list[Candidate]:
        """A board meeting on the same date under another number: a typo, or two meetings on
        one day; a person decides."""
        if not values.get("date"):
            return []
        on = first_date(values, "date")
        return [
            Candidate(
                RecordRef(board.id, f"Board meeting {board.number}"),
                f"same date ({on:%d %b %Y}) as board meeting {board.number}",
                80,
                False,
            )
            for board in context.session.scalars(
                select(BoardMeeting).where(BoardMeeting.date == on)
            )
        ]

    def key(self, values: dict[str, Any]) -> Hashable:
        if values.get("number") is None:
            raise RowRefused("number", "the number is missing")
        return values["number"]

    def label(self, values: dict[str, Any]) -> str:
        return f"Board meeting {values.get('number')}"

    def find(self, context: ImportSession, key: Hashable) -> Any:
        return context.session.scalars(
            select(BoardMeeting).where(BoardMeeting.number == key)
        ).one_or_none()

    def data_of(self, record: Any) -> Any:
        return BoardMeetingData.from_record(record)

    def build(self, context: ImportSession, values: dict[str, Any], current: Any) -> Any:
        values = dict(values)
        values["date"] = first_date(values, "date") if "date" in values else None
        base = (
            current
            if current is not None
            else BoardMeetingData(number=values["number"], date=values["date"])
        )
        return self.merge(
            base,
            values,
            {k: k for k in ("number", "date", "mode", "location", "notes") if k in values},
        )


class DecisionImport(TableImport):
    table = "decisions"
    noun = "decision"
    model = Decision
    kept_on_match = ("number",)

    def name_of(self, record: Any) -> str:
        return f"Decision {record.board_meeting.number}.{record.number}"

    def likely(
        self, context: ImportSession, values: dict[str, Any], key: Hashable = None
    ) -> list[Candidate]:
        """The same decision text at the same board meeting under another number."""
        text = normalize_name(values.get("text") or "")
        if not text:
            return []
        return [
            Candidate(
                RecordRef(decision.id, f"Decision {values['board_meeting']}.{decision.number}"),
                f"same text as decision {values['board_meeting']}.{decision.number}",
                90,
                False,
            )
            for decision in context.session.scalars(
                select(Decision)
                .join(Decision.board_meeting)
                .where(BoardMeeting.number == values["board_meeting"])
            )
            if normalize_name(decision.text) == text
        ]

    def key(self, values: dict[str, Any]) -> Hashable:
        if values.get("board_meeting") is None:
            raise RowRefused("board_meeting", "the board meeting is missing")
        if values.get("number") is None:
            raise RowRefused("number", "the decision number is missing")
        return (values["board_meeting"], values["number"])

    def label(self, values: dict[str, Any]) -> str:
        return f"Decision {values.get('board_meeting')}.{values.get('number')}"

    def find(self, context: ImportSession, key: Hashable) -> Any:
        board, number = key  # type: ignore[misc]
        return context.session.scalars(
            select(Decision)
            .join(Decision.board_meeting)
            .where(BoardMeeting.number == board, Decision.number == number)
        ).one_or_none()

    def data_of(self, record: Any) -> Any:
        return DecisionData.from_record(record)

    def build(self, context: ImportSession, values: dict[str, Any], current: Any) -> Any:
        board_id = context.board_meeting_id(values["board_meeting"], "Board meeting")
        changes: dict[str, Any] = {"board_meeting_id": board_id, "number": values["number"]}
        for key in ("text", "category", "status", "owner", "follow_up"):
            if key in values:
                changes[key] = values[key]
        if "due_date" in values:
            changes["due_date"] = first_date(values, "due_date")
        if changes.get("status", 0) is None:
            changes["status"] = DecisionStatus.PROPOSED
        if "organizations" in values:
            changes["organization_ids"] = tuple(
                context.organization_id(name, "Organizations") for name in values["organizations"]
            )
        base = (
            current
            if current is not None
            else DecisionData(board_meeting_id=board_id, text=values.get("text") or "")
        )
        return replace(base, **changes)

    def comparable(self, data: Any) -> Any:
        return replace(data, organization_ids=tuple(sorted(data.organization_ids)))
