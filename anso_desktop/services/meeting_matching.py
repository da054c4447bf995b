"""Likely matches among meetings: the same title in the same year (a corrected date), or the
same dates with a very similar title; and the pairs of the register's meetings that look like one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from anso_desktop.services.matching import (
    Candidate,
    DuplicatePair,
    RecordRef,
    best_first,
    pairs_of,
    similarity,
)
from anso_desktop.services.name_forms import numbers_of
from anso_desktop.storage.models import normalize_name

#: How far a meeting's date may move (a corrected date) and still be surely the same meeting.
CORRECTED_DATE_DAYS = 14
#: Title similarity of two meetings on the same dates taken as the same meeting.
VERY_SIMILAR_TITLE = 90
#: ... and offered as a weak match.
SIMILAR_TITLE = 75


def fold_title(title: str) -> str:
    """A meeting's title as matching compares it: case, accents, punctuation and a leading
    "The" set aside."""
    folded = normalize_name(title)
    return folded[4:] if folded.startswith("the ") else folded


@dataclass(frozen=True)
class MeetingEntry:
    id: int
    title: str
    start: date
    end: date | None
    folded: str


@dataclass
class MeetingIndex:
    """The register's meetings, by folded title and year and by start date."""

    entries: dict[int, MeetingEntry] = field(default_factory=dict)
    by_title_year: dict[tuple[str, int], list[int]] = field(
        default_factory=lambda: defaultdict(list)
    )
    by_start: dict[date, list[int]] = field(default_factory=lambda: defaultdict(list))
    #: Where the indexed meetings are, as reasons say it.
    where: str = "in the register"

    @classmethod
    def of(cls, meetings: Iterable[tuple[int, str, date, date | None]]) -> MeetingIndex:
        index = cls()
        for meeting_id, title, start, end in meetings:
            index.add(meeting_id, title, start, end)
        return index

    def add(self, meeting_id: int, title: str, start: date, end: date | None) -> None:
        entry = MeetingEntry(meeting_id, title, start, end, fold_title(title))
        self.entries[meeting_id] = entry
        self.by_title_year[(entry.folded, start.year)].append(meeting_id)
        self.by_start[start].append(meeting_id)

    def __len__(self) -> int:
        return len(self.entries)

    def candidates(
        self, title: str, start: date, end: date | None = None, *, exclude: int | None = None
    ) -> list[Candidate]:
        """The meetings a row (title, dates) may be, best first."""
        folded = fold_title(title)
        found: list[Candidate] = []
        for meeting_id in self.by_title_year.get((folded, start.year), ()):
            entry = self.entries[meeting_id]
            if meeting_id == exclude:
                continue
            if entry.start == start:
                reason = "same title and date once case and punctuation are set aside"
                found.append(self._candidate(entry, reason, 100, True))
            else:
                # A corrected date moves a meeting by days; a series ("Monthly seminar") repeats
                # its title month after month: further apart, a person decides.
                near = abs((entry.start - start).days) <= CORRECTED_DATE_DAYS
                reason = f"same title in {start.year}, dated {entry.start:%d %b %Y} {self.where}"
                found.append(self._candidate(entry, reason, 95 if near else 75, near))
        numbers = numbers_of(folded)
        for meeting_id in self.by_start.get(start, ()):
            entry = self.entries[meeting_id]
            if meeting_id == exclude or entry.folded == folded:
                continue
            if end is not None and entry.end is not None and end != entry.end:
                continue
            if numbers_of(entry.folded) != numbers:
                continue
            score = similarity(folded, entry.folded)
            if score >= VERY_SIMILAR_TITLE:
                reason = f"same dates and a very similar title ({score}%)"
                found.append(self._candidate(entry, reason, score, True))
            elif score >= SIMILAR_TITLE:
                reason = f"same dates and a similar title ({score}%)"
                found.append(self._candidate(entry, reason, score, False))
        return best_first(found)

    @staticmethod
    def _candidate(entry: MeetingEntry, reason: str, score: int, strong: bool) -> Candidate:
        return Candidate(RecordRef(entry.id, entry.title), reason, score, strong)


def meeting_duplicates(
    index: MeetingIndex,
    distinct: set[tuple[int, int]] = frozenset(),  # type: ignore[assignment]
) -> list[DuplicatePair]:
    """Every pair of the register's meetings that look like one."""

    def found() -> Iterable[tuple[RecordRef, Candidate]]:
        for entry in index.entries.values():
            record = RecordRef(entry.id, entry.title)
            for candidate in index.candidates(
                entry.title, entry.start, entry.end, exclude=entry.id
            ):
                yield record, candidate

    return pairs_of(found(), distinct)
