"""The annual report's own lists, as the secretariat pastes them into Excel: a title row, a blank
row, then "Date(s) | Event(s) | Main Organizer(s)" with dates written "4.21-23" (no year: the
title gives it) and organizers separated by ";" (names hold commas: "XIEG, CAS")."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from anso_desktop.paths import DEMO_DATA_FILE
from anso_desktop.services import Services
from anso_desktop.spreadsheets import ImportOptions, import_file
from anso_desktop.storage.models import Meeting
from tests.spreadsheets.conftest import (
    MEETINGS_LIST_TITLE,
    WORKSHOPS_LIST_TITLE,
    make_workbook,
    row_counts,
    seed_list,
)

MEETINGS_HEADER = ["Date(s)", "Event(s)", "Main Organizer(s)"]
WORKSHOPS_HEADER = ["Date(s)", "Topic / Theme(s)", "Lead Organizer(s)"]
AGRICULTURE = "ANSO online open conference: agriculture and food security"
CLIMATE = "ANSO online open conference: climate change and its impacts"
RURAL_WATER = (
    "The 11th Forum on China's Rural Water Environment Governance and the Forum on "
    "Environmental Infrastructures in Rural Area"
)
ARAL_SEA = (
    'The launching ceremony for the international program office (IPO) of the ANSO "Green Aral '
    'Sea Initiative"'
)


@pytest.fixture(scope="module")
def meetings_rows() -> list[list[str]]:
    rows = seed_list(MEETINGS_LIST_TITLE)
    assert len(rows) == 36, "the seed's list of ANSO meetings 2021 has 36 rows"
    return rows


@pytest.fixture
def meetings_list(tmp_path: Path, meetings_rows: list[list[str]]) -> Path:
    return make_workbook(
        tmp_path / "annual-report-meetings.xlsx",
        {"Meetings list": [["List of ANSO Meetings 2021"], [], MEETINGS_HEADER, *meetings_rows]},
    )


def stored_meetings(services: Services) -> dict[str, Meeting]:
    with services.database.transaction() as session:
        return {m.title: m for m in session.scalars(select(Meeting))}


def test_the_report_meeting_list_imports_with_the_year_of_its_title(
    services: Services, meetings_list: Path, meetings_rows: list[list[str]]
) -> None:
    report = import_file(services, meetings_list, ImportOptions(table="meetings"))
    assert report.errors == []
    assert report.warnings == []
    assert (report.inserted, report.updated, report.unchanged) == (36, 0, 0)
    # Rows are numbered as the spreadsheet numbers them: title, blank, header, then row 4.
    assert [row.row for row in report.rows] == list(range(4, 40))
    meetings = stored_meetings(services)
    assert len(meetings) == 36

    dates = {title: (m.start_date, m.end_date) for title, m in meetings.items()}
    assert dates[AGRICULTURE] == (date(2021, 4, 21), date(2021, 4, 23))
    assert dates[CLIMATE] == (date(2021, 3, 2), date(2021, 3, 3))
    assert dates[RURAL_WATER] == (date(2021, 10, 13), date(2021, 10, 16))
    assert dates["WWRP/WCRP S2S project phase II"] == (date(2021, 1, 19), date(2021, 1, 19))
    assert all(start.year == end.year == 2021 and start <= end for start, end in dates.values())

    organizers = {title: [o.name for o in m.organizers] for title, m in meetings.items()}
    assert organizers[ARAL_SEA] == ["XIEG, CAS"]
    assert organizers[RURAL_WATER] == ["rcees", "cas", "emcc", "cmea"]
    assert organizers["The China-Russia Forum on Infectious Disease Prevention and Control"] == [
        "CAS",
        "RAS",
        "IMCAS",
    ]
    for _, title, written in meetings_rows:
        assert organizers[title] == [part.strip() for part in written.split(";")], title

    again = import_file(services, meetings_list, ImportOptions(table="meetings"))
    assert again.errors == []
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 36)


def test_the_dates_agree_with_the_demo_data_set(
    sqlite_services: Services, meetings_list: Path
) -> None:
    """The demo data set was typed from the same report by hand: where it has the same row,
    the dates read from the report's notation must be the ones it holds (the exhibition of
    "8.30" ran until 19 September, which the demo knows from elsewhere in the report)."""
    assert import_file(sqlite_services, meetings_list, ImportOptions(table="meetings")).written
    meetings = stored_meetings(sqlite_services)
    demo = json.loads(DEMO_DATA_FILE.read_text(encoding="utf-8"))["meetings"]
    compared = 0
    for row in demo:
        found = meetings.get(row["title"])
        if found is None or row["source_list"] != "meetings":
            continue
        assert found.start_date == date.fromisoformat(row["start_date"]), row["date_text"]
        if "-" in row["date_text"]:  # (a one-day entry may have a longer run known elsewhere)
            assert found.end_date == date.fromisoformat(row["end_date"]), row["date_text"]
        compared += 1
    assert compared >= 30


def test_the_report_workshop_list(sqlite_services: Services, tmp_path: Path) -> None:
    rows = seed_list(WORKSHOPS_LIST_TITLE)
    assert len(rows) == 7
    path = make_workbook(
        tmp_path / "workshops.xlsx",
        {"Workshops": [["List of Workshops in 2021"], [], WORKSHOPS_HEADER, *rows]},
    )
    report = import_file(sqlite_services, path, ImportOptions(table="meetings"))
    assert report.errors == []
    assert report.inserted == 7
    meetings = stored_meetings(sqlite_services)
    women = meetings[
        'ANSO Workshop on Women in Science "Towards a Diversity of Research and Researcher"'
    ]
    assert (women.start_date, women.end_date) == (date(2021, 11, 18), date(2021, 11, 19))
    assert [o.name for o in women.organizers] == [
        "MTA",
        "The Organization for Women in Science for the Developing World (OWSD)",
    ]
    green = meetings[
        "ANSO International Forum on Green Technology (Parallel Session of The 14 <sup>th</sup> "
        "China Bioindustry Convention)"
    ]
    assert green.start_date == green.end_date == date(2021, 6, 11)
    assert [o.name for o in green.organizers] == [
        "National Science and Technology Development Agency (NSTDA), Thailand"
    ]


def test_without_a_year_anywhere_the_import_asks_for_one(
    sqlite_services: Services, tmp_path: Path, meetings_rows: list[list[str]]
) -> None:
    path = make_workbook(tmp_path / "no-year.xlsx", {"Sheet1": [MEETINGS_HEADER, *meetings_rows]})
    counts = row_counts(sqlite_services.database)
    report = import_file(sqlite_services, path, ImportOptions(table="meetings"))
    assert not report.written
    assert len(report.errors) == 36
    assert {issue.column for issue in report.errors} == {"Date(s) [Start date]"}
    assert all("--year" in issue.message for issue in report.errors)
    assert row_counts(sqlite_services.database) == counts

    given = import_file(sqlite_services, path, ImportOptions(table="meetings", year=2021))
    assert given.errors == []
    assert given.inserted == 36
    assert stored_meetings(sqlite_services)[AGRICULTURE].start_date == date(2021, 4, 21)


def test_the_year_given_wins_over_the_title(sqlite_services: Services, tmp_path: Path) -> None:
    path = make_workbook(
        tmp_path / "titled.xlsx",
        {
            "Meetings 2021": [
                ["List of ANSO Meetings 2021"],
                MEETINGS_HEADER,
                ["4.21-23", AGRICULTURE, "ANSO-RWIT"],
            ]
        },
    )
    assert import_file(sqlite_services, path, ImportOptions(table="meetings", year=2022)).written
    found = stored_meetings(sqlite_services)[AGRICULTURE]
    assert (found.start_date, found.end_date) == (date(2022, 4, 21), date(2022, 4, 23))
