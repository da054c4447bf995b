"""`anso-desktop import` and `export` as a script runs them: a real process, real files, real
databases, exit codes (0 done, 1 refused, 2 usage) and messages without tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import create_engine, text

from anso_desktop.cli import main
from anso_desktop.services import Services
from anso_desktop.services.organizations import OrganizationData
from anso_desktop.storage.database import Database
from anso_desktop.storage.migrations import upgrade
from tests.conftest import POSTGRES_ENV_VAR, postgres_url, reset_postgres_schema
from tests.spreadsheets.conftest import (
    BAD_FILE_MESSAGES,
    MEETINGS_LIST_TITLE,
    SECOND_SCHEMA,
    build_bad_files,
    load_full_demo,
    make_csv,
    make_workbook,
    read_workbook,
    row_counts,
    seed_list,
)

#: The demo's organizations, meetings, board meetings, decisions, fund, entries, exchange rate
#: and budget plan (one plan, six lines), and the three contacts and two aliases the spreadsheet
#: tests add to it.
DEMO_ROWS = 164


def command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "anso_desktop", *arguments]


def environment(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "ANSO_DATA_DIR": str(data_dir)}
    env.pop("ANSO_DB", None)
    return env


def run_cli(*arguments: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(*arguments),
        capture_output=True,
        text=True,
        env=environment(data_dir),
        timeout=120,
    )


def run_many(
    commands: Sequence[Sequence[str]], data_dir: Path
) -> list[subprocess.CompletedProcess[str]]:
    """Run commands side by side (each a real process) and wait for them all."""
    processes = [
        subprocess.Popen(
            command(*arguments),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment(data_dir),
        )
        for arguments in commands
    ]
    results = []
    for arguments, process in zip(commands, processes, strict=True):
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(list(arguments), process.returncode, out, err))
    return results


def assert_refused_cleanly(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "Unexpected error" not in result.stderr, result.stderr  # a bug, not a refusal


@pytest.fixture
def locations(backend: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two empty databases on the backend: two SQLite files, or two schemas of the server's."""
    if backend == "sqlite":
        yield str(tmp_path / "first.sqlite"), str(tmp_path / "second.sqlite")
        return
    url = postgres_url()
    if url is None:
        pytest.skip(f"PostgreSQL: set {POSTGRES_ENV_VAR} to run this against a server")
    reset_postgres_schema(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SECOND_SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {SECOND_SCHEMA}"))
    separator = "&" if "?" in url else "?"
    yield url, f"{url}{separator}options=-csearch_path%3D{SECOND_SCHEMA}"
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SECOND_SCHEMA} CASCADE"))
    engine.dispose()


def test_export_import_export_round_trip(locations: tuple[str, str], tmp_path: Path) -> None:
    first, second = locations
    demo = Database.open(first)
    upgrade(demo, backup=False)
    load_full_demo(Services.over(demo))
    demo.dispose()
    exported, meetings = tmp_path / "anso.xlsx", tmp_path / "meetings.xlsx"
    plans = tmp_path / "plans.xlsx"
    plan_tables = ["--table", "exchange-rates", "--table", "budget-plans"]
    whole, alone, plans_alone = run_many(
        [
            ["--db", first, "export", str(exported)],
            ["--db", first, "export", str(meetings), "--table", "meetings"],
            ["--db", first, "export", str(plans), *plan_tables, "--table", "budget-plan-lines"],
        ],
        tmp_path,
    )
    assert plans_alone.returncode == 0, plans_alone.stderr
    assert "1 exchange-rates, 1 budget-plans, 6 budget-plan-lines" in plans_alone.stdout
    everything = read_workbook(exported)
    assert read_workbook(plans) == {
        sheet: everything[sheet]
        for sheet in ("Exchange rates", "Budget plans", "Budget plan lines")
    }
    assert whole.returncode == 0, whole.stderr
    assert "79 members" in whole.stdout and "38 meetings" in whole.stdout
    assert "3 contacts" in whole.stdout
    assert alone.returncode == 0, alone.stderr
    assert read_workbook(meetings) == {"Meetings": read_workbook(exported)["Meetings"]}

    imported, same_table = run_many(
        [
            ["--db", second, "import", str(exported), "--json"],
            ["--db", first, "import", str(meetings), "--table", "meetings", "--json"],
        ],
        tmp_path,
    )
    assert imported.returncode == 0, imported.stderr
    report = json.loads(imported.stdout)
    assert (report["inserted"], report["updated"], report["unchanged"]) == (DEMO_ROWS, 0, 0)
    assert report["errors"] == []
    assert report["table"] == [
        "members",
        "contacts",
        "aliases",
        "meetings",
        "board-meetings",
        "decisions",
        "funds",
        "finances",
        "exchange-rates",
        "budget-plans",
        "budget-plan-lines",
    ]
    assert same_table.returncode == 0, same_table.stderr
    report = json.loads(same_table.stdout)
    assert (report["table"], report["inserted"], report["updated"]) == ("meetings", 0, 0)
    assert report["unchanged"] == 38

    again = tmp_path / "again.xlsx"
    exported_again, repeat = run_many(
        [
            ["--db", second, "export", str(again)],
            ["--db", second, "import", str(exported)],
        ],
        tmp_path,
    )
    assert exported_again.returncode == 0, exported_again.stderr
    assert read_workbook(again) == read_workbook(exported)
    assert repeat.returncode == 0, repeat.stderr
    assert f"0 new, 0 changed, {DEMO_ROWS} unchanged" in repeat.stdout


# --- bad files ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_bad_files(tmp_path_factory.mktemp("cli-bad-files"))


@pytest.fixture
def one_member_database(tmp_path: Path) -> Path:
    file = tmp_path / "anso.sqlite"
    database = Database.open(str(file))
    upgrade(database, backup=False)
    Services.over(database).organizations.create(OrganizationData(name="Cuban Academy"))
    database.dispose()
    return file


def counts_of(file: Path) -> dict[str, int]:
    database = Database.open(str(file))
    try:
        return row_counts(database)
    finally:
        database.dispose()


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param(
            kind,
            id=kind,
            marks={}.get(kind, []),
        )
        for kind in BAD_FILE_MESSAGES
    ],
)
def test_a_bad_file_exits_1_with_a_clear_message(
    bad_files: dict[str, Path],
    one_member_database: Path,
    capsys: pytest.CaptureFixture[str],
    kind: str,
) -> None:
    """The command line's own code (`main`), in this process: quick enough for every kind."""
    before = counts_of(one_member_database)
    path = bad_files[kind]
    code = main(["--db", str(one_member_database), "import", str(path), "--table", "members"])
    out, err = capsys.readouterr()
    assert_refused_cleanly(subprocess.CompletedProcess([], code, out, err))
    assert err.startswith("Error: "), err
    assert BAD_FILE_MESSAGES[kind] in err
    assert out == ""
    assert counts_of(one_member_database) == before
    assert not list((one_member_database.parent / "backups").glob("*before-import*"))
    assert path.name in err


def test_bad_files_refused_by_real_processes(
    bad_files: dict[str, Path], one_member_database: Path, tmp_path: Path
) -> None:
    before = counts_of(one_member_database)
    kinds = ["csv renamed .xlsx", "truncated", "encrypted (OLE)", "XML bomb", "zip bomb", "missing"]
    results = run_many(
        [
            ["--db", str(one_member_database), "import", str(bad_files[kind]), "--table", "members"]
            for kind in kinds
        ],
        tmp_path,
    )
    for kind, result in zip(kinds, results, strict=True):
        assert_refused_cleanly(result)
        assert BAD_FILE_MESSAGES[kind] in result.stderr, kind
        assert bad_files[kind].name in result.stderr, kind
    assert counts_of(one_member_database) == before


# --- reports: JSON, dry run, year ----------------------------------------------------------------


def test_json_report_of_a_refused_file(tmp_path: Path) -> None:
    database = str(tmp_path / "anso.sqlite")
    path = make_workbook(
        tmp_path / "members.xlsx",
        {
            "Members": [
                ["Name", "Country", "Status", "Colour"],
                ["Cuban Academy of Sciences", "Cuba", "Applicant", "blue"],
                ["Atlantis Institute", "Atlantis", "Applicant", "red"],
                [None, "Chile", "Applicant", "green"],
            ]
        },
    )
    result = run_cli(
        "--db", database, "import", str(path), "--table", "members", "--json", data_dir=tmp_path
    )
    assert_refused_cleanly(result)
    report = json.loads(result.stdout)  # one object, nothing else on stdout
    assert {"table", "inserted", "updated", "unchanged", "errors", "warnings"} <= set(report)
    assert report["table"] == "members"
    assert (report["inserted"], report["updated"], report["unchanged"]) == (1, 0, 0)
    assert [set(error) for error in report["errors"]] == [{"sheet", "row", "column", "message"}] * 2
    assert [(e["sheet"], e["row"], e["column"]) for e in report["errors"]] == [
        ("Members", 3, "Country"),
        ("Members", 4, "Name"),
    ]
    assert "Atlantis" in report["errors"][0]["message"]
    assert len(report["warnings"]) == 1 and "Colour" in report["warnings"][0]
    assert counts_of(Path(database))["organizations"] == 0


def test_dry_run_reports_and_writes_nothing(tmp_path: Path) -> None:
    database = str(tmp_path / "anso.sqlite")
    path = make_csv(
        tmp_path / "members.csv",
        [
            ["Name", "Country", "Status"],
            ["Cuban Academy of Sciences", "Cuba", "Applicant"],
            ["Xinjiang Institute of Ecology and Geography, CAS", "China", "Applicant"],
        ],
        delimiter=";",
    )
    dry = run_cli(
        "--db",
        database,
        "import",
        str(path),
        "--table",
        "members",
        "--dry-run",
        "--json",
        data_dir=tmp_path,
    )
    assert dry.returncode == 0, dry.stderr
    report = json.loads(dry.stdout)
    assert (report["inserted"], report["updated"], report["unchanged"]) == (2, 0, 0)
    assert report["dry_run"] is True and report["written"] is False
    assert counts_of(Path(database))["organizations"] == 0
    assert not list((tmp_path / "backups").glob("*before-import*"))

    real = run_cli("--db", database, "import", str(path), "--table", "members", data_dir=tmp_path)
    assert real.returncode == 0, real.stderr
    assert "2 new, 0 changed, 0 unchanged" in real.stdout
    assert counts_of(Path(database))["organizations"] == 2
    assert list((tmp_path / "backups").glob("*before-import*"))


def test_the_report_list_needs_a_year(tmp_path: Path) -> None:
    database = str(tmp_path / "anso.sqlite")
    path = make_workbook(
        tmp_path / "list.xlsx",
        {"Sheet1": [["Date(s)", "Event(s)", "Main Organizer(s)"], *seed_list(MEETINGS_LIST_TITLE)]},
    )
    without, with_year = run_many(
        [
            ["--db", database, "import", str(path), "--table", "meetings"],
            [
                "--db",
                str(tmp_path / "other.sqlite"),
                "import",
                str(path),
                "--table",
                "meetings",
                "--year",
                "2021",
            ],
        ],
        tmp_path,
    )
    assert_refused_cleanly(without)
    assert "--year" in without.stdout
    assert "nothing was written" in without.stdout
    assert with_year.returncode == 0, with_year.stderr
    assert "36 new" in with_year.stdout


# --- templates and usage ------------------------------------------------------------------------


def test_template_and_usage_errors(tmp_path: Path) -> None:
    database = str(tmp_path / "anso.sqlite")
    prepared = Database.open(database)  # made beforehand: the commands below run side by side
    upgrade(prepared, backup=False)
    prepared.dispose()
    template = tmp_path / "members-template.xlsx"
    results = run_many(
        [
            ["--db", database, "export", str(template), "--table", "members", "--template"],
            ["--db", database, "export", str(tmp_path / "t.xlsx"), "--template"],
            ["--db", database, "import", str(template), "--table", "partners"],
            ["--db", database, "import"],
            ["--db", database, "export", str(tmp_path / "x.xlsx"), "--table", "partners"],
            ["--db", database, "export", str(tmp_path / "x.csv")],
        ],
        tmp_path,
    )
    made, no_table, bad_table, no_file, bad_export_table, not_xlsx = results
    # Only once the template is written can it be imported.
    (empty_template,) = run_many(
        [["--db", database, "import", str(template), "--table", "members"]], tmp_path
    )
    assert made.returncode == 0, made.stderr
    assert openpyxl.load_workbook(template).sheetnames == ["Members", "Lists"]
    for usage in (no_table, bad_table, no_file, bad_export_table):
        assert usage.returncode == 2, usage.stderr
        assert "Traceback" not in usage.stderr
    assert_refused_cleanly(not_xlsx)
    assert ".xlsx" in not_xlsx.stderr
    # A template not yet filled in holds no rows: refused, with a message.
    assert_refused_cleanly(empty_template)
    assert "no rows" in empty_template.stderr
