"""Helpers for the spreadsheet tests: workbooks written with openpyxl, workbooks read back cell by
cell, row counts of every table, the annual report's meeting lists parsed from the seed text, and a
second database beside the one the `services` fixture gives (for round trips)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import create_engine, func, select, text

from anso_desktop.services import Services
from anso_desktop.services.demo import load_demo
from anso_desktop.services.organizations import ContactData
from anso_desktop.storage.database import Database
from anso_desktop.storage.history import HISTORY_TABLES
from anso_desktop.storage.migrations import upgrade
from anso_desktop.storage.models import Base
from tests.conftest import postgres_url

SEED_FILE = Path("/work/shared/seed/000_f482061e5da6730e.txt")
MEETINGS_LIST_TITLE = "5.5 List of ANSO Meetings 2021"
WORKSHOPS_LIST_TITLE = "List of Workshops in 2021"
_REPORT_DATE = re.compile(r"^\d{1,2}\.\d{1,2}(?:-(?:\d{1,2}\.)?\d{1,2})?$")
_HEADER_WORDS = (
    "Date(s)",
    "Event(s)",
    "Main Organizer(s)",
    "Topic / Theme(s)",
    "Lead Organizer(s)",
)
SECOND_SCHEMA = "sheets_second"

#: Contacts the demo does not have, so that the Contacts sheet takes part in round trips.
DEMO_CONTACTS = (
    ("Cuban Academy of Sciences", "Ana Pérez", "Secretary", "ana@example.org", "+53 7 555 0101"),
    ("Cuban Academy of Sciences", "Luis Gómez", None, None, None),
    ("Universiti Tunku Abdul Rahman", "Mei Ling Tan", "Director", "tan@example.edu.my", None),
)


def make_workbook(path: Path, sheets: Mapping[str, Sequence[Sequence[Any]]]) -> Path:
    """Write `sheets` ({sheet name: rows}) to an .xlsx file with openpyxl, in that order."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    workbook.save(path)
    return path


def make_csv(path: Path, rows: Sequence[Sequence[Any]], delimiter: str = ",") -> Path:
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        for row in rows:
            writer.writerow(["" if cell is None else cell for cell in row])
    return path


def read_workbook(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet's cell values, row by row, as openpyxl reads them."""
    workbook = openpyxl.load_workbook(path)
    try:
        return {
            sheet.title: [[cell.value for cell in row] for row in sheet.iter_rows()]
            for sheet in workbook.worksheets
        }
    finally:
        workbook.close()


def row_counts(database: Database, *, with_history: bool = False) -> dict[str, int]:
    """Rows of every table of the register (alembic's own table aside; the history's too,
    unless asked: an import that changes nothing may still leave a line there)."""
    with database.connection() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
            if with_history or table.name not in HISTORY_TABLES
        }


def add_demo_contacts(services: Services) -> None:
    for organization, name, title, email, phone in DEMO_CONTACTS:
        found = services.organizations.find_by_name(organization)
        assert found is not None, organization
        services.organizations.add_contact(
            ContactData(organization_id=found.id, name=name, title=title, email=email, phone=phone)
        )


#: Other spellings of the demo's members, as an import would have kept them.
DEMO_ALIASES = (
    ("University of Belgrade", "The University of Belgrade"),
    ("Cuban Academy of Sciences", "Academia de Ciencias de Cuba"),
)


def add_demo_aliases(services: Services) -> None:
    with services.database.transaction() as session:
        for organization, alias in DEMO_ALIASES:
            found = services.organizations.find_by_name(organization)
            assert found is not None, organization
            assert services.organizations.add_alias(session, found.id, alias)


def load_full_demo(services: Services) -> None:
    """The demo data set, plus a few contacts and aliases: something in every table."""
    load_demo(services)
    add_demo_contacts(services)
    add_demo_aliases(services)


@pytest.fixture
def demo_services(services: Services) -> Services:
    load_full_demo(services)
    return services


@pytest.fixture
def second_services(backend: str, tmp_path: Path) -> Iterator[Services]:
    """Another empty database on the same backend as `services`: a second SQLite file, or a
    second schema of the PostgreSQL test database."""
    if backend == "sqlite":
        database = Database.open(str(tmp_path / "second.sqlite"))
        upgrade(database, backup=False)
        yield Services.over(database)
        database.dispose()
        return
    url = postgres_url()
    if url is None:
        pytest.skip("PostgreSQL: set ANSO_TEST_POSTGRES_URL to run this against a server")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SECOND_SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {SECOND_SCHEMA}"))
    separator = "&" if "?" in url else "?"
    database = Database.open(f"{url}{separator}options=-csearch_path%3D{SECOND_SCHEMA}")
    upgrade(database, backup=False)
    try:
        yield Services.over(database)
    finally:
        database.dispose()
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {SECOND_SCHEMA} CASCADE"))
        engine.dispose()


def seed_list(title: str) -> list[list[str]]:
    """The data rows ("Date(s)", event or topic, organizers) of one of the annual report's lists.

    The report repeats the header on each page and, in the workshops list, wraps a long row over
    several lines whose first field is empty: those lines are joined to the row they continue.
    """
    lines = SEED_FILE.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip("# ").strip() == title)
    rows: list[list[str]] = []
    continuing = False
    for line in lines[start + 1 :]:
        if line.startswith("#"):
            break
        parts = line.split("\t")
        if not line.strip() or any(word in line for word in _HEADER_WORDS):
            continuing = False
            continue
        if _REPORT_DATE.match(parts[0].strip()) and len(parts) >= 3:
            rows.append([part.strip() for part in parts[:3]])
            continuing = True
        elif continuing and not parts[0].strip():
            for index, part in enumerate(parts[1:3], start=1):
                if part.strip():
                    rows[-1][index] = f"{rows[-1][index]} {part.strip()}"
    return rows


# --- files that must be refused ----------------------------------------------------------------

GOOD_MEMBERS = [
    ["Name", "Acronym", "Country", "Status"],
    *([f"Test Institute {n}", f"TI{n}", "Cuba", "Applicant"] for n in range(1, 41)),
]


def rewrite_member(source: Path, target: Path, member: str, change: Any) -> Path:
    """A copy of the zip `source` with one member's bytes passed through `change`."""
    import zipfile

    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for info in original.infolist():
            data = original.read(info)
            copy.writestr(info, change(data) if info.filename == member else data)
    return target


_XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_BILLION_LAUGHS = (
    b'<!DOCTYPE worksheet [<!ENTITY lol "lol">'
    b'<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def _entity_bomb(padding: int) -> Any:
    def change(data: bytes) -> bytes:
        body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
        body = body.replace(b"<t>Test Institute 1</t>", b"<t>&lol3;</t>", 1)
        comment = b"<!--" + b" padding" * (padding // 8) + b"-->" if padding else b""
        return _XML_DECLARATION + comment + _BILLION_LAUGHS + body

    return change


def build_bad_files(folder: Path) -> dict[str, Path]:
    """One file per way a workbook can be wrong, each refused before any row is read.

    Keys name the kind; the files' names differ, so each message can be checked to name its file.
    """
    import struct
    import zipfile

    folder.mkdir(parents=True, exist_ok=True)
    good = make_workbook(folder / "good.xlsx", {"Members": GOOD_MEMBERS})
    raw = good.read_bytes()
    files: dict[str, Path] = {}

    def write(name: str, data: bytes) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    files["csv renamed .xlsx"] = write("renamed-csv.xlsx", b"Name,Country\nCuban Academy,Cuba\n")
    files["html renamed .xlsx"] = write("page.xlsx", b"<html><body><table></table></body></html>")
    files["truncated"] = write("cut-in-half.xlsx", raw[: len(raw) // 2])
    with zipfile.ZipFile(good) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    # The compressed data starts after the local header: 30 bytes, then the name and the extra
    # field, whose lengths the header holds at bytes 26 and 28.
    name_length, extra_length = struct.unpack_from("<HH", raw, sheet.header_offset + 26)
    data_start = sheet.header_offset + 30 + name_length + extra_length

    def flipped(offset: int) -> bytes:
        """The good file with 8 bytes of the sheet's compressed data inverted (a bad copy)."""
        damaged = bytearray(raw)
        for index in range(offset, offset + 8):
            damaged[index] ^= 0xFF
        return bytes(damaged)

    files["damaged byte"] = write("flipped-bytes.xlsx", flipped(data_start + 2))
    files["damaged byte, mid-sheet"] = write(
        "flipped-mid-sheet.xlsx", flipped(data_start + sheet.compress_size // 2)
    )
    with zipfile.ZipFile(folder / "photos.xlsx", "w") as archive:
        archive.writestr("photo.txt", "not a workbook")
    files["zip, not a workbook"] = folder / "photos.xlsx"
    files["encrypted (OLE)"] = write(
        "password.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088) + b"EncryptedPackage"
    )
    files["header only"] = make_workbook(
        folder / "header-only.xlsx", {"Members": [GOOD_MEMBERS[0]]}
    )
    files["no header"] = make_workbook(
        folder / "no-header.xlsx",
        {"Members": [["Colour", "Size"], ["blue", 3], ["green", 4]]},
    )
    files["too many columns"] = make_workbook(
        folder / "wide.xlsx",
        {
            "Members": [
                ["Name", *(f"Extra {n}" for n in range(250))],
                ["Cuban Academy", *range(250)],
            ]
        },
    )
    files["XML bomb"] = rewrite_member(
        good, folder / "xml-bomb.xlsx", "xl/worksheets/sheet1.xml", _entity_bomb(0)
    )
    files["XML bomb behind a long comment"] = rewrite_member(
        good, folder / "xml-bomb-late.xlsx", "xl/worksheets/sheet1.xml", _entity_bomb(8000)
    )
    bomb = folder / "zip-bomb.xlsx"
    with (
        zipfile.ZipFile(good) as original,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for info in original.infolist():
            copy.writestr(info, original.read(info))
        copy.writestr("xl/media/image1.bin", bytes(50 * 1024 * 1024))
    files["zip bomb"] = bomb
    files["empty (0 bytes)"] = write("empty.xlsx", b"")
    files["wrong extension"] = write("members.txt", b"Name,Country\nCuban Academy,Cuba\n")
    files["binary .csv"] = write("binary.csv", b"Name,Country\n\x00\x01\x02\xff\xfe")
    files["missing"] = folder / "not-there.xlsx"
    return files


#: Words each kind's message must hold (besides the file's name).
BAD_FILE_MESSAGES = {
    "csv renamed .xlsx": "not an Excel workbook",
    "html renamed .xlsx": "not an Excel workbook",
    "truncated": "damaged or incomplete",
    "damaged byte": "damaged",
    "damaged byte, mid-sheet": "",
    "zip, not a workbook": "not an Excel workbook",
    "encrypted (OLE)": "password-protected",
    "header only": "no rows",
    "no header": "no header row",
    "too many columns": "limits",
    "XML bomb": "XML bomb",
    "XML bomb behind a long comment": "",
    "zip bomb": "zip bomb",
    "empty (0 bytes)": "empty",
    "wrong extension": "not a workbook this program reads",
    "binary .csv": "not a CSV",
    "missing": "does not exist",
}
