"""A meeting's kind told by its title, on the 2021 annual report's own titles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from anso_desktop.domain import MeetingKind

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "annual_report_2021.json"


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("The Fourth ANSO Governing Board Meeting Held Online", MeetingKind.BOARD_MEETING),
        ("The Second ANSO General Assembly", MeetingKind.GENERAL_ASSEMBLY),
        ("Host the Second ANSO GA", MeetingKind.GENERAL_ASSEMBLY),
        ("The 5th GB meeting", MeetingKind.BOARD_MEETING),
        ("ANSO Workshop on Global Health", MeetingKind.WORKSHOP),
        (
            "The International Workshop on the Environmental Dimension of Antimicrobial Resistance",
            MeetingKind.WORKSHOP,
        ),
        (
            "ANSO Workshop on Agriculture and Food Security (Parallel Session of The 4th China "
            "(Sanya) International Rice Forum and the Belt and Road Food Security Corridor Forum)",
            MeetingKind.WORKSHOP,
        ),
        ("Taklimakan desert forum", MeetingKind.FORUM),
        (
            "Pujiang innovation forum-workshop for global health and development summit: "
            "vaccines and global health",
            MeetingKind.FORUM,
        ),
        (
            "Research and Innovation Forum on Coronavirus, The World Flu Day 2021 Symposium",
            MeetingKind.FORUM,
        ),
        (
            "Greater-bay Science Forum (GSF)- The Sub-Forum on Sustainable Development of GSF",
            MeetingKind.FORUM,
        ),
        (
            "Second International Training Course on Industrial Synthetic Biotechnology",
            MeetingKind.TRAINING,
        ),
        ("Summer school on remote sensing", MeetingKind.TRAINING),
        ("ANSO online open conference: climate change and its impacts", MeetingKind.CONFERENCE),
        ("2021 annual symposium of the ANSO-MISSPAD project", MeetingKind.CONFERENCE),
        ("The 20th science council of Asia conference", MeetingKind.CONFERENCE),
        (
            "The AASSA-PAS webinar series on pandemic preparedness: science and countermeasures",
            MeetingKind.WEBINAR,
        ),
        ("Online seminar on desert ecology", MeetingKind.WEBINAR),
        ("Seminar on desert ecology", MeetingKind.WORKSHOP),
        ('Exhibition "The Beauty of Life on Earth"', MeetingKind.EXHIBITION),
        ("Inauguration meeting of momentous advisory program", MeetingKind.CEREMONY),
        (
            'The launching ceremony for the international program office (IPO) of the ANSO "Green '
            'Aral Sea Initiative"',
            MeetingKind.CEREMONY,
        ),
        ("MoU with Liaoning provincial people's government", MeetingKind.SIGNING),
        (
            'The press conference of "Distributed Water Purification Station System for Drinking '
            'Water Safety in Rural Regions of Kyrgyzstan"',
            MeetingKind.OTHER,
        ),
    ],
)
def test_the_kind_a_title_names(title: str, kind: MeetingKind) -> None:
    assert MeetingKind.from_title(title) is kind


@pytest.mark.parametrize(
    "title",
    [
        "",
        "WWRP/WCRP S2S project phase II",
        'The "Belt and Road" innovation and development institute network',
        'Meeting on research on the construction of new pattern of "B&R" science cooperation',
        "Visit of the Saga delegation",  # "ga" inside a word is no General Assembly
        "Reforum",  # nor "forum" inside one
    ],
)
def test_no_kind_when_no_word_tells(title: str) -> None:
    assert MeetingKind.from_title(title) is None


def test_words_in_parentheses_count_when_nothing_else_does() -> None:
    assert MeetingKind.from_title("Session VI (Parallel Session of COP15 Forum)") is (
        MeetingKind.FORUM
    )


def test_most_of_the_reports_titles_get_the_reports_kind() -> None:
    """Where the title tells, it tells what the report says, bar the online workshop that the
    report counts as training."""
    meetings = json.loads(DEMO.read_text(encoding="utf-8"))["meetings"]
    told = [(m["title"], MeetingKind.from_title(m["title"]), m["kind"]) for m in meetings]
    wrong = [(title, found) for title, found, kind in told if found is not None and found != kind]
    assert wrong == [
        (
            "The online workshop on the application of CropWatch for agricultural monitoring in "
            "Nigeria",
            MeetingKind.WORKSHOP,
        )
    ]
    assert sum(found is not None for _, found, _ in told) == 33
