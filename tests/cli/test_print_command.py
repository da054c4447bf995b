"""`anso-desktop print`: real processes with no screen, real PDFs read back, exit codes."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from anso_desktop.app import open_services
from anso_desktop.services.demo import load_demo
from anso_desktop.services.organizations import OrganizationData
from tests.cli.test_commands import assert_no_traceback
from tests.pdf_text import declared_pages, page_texts


def print_cli(db: str, data_dir: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """The command as a script on a server runs it: no display, no Qt platform chosen."""
    environment = {**os.environ, "ANSO_DATA_DIR": str(data_dir), "ANSO_DB": db}
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        environment.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "anso_desktop", "print", *arguments],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


@pytest.fixture
def demo_db(db_location: str) -> str:
    services = open_services(db_location)
    load_demo(services)
    services.database.dispose()
    return db_location


def test_members_by_country(demo_db: str, tmp_path: Path) -> None:
    pdf = tmp_path / "members.pdf"
    result = print_cli(demo_db, tmp_path, "members", "--group-by", "country", "--pdf", str(pdf))
    assert result.returncode == 0, result.stderr
    texts = page_texts(pdf)
    pages = declared_pages(pdf)
    assert f"Printed 79 organizations on {pages} page" in result.stdout
    whole = "\n".join(texts)
    assert "Member organizations, by country" in texts[0]
    assert f"Page 1 of {pages}" in texts[0]
    assert "Argentina — 3 organizations" in whole
    assert "China — 40 organizations" in whole
    assert "Instituto Argentino de Radioastronomía" in whole


def test_meetings_of_2021_in_the_reports_notation(demo_db: str, tmp_path: Path) -> None:
    pdf = tmp_path / "meetings.pdf"
    result = print_cli(demo_db, tmp_path, "meetings", "--year", "2021", "--pdf", str(pdf))
    assert result.returncode == 0, result.stderr
    whole = "\n".join(page_texts(pdf))
    assert "List of ANSO meetings 2021" in whole
    assert re.search(r"4\.21-23\s+ANSO online open conference: agriculture and food", whole)
    assert "Year: 2021" in whole


def test_decision_register_and_finance_summary(demo_db: str, tmp_path: Path) -> None:
    register = tmp_path / "decisions.pdf"
    result = print_cli(
        demo_db, tmp_path, "decisions", "--board-meeting", "4", "--pdf", str(register)
    )
    assert result.returncode == 0, result.stderr
    text = "\n".join(page_texts(register))
    assert "Decision register" in text and "Board meeting: 4th Governing Board meeting" in text
    assert re.search(r"Board meeting\s+Number\s+Decision\s+Status\s+Owner\s+Due", text)

    summary = tmp_path / "finances.pdf"
    result = print_cli(demo_db, tmp_path, "finances", "--year", "2021", "--pdf", str(summary))
    assert result.returncode == 0, result.stderr
    text = "\n".join(page_texts(summary))
    assert "Budget against actual 2021" in text
    assert re.search(r"Category\s+Currency\s+Budget\s+Actual\s+Variance\s+% used", text)
    assert "Total CNY" in text


def test_500_members_page_count(db_location: str, tmp_path: Path) -> None:
    services = open_services(db_location)
    for number in range(1, 501):
        services.organizations.create(OrganizationData(f"Member organization {number:03d}"))
    services.database.dispose()
    pdf = tmp_path / "members.pdf"
    result = print_cli(db_location, tmp_path, "members", "--pdf", str(pdf))
    assert result.returncode == 0, result.stderr
    texts = page_texts(pdf)
    per_page = [len(re.findall(r"Member organization \d{3}", text)) for text in texts]
    assert sum(per_page) == 500
    assert declared_pages(pdf) == len(texts) == math.ceil(500 / per_page[0])
    assert f"Page {len(texts)} of {len(texts)}" in texts[-1]
    assert f"on {len(texts)} pages" in result.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("members", "--status", "Sleeping"), "'Sleeping' is not one of"),
        (("members", "--group-by", "month"), "cannot be grouped by 'month'"),
        (("meetings", "--country", "Kenya"), "The meetings list has no --country filter"),
        (("members", "--columns", "name,salary"), "no column 'salary'"),
        (("finances", "--group-by", "year"), "cannot be grouped by 'year'; choose from: none"),
        (("finances", "--search", "Training"), "no search or sort of its own"),
        (("finances", "--currency", "zzz"), "'zzz' is not an ISO 4217 currency code"),
    ],
)
def test_bad_values_are_refused_with_exit_1_and_no_file(
    demo_db: str, tmp_path: Path, arguments: tuple[str, ...], message: str
) -> None:
    pdf = tmp_path / "out.pdf"
    result = print_cli(demo_db, tmp_path, *arguments, "--pdf", str(pdf))
    assert result.returncode == 1
    assert message in result.stderr
    assert_no_traceback(result)
    assert not pdf.exists()


def test_a_pdf_path_that_is_a_folder_is_refused(demo_db: str, tmp_path: Path) -> None:
    folder = tmp_path / "members.pdf"
    folder.mkdir()
    result = print_cli(demo_db, tmp_path, "members", "--pdf", str(folder))
    assert result.returncode == 1
    assert f"Cannot write {folder}" in result.stderr
    assert_no_traceback(result)
    assert folder.is_dir() and list(tmp_path.glob(".*.partial")) == []


def test_wrong_usage_exits_2(tmp_path: Path) -> None:
    db = str(tmp_path / "t.sqlite")
    assert print_cli(db, tmp_path, "members").returncode == 2  # no --pdf
    assert print_cli(db, tmp_path, "budgets", "--pdf", str(tmp_path / "x.pdf")).returncode == 2
