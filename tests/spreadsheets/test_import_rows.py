"""Importing rows: upsert by natural key, every bad row listed (and nothing written), headers
matched however they are spelled, dates in every notation, CSV files, dry runs and cancelling."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from anso_desktop.domain import FinanceKind, MemberStatus
from anso_desktop.services import Services
from anso_desktop.services.decisions import BoardMeetingData, DecisionData
from anso_desktop.spreadsheets import Cancelled, ImportOptions, Outcome, WorkbookError, import_file
from anso_desktop.storage.models import FinanceEntry, Meeting, Organization
from tests.spreadsheets.conftest import make_csv, make_workbook, row_counts

MEMBERS_HEADER = ["Name", "Acronym", "Country", "Status", "Applied", "Email"]
MEMBERS = [
    ["Cuban Academy of Sciences", "ACC", "Cuba", "Applicant", date(2021, 3, 1), None],
    ["Universidad Nacional de San Juan", "UNSJ", "Argentina", "Applicant", date(2021, 3, 2), None],
    ["Universiti Tunku Abdul Rahman", "UTAR", "Malaysia", "Applicant", date(2021, 3, 3), None],
]
MEETINGS_HEADER = ["Title", "Start date", "End date", "Location", "Organizers"]
MEETINGS = [
    ["Taklimakan desert forum", date(2021, 6, 17), date(2021, 6, 17), "Urumqi", "XIEG, CAS"],
    ["ANSO Workshop on Global Health", date(2021, 9, 23), None, None, "University of Belgrade"],
    ["Rural water forum", date(2021, 10, 13), date(2021, 10, 16), "Beijing", "rcees; cas"],
]
FINANCES_HEADER = ["Year", "Category", "Kind", "Amount", "Currency"]
FINANCES = [
    [2021, "Scholarships", "Expenditure", 30000000, "CNY"],
    [2021, "Training", "Expenditure", 4000000.5, "CNY"],
    [2022, "Scholarships", "Budget", 32000000, "CNY"],
]


def members_file(path: Path, rows: list[list[Any]], header: list[str] | None = None) -> Path:
    return make_workbook(path, {"Members": [header or MEMBERS_HEADER, *rows]})


def versions(services: Services, model: Any, key: Any) -> dict[Any, int]:
    with services.database.transaction() as session:
        return {key(record): record.version for record in session.scalars(select(model))}


def import_all(services: Services, tmp_path: Path, name: str, changes: dict[str, Any]) -> dict:
    """Import the three sheets (after `changes`: table -> function(rows)) and return the reports."""
    sheets = {
        "members": (MEMBERS_HEADER, [list(row) for row in MEMBERS]),
        "meetings": (MEETINGS_HEADER, [list(row) for row in MEETINGS]),
        "finances": (FINANCES_HEADER, [list(row) for row in FINANCES]),
    }
    reports = {}
    for table, (header, rows) in sheets.items():
        if table in changes:
            changes[table](rows)
        path = make_workbook(tmp_path / f"{name}-{table}.xlsx", {table.title(): [header, *rows]})
        reports[table] = import_file(services, path, ImportOptions(table=table))
    return reports


# --- upsert ------------------------------------------------------------------------------------


def test_a_changed_cell_updates_only_that_record(services: Services, tmp_path: Path) -> None:
    first = import_all(services, tmp_path, "first", {})
    for report in first.values():
        assert report.errors == []
        assert (report.inserted, report.updated, report.unchanged) == (3, 0, 0)
    members_before = versions(services, Organization, lambda o: o.name)
    meetings_before = versions(services, Meeting, lambda m: m.title)
    finances_before = versions(services, FinanceEntry, lambda f: (f.fiscal_year, f.category))
    counts = row_counts(services.database)

    def move_member(rows: list[list[Any]]) -> None:
        rows[1][2] = "Chile"

    def move_meeting(rows: list[list[Any]]) -> None:
        rows[0][3] = "Kashgar"

    def change_amount(rows: list[list[Any]]) -> None:
        rows[2][3] = 32500000.25

    second = import_all(
        services,
        tmp_path,
        "second",
        {"members": move_member, "meetings": move_meeting, "finances": change_amount},
    )
    for table, report in second.items():
        assert report.errors == [], table
        assert (report.inserted, report.updated, report.unchanged) == (0, 1, 2), table
        assert report.written
    changed = {
        table: [r.row for r in report.rows if r.outcome is Outcome.CHANGED]
        for table, report in second.items()
    }
    assert changed == {"members": [3], "meetings": [2], "finances": [4]}
    assert row_counts(services.database) == counts

    member = services.organizations.find_by_name("Universidad Nacional de San Juan")
    assert member is not None and member.country == "CL"
    assert versions(services, Organization, lambda o: o.name) == {
        **members_before,
        "Universidad Nacional de San Juan": members_before["Universidad Nacional de San Juan"] + 1,
    }
    meetings_after = versions(services, Meeting, lambda m: m.title)
    assert meetings_after == {
        **meetings_before,
        "Taklimakan desert forum": meetings_before["Taklimakan desert forum"] + 1,
    }
    with services.database.transaction() as session:
        forum = session.scalars(
            select(Meeting).where(Meeting.title == "Taklimakan desert forum")
        ).one()
        assert forum.location == "Kashgar"
        assert [o.name for o in forum.organizers] == ["XIEG, CAS"]
        budget = session.scalars(
            select(FinanceEntry).where(FinanceEntry.kind == FinanceKind.BUDGET)
        ).one()
        assert budget.amount == Decimal("32500000.25")
    assert versions(services, FinanceEntry, lambda f: (f.fiscal_year, f.category)) == {
        **finances_before,
        (2022, "Scholarships"): finances_before[(2022, "Scholarships")] + 1,
    }

    third = import_all(
        services,
        tmp_path,
        "third",
        {"members": move_member, "meetings": move_meeting, "finances": change_amount},
    )
    for table, report in third.items():
        assert (report.inserted, report.updated, report.unchanged) == (0, 0, 3), table


def test_a_sheet_with_some_columns_leaves_the_others_alone(
    services: Services, tmp_path: Path
) -> None:
    assert import_file(services, members_file(tmp_path / "a.xlsx", MEMBERS)).written
    only_names = make_workbook(
        tmp_path / "b.xlsx",
        {"Members": [["Name", "Country"], ["Cuban Academy of Sciences", "Cuba"]]},
    )
    report = import_file(services, only_names, ImportOptions(table="members"))
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 1)
    cuba = services.organizations.find_by_name("Cuban Academy of Sciences")
    assert cuba is not None
    assert (cuba.acronym, cuba.applied_on) == ("ACC", date(2021, 3, 1))


def test_duplicates_inside_one_file_name_both_rows(services: Services, tmp_path: Path) -> None:
    rows = [
        *MEMBERS,
        ["Instituto de Astrofísica de Canarias", "IAC", "Spain", "Applicant", None, None],
        ["cuban academy of  sciences", None, "Cuba", "Applicant", None, None],
        ["INSTITUTO DE ASTROFISICA DE CANARIAS", None, "Spain", "Applicant", None, None],
    ]
    counts = row_counts(services.database)
    report = import_file(services, members_file(tmp_path / "dup.xlsx", rows))
    assert [(e.sheet, e.row) for e in report.errors] == [("Members", 6), ("Members", 7)]
    assert "row 2" in report.errors[0].message
    assert "row 5" in report.errors[1].message
    assert not report.written
    assert row_counts(services.database) == counts

    meetings = make_workbook(
        tmp_path / "dup-meetings.xlsx",
        {
            "Meetings": [
                MEETINGS_HEADER,
                *MEETINGS,
                [MEETINGS[0][0], MEETINGS[0][1], None, "Elsewhere", None],
            ]
        },
    )
    report = import_file(services, meetings, ImportOptions(table="meetings"))
    assert [(e.row, "row 2" in e.message) for e in report.errors] == [(5, True)]
    assert row_counts(services.database) == counts


# --- every bad row, and nothing written --------------------------------------------------------


def issues(report: Any) -> list[tuple[str, int, str]]:
    return [(issue.sheet, issue.row, issue.column) for issue in report.errors]


def test_every_bad_member_row_is_listed_and_nothing_is_written(
    services: Services, tmp_path: Path
) -> None:
    assert import_file(services, members_file(tmp_path / "ok.xlsx", MEMBERS[:1])).written
    counts = row_counts(services.database)
    rows = [
        [
            "Instituto de Astrofísica de Canarias",
            "IAC",
            "Spain",
            "Applicant",
            date(2021, 1, 5),
            "iac@example.org",
        ],
        [None, "NN", "Cuba", "Applicant", None, None],
        ["Atlantis Institute", None, "Atlantis", "Applicant", None, None],
        ["Honorary Society", None, "Chile", "Honorary", None, None],
        ["February Institute", None, "Peru", "Applicant", "31/02/2021", None],
        ["Mail Institute", None, "Peru", "Applicant", None, "not-an-email"],
        ["Universiti Tunku Abdul Rahman", "UTAR", "Malaysia", "Applicant", None, None],
    ]
    report = import_file(services, members_file(tmp_path / "bad.xlsx", rows))
    assert issues(report) == [
        ("Members", 3, "Name"),
        ("Members", 4, "Country"),
        ("Members", 5, "Status"),
        ("Members", 6, "Applied"),
        ("Members", 7, "Email"),
    ]
    messages = [issue.message for issue in report.errors]
    assert "missing" in messages[0]
    assert "Atlantis" in messages[1]
    assert "Honorary" in messages[2]
    assert "31/02/2021" in messages[3]
    assert "not-an-email" in messages[4]
    assert all(str(issue).startswith(f"Members, row {issue.row}") for issue in report.errors)
    assert report.inserted == 2  # the sound rows would have been added...
    assert not report.written  # ...but a bad row refuses the whole file
    assert row_counts(services.database) == counts
    assert services.organizations.find_by_name("Instituto de Astrofísica de Canarias") is None


def test_every_problem_of_one_row_is_listed(sqlite_services: Services, tmp_path: Path) -> None:
    report = import_file(
        sqlite_services,
        members_file(
            tmp_path / "two-problems.xlsx", [[None, None, "Cuba", "Honorary", None, None]]
        ),
    )
    assert sorted(issues(report)) == [("Members", 2, "Name"), ("Members", 2, "Status")]


def test_bad_meeting_finance_and_decision_rows(services: Services, tmp_path: Path) -> None:
    counts = row_counts(services.database)
    meetings = make_workbook(
        tmp_path / "meetings.xlsx",
        {
            "Meetings": [
                MEETINGS_HEADER,
                MEETINGS[0],
                ["Backwards forum", date(2021, 5, 14), date(2021, 5, 13), None, None],
                ["Undated forum", None, None, None, None],
            ]
        },
    )
    report = import_file(services, meetings, ImportOptions(table="meetings"))
    assert issues(report) == [("Meetings", 3, "End date"), ("Meetings", 4, "Start date")]
    assert "before the start date" in report.errors[0].message

    finances = make_workbook(
        tmp_path / "finances.xlsx",
        {
            "Finances": [
                FINANCES_HEADER,
                FINANCES[0],
                [2021, "Training", "Expenditure", "twelve", "CNY"],
                [2021, "Travel", "Expenditure", 1.005, "CNY"],
                [2021, "Travel", "Expenditure", "1.005", "USD"],
                [2021, "Publications", "Expenditure", 100, "XYZ"],
                [2021, "Gifts", "Donation", 100, "CNY"],
                [2021, "Rent", "Expenditure", None, "CNY"],
            ]
        },
    )
    report = import_file(services, finances, ImportOptions(table="finances"))
    assert issues(report) == [
        ("Finances", 3, "Amount"),
        ("Finances", 4, "Amount"),
        ("Finances", 5, "Amount"),
        ("Finances", 6, "Currency"),
        ("Finances", 7, "Kind"),
        ("Finances", 8, "Amount"),
    ]
    messages = [issue.message for issue in report.errors]
    assert "twelve" in messages[0]
    assert "two decimals" in messages[1] and "two decimals" in messages[2]
    assert "XYZ" in messages[3]
    assert "Donation" in messages[4]

    decisions = make_workbook(
        tmp_path / "decisions.xlsx",
        {"Decisions": [["Board meeting", "Number", "Decision"], [99, 1, "Adopt the budget."]]},
    )
    report = import_file(services, decisions, ImportOptions(table="decisions"))
    assert issues(report) == [("Decisions", 2, "Board meeting")]
    assert "99" in report.errors[0].message
    assert row_counts(services.database) == counts


# --- headers -----------------------------------------------------------------------------------


def test_headers_match_ignoring_case_spacing_and_punctuation(
    sqlite_services: Services, tmp_path: Path
) -> None:
    path = make_workbook(
        tmp_path / "headers.xlsx",
        {
            "Register": [
                [
                    "  ORGANISATION ",
                    "  e-MAIL ",
                    "nation",
                    "Membership-Status",
                    "Remarks",
                    "Favourite colour",
                ],
                ["Cuban Academy of Sciences", "info@academia.cu", "CU", "applicant", "Hi", "blue"],
            ]
        },
    )
    report = import_file(sqlite_services, path, ImportOptions(table="members"))
    assert report.errors == []
    assert report.inserted == 1
    assert len(report.warnings) == 1
    assert "Favourite colour" in report.warnings[0]
    cuba = sqlite_services.organizations.find_by_name("Cuban Academy of Sciences")
    assert cuba is not None
    assert (cuba.email, cuba.country, cuba.status, cuba.notes) == (
        "info@academia.cu",
        "CU",
        MemberStatus.APPLICANT,
        "Hi",
    )


def test_a_mapping_names_an_unknown_header_or_ignores_one(
    sqlite_services: Services, tmp_path: Path
) -> None:
    path = make_workbook(
        tmp_path / "mapped.xlsx",
        {
            "Sheet1": [
                ["Institution name", "Country", "Notes"],
                ["Instituto Argentino de Radioastronomía", "Argentina", "do not import"],
            ]
        },
    )
    with pytest.raises(WorkbookError, match="'Name' column"):
        import_file(sqlite_services, path, ImportOptions(table="members", dry_run=True))
    mapped = import_file(
        sqlite_services,
        path,
        ImportOptions(table="members", mapping={"Institution name": "name", "Notes": None}),
    )
    assert mapped.errors == []
    assert mapped.warnings == []
    assert mapped.inserted == 1
    found = sqlite_services.organizations.find_by_name("Instituto Argentino de Radioastronomia")
    assert found is not None
    assert found.notes is None
    assert found.country == "AR"


# --- dates -------------------------------------------------------------------------------------


def test_dates_in_every_notation(sqlite_services: Services, tmp_path: Path) -> None:
    rows = [
        ["Real date", datetime(2021, 4, 21)],
        ["ISO text", "2021-04-21"],
        ["Day first", "21/04/2021"],
        ["Words", "9 October 2021"],
        ["Month first words", "October 9, 2021"],
        ["Excel serial", 44307],
    ]
    path = make_workbook(tmp_path / "dates.xlsx", {"Members": [["Name", "Applied"], *rows]})
    report = import_file(sqlite_services, path, ImportOptions(table="members"))
    assert report.errors == [], report.errors
    applied = {}
    for name, _ in rows:
        found = sqlite_services.organizations.find_by_name(name)
        assert found is not None, name
        applied[name] = found.applied_on
    assert applied == {
        "Real date": date(2021, 4, 21),
        "ISO text": date(2021, 4, 21),
        "Day first": date(2021, 4, 21),
        "Words": date(2021, 10, 9),
        "Month first words": date(2021, 10, 9),
        "Excel serial": date(2021, 4, 21),
    }


def test_meeting_date_ranges_in_one_cell(sqlite_services: Services, tmp_path: Path) -> None:
    path = make_workbook(
        tmp_path / "ranges.xlsx",
        {
            "Meetings 2021": [
                ["Date", "Event"],
                ["4.21-23", "Agriculture and food security"],
                ["2–3 March 2021", "Climate change"],
                ["30 Aug – 19 Sep 2021", "Exhibition"],
                ["16 Dec 2021 - 17 Dec 2021", "Arid lands"],
                ["11.18-19", "Women in science"],
            ]
        },
    )
    report = import_file(sqlite_services, path, ImportOptions(table="meetings"))
    assert report.errors == [], report.errors
    with sqlite_services.database.transaction() as session:
        dates = {m.title: (m.start_date, m.end_date) for m in session.scalars(select(Meeting))}
    assert dates == {
        "Agriculture and food security": (date(2021, 4, 21), date(2021, 4, 23)),
        "Climate change": (date(2021, 3, 2), date(2021, 3, 3)),
        "Exhibition": (date(2021, 8, 30), date(2021, 9, 19)),
        "Arid lands": (date(2021, 12, 16), date(2021, 12, 17)),
        "Women in science": (date(2021, 11, 18), date(2021, 11, 19)),
    }


@pytest.mark.parametrize("dash", ["-", "–"])
def test_an_iso_date_range_keeps_its_end_date(
    sqlite_services: Services, tmp_path: Path, dash: str
) -> None:
    path = make_workbook(
        tmp_path / "iso-range.xlsx",
        {"Meetings": [["Date", "Event"], [f"2021-12-16 {dash} 2021-12-17", "Arid lands"]]},
    )
    report = import_file(sqlite_services, path, ImportOptions(table="meetings"))
    with sqlite_services.database.transaction() as session:
        stored = [(m.start_date, m.end_date) for m in session.scalars(select(Meeting))]
    # Either read as the two-day range it is, or refused; never a one-day meeting.
    assert report.errors or stored == [(date(2021, 12, 16), date(2021, 12, 17))]


# --- CSV, dry run, cancel ----------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_csv_files_import(sqlite_services: Services, tmp_path: Path, delimiter: str) -> None:
    path = make_csv(
        tmp_path / "members.csv",
        [
            ["Name", "Acronym", "Country", "Status", "Applied"],
            [
                "Xinjiang Institute of Ecology and Geography, CAS",
                "XIEG",
                "China",
                "Applicant",
                "2021-06-17",
            ],
            ["Instituto de Astrofísica de Canarias", "IAC", "Spain", "Applicant", "21/04/2021"],
            ["Cuban Academy of Sciences", "", "Cuba", "Endorsed by GB", ""],
        ],
        delimiter=delimiter,
    )
    report = import_file(sqlite_services, path, ImportOptions(table="members"))
    assert report.errors == []
    assert report.inserted == 3
    xieg = sqlite_services.organizations.find_by_name(
        "Xinjiang Institute of Ecology and Geography, CAS"
    )
    assert xieg is not None
    assert (xieg.acronym, xieg.country, xieg.applied_on) == ("XIEG", "CN", date(2021, 6, 17))
    iac = sqlite_services.organizations.find_by_name("Instituto de Astrofísica de Canarias")
    assert iac is not None and iac.applied_on == date(2021, 4, 21)
    cuba = sqlite_services.organizations.find_by_name("Cuban Academy of Sciences")
    assert cuba is not None and cuba.status is MemberStatus.ENDORSED
    again = import_file(sqlite_services, path, ImportOptions(table="members"))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)


def test_a_dry_run_reports_like_an_import_and_writes_nothing(
    services: Services, tmp_path: Path
) -> None:
    path = members_file(tmp_path / "m.xlsx", MEMBERS)
    counts = row_counts(services.database)
    dry = import_file(services, path, ImportOptions(table="members", dry_run=True))
    assert (dry.inserted, dry.updated, dry.unchanged) == (3, 0, 0)
    assert dry.dry_run and not dry.written
    assert dry.backup is None
    assert "would be" in dry.summary()
    assert row_counts(services.database) == counts
    real = import_file(services, path, ImportOptions(table="members"))
    assert (real.inserted, real.updated, real.unchanged) == (3, 0, 0)
    assert real.written
    assert [r.outcome for r in real.rows] == [r.outcome for r in dry.rows]


def test_cancelling_mid_import_writes_nothing(services: Services, tmp_path: Path) -> None:
    rows = [[f"Institute {n}", None, "Chile", "Applicant", None, None] for n in range(450)]
    path = members_file(tmp_path / "many.xlsx", rows)
    counts = row_counts(services.database)
    asked = 0
    progress: list[tuple[int, int]] = []

    def cancelled() -> bool:
        nonlocal asked
        asked += 1
        return asked > 300

    with pytest.raises(Cancelled):
        import_file(
            services,
            path,
            ImportOptions(table="members"),
            progress=lambda done, total, _: progress.append((done, total)),
            cancelled=cancelled,
        )
    assert progress == [(200, 450)]
    assert row_counts(services.database) == counts
    with services.database.transaction() as session:
        assert session.scalars(select(Organization)).first() is None


def test_a_bad_row_beside_a_new_endorsed_member_is_reported(
    services: Services, tmp_path: Path
) -> None:
    board = services.board_meetings.create(BoardMeetingData(number=4, date=date(2021, 10, 9)))
    services.decisions.create(
        DecisionData(board_meeting_id=board.id, number=1, text="Endorsed new members.")
    )
    counts = row_counts(services.database)
    path = members_file(
        tmp_path / "endorsed.xlsx",
        [
            ["Atlantis Institute", None, "Atlantis", "Applicant", None, None],
            ["Cuban Academy of Sciences", None, "Cuba", "Endorsed by GB", None, None, "4.1"],
        ],
        header=[*MEMBERS_HEADER, "Endorsing decision"],
    )
    report = import_file(services, path, ImportOptions(table="members"))
    assert issues(report) == [("Members", 2, "Country")]
    assert row_counts(services.database) == counts


def test_a_new_member_is_linked_to_its_endorsing_decision(
    services: Services, tmp_path: Path
) -> None:
    board = services.board_meetings.create(BoardMeetingData(number=4, date=date(2021, 10, 9)))
    decision = services.decisions.create(
        DecisionData(board_meeting_id=board.id, number=3, text="Endorsed new members.")
    )
    path = members_file(
        tmp_path / "endorsed.xlsx",
        [["Cuban Academy of Sciences", None, "Cuba", "Endorsed by GB", None, None, "4.3"]],
        header=[*MEMBERS_HEADER, "Endorsing decision"],
    )
    report = import_file(services, path, ImportOptions(table="members"))
    assert report.errors == [] and report.inserted == 1
    with services.database.transaction() as session:
        cuba = session.scalars(select(Organization)).one()
        assert cuba.endorsement_decision_id == decision.id
        assert [o.name for o in cuba.endorsement_decision.organizations] == [cuba.name]
    wrong = members_file(
        tmp_path / "wrong.xlsx",
        [["Cuban Academy of Sciences", None, "Cuba", "Endorsed by GB", None, None, "4.9"]],
        header=[*MEMBERS_HEADER, "Endorsing decision"],
    )
    report = import_file(services, wrong, ImportOptions(table="members"))
    assert issues(report) == [("Members", 2, "Endorsing decision")]
    assert "4.9" in report.errors[0].message


def test_reimporting_an_applicant_with_a_blank_applied_date_changes_nothing(
    services: Services, tmp_path: Path
) -> None:
    path = members_file(
        tmp_path / "blank-date.xlsx",
        [["Cuban Academy of Sciences", None, "Cuba", "Applicant", None, None]],
    )
    first = import_file(services, path, ImportOptions(table="members"))
    assert first.inserted == 1
    applied = services.organizations.find_by_name("Cuban Academy of Sciences").applied_on  # type: ignore[union-attr]
    again = import_file(services, path, ImportOptions(table="members"))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)
    assert services.organizations.find_by_name("Cuban Academy of Sciences").applied_on == applied  # type: ignore[union-attr]


def test_the_cycle_collector_is_back_on_after_an_import(services: Services, tmp_path: Path) -> None:
    """An import pauses Python's cycle collector; it resumes when the import ends, however it
    ends (here: written, then refused as no workbook)."""
    import gc

    assert gc.isenabled()
    import_file(services, members_file(tmp_path / "m.xlsx", MEMBERS), ImportOptions("members"))
    assert gc.isenabled()
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    with pytest.raises(WorkbookError):
        import_file(services, bad, ImportOptions("members"))
    assert gc.isenabled()
