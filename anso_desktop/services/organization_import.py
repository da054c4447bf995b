"""Importing members, their contacts and aliases: natural keys (the folded name; organization
and name; the folded alias), the likely matches of the register, bulk insert of many members, and
the endorsing decisions linked once every sheet is in."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, fields, replace
from operator import itemgetter
from typing import Any

from sqlalchemy import Row, func, select

from anso_desktop.domain import MemberStatus, OrganizationKind, Relation
from anso_desktop.services import matching
from anso_desktop.services.importing import (
    ImportSession,
    LateProblem,
    RowRefused,
    TableImport,
    first_date,
    insert_rows,
    require,
)
from anso_desktop.services.matching import Candidate, RecordRef
from anso_desktop.services.name_forms import core_of, organization_form
from anso_desktop.services.organizations import ROW_COLUMNS, ContactData, OrganizationData
from anso_desktop.storage.models import (
    BoardMeeting,
    Contact,
    Decision,
    Organization,
    OrganizationAlias,
    normalize_name,
)


class MemberImport(TableImport):
    table = "members"
    noun = "member organization"
    model = Organization
    kept_on_match = ("name",)
    FIELDS = {f.name: f.name for f in fields(OrganizationData)}

    def likely(
        self, context: ImportSession, values: dict[str, Any], key: Hashable = None
    ) -> list[Candidate]:
        return context.services.organizations.likely_matches(
            values["name"],
            values.get("acronym"),
            values.get("country"),
            session=context.session,
            folded=key if isinstance(key, str) else None,
        )

    def matched(self, context: ImportSession, record: Any, values: dict[str, Any]) -> None:
        context.aliases.append((record, values["name"]))

    STEP_DATES = ("applied_on", "endorsed_on", "approved_on", "joined_on")

    def key(self, values: dict[str, Any]) -> Hashable:
        name = values.get("name")
        if not name:
            raise RowRefused("name", "the name is missing")
        return normalize_name(name)

    def label(self, values: dict[str, Any]) -> str:
        return values.get("name") or "?"

    def find(self, context: ImportSession, key: Hashable) -> Any:
        found = context.session.scalars(
            select(Organization).where(Organization.normalized_name == key)
        ).one_or_none()
        return found

    def data_of(self, record: Any) -> Any:
        return OrganizationData.from_record(record)

    def build(self, context: ImportSession, values: dict[str, Any], current: Any) -> Any:
        fields_ = {key: value for key, value in values.items() if key in self.FIELDS}
        for key in self.STEP_DATES:
            if type(fields_.get(key)) is tuple:
                fields_[key] = first_date(values, key)
        if current is None:  # a new organization: built in one go (imports build thousands)
            relation = fields_.get("relation") or Relation.MEMBER
            fields_["kind"] = fields_.get("kind") or OrganizationKind.OTHER
            fields_["relation"] = relation
            status = fields_.get("status") if relation is Relation.MEMBER else None
            if relation is Relation.MEMBER and status is None:
                status = MemberStatus.APPLICANT
            fields_["status"] = status
            return OrganizationData(**fields_)
        for key in ("kind", "relation", *self.STEP_DATES):
            if key in fields_ and fields_[key] is None:
                fields_.pop(key)  # blank: keep what it is (a step's date is never erased)
        data = replace(current, **fields_)
        if data.relation is Relation.MEMBER and data.status is None:
            data = replace(data, status=MemberStatus.APPLICANT)
        return data

    def after_save(
        self, context: ImportSession, record: Any, values: dict[str, Any], row: int, sheet: str
    ) -> None:
        reference = values.get("endorsement")
        if reference:
            if isinstance(record, Row):  # read as plain columns: the link needs the record
                record = context.session.get_one(Organization, record.id)
            context.endorsements.append((record, reference, row, sheet))

    bulk = True

    def new_rows_index(self) -> Any:
        return _NewOrganizations()

    def find_many(self, context: ImportSession, keys: list[Hashable]) -> dict[Hashable, Any]:
        """The existing records of `keys`, as plain rows of the columns an import compares: a
        second import of 100,000 members finds every one, and ORM objects of them all would
        cost twice the time and memory. `apply` loads the few that change."""
        found: dict[Hashable, Any] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            for record in context.session.execute(
                select(*_COMPARED).where(Organization.normalized_name.in_(chunk))
            ):
                found[record.normalized_name] = record
        return found

    def check(self, context: ImportSession, data: Any, record: Any) -> Any:
        return context.services.organizations.check(data, record)

    def new_record(self, context: ImportSession, data: Any, key: Hashable) -> Any:
        return context.services.organizations.row_values(
            data, normalized_name=key, date_application=False
        )

    def insert_many(self, context: ImportSession, records: list[Any]) -> None:
        # In the order of the unique name index: each insert then lands beside the last in its
        # B-tree instead of anywhere in it (the INSERTs of 100,000 rows: 1.17 s instead of 1.42 s).
        records.sort(key=itemgetter(_NORMALIZED_NAME))
        insert_rows(context, Organization.__table__, ROW_COLUMNS, records)
        context.services.organizations.forget_matching_index(context.session)

    def apply(self, context: ImportSession, record: Any, data: Any) -> None:
        if isinstance(record, Row):
            record = context.session.get_one(Organization, record.id)
        context.services.organizations._apply(context.session, record, data)


class ContactImport(TableImport):
    table = "contacts"
    noun = "contact"
    model = Contact

    kept_on_match = ("name",)

    def likely(
        self, context: ImportSession, values: dict[str, Any], key: Hashable = None
    ) -> list[Candidate]:
        """The same e-mail with the same name or at the same organization (sure; an e-mail alone
        is only a hint: mailboxes are shared and handed on), or the same name at the
        organization the row names however it spells it."""
        found: list[Candidate] = []
        organization, candidates = context.services.organizations.find_by_reference(
            context.session, values["organization"]
        )
        name = normalize_name(values["name"])
        email = (values.get("email") or "").strip()
        if email:
            for contact in context.session.scalars(
                select(Contact).where(func.lower(Contact.email) == email.lower())
            ):
                where = contact.organization.name
                sure = (
                    normalize_name(contact.name) == name or contact.organization_id == organization
                )
                reason = f"same e-mail ({email}) at {where}" + ("" if sure else ", another name")
                found.append(
                    Candidate(
                        RecordRef(contact.id, contact.name), reason, 100 if sure else 80, sure
                    )
                )
        if organization is not None and candidates:
            for contact in context.session.scalars(
                select(Contact).where(Contact.organization_id == organization)
            ):
                if normalize_name(contact.name) == name:
                    reason = f"same name at {contact.organization.name}"
                    found.append(Candidate(RecordRef(contact.id, contact.name), reason, 95, True))
        return matching.best_first(found)

    def key(self, values: dict[str, Any]) -> Hashable:
        if not values.get("organization") or not values.get("name"):
            raise RowRefused("name" if values.get("organization") else "organization", "missing")
        return (normalize_name(values["organization"]), normalize_name(values["name"]))

    def label(self, values: dict[str, Any]) -> str:
        return f"{values.get('name')} ({values.get('organization')})"

    def find(self, context: ImportSession, key: Hashable) -> Any:
        organization, name = key  # type: ignore[misc]
        for contact in context.session.scalars(
            select(Contact)
            .join(Contact.organization)
            .where(Organization.normalized_name == organization)
        ):
            if normalize_name(contact.name) == name:
                return contact
        return None

    def data_of(self, record: Any) -> Any:
        return ContactData.from_record(record)

    def build(self, context: ImportSession, values: dict[str, Any], current: Any) -> Any:
        organization_id = context.organization_id(values["organization"], "Organization")
        if current is None:
            current = ContactData(organization_id=organization_id, name=values["name"])
        fields_ = {k: k for k in ("name", "title", "email", "phone", "role") if k in values}
        return replace(self.merge(current, values, fields_), organization_id=organization_id)

    def create(self, context: ImportSession, data: Any) -> Any:
        return context.services.organizations.add_contact(data)

    def update(self, context: ImportSession, record: Any, data: Any) -> Any:
        return context.services.organizations.update_contact(record.id, record.version, data)


@dataclass(frozen=True)
class AliasRow:
    organization_id: int
    name: str


class AliasImport(TableImport):
    """Another name of an organization: keyed by the folded alias (one organization each)."""

    table = "aliases"
    noun = "alias"
    model = OrganizationAlias

    def key(self, values: dict[str, Any]) -> Hashable:
        require(values, "record", "alias")
        return normalize_name(values["alias"])

    def label(self, values: dict[str, Any]) -> str:
        return f"{values.get('alias')} ({values.get('record')})"

    def find(self, context: ImportSession, key: Hashable) -> Any:
        return context.session.scalars(
            select(OrganizationAlias).where(OrganizationAlias.normalized_name == key)
        ).one_or_none()

    def data_of(self, record: Any) -> Any:
        return AliasRow(record.organization_id, record.name)

    def build(self, context: ImportSession, values: dict[str, Any], current: Any) -> Any:
        organization_id = context.organization_id(values["record"], "record")
        clash = context.session.scalars(
            select(Organization).where(
                Organization.normalized_name == normalize_name(values["alias"])
            )
        ).first()
        if clash is not None:
            raise RowRefused("alias", f"'{clash.name}' is the name of an organization already")
        return AliasRow(organization_id, " ".join(values["alias"].split()))

    def create(self, context: ImportSession, data: Any) -> Any:
        alias = OrganizationAlias(organization_id=data.organization_id, name=data.name)
        context.session.add(alias)
        context.session.flush()
        return alias

    def update(self, context: ImportSession, record: Any, data: Any) -> Any:
        record.organization_id = data.organization_id
        record.name = data.name
        context.session.flush()
        return record


class _NewOrganizations:
    """The file's new members so far, by core name (ids are row numbers): a row with the same
    name as an earlier one once "The", an acronym, a country or a parent is set aside repeats it.
    Only that rule, kept as one dictionary: a file of 100,000 new members asks it of every row
    (similar spellings within one file are left to `duplicates` afterwards)."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[int, str]] = {}

    def see(self, row: int, values: dict[str, Any], key: Hashable = None) -> list[Candidate]:
        """The earlier rows this one repeats; this row is kept for the rows after it."""
        core = core_of(values["name"], key if isinstance(key, str) else None)
        found = self.rows.setdefault(core, (row, values["name"]))
        if found[0] == row:
            return []
        earlier, name = found
        theirs, ours = organization_form(name), organization_form(values["name"])
        set_aside = [*ours.set_aside, *(p for p in theirs.set_aside if p not in ours.set_aside)]
        reason = f"same name without {' and '.join(set_aside)}" if set_aside else "the same name"
        return [Candidate(RecordRef(earlier, name), reason, 100, True)]


_NORMALIZED_NAME = ROW_COLUMNS.index("normalized_name")
#: What `find_many` reads of an existing member: its identity and the fields an import compares.
_COMPARED = (
    Organization.id,
    Organization.version,
    Organization.normalized_name,
    *(getattr(Organization, name) for name in OrganizationData.__dataclass_fields__),
)


def keep_aliases(context: ImportSession) -> int:
    """Keep each name a row was matched under as an alias of its record, so the next import of
    the same spelling finds it at once; returns how many are new."""
    added = 0
    for record, name in context.aliases:
        if context.services.organizations.add_alias(context.session, record.id, name):
            added += 1
    context.session.flush()
    return added


def link_endorsements(context: ImportSession) -> list[LateProblem]:
    """Point "Endorsing decision" cells ("4.3") at their decisions, which may come later."""
    problems: list[LateProblem] = []
    for organization, reference, row, sheet in context.endorsements:
        if isinstance(organization, tuple):  # inserted in bulk as plain values: find its row
            organization = context.session.scalars(
                select(Organization).where(
                    Organization.normalized_name == organization[_NORMALIZED_NAME]
                )
            ).one()
        board, _, number = reference.partition(".")
        decision = None
        if board.strip().isdigit() and number.strip().isdigit():
            decision = context.session.scalars(
                select(Decision)
                .join(Decision.board_meeting)
                .where(BoardMeeting.number == int(board), Decision.number == int(number))
            ).one_or_none()
        if decision is None:
            message = f"there is no decision {reference} (board meeting.decision)"
            problems.append((sheet, row, "endorsement", message))
            continue
        if organization.endorsement_decision_id != decision.id:
            organization.endorsement_decision_id = decision.id
            if decision.id not in {o.id for o in decision.organizations}:
                decision.organizations.append(organization)
    context.session.flush()
    return problems
