"""Finding and merging duplicates: every link of the other record moves to the survivor in one
transaction, its names become aliases, and undo gives back exactly the rows there were."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from anso_desktop.cli import main
from anso_desktop.domain import FinanceKind, MeetingKind, MemberStatus, Relation
from anso_desktop.errors import ConflictError, ValidationError
from anso_desktop.services import Services
from anso_desktop.services.base import ListQuery
from anso_desktop.services.decisions import BoardMeetingData, DecisionData
from anso_desktop.services.finances import FinanceEntryData, FundData
from anso_desktop.services.meetings import MeetingData, OrganizerData
from anso_desktop.services.organizations import ContactData, OrganizationData
from anso_desktop.storage.history import HISTORY_TABLES
from anso_desktop.storage.models import Base, Contact, Organization


def every_row(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every register table (search texts included): what "exactly as before"
    means. The history is not among them: a merge and its undo are both on record."""
    with services.database.transaction() as session:
        return {
            table.name: sorted(map(tuple, session.execute(select(table)).all()), key=repr)
            for table in Base.metadata.sorted_tables
            if table.name not in HISTORY_TABLES
        }


@pytest.fixture
def linked(services: Services) -> dict[str, Any]:
    """Two spellings of one organization, the second with a link of every kind."""
    organizations = services.organizations
    keep = organizations.create(
        OrganizationData(name="University of Belgrade", country="RS", relation=Relation.MEMBER)
    )
    other = organizations.create(
        OrganizationData(
            name="The University of Belgrade",
            acronym="UB",
            relation=Relation.MEMBER,
            applied_on=date(2021, 3, 1),
            email="office@bg.ac.rs",
        )
    )
    organizations.add_contact(ContactData(other.id, "Vladan Djokic", role="Rector"))
    organizations.add_contact(ContactData(keep.id, "Ana Petrovic"))
    assembly = services.meetings.create(
        MeetingData(
            title="ANSO General Assembly",
            start_date=date(2021, 11, 1),
            kind=MeetingKind.GENERAL_ASSEMBLY,
        )
    )
    services.meetings.create(
        MeetingData(
            title="Workshop on Geography",
            start_date=date(2021, 6, 1),
            organizers=(
                OrganizerData("The University of Belgrade", other.id),
                OrganizerData("ANSO"),
            ),
        )
    )
    board = services.board_meetings.create(BoardMeetingData(number=4, date=date(2021, 10, 9)))
    decision = services.decisions.create(
        DecisionData(board_meeting_id=board.id, text="Endorse the applicants")
    )
    shared = services.decisions.create(
        DecisionData(board_meeting_id=board.id, text="Thank the members")
    )
    organizations.change_status([other.id], MemberStatus.ENDORSED, decision_id=decision.id)
    organizations.change_status([other.id], MemberStatus.APPROVED, general_assembly_id=assembly.id)
    services.decisions.update(
        shared.id,
        shared.version,
        DecisionData(board.id, "Thank the members", organization_ids=(keep.id, other.id)),
    )
    fund = services.funds.create(
        FundData(
            name="Belgrade Fund", currency="EUR", initial_capital=Decimal(0), partner_id=other.id
        )
    )
    services.finances.create(
        FinanceEntryData(
            fiscal_year=2021,
            category="Grants",
            kind=FinanceKind.INCOME,
            amount=Decimal("10.00"),
            currency="EUR",
            funding_source="The University of Belgrade",
        )
    )
    return {
        "keep": keep.id,
        "other": other.id,
        "decision": decision.id,
        "fund": fund.id,
        "assembly": assembly.id,
    }


def test_merge_moves_every_link_and_undo_gives_back_every_row(
    services: Services, linked: dict[str, Any]
) -> None:
    before = every_row(services)
    pairs = services.merges.duplicates("members")
    assert [(p.first.id, p.second.id, p.reason) for p in pairs] == [
        (linked["keep"], linked["other"], "same name without 'The'")
    ]
    result = services.merges.merge("members", linked["keep"], linked["other"])
    assert result.moved == {
        "contacts": 1,
        "organizers": 1,
        "funds": 1,
        "decisions": 2,
        "aliases": 1,
        "finance_entries": 1,
    }
    survivor = services.organizations.get(linked["keep"])
    # Blanks of the survivor filled from the other: acronym, e-mail, the whole lifecycle.
    assert (survivor.name, survivor.acronym, survivor.email) == (
        "University of Belgrade",
        "UB",
        "office@bg.ac.rs",
    )
    assert survivor.status is MemberStatus.APPROVED
    assert survivor.endorsement_decision_id == linked["decision"]
    assert survivor.approval_meeting_id == linked["assembly"]
    assert sorted(c.name for c in services.organizations.contacts(survivor.id)) == [
        "Ana Petrovic",
        "Vladan Djokic",
    ]
    assert services.organizations.aliases(survivor.id) == ["The University of Belgrade"]
    assert services.funds.get(linked["fund"]).partner_id == survivor.id
    with services.database.transaction() as session:
        assert session.get(Organization, linked["other"]) is None
        workshop = services.meetings.list().rows
        organizer = [o for m in workshop for o in m.organizers if o.name.startswith("The Univ")]
        assert organizer[0].organization_id == survivor.id
        assert {d.id for d in session.scalars(select(Contact))}  # contacts still there
    decisions = {d.text: [o.id for o in d.organizations] for d in services.decisions.list().rows}
    assert decisions == {
        "Endorse the applicants": [survivor.id],
        "Thank the members": [survivor.id],
    }
    [entry] = services.finances.list().rows
    assert entry.funding_source == "University of Belgrade"
    assert services.merges.duplicates("members") == []

    services.merges.undo(result)
    assert every_row(services) == before


def test_a_dry_run_writes_nothing(services: Services, linked: dict[str, Any]) -> None:
    before = every_row(services)
    result = services.merges.merge("members", linked["keep"], linked["other"], dry_run=True)
    assert result.dry_run and result.moved["contacts"] == 1
    assert result.summary().startswith("Would merge 'The University of Belgrade'")
    assert every_row(services) == before


def test_the_chosen_fields_come_from_the_other(services: Services, linked: dict[str, Any]) -> None:
    result = services.merges.merge(
        "members", linked["keep"], linked["other"], take_from_other=["name"]
    )
    survivor = services.organizations.get(linked["keep"])
    assert survivor.name == "The University of Belgrade" and survivor.country == "RS"
    assert survivor.acronym is None  # not chosen: the survivor's blank stays
    assert services.organizations.aliases(survivor.id) == ["University of Belgrade"]
    assert result.keep.name == "The University of Belgrade"


def test_undo_is_refused_when_the_survivor_changed_since(
    services: Services, linked: dict[str, Any]
) -> None:
    result = services.merges.merge("members", linked["keep"], linked["other"])
    survivor = services.organizations.get(linked["keep"])
    data = OrganizationData.from_record(survivor)
    services.organizations.update(
        survivor.id, survivor.version, data.__class__(**{**data.__dict__, "notes": "edited"})
    )
    after_edit = every_row(services)
    with pytest.raises(ConflictError, match="University of Belgrade"):
        services.merges.undo(result)
    assert every_row(services) == after_edit


def test_two_different_approved_memberships_cannot_be_merged(services: Services) -> None:
    first = services.organizations.create(
        OrganizationData(
            "Academy of Sciences",
            relation=Relation.MEMBER,
            status=MemberStatus.APPROVED,
            approved_on=date(2019, 1, 1),
        )
    )
    second = services.organizations.create(
        OrganizationData(
            "The Academy of Sciences",
            relation=Relation.MEMBER,
            status=MemberStatus.APPROVED,
            approved_on=date(2021, 1, 1),
        )
    )
    before = every_row(services)
    with pytest.raises(ValidationError, match="two different approved memberships"):
        services.merges.merge("members", first.id, second.id)
    assert every_row(services) == before


def test_not_a_duplicate_is_remembered(services: Services) -> None:
    first = services.organizations.create(
        OrganizationData("National Academy of Sciences", country="LK")
    )
    second = services.organizations.create(OrganizationData("The National Academy of Sciences"))
    assert len(services.merges.duplicates("members")) == 1
    services.merges.mark_distinct("members", second.id, first.id)
    assert services.merges.duplicates("members") == []
    services.merges.forget_distinct("members", first.id, second.id)
    assert len(services.merges.duplicates("members")) == 1


def test_meetings_merge_with_their_organizers_and_links(services: Services) -> None:
    keep = services.meetings.create(
        MeetingData(
            title="ANSO Workshop on Water",
            start_date=date(2021, 5, 1),
            organizers=(OrganizerData("ANSO"),),
        )
    )
    other = services.meetings.create(
        MeetingData(
            title="ANSO workshop on water",
            start_date=date(2021, 5, 3),
            location="Beijing",
            participants_count=78,
            organizers=(OrganizerData("ANSO"), OrganizerData("XIEG")),
        )
    )
    board = services.board_meetings.create(BoardMeetingData(number=5, date=date(2021, 5, 3)))
    with services.database.transaction() as session:
        from anso_desktop.storage.models import BoardMeeting

        session.get(BoardMeeting, board.id).meeting_id = other.id  # type: ignore[union-attr]
    before = every_row(services)
    [pair] = services.merges.duplicates("meetings")
    assert (
        pair.reason == "same title in 2021, dated 03 May 2021 in the register"
        or pair.reason.startswith("same title in 2021")
    )
    result = services.merges.merge("meetings", keep.id, other.id)
    merged = services.meetings.get(keep.id)
    assert merged.location == "Beijing" and merged.participants_count == 78
    assert [o.name for o in merged.organizers] == ["ANSO", "XIEG"]
    assert services.board_meetings.get(board.id).meeting_id == keep.id
    assert result.moved["board_meetings"] == 1 and result.moved["organizers"] == 1
    services.merges.undo(result)
    assert every_row(services) == before


def test_duplicates_and_merge_on_the_command_line(
    services: Services, linked: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    where = services.database.location.url.render_as_string(hide_password=False)
    assert main(["duplicates", "members", "--db", where, "--json"]) == 0
    [pair] = json.loads(capsys.readouterr().out)
    assert pair["first"] == {"id": linked["keep"], "name": "University of Belgrade"}
    assert pair["second"] == {"id": linked["other"], "name": "The University of Belgrade"}
    assert pair["reason"] == "same name without 'The'" and pair["score"] == 100
    before = every_row(services)
    assert (
        main(
            [
                "merge",
                "members",
                str(linked["keep"]),
                str(linked["other"]),
                "--db",
                where,
                "--dry-run",
            ]
        )
        == 0
    )
    assert "Would merge" in capsys.readouterr().out
    assert every_row(services) == before
    assert main(["merge", "members", str(linked["keep"]), "999999", "--db", where]) == 1
    assert "#999999 does not exist" in capsys.readouterr().err
    assert main(["merge", "members", str(linked["keep"]), str(linked["other"]), "--db", where]) == 0
    assert "moved 1 contact" in capsys.readouterr().out
    assert main(["duplicates", "members", "--db", where]) == 0
    assert "No likely duplicates" in capsys.readouterr().out


def test_undo_after_merging_a_record_with_aliases(
    services: Services, linked: dict[str, Any]
) -> None:
    """The other's alias is moved (deleted, then written again for the survivor): SQLite may
    hand the new row the old id, and undo must still see nothing changed since."""
    with services.database.transaction() as session:
        assert services.organizations.add_alias(session, linked["other"], "Univerzitet u Beogradu")
    before = every_row(services)
    result = services.merges.merge("members", linked["keep"], linked["other"])
    assert sorted(services.organizations.aliases(linked["keep"])) == [
        "The University of Belgrade",
        "Univerzitet u Beogradu",
    ]
    found = services.organizations.list(ListQuery(search="univerzitet")).rows
    assert [o.id for o in found] == [linked["keep"]]
    services.merges.undo(result)
    assert every_row(services) == before
