"""Member organizations, partners and others; their contacts; the admission lifecycle."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from operator import attrgetter
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from anso_desktop.countries import country_code
from anso_desktop.domain import MEMBER_TRANSITIONS, MemberStatus, OrganizationKind, Relation
from anso_desktop.errors import ValidationError
from anso_desktop.services.base import CrudService, Errors, clean_text, each_id
from anso_desktop.services.organization_contacts import OrganizationContacts
from anso_desktop.services.organization_identity import OrganizationIdentity
from anso_desktop.storage.models import (
    Contact,
    Decision,
    DecisionOrganization,
    Fund,
    Meeting,
    MeetingOrganizer,
    Organization,
    fold_for_search,
    normalize_name,
)

# Which date column records reaching each status.
_STATUS_DATE_FIELD: dict[MemberStatus, str] = {
    MemberStatus.APPLICANT: "applied_on",
    MemberStatus.ENDORSED: "endorsed_on",
    MemberStatus.APPROVED: "approved_on",
    MemberStatus.ACTIVE: "joined_on",
    MemberStatus.SUSPENDED: "suspended_on",
    MemberStatus.WITHDRAWN: "withdrawn_on",
}


@dataclass(frozen=True)
class OrganizationData:
    name: str
    acronym: str | None = None
    country: str | None = None
    kind: OrganizationKind = OrganizationKind.OTHER
    relation: Relation = Relation.OTHER
    status: MemberStatus | None = None
    applied_on: date | None = None
    endorsed_on: date | None = None
    approved_on: date | None = None
    joined_on: date | None = None
    website: str | None = None
    email: str | None = None
    notes: str | None = None

    @classmethod
    def from_record(cls, record: Organization) -> OrganizationData:
        return cls(**{name: getattr(record, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class ContactData:
    organization_id: int
    name: str
    title: str | None = None
    email: str | None = None
    phone: str | None = None
    role: str | None = None

    @classmethod
    def from_record(cls, record: Contact) -> ContactData:
        return cls(**{name: getattr(record, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class OrganizationSnapshot:
    """An organization with everything `OrganizationData` leaves out: the lifecycle's links and
    last dates, the decisions that concern it, its contacts, and the meetings and funds that name
    it. Undo needs all of it to put an organization back exactly (after a lifecycle action, an
    edit or a delete); an `OrganizationData` alone would bring back a bare record."""

    id: int
    data: OrganizationData
    suspended_on: date | None = None
    withdrawn_on: date | None = None
    endorsement_decision_id: int | None = None
    approval_meeting_id: int | None = None
    decision_ids: tuple[int, ...] = ()
    contacts: tuple[ContactData, ...] = ()
    #: (meeting id, position) of the meeting organizers linked to it.
    organizer_keys: tuple[tuple[int, int], ...] = ()
    #: Funds of which it is the partner.
    fund_ids: tuple[int, ...] = ()


_ORGANIZATION_FIELDS = tuple(OrganizationData.__dataclass_fields__)
_data_fields = attrgetter(*_ORGANIZATION_FIELDS)  # all of them as one tuple, in one call
_STORED_CHOICES: dict[Any, str] = {
    member: member.value for enum in (OrganizationKind, Relation, MemberStatus) for member in enum
}
# Set by the lifecycle's actions, never by a form or an import: blank in a new record.
_LIFECYCLE_COLUMNS = (
    "endorsement_decision_id",
    "approval_meeting_id",
    "suspended_on",
    "withdrawn_on",
)
_BLANK_LIFECYCLE = (None,) * len(_LIFECYCLE_COLUMNS)
#: The columns of `OrganizationService.row_values`, in its order.
ROW_COLUMNS: tuple[str, ...] = (
    *_ORGANIZATION_FIELDS,
    "normalized_name",
    "search_text",
    "version",
    *_LIFECYCLE_COLUMNS,
)
_CHOICE_INDEXES = tuple(_ORGANIZATION_FIELDS.index(name) for name in ("kind", "relation", "status"))
_SEARCHED = tuple(_ORGANIZATION_FIELDS.index(name) for name in Organization.search_fields)


def _date_to_default(
    status: MemberStatus | None, previous: MemberStatus | None, *, is_new: bool
) -> str | None:
    """Which date a save fills with today, if blank: a form that moves a member on, or a new
    application. A new record in a later status (history typed in, or imported) keeps blanks."""
    if status is None or status is previous:
        return None
    if not is_new or status is MemberStatus.APPLICANT:
        return _STATUS_DATE_FIELD[status]
    return None


def _lifecycle_problem(
    record: Organization, new_status: MemberStatus, on: date | None
) -> str | None:
    """Why `record` cannot become `new_status` on `on`; None when it can."""
    if record.status is None or new_status not in MEMBER_TRANSITIONS[record.status]:
        return transition_error(record.name, record.status, new_status)
    earlier_field = {
        MemberStatus.ENDORSED: "applied_on",
        MemberStatus.APPROVED: "endorsed_on",
    }.get(new_status)
    earlier = getattr(record, earlier_field) if earlier_field else None
    if on is not None and earlier is not None and on < earlier:
        step = "applied" if earlier_field == "applied_on" else "was endorsed"
        return (
            f"{record.name} {step} on {earlier:%d %b %Y}, so it cannot become "
            f"'{new_status.label}' on {on:%d %b %Y}"
        )
    return None


def transition_error(name: str, current: MemberStatus | None, wanted: MemberStatus) -> str:
    if current is None:
        return f"{name} is not a member, so it cannot become '{wanted.label}'"
    allowed = sorted(MEMBER_TRANSITIONS[current], key=list(MemberStatus).index)
    options = ", ".join(f"'{status.label}'" for status in allowed)
    return (
        f"{name} is '{current.label}' and cannot become '{wanted.label}'; "
        f"from '{current.label}' it can only become {options}"
    )


class OrganizationService(
    OrganizationIdentity, OrganizationContacts, CrudService[Organization, OrganizationData]
):
    model = Organization
    noun = "Organization"
    search_columns = ("name", "acronym", "notes", "email")
    sort_columns = {
        "name": "normalized_name",  # indexed, and ignores case and accents as people do
        "acronym": "acronym",
        "country": "country",
        "kind": "kind",
        "relation": "relation",
        "status": "status",
        "applied_on": "applied_on",
        "endorsed_on": "endorsed_on",
        "approved_on": "approved_on",
        "joined_on": "joined_on",
    }
    default_sort = ("normalized_name",)
    unique_messages = {
        "normalized_name": ("name", "An organization with this name already exists"),
    }

    # --- queries -------------------------------------------------------------------------------

    def _filter(self, statement: Select[Any], name: str, value: Any) -> Select[Any]:
        if name == "status":
            return statement.where(Organization.status == MemberStatus(value))
        if name == "country":
            return statement.where(Organization.country == value)
        if name == "kind":
            return statement.where(Organization.kind == OrganizationKind(value))
        if name == "relation":
            return statement.where(Organization.relation == Relation(value))
        return super()._filter(statement, name, value)

    def find_by_name(self, name: str) -> Organization | None:
        """The organization with this name (case, accents and punctuation aside), or None."""
        with self.database.transaction() as session:
            return session.scalars(
                select(Organization).where(Organization.normalized_name == normalize_name(name))
            ).one_or_none()

    def names_for_suggestions(self) -> list[str]:
        """Every organization's name and acronym, for type-ahead in forms."""
        with self.database.transaction() as session:
            rows = session.execute(
                select(Organization.name, Organization.acronym).order_by(Organization.name)
            ).all()
        return sorted({text for row in rows for text in row if text}, key=str.casefold)

    def counts_by_status(self) -> dict[MemberStatus, int]:
        with self.database.transaction() as session:
            rows = session.execute(
                select(Organization.status, func.count())
                .where(Organization.status.is_not(None))
                .group_by(Organization.status)
            ).all()
        counts = dict.fromkeys(MemberStatus, 0)
        counts.update({status: count for status, count in rows})
        return counts

    def countries_in_use(self) -> list[str]:
        """The country codes of the register's organizations: the choices of a country filter."""
        with self.database.transaction() as session:
            codes = session.scalars(
                select(Organization.country).where(Organization.country.is_not(None)).distinct()
            ).all()
        return sorted(codes)

    def all_contacts(self) -> list[Contact]:
        """Every contact with its organization, by organization then name (for export)."""
        with self.database.transaction() as session:
            return list(
                session.scalars(
                    select(Contact)
                    .join(Contact.organization)
                    .options(joinedload(Contact.organization))
                    .order_by(Organization.normalized_name, Contact.name, Contact.id)
                )
            )

    def count_contacts(self) -> int:
        with self.database.transaction() as session:
            return session.scalar(select(func.count()).select_from(Contact)) or 0

    def contacts(self, organization_id: int) -> list[Contact]:
        with self.database.transaction() as session:
            return list(
                session.scalars(
                    select(Contact)
                    .where(Contact.organization_id == organization_id)
                    .order_by(Contact.name, Contact.id)
                )
            )

    def _load_options(self) -> Sequence[Any]:
        return (selectinload(Organization.contacts),)

    def _list_options(self) -> Sequence[Any]:
        # A list is for the grid: contacts are read with the one organization shown in detail.
        return ()

    def describe(self, record: Organization) -> str:
        return f"Organization '{record.name}'"

    # --- validation --------------------------------------------------------------------------

    def _validate(
        self, session: Session, data: OrganizationData, existing: Organization | None
    ) -> OrganizationData:
        errors: dict[str, str] = {}
        try:
            checked = self.check(data, existing)
        except ValidationError as refused:
            errors.update(refused.errors)
        name = " ".join((data.name or "").split())
        if name and "name" not in errors:
            clash = session.scalars(
                select(Organization).where(Organization.normalized_name == normalize_name(name))
            ).one_or_none()
            if clash is not None and (existing is None or clash.id != existing.id):
                errors["name"] = f"'{clash.name}' is already in the register"
        if errors:  # every field's message at once, as the form shows them
            raise ValidationError(errors)
        return checked

    def check(
        self, data: OrganizationData, existing: Organization | None = None
    ) -> OrganizationData:
        """The checks that need no database (an import runs them on many rows at once, and
        finds clashes between names itself); returns the data tidied."""
        errors = Errors()
        name = " ".join((data.name or "").split())
        errors.require("name", name, "Name")
        errors.max_length("name", name, 300, "Name")
        acronym = clean_text(data.acronym)
        errors.max_length("acronym", acronym, 60, "Acronym")
        country = clean_text(data.country)
        if country is not None:
            try:
                country = country_code(country)
            except ValueError as error:
                errors.add("country", str(error))
        email = clean_text(data.email)
        errors.email("email", email)
        errors.max_length("email", email, 300, "Email")
        website = clean_text(data.website)
        errors.max_length("website", website, 300, "Website")
        status = data.status
        if data.relation is Relation.MEMBER:
            status = status or MemberStatus.APPLICANT
            current = existing.status if existing is not None else None
            if (
                existing is not None
                and current is not None
                and status is not current
                and status not in MEMBER_TRANSITIONS[current]
            ):
                errors.add("status", transition_error(name or existing.name, current, status))
        elif status is not None:
            errors.add("status", "Only members have a membership status")
        applied, endorsed, approved = data.applied_on, data.endorsed_on, data.approved_on
        if applied is not None and endorsed is not None and endorsed < applied:
            errors.add("endorsed_on", "The endorsement cannot come before the application")
        if endorsed is not None and approved is not None and approved < endorsed:
            errors.add("approved_on", "The approval cannot come before the endorsement")
        errors.raise_if_any()
        notes = clean_text(data.notes)
        tidied = (name, acronym, country, status, website, email, notes)
        if tidied == (
            data.name,
            data.acronym,
            data.country,
            data.status,
            data.website,
            data.email,
            data.notes,
        ):
            return data  # already tidy, as an import's cells are: no copy to make
        return replace(
            data,
            name=name,
            acronym=acronym,
            country=country,
            status=status,
            website=website,
            email=email,
            notes=notes,
        )

    def _apply(self, session: Session, record: Organization, data: OrganizationData) -> None:
        previous_status = record.status if record.id is not None else None
        for name in OrganizationData.__dataclass_fields__:
            setattr(record, name, getattr(data, name))
        date_field = _date_to_default(record.status, previous_status, is_new=record.id is None)
        if date_field is not None and getattr(record, date_field) is None:
            setattr(record, date_field, date.today())

    def row_values(
        self,
        data: OrganizationData,
        normalized_name: str | None = None,
        *,
        date_application: bool = True,
    ) -> tuple[Any, ...]:
        """The columns (`ROW_COLUMNS`) of a new organization, as `_apply` would set them: for
        inserting many rows at once without building an ORM object, or a dict, for each
        (imports, which have worked out `normalized_name` already to find the record).
        `date_application=False` leaves a blank application date blank: an imported applicant's
        date is not known, and today would be reported back as fact."""
        values = list(_data_fields(data))
        for index in _CHOICE_INDEXES:
            values[index] = _STORED_CHOICES.get(values[index])
        date_field = _date_to_default(data.status, None, is_new=True) if date_application else None
        if date_field is not None and getattr(data, date_field) is None:
            values[_ORGANIZATION_FIELDS.index(date_field)] = date.today()
        search_text = fold_for_search(" | ".join(v for i in _SEARCHED if (v := values[i])))
        if normalized_name is None:
            normalized_name = normalize_name(data.name)
        return (*values, normalized_name, search_text, 1, *_BLANK_LIFECYCLE)

    # --- lifecycle ---------------------------------------------------------------------------

    def change_status(
        self,
        organization_ids: Iterable[int],
        new_status: MemberStatus,
        *,
        on: date | None = None,
        decision_id: int | None = None,
        general_assembly_id: int | None = None,
    ) -> list[Organization]:
        """Move several members to `new_status` together, or none of them.

        Endorsement records the board decision behind it (and links the decision to each
        organization); approval records the General Assembly meeting. Every organization is
        checked before any is changed, and the refusal names each one that cannot move.
        """
        ids = each_id(organization_ids)
        if not ids:
            raise ValidationError.single("organizations", "Select at least one organization")
        with self.database.transaction() as session:
            records = [self._get(session, organization_id) for organization_id in ids]
            decision = session.get(Decision, decision_id) if decision_id is not None else None
            if decision_id is not None and decision is None:
                raise ValidationError.single("decision", f"Decision #{decision_id} does not exist")
            assembly = (
                session.get(Meeting, general_assembly_id)
                if general_assembly_id is not None
                else None
            )
            if general_assembly_id is not None and assembly is None:
                raise ValidationError.single(
                    "general_assembly", f"Meeting #{general_assembly_id} does not exist"
                )
            when = on or (
                decision.board_meeting.date
                if decision is not None
                else assembly.start_date
                if assembly is not None
                else date.today()
            )
            problems = [
                problem
                for record in records
                if (problem := _lifecycle_problem(record, new_status, when)) is not None
            ]
            if problems:
                raise ValidationError.single("status", "; ".join(problems))
            for record in records:
                if new_status is MemberStatus.APPLICANT:
                    # Applying again after withdrawing starts the admission over.
                    for later in _STATUS_DATE_FIELD.values():
                        setattr(record, later, None)
                    record.endorsement_decision_id = None
                    record.approval_meeting_id = None
                record.status = new_status
                setattr(record, _STATUS_DATE_FIELD[new_status], when)
                if new_status is MemberStatus.ENDORSED and decision is not None:
                    record.endorsement_decision_id = decision.id
                    if session.get(DecisionOrganization, (decision.id, record.id)) is None:
                        session.add(
                            DecisionOrganization(decision_id=decision.id, organization_id=record.id)
                        )
                if new_status is MemberStatus.APPROVED and assembly is not None:
                    record.approval_meeting_id = assembly.id
            self._flush(session)
            return [self._reload(session, record) for record in records]

    def lifecycle_problems(
        self, organization_ids: Iterable[int], new_status: MemberStatus, on: date | None = None
    ) -> list[str]:
        """Why `change_status(ids, new_status, on=on)` would be refused, one line per organization
        ([] when it would not): lets a screen say so before asking for the meeting and decision,
        and catch a date before the previous step, which the database alone would refuse."""
        with self.database.transaction() as session:
            records = [self._get(session, i) for i in each_id(organization_ids)]
            return [
                problem
                for record in records
                if (problem := _lifecycle_problem(record, new_status, on)) is not None
            ]

    def snapshots(self, organization_ids: Iterable[int]) -> list[OrganizationSnapshot]:
        """The organizations as they stand now, to put them back later (undo)."""
        with self.database.transaction() as session:
            return [
                self._snapshot(session, self._get(session, organization_id))
                for organization_id in each_id(organization_ids)
            ]

    def restore(
        self, snapshots: Sequence[OrganizationSnapshot], expected_versions: Mapping[int, int]
    ) -> list[Organization]:
        """Put organizations back as their snapshots show them, all or none (undo).

        Not `update`: undo moves a status backwards (Endorsed by GB to Applicant), which the
        lifecycle rightly refuses to a person, and must not date a blank step today as `_apply`
        does. The values came from the database, so its constraints are check enough; each
        organization must still be at the version the undone change left it in.
        """
        with self.database.transaction() as session:
            records = [
                self._get_current(session, snapshot.id, expected_versions.get(snapshot.id))
                for snapshot in snapshots
            ]
            for record, snapshot in zip(records, snapshots, strict=True):
                self._put_back(session, record, snapshot)
            self._flush(session)
            return [self._reload(session, record) for record in records]

    def recreate(self, snapshot: OrganizationSnapshot) -> Organization:
        """Bring a deleted organization back (undo of a delete) with its contacts, its lifecycle
        and its links to decisions, meetings and funds, in one transaction. It gets a new id."""
        with self.database.transaction() as session:
            record = Organization()
            session.add(record)
            self._put_back(session, record, snapshot)
            self._flush(session)
            for contact_data in snapshot.contacts:
                contact = Contact()
                self._apply_contact(contact, replace(contact_data, organization_id=record.id))
                session.add(contact)
            for meeting_id, position in snapshot.organizer_keys:
                organizer = session.get(MeetingOrganizer, (meeting_id, position))
                if organizer is not None and organizer.organization_id is None:
                    organizer.organization_id = record.id
            for fund_id in snapshot.fund_ids:
                fund = session.get(Fund, fund_id)
                if fund is not None and fund.partner_id is None:
                    fund.partner_id = record.id
            self._flush(session)
            record = self._reload(session, record)
            session.refresh(record, ["contacts"])  # a new record's collection is not reloaded
            return record

    def _snapshot(self, session: Session, record: Organization) -> OrganizationSnapshot:
        return OrganizationSnapshot(
            id=record.id,
            data=OrganizationData.from_record(record),
            suspended_on=record.suspended_on,
            withdrawn_on=record.withdrawn_on,
            endorsement_decision_id=record.endorsement_decision_id,
            approval_meeting_id=record.approval_meeting_id,
            decision_ids=tuple(self._decision_ids(session, record.id)),
            contacts=tuple(ContactData.from_record(contact) for contact in record.contacts),
            organizer_keys=tuple(
                (row.meeting_id, row.position)
                for row in session.execute(
                    select(MeetingOrganizer.meeting_id, MeetingOrganizer.position).where(
                        MeetingOrganizer.organization_id == record.id
                    )
                )
            ),
            fund_ids=tuple(session.scalars(select(Fund.id).where(Fund.partner_id == record.id))),
        )

    @staticmethod
    def _if_exists(session: Session, model: type[Any], record_id: int | None) -> int | None:
        return record_id if record_id is not None and session.get(model, record_id) else None

    @staticmethod
    def _decision_ids(session: Session, organization_id: int) -> list[int]:
        return list(
            session.scalars(
                select(DecisionOrganization.decision_id)
                .where(DecisionOrganization.organization_id == organization_id)
                .order_by(DecisionOrganization.decision_id)
            )
        )

    def _put_back(
        self, session: Session, record: Organization, snapshot: OrganizationSnapshot
    ) -> None:
        """Write a snapshot's fields, lifecycle and decision links over `record`; decisions and
        meetings deleted since are left out rather than refused."""
        for name in OrganizationData.__dataclass_fields__:
            setattr(record, name, getattr(snapshot.data, name))
        record.suspended_on = snapshot.suspended_on
        record.withdrawn_on = snapshot.withdrawn_on
        record.endorsement_decision_id = self._if_exists(
            session, Decision, snapshot.endorsement_decision_id
        )
        record.approval_meeting_id = self._if_exists(session, Meeting, snapshot.approval_meeting_id)
        if record.id is None:
            self._flush(session)  # a recreated organization needs its id for the links
        wanted = {d for d in snapshot.decision_ids if self._if_exists(session, Decision, d)}
        current = set(self._decision_ids(session, record.id))
        for stale in current - wanted:
            session.delete(session.get_one(DecisionOrganization, (stale, record.id)))
        for missing in sorted(wanted - current):
            session.add(DecisionOrganization(decision_id=missing, organization_id=record.id))
