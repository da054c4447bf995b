"""OrganizationService: the register of members, partners and others, their contacts, and the
admission lifecycle from application to active membership."""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from datetime import date
from itertools import product

import pytest
from sqlalchemy import func, select

from anso_desktop.domain import (
    MEMBER_TRANSITIONS,
    DecisionStatus,
    MeetingKind,
    MeetingMode,
    MemberStatus,
    OrganizationKind,
    Relation,
)
from anso_desktop.errors import ConflictError, NotFoundError, ValidationError
from anso_desktop.services import Services
from anso_desktop.services.base import ListQuery
from anso_desktop.services.decisions import BoardMeetingData, DecisionData
from anso_desktop.services.meetings import MeetingData
from anso_desktop.services.organizations import ContactData, OrganizationData
from anso_desktop.storage.models import Contact, Organization

FOURTH_BOARD_MEETING = date(2021, 10, 9)

# The column that records the day a member reached each status.
STATUS_DATE = {
    MemberStatus.APPLICANT: "applied_on",
    MemberStatus.ENDORSED: "endorsed_on",
    MemberStatus.APPROVED: "approved_on",
    MemberStatus.ACTIVE: "joined_on",
    MemberStatus.SUSPENDED: "suspended_on",
    MemberStatus.WITHDRAWN: "withdrawn_on",
}


def member(name: str, **kw: object) -> OrganizationData:
    return OrganizationData(name=name, relation=Relation.MEMBER, **kw)  # type: ignore[arg-type]


def other(name: str, **kw: object) -> OrganizationData:
    return OrganizationData(name=name, **kw)  # type: ignore[arg-type]


def path_to(status: MemberStatus) -> list[MemberStatus]:
    """The shortest legal walk of statuses from Applicant to `status` (empty for Applicant)."""
    paths: dict[MemberStatus, list[MemberStatus]] = {MemberStatus.APPLICANT: []}
    queue = deque([MemberStatus.APPLICANT])
    while queue:
        current = queue.popleft()
        for following in sorted(MEMBER_TRANSITIONS[current], key=list(MemberStatus).index):
            if following not in paths:
                paths[following] = [*paths[current], following]
                queue.append(following)
    return paths[status]


def walk(services: Services, organization_id: int, status: MemberStatus) -> None:
    for step in path_to(status):
        services.organizations.change_status([organization_id], step)


def board_decision(services: Services) -> int:
    """The 4th Governing Board meeting (9 October 2021) and one of its decisions; the decision id."""
    board = services.board_meetings.create(
        BoardMeetingData(number=4, date=FOURTH_BOARD_MEETING, mode=MeetingMode.ONLINE)
    )
    decision = services.decisions.create(
        DecisionData(
            board_meeting_id=board.id,
            number=3,
            text="Endorsed all the 8 new applications to join in ANSO.",
            category="Membership",
            status=DecisionStatus.ADOPTED,
        )
    )
    return decision.id


def names(rows: list[Organization]) -> list[str]:
    return [row.name for row in rows]


# --- create, read, update, delete -----------------------------------------------------------------


def test_create_get_update_delete_round_trip(services: Services) -> None:
    created = services.organizations.create(
        other(
            "  Instituto de Astrofísica   de Canarias ",
            acronym=" IAC ",
            country="Spain",
            kind=OrganizationKind.RESEARCH_INSTITUTE,
            website="https://www.iac.es",
            email="  secretaria@iac.example ",
            notes="   ",
        )
    )
    assert created.id is not None
    assert created.version == 1
    read = services.organizations.get(created.id)
    assert read.name == "Instituto de Astrofísica de Canarias"
    assert read.acronym == "IAC"
    assert read.country == "ES"
    assert read.kind is OrganizationKind.RESEARCH_INSTITUTE
    assert read.relation is Relation.OTHER
    assert read.status is None
    assert read.email == "secretaria@iac.example"
    assert read.notes is None

    updated = services.organizations.update(
        created.id,
        read.version,
        replace(
            OrganizationData.from_record(read),
            relation=Relation.PARTNER,
            notes="Observatories on Tenerife and La Palma.",
        ),
    )
    assert updated.version > read.version
    again = services.organizations.get(created.id)
    assert again.relation is Relation.PARTNER
    assert again.notes == "Observatories on Tenerife and La Palma."
    assert again.website == "https://www.iac.es"

    services.organizations.delete(created.id, again.version)
    with pytest.raises(NotFoundError):
        services.organizations.get(created.id)
    assert services.organizations.count() == 0


def test_invalid_fields_are_refused_by_name(services: Services) -> None:
    for data, field in [
        (other("   "), "name"),
        (other("Universiti Tunku Abdul Rahman", email="utar.edu.my"), "email"),
        (other("Universiti Tunku Abdul Rahman", email="info@utar"), "email"),
        (other("Universiti Tunku Abdul Rahman", country="Atlantis"), "country"),
    ]:
        with pytest.raises(ValidationError) as refusal:
            services.organizations.create(data)
        assert list(refusal.value.errors) == [field], data
    # A form shows every bad field at once.
    with pytest.raises(ValidationError) as refusal:
        services.organizations.create(other(" ", email="not-an-address", country="Atlantis"))
    assert set(refusal.value.errors) == {"name", "email", "country"}
    assert "Atlantis" in refusal.value.errors["country"]
    assert services.organizations.count() == 0


def test_countries_typed_by_people_are_stored_as_iso_codes(services: Services) -> None:
    typed = {
        "Russian Academy of Sciences": ("Russia", "RU"),
        "Korea Institute of Science and Technology": ("South Korea", "KR"),
        "Iranian Research Organization for Science and Technology": ("Iran", "IR"),
        "Instituto de Astrofísica de Canarias": ("Spain", "ES"),
        "Universiti Tunku Abdul Rahman": ("malaysia", "MY"),
        "Cuban Academy of Sciences": ("cu", "CU"),
        "Instituto Argentino de Radioastronomía": ("ARG", "AR"),
    }
    for name, (country, _) in typed.items():
        services.organizations.create(other(name, country=country))
    stored = {o.name: o.country for o in services.organizations.list().rows}
    assert stored == {name: code for name, (_, code) in typed.items()}


def test_duplicate_names_are_refused_whatever_the_spelling(services: Services) -> None:
    services.organizations.create(other("Instituto de Astrofísica de Canarias", acronym="IAC"))
    for duplicate in [
        "INSTITUTO DE ASTROFISICA DE CANARIAS",
        "instituto de astrofísica de canarias",
        "Instituto de Astrofísica de Canarias.",
        "Instituto  de Astrofísica-de-Canarias",
    ]:
        with pytest.raises(ValidationError) as refusal:
            services.organizations.create(other(duplicate, relation=Relation.PARTNER))
        assert list(refusal.value.errors) == ["name"], duplicate
        assert "Instituto de Astrofísica de Canarias" in refusal.value.errors["name"]
    assert services.organizations.count() == 1


def test_renaming_onto_another_name_is_refused_but_respelling_its_own_is_not(
    services: Services,
) -> None:
    services.organizations.create(other("Instituto de Astrofísica de Canarias"))
    utar = services.organizations.create(other("Universiti Tunku Abdul Rahman"))
    with pytest.raises(ValidationError) as refusal:
        services.organizations.update(
            utar.id, utar.version, other("INSTITUTO DE ASTROFISICA DE CANARIAS")
        )
    assert "name" in refusal.value.errors
    respelled = services.organizations.update(
        utar.id, utar.version, other("UNIVERSITI TUNKU ABDUL RAHMAN")
    )
    assert respelled.name == "UNIVERSITI TUNKU ABDUL RAHMAN"
    assert services.organizations.find_by_name("universiti tunku abdul rahman").id == utar.id


# --- membership status ---------------------------------------------------------------------------


def test_a_member_without_status_is_an_applicant_and_others_have_none(
    services: Services,
) -> None:
    cuba = services.organizations.create(member("Cuban Academy of Sciences", country="Cuba"))
    assert cuba.status is MemberStatus.APPLICANT
    assert cuba.applied_on == date.today()
    dated = services.organizations.create(
        member("Universiti Tunku Abdul Rahman", applied_on=date(2021, 3, 15))
    )
    assert services.organizations.get(dated.id).applied_on == date(2021, 3, 15)

    for relation in (Relation.PARTNER, Relation.OTHER):
        with pytest.raises(ValidationError) as refusal:
            services.organizations.create(
                other(
                    "United Nations Educational, Scientific and Cultural Organization",
                    relation=relation,
                    status=MemberStatus.ACTIVE,
                )
            )
        assert list(refusal.value.errors) == ["status"]
    assert services.organizations.count() == 2
    partner = services.organizations.create(
        other("Bill & Melinda Gates Foundation", relation=Relation.PARTNER, country="USA")
    )
    assert (partner.status, partner.applied_on) == (None, None)


@pytest.mark.parametrize(
    ("start", "target"),
    list(product(MemberStatus, MemberStatus)),
    ids=[f"{a.value}->{b.value}" for a, b in product(MemberStatus, MemberStatus)],
)
def test_change_status_follows_the_lifecycle(
    services: Services, start: MemberStatus, target: MemberStatus
) -> None:
    created = services.organizations.create(member("Cuban Academy of Sciences"))
    walk(services, created.id, start)
    assert services.organizations.get(created.id).status is start

    if target in MEMBER_TRANSITIONS[start]:
        [changed] = services.organizations.change_status([created.id], target)
        assert changed.status is target
        assert getattr(changed, STATUS_DATE[target]) == date.today()
        assert services.organizations.get(created.id).status is target
    else:
        with pytest.raises(ValidationError) as refusal:
            services.organizations.change_status([created.id], target)
        message = refusal.value.errors["status"]
        assert "Cuban Academy of Sciences" in message
        assert f"'{start.label}'" in message
        assert f"'{target.label}'" in message
        assert services.organizations.get(created.id).status is start


def test_change_status_refusals_say_why(services: Services) -> None:
    utar = services.organizations.create(member("Universiti Tunku Abdul Rahman"))
    with pytest.raises(ValidationError) as refusal:
        services.organizations.change_status([utar.id], MemberStatus.ACTIVE)
    message = refusal.value.errors["status"]
    assert message.startswith("Universiti Tunku Abdul Rahman is 'Applicant'")
    assert "cannot become 'Active'" in message
    assert message.endswith("it can only become 'Endorsed by GB', 'Withdrawn'")

    partner = services.organizations.create(
        other("International Union for Conservation of Nature", relation=Relation.PARTNER)
    )
    with pytest.raises(ValidationError) as refusal:
        services.organizations.change_status([partner.id], MemberStatus.ENDORSED)
    assert refusal.value.errors["status"] == (
        "International Union for Conservation of Nature is not a member, "
        "so it cannot become 'Endorsed by GB'"
    )
    assert services.organizations.get(partner.id).status is None
    with pytest.raises(ValidationError) as empty:
        services.organizations.change_status([], MemberStatus.ENDORSED)
    assert list(empty.value.errors) == ["organizations"]
    with pytest.raises(NotFoundError):
        services.organizations.change_status([partner.id + 100], MemberStatus.ENDORSED)


def test_update_changes_status_only_along_the_lifecycle(services: Services) -> None:
    created = services.organizations.create(
        member("Universiti Tunku Abdul Rahman", applied_on=date(2021, 5, 1))
    )
    with pytest.raises(ValidationError) as refusal:
        services.organizations.update(
            created.id,
            created.version,
            replace(OrganizationData.from_record(created), status=MemberStatus.ACTIVE),
        )
    assert list(refusal.value.errors) == ["status"]
    assert "'Applicant'" in refusal.value.errors["status"]
    assert "'Active'" in refusal.value.errors["status"]
    read = services.organizations.get(created.id)
    assert (read.status, read.version) == (MemberStatus.APPLICANT, created.version)

    # A legal step through the form is dated today when its date is left blank.
    updated = services.organizations.update(
        created.id,
        created.version,
        replace(OrganizationData.from_record(created), status=MemberStatus.ENDORSED),
    )
    assert updated.status is MemberStatus.ENDORSED
    assert updated.endorsed_on == date.today()


def test_change_status_of_several_is_all_or_nothing(services: Services) -> None:
    iac = services.organizations.create(member("Instituto de Astrofísica de Canarias"))
    utar = services.organizations.create(member("Universiti Tunku Abdul Rahman"))
    cas = services.organizations.create(member("Chinese Academy of Sciences", acronym="CAS"))
    walk(services, cas.id, MemberStatus.ACTIVE)
    before = {o.id: (o.status, o.version) for o in services.organizations.list().rows}

    with pytest.raises(ValidationError) as refusal:
        services.organizations.change_status([iac.id, utar.id, cas.id], MemberStatus.ENDORSED)

    message = refusal.value.errors["status"]
    assert "Chinese Academy of Sciences is 'Active'" in message
    assert "Instituto de Astrofísica de Canarias" not in message
    after = {o.id: (o.status, o.version) for o in services.organizations.list().rows}
    assert after == before
    assert before[iac.id][0] is MemberStatus.APPLICANT


# --- endorsement by the Governing Board, approval by the General Assembly ------------------------


def test_endorsement_records_the_board_decision(services: Services) -> None:
    decision_id = board_decision(services)
    applicants = [
        services.organizations.create(member(name, country=country, applied_on=date(2021, 6, 1)))
        for name, country in [
            ("Instituto de Astrofísica de Canarias", "Spain"),
            ("Universiti Tunku Abdul Rahman", "Malaysia"),
            ("Cuban Academy of Sciences", "Cuba"),
        ]
    ]
    ids = [applicant.id for applicant in applicants]

    changed = services.organizations.change_status(
        ids, MemberStatus.ENDORSED, decision_id=decision_id
    )

    assert [o.id for o in changed] == ids
    for organization_id in ids:
        read = services.organizations.get(organization_id)
        assert read.status is MemberStatus.ENDORSED
        assert read.endorsed_on == FOURTH_BOARD_MEETING
        assert read.endorsement_decision_id == decision_id
    decision = services.decisions.get(decision_id)
    assert sorted(names(decision.organizations)) == [
        "Cuban Academy of Sciences",
        "Instituto de Astrofísica de Canarias",
        "Universiti Tunku Abdul Rahman",
    ]
    concerned = services.decisions.list(ListQuery(filters={"organization_id": ids[1]}))
    assert [d.id for d in concerned.rows] == [decision_id]


def test_endorsement_on_a_given_day_overrides_the_board_date(services: Services) -> None:
    decision_id = board_decision(services)
    iar = services.organizations.create(
        member("Instituto Argentino de Radioastronomía", applied_on=date(2021, 6, 1))
    )
    with pytest.raises(ValidationError) as refusal:
        services.organizations.change_status(
            [iar.id], MemberStatus.ENDORSED, decision_id=decision_id + 1
        )
    assert list(refusal.value.errors) == ["decision"]
    assert services.organizations.get(iar.id).status is MemberStatus.APPLICANT

    [changed] = services.organizations.change_status(
        [iar.id], MemberStatus.ENDORSED, on=date(2021, 10, 12), decision_id=decision_id
    )
    assert changed.endorsed_on == date(2021, 10, 12)
    assert changed.endorsement_decision_id == decision_id


def test_approval_records_the_general_assembly(services: Services) -> None:
    decision_id = board_decision(services)
    # A General Assembly for the test (the 2021 report gives no date for one).
    assembly = services.meetings.create(
        MeetingData(
            title="Special ANSO General Assembly",
            start_date=date(2021, 11, 30),
            end_date=date(2021, 12, 1),
            kind=MeetingKind.GENERAL_ASSEMBLY,
            mode=MeetingMode.ONLINE,
        )
    )
    ids = [
        services.organizations.create(member(name, applied_on=date(2021, 6, 1))).id
        for name in ("Universiti Tunku Abdul Rahman", "Cuban Academy of Sciences")
    ]
    services.organizations.change_status(ids, MemberStatus.ENDORSED, decision_id=decision_id)

    services.organizations.change_status(
        ids, MemberStatus.APPROVED, general_assembly_id=assembly.id
    )

    for organization_id in ids:
        read = services.organizations.get(organization_id)
        assert read.status is MemberStatus.APPROVED
        assert read.approval_meeting_id == assembly.id
        assert read.approved_on == date(2021, 11, 30)
        assert read.endorsed_on == FOURTH_BOARD_MEETING


def test_a_withdrawn_member_endorsed_in_2021_can_apply_again(services: Services) -> None:
    decision_id = board_decision(services)
    utar = services.organizations.create(
        member("Universiti Tunku Abdul Rahman", applied_on=date(2021, 6, 1))
    )
    services.organizations.change_status([utar.id], MemberStatus.ENDORSED, decision_id=decision_id)
    services.organizations.change_status([utar.id], MemberStatus.WITHDRAWN, on=date(2022, 3, 1))

    [again] = services.organizations.change_status(
        [utar.id], MemberStatus.APPLICANT, on=date(2023, 1, 10)
    )

    assert again.status is MemberStatus.APPLICANT
    assert again.applied_on == date(2023, 1, 10)


# --- stale edits ---------------------------------------------------------------------------------


def test_a_stale_edit_is_refused_and_overwrites_nothing(services: Services) -> None:
    created = services.organizations.create(
        other("Cuban Academy of Sciences", kind=OrganizationKind.ACADEMY)
    )
    opened_by_both = services.organizations.get(created.id)
    first = services.organizations.update(
        created.id,
        opened_by_both.version,
        replace(
            OrganizationData.from_record(opened_by_both),
            notes="Endorsed by the 4th Governing Board on 9 October 2021.",
        ),
    )
    assert first.version == opened_by_both.version + 1

    with pytest.raises(ConflictError) as conflict:
        services.organizations.update(
            created.id,
            opened_by_both.version,
            replace(OrganizationData.from_record(opened_by_both), country="Cuba"),
        )

    assert "changed by someone else" in conflict.value.message
    assert "Cuban Academy of Sciences" in conflict.value.message
    read = services.organizations.get(created.id)
    assert read.notes == "Endorsed by the 4th Governing Board on 9 October 2021."
    assert read.country is None
    assert read.version == first.version

    with pytest.raises(ConflictError):
        services.organizations.delete(created.id, opened_by_both.version)
    assert services.organizations.get(created.id).version == first.version


# --- lists ---------------------------------------------------------------------------------------

REGISTER = [
    member(
        "Instituto de Astrofísica de Canarias",
        acronym="IAC",
        country="ES",
        kind=OrganizationKind.RESEARCH_INSTITUTE,
        notes="Observatories on Tenerife and La Palma; 100% of travel covered by the host.",
    ),
    member(
        "Universiti Tunku Abdul Rahman",
        acronym="UTAR",
        country="MY",
        kind=OrganizationKind.UNIVERSITY,
        email="international_office@utar.example",
    ),
    member("Cuban Academy of Sciences", country="CU", kind=OrganizationKind.ACADEMY),
    member(
        "Instituto Argentino de Radioastronomía",
        acronym="IAR",
        country="AR",
        kind=OrganizationKind.RESEARCH_INSTITUTE,
    ),
    member("Universidad Nacional de San Juan", country="AR", kind=OrganizationKind.UNIVERSITY),
    member(
        "Chinese Academy of Sciences", acronym="CAS", country="CN", kind=OrganizationKind.ACADEMY
    ),
    member(
        "Russian Academy of Sciences", acronym="RAS", country="RU", kind=OrganizationKind.ACADEMY
    ),
    other(
        "International Union for Conservation of Nature",
        acronym="IUCN",
        country="CH",
        kind=OrganizationKind.INTERNATIONAL_ORGANIZATION,
        relation=Relation.PARTNER,
    ),
    other("Bill & Melinda Gates Foundation", country="US", relation=Relation.PARTNER),
    other(
        "Association of Academies and Societies of Sciences in Asia",
        acronym="AASSA",
        kind=OrganizationKind.INTERNATIONAL_ORGANIZATION,
    ),
]


def seed_register(services: Services) -> dict[str, int]:
    """The register above, with CAS and RAS active members and UTAR endorsed; ids by name."""
    ids = {data.name: services.organizations.create(data).id for data in REGISTER}
    for name in ("Chinese Academy of Sciences", "Russian Academy of Sciences"):
        walk(services, ids[name], MemberStatus.ACTIVE)
    walk(services, ids["Universiti Tunku Abdul Rahman"], MemberStatus.ENDORSED)
    return ids


SEARCHES: dict[str, list[str]] = {
    "canarias": ["Instituto de Astrofísica de Canarias"],
    "utar": ["Universiti Tunku Abdul Rahman"],
    "  Iucn ": ["International Union for Conservation of Nature"],
    "ACADEMY OF SCIENCES": [
        "Chinese Academy of Sciences",
        "Cuban Academy of Sciences",
        "Russian Academy of Sciences",
    ],
    # "%" and "_" are the text typed, not LIKE wildcards.
    "%": ["Instituto de Astrofísica de Canarias"],
    "100%": ["Instituto de Astrofísica de Canarias"],
    "_": ["Universiti Tunku Abdul Rahman"],
    "l_o": ["Universiti Tunku Abdul Rahman"],
    "A_S": [],
    "Institut%Canarias": [],
    "\\": [],
}


def test_search_is_case_insensitive_and_literal(services: Services) -> None:
    seed_register(services)
    found = {
        search: services.organizations.list(ListQuery(search=search, sort="name"))
        for search in SEARCHES
    }
    assert {search: names(page.rows) for search, page in found.items()} == SEARCHES
    assert {search: page.total for search, page in found.items()} == {
        search: len(expected) for search, expected in SEARCHES.items()
    }


def test_search_ignores_case_and_accents(services: Services) -> None:
    """On SQLite too, whose own case folding knows only ASCII letters."""
    seed_register(services)
    for search, expected in [
        ("ASTROFÍSICA", "Instituto de Astrofísica de Canarias"),
        ("astrofisica", "Instituto de Astrofísica de Canarias"),
        ("RADIOASTRONOMÍA", "Instituto Argentino de Radioastronomía"),
        ("radioastronomia", "Instituto Argentino de Radioastronomía"),
    ]:
        assert names(services.organizations.list(ListQuery(search=search)).rows) == [expected]


FILTERS: list[tuple[dict[str, object], list[str]]] = [
    (
        {"status": MemberStatus.ACTIVE},
        ["Chinese Academy of Sciences", "Russian Academy of Sciences"],
    ),
    ({"status": "endorsed"}, ["Universiti Tunku Abdul Rahman"]),
    (
        {"country": "AR"},
        ["Instituto Argentino de Radioastronomía", "Universidad Nacional de San Juan"],
    ),
    (
        {"kind": OrganizationKind.ACADEMY},
        ["Chinese Academy of Sciences", "Cuban Academy of Sciences", "Russian Academy of Sciences"],
    ),
    (
        {"relation": Relation.PARTNER},
        ["Bill & Melinda Gates Foundation", "International Union for Conservation of Nature"],
    ),
    (
        {"relation": "member", "status": "applicant", "country": "AR"},
        ["Instituto Argentino de Radioastronomía", "Universidad Nacional de San Juan"],
    ),
    ({"status": MemberStatus.SUSPENDED}, []),
    ({"status": None, "country": ""}, sorted(data.name for data in REGISTER)),
]


def test_filters(services: Services) -> None:
    seed_register(services)
    for filters, expected in FILTERS:
        page = services.organizations.list(ListQuery(filters=filters, sort="name"))
        assert names(page.rows) == expected, filters
        assert page.total == len(expected), filters
        assert services.organizations.count(ListQuery(filters=filters)) == len(expected), filters


def test_unknown_filters_and_sort_keys_are_programming_errors(services: Services) -> None:
    with pytest.raises(ValueError, match="no filter 'colour'"):
        services.organizations.list(ListQuery(filters={"colour": "red"}))
    with pytest.raises(ValueError, match="cannot be sorted by 'colour'"):
        services.organizations.list(ListQuery(sort="colour"))


def test_sort_by_name_both_ways_and_by_country(services: Services) -> None:
    seed_register(services)
    every_name = sorted(data.name for data in REGISTER)
    ascending = services.organizations.list(ListQuery(sort="name"))
    descending = services.organizations.list(ListQuery(sort="name", descending=True))
    assert names(ascending.rows) == every_name
    assert names(descending.rows) == every_name[::-1]

    rows = services.organizations.list(ListQuery(sort="country")).rows
    countries = [row.country for row in rows if row.country is not None]
    assert countries == sorted(countries)
    assert len(rows) == len(REGISTER)
    # Ties are broken by name: the two Argentine organizations come in name order.
    assert [row.name for row in rows if row.country == "AR"] == [
        "Instituto Argentino de Radioastronomía",
        "Universidad Nacional de San Juan",
    ]


def test_pages_are_disjoint_and_cover_every_row(services: Services) -> None:
    seed_register(services)
    for sort, descending in [("name", False), ("country", False), ("kind", True)]:
        everything = services.organizations.list(ListQuery(sort=sort, descending=descending))
        seen: list[int] = []
        for offset in range(0, len(REGISTER) + 3, 3):
            page = services.organizations.list(
                ListQuery(sort=sort, descending=descending, offset=offset, limit=3)
            )
            assert page.total == len(REGISTER)
            assert len(page.rows) <= 3
            seen += [row.id for row in page.rows]
        assert seen == [row.id for row in everything.rows], sort
        assert len(set(seen)) == len(REGISTER), sort

    # The total counts every match of the filters, not just the rows of the page.
    page = services.organizations.list(
        ListQuery(filters={"relation": Relation.MEMBER}, sort="name", offset=2, limit=2)
    )
    assert page.total == 7
    assert names(page.rows) == [
        "Instituto Argentino de Radioastronomía",
        "Instituto de Astrofísica de Canarias",
    ]


def test_counts_by_status(services: Services) -> None:
    assert services.organizations.counts_by_status() == dict.fromkeys(MemberStatus, 0)
    seed_register(services)
    assert services.organizations.counts_by_status() == {
        MemberStatus.APPLICANT: 4,
        MemberStatus.ENDORSED: 1,
        MemberStatus.APPROVED: 0,
        MemberStatus.ACTIVE: 2,
        MemberStatus.SUSPENDED: 0,
        MemberStatus.WITHDRAWN: 0,
    }


# --- contacts ------------------------------------------------------------------------------------


def test_contacts_add_update_delete(services: Services) -> None:
    iac = services.organizations.create(other("Instituto de Astrofísica de Canarias"))
    added = services.organizations.add_contact(
        ContactData(
            organization_id=iac.id,
            name="  María  Pérez ",
            title="Head of International Relations",
            email="maria.perez@iac.example",
            phone=" ",
        )
    )
    assert added.name == "María Pérez"
    assert added.phone is None
    second = services.organizations.add_contact(ContactData(iac.id, "Alberto Díaz"))
    assert [c.name for c in services.organizations.contacts(iac.id)] == [
        "Alberto Díaz",
        "María Pérez",
    ]

    updated = services.organizations.update_contact(
        added.id, added.version, ContactData(iac.id, "María Pérez", role="ANSO liaison")
    )
    assert updated.version == added.version + 1
    assert updated.role == "ANSO liaison"
    assert updated.title is None

    services.organizations.delete_contact(second.id)
    assert [c.id for c in services.organizations.contacts(iac.id)] == [added.id]


def test_a_stale_contact_edit_is_refused(services: Services) -> None:
    utar = services.organizations.create(other("Universiti Tunku Abdul Rahman"))
    added = services.organizations.add_contact(ContactData(utar.id, "Lee Mei Ling"))
    services.organizations.update_contact(
        added.id, added.version, ContactData(utar.id, "Lee Mei Ling", phone="+60 5 468 8888")
    )
    with pytest.raises(ConflictError) as conflict:
        services.organizations.update_contact(
            added.id, added.version, ContactData(utar.id, "Lee Mei Ling", role="Dean")
        )
    assert "changed by someone else" in conflict.value.message
    [contact] = services.organizations.contacts(utar.id)
    assert contact.phone == "+60 5 468 8888"
    assert contact.role is None


def test_invalid_contacts_are_refused(services: Services) -> None:
    utar = services.organizations.create(other("Universiti Tunku Abdul Rahman"))
    for name, email, field in [(" ", None, "name"), ("Lee Mei Ling", "lee at utar", "email")]:
        with pytest.raises(ValidationError) as refusal:
            services.organizations.add_contact(ContactData(utar.id, name, email=email))
        assert list(refusal.value.errors) == [field]
    with pytest.raises(NotFoundError):
        services.organizations.add_contact(ContactData(999, "Lee Mei Ling"))
    assert services.organizations.contacts(utar.id) == []


def test_deleting_an_organization_deletes_its_contacts(services: Services) -> None:
    cuba = services.organizations.create(other("Cuban Academy of Sciences"))
    utar = services.organizations.create(other("Universiti Tunku Abdul Rahman"))
    for name in ("Luis Velázquez", "Ana Rodríguez"):
        services.organizations.add_contact(ContactData(cuba.id, name))
    kept = services.organizations.add_contact(ContactData(utar.id, "Lee Mei Ling"))

    services.organizations.delete(cuba.id)

    assert services.organizations.contacts(cuba.id) == []
    with services.database.transaction() as session:
        remaining = session.scalars(select(Contact.id)).all()
        assert session.scalar(select(func.count()).select_from(Organization)) == 1
    assert remaining == [kept.id]


def test_row_values_are_what_a_create_would_store(services: Services) -> None:
    """A bulk insert binds `row_values` to `ROW_COLUMNS`: together they cover the table, and
    give each column the value that creating the organization through the service gives it."""
    from anso_desktop.services.organizations import ROW_COLUMNS

    # The id and the UUID are the database's own to give.
    columns = [c.key for c in Organization.__table__.columns if c.key not in ("id", "uuid")]
    assert sorted(ROW_COLUMNS) == sorted(columns)
    for data in (
        OrganizationData(
            name="Cuban Academy of Sciences", acronym="ACC", country="CU", relation=Relation.MEMBER
        ),
        OrganizationData(name="Partner Lab", relation=Relation.PARTNER, email="lab@example.org"),
        OrganizationData(
            name="Academia Sinica",
            relation=Relation.MEMBER,
            status=MemberStatus.APPROVED,
            approved_on=date(2022, 5, 1),
        ),
    ):
        organizations = services.organizations
        row = dict(
            zip(ROW_COLUMNS, organizations.row_values(organizations.check(data)), strict=True)
        )
        record = organizations.create(data)
        assert row == {column: getattr(record, column) for column in columns}
