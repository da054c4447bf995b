"""Member organizations, partners and others; their contacts; the admission lifecycle."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from anso_desktop.countries import country_code
from anso_desktop.domain import MEMBER_TRANSITIONS, MemberStatus, OrganizationKind, Relation
from anso_desktop.errors import ValidationError
from anso_desktop.services.base import CrudService, Errors, clean_text, each_id
from anso_desktop.storage.models import (
    Contact,
    Decision,
    DecisionOrganization,
    Meeting,
    Organization,
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


def transition_error(name: str, current: MemberStatus | None, wanted: MemberStatus) -> str:
    if current is None:
        return f"{name} is not a member, so it cannot become '{wanted.label}'"
    allowed = sorted(MEMBER_TRANSITIONS[current], key=list(MemberStatus).index)
    options = ", ".join(f"'{status.label}'" for status in allowed)
    return (
        f"{name} is '{current.label}' and cannot become '{wanted.label}'; "
        f"from '{current.label}' it can only become {options}"
    )


class OrganizationService(CrudService[Organization, OrganizationData]):
    model = Organization
    noun = "Organization"
    search_columns = ("name", "acronym", "notes", "email")
    sort_columns = {
        "name": "name",
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

    def describe(self, record: Organization) -> str:
        return f"Organization '{record.name}'"

    # --- validation --------------------------------------------------------------------------

    def _validate(
        self, session: Session, data: OrganizationData, existing: Organization | None
    ) -> OrganizationData:
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
        for earlier, later, message in (
            ("applied_on", "endorsed_on", "The endorsement cannot come before the application"),
            ("endorsed_on", "approved_on", "The approval cannot come before the endorsement"),
        ):
            before, after = getattr(data, earlier), getattr(data, later)
            if before is not None and after is not None and after < before:
                errors.add(later, message)
        if name:
            clash = session.scalars(
                select(Organization).where(Organization.normalized_name == normalize_name(name))
            ).one_or_none()
            if clash is not None and (existing is None or clash.id != existing.id):
                errors.add("name", f"'{clash.name}' is already in the register")
        errors.raise_if_any()
        return replace(
            data,
            name=name,
            acronym=acronym,
            country=country,
            status=status,
            website=clean_text(data.website),
            email=email,
            notes=clean_text(data.notes),
        )

    def _apply(self, session: Session, record: Organization, data: OrganizationData) -> None:
        for name in OrganizationData.__dataclass_fields__:
            setattr(record, name, getattr(data, name))
        if record.status is not None and getattr(record, _STATUS_DATE_FIELD[record.status]) is None:
            # Reaching a status without its date (a form that left it blank): the date is today.
            setattr(record, _STATUS_DATE_FIELD[record.status], date.today())

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
                transition_error(record.name, record.status, new_status)
                for record in records
                if record.status is None or new_status not in MEMBER_TRANSITIONS[record.status]
            ]
            if problems:
                raise ValidationError.single("status", "; ".join(problems))
            for record in records:
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

    # --- contacts ------------------------------------------------------------------------------

    def add_contact(self, data: ContactData) -> Contact:
        with self.database.transaction() as session:
            self._get(session, data.organization_id)
            contact = Contact()
            self._apply_contact(contact, data)
            session.add(contact)
            self._flush(session)
            return contact

    def update_contact(self, contact_id: int, expected_version: int, data: ContactData) -> Contact:
        with self.database.transaction() as session:
            contact = session.get(Contact, contact_id)
            if contact is None:
                raise ValidationError.single("contact", f"Contact #{contact_id} no longer exists")
            if contact.version != expected_version:
                from anso_desktop.errors import ConflictError

                raise ConflictError(f"Contact '{contact.name}'")
            self._apply_contact(contact, data)
            self._flush(session)
            return contact

    def delete_contact(self, contact_id: int) -> None:
        with self.database.transaction() as session:
            contact = session.get(Contact, contact_id)
            if contact is not None:
                session.delete(contact)

    @staticmethod
    def _apply_contact(contact: Contact, data: ContactData) -> None:
        errors = Errors()
        name = " ".join((data.name or "").split())
        errors.require("name", name, "Name")
        email = clean_text(data.email)
        errors.email("email", email)
        errors.raise_if_any()
        contact.organization_id = data.organization_id
        contact.name = name
        contact.title = clean_text(data.title)
        contact.email = email
        contact.phone = clean_text(data.phone)
        contact.role = clean_text(data.role)
