"""Every change on record: each kind of write leaves its history, field by field, in its own
transaction; an undo puts back exactly what a change set did, or refuses; records keep a UUID."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from anso_desktop.domain import MemberStatus, Relation
from anso_desktop.services import Services
from anso_desktop.services.meetings import MeetingData, OrganizerData
from anso_desktop.services.organizations import OrganizationData
from anso_desktop.services.undo import UndoRefused
from anso_desktop.spreadsheets import ImportOptions, import_file
from anso_desktop.storage import history
from anso_desktop.storage.database import Database
from anso_desktop.storage.history import HISTORY_TABLES
from anso_desktop.storage.models import Base, Organization
from tests.spreadsheets.conftest import load_full_demo, make_workbook


def register_dump(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every register table (versions aside: an undo moves them on)."""
    dump: dict[str, list[tuple[Any, ...]]] = {}
    with database.connection() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name in HISTORY_TABLES:
                continue
            columns = [c for c in table.c if c.name != "version"]
            rows = connection.execute(select(*columns).order_by(*table.primary_key.columns))
            dump[table.name] = [tuple(row) for row in rows]
    return dump


def test_each_kind_of_change_is_on_record_field_by_field(services: Services) -> None:
    history.set_person("Ms Secretary")
    try:
        with history.recorded_as("Edit member"):
            created = services.organizations.create(
                OrganizationData(name="Cuban Academy of Sciences", country="CU")
            )
            services.organizations.update(
                created.id,
                created.version,
                OrganizationData(name="Cuban Academy of Sciences", country="CU", acronym="ACC"),
            )
            services.organizations.delete(created.id)
    finally:
        history.set_person(None)
    sets = services.history.record_history("members", created.id)
    assert [s.changes[0].action for s in sets] == ["delete", "update", "insert"]
    assert {s.who for s in sets} == {"Ms Secretary"}
    assert {s.source for s in sets} == {"Edit member"}
    deleted, updated, inserted = (s.changes[0] for s in sets)
    assert updated.fields == {"acronym": (None, "ACC")}
    assert inserted.fields["name"] == (None, "Cuban Academy of Sciences")
    assert deleted.fields["acronym"] == ("ACC", None)
    assert sets[0].to_dict()["changes"][0] == {
        "table": "members",
        "record": created.id,
        "action": "delete",
        "fields": {k: list(v) for k, v in deleted.fields.items()},
    }


def test_a_meeting_s_organizers_are_part_of_its_history(services: Services) -> None:
    meeting = services.meetings.create(
        MeetingData(
            title="ANSO Forum",
            start_date=date(2021, 11, 9),
            organizers=(OrganizerData("ANSO Secretariat"),),
        )
    )
    data = MeetingData.from_record(meeting)
    services.meetings.update(
        meeting.id,
        meeting.version,
        MeetingData(**{**data.__dict__, "organizers": (*data.organizers, OrganizerData("CAS"))}),
    )
    newest = services.history.record_history("meetings", meeting.id)[0]
    added = [c for c in newest.changes if c.table == "meeting-organizers" and c.action == "insert"]
    assert [c.fields["name"][1] for c in added][-1] == "CAS"
    assert {c.part_of for c in added} == {("meetings", meeting.id)}


def test_a_rolled_back_change_leaves_no_history(services: Services) -> None:
    with pytest.raises(RuntimeError), services.database.transaction():
        services.organizations.create(OrganizationData(name="Never saved"))
        raise RuntimeError("the user cancelled")
    assert services.history.change_sets() == []
    # A savepoint rolled back takes its change set with it; the next write opens another.
    with services.database.transaction() as session:
        with pytest.raises(RuntimeError), session.begin_nested():
            services.organizations.create(OrganizationData(name="Refused row"))
            raise RuntimeError("row refused")
        services.organizations.create(OrganizationData(name="Kept row"))
    (only,) = services.history.change_sets()
    assert [c.fields["name"][1] for c in only.changes] == ["Kept row"]


def test_records_carry_distinct_uuids(services: Services) -> None:
    first = services.organizations.create(OrganizationData(name="One"))
    second = services.organizations.create(OrganizationData(name="Two"))
    assert first.uuid and second.uuid and first.uuid != second.uuid


def _members_file(path: Path) -> Path:
    return make_workbook(
        path,
        {
            "Members": [
                ["Name", "Acronym", "Country", "Status", "Website"],
                ["Cuban Academy of Sciences", "ACC", "Cuba", "Endorsed by GB", "https://aci.cu"],
                ["Kenya National Academy of Sciences", "KNAS", "Kenya", "Applicant", None],
                ["Ghana Academy of Arts and Sciences", "GAAS", "Ghana", "Applicant", None],
            ]
        },
    )


def test_undoing_an_import_gives_back_exactly_the_register_before(
    services: Services, tmp_path: Path
) -> None:
    load_full_demo(services)
    before = register_dump(services.database)
    with history.recorded_as("import members.xlsx"):
        report = import_file(services, _members_file(tmp_path / "members.xlsx"), ImportOptions())
    assert report.written
    imported = services.history.change_sets(with_rows=False)[0]
    assert imported.source == "import members.xlsx"
    assert register_dump(services.database) != before

    rehearsal = services.undo.undo(imported.id, dry_run=True)
    assert rehearsal.counts[("members", "removed")] == 2
    assert register_dump(services.database) != before  # a dry run writes nothing

    result = services.undo.undo(imported.id)
    assert register_dump(services.database) == before
    undo_set = services.history.change_set(result.undo_change_set_id)
    assert undo_set.undoes == imported.id and undo_set.source == f"undo #{imported.id}"
    assert services.history.change_set(imported.id).undone_by == undo_set.id
    with pytest.raises(UndoRefused, match="undone already"):
        services.undo.undo(imported.id)


def test_undo_is_refused_when_a_record_changed_since(services: Services, tmp_path: Path) -> None:
    load_full_demo(services)
    import_file(services, _members_file(tmp_path / "members.xlsx"), ImportOptions())
    imported = services.history.change_sets(with_rows=False)[0]
    kenya = services.organizations.find_by_name("Kenya National Academy of Sciences")
    assert kenya is not None
    history.set_person("Colleague")
    try:
        services.organizations.update(
            kenya.id,
            kenya.version,
            OrganizationData.from_record(kenya).__class__(
                **{**OrganizationData.from_record(kenya).__dict__, "acronym": "KeNAS"}
            ),
        )
    finally:
        history.set_person(None)
    after_edit = register_dump(services.database)
    with pytest.raises(UndoRefused) as refused:
        services.undo.undo(imported.id)
    assert "Kenya National Academy of Sciences" in refused.value.message
    assert "Colleague" in refused.value.message
    assert register_dump(services.database) == after_edit


def test_undoing_a_delete_restores_the_row_with_its_links(services: Services) -> None:
    load_full_demo(services)
    before = register_dump(services.database)
    meeting = next(m for m in services.meetings.list().rows if m.organizers)
    services.meetings.delete(meeting.id)
    deleted = services.history.change_sets(with_rows=False)[0]
    assert ("meeting-organizers", "delete") in deleted.counts  # the cascade is on record too
    services.undo.undo(deleted.id)
    assert register_dump(services.database) == before
    # ...and undoing the undo deletes it again (redo).
    undo_set = services.history.change_sets(with_rows=False)[0]
    services.undo.undo(undo_set.id)
    assert meeting.id not in {m.id for m in services.meetings.list().rows}


def test_a_merge_is_one_change_set_and_can_be_undone(services: Services) -> None:
    keep = services.organizations.create(
        OrganizationData(name="Xinjiang Institute of Ecology and Geography", country="CN")
    )
    other = services.organizations.create(
        OrganizationData(name="XIEG, CAS", acronym="XIEG", country="CN")
    )
    before = register_dump(services.database)
    with history.recorded_as("merge"):
        services.merges.merge("members", keep.id, other.id, take_from_other=["acronym"])
    merged = services.history.change_sets(with_rows=False)[0]
    assert merged.source == "merge"
    assert ("members", "delete") in merged.counts and ("members", "update") in merged.counts
    services.undo.undo(merged.id)
    assert register_dump(services.database) == before


def test_writes_from_outside_the_program_are_refused_on_sqlite(tmp_path: Path) -> None:
    import sqlite3

    from anso_desktop.app import open_services

    services = open_services(str(tmp_path / "anso.sqlite"))
    services.organizations.create(OrganizationData(name="One"))
    services.database.dispose()
    connection = sqlite3.connect(tmp_path / "anso.sqlite")
    with pytest.raises(sqlite3.OperationalError, match="no such function"):
        connection.execute("UPDATE organizations SET name = 'Changed behind its back'")
    connection.close()


def _at(services: Services, change_set_id: int, when: str) -> None:
    """Date a change set in the past (the test's stand-in for time passing)."""
    with services.database.connection() as connection:
        connection.execute(
            text("UPDATE change_sets SET at = :at WHERE id = :id"),
            {"at": when, "id": change_set_id},
        )


def _latest_id(services: Services) -> int:
    return services.history.change_sets(with_rows=False)[0].id


def test_the_register_as_at_a_day_from_the_history(services: Services) -> None:
    from anso_desktop.services.register_as_at import register_as_at

    alpha = services.organizations.create(
        OrganizationData(
            name="Alpha Academy",
            country="KE",
            relation=Relation.MEMBER,
            status=MemberStatus.APPLICANT,
            applied_on=date(2021, 1, 5),
        )
    )
    _at(services, _latest_id(services), "2021-01-05 09:00:00")
    gamma = services.organizations.create(OrganizationData(name="Gamma Institute", country="GH"))
    _at(services, _latest_id(services), "2021-01-06 09:00:00")
    renamed = services.organizations.update(
        alpha.id,
        alpha.version,
        OrganizationData(
            **{
                **OrganizationData.from_record(alpha).__dict__,
                "name": "Alpha Academy of Sciences",
                "status": MemberStatus.ENDORSED,
                "endorsed_on": date(2021, 10, 9),
            }
        ),
    )
    _at(services, _latest_id(services), "2021-10-09 15:00:00")
    services.organizations.delete(gamma.id)
    _at(services, _latest_id(services), "2022-03-01 10:00:00")
    services.organizations.create(OrganizationData(name="Beta University", country="NG"))
    _at(services, _latest_id(services), "2022-02-01 10:00:00")
    # One entered before the history began: its lifecycle dates tell its day.
    with services.database.connection() as connection, history.suspended(connection):
        connection.execute(
            text(
                "INSERT INTO organizations (name, normalized_name, kind, relation, status, "
                "applied_on, approved_on, version, search_text) VALUES ('Old Member', "
                "'old member', 'academy', 'member', 'approved', '2020-05-01', '2022-06-01', 1, '')"
            )
        )

    def names_and_statuses(day: date) -> dict[str, Any]:
        return {r.name: r.status for r in register_as_at(services.database, day).records}

    assert names_and_statuses(date(2021, 3, 1)) == {
        "Alpha Academy": MemberStatus.APPLICANT,
        "Gamma Institute": None,
        "Old Member": MemberStatus.APPLICANT,
    }
    october = register_as_at(services.database, date(2021, 10, 9))
    assert {r.name: r.status for r in october.records} == {
        "Alpha Academy of Sciences": MemberStatus.ENDORSED,
        "Gamma Institute": None,
        "Old Member": MemberStatus.APPLICANT,
    }
    assert october.taken_as_now == 1 and "1 organization is shown" in (october.note() or "")
    assert names_and_statuses(date(2022, 12, 31)) == {
        "Alpha Academy of Sciences": MemberStatus.ENDORSED,
        "Beta University": None,
        "Old Member": MemberStatus.APPROVED,
    }
    assert renamed.name == "Alpha Academy of Sciences"
    assert register_as_at(services.database, date(2020, 1, 1)).records == []
    # The same rows as the printed list shows them, with its header.
    from anso_desktop.reports import documents

    printed = documents.build_list(
        services, documents.PrintRequest(table="members", as_at=date(2021, 10, 9))
    )
    assert printed.title == "Member organizations as at 9 October 2021"
    assert printed.record_count == 3


def test_history_filters_by_person_table_and_day(services: Services) -> None:
    history.set_person("Alice")
    try:
        services.organizations.create(OrganizationData(name="By Alice"))
    finally:
        history.set_person(None)
    _at(services, _latest_id(services), "2021-05-01 10:00:00")
    services.meetings.create(MeetingData(title="By someone else", start_date=date(2026, 1, 2)))
    from anso_desktop.services.history import HistoryFilter

    assert [s.who for s in services.history.change_sets(HistoryFilter(who="alice"))] == ["Alice"]
    by_table = services.history.change_sets(HistoryFilter(table="meetings"))
    assert [s.changes[0].table for s in by_table] == ["meetings"]
    since = services.history.change_sets(HistoryFilter(since=date(2022, 1, 1)))
    assert [s.changes[0].table for s in since] == ["meetings"]
    assert services.history.latest_change_id() > 0
    changed = services.history.changed_since(0)
    assert set(changed.records) == {"members", "meetings"}
    with services.database.connection() as connection:
        assert isinstance(connection.execute(select(Organization.uuid)).scalar(), str)
