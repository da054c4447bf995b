"""The rules of likely matches, on plain values: each rule finds its spelling with a reason a
person can read, and look-alikes that are other organizations are never taken as them."""

from __future__ import annotations

from datetime import date

import pytest

from anso_desktop.services.matching import (
    Candidate,
    OrganizationIndex,
    RecordRef,
    decide,
    organization_duplicates,
)
from anso_desktop.services.meeting_matching import MeetingIndex, meeting_duplicates
from anso_desktop.services.name_forms import organization_form

REGISTER = [
    (1, "Instituto de Astrofísica de Canarias", "IAC", "ES"),
    (2, "University of Belgrade", None, "RS"),
    (3, "Universiti Tunku Abdul Rahman", "UTAR", "MY"),
    (
        4,
        "Xinjiang Institute of Ecology and Geography of the Chinese Academy of Sciences",
        "XIEG",
        "CN",
    ),
    (5, "Chinese Academy of Sciences", "CAS", "CN"),
    (6, "Pakistan Academy of Sciences", "PAS", "PK"),
    (7, "National Academy of Sciences of Sri Lanka", "NASSL", "LK"),
    (8, "Hungarian Academy of Sciences", "MTA", "HU"),
    (9, "Mongolian Academy of Sciences", "MAS", "MN"),
    (10, "Cuban Academy of Sciences", "ACC", "CU"),
]


@pytest.fixture(scope="module")
def register() -> OrganizationIndex:
    return OrganizationIndex.of(REGISTER, aliases=[(2, "Belgrade University")])


@pytest.mark.parametrize(
    ("typed", "acronym", "expected_id", "reason"),
    [
        (
            "The Instituto de Astrofísica de Canarias (IAC)",
            None,
            1,
            "same name without 'The' and '(IAC)'",
        ),
        ("The University of Belgrade", None, 2, "same name without 'The'"),
        ("Universiti Tunku Abdul Rahman (UTAR)", None, 3, "same name without '(UTAR)'"),
        (
            "Xinjiang Institute of Ecology and Geography, CAS",
            "XIEG",
            4,
            "same name without ', CAS' and 'of the Chinese Academy of Sciences'",
        ),
        ("INSTITUTO DE ASTROFISICA DE CANARIAS, Spain", None, 1, "same name without ', Spain'"),
        ("Belgrade University", None, 2, "known alias 'Belgrade University'"),
        ("XIEG, CAS", None, 4, "its acronym 'XIEG'"),
    ],
)
def test_each_rule_finds_the_record_with_its_reason(
    register: OrganizationIndex, typed: str, acronym: str | None, expected_id: int, reason: str
) -> None:
    candidates = register.candidates(typed, acronym)
    chosen = decide(candidates)
    assert chosen is not None, candidates
    assert chosen.record.id == expected_id
    assert chosen.reason == reason


def test_same_acronym_and_country_with_a_similar_name_is_strong(
    register: OrganizationIndex,
) -> None:
    chosen = decide(register.candidates("Instituto Astrofisico Canarias", "IAC", "ES"))
    assert chosen is not None and chosen.record.id == 1
    assert chosen.reason.startswith("same acronym 'IAC' and country")


@pytest.mark.parametrize(
    ("typed", "country"),
    [
        ("Chinese Academy of Engineering", "CN"),
        ("Pakistan Academy of Medical Sciences", "PK"),
        ("Mongolian Academy of Medical Sciences", "MN"),
        ("Serbian Academy of Sciences", "RS"),
    ],
)
def test_look_alikes_are_never_taken_as_the_record(
    register: OrganizationIndex, typed: str, country: str
) -> None:
    candidates = register.candidates(typed, None, country)
    assert decide(candidates) is None
    assert not any(candidate.strong for candidate in candidates)


def test_a_similar_name_is_weak_and_left_to_a_person(register: OrganizationIndex) -> None:
    candidates = register.candidates("Pakistan Academy of Science")
    assert candidates and candidates[0].record.id == 6
    assert not candidates[0].strong and candidates[0].score >= 85
    assert decide(candidates) is None


def test_same_core_with_another_country_is_only_weak(register: OrganizationIndex) -> None:
    candidates = register.candidates("University of Belgrade (UB)", None, "US")
    assert candidates[0].record.id == 2
    assert not candidates[0].strong
    assert "the countries differ" in candidates[0].reason


def test_only_one_side_naming_a_parent_is_weak() -> None:
    index = OrganizationIndex.of(
        [(1, "Institute of Botany, Chinese Academy of Sciences", None, "CN")]
    )
    candidates = index.candidates("Institute of Botany")
    assert candidates and not candidates[0].strong
    assert "only one names its parent" in candidates[0].reason


def test_two_strong_candidates_are_ambiguous() -> None:
    two = [
        Candidate(RecordRef(1, "a"), "x", 100, True),
        Candidate(RecordRef(2, "b"), "y", 100, True),
    ]
    assert decide(two) is None
    assert decide(two[:1]) == two[0]
    index = OrganizationIndex.of(
        [(1, "Academy of Sciences", None, "CU"), (2, "The Academy of Sciences", None, "CU")]
    )
    assert decide(index.candidates("Academy of Sciences (AS)")) is None


def test_names_that_differ_by_a_number_are_other_records() -> None:
    index = OrganizationIndex.of([(1, "Laboratory of Physics No. 000123", "LOP7", "CN")])
    assert index.candidates("Laboratory of Physics No. 000124", "LOP7", "CN") == []


def test_decorations_are_set_aside_in_the_form() -> None:
    form = organization_form("The Research Center (Bishkek), Chinese Academy of Sciences")
    assert form.core == "research center bishkek"
    assert form.parent == "chinese academy of sciences"
    assert form.acronym is None  # "(Bishkek)" is a place, not an acronym


def test_duplicates_in_the_register_are_paired_best_first() -> None:
    index = OrganizationIndex.of(
        [
            *REGISTER,
            (11, "The University of Belgrade", None, "RS"),
            (12, "Pakistan Academy of Science", None, "PK"),
        ]
    )
    pairs = organization_duplicates(index)
    assert [(p.first.id, p.second.id) for p in pairs] == [(2, 11), (6, 12)]
    assert pairs[0].reason == "same name without 'The'"
    assert pairs[0].score > pairs[1].score
    assert organization_duplicates(index, {(2, 11)})[0].first.id == 6


MEETINGS = [
    (1, "ANSO Workshop on Climate Change", date(2021, 3, 2), date(2021, 3, 2)),
    (2, "The 5th ANSO Forum on Water", date(2021, 6, 1), date(2021, 6, 2)),
    (3, "ANSO Training Course on Remote Sensing", date(2021, 9, 1), date(2021, 9, 10)),
]


def test_a_meeting_with_a_corrected_date_is_the_same_meeting() -> None:
    index = MeetingIndex.of(MEETINGS)
    chosen = decide(index.candidates("ANSO workshop on climate change", date(2021, 3, 4)))
    assert chosen is not None and chosen.record.id == 1
    assert chosen.reason == "same title in 2021, dated 02 Mar 2021 in the register"
    assert index.candidates("ANSO Workshop on Climate Change", date(2022, 3, 2)) == []


def test_a_meeting_on_the_same_dates_with_a_very_similar_title_is_the_same() -> None:
    index = MeetingIndex.of(MEETINGS)
    chosen = decide(
        index.candidates(
            "ANSO Training Course in Remote Sensing", date(2021, 9, 1), date(2021, 9, 10)
        )
    )
    assert chosen is not None and chosen.record.id == 3
    assert chosen.reason.startswith("same dates and a very similar title")


def test_another_edition_of_a_meeting_is_not_the_same() -> None:
    index = MeetingIndex.of(MEETINGS)
    assert index.candidates("The 6th ANSO Forum on Water", date(2021, 6, 1), date(2021, 6, 2)) == []


def test_meeting_duplicates() -> None:
    index = MeetingIndex.of(
        [*MEETINGS, (4, "ANSO Workshop on Climate Change", date(2021, 3, 3), None)]
    )
    pairs = meeting_duplicates(index)
    assert [(p.first.id, p.second.id) for p in pairs] == [(1, 4)]


def test_a_slip_in_a_common_word_is_still_offered() -> None:
    index = OrganizationIndex.of(REGISTER)
    candidates = index.candidates("Cuban Acadamy of Sciences")
    assert candidates and candidates[0].record.id == 10 and not candidates[0].strong
