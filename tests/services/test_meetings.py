"""MeetingService: workshops, conferences and forums with their dates and organizers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from anso_desktop.domain import MeetingKind, MeetingMode, OrganizationKind
from anso_desktop.errors import ConflictError, NotFoundError, ValidationError
from anso_desktop.services import Services
from anso_desktop.services.base import ListQuery
from anso_desktop.services.meetings import MeetingData, OrganizerData
from anso_desktop.services.organizations import OrganizationData
from anso_desktop.storage.models import Meeting

AGRICULTURE = "ANSO online open conference: agriculture and food security"
RURAL_WATER = (
    "The 11th Forum on China's Rural Water Environment Governance and the Forum on "
    "Environmental Infrastructures in Rural Area"
)


def meeting(
    title: str, start: date, end: date | None = None, *organizers: str, **kw: object
) -> MeetingData:
    return MeetingData(
        title=title,
        start_date=start,
        end_date=end,
        organizers=tuple(OrganizerData(name) for name in organizers),
        **kw,  # type: ignore[arg-type]
    )


def organization(services: Services, name: str, acronym: str | None = None) -> int:
    return services.organizations.create(
        OrganizationData(name=name, acronym=acronym, kind=OrganizationKind.RESEARCH_INSTITUTE)
    ).id


def organizers(record: Meeting) -> list[tuple[str, int | None]]:
    return [(o.name, o.organization_id) for o in record.organizers]


def organizer_names(record: Meeting) -> list[str]:
    return [o.name for o in record.organizers]


def titles(rows: list[Meeting]) -> list[str]:
    return [row.title for row in rows]


# --- create, read, update, delete -----------------------------------------------------------------


def test_create_get_update_delete_round_trip(services: Services) -> None:
    created = services.meetings.create(
        meeting(
            f"  {AGRICULTURE} ",
            date(2021, 4, 21),
            date(2021, 4, 23),
            "ANSO-RWIT",
            kind=MeetingKind.CONFERENCE,
            mode=MeetingMode.ONLINE,
            location="  ",
            participants_count=300,
        )
    )
    read = services.meetings.get(created.id)
    assert read.title == AGRICULTURE
    assert (read.start_date, read.end_date) == (date(2021, 4, 21), date(2021, 4, 23))
    assert read.kind is MeetingKind.CONFERENCE
    assert read.mode is MeetingMode.ONLINE
    assert read.location is None
    assert read.participants_count == 300
    assert organizer_names(read) == ["ANSO-RWIT"]

    updated = services.meetings.update(
        created.id,
        read.version,
        replace(MeetingData.from_record(read), countries_count=40, notes="Held on Zoom."),
    )
    assert updated.version > read.version
    assert services.meetings.get(created.id).countries_count == 40

    services.meetings.delete(created.id, updated.version)
    with pytest.raises(NotFoundError):
        services.meetings.get(created.id)


def test_end_date_defaults_to_start_and_cannot_precede_it(services: Services) -> None:
    with pytest.raises(ValidationError) as refusal:
        services.meetings.create(meeting(AGRICULTURE, date(2021, 4, 23), date(2021, 4, 21)))
    assert list(refusal.value.errors) == ["end_date"]
    assert "23 Apr 2021" in refusal.value.errors["end_date"]
    assert services.meetings.count() == 0

    created = services.meetings.create(meeting("Taklimakan desert forum", date(2021, 6, 17)))
    assert services.meetings.get(created.id).end_date == date(2021, 6, 17)


def test_missing_or_negative_fields_are_refused(services: Services) -> None:
    forum = "Taklimakan desert forum"
    for data, field in [
        (meeting("   ", date(2021, 6, 17)), "title"),
        (meeting(forum, None), "start_date"),
        (meeting(forum, date(2021, 6, 17), participants_count=-1), "participants_count"),
        (meeting(forum, date(2021, 6, 17), countries_count=-3), "countries_count"),
    ]:
        with pytest.raises(ValidationError) as refusal:
            services.meetings.create(data)
        assert list(refusal.value.errors) == [field]
    assert services.meetings.count() == 0


def test_same_title_on_the_same_day_is_refused_but_not_on_another(services: Services) -> None:
    services.meetings.create(meeting("ANSO Workshop on Global Health", date(2021, 9, 23)))
    with pytest.raises(ValidationError) as refusal:
        services.meetings.create(
            meeting(
                " ANSO  Workshop on Global Health", date(2021, 9, 23), kind=MeetingKind.WORKSHOP
            )
        )
    assert list(refusal.value.errors) == ["title"]

    services.meetings.create(meeting("ANSO Workshop on Global Health", date(2022, 9, 23)))
    assert services.meetings.count() == 2

    # Nor can another meeting be edited onto that title and day.
    other = services.meetings.create(meeting("ANSO Online conference", date(2021, 9, 23)))
    with pytest.raises(ValidationError) as refusal:
        services.meetings.update(
            other.id, other.version, meeting("ANSO Workshop on Global Health", date(2021, 9, 23))
        )
    assert list(refusal.value.errors) == ["title"]
    assert services.meetings.get(other.id).title == "ANSO Online conference"


# --- organizers ---------------------------------------------------------------------------------


def test_organizers_keep_their_order_and_free_text(services: Services) -> None:
    created = services.meetings.create(
        meeting(
            RURAL_WATER,
            date(2021, 10, 13),
            date(2021, 10, 16),
            "RCEES",
            " CAS ",
            "",
            "EMCC",
            "CMEA",
            kind=MeetingKind.FORUM,
        )
    )
    read = services.meetings.get(created.id)
    assert organizers(read) == [("RCEES", None), ("CAS", None), ("EMCC", None), ("CMEA", None)]
    assert [o.position for o in read.organizers] == [0, 1, 2, 3]


def test_reordering_organizers_in_an_update_keeps_the_new_order(services: Services) -> None:
    created = services.meetings.create(
        meeting(RURAL_WATER, date(2021, 10, 13), date(2021, 10, 16), "RCEES", "CAS", "EMCC")
    )
    updated = services.meetings.update(
        created.id,
        created.version,
        meeting(
            RURAL_WATER, date(2021, 10, 13), date(2021, 10, 16), "CMEA", "EMCC", "RCEES", "CAS"
        ),
    )
    assert organizer_names(updated) == ["CMEA", "EMCC", "RCEES", "CAS"]
    assert organizer_names(services.meetings.get(created.id)) == ["CMEA", "EMCC", "RCEES", "CAS"]

    trimmed = services.meetings.update(
        created.id,
        updated.version,
        meeting(RURAL_WATER, date(2021, 10, 13), date(2021, 10, 16), "CAS"),
    )
    assert organizer_names(services.meetings.get(trimmed.id)) == ["CAS"]


def test_organizers_matching_one_organization_are_linked(services: Services) -> None:
    rcees = organization(services, "Research Center for Eco-Environmental Sciences", "RCEES")
    cas = organization(services, "Chinese Academy of Sciences", "CAS")
    xieg = organization(
        services, "Xinjiang Institute of Ecology and Geography of the Chinese Academy of Sciences"
    )
    created = services.meetings.create(
        meeting(
            "Taklimakan desert forum",
            date(2021, 6, 17),
            None,
            "RCEES",
            "chinese academy of sciences",
            "Xinjiang Institute of Ecology and Geography of the Chinese Academy of Sciences.",
            "EMCC",
        )
    )
    assert organizers(services.meetings.get(created.id)) == [
        ("RCEES", rcees),
        ("chinese academy of sciences", cas),
        ("Xinjiang Institute of Ecology and Geography of the Chinese Academy of Sciences.", xieg),
        ("EMCC", None),
    ]

    # A link the user chose is kept, whatever the name says.
    explicit = services.meetings.create(
        MeetingData(
            title="Inauguration meeting of momentous advisory program",
            start_date=date(2021, 3, 19),
            organizers=(OrganizerData("The Academy", cas),),
        )
    )
    assert organizers(services.meetings.get(explicit.id)) == [("The Academy", cas)]

    # Once two organizations answer to "CAS", the acronym names neither.
    organization(services, "Czech Academy of Sciences", "CAS")
    ambiguous = services.meetings.create(
        meeting("The China-Russia Forum on Infectious Disease", date(2021, 11, 3), None, "CAS")
    )
    assert organizers(services.meetings.get(ambiguous.id)) == [("CAS", None)]


def test_an_organizer_with_a_comma_stays_one_organizer(services: Services) -> None:
    organization(services, "Chinese Academy of Sciences", "CAS")
    organization(services, "Xinjiang Institute of Ecology and Geography", "XIEG")
    created = services.meetings.create(
        meeting(
            "The launching ceremony for the international program office (IPO) of the ANSO "
            '"Green Aral Sea" initiative',
            date(2021, 9, 12),
            None,
            "XIEG, CAS",
        )
    )
    assert organizers(services.meetings.get(created.id)) == [("XIEG, CAS", None)]


def test_an_acronym_in_lower_case_links_like_a_name_in_lower_case(services: Services) -> None:
    rcees = organization(services, "Research Center for Eco-Environmental Sciences", "RCEES")
    cas = organization(services, "Chinese Academy of Sciences", "CAS")
    created = services.meetings.create(
        meeting(RURAL_WATER, date(2021, 10, 13), date(2021, 10, 16), "rcees", "cas", "emcc")
    )
    assert organizers(services.meetings.get(created.id)) == [
        ("rcees", rcees),
        ("cas", cas),
        ("emcc", None),
    ]


def test_changing_only_the_organizers_changes_the_version(services: Services) -> None:
    """So that a stale edit of the organizers is detected like any other stale edit."""
    created = services.meetings.create(
        meeting(RURAL_WATER, date(2021, 10, 13), date(2021, 10, 16), "RCEES", "CAS")
    )
    # Saving unchanged data is no change: the version stays.
    unchanged = services.meetings.update(
        created.id, created.version, MeetingData.from_record(created)
    )
    assert unchanged.version == created.version
    opened_by_both = services.meetings.get(created.id)
    first = services.meetings.update(
        created.id,
        opened_by_both.version,
        replace(
            MeetingData.from_record(opened_by_both),
            organizers=(OrganizerData("RCEES"), OrganizerData("CAS"), OrganizerData("EMCC")),
        ),
    )
    assert first.version != opened_by_both.version

    with pytest.raises(ConflictError) as conflict:
        services.meetings.update(
            created.id,
            opened_by_both.version,
            replace(MeetingData.from_record(opened_by_both), organizers=(OrganizerData("CMEA"),)),
        )
    assert "changed by someone else" in conflict.value.message
    assert organizer_names(services.meetings.get(created.id)) == ["RCEES", "CAS", "EMCC"]


# --- lists ---------------------------------------------------------------------------------------


def seed_meetings(services: Services) -> None:
    for data in [
        meeting(
            "The 3rd ANSO Governing Board meeting",
            date(2020, 11, 9),
            kind=MeetingKind.BOARD_MEETING,
            mode=MeetingMode.ONLINE,
        ),
        meeting(
            AGRICULTURE,
            date(2021, 4, 21),
            date(2021, 4, 23),
            "ANSO-RWIT",
            kind=MeetingKind.CONFERENCE,
            mode=MeetingMode.ONLINE,
        ),
        meeting(
            "Taklimakan desert forum", date(2021, 6, 17), None, "XIEG, CAS", kind=MeetingKind.FORUM
        ),
        meeting(
            'Exhibition "The Beauty of Life on Earth"',
            date(2021, 8, 30),
            date(2021, 9, 19),
            "ANSO",
            "MAB-China",
            "UNESCO Beijing Office",
            kind=MeetingKind.EXHIBITION,
            mode=MeetingMode.ONSITE,
        ),
        meeting(
            "The Fourth ANSO Governing Board Meeting Held Online",
            date(2021, 10, 9),
            None,
            "ANSO Secretariat",
            kind=MeetingKind.BOARD_MEETING,
            mode=MeetingMode.ONLINE,
        ),
        meeting(
            RURAL_WATER,
            date(2021, 10, 13),
            date(2021, 10, 16),
            "RCEES",
            "CAS",
            "EMCC",
            "CMEA",
            kind=MeetingKind.FORUM,
        ),
        meeting(
            "Second International Training Course on Industrial Synthetic Biotechnology",
            date(2021, 12, 20),
            date(2021, 12, 30),
            "TIB, CAS",
            "COMSATS",
            kind=MeetingKind.TRAINING,
        ),
    ]:
        services.meetings.create(data)


FILTERS: list[tuple[dict[str, object], list[str]]] = [
    ({"year": 2020}, ["The 3rd ANSO Governing Board meeting"]),
    ({"year": "2021", "kind": MeetingKind.FORUM}, ["Taklimakan desert forum", RURAL_WATER]),
    (
        {"mode": "online", "year": 2021},
        [AGRICULTURE, "The Fourth ANSO Governing Board Meeting Held Online"],
    ),
    (
        {"kind": MeetingKind.BOARD_MEETING},
        [
            "The 3rd ANSO Governing Board meeting",
            "The Fourth ANSO Governing Board Meeting Held Online",
        ],
    ),
    # Upcoming on 14 October 2021: the forum that runs to the 16th is still on.
    (
        {"upcoming": date(2021, 10, 14)},
        [RURAL_WATER, "Second International Training Course on Industrial Synthetic Biotechnology"],
    ),
    ({"upcoming": date(2022, 1, 1)}, []),
    ({"year": 2019}, []),
]


def test_filters(services: Services) -> None:
    seed_meetings(services)
    for filters, expected in FILTERS:
        page = services.meetings.list(ListQuery(filters=filters))
        assert titles(page.rows) == expected, filters
        assert page.total == len(expected), filters
    # Upcoming without a date means from today.
    services.meetings.create(meeting("ANSO Workshop on Global Health", date(2099, 9, 23)))
    page = services.meetings.list(ListQuery(filters={"upcoming": True}))
    assert titles(page.rows) == ["ANSO Workshop on Global Health"]


def test_search_looks_in_titles_and_organizer_names(services: Services) -> None:
    seed_meetings(services)
    by_organizer = services.meetings.list(ListQuery(search="rwit"))
    assert titles(by_organizer.rows) == [AGRICULTURE]
    cas = services.meetings.list(ListQuery(search="CAS"))
    assert titles(cas.rows) == [
        "Taklimakan desert forum",
        RURAL_WATER,
        "Second International Training Course on Industrial Synthetic Biotechnology",
    ]
    assert cas.total == 3
    by_title = services.meetings.list(ListQuery(search="governing board"))
    assert by_title.total == 2
    assert services.meetings.list(ListQuery(search="%")).total == 0


def test_sort_by_start_date_descending(services: Services) -> None:
    seed_meetings(services)
    rows = services.meetings.list(ListQuery(sort="start_date", descending=True)).rows
    starts = [row.start_date for row in rows]
    assert starts == sorted(starts, reverse=True)
    assert (
        rows[0].title
        == "Second International Training Course on Industrial Synthetic Biotechnology"
    )
    assert rows[-1].title == "The 3rd ANSO Governing Board meeting"
    default = services.meetings.list().rows
    assert [row.start_date for row in default] == sorted(starts)


def test_years_newest_first(services: Services) -> None:
    assert services.meetings.years() == []
    seed_meetings(services)
    assert services.meetings.years() == [2021, 2020]
