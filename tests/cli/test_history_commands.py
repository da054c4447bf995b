"""`anso-desktop history`, `undo`, `export --history` and `print members --as-at` as a script
runs them: real processes on a real database, JSON checked against the documented shape."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import openpyxl

from tests.cli.test_import_export_commands import run_cli
from tests.spreadsheets.conftest import make_workbook


def _members(path: Path) -> Path:
    return make_workbook(
        path,
        {
            "Members": [
                ["Name", "Acronym", "Country", "Status"],
                ["Cuban Academy of Sciences", "ACC", "Cuba", "Endorsed by GB"],
                ["Kenya National Academy of Sciences", "KNAS", "Kenya", "Applicant"],
            ]
        },
    )


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_history_lists_an_import_and_undo_takes_it_back(db_location: str, tmp_path: Path) -> None:
    _ok(run_cli("demo", "--db", db_location, data_dir=tmp_path))
    before = _ok(
        run_cli("export", str(tmp_path / "before.xlsx"), "--db", db_location, data_dir=tmp_path)
    )
    assert "Exported" in before
    _ok(
        run_cli(
            "import", str(_members(tmp_path / "new.xlsx")), "--db", db_location, data_dir=tmp_path
        )
    )

    sets = json.loads(_ok(run_cli("history", "--json", "--db", db_location, data_dir=tmp_path)))
    newest = sets[0]
    assert set(newest) >= {"id", "at", "who", "source", "changes"}
    assert newest["source"] == "import new.xlsx"
    assert newest["at"].endswith("Z")
    actions = {(c["table"], c["action"]) for c in newest["changes"]}
    assert actions == {("members", "insert"), ("members", "update")}
    updated = next(c for c in newest["changes"] if c["action"] == "update")
    assert updated["fields"] == {"acronym": [None, "ACC"]}
    assert sets[-1]["source"] == "demo"

    record = updated["record"]
    one = json.loads(
        _ok(
            run_cli(
                "history", "--table", "members", "--record", str(record), "--json",
                "--db", db_location, data_dir=tmp_path,
            )
        )
    )  # fmt: skip
    assert [s["source"] for s in one] == ["import new.xlsx", "demo"]
    assert all(c["record"] == record for s in one for c in s["changes"])
    assert json.loads(
        _ok(run_cli("history", "--who", "nobody-by-this-name", "--json", "--db", db_location, data_dir=tmp_path))
    ) == []  # fmt: skip

    dry = _ok(
        run_cli("undo", str(newest["id"]), "--dry-run", "--db", db_location, data_dir=tmp_path)
    )
    assert "Nothing has been changed yet" in dry
    done = _ok(run_cli("undo", str(newest["id"]), "--db", db_location, data_dir=tmp_path))
    assert f"Undid change set #{newest['id']}" in done
    _ok(run_cli("export", str(tmp_path / "after.xlsx"), "--db", db_location, data_dir=tmp_path))
    assert _cells(tmp_path / "after.xlsx") == _cells(tmp_path / "before.xlsx")

    again = run_cli("undo", str(newest["id"]), "--db", db_location, data_dir=tmp_path)
    assert again.returncode == 1 and "undone already" in again.stderr
    missing = run_cli("undo", "999999", "--db", db_location, data_dir=tmp_path)
    assert missing.returncode == 1 and "no change set #999999" in missing.stderr
    usage = run_cli("history", "--record", "3", "--db", db_location, data_dir=tmp_path)
    assert usage.returncode == 2


def _cells(path: Path) -> dict[str, list[tuple[object, ...]]]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in workbook}
    finally:
        workbook.close()


def test_undo_is_refused_when_a_record_changed_since(db_location: str, tmp_path: Path) -> None:
    _ok(run_cli("demo", "--db", db_location, data_dir=tmp_path))
    _ok(
        run_cli(
            "import", str(_members(tmp_path / "new.xlsx")), "--db", db_location, data_dir=tmp_path
        )
    )
    first = json.loads(_ok(run_cli("history", "--json", "--db", db_location, data_dir=tmp_path)))[0]
    changed = make_workbook(
        tmp_path / "later.xlsx",
        {"Members": [["Name", "Acronym"], ["Kenya National Academy of Sciences", "KeNAS"]]},
    )
    _ok(run_cli("import", str(changed), "--db", db_location, data_dir=tmp_path))
    refused = run_cli("undo", str(first["id"]), "--db", db_location, data_dir=tmp_path)
    assert refused.returncode == 1
    assert "Kenya National Academy of Sciences" in refused.stderr
    assert "Nothing was changed" in refused.stderr
    latest = json.loads(_ok(run_cli("history", "--json", "--db", db_location, data_dir=tmp_path)))
    assert latest[0]["source"] == "import later.xlsx"  # no undo was recorded


def test_export_history_sheet_only_when_asked(db_location: str, tmp_path: Path) -> None:
    _ok(run_cli("demo", "--db", db_location, data_dir=tmp_path))
    _ok(run_cli("export", str(tmp_path / "plain.xlsx"), "--db", db_location, data_dir=tmp_path))
    out = _ok(
        run_cli(
            "export", str(tmp_path / "h.xlsx"), "--history", "--db", db_location, data_dir=tmp_path
        )
    )
    assert "history rows" in out
    assert "History" not in _cells(tmp_path / "plain.xlsx")
    history = _cells(tmp_path / "h.xlsx")["History"]
    assert history[0][:5] == ("Change set", "When", "Who", "Login", "Source")
    assert any(row[4] == "demo" and row[8] == "name" for row in history[1:])
    # Re-importing the export (its History sheet included) changes nothing.
    again = json.loads(
        _ok(
            run_cli(
                "import", str(tmp_path / "h.xlsx"), "--json", "--db", db_location, data_dir=tmp_path
            )
        )
    )
    assert again["inserted"] == 0 and again["updated"] == 0


def test_print_members_as_at_a_day(db_location: str, tmp_path: Path) -> None:
    _ok(run_cli("demo", "--db", db_location, data_dir=tmp_path))
    pdf = tmp_path / "as-at.pdf"
    out = _ok(
        run_cli(
            "print", "members", "--as-at", "2021-10-09", "--pdf", str(pdf),
            "--db", db_location, data_dir=tmp_path,
        )
    )  # fmt: skip
    assert "Printed" in out
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "as at 9 October 2021" in text
    assert "Cuban Academy of Sciences" in text  # endorsed on 9 October 2021
    assert "Chinese Academy of Sciences" not in text  # no date known, entered after the day
    bad = run_cli("print", "members", "--as-at", "9/10/2021", "--pdf", str(pdf), data_dir=tmp_path)
    assert bad.returncode == 2
