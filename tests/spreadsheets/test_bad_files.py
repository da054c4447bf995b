"""Every way a file can be wrong is refused with a WorkbookError (a UserError) whose message says
what is wrong with which file, before anything is written: not even the automatic backup."""

from __future__ import annotations

from pathlib import Path

import pytest

from anso_desktop.errors import UserError
from anso_desktop.services import Services
from anso_desktop.services.organizations import OrganizationData
from anso_desktop.spreadsheets import ImportOptions, WorkbookError, import_file, parse_only, reading
from tests.spreadsheets.conftest import (
    BAD_FILE_MESSAGES,
    GOOD_MEMBERS,
    build_bad_files,
    make_csv,
    make_workbook,
    row_counts,
)


def kinds(marks: dict[str, pytest.MarkDecorator]) -> list:
    return [pytest.param(kind, marks=marks.get(kind, ()), id=kind) for kind in BAD_FILE_MESSAGES]


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_bad_files(tmp_path_factory.mktemp("bad-files"))


@pytest.fixture
def one_member(sqlite_services: Services) -> Services:
    sqlite_services.organizations.create(OrganizationData(name="Cuban Academy of Sciences"))
    return sqlite_services


def backups(services: Services) -> list[Path]:
    file = services.database.location.file
    assert file is not None
    return sorted((file.parent / "backups").glob("*"))


@pytest.mark.parametrize("kind", kinds({}))
def test_a_bad_file_is_refused_and_nothing_is_written(
    one_member: Services, bad_files: dict[str, Path], kind: str
) -> None:
    counts = row_counts(one_member.database, with_history=True)
    with pytest.raises(WorkbookError) as refused:
        import_file(one_member, bad_files[kind], ImportOptions(table="members"))
    assert isinstance(refused.value, UserError)
    assert BAD_FILE_MESSAGES[kind] in refused.value.message
    assert row_counts(one_member.database, with_history=True) == counts
    assert backups(one_member) == []  # refused before the backup that precedes writing


@pytest.mark.parametrize(
    "kind",
    kinds({}),
)
def test_the_refusal_names_the_file(bad_files: dict[str, Path], kind: str) -> None:
    with pytest.raises(WorkbookError) as refused:
        parse_only(bad_files[kind], ImportOptions(table="members"))
    assert bad_files[kind].name in refused.value.message


def test_a_missing_required_column_is_refused(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "countries-only.xlsx", {"Members": [["Country"], ["Cuba"]]})
    with pytest.raises(WorkbookError, match="no 'Name' column"):
        parse_only(path, ImportOptions(table="members"))


def test_a_missing_required_column_names_the_file(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "countries-only.xlsx", {"Members": [["Country"], ["Cuba"]]})
    with pytest.raises(WorkbookError) as refused:
        parse_only(path, ImportOptions(table="members"))
    assert "countries-only.xlsx" in refused.value.message


def test_no_bad_file_touches_either_backend(services: Services, bad_files: dict[str, Path]) -> None:
    services.organizations.create(OrganizationData(name="Cuban Academy of Sciences"))
    counts = row_counts(services.database, with_history=True)
    for kind, path in bad_files.items():
        with pytest.raises(UserError):
            import_file(services, path, ImportOptions(table="members"))
        if kind != "header only":  # in a whole-database workbook, an empty table is just empty
            with pytest.raises(UserError):
                import_file(services, path, ImportOptions())
    assert row_counts(services.database, with_history=True) == counts


def test_a_sheet_over_the_row_limit_is_refused(
    one_member: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "MAX_ROWS", 20)
    counts = row_counts(one_member.database, with_history=True)
    long_sheet = make_workbook(tmp_path / "long.xlsx", {"Members": GOOD_MEMBERS})
    with pytest.raises(WorkbookError, match="20 rows") as refused:
        import_file(one_member, long_sheet, ImportOptions(table="members"))
    assert "long.xlsx" in refused.value.message
    long_csv = make_csv(tmp_path / "long.csv", GOOD_MEMBERS)
    with pytest.raises(WorkbookError, match=r"long\.csv"):
        import_file(one_member, long_csv, ImportOptions(table="members"))
    assert row_counts(one_member.database, with_history=True) == counts
    # Within the limit, the same sheet imports.
    monkeypatch.setattr(reading, "MAX_ROWS", len(GOOD_MEMBERS))
    assert import_file(one_member, long_sheet, ImportOptions(table="members")).inserted == 40


def test_a_sheet_that_is_not_there(one_member: Services, tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "two.xlsx", {"Members": GOOD_MEMBERS, "Notes": [["x"]]})
    with pytest.raises(WorkbookError, match=r"two\.xlsx has no sheet 'Partners'"):
        import_file(one_member, path, ImportOptions(table="members", sheet="Partners"))
    with pytest.raises(WorkbookError, match=r"two\.xlsx has no sheet named after a table"):
        import_file(
            one_member,
            make_workbook(tmp_path / "two.xlsx", {"People": GOOD_MEMBERS}),
            ImportOptions(),
        )
    with pytest.raises(UserError, match="Unknown table 'partners'"):
        import_file(one_member, path, ImportOptions(table="partners"))


def test_the_bombs_are_refused_at_once(bad_files: dict[str, Path]) -> None:
    """The bombs are refused from the zip's directory and the first bytes of each part: quickly."""
    import time

    for kind in ("zip bomb", "XML bomb", "XML bomb behind a long comment"):
        started = time.perf_counter()
        with pytest.raises(WorkbookError):
            parse_only(bad_files[kind], ImportOptions(table="members"))
        assert time.perf_counter() - started < 2, kind


def test_a_csv_with_a_huge_cell_is_refused_cleanly(one_member: Services, tmp_path: Path) -> None:
    path = tmp_path / "long-notes.csv"
    path.write_text("Name,Notes\nCuban Academy of Sciences," + "x" * 200_000 + "\n", "utf-8")
    counts = row_counts(one_member.database, with_history=True)
    try:
        report = import_file(one_member, path, ImportOptions(table="members"))
    except WorkbookError as error:
        assert "long-notes.csv" in error.message
    else:
        assert report.errors == [] and report.updated == 1
    assert row_counts(one_member.database, with_history=True) == counts
