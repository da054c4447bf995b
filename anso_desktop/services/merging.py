"""Duplicates and merge: find records of the register that look like one, and make them one.

A merge keeps one record (the survivor), takes the fields a person chose from the other, moves
every link of the other to it (contacts, meeting organizers, decision links, the endorsing
decision and approval meeting, fund partners, finance entries naming it; for meetings: the
approvals at it and the board meetings held at it) and keeps the other's names as aliases, in one
transaction. Every row it writes is journalled, so `undo` puts back exactly what was there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Table, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from anso_desktop.domain import MemberStatus, Relation
from anso_desktop.errors import ConflictError, NotFoundError, UserError, ValidationError
from anso_desktop.services import matching, meeting_matching
from anso_desktop.services.matching import DuplicatePair, RecordRef
from anso_desktop.services.meetings import MeetingService
from anso_desktop.services.organizations import OrganizationService
from anso_desktop.services.row_journal import RowJournal, row_of
from anso_desktop.storage import history
from anso_desktop.storage.database import Database
from anso_desktop.storage.models import (
    BoardMeeting,
    DecisionOrganization,
    DistinctPair,
    FinanceEntry,
    Meeting,
    MeetingOrganizer,
    Organization,
    OrganizationAlias,
    fold_for_search,
    normalize_name,
)

MergeTable = Literal["members", "meetings"]
TABLES: tuple[MergeTable, ...] = ("members", "meetings")

#: The fields a person chooses between, per table: key -> label.
ORGANIZATION_FIELDS = {
    "name": "Name",
    "acronym": "Acronym",
    "country": "Country",
    "kind": "Kind",
    "relation": "Relation",
    "status": "Status",
    "applied_on": "Applied",
    "endorsed_on": "Endorsed by GB",
    "endorsement_decision_id": "Endorsing decision",
    "approved_on": "Approved by GA",
    "approval_meeting_id": "Approving General Assembly",
    "joined_on": "Joined",
    "suspended_on": "Suspended",
    "withdrawn_on": "Withdrawn",
    "website": "Website",
    "email": "Email",
    "notes": "Notes",
}
MEETING_FIELDS = {
    "title": "Title",
    "kind": "Kind",
    "start_date": "Start date",
    "end_date": "End date",
    "mode": "Mode",
    "location": "Location",
    "participants_count": "Participants",
    "countries_count": "Countries",
    "notes": "Notes",
}
_LINK_NOUNS = {
    "contacts": ("contact", "contacts"),
    "organizers": ("meeting organizer", "meeting organizers"),
    "decisions": ("decision link", "decision links"),
    "funds": ("fund", "funds"),
    "finance_entries": ("finance entry", "finance entries"),
    "aliases": ("alias", "aliases"),
    "approvals": ("approval", "approvals"),
    "board_meetings": ("board meeting", "board meetings"),
}


#: A member's admission steps go together (an endorsement date needs its application date):
#: they come from one record or the other, never mixed.
LIFECYCLE_FIELDS = (
    "status",
    "applied_on",
    "endorsed_on",
    "endorsement_decision_id",
    "approved_on",
    "approval_meeting_id",
    "joined_on",
    "suspended_on",
    "withdrawn_on",
)


@dataclass(frozen=True)
class FieldChoice:
    """One field of two records side by side, and whether a merge takes the other's value by
    default: a blank of the survivor is filled from the other; a member's admission steps come
    whole from the record further along them."""

    key: str
    label: str
    keep_value: Any
    other_value: Any
    default_from_other: bool = False

    @property
    def differs(self) -> bool:
        return self.keep_value != self.other_value


def _status_rank(status: Any) -> int:
    return -1 if status is None else list(MemberStatus).index(status)


def default_fields(table: str, keep: Any, other: Any) -> tuple[str, ...]:
    """The fields a merge takes from `other` unless told otherwise."""
    fields = _MODEL_AND_FIELDS[table][1]
    taken = [
        key
        for key in fields
        if key not in LIFECYCLE_FIELDS
        and _blank(getattr(keep, key))
        and not _blank(getattr(other, key))
    ]
    if table == "members" and _status_rank(other.status) > _status_rank(keep.status):
        taken += [key for key in LIFECYCLE_FIELDS if getattr(keep, key) != getattr(other, key)]
    return tuple(taken)


def _whole_lifecycle(table: str, chosen: tuple[str, ...]) -> tuple[str, ...]:
    """A chosen admission step brings the others of its record with it."""
    if table != "members" or not set(chosen) & set(LIFECYCLE_FIELDS):
        return chosen
    return tuple(dict.fromkeys([*chosen, *LIFECYCLE_FIELDS]))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass
class MergeResult:
    """What a merge did (or, on a dry run, would do), and what undoing it takes."""

    table: MergeTable
    keep: RecordRef
    other: RecordRef
    moved: dict[str, int] = field(default_factory=dict)
    taken_from_other: tuple[str, ...] = ()
    dry_run: bool = False
    journal: RowJournal = field(default_factory=RowJournal, repr=False)

    def summary(self) -> str:
        verb = "Would merge" if self.dry_run else "Merged"
        moved = [
            f"{count} {_LINK_NOUNS[name][count != 1]}"
            for name, count in self.moved.items()
            if count
        ]
        return (
            f"{verb} '{self.other.name}' (#{self.other.id}) into '{self.keep.name}' "
            f"(#{self.keep.id})" + (f": moved {', '.join(moved)}" if moved else "") + "."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "keep": self.keep.to_dict(),
            "other": self.other.to_dict(),
            "moved": self.moved,
            "taken_from_other": list(self.taken_from_other),
            "dry_run": self.dry_run,
        }


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


class MergeService:
    """Duplicates of members and meetings, their merge and its undo, and "not a duplicate"."""

    def __init__(self, database: Database) -> None:
        self.database = database

    # --- finding -------------------------------------------------------------------------------

    def duplicates(self, table: MergeTable) -> list[DuplicatePair]:
        """Pairs of likely duplicates, best first, without those marked "not a duplicate"."""
        _check_table(table)
        with self.database.transaction() as session:
            distinct = {
                (row.first_id, row.second_id)
                for row in session.scalars(select(DistinctPair).where(DistinctPair.table == table))
            }
            if table == "members":
                return matching.organization_duplicates(organization_index(session), distinct)
            return meeting_matching.meeting_duplicates(meeting_index(session), distinct)

    def mark_distinct(self, table: MergeTable, first_id: int, second_id: int) -> None:
        """Remember that two records are not duplicates: never offered again."""
        _check_table(table)
        low, high = sorted((first_id, second_id))
        if low == high:
            raise ValidationError.single("record", "A record is not a duplicate of itself")
        with self.database.transaction() as session:
            if session.get(DistinctPair, (table, low, high)) is None:
                session.add(DistinctPair(table=table, first_id=low, second_id=high))

    def forget_distinct(self, table: MergeTable, first_id: int, second_id: int) -> None:
        """Offer the pair again (undo of "Not a duplicate")."""
        low, high = sorted((first_id, second_id))
        with self.database.transaction() as session:
            found = session.get(DistinctPair, (table, low, high))
            if found is not None:
                session.delete(found)

    def compare(self, table: MergeTable, keep_id: int, other_id: int) -> list[FieldChoice]:
        """The two records' fields side by side (the values as stored)."""
        _check_table(table)
        model, fields = _MODEL_AND_FIELDS[table]
        with self.database.transaction() as session:
            keep, other = _get(session, model, keep_id), _get(session, model, other_id)
            taken = default_fields(table, keep, other)
            return [
                FieldChoice(key, label, getattr(keep, key), getattr(other, key), key in taken)
                for key, label in fields.items()
            ]

    # --- merging -----------------------------------------------------------------------------

    def merge(
        self,
        table: MergeTable,
        keep_id: int,
        other_id: int,
        *,
        take_from_other: Iterable[str] | None = None,
        dry_run: bool = False,
    ) -> MergeResult:
        """Make `other_id` part of `keep_id`. `take_from_other`: the fields whose value comes
        from the other record (None: every field the survivor has blank). All or nothing."""
        _check_table(table)
        if keep_id == other_id:
            raise ValidationError.single("record", "A record cannot be merged with itself")
        model, fields = _MODEL_AND_FIELDS[table]
        try:
            with history.recorded_as("merge"), self.database.transaction() as session:
                keep, other = _get(session, model, keep_id), _get(session, model, other_id)
                if take_from_other is None:
                    chosen = default_fields(table, keep, other)
                else:
                    chosen = tuple(dict.fromkeys(take_from_other))
                    unknown = [key for key in chosen if key not in fields]
                    if unknown:
                        raise ValidationError.single(
                            "fields",
                            f"No such field to merge: {', '.join(unknown)} "
                            f"(the fields are {', '.join(fields)})",
                        )
                    chosen = _whole_lifecycle(table, chosen)
                result = MergeResult(
                    table,
                    RecordRef(keep.id, _name(keep)),
                    RecordRef(other.id, _name(other)),
                    taken_from_other=chosen,
                    dry_run=dry_run,
                )
                values = {key: getattr(other, key) for key in chosen}
                session.expunge_all()  # from here on the rows are written as rows, journalled
                try:
                    with session.begin_nested():
                        if table == "members":
                            _merge_organizations(session, result, values)
                        else:
                            _merge_meetings(session, result, values)
                except IntegrityError as error:
                    first_line = str(error.orig).splitlines()[0]
                    raise ValidationError.single(
                        "record",
                        f"'{result.keep.name}' and '{result.other.name}' cannot be merged with "
                        f"these values: the database refused them ({first_line})",
                    ) from None
                result.keep = RecordRef(keep_id, _name_now(session, table, keep_id))
                if dry_run:
                    raise _DryRun
        except _DryRun:
            result.journal = RowJournal()
        return result

    def undo(self, result: MergeResult) -> None:
        """Put back exactly what the merge wrote, unless one of those rows changed since (then
        nothing is written and the refusal names the record)."""
        if result.dry_run or not result.journal.entries:
            return
        with history.recorded_as("undo merge"), self.database.transaction() as session:
            changed = result.journal.changed_since(session)
            if changed is not None:
                raise ConflictError(_describe_row(*changed, result))
            result.journal.revert(session)
            session.expire_all()
        result.journal = RowJournal()


_MODEL_AND_FIELDS: dict[str, tuple[type[Any], dict[str, str]]] = {
    "members": (Organization, ORGANIZATION_FIELDS),
    "meetings": (Meeting, MEETING_FIELDS),
}


def _check_table(table: str) -> None:
    if table not in TABLES:
        raise UserError(f"Duplicates are found among {' and '.join(TABLES)}, not '{table}'.")


def _get(session: Session, model: type[Any], record_id: int) -> Any:
    record = session.get(model, record_id)
    if record is None:
        noun = "Organization" if model is Organization else "Meeting"
        raise NotFoundError(f"{noun} #{record_id} does not exist.")
    return record


def _name(record: Any) -> str:
    return record.name if isinstance(record, Organization) else record.title


def _name_now(session: Session, table: str, record_id: int) -> str:
    if table == "members":
        return session.scalar(select(Organization.name).where(Organization.id == record_id)) or ""
    return session.scalar(select(Meeting.title).where(Meeting.id == record_id)) or ""


def _describe_row(table: Table, key: Mapping[str, Any], result: MergeResult) -> str:
    if table.name in ("organizations", "meetings"):
        record = result.keep if key.get("id") == result.keep.id else result.other
        noun = "Organization" if table.name == "organizations" else "Meeting"
        return f"{noun} '{record.name}' (#{record.id})"
    return f"A row of {table.name.replace('_', ' ')} moved by the merge of '{result.other.name}'"


def organization_index(session: Session) -> matching.OrganizationIndex:
    return OrganizationService.matching_index(session)


def meeting_index(session: Session) -> meeting_matching.MeetingIndex:
    return MeetingService.matching_index(session)


def _approval(record: Mapping[str, Any]) -> tuple[Any, Any]:
    return record["approved_on"], record["approval_meeting_id"]


def _merge_organizations(session: Session, result: MergeResult, values: dict[str, Any]) -> None:
    organizations = Organization.__table__
    journal = result.journal
    keep_id, other_id = result.keep.id, result.other.id
    keep = row_of(session, organizations, {"id": keep_id})
    other = row_of(session, organizations, {"id": other_id})
    assert keep is not None and other is not None
    if (
        keep["approved_on"] is not None
        and other["approved_on"] is not None
        and _approval(keep) != _approval(other)
    ):
        raise ValidationError.single(
            "status",
            f"'{keep['name']}' and '{other['name']}' are two different approved memberships "
            f"(approved on {keep['approved_on']:%d %b %Y} and {other['approved_on']:%d %b %Y}); "
            "they cannot be merged",
        )
    moved = result.moved
    # The other goes first: its name may become the survivor's (one name per organization).
    aliases = OrganizationAlias.__table__
    other_aliases = session.execute(
        select(aliases.c.id, aliases.c.name).where(aliases.c.organization_id == other_id)
    ).all()
    moved["contacts"] = _repoint(session, journal, "contacts", "organization_id", other_id, keep_id)
    moved["organizers"] = _repoint(
        session, journal, "meeting_organizers", "organization_id", other_id, keep_id
    )
    moved["funds"] = _repoint(session, journal, "funds", "partner_id", other_id, keep_id)
    moved["decisions"] = _move_decision_links(session, journal, other_id, keep_id)
    _forget_pairs(session, journal, "members", other_id)
    for alias_id, _ in other_aliases:
        journal.delete(session, aliases, {"id": alias_id})
    journal.delete(session, organizations, {"id": other_id})
    final = {**keep, **values}
    if final["relation"] != Relation.MEMBER:
        final["status"] = None
    elif final.get("status") is None:
        final["status"] = keep["status"] or other["status"]
    names = [other["name"], *(name for _, name in other_aliases), keep["name"]]
    alias_names = [
        n for n in dict.fromkeys(names) if normalize_name(n) != normalize_name(final["name"])
    ]
    for name in alias_names:
        journal.insert(
            session,
            aliases,
            {"organization_id": keep_id, "name": name, "normalized_name": normalize_name(name)},
        )
    moved["aliases"] = len(alias_names)
    moved["finance_entries"] = 0
    for written in {other["name"], other["acronym"]} - {None}:
        for entry_id, version, category, description in session.execute(
            select(
                FinanceEntry.id,
                FinanceEntry.version,
                FinanceEntry.category,
                FinanceEntry.description,
            ).where(FinanceEntry.funding_source == written)
        ).all():
            searched_entry = [v for v in (category, description, final["name"]) if v]
            journal.update(
                session,
                FinanceEntry.__table__,
                {"id": entry_id},
                funding_source=final["name"],
                search_text=fold_for_search(" | ".join(searched_entry)),
                version=version + 1,
            )
            moved["finance_entries"] += 1
    searched = [final[name] for name in Organization.search_fields if final.get(name)]
    every_alias = session.scalars(
        select(aliases.c.name).where(aliases.c.organization_id == keep_id)
    ).all()  # its own and the ones just added: searching any of them finds it
    changes = {key: final[key] for key in ORGANIZATION_FIELDS}
    changes["status"] = final["status"]
    journal.update(
        session,
        organizations,
        {"id": keep_id},
        **changes,
        normalized_name=normalize_name(final["name"]),
        search_text=fold_for_search(" | ".join([*searched, *sorted(every_alias)])),
        version=keep["version"] + 1,
    )


def _repoint(
    session: Session, journal: RowJournal, table_name: str, column: str, old: int, new: int
) -> int:
    table = Organization.metadata.tables[table_name]
    keys = [c.name for c in table.primary_key.columns]
    rows = session.execute(select(*(table.c[k] for k in keys)).where(table.c[column] == old)).all()
    for row in rows:
        journal.update(session, table, dict(zip(keys, row, strict=True)), **{column: new})
    return len(rows)


def _move_decision_links(session: Session, journal: RowJournal, old: int, new: int) -> int:
    links = DecisionOrganization.__table__
    theirs = set(session.scalars(select(links.c.decision_id).where(links.c.organization_id == old)))
    ours = set(session.scalars(select(links.c.decision_id).where(links.c.organization_id == new)))
    for decision_id in sorted(theirs):
        key = {"decision_id": decision_id, "organization_id": old}
        if decision_id in ours:
            journal.delete(session, links, key)
        else:
            journal.update(session, links, key, organization_id=new)
    return len(theirs)


def _forget_pairs(session: Session, journal: RowJournal, table: str, record_id: int) -> None:
    pairs = DistinctPair.__table__
    for first, second in session.execute(
        select(pairs.c.first_id, pairs.c.second_id).where(
            pairs.c.table == table,
            (pairs.c.first_id == record_id) | (pairs.c.second_id == record_id),
        )
    ).all():
        journal.delete(session, pairs, {"table": table, "first_id": first, "second_id": second})


def _organizers_of(session: Session, meeting_id: int) -> list[Any]:
    organizers = MeetingOrganizer.__table__
    statement = (
        select(organizers)
        .where(organizers.c.meeting_id == meeting_id)
        .order_by(organizers.c.position)
    )
    return list(session.execute(statement).mappings())


def _merge_meetings(session: Session, result: MergeResult, values: dict[str, Any]) -> None:
    meetings = Meeting.__table__
    journal = result.journal
    keep_id, other_id = result.keep.id, result.other.id
    keep = row_of(session, meetings, {"id": keep_id})
    other = row_of(session, meetings, {"id": other_id})
    assert keep is not None and other is not None
    boards = session.execute(
        select(BoardMeeting.id, BoardMeeting.number).where(
            BoardMeeting.meeting_id.in_((keep_id, other_id))
        )
    ).all()
    if len({number for _, number in boards}) > 1:
        raise ValidationError.single(
            "meeting",
            f"'{keep['title']}' and '{other['title']}' are the meetings of two different "
            "Governing Board meetings; they cannot be merged",
        )
    moved = result.moved
    moved["approvals"] = _repoint(
        session, journal, "organizations", "approval_meeting_id", other_id, keep_id
    )
    moved["board_meetings"] = _repoint(
        session, journal, "board_meetings", "meeting_id", other_id, keep_id
    )
    organizers = MeetingOrganizer.__table__
    ours, theirs = _organizers_of(session, keep_id), _organizers_of(session, other_id)
    known = {normalize_name(row["name"]) for row in ours}
    position = max((row["position"] for row in ours), default=-1)
    for row in theirs:
        journal.delete(session, organizers, {"meeting_id": other_id, "position": row["position"]})
    moved["organizers"] = 0
    for row in theirs:
        if normalize_name(row["name"]) in known:
            continue
        position += 1
        known.add(normalize_name(row["name"]))
        journal.insert(
            session,
            organizers,
            {
                "meeting_id": keep_id,
                "position": position,
                "name": row["name"],
                "organization_id": row["organization_id"],
            },
        )
        moved["organizers"] += 1
    _forget_pairs(session, journal, "meetings", other_id)
    journal.delete(session, meetings, {"id": other_id})
    final = {**keep, **values}
    if final["end_date"] < final["start_date"]:
        final["end_date"] = final["start_date"]
    names = [row["name"] for row in ours] + [
        row["name"]
        for row in theirs
        if normalize_name(row["name"]) not in {normalize_name(r["name"]) for r in ours}
    ]
    searched = [final[name] for name in Meeting.search_fields if final.get(name)]
    journal.update(
        session,
        meetings,
        {"id": keep_id},
        **{key: final[key] for key in MEETING_FIELDS},
        search_text=fold_for_search(" | ".join([*searched, *names])),
        version=keep["version"] + 1,
    )
