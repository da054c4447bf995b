"""BoardMeetingService and DecisionService: Governing Board meetings, their numbered decisions,
and the follow-up of what is still open."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from anso_desktop.domain import DecisionStatus, MeetingMode, Relation
from anso_desktop.errors import ConflictError, NotFoundError, ValidationError
from anso_desktop.services import Services
from anso_desktop.services.base import ListQuery
from anso_desktop.services.decisions import BoardMeetingData, DecisionData, ordinal
from anso_desktop.services.organizations import OrganizationData
from anso_desktop.storage.models import Decision

WORK_PLAN_DUE = date(2022, 12, 31)


def board(services: Services, number: int, held_on: date) -> int:
    return services.board_meetings.create(
        BoardMeetingData(number=number, date=held_on, mode=MeetingMode.ONLINE)
    ).id


def decision(board_meeting_id: int | None, text: str, **kw: object) -> DecisionData:
    return DecisionData(board_meeting_id=board_meeting_id, text=text, **kw)  # type: ignore[arg-type]


def texts(rows: list[Decision]) -> list[str]:
    return [row.text for row in rows]


# --- board meetings ------------------------------------------------------------------------------


def test_board_meeting_round_trip(services: Services) -> None:
    created = services.board_meetings.create(
        BoardMeetingData(
            number=4,
            date=date(2021, 10, 9),
            mode=MeetingMode.ONLINE,
            location="  ",
            notes="Held online with representatives of all 9 GB organizations.",
        )
    )
    read = services.board_meetings.get(created.id)
    assert (read.number, read.date, read.mode, read.location) == (
        4,
        date(2021, 10, 9),
        MeetingMode.ONLINE,
        None,
    )
    assert services.board_meetings.by_number(4).id == created.id
    assert services.board_meetings.by_number(5) is None
    assert services.board_meetings.describe(read) == "The 4th Governing Board meeting"


def test_board_meeting_needs_a_positive_number_and_a_date(services: Services) -> None:
    for number in [0, -4, None]:
        with pytest.raises(ValidationError) as refusal:
            services.board_meetings.create(BoardMeetingData(number=number, date=date(2021, 10, 9)))
        assert list(refusal.value.errors) == ["number"], number
    with pytest.raises(ValidationError) as refusal:
        services.board_meetings.create(BoardMeetingData(number=4, date=None))
    assert list(refusal.value.errors) == ["date"]
    assert services.board_meetings.count() == 0


def test_board_meeting_number_is_unique(services: Services) -> None:
    board(services, 4, date(2021, 10, 9))
    third = board(services, 3, date(2020, 11, 9))
    with pytest.raises(ValidationError) as refusal:
        services.board_meetings.create(BoardMeetingData(number=4, date=date(2022, 10, 9)))
    assert list(refusal.value.errors) == ["number"]
    assert "4th Governing Board meeting" in refusal.value.errors["number"]

    record = services.board_meetings.get(third)
    with pytest.raises(ValidationError) as renumbering:
        services.board_meetings.update(
            third, record.version, replace(BoardMeetingData.from_record(record), number=4)
        )
    assert list(renumbering.value.errors) == ["number"]
    assert services.board_meetings.get(third).number == 3


@pytest.mark.parametrize(
    ("number", "expected"),
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (21, "21st")],
)
def test_ordinal(number: int, expected: str) -> None:
    assert ordinal(number) == expected


def test_a_board_meeting_with_decisions_cannot_be_deleted(services: Services) -> None:
    fourth = board(services, 4, date(2021, 10, 9))
    host = services.decisions.create(decision(fourth, "Host the Second ANSO GA"))
    with pytest.raises(ValidationError) as refusal:
        services.board_meetings.delete(fourth)
    assert list(refusal.value.errors) == ["decisions"]
    assert "1 decision(s)" in refusal.value.errors["decisions"]
    assert services.board_meetings.get(fourth).number == 4
    assert services.decisions.count() == 1

    # Without its decisions it can.
    services.decisions.delete(host.id, host.version)
    services.board_meetings.delete(fourth)
    with pytest.raises(NotFoundError):
        services.board_meetings.get(fourth)


# --- decisions -----------------------------------------------------------------------------------


def test_decision_numbers_are_assigned_in_order_per_board_meeting(services: Services) -> None:
    third = board(services, 3, date(2020, 11, 9))
    fourth = board(services, 4, date(2021, 10, 9))
    numbers = [
        services.decisions.create(decision(fourth, text)).number
        for text in (
            "Decided to call this GA a special GA.",
            "Reached consensus on amending Article 8.3 of the ANSO Statutes.",
            "Endorsed all the 8 new applications to join in ANSO.",
        )
    ]
    assert numbers == [1, 2, 3]
    assert services.decisions.create(decision(third, "Agreed to re-schedule the GA.")).number == 1
    explicit = services.decisions.create(decision(fourth, "Host the Second ANSO GA", number=5))
    assert explicit.number == 5
    assert services.decisions.create(decision(fourth, "Establish regional offices")).number == 6


def test_a_decision_keeps_its_number_when_edited(services: Services) -> None:
    fourth = board(services, 4, date(2021, 10, 9))
    services.decisions.create(decision(fourth, "Decided to call this GA a special GA."))
    second = services.decisions.create(decision(fourth, "Host the Second ANSO GA"))
    edited = services.decisions.update(
        second.id,
        second.version,
        replace(DecisionData.from_record(second), number=None, status=DecisionStatus.IMPLEMENTED),
    )
    assert edited.number == 2
    assert edited.status is DecisionStatus.IMPLEMENTED
    assert edited.version > second.version


def test_a_repeated_decision_number_is_refused(services: Services) -> None:
    fourth = board(services, 4, date(2021, 10, 9))
    services.decisions.create(decision(fourth, "Host the Second ANSO GA", number=5))
    with pytest.raises(ValidationError) as refusal:
        services.decisions.create(decision(fourth, "Establish regional offices", number=5))
    assert list(refusal.value.errors) == ["number"]
    assert services.decisions.count() == 1


def test_invalid_decisions_are_refused(services: Services) -> None:
    fourth = board(services, 4, date(2021, 10, 9))
    for data, field in [
        (decision(999, "Host the Second ANSO GA"), "board_meeting_id"),
        (decision(None, "Host the Second ANSO GA"), "board_meeting_id"),
        (decision(fourth, "   "), "text"),
        (decision(fourth, "Host the Second ANSO GA", number=0), "number"),
        (decision(fourth, "Endorsed applications", organization_ids=[77]), "organization_ids"),
    ]:
        with pytest.raises(ValidationError) as refusal:
            services.decisions.create(data)
        assert list(refusal.value.errors) == [field], data
    assert services.decisions.count() == 0


def test_a_stale_decision_edit_is_refused(services: Services) -> None:
    fourth = board(services, 4, date(2021, 10, 9))
    created = services.decisions.create(decision(fourth, "Host the Second ANSO GA"))
    services.decisions.update(
        created.id, created.version, replace(DecisionData.from_record(created), owner="Secretariat")
    )
    with pytest.raises(ConflictError) as conflict:
        services.decisions.update(
            created.id,
            created.version,
            replace(DecisionData.from_record(created), status=DecisionStatus.REJECTED),
        )
    assert "Decision 1 of the 4th Governing Board meeting" in conflict.value.message
    read = services.decisions.get(created.id)
    assert (read.owner, read.status) == ("Secretariat", DecisionStatus.PROPOSED)


def test_decision_organizations_round_trip(services: Services) -> None:
    fourth = board(services, 4, date(2021, 10, 9))
    ids = [
        services.organizations.create(OrganizationData(name, relation=Relation.MEMBER)).id
        for name in ("Universiti Tunku Abdul Rahman", "Cuban Academy of Sciences")
    ]
    created = services.decisions.create(
        decision(fourth, "Endorsed the new applications.", organization_ids=[*ids, ids[0]])
    )
    assert [o.name for o in services.decisions.get(created.id).organizations] == [
        "Cuban Academy of Sciences",
        "Universiti Tunku Abdul Rahman",
    ]
    narrowed = services.decisions.update(
        created.id,
        created.version,
        replace(DecisionData.from_record(created), organization_ids=[ids[1]]),
    )
    assert [o.id for o in narrowed.organizations] == [ids[1]]


# --- lists and follow-up -------------------------------------------------------------------------


def seed_decisions(services: Services) -> dict[str, int]:
    """Decisions of the 3rd and 4th Governing Board meetings; returns ids of note."""
    third = board(services, 3, date(2020, 11, 9))
    fourth = board(services, 4, date(2021, 10, 9))
    cuba = services.organizations.create(
        OrganizationData("Cuban Academy of Sciences", relation=Relation.MEMBER)
    ).id
    iac = services.organizations.create(
        OrganizationData("Instituto de Astrofísica de Canarias", relation=Relation.MEMBER)
    ).id
    for data in [
        decision(third, "Agreed to re-schedule the 2nd ANSO GA.", category="Governance"),
        decision(
            third,
            "Endorsed amendment suggestions to the ANSO Statutes.",
            category="Statutes",
            status=DecisionStatus.IMPLEMENTED,
            due_date=date(2021, 10, 9),
        ),
        decision(
            fourth,
            "Endorsed all the 8 new applications to join in ANSO.",
            category="Membership",
            status=DecisionStatus.ADOPTED,
            organization_ids=[cuba, iac],
        ),
        decision(
            fourth,
            "Host the Second ANSO GA",
            category="Work plan",
            status=DecisionStatus.ADOPTED,
            owner="ANSO Secretariat",
            due_date=WORK_PLAN_DUE,
        ),
        decision(
            fourth,
            "Establish more ANSO regional offices both inside and outside China",
            category="Work plan",
            status=DecisionStatus.DEFERRED,
            owner="ANSO Secretariat",
            due_date=date(2021, 12, 31),
        ),
        decision(
            fourth,
            "Hold the special GA onsite",
            category=" ",
            status=DecisionStatus.REJECTED,
            due_date=date(2021, 12, 31),
        ),
    ]:
        services.decisions.create(data)
    return {"third": third, "fourth": fourth, "cuba": cuba, "iac": iac}


def test_filters(services: Services) -> None:
    ids = seed_decisions(services)
    cases: list[tuple[dict[str, object], list[str]]] = [
        (
            {"open": True},
            [
                "Agreed to re-schedule the 2nd ANSO GA.",
                "Endorsed all the 8 new applications to join in ANSO.",
                "Host the Second ANSO GA",
                "Establish more ANSO regional offices both inside and outside China",
            ],
        ),
        ({"open": False}, texts(services.decisions.list().rows)),
        (
            {"overdue": date(2022, 1, 1)},
            ["Establish more ANSO regional offices both inside and outside China"],
        ),
        (
            {"overdue": date(2023, 1, 1)},
            [
                "Host the Second ANSO GA",
                "Establish more ANSO regional offices both inside and outside China",
            ],
        ),
        ({"overdue": date(2021, 12, 31)}, []),
        (
            {"status": DecisionStatus.IMPLEMENTED},
            ["Endorsed amendment suggestions to the ANSO Statutes."],
        ),
        ({"status": "rejected"}, ["Hold the special GA onsite"]),
        (
            {"board_meeting_id": ids["third"]},
            [
                "Agreed to re-schedule the 2nd ANSO GA.",
                "Endorsed amendment suggestions to the ANSO Statutes.",
            ],
        ),
        (
            {"board_meeting_id": ids["fourth"], "open": True, "owner": "ANSO Secretariat"},
            [
                "Host the Second ANSO GA",
                "Establish more ANSO regional offices both inside and outside China",
            ],
        ),
        (
            {"organization_id": ids["iac"]},
            ["Endorsed all the 8 new applications to join in ANSO."],
        ),
    ]
    assert services.decisions.count() == 6
    for filters, expected in cases:
        page = services.decisions.list(ListQuery(filters=filters))
        assert texts(page.rows) == expected, filters
        assert page.total == len(expected), filters


def test_sort_by_board_meeting_then_number(services: Services) -> None:
    seed_decisions(services)
    rows = services.decisions.list(ListQuery(sort="board_meeting", descending=True)).rows
    assert [(row.board_meeting.number, row.number) for row in rows] == [
        (4, 1),
        (4, 2),
        (4, 3),
        (4, 4),
        (3, 1),
        (3, 2),
    ]


def test_search_and_categories(services: Services) -> None:
    assert services.decisions.categories() == []
    seed_decisions(services)
    assert services.decisions.categories() == ["Governance", "Membership", "Statutes", "Work plan"]
    found = services.decisions.list(ListQuery(search="secretariat"))
    assert texts(found.rows) == [
        "Host the Second ANSO GA",
        "Establish more ANSO regional offices both inside and outside China",
    ]
