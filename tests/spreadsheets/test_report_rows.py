"""The report's rows are kept compactly, yet read as the `RowResult`s the wizard shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from anso_desktop.spreadsheets.report import ImportReport, Outcome, RowResult


def test_rows_read_back_as_they_were_added() -> None:
    report = ImportReport(file=Path("members.xlsx"))
    report.rows.add("Members", 2, "Cuban Academy of Sciences", Outcome.NEW)
    report.rows.add("Members", 3, "UNSJ", Outcome.ERROR, ["Country: 'Atlantis' is not a country"])
    report.rows.append(RowResult("Contacts", 2, "Ana (UNSJ)", Outcome.UNCHANGED))

    assert list(report.rows) == [
        RowResult("Members", 2, "Cuban Academy of Sciences", Outcome.NEW),
        RowResult("Members", 3, "UNSJ", Outcome.ERROR, ["Country: 'Atlantis' is not a country"]),
        RowResult("Contacts", 2, "Ana (UNSJ)", Outcome.UNCHANGED),
    ]
    assert len(report.rows) == 3
    assert report.rows[-1].sheet == "Contacts"
    assert [r.row for r in report.rows[:2]] == [2, 3]
    assert report.count(Outcome.ERROR) == 1 and report.count(Outcome.CHANGED) == 0
    with pytest.raises(IndexError):
        report.rows[3]


def test_a_row_result_read_back_is_a_copy() -> None:
    report = ImportReport(file=Path("members.xlsx"))
    report.rows.add("Members", 2, "ACC", Outcome.ERROR, ["missing"])
    report.rows[0].messages.append("changed outside")
    assert report.rows[0].messages == ["missing"]
