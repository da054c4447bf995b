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
    fold_for_search,
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
#: Rows of the report's "List of ANSO Meetings 2021" (5.5): each one meeting.
LISTED_IN_2021 = 36
#: 2021 events the report describes but its list does not name.
NOT_IN_THE_LIST = {
    "Second International Training Course on Industrial Synthetic Biotechnology",  # 1.3
    'Experience sharing conference on "Going Global" in the post-pandemic era',  # 5.4
}
MEETINGS_IN_2021 = LISTED_IN_2021 + len(NOT_IN_THE_LIST)
#: The workshops of 1.5 ("List of Workshops in 2021") and the 5.5 rows that are the same events.
WORKSHOPS_OF_1_5 = {
    "ANSO Workshop on Climate Change and Its Impact": (
        "ANSO online open conference: climate change and its impacts"
    ),
    "ANSO Workshop on Agriculture and Food Security (Parallel Session of The 4th China (Sanya) "
    "International Rice Forum and the Belt and Road Food Security Corridor Forum)": AGRICULTURE,
    "ANSO Workshop on Fundamental Science and Higher Education": (
        "ANSO online conference: fundamental science and higher education"
    ),
    "ANSO International Forum on Green Technology (Parallel Session of The 14th China "
    "Bioindustry Convention)": "ANSO online conference: green technology",
    "ANSO Workshop on Global Health": "ANSO Online conference on Global Health",
    "ANSO Workshop on Biodiversity: Ecological Civilization and Ecological Security of the "
    "Tibetan Plateau (Parallel Session of COP15)": (
        "CBD COP15-Ecological Civilization Forum, Session VI: Ecological Civilization and "
        "Ecological Security of the Tibetan Plateau"
    ),
    'ANSO Workshop on Women in Science "Towards a Diversity of Research and Researcher"': (
        'ANSO Workshop on Women in Science – "Towards A Diversity of Research and Researcher"'
    ),
}
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
    assert report.added["meetings"] == MEETINGS_IN_2021
    assert report.added["board meetings"] == 2
    assert report.added["funds"] == 1
    assert report.total == sum(report.added.values())
    assert services.meetings.count() == MEETINGS_IN_2021
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


def test_each_2021_event_is_one_meeting(services: Services) -> None:
    """The 5.5 list's rows are the meetings; 1.5's workshops are seven of them, not seven more."""
    load_demo(services)
    of_2021 = services.meetings.list(ListQuery(filters={"year": 2021})).rows
    assert len(of_2021) == MEETINGS_IN_2021 == 38
    folded = [fold_for_search(m.title) for m in of_2021]
    assert len(set(folded)) == len(folded)
    assert {m.title for m in of_2021} >= NOT_IN_THE_LIST

    for workshop, listed in WORKSHOPS_OF_1_5.items():
        assert fold_for_search(workshop) not in folded
        [found] = services.meetings.list(ListQuery(search=workshop)).rows  # in its notes
        assert found.title == listed
        assert found.mode is MeetingMode.ONLINE
        assert found.notes is not None and "topic-focused workshops proposed by RAS" in found.notes


def test_what_the_report_says_elsewhere_is_merged_into_the_listed_meeting(
    services: Services,
) -> None:
    load_demo(services)
    exhibition = one_meeting(services, 'Exhibition "The Beauty of Life on Earth"')
    # The list's "8.30" is the kickoff; 1.2 gives the Beijing run and the Kunming showing.
    assert (exhibition.start_date, exhibition.end_date) == (date(2021, 8, 30), date(2021, 9, 19))
    assert exhibition.notes is not None and "Kunming Botanic Garden" in exhibition.notes

    training = one_meeting(services, "Second International Training Course")
    assert (training.participants_count, training.countries_count) == (78, 17)
    desert = one_meeting(services, "Taklimakan desert forum")
    assert desert.participants_count == 300  # "more than 300", as its note says
    assert desert.notes is not None and '"more than 300" as 300' in desert.notes


def test_the_lists_organizers_are_linked_to_the_register(services: Services) -> None:
    """Written as the list writes them, each linked to the organization it names."""
    load_demo(services)
    meetings = services.meetings.list().rows
    assert all(o.organization is not None for m in meetings for o in m.organizers)
    linked = {o.name: o.organization.name for m in meetings for o in m.organizers if o.organization}
    assert linked["ANSO Secretariat"] == "Alliance of International Science Organizations"
    assert linked["The University of Belgrade"] == "University of Belgrade"
    assert linked["XIEG, CAS"] == (
        "Xinjiang Institute of Ecology and Geography of the Chinese Academy of Sciences"
    )
    assert linked["MAB-China"] == (
        "Chinese National Committee for UNESCO's Man and the Biosphere Programme"
    )
    # The Secretariat is ANSO's own staff, not an organization of its own.
    assert services.organizations.find_by_name("ANSO Secretariat") is None


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
