"""The vocabulary of the secretariat: kinds, statuses and modes, each with the label users see.

Values are what the database stores (stable, lower case); labels are what screens, spreadsheets and
printouts show. Both directions are looked up here so that no other module spells a label.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache
from typing import Self


class LabelledEnum(StrEnum):
    """A string enum whose members carry a display label (`label`) besides their stored value."""

    label: str

    def __new__(cls, value: str, label: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def from_text(cls, text: str) -> Self:
        """Accept a stored value or a label, ignoring case, spaces, hyphens and underscores."""
        found = _lookup(cls).get(_fold(text))
        if found is None:
            raise ValueError(f"'{text}' is not one of: {', '.join(m.label for m in cls)}")
        return found  # type: ignore[return-value]

    @classmethod
    def labels(cls) -> list[str]:
        return [member.label for member in cls]


@cache
def _fold(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


@cache
def _lookup(enum_class: type[LabelledEnum]) -> dict[str, LabelledEnum]:
    """Folded value and label -> member, built once per enum (imports read many rows)."""
    table: dict[str, LabelledEnum] = {}
    for member in enum_class:
        table.setdefault(_fold(member.value), member)
        table.setdefault(_fold(member.label), member)
    return table


class OrganizationKind(LabelledEnum):
    ACADEMY = "academy", "Academy"
    UNIVERSITY = "university", "University"
    RESEARCH_INSTITUTE = "research_institute", "Research institute"
    INTERNATIONAL_ORGANIZATION = "international_organization", "International organization"
    GOVERNMENT_BODY = "government_body", "Government body"
    COMPANY = "company", "Company"
    OTHER = "other", "Other"


class Relation(LabelledEnum):
    """How an organization stands to ANSO."""

    MEMBER = "member", "Member"
    PARTNER = "partner", "Partner"
    OTHER = "other", "Other"


class MemberStatus(LabelledEnum):
    APPLICANT = "applicant", "Applicant"
    ENDORSED = "endorsed", "Endorsed by GB"
    APPROVED = "approved", "Approved by GA"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    WITHDRAWN = "withdrawn", "Withdrawn"


# The admission lifecycle: from each status, the statuses a member may move to.
MEMBER_TRANSITIONS: dict[MemberStatus, frozenset[MemberStatus]] = {
    MemberStatus.APPLICANT: frozenset({MemberStatus.ENDORSED, MemberStatus.WITHDRAWN}),
    MemberStatus.ENDORSED: frozenset({MemberStatus.APPROVED, MemberStatus.WITHDRAWN}),
    MemberStatus.APPROVED: frozenset({MemberStatus.ACTIVE, MemberStatus.WITHDRAWN}),
    MemberStatus.ACTIVE: frozenset({MemberStatus.SUSPENDED, MemberStatus.WITHDRAWN}),
    MemberStatus.SUSPENDED: frozenset({MemberStatus.ACTIVE, MemberStatus.WITHDRAWN}),
    MemberStatus.WITHDRAWN: frozenset({MemberStatus.APPLICANT}),
}


class MeetingKind(LabelledEnum):
    WORKSHOP = "workshop", "Workshop"
    CONFERENCE = "conference", "Conference"
    FORUM = "forum", "Forum"
    WEBINAR = "webinar", "Webinar"
    BOARD_MEETING = "board_meeting", "Board meeting"
    GENERAL_ASSEMBLY = "general_assembly", "General Assembly"
    TRAINING = "training", "Training"
    EXHIBITION = "exhibition", "Exhibition"
    CEREMONY = "ceremony", "Ceremony"
    SIGNING = "signing", "Signing"
    OTHER = "other", "Other"

    @classmethod
    def from_title(cls, title: str) -> MeetingKind | None:
        """The kind a title names ("ANSO Workshop on Global Health" -> workshop), so that a new
        meeting need not be classified by hand; None when no word tells.

        The words follow the annual report's own classification (a symposium is a conference,
        an inauguration a ceremony, an MoU a signing, a press conference none of the others).
        The word met first wins ("Forum-workshop for ...", "Forum on ..., The World Flu Day
        Symposium" are forums); words in parentheses count only when the rest names nothing
        ("Workshop on ... (Parallel Session of ... Forum)" stays a workshop).
        """
        words = (  # (?-i:...) is case-sensitive: "GA" and "GB", not "ga" inside a name
            (r"general\s+assembl(?:y|ies)|(?-i:GA)", cls.GENERAL_ASSEMBLY),
            (r"(?:governing|executive)\s+board|board\s+meetings?|(?-i:GB)", cls.BOARD_MEETING),
            (r"press\s+(?:conferences?|briefings?)", cls.OTHER),
            (r"webinars?|(?:web|online)\s+seminars?", cls.WEBINAR),
            (r"workshops?|seminars?", cls.WORKSHOP),
            (r"conferences?|symposi(?:um|ums|a)|congress(?:es)?|summits?", cls.CONFERENCE),
            (r"(?:sub-?)?forums?|fora|round\s*tables?", cls.FORUM),
            (r"training|(?:short|online)\s+courses?|(?:summer|winter)\s+schools?", cls.TRAINING),
            (r"exhibitions?|expos?", cls.EXHIBITION),
            (
                r"ceremon(?:y|ies)|inaugurat(?:ion|ions|ing)|inaugural|launch(?:es|ing)?",
                cls.CEREMONY,
            ),
            (r"mous?|memorand(?:um|a)\s+of\s+understanding|signing", cls.SIGNING),
        )
        outside = title
        while (inner := re.sub(r"\([^()]*\)", " ", outside)) != outside:
            outside = inner
        for text in (outside, title):
            found = [
                (match.start(), kind)
                for pattern, kind in words
                if (match := re.search(rf"\b(?:{pattern})\b", text, re.IGNORECASE))
            ]
            if found:
                return min(found, key=lambda pair: pair[0])[1]
        return None


class MeetingMode(LabelledEnum):
    ONLINE = "online", "Online"
    ONSITE = "onsite", "Onsite"
    HYBRID = "hybrid", "Hybrid"


class DecisionStatus(LabelledEnum):
    PROPOSED = "proposed", "Proposed"
    ADOPTED = "adopted", "Adopted"
    IMPLEMENTED = "implemented", "Implemented"
    DEFERRED = "deferred", "Deferred"
    REJECTED = "rejected", "Rejected"

    @property
    def is_open(self) -> bool:
        """Whether the decision still needs follow-up."""
        return self in (DecisionStatus.PROPOSED, DecisionStatus.ADOPTED, DecisionStatus.DEFERRED)


class FinanceKind(LabelledEnum):
    BUDGET = "budget", "Budget"
    EXPENDITURE = "expenditure", "Expenditure"
    INCOME = "income", "Income"


class BudgetPlanStatus(LabelledEnum):
    """Where a budget plan stands: a draft is still edited, an approved plan is read-only."""

    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
