"""Importing spellings of records already there: the annual report's own wording of its members
matches them (reported with a reason, kept as aliases), look-alikes are never merged, unsure rows
refuse the file until a person decides, and a corrected date moves the meeting it corrects."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from anso_desktop.cli import main
from anso_desktop.domain import MeetingKind
from anso_desktop.errors import UserError
from anso_desktop.services import Services
from anso_desktop.services.demo import load_demo
from anso_desktop.services.meetings import MeetingData
from anso_desktop.services.organizations import ContactData, OrganizationData
from anso_desktop.spreadsheets import ImportOptions, import_file
from anso_desktop.storage.models import Meeting, Organization, OrganizationAlias
from tests.spreadsheets.conftest import make_workbook, read_workbook, row_counts

REPORT_SPELLINGS = [
    ["Name", "Acronym", "Country"],
    ["The Instituto de Astrofísica de Canarias (IAC)", None, "Spain"],
    ["The University of Belgrade", None, None],
    ["Universiti Tunku Abdul Rahman (UTAR)", None, None],
    ["Xinjiang Institute of Ecology and Geography, CAS", "XIEG", None],
]
LOOK_ALIKES = [
    ["Name", "Country"],
    ["Chinese Academy of Engineering", "China"],
    ["Pakistan Academy of Medical Sciences", "Pakistan"],
]


@pytest.fixture
def demo(services: Services) -> Services:
    load_demo(services)
    return services


def organizations(services: Services) -> int:
    with services.database.transaction() as session:
        return session.scalar(select(func.count()).select_from(Organization)) or 0


def where(services: Services) -> str:
    """The database as the command line's --db names it."""
    return services.database.location.url.render_as_string(hide_password=False)


def run_json(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, dict]:
    code = main([*arguments, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_the_reports_spellings_add_no_organization(
    demo: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = organizations(demo)
    file = make_workbook(tmp_path / "members.xlsx", {"Members": REPORT_SPELLINGS})
    location = where(demo)
    code, report = run_json(capsys, "import", str(file), "--db", location)
    assert code == 0, report
    assert report["inserted"] == 0 and report["undecided"] == [] and report["errors"] == []
    assert organizations(demo) == before
    reasons = {row["row"]: (row["record"]["name"], row["reason"]) for row in report["matched"]}
    assert reasons == {
        2: ("Instituto de Astrofísica de Canarias", "same name without 'The' and '(IAC)'"),
        3: ("University of Belgrade", "same name without 'The'"),
        4: ("Universiti Tunku Abdul Rahman", "same name without '(UTAR)'"),
        5: (
            "Xinjiang Institute of Ecology and Geography of the Chinese Academy of Sciences",
            "same name without ', CAS' and 'of the Chinese Academy of Sciences'",
        ),
    }
    assert all(set(row) == {"sheet", "row", "record", "reason"} for row in report["matched"])
    belgrade = demo.organizations.find_by_name("University of Belgrade")
    assert belgrade is not None
    assert demo.organizations.aliases(belgrade.id) == ["The University of Belgrade"]
    assert demo.organizations.get(belgrade.id).name == "University of Belgrade"  # not renamed
    # The next import of the same spelling finds it through the alias, and changes nothing.
    code, again = run_json(capsys, "import", str(file), "--db", location)
    assert code == 0 and again["unchanged"] == 4 and again["inserted"] == 0
    assert {row["reason"] for row in again["matched"]} == {
        f"known alias '{spelling[0]}'" for spelling in REPORT_SPELLINGS[1:]
    }
    # Aliases are searchable.
    from anso_desktop.services.base import ListQuery

    found = demo.organizations.list(ListQuery(search="the university of belgrade")).rows
    assert [organization.id for organization in found] == [belgrade.id]


def test_a_blank_cell_of_a_matched_row_erases_nothing(demo: Services, tmp_path: Path) -> None:
    file = make_workbook(tmp_path / "members.xlsx", {"Members": REPORT_SPELLINGS})
    import_file(demo, file, ImportOptions(table="members"))
    canarias = demo.organizations.find_by_name("Instituto de Astrofísica de Canarias")
    assert canarias is not None and canarias.acronym == "IAC" and canarias.country == "ES"


def test_look_alikes_are_never_merged(demo: Services, tmp_path: Path) -> None:
    before = organizations(demo)
    file = make_workbook(tmp_path / "lookalikes.xlsx", {"Members": LOOK_ALIKES})
    report = import_file(demo, file, ImportOptions(table="members"))
    assert report.matched == []
    if report.undecided:  # left to a person: nothing written
        assert not report.written and organizations(demo) == before
    else:
        assert report.written and report.inserted == 2 and organizations(demo) == before + 2
    cas = demo.organizations.find_by_name("Chinese Academy of Sciences")
    pas = demo.organizations.find_by_name("Pakistan Academy of Sciences")
    assert cas is not None and pas is not None
    assert cas.name == "Chinese Academy of Sciences" and pas.name == "Pakistan Academy of Sciences"
    assert demo.organizations.aliases(cas.id) == demo.organizations.aliases(pas.id) == []


def test_an_unsure_row_refuses_the_file_until_a_person_decides(
    demo: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = row_counts(demo.database)
    file = make_workbook(
        tmp_path / "unsure.xlsx",
        {
            "Members": [
                ["Name", "Country"],
                ["Cuban Academy of Science", "Cuba"],
                ["Brand New Lab", None],
            ]
        },
    )
    location = where(demo)
    code, report = run_json(capsys, "import", str(file), "--db", location)
    assert code == 1
    assert row_counts(demo.database) == before
    assert report["written"] is False and report["inserted"] == 1
    [undecided] = report["undecided"]
    assert undecided["row"] == 2 and undecided["sheet"] == "Members"
    cuba = demo.organizations.find_by_name("Cuban Academy of Sciences")
    assert cuba is not None
    [candidate] = undecided["candidates"]
    assert candidate["record"] == {"id": cuba.id, "name": "Cuban Academy of Sciences"}
    assert candidate["score"] >= 85 and "similar name" in candidate["reason"]
    # The plain report says how to decide.
    assert main(["import", str(file), "--db", location]) == 1
    printed = capsys.readouterr().out
    assert "Undecided: Members, row 2" in printed and "--match ROW=ID" in printed

    # "This row is that record": matched by hand, no new Cuban academy.
    code, chosen = run_json(
        capsys, "import", str(file), "--db", location, "--match", f"2={cuba.id}"
    )
    assert code == 0 and chosen["inserted"] == 1 and chosen["undecided"] == []
    assert chosen["matched"][0]["reason"] == "chosen by hand"
    assert demo.organizations.aliases(cuba.id) == ["Cuban Academy of Science"]
    assert organizations(demo) == before["organizations"] + 1


def test_new_if_unsure_takes_unsure_rows_as_new(
    demo: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = organizations(demo)
    file = make_workbook(
        tmp_path / "unsure.xlsx", {"Members": [["Name"], ["Cuban Academy of Science"]]}
    )
    code, report = run_json(capsys, "import", str(file), "--db", where(demo), "--new-if-unsure")
    assert code == 0 and report["inserted"] == 1 and report["undecided"] == []
    assert organizations(demo) == before + 1


def test_a_match_to_a_missing_record_is_refused(
    demo: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = make_workbook(tmp_path / "m.xlsx", {"Members": [["Name"], ["Cuban Academy of Science"]]})
    code, report = run_json(capsys, "import", str(file), "--db", where(demo), "--match", "2=99999")
    assert code == 1 and report["errors"][0]["row"] == 2
    assert "#99999" in report["errors"][0]["message"]
    assert main(["import", str(file), "--db", where(demo), "--match", "x"]) == 2


def test_two_rows_that_are_one_record_are_refused(demo: Services, tmp_path: Path) -> None:
    file = make_workbook(
        tmp_path / "twice.xlsx",
        {"Members": [["Name"], ["University of Belgrade"], ["The University of Belgrade"]]},
    )
    report = import_file(demo, file, ImportOptions(table="members"))
    assert not report.written
    assert [(issue.row, issue.message) for issue in report.errors] == [
        (
            3,
            "is the same member organization as row 2 "
            "('University of Belgrade': same name without 'The')",
        )
    ]


def test_a_corrected_date_moves_the_meeting_it_corrects(demo: Services, tmp_path: Path) -> None:
    with demo.database.transaction() as session:
        meetings = session.execute(
            select(Meeting.title, Meeting.start_date, Meeting.end_date)
            .where(Meeting.start_date >= date(2021, 1, 1))
            .order_by(Meeting.start_date, Meeting.title)
        ).all()
    rows = [["Title", "Start date", "End date"]] + [list(m) for m in meetings]
    title, start, end = rows[5]
    corrected = date(start.year, start.month, min(start.day + 1, 28))
    rows[5] = [title, corrected, max(end, corrected)]
    file = make_workbook(tmp_path / "meetings.xlsx", {"Meetings": rows})
    count = len(meetings)
    report = import_file(demo, file, ImportOptions(table="meetings"))
    assert report.written, report.errors
    assert (report.inserted, report.updated) == (0, 1)
    assert [m.row for m in report.matched] == [6]
    assert report.matched[0].reason.startswith("same title in 2021")
    with demo.database.transaction() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(Meeting)
                .where(Meeting.start_date >= date(2021, 1, 1))
            )
            == count
        )
        moved = session.scalars(select(Meeting).where(Meeting.title == title)).one()
        assert moved.start_date == corrected


def test_a_contact_is_matched_by_email(demo: Services, tmp_path: Path) -> None:
    cuba = demo.organizations.find_by_name("Cuban Academy of Sciences")
    assert cuba is not None
    contact = demo.organizations.add_contact(
        ContactData(cuba.id, "Luis Montoro", email="l.montoro@example.cu")
    )
    file = make_workbook(
        tmp_path / "contacts.xlsx",
        {
            "Contacts": [
                ["Organization", "Name", "E-mail", "Phone"],
                [
                    "The Cuban Academy of Sciences",
                    "Dr. L. Montoro",
                    "L.Montoro@example.cu",
                    "+53 1",
                ],
            ]
        },
    )
    report = import_file(demo, file, ImportOptions(table="contacts"))
    assert report.written, (report.errors, report.undecided)
    assert (report.inserted, report.updated) == (0, 1)
    assert report.matched[0].record.id == contact.id
    assert demo.organizations.contacts(cuba.id)[0].phone == "+53 1"


def test_aliases_are_exported_on_their_own_sheet_and_import_back(
    demo: Services, tmp_path: Path
) -> None:
    file = make_workbook(tmp_path / "members.xlsx", {"Members": REPORT_SPELLINGS})
    import_file(demo, file, ImportOptions(table="members"))
    from anso_desktop.spreadsheets import export_workbook

    exported = export_workbook(demo, tmp_path / "all.xlsx").path
    sheet = read_workbook(exported)["Aliases"]
    assert sheet[0] == ["Record", "Alias"]
    assert ["University of Belgrade", "The University of Belgrade"] in sheet
    assert len(sheet) == 5
    with demo.database.transaction() as session:
        for alias in session.scalars(select(OrganizationAlias)):
            session.delete(alias)
    report = import_file(demo, exported, ImportOptions(table="aliases"))
    assert report.written and report.inserted == 4
    again = import_file(demo, exported)
    assert again.inserted == again.updated == 0, again.errors


def test_everyday_meeting_sheet(demo: Services, tmp_path: Path) -> None:
    file = make_workbook(
        tmp_path / "partner.xlsx",
        {
            "Events": [
                [
                    "Event",
                    "Date(s)",
                    "Online/Offline",
                    "Venue",
                    "Host(s)",
                    "Co-organizer(s)",
                    "No. of participants",
                ],
                [
                    "The 3rd ANSO General Assembly",
                    "Apr 7-9, 2022",
                    "Offline",
                    "Beijing",
                    "ANSO Secretariat",
                    "CAS",
                    120,
                ],
                [
                    "Workshop on Desert Ecology",
                    "2022/3/15",
                    "Online",
                    None,
                    "XIEG, CAS",
                    None,
                    None,
                ],
                ["Forum on Soil", "March 2022", "Online", None, None, None, None],
            ]
        },
    )
    report = import_file(demo, file, ImportOptions(table="meetings"))
    assert report.written, report.errors
    assert any("names a month only" in warning for warning in report.warnings)
    with demo.database.transaction() as session:
        assembly = session.scalars(
            select(Meeting).where(Meeting.title == "The 3rd ANSO General Assembly")
        ).one()
        assert assembly.kind is MeetingKind.GENERAL_ASSEMBLY
        assert (assembly.start_date, assembly.end_date) == (date(2022, 4, 7), date(2022, 4, 9))
        assert assembly.participants_count == 120 and assembly.location == "Beijing"
        assert [o.name for o in assembly.organizers] == ["ANSO Secretariat", "CAS"]
        assert assembly.organizers[1].organization_id is not None
        workshop = session.scalars(
            select(Meeting).where(Meeting.title == "Workshop on Desert Ecology")
        ).one()
        assert workshop.kind is MeetingKind.WORKSHOP and workshop.start_date == date(2022, 3, 15)
        xieg = workshop.organizers[0].organization
        assert xieg is not None and xieg.acronym == "XIEG"
        soil = session.scalars(select(Meeting).where(Meeting.title == "Forum on Soil")).one()
        assert (soil.start_date, soil.end_date) == (date(2022, 3, 1), date(2022, 3, 31))


def test_errors_name_the_sheets_own_header(demo: Services, tmp_path: Path) -> None:
    file = make_workbook(
        tmp_path / "bad.xlsx", {"Meetings": [["Event(s)", "Date(s)"], ["A workshop", "32.13"]]}
    )
    report = import_file(demo, file, ImportOptions(table="meetings", year=2021))
    assert [issue.column for issue in report.errors] == ["Date(s) [Start date]"]


def test_an_applicant_without_a_date_keeps_it_blank(demo: Services, tmp_path: Path) -> None:
    file = make_workbook(
        tmp_path / "applicants.xlsx",
        {"Members": [["Name", "Status"], ["Academy of Sciences of Nowhere", "Applicant"]]},
    )
    assert import_file(demo, file, ImportOptions(table="members")).written
    found = demo.organizations.find_by_name("Academy of Sciences of Nowhere")
    assert found is not None and found.applied_on is None


def test_backup_only_for_an_import_that_writes(sqlite_services: Services, tmp_path: Path) -> None:
    services = sqlite_services
    services.organizations.create(OrganizationData(name="Cuban Academy of Sciences"))
    file = make_workbook(
        tmp_path / "m.xlsx", {"Members": [["Name"], ["Cuban Academy of Sciences"]]}
    )
    unchanged = import_file(services, file, ImportOptions(table="members"))
    assert unchanged.written and unchanged.backup is None
    bad = make_workbook(
        tmp_path / "bad.xlsx", {"Members": [["Name", "Country"], ["X", "Atlantis"]]}
    )
    assert import_file(services, bad, ImportOptions(table="members")).backup is None
    new = make_workbook(tmp_path / "new.xlsx", {"Members": [["Name"], ["Brand New Lab"]]})
    written = import_file(services, new, ImportOptions(table="members"))
    assert written.backup is not None and written.backup.exists()
    from anso_desktop.storage.database import Database

    copy = Database.open(str(written.backup))
    try:
        names = Services.over(copy).organizations.names_for_suggestions()
    finally:
        copy.dispose()
    assert names == ["Cuban Academy of Sciences"]  # the database as it was before the import


def test_meetings_form_matching_does_not_touch_other_years(demo: Services) -> None:
    demo.meetings.create(MeetingData(title="ANSO Annual Forum", start_date=date(2022, 5, 1)))
    assert demo.meetings.likely_matches("ANSO Annual Forum", date(2023, 5, 1)) == []


def test_a_file_never_brings_one_new_record_twice(demo: Services, tmp_path: Path) -> None:
    before = organizations(demo)
    file = make_workbook(
        tmp_path / "zagreb.xlsx",
        {
            "Members": [
                ["Name"],
                ["University of Zagreb"],
                ["The University of Zagreb"],
                ["University of Zagreb (UNIZG)"],
            ]
        },
    )
    report = import_file(demo, file, ImportOptions(table="members"))
    assert not report.written and organizations(demo) == before
    assert [issue.row for issue in report.errors] == [3, 4]
    assert report.errors[0].message.startswith("repeats row 2 ('University of Zagreb'")
    meetings = make_workbook(
        tmp_path / "forum.xlsx",
        {
            "Meetings": [
                ["Title", "Start date"],
                ["Desert forum 2022", date(2022, 6, 1)],
                ["The Desert Forum 2022", date(2022, 6, 1)],
            ]
        },
    )
    report = import_file(demo, meetings, ImportOptions(table="meetings"))
    assert not report.written and [issue.row for issue in report.errors] == [3]


def test_a_series_keeps_its_meetings_apart(demo: Services, tmp_path: Path) -> None:
    demo.meetings.create(MeetingData(title="Monthly seminar", start_date=date(2023, 1, 10)))
    file = make_workbook(
        tmp_path / "series.xlsx",
        {
            "Meetings": [
                ["Title", "Start date"],
                ["Monthly seminar", date(2023, 1, 10)],
                ["Monthly seminar", date(2023, 2, 14)],
                ["Monthly seminar", date(2023, 3, 14)],
            ]
        },
    )
    report = import_file(demo, file, ImportOptions(table="meetings"))
    assert report.written, (report.errors, report.undecided)
    assert (report.inserted, report.unchanged) == (2, 1)
    alone = make_workbook(
        tmp_path / "feb.xlsx",
        {"Meetings": [["Title", "Start date"], ["Monthly seminar", date(2023, 4, 11)]]},
    )
    unsure = import_file(demo, alone, ImportOptions(table="meetings"))
    assert not unsure.written and len(unsure.undecided) == 1  # months apart: a person decides


def test_a_corrected_date_with_one_date_column_keeps_the_meetings_length(
    demo: Services, tmp_path: Path
) -> None:
    demo.meetings.create(
        MeetingData(title="Desert Forum", start_date=date(2023, 6, 17), end_date=date(2023, 6, 19))
    )
    file = make_workbook(
        tmp_path / "moved.xlsx",
        {"Meetings": [["Title", "Date"], ["Desert Forum", date(2023, 6, 18)]]},
    )
    report = import_file(demo, file, ImportOptions(table="meetings"))
    assert report.written and report.updated == 1, report.errors
    with demo.database.transaction() as session:
        moved = session.scalars(select(Meeting).where(Meeting.title == "Desert Forum")).one()
        assert (moved.start_date, moved.end_date) == (date(2023, 6, 18), date(2023, 6, 20))


def test_an_acronym_alone_does_not_make_a_branch_the_parent(demo: Services, tmp_path: Path) -> None:
    file = make_workbook(
        tmp_path / "branch.xlsx",
        {
            "Members": [
                ["Name", "Acronym", "Country"],
                ["Chinese Academy of Sciences Beijing Branch", "CAS", "China"],
                ["Institute of Physics, Brazil", None, None],
            ]
        },
    )
    report = import_file(demo, file, ImportOptions(table="members"))
    assert report.matched == []


def test_an_email_alone_is_not_a_sure_contact_match(demo: Services, tmp_path: Path) -> None:
    belgrade = demo.organizations.find_by_name("University of Belgrade")
    assert belgrade is not None
    demo.organizations.add_contact(ContactData(belgrade.id, "John Smith", email="info@bg.ac.rs"))
    file = make_workbook(
        tmp_path / "contacts.xlsx",
        {
            "Contacts": [
                ["Organization", "Name", "Email"],
                ["Cuban Academy of Sciences", "Li Wei", "INFO@bg.ac.rs"],
            ]
        },
    )
    report = import_file(demo, file, ImportOptions(table="contacts"))
    assert not report.written and len(report.undecided) == 1
    assert [c.name for c in demo.organizations.contacts(belgrade.id)] == ["John Smith"]


def test_match_needs_the_sheet_when_there_are_several(demo: Services, tmp_path: Path) -> None:
    file = make_workbook(
        tmp_path / "two.xlsx",
        {
            "Members": [["Name"], ["Brand New Lab"]],
            "Meetings": [["Title", "Start date"], ["X", date(2023, 1, 1)]],
        },
    )
    with pytest.raises(UserError, match="several sheets"):
        import_file(demo, file, ImportOptions(matches={(None, 2): 1}))
    with pytest.raises(UserError, match="no sheet 'Foo'"):
        import_file(demo, file, ImportOptions(matches={("Foo", 2): 1}))
    report = import_file(demo, file, ImportOptions(dry_run=True, matches={("Members", 9): 1}))
    assert any("--match Members:9" in warning for warning in report.warnings)
