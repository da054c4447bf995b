"""The demo data set: ANSO's 2021 annual report loaded through the services, and loaded only once
however often it is asked for."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from anso_desktop.domain import BudgetPlanStatus, MeetingKind, MeetingMode, MemberStatus
from anso_desktop.services import Services
from anso_desktop.services.base import ListQuery
from anso_desktop.services.demo import DemoReport, load_demo
from anso_desktop.storage.models import (
    BoardMeeting,
    BudgetPlan,
    Contact,
    Decision,
    ExchangeRate,
    FinanceEntry,
    Fund,
    Meeting,
    Organization,
)

FOURTH_BOARD_MEETING = date(2021, 10, 9)
ENDORSED_IN_2021 = [
    "Buenos Aires Faculty National Technological University of Argentina",
    "Cuban Academy of Sciences",
    "Experimental Technology Research University Yachay Tech",
    "Institute of International Politics and Economics",
    "Instituto Argentino de Radioastronomía",
    "Instituto de Astrofísica de Canarias",
    "Universidad Nacional de San Juan",
    "Universiti Tunku Abdul Rahman",
]
AGRICULTURE = "ANSO online open conference: agriculture and food security"
RURAL_WATER = "The 11th Forum on China's Rural Water Environment Governance"
VERSIONED = (
    Organization,
    Contact,
    Meeting,
    BoardMeeting,
    Decision,
    Fund,
    FinanceEntry,
    BudgetPlan,
    ExchangeRate,
)


def one_meeting(services: Services, title: str) -> Meeting:
    [found] = services.meetings.list(ListQuery(search=title)).rows
    return found


def versions(services: Services) -> dict[tuple[str, int], int]:
    """Every record's version, by table and id."""
    with services.database.transaction() as session:
        return {
            (model.__tablename__, record_id): version
            for model in VERSIONED
            for record_id, version in session.execute(select(model.id, model.version))
        }


def test_loading_adds_the_reports_meetings_and_finances(services: Services) -> None:
    report = load_demo(services)
    assert isinstance(report, DemoReport)
    assert report.added["meetings"] == 44
    assert report.added["board meetings"] == 2
    assert report.added["funds"] == 1
    assert report.total == sum(report.added.values())
    assert services.meetings.count() == 44
    assert services.organizations.count() == report.added["organizations"]
    assert services.decisions.count() == report.added["decisions"]
    assert services.finances.count() == report.added["finance entries"]

    agriculture = one_meeting(services, AGRICULTURE)
    assert agriculture.title == AGRICULTURE
    assert (agriculture.start_date, agriculture.end_date) == (date(2021, 4, 21), date(2021, 4, 23))
    assert agriculture.mode is MeetingMode.ONLINE
    [organizer] = agriculture.organizers
    assert organizer.name == "ANSO-RWIT"
    assert organizer.organization is not None
    assert organizer.organization.acronym == "ANSO-RWIT"

    forum = one_meeting(services, RURAL_WATER)
    assert (forum.start_date, forum.end_date) == (date(2021, 10, 13), date(2021, 10, 16))
    # The report prints these acronyms in lower case; the order is the report's.
    assert [o.name.upper() for o in forum.organizers] == ["RCEES", "CAS", "EMCC", "CMEA"]

    [fund] = services.funds.list(ListQuery(search="STIC Endowment")).rows
    assert fund.name == "STIC Endowment"
    assert fund.initial_capital == Decimal("50000000.00")
    assert fund.currency == "CNY"
    assert fund.partner is not None
    assert fund.partner.name == "Overseas Chinese Charity Foundation of China"

    entries = services.finances.list().rows
    assert len(entries) == report.added["finance entries"] > 0
    assert all(e.description and e.description.startswith("Illustrative figure:") for e in entries)
    [earnings] = services.finances.list(ListQuery(filters={"fund_id": fund.id})).rows
    assert earnings.currency == fund.currency


def test_eight_applicants_endorsed_by_the_4th_governing_board(services: Services) -> None:
    load_demo(services)
    endorsed = services.organizations.list(
        ListQuery(filters={"status": MemberStatus.ENDORSED}, sort="name")
    )
    assert endorsed.total == 8
    assert [o.name for o in endorsed.rows] == ENDORSED_IN_2021
    assert {o.endorsed_on for o in endorsed.rows} == {FOURTH_BOARD_MEETING}
    [decision_id] = {o.endorsement_decision_id for o in endorsed.rows}
    assert decision_id is not None

    decision = services.decisions.get(decision_id)
    assert decision.board_meeting.number == 4
    assert decision.board_meeting.date == FOURTH_BOARD_MEETING
    assert decision.board_meeting.mode is MeetingMode.ONLINE
    assert sorted(o.name for o in decision.organizations) == ENDORSED_IN_2021

    iac = services.organizations.find_by_name("Instituto de Astrofísica de Canarias")
    assert iac is not None
    assert (iac.acronym, iac.country) == ("IAC", "ES")
    utar = services.organizations.find_by_name("UNIVERSITI TUNKU ABDUL RAHMAN")
    assert utar is not None
    assert (utar.acronym, utar.country) == ("UTAR", "MY")

    # The 4th board meeting is linked to the meeting of that day, and set a work plan for 2022.
    fourth = services.board_meetings.by_number(4)
    assert fourth is not None
    assert fourth.id == decision.board_meeting_id
    assert fourth.meeting_id is not None
    meeting = services.meetings.get(fourth.meeting_id)
    assert (meeting.kind, meeting.start_date) == (MeetingKind.BOARD_MEETING, FOURTH_BOARD_MEETING)
    work_plan = services.decisions.list(
        ListQuery(filters={"board_meeting_id": fourth.id, "overdue": date(2023, 1, 1)})
    )
    assert work_plan.total == 6
    assert {d.owner for d in work_plan.rows} == {"ANSO Secretariat"}


def test_loading_twice_adds_and_changes_nothing(services: Services) -> None:
    first = load_demo(services)
    before = versions(services)
    counts = dict(first.added)

    second = load_demo(services)

    assert second.total == 0
    assert second.added == dict.fromkeys(counts, 0)
    assert versions(services) == before
    assert services.meetings.count() == counts["meetings"]
    assert services.organizations.count() == counts["organizations"]
    assert services.board_meetings.count() == counts["board meetings"]
    assert services.decisions.count() == counts["decisions"]
    assert services.funds.count() == counts["funds"]
    assert services.finances.count() == counts["finance entries"]


def test_no_date_is_invented_for_the_members_named_in_the_report(services: Services) -> None:
    """The report does not say when CAS or RAS joined: the register leaves it blank."""
    load_demo(services)
    active = services.organizations.list(ListQuery(filters={"status": "active"})).rows
    assert {o.acronym for o in active} >= {"CAS", "RAS"}
    assert all(o.joined_on is None for o in active)


def test_a_draft_2022_plan_and_an_illustrative_rate(services: Services) -> None:
    report = load_demo(services)
    assert (report.added["budget plans"], report.added["exchange rates"]) == (1, 1)
    [plan] = services.budget_plans.list().rows
    assert (plan.fiscal_year, plan.revision, plan.status) == (2022, 1, BudgetPlanStatus.DRAFT)
    assert plan.based_on == "2021 expenditure"
    assert plan.notes is not None and plan.notes.startswith("Illustrative")
    spent = services.finances.budget_vs_actual(2021)
    assert {(x.category, x.currency, x.amount) for x in plan.lines} == {
        (line.category, line.currency, line.actual) for line in spent.lines
    }
    [rate] = services.exchange_rates.list().rows
    assert (rate.fiscal_year, rate.currency, rate.to_currency) == (2021, "USD", "CNY")
    assert rate.note is not None and rate.note.startswith("Illustrative")
    # The years' plans and rates stay as they are on a second load, even after a change.
    services.budget_plans.approve(plan.id, plan.version, date(2021, 12, 20))
    again = load_demo(services)
    assert (again.added["budget plans"], again.added["exchange rates"]) == (0, 0)
    assert services.budget_plans.count() == 1
