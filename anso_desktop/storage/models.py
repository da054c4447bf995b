"""The ORM models: one class per table, with the constraints that protect the data in the database
itself, so that no code path (import, GUI, a second desktop on the same server) can bypass them.

Every editable table has a `version` column that SQLAlchemy checks on UPDATE: saving a record that
changed since it was read fails instead of overwriting someone else's edit.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.ext.orderinglist import ordering_list
from sqlalchemy.orm import (
    Mapped,
    Session,
    declared_attr,
    mapped_column,
    relationship,
    validates,
)

from anso_desktop.domain import (
    BudgetPlanStatus,
    DecisionStatus,
    FinanceKind,
    MeetingKind,
    MeetingMode,
    MemberStatus,
    OrganizationKind,
    Relation,
)
from anso_desktop.errors import ValidationError
from anso_desktop.storage.history_models import Change, ChangeSet
from anso_desktop.storage.schema import NAMING_CONVENTION, Base, Identified, enum_type
from anso_desktop.storage.text import fold_for_search, normalize_name
from anso_desktop.storage.types import Money, Rate

__all__ = [
    "NAMING_CONVENTION",
    "Change",
    "ChangeSet",
    "enum_type",
]  # re-exported: one import gives the whole schema


class Versioned:
    """Optimistic concurrency: every UPDATE checks `version` in its WHERE clause.

    The version is bumped in `bump_versions` (before each flush) rather than by SQLAlchemy, so
    that a change to child rows only (a meeting's organizers, a decision's organizations) bumps
    the parent's version too; otherwise a stale edit of those would go unnoticed.
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version, "version_id_generator": False}


class VersionedChild:
    """A row that belongs to a `Versioned` parent whose version must move when the row changes.

    A parent's collection changing (a row added or removed) marks the parent modified already;
    a child's own column changing (a plan line's amount) does not, so `bump_versions` asks each
    changed child for its parent.
    """

    def versioned_parent(self, session: Session) -> Versioned | None:
        raise NotImplementedError


@event.listens_for(Session, "before_flush")
def bump_versions(session: Session, _context: Any, _instances: Any) -> None:
    changed: dict[int, Versioned] = {}
    for record in session.dirty:
        if isinstance(record, Versioned) and session.is_modified(record):
            changed[id(record)] = record
    added_or_deleted = session.new | session.deleted
    with session.no_autoflush:
        for record in (*session.new, *session.dirty, *session.deleted):
            if isinstance(record, VersionedChild):
                parent = record.versioned_parent(session)
                if parent is not None and parent not in added_or_deleted:
                    changed[id(parent)] = parent
    for record in changed.values():
        record.version = (record.version or 0) + 1


class Searchable:
    """A table the search box looks in: `search_text` holds the folded text of `search_fields`,
    kept up to date before every flush, so a search is one LIKE on one column."""

    search_fields: ClassVar[tuple[str, ...]] = ()
    search_text: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")

    def searchable_values(self) -> list[str]:
        return [value for name in self.search_fields if (value := getattr(self, name))]

    def refresh_search_text(self) -> None:
        self.search_text = fold_for_search(" | ".join(self.searchable_values()))


@event.listens_for(Session, "before_flush")
def refresh_search_texts(session: Session, _context: Any, _instances: Any) -> None:
    with session.no_autoflush:
        for record in (*session.new, *session.dirty):
            if isinstance(record, Searchable):
                record.refresh_search_text()


class Meeting(Versioned, Searchable, Identified, Base):
    __tablename__ = "meetings"
    search_fields = ("title", "location", "notes")
    __table_args__ = (
        UniqueConstraint("title", "start_date"),
        CheckConstraint("end_date >= start_date", name="end_not_before_start"),
        CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
        CheckConstraint("participants_count >= 0", name="participants_not_negative"),
        CheckConstraint("countries_count >= 0", name="countries_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[MeetingKind] = mapped_column(enum_type(MeetingKind), default=MeetingKind.OTHER)
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_date: Mapped[date] = mapped_column(Date)
    mode: Mapped[MeetingMode | None] = mapped_column(enum_type(MeetingMode))
    location: Mapped[str | None] = mapped_column(String(300))
    participants_count: Mapped[int | None] = mapped_column(Integer)
    countries_count: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)

    organizers: Mapped[list[MeetingOrganizer]] = relationship(
        back_populates="meeting",
        order_by="MeetingOrganizer.position",
        collection_class=ordering_list("position"),
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    def searchable_values(self) -> list[str]:
        """Organizers too: searching "XIEG" finds the meetings XIEG organized."""
        return [*super().searchable_values(), *(o.name for o in self.organizers)]


class MeetingOrganizer(Base):
    """One organizer of a meeting, in the order given; linked to an organization where known.

    The name is kept even when linked, so the meeting still reads right if the organization is
    later renamed or deleted.
    """

    __tablename__ = "meeting_organizers"
    __table_args__ = (CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),)

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )

    meeting: Mapped[Meeting] = relationship(back_populates="organizers")
    organization: Mapped[Organization | None] = relationship(lazy="joined")


class BoardMeeting(Versioned, Identified, Base):
    """A meeting of the Governing Board; its decisions hang off it."""

    __tablename__ = "board_meetings"
    __table_args__ = (
        UniqueConstraint("number"),
        CheckConstraint("number > 0", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    date: Mapped[date] = mapped_column(Date)
    mode: Mapped[MeetingMode | None] = mapped_column(enum_type(MeetingMode))
    location: Mapped[str | None] = mapped_column(String(300))
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL"), index=True
    )
    notes: Mapped[str | None] = mapped_column(Text)

    decisions: Mapped[list[Decision]] = relationship(
        back_populates="board_meeting", order_by="Decision.number", passive_deletes="all"
    )


class Decision(Versioned, Searchable, Identified, Base):
    __tablename__ = "decisions"
    search_fields = ("text", "category", "owner", "follow_up")
    __table_args__ = (
        UniqueConstraint("board_meeting_id", "number"),
        CheckConstraint("number > 0", name="number_positive"),
        CheckConstraint("length(trim(text)) > 0", name="text_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_meeting_id: Mapped[int] = mapped_column(
        ForeignKey("board_meetings.id", ondelete="RESTRICT"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[DecisionStatus] = mapped_column(
        enum_type(DecisionStatus), default=DecisionStatus.PROPOSED, index=True
    )
    owner: Mapped[str | None] = mapped_column(String(200))
    due_date: Mapped[date | None] = mapped_column(Date)
    follow_up: Mapped[str | None] = mapped_column(Text)

    board_meeting: Mapped[BoardMeeting] = relationship(back_populates="decisions", lazy="joined")
    organizations: Mapped[list[Organization]] = relationship(
        secondary="decision_organizations", order_by="Organization.name", lazy="selectin"
    )


class DecisionOrganization(Base):
    """Which organizations a decision concerns (e.g. the applicants a board endorsed)."""

    __tablename__ = "decision_organizations"

    decision_id: Mapped[int] = mapped_column(
        ForeignKey("decisions.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Organization(Versioned, Searchable, Identified, Base):
    """A member, partner or other organization ANSO deals with.

    Members carry their admission lifecycle: the date of each step, and the board decision and
    General Assembly behind endorsement and approval.
    """

    __tablename__ = "organizations"
    search_fields = ("name", "acronym", "email", "notes")
    __table_args__ = (
        UniqueConstraint("normalized_name"),
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        CheckConstraint("country IS NULL OR length(country) = 2", name="country_is_iso_code"),
        CheckConstraint(
            "(relation = 'member' AND status IS NOT NULL) OR (relation <> 'member' AND status IS NULL)",
            name="status_only_for_members",
        ),
        CheckConstraint(
            "endorsed_on IS NULL OR applied_on IS NULL OR endorsed_on >= applied_on",
            name="endorsed_after_applied",
        ),
        CheckConstraint(
            "approved_on IS NULL OR endorsed_on IS NULL OR approved_on >= endorsed_on",
            name="approved_after_endorsed",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    normalized_name: Mapped[str] = mapped_column(String(300))
    acronym: Mapped[str | None] = mapped_column(String(60), index=True)
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    kind: Mapped[OrganizationKind] = mapped_column(
        enum_type(OrganizationKind), default=OrganizationKind.OTHER
    )
    relation: Mapped[Relation] = mapped_column(enum_type(Relation), default=Relation.OTHER)
    status: Mapped[MemberStatus | None] = mapped_column(enum_type(MemberStatus), index=True)
    applied_on: Mapped[date | None] = mapped_column(Date)
    endorsed_on: Mapped[date | None] = mapped_column(Date)
    endorsement_decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("decisions.id", ondelete="SET NULL")
    )
    approved_on: Mapped[date | None] = mapped_column(Date)
    approval_meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL")
    )
    joined_on: Mapped[date | None] = mapped_column(Date)
    suspended_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    website: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="organization",
        order_by="Contact.name",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    endorsement_decision: Mapped[Decision | None] = relationship(
        foreign_keys=[endorsement_decision_id], lazy="joined"
    )
    approval_meeting: Mapped[Meeting | None] = relationship(
        foreign_keys=[approval_meeting_id], lazy="joined"
    )
    aliases: Mapped[list[OrganizationAlias]] = relationship(
        back_populates="organization",
        order_by="OrganizationAlias.name",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def searchable_values(self) -> list[str]:
        """Its other names too: searching "Belgrade University" finds the record it was matched
        under."""
        return [*super().searchable_values(), *(alias.name for alias in self.aliases)]

    @validates("name")
    def _keep_normalized_name(self, _key: str, name: str) -> str:
        self.normalized_name = normalize_name(name)
        return name


class OrganizationAlias(Identified, Base):
    """Another name an organization was matched under (an import's spelling, a merged record's
    name): the next import of the same spelling then finds it at once."""

    __tablename__ = "organization_aliases"
    __table_args__ = (
        UniqueConstraint("normalized_name"),
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    normalized_name: Mapped[str] = mapped_column(String(300))

    organization: Mapped[Organization] = relationship(back_populates="aliases")

    @validates("name")
    def _keep_normalized_name(self, _key: str, name: str) -> str:
        self.normalized_name = normalize_name(name)
        return name


class DistinctPair(Base):
    """Two records a person said are not duplicates ("Not a duplicate"): never offered again.
    `table` is "members" or "meetings"; the lower id comes first."""

    __tablename__ = "distinct_pairs"
    __table_args__ = (CheckConstraint("first_id < second_id", name="ordered"),)

    table: Mapped[str] = mapped_column(String(40), primary_key=True)
    first_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    second_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class Contact(Versioned, Identified, Base):
    """A person at an organization."""

    __tablename__ = "contacts"
    __table_args__ = (CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(60))
    role: Mapped[str | None] = mapped_column(String(200))

    organization: Mapped[Organization] = relationship(back_populates="contacts")


class Fund(Versioned, Identified, Base):
    """A fund such as the STIC endowment: initial capital, then income and spending charged to it."""

    __tablename__ = "funds"
    __table_args__ = (
        UniqueConstraint("name"),
        CheckConstraint("initial_capital >= 0", name="capital_not_negative"),
        CheckConstraint("length(currency) = 3", name="currency_is_iso_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    initial_capital: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    established_on: Mapped[date | None] = mapped_column(Date)
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL")
    )
    notes: Mapped[str | None] = mapped_column(Text)

    partner: Mapped[Organization | None] = relationship(lazy="joined")


class FinanceEntry(Versioned, Searchable, Identified, Base):
    """One budget line, expenditure or income, in its own currency."""

    __tablename__ = "finance_entries"
    search_fields = ("category", "description", "funding_source")
    __table_args__ = (
        CheckConstraint("fiscal_year BETWEEN 1900 AND 2200", name="fiscal_year_plausible"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("length(currency) = 3", name="currency_is_iso_code"),
        CheckConstraint("length(trim(category)) > 0", name="category_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    category: Mapped[str] = mapped_column(String(120), index=True)
    kind: Mapped[FinanceKind] = mapped_column(enum_type(FinanceKind))
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3))
    funding_source: Mapped[str | None] = mapped_column(String(200))
    fund_id: Mapped[int | None] = mapped_column(
        ForeignKey("funds.id", ondelete="RESTRICT"), index=True
    )
    entry_date: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)

    fund: Mapped[Fund | None] = relationship(lazy="joined")


class ExchangeRate(Versioned, Identified, Base):
    """What one unit of `currency` was worth in `to_currency` in a fiscal year, as the secretariat
    entered it: a summary converts at this rate and shows it."""

    __tablename__ = "exchange_rates"
    __table_args__ = (
        UniqueConstraint("fiscal_year", "currency", "to_currency"),
        CheckConstraint("fiscal_year BETWEEN 1900 AND 2200", name="fiscal_year_plausible"),
        CheckConstraint("rate > 0", name="rate_positive"),
        CheckConstraint("length(currency) = 3", name="currency_is_iso_code"),
        CheckConstraint("length(to_currency) = 3", name="to_currency_is_iso_code"),
        CheckConstraint("currency <> to_currency", name="currencies_differ"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    to_currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(Rate())
    note: Mapped[str | None] = mapped_column(Text)


class BudgetPlan(Versioned, Identified, Base):
    """One revision of a year's budget plan. A draft is edited; an approved plan is read-only
    (a change is a new revision), which `guard_approved_plans` enforces below the services."""

    __tablename__ = "budget_plans"
    __table_args__ = (
        UniqueConstraint("fiscal_year", "revision"),
        CheckConstraint("fiscal_year BETWEEN 1900 AND 2200", name="fiscal_year_plausible"),
        CheckConstraint("revision > 0", name="revision_positive"),
        CheckConstraint(
            "(status = 'approved' AND approved_on IS NOT NULL) "
            "OR (status <> 'approved' AND approved_on IS NULL)",
            name="approved_on_only_when_approved",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[BudgetPlanStatus] = mapped_column(
        enum_type(BudgetPlanStatus), default=BudgetPlanStatus.DRAFT
    )
    based_on: Mapped[str | None] = mapped_column(String(200))
    approved_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)

    lines: Mapped[list[BudgetPlanLine]] = relationship(
        back_populates="plan",
        order_by=lambda: (BudgetPlanLine.currency, BudgetPlanLine.category),
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
    )

    def describe(self) -> str:
        """ "The 2022 budget plan (revision 2)": how messages name it."""
        return f"The {self.fiscal_year} budget plan (revision {self.revision})"


class BudgetPlanLine(VersionedChild, Identified, Base):
    """One category in one currency of a budget plan."""

    __tablename__ = "budget_plan_lines"
    __table_args__ = (
        UniqueConstraint("plan_id", "category", "currency"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("length(currency) = 3", name="currency_is_iso_code"),
        CheckConstraint("length(trim(category)) > 0", name="category_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("budget_plans.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(120), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal] = mapped_column(Money())
    note: Mapped[str | None] = mapped_column(Text)

    plan: Mapped[BudgetPlan] = relationship(back_populates="lines")

    def versioned_parent(self, session: Session) -> BudgetPlan | None:
        if self.plan is not None:
            return self.plan
        return session.get(BudgetPlan, self.plan_id) if self.plan_id is not None else None


def _was_approved(plan: BudgetPlan) -> bool:
    """Whether the plan is approved in the database (whatever this flush is changing)."""
    history = inspect(plan).attrs.status.history
    before = [*history.unchanged, *history.deleted]
    return BudgetPlanStatus.APPROVED in before


@event.listens_for(Session, "before_flush")
def guard_approved_plans(session: Session, _context: Any, _instances: Any) -> None:
    """Approved budget plans are read-only, whatever code path tries to change one: the services
    refuse with a friendlier message first, this is the backstop."""
    with session.no_autoflush:
        plans = [
            record
            for record in (*session.dirty, *session.deleted)
            if isinstance(record, BudgetPlan)
            and (record in session.deleted or session.is_modified(record))
        ]
        for record in (*session.new, *session.dirty, *session.deleted):
            if isinstance(record, BudgetPlanLine):
                plan = record.versioned_parent(session)
                if plan is not None and plan not in session.new:
                    plans.append(plan)
        for plan in plans:
            if _was_approved(plan):
                raise ValidationError.single(
                    "status",
                    f"{plan.describe()} is approved and cannot be changed or deleted; "
                    "make a new revision to change it.",
                )


# Ids are never reused on SQLite (AUTOINCREMENT; PostgreSQL's sequences never reuse them), so a
# record's history is its own and not also that of a deleted record which had its id before.
for _table in Base.metadata.tables.values():
    if "id" in _table.c and len(_table.primary_key.columns) == 1:
        _table.dialect_kwargs["sqlite_autoincrement"] = True
