"""The demo data set: ANSO's 2021 annual report (meetings, members, the 4th Governing Board and its
decisions, the STIC endowment, illustrative finance rows, a draft 2022 budget plan and an
illustrative exchange rate), loaded through the services.

Each 2021 event is one meeting: the rows of the report's "List of ANSO Meetings 2021" (5.5), with
what other sections say of the same events in their notes, plus the events the list does not
name. An organizer is written as the list writes it; where that is not the name or acronym of an
organization of the register, the data set also names the organization it is
(`{"name": ..., "organization": ...}`).

Idempotent: a record already there (same natural key) is left alone, so loading twice adds nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from anso_desktop.domain import (
    DecisionStatus,
    FinanceKind,
    MeetingKind,
    MeetingMode,
    MemberStatus,
    OrganizationKind,
    Relation,
)
from anso_desktop.paths import DEMO_DATA_FILE
from anso_desktop.services import Services
from anso_desktop.services.decisions import BoardMeetingData, DecisionData
from anso_desktop.services.finances import FinanceEntryData, FundData
from anso_desktop.services.history import recorded_as
from anso_desktop.services.meetings import MeetingData, OrganizerData
from anso_desktop.services.organizations import OrganizationData
from anso_desktop.storage.models import (
    BoardMeeting,
    BudgetPlan,
    Decision,
    FinanceEntry,
    Fund,
    Meeting,
    Organization,
    normalize_name,
)


@dataclass
class DemoReport:
    """How many records of each kind the load added (0 everywhere on a second run)."""

    added: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.added.values())


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _organizer(written: str | dict[str, str], organization_ids: dict[str, int]) -> OrganizerData:
    """An organizer as the list writes it, linked where the data set says which organization it
    is ("ANSO Secretariat" is ANSO), so that the link does not hang on how names are matched."""
    if isinstance(written, str):
        return OrganizerData(written)
    return OrganizerData(written["name"], organization_ids[normalize_name(written["organization"])])


def load_demo(services: Services, source: Path = DEMO_DATA_FILE) -> DemoReport:
    """Load the demo data set in one transaction."""
    data: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    report = DemoReport()
    with recorded_as("demo"), services.database.transaction() as session:
        organization_ids: dict[str, int] = {}
        count = 0
        for row in data["organizations"]:
            existing = session.scalars(
                select(Organization).where(
                    Organization.normalized_name == normalize_name(row["name"])
                )
            ).one_or_none()
            if existing is None:
                existing = services.organizations.create(
                    OrganizationData(
                        name=row["name"],
                        acronym=row.get("acronym"),
                        country=row.get("country"),
                        kind=OrganizationKind(row["kind"]),
                        relation=Relation(row["relation"]),
                        status=MemberStatus(row["status"]) if row.get("status") else None,
                        applied_on=_date(row.get("applied_on")),
                        endorsed_on=_date(row.get("endorsed_on")),
                        website=row.get("website"),
                        notes=row.get("notes"),
                    )
                )
                count += 1
            organization_ids[normalize_name(row["name"])] = existing.id
        report.added["organizations"] = count

        count = 0
        for row in data["meetings"]:
            start = _date(row["start_date"])
            exists = session.scalars(
                select(Meeting.id).where(Meeting.title == row["title"], Meeting.start_date == start)
            ).first()
            if exists is None:
                services.meetings.create(
                    MeetingData(
                        title=row["title"],
                        start_date=start,
                        end_date=_date(row.get("end_date")),
                        kind=MeetingKind(row["kind"]),
                        mode=MeetingMode(row["mode"]) if row.get("mode") else None,
                        location=row.get("location"),
                        organizers=tuple(
                            _organizer(written, organization_ids) for written in row["organizers"]
                        ),
                        participants_count=row.get("participants_count"),
                        countries_count=row.get("countries_count"),
                        notes=row.get("notes"),
                    )
                )
                count += 1
        report.added["meetings"] = count

        count = 0
        board_meeting_ids: dict[int, int] = {}
        for row in data["board_meetings"]:
            existing_board = session.scalars(
                select(BoardMeeting).where(BoardMeeting.number == row["number"])
            ).one_or_none()
            if existing_board is None:
                held_on = _date(row["date"])
                same_day_meeting = session.scalars(
                    select(Meeting.id).where(
                        Meeting.kind == MeetingKind.BOARD_MEETING, Meeting.start_date == held_on
                    )
                ).first()
                existing_board = services.board_meetings.create(
                    BoardMeetingData(
                        number=row["number"],
                        date=held_on,
                        mode=MeetingMode(row["mode"]) if row.get("mode") else None,
                        meeting_id=same_day_meeting,
                        notes=row.get("notes"),
                    )
                )
                count += 1
            board_meeting_ids[row["number"]] = existing_board.id
        report.added["board meetings"] = count

        count = 0
        for row in data["decisions"]:
            board_id = board_meeting_ids[row["board_meeting"]]
            exists = session.scalars(
                select(Decision.id).where(
                    Decision.board_meeting_id == board_id, Decision.number == row["number"]
                )
            ).first()
            if exists is not None:
                continue
            concerned = tuple(organization_ids[normalize_name(n)] for n in row["organizations"])
            decision = services.decisions.create(
                DecisionData(
                    board_meeting_id=board_id,
                    number=row["number"],
                    text=row["text"],
                    category=row.get("category"),
                    status=DecisionStatus(row["status"]),
                    owner=row.get("owner"),
                    due_date=_date(row.get("due_date")),
                    organization_ids=concerned,
                )
            )
            for organization_id in concerned:
                organization = session.get_one(Organization, organization_id)
                if organization.status is MemberStatus.ENDORSED:
                    organization.endorsement_decision_id = decision.id
            count += 1
        report.added["decisions"] = count

        count = 0
        fund_ids: dict[str, int] = {}
        for row in data["funds"]:
            fund = session.scalars(select(Fund).where(Fund.name == row["name"])).one_or_none()
            if fund is None:
                partner = row.get("partner")
                fund = services.funds.create(
                    FundData(
                        name=row["name"],
                        currency=row["currency"],
                        initial_capital=Decimal(row["initial_capital"]),
                        partner_id=organization_ids[normalize_name(partner)] if partner else None,
                        notes=row.get("notes"),
                    )
                )
                count += 1
            fund_ids[fund.name] = fund.id
        report.added["funds"] = count

        count = 0
        for row in data["finance_entries"]:
            kind = FinanceKind(row["kind"])
            amount = Decimal(row["amount"])
            exists = session.scalars(
                select(FinanceEntry.id).where(
                    FinanceEntry.fiscal_year == row["fiscal_year"],
                    FinanceEntry.category == row["category"],
                    FinanceEntry.kind == kind,
                    FinanceEntry.currency == row["currency"],
                    FinanceEntry.description == row["description"],
                )
            ).first()
            if exists is not None:
                continue
            fund_name = row.get("funding_source")
            services.finances.create(
                FinanceEntryData(
                    fiscal_year=row["fiscal_year"],
                    category=row["category"],
                    kind=kind,
                    amount=amount,
                    currency=row["currency"],
                    funding_source=row.get("funding_source"),
                    fund_id=fund_ids.get(fund_name) if fund_name else None,
                    entry_date=_date(row.get("date")),
                    description=row["description"],
                )
            )
            count += 1
        report.added["finance entries"] = count
        report.added["budget plans"] = _demo_budget_plan(services, session)
        report.added["exchange rates"] = _demo_exchange_rate(services)
    return report


#: The draft the secretariat would start for 2022: the report shows a "2022 Budget Plan" chart.
DEMO_PLAN_NOTE = (
    "Illustrative draft: the 2022 budget plan started from the illustrative 2021 expenditure; "
    'the report gives its "2022 Budget Plan" only as a chart.'
)
#: Not from the report, which states no exchange rate: there only to show conversion.
DEMO_RATE = (2021, "USD", "CNY", Decimal("6.4515"))
DEMO_RATE_NOTE = "Illustrative rate for the demo, not from the annual report."


def _demo_budget_plan(services: Services, session: Session) -> int:
    """A draft 2022 plan based on 2021 expenditure, unless the year has a plan already."""
    if session.scalars(select(BudgetPlan.id).where(BudgetPlan.fiscal_year == 2022)).first():
        return 0
    services.budget_plans.start_draft(2022, 2021, FinanceKind.EXPENDITURE, notes=DEMO_PLAN_NOTE)
    return 1


def _demo_exchange_rate(services: Services) -> int:
    """The illustrative 2021 USD rate, unless a 2021 USD to CNY rate is set already."""
    year, currency, to_currency, rate = DEMO_RATE
    if services.exchange_rates.rate(year, currency, to_currency) is not None:
        return 0
    services.exchange_rates.set_rate(year, currency, to_currency, rate, DEMO_RATE_NOTE)
    return 1
