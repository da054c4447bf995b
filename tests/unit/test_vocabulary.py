"""Labels, lifecycle table and country names: the words users see must be exactly right."""

from __future__ import annotations

import pytest

from anso_desktop.countries import all_countries, country_code, country_name
from anso_desktop.domain import MEMBER_TRANSITIONS, MeetingKind, MemberStatus
from anso_desktop.storage.models import normalize_name


def test_member_status_labels_are_the_secretariats() -> None:
    assert MemberStatus.labels() == [
        "Applicant",
        "Endorsed by GB",
        "Approved by GA",
        "Active",
        "Suspended",
        "Withdrawn",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Endorsed by GB", MemberStatus.ENDORSED),
        ("endorsed by gb", MemberStatus.ENDORSED),
        ("approved", MemberStatus.APPROVED),
        ("ACTIVE", MemberStatus.ACTIVE),
    ],
)
def test_statuses_are_read_from_value_or_label(text: str, expected: MemberStatus) -> None:
    assert MemberStatus.from_text(text) is expected


def test_an_unknown_label_names_the_choices() -> None:
    with pytest.raises(ValueError, match="Applicant, Endorsed by GB"):
        MemberStatus.from_text("honorary")
    assert MeetingKind.from_text("Board meeting") is MeetingKind.BOARD_MEETING


def test_every_status_can_be_left_and_withdrawn_only_leads_back_to_applying() -> None:
    assert set(MEMBER_TRANSITIONS) == set(MemberStatus)
    assert MEMBER_TRANSITIONS[MemberStatus.WITHDRAWN] == {MemberStatus.APPLICANT}
    assert all(
        MemberStatus.WITHDRAWN in targets
        for status, targets in MEMBER_TRANSITIONS.items()
        if status is not MemberStatus.WITHDRAWN
    )


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Russia", "RU"),
        ("South Korea", "KR"),
        ("Iran", "IR"),
        ("  argentina ", "AR"),
        ("ESP", "ES"),
        ("rs", "RS"),
        ("Kyrgyz Republic", "KG"),
        ("Türkiye", "TR"),
        ("Cote d'Ivoire", "CI"),
        ("P.R. China", "CN"),
    ],
)
def test_countries_accept_the_names_people_type(typed: str, code: str) -> None:
    assert country_code(typed) == code


def test_an_unknown_country_is_named_in_the_message() -> None:
    with pytest.raises(ValueError, match="'Atlantis' is not a country"):
        country_code("Atlantis")


def test_countries_display_by_their_short_name() -> None:
    assert country_name("RU") == "Russia"
    assert country_name("KR") == "South Korea"
    assert country_name("ES") == "Spain"
    assert country_name(None) == ""
    names = [name for _, name in all_countries()]
    assert len(names) > 240
    assert names.index("Argentina") < names.index("Spain")


def test_organization_names_compare_without_case_accents_or_punctuation() -> None:
    assert normalize_name("Instituto de Astrofísica de Canarias") == normalize_name(
        "INSTITUTO DE ASTROFISICA DE CANARIAS"
    )
    assert normalize_name("XIEG, CAS") == normalize_name("xieg cas")
    assert normalize_name("Cuban Academy of Sciences") != normalize_name("Cuban Academy of Science")


def test_ascii_names_normalize_as_the_general_rule_does() -> None:
    """The quick path for ASCII names gives what the Unicode path's rule gives."""
    import re
    import string

    def by_rule(name: str) -> str:
        return " ".join(re.sub(r"[^\w]+", " ", name.lower()).split())

    for name in (
        "XIEG, CAS",
        "  Chinese   Academy of Sciences (CAS) ",
        "R&D_Lab No. 7 -- Kunming/Yunnan",
        "",
        string.punctuation + string.whitespace + string.ascii_letters + string.digits,
    ):
        assert normalize_name(name) == by_rule(name)
