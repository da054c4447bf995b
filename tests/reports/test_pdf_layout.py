"""Real PDFs, read back with poppler: the page furniture on every page, repeated table headers,
group headings, no row split across pages, the page count, and text in any script."""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from anso_desktop.app import open_services
from anso_desktop.errors import UserError
from anso_desktop.reports.documents import (
    ORGANIZATION_NAME,
    PrintColumn,
    PrintedList,
    PrintGroup,
    PrintRow,
)
from anso_desktop.reports.rendering import PageSetup, write_pdf
from anso_desktop.services.demo import load_demo
from tests.cli.test_print_command import print_cli
from tests.pdf_text import declared_pages, page_texts

COLUMNS = (PrintColumn("Name", 48), PrintColumn("Acronym", 12), PrintColumn("Country", 16))


def member_list(rows: list[tuple[str, ...]], heading: str | None = None) -> PrintedList:
    return PrintedList(
        title="Member organizations",
        filter_summary="All records",
        columns=COLUMNS,
        groups=[PrintGroup(heading, [PrintRow(cells) for cells in rows])],
        closing=f"{len(rows)} organizations",
        printed_on=date(2026, 11, 28),
    )


def numbered(count: int) -> list[tuple[str, ...]]:
    return [(f"Member organization {n:03d}", f"MO{n:03d}", "Kenya") for n in range(1, count + 1)]


def test_500_members_fill_whole_pages_each_with_its_furniture(qapp: Any, tmp_path: Path) -> None:
    path = tmp_path / "members.pdf"
    pages = write_pdf(member_list(numbered(500)), path)
    texts = page_texts(path)
    assert pages == declared_pages(path) == len(texts)
    rows_per_page = [len(re.findall(r"Member organization \d{3}", text)) for text in texts]
    # Every row printed once, in order, and every page but the last as full as the first.
    found = [m for text in texts for m in re.findall(r"Member organization (\d{3})", text)]
    assert found == [f"{n:03d}" for n in range(1, 501)]
    assert len(set(rows_per_page[:-1])) == 1 and rows_per_page[-1] <= rows_per_page[0]
    assert pages == math.ceil(500 / rows_per_page[0])
    assert 8 <= pages <= 16  # about 45 single-line rows on A4 portrait
    for number, text in enumerate(texts, start=1):
        assert ORGANIZATION_NAME in text
        assert "Printed 28 Nov 2026" in text
        assert f"Page {number} of {pages}" in text
        assert re.search(r"Name\s+Acronym\s+Country", text), f"no table header on page {number}"
    assert "500 organizations" in texts[-1]


def test_landscape_and_letter_change_the_page_count(qapp: Any, tmp_path: Path) -> None:
    document = member_list(numbered(300))
    portrait = write_pdf(document, tmp_path / "a4.pdf", PageSetup("A4"))
    landscape = write_pdf(document, tmp_path / "a4-landscape.pdf", PageSetup("A4", landscape=True))
    letter = write_pdf(document, tmp_path / "letter.pdf", PageSetup("Letter"))
    assert landscape > portrait  # a landscape page is shorter
    assert letter >= portrait  # 279 mm against 297 mm
    assert declared_pages(tmp_path / "a4-landscape.pdf") == landscape


def test_a_wrapped_row_is_never_split_across_pages(qapp: Any, tmp_path: Path) -> None:
    long_name = (
        "start{n:03d} Institute of Geographic Sciences and Natural Resources Research with a "
        "deliberately long name that wraps over three lines end{n:03d}"
    )
    rows = [(long_name.format(n=n), "", "China") for n in range(1, 121)]
    path = tmp_path / "wrapped.pdf"
    write_pdf(member_list(rows), path)
    texts = page_texts(path)
    assert len(texts) > 3
    for n in range(1, 121):
        start = [i for i, text in enumerate(texts) if f"start{n:03d}" in text]
        end = [i for i, text in enumerate(texts) if f"end{n:03d}" in text]
        assert start == end and len(start) == 1, f"row {n} split across pages {start} and {end}"


def test_group_headings_count_and_continue_on_the_next_page(qapp: Any, tmp_path: Path) -> None:
    groups = [
        PrintGroup("Argentina — 3 organizations", [PrintRow(r) for r in numbered(3)]),
        PrintGroup("China — 120 organizations", [PrintRow(r) for r in numbered(120)]),
    ]
    document = PrintedList("Member organizations, by country", "All records", COLUMNS, groups)
    path = tmp_path / "grouped.pdf"
    pages = write_pdf(document, path)
    texts = page_texts(path)
    assert pages == len(texts) >= 3
    assert "Argentina — 3 organizations" in texts[0]
    assert "China — 120 organizations" in texts[0]
    for text in texts[1:]:
        assert "China — 120 organizations (continued)" in text
    # A heading never ends a page: some row of its group follows it on the same page.
    for text in texts:
        lines = [line for line in text.splitlines() if line.strip()]
        heading_lines = [i for i, line in enumerate(lines) if "organizations" in line]
        for index in heading_lines:
            if "—" in lines[index]:
                assert any("Member organization" in later for later in lines[index + 1 :])


def test_accents_cyrillic_and_chinese_print_as_text(qapp: Any, tmp_path: Path) -> None:
    rows = [
        ("Instituto de Astrofísica de Canarias", "IAC", "Spain"),
        ("Институт космических исследований РАН", "ИКИ РАН", "Russia"),
        ("中国科学院空天信息创新研究院", "AIR", "China"),
    ]
    path = tmp_path / "scripts.pdf"
    write_pdf(member_list(rows, heading="Всё — 3 organizations"), path)
    text = page_texts(path)[0]
    for name, acronym, _country in rows:
        assert name in text
        assert acronym in text
    assert "Всё — 3 organizations" in text


def test_a_word_wider_than_its_column_breaks_instead_of_being_cut(
    qapp: Any, tmp_path: Path
) -> None:
    # Wider than the page itself: no column can keep it whole.
    word = "Donaudampfschiffahrtselektrizitaetenhauptbetriebswerkbauunterbeamtengesellschaft" * 2
    filler = " ".join(["xx"] * 400)  # a wide neighbour, so the word's column is narrow
    document = PrintedList(
        "Member organizations",
        "All organizations",
        (PrintColumn("Acronym", 10), PrintColumn("Name", 60)),
        [PrintGroup(None, [PrintRow((word, filler))])],
    )
    path = tmp_path / "long.pdf"
    write_pdf(document, path)
    text = page_texts(path)[0].replace("\ufb00", "ff")  # poppler reads Qt's "ff" ligature
    lines = text.splitlines()
    assert not any(word in line for line in lines)  # it did break over several lines
    pieces = "".join(re.sub(r"\bxx\b|\s", "", line) for line in lines)
    assert word in pieces


def test_a_column_keeps_its_longest_word_and_the_name_wraps_instead(
    qapp: Any, tmp_path: Path
) -> None:
    name = " ".join(["Commission on Science and Technology for Sustainable Development"] * 6)
    rows = [(name, "ANSO-RWIT", "Pakistan"), ("Short", "COMSATS", "United States")]
    document = PrintedList(
        "Member organizations",
        "All organizations",
        COLUMNS,
        [PrintGroup(None, [PrintRow(cells) for cells in rows])],
    )
    path = tmp_path / "words.pdf"
    write_pdf(document, path)
    lines = page_texts(path)[0].splitlines()
    assert sum("Commission on Science" in line for line in lines) > 3  # the name wraps
    for word in ("ANSO-RWIT", "COMSATS", "United States"):
        assert any(word in line for line in lines), word


@pytest.fixture
def demo_file(tmp_path: Path) -> str:
    location = str(tmp_path / "demo.sqlite")
    services = open_services(location)
    load_demo(services)
    services.database.dispose()
    return location


def test_the_demo_member_list_prints_acronyms_whole_and_no_empty_column(
    demo_file: str, tmp_path: Path
) -> None:
    pdf = tmp_path / "members.pdf"
    result = print_cli(demo_file, tmp_path, "members", "--pdf", str(pdf))
    assert result.returncode == 0, result.stderr
    texts = page_texts(pdf)
    lines = [line for text in texts for line in text.splitlines()]
    # Before: "ANSO-R" over "WIT", "UTN-FRB" over "A", "COMSAT" over "S", "UNESCO-" over "MAB".
    for acronym in ("ANSO-RWIT", "ANSO-APRD", "UTN-FRBA", "UNESCO-MAB", "COMSATS"):
        assert any(re.search(rf"\s{acronym}\b", line) for line in lines), acronym
    # No member of the demo has joined yet: its column is left out; chosen, it stays.
    assert re.search(r"Name\s+Acronym\s+Country\s+Kind\s+Status\n", texts[0])
    assert not any(re.search(r"\bJoined\b", text) for text in texts)
    chosen = tmp_path / "chosen.pdf"
    result = print_cli(
        demo_file, tmp_path, "members", "--columns", "name,joined_on", "--pdf", str(chosen)
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"Name\s+Joined\n", page_texts(chosen)[0])


def test_a_pdf_that_cannot_be_written_is_refused_and_leaves_nothing(
    qapp: Any, tmp_path: Path
) -> None:
    with pytest.raises(UserError, match="does not exist"):
        write_pdf(member_list(numbered(3)), tmp_path / "missing" / "members.pdf")
    with pytest.raises(UserError, match=r"saved as a \.pdf file"):
        write_pdf(member_list(numbered(3)), tmp_path / "members.xlsx")
    assert list(tmp_path.iterdir()) == []
