"""Export from the window: the list as shown (its search and filters), the whole database, an
empty template — each read back from the written file — and errors shown, not raised."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtWidgets import QFileDialog

from anso_desktop.domain import MemberStatus
from anso_desktop.services import Services
from anso_desktop.services.base import ListQuery
from anso_desktop.tables import FINANCES, MEMBERS, TABLES, TableSpec
from anso_desktop.ui.dialogs.export_dialog import ExportChoice, ExportDialog, ExportKind
from anso_desktop.ui.main_window import MainWindow
from anso_desktop.ui.tabs.members import MembersTab

TIMEOUT = 10000
ENDORSED = 8


@pytest.fixture
def members(window: MainWindow) -> MembersTab:
    tab = next(t for t in window.record_tabs() if isinstance(t, MembersTab))
    window.tabs.setCurrentWidget(tab)
    return tab


def choose(
    monkeypatch: pytest.MonkeyPatch, pick: Callable[[ExportDialog], None], seen: dict[str, Any]
) -> None:
    """Make `ExportDialog.ask` build the real dialog, let `pick` choose, and press Export."""

    def ask(
        cls: type[ExportDialog], parent: Any, spec: TableSpec, query: ListQuery, shown_rows: int
    ) -> ExportChoice:
        dialog = cls(spec, query, shown_rows, parent)
        seen["hints"] = dialog.hint_labels
        pick(dialog)
        return dialog.choice()

    monkeypatch.setattr(ExportDialog, "ask", classmethod(ask))


def save_as(monkeypatch: pytest.MonkeyPatch, target: Path, seen: dict[str, Any]) -> None:
    def get_save_file_name(_parent: Any, _title: str, suggested: str, _filter: str) -> Any:
        seen["suggested"] = Path(suggested).name
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", get_save_file_name)


def export(qtbot: Any, window: MainWindow, answers: dict[str, Any]) -> tuple[str, str]:
    assert window.export_action.isEnabled()
    window.export_action.trigger()
    qtbot.waitUntil(lambda: bool(answers["seen"]), timeout=TIMEOUT)
    return answers["seen"][-1]


def sheet_rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in workbook[sheet].iter_rows(values_only=True)]
    finally:
        workbook.close()


def test_this_list_as_shown_keeps_its_filters(
    qtbot: Any,
    window: MainWindow,
    members: MembersTab,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    answers: dict[str, Any],
) -> None:
    members.status_filter.setCurrentIndex(
        members.status_filter.findData(MemberStatus.ENDORSED.value)
    )
    assert members.model.total == ENDORSED
    seen: dict[str, Any] = {}
    choose(monkeypatch, lambda dialog: dialog.list_radio.setChecked(True), seen)
    target = tmp_path / "endorsed.xlsx"
    save_as(monkeypatch, target, seen)
    kind, text = export(qtbot, window, answers)
    assert kind == "inform", text
    assert f"with {ENDORSED} rows of member organizations" in text
    assert seen["suggested"] == f"ANSO members {date.today().isoformat()}.xlsx"
    assert seen["hints"][0].startswith(f"{ENDORSED} rows of member organizations: those the")
    rows = sheet_rows(target, MEMBERS.sheet)
    assert rows[0][:2] == ("Name", "Acronym")
    status = rows[0].index("Status")
    assert len(rows) == ENDORSED + 1
    assert {row[status] for row in rows[1:]} == {MemberStatus.ENDORSED.label}


def test_the_whole_database_has_every_sheet(
    qtbot: Any,
    window: MainWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    answers: dict[str, Any],
    demo_services: Services,
) -> None:
    seen: dict[str, Any] = {}
    choose(monkeypatch, lambda dialog: dialog.database_radio.setChecked(True), seen)
    target = tmp_path / "backup"  # the .xlsx is added
    save_as(monkeypatch, target, seen)
    kind, text = export(qtbot, window, answers)
    assert kind == "inform", text
    assert seen["suggested"] == f"ANSO database {date.today().isoformat()}.xlsx"
    written = target.with_suffix(".xlsx")
    workbook = openpyxl.load_workbook(written, read_only=True)
    assert workbook.sheetnames == [*(spec.sheet for spec in TABLES.values()), "Budget summary"]
    workbook.close()
    assert len(sheet_rows(written, "Meetings")) == demo_services.meetings.count() + 1
    assert f"Members: {demo_services.organizations.count()}" in text
    assert window.settings.value("export/folder") == str(tmp_path)


def test_a_template_has_the_table_headers(
    qtbot: Any,
    window: MainWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    answers: dict[str, Any],
) -> None:
    def pick(dialog: ExportDialog) -> None:
        assert not dialog.template_combo.isEnabled()
        dialog.template_radio.setChecked(True)
        assert dialog.template_combo.isEnabled()
        dialog.template_combo.setCurrentIndex(dialog.template_combo.findData(FINANCES.name))

    seen: dict[str, Any] = {}
    choose(monkeypatch, pick, seen)
    target = tmp_path / "budget.xlsx"
    save_as(monkeypatch, target, seen)
    kind, text = export(qtbot, window, answers)
    assert kind == "inform", text
    assert seen["suggested"] == "ANSO finances template.xlsx"
    rows = sheet_rows(target, FINANCES.sheet)
    assert rows[0] == tuple(column.header for column in FINANCES.sheet_columns)


def test_an_error_is_shown_not_raised(
    qtbot: Any,
    window: MainWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    answers: dict[str, Any],
) -> None:
    seen: dict[str, Any] = {}
    choose(monkeypatch, lambda dialog: None, seen)
    save_as(monkeypatch, tmp_path / "no such folder" / "members.xlsx", seen)
    kind, text = export(qtbot, window, answers)
    assert kind == "warn"
    assert "does not exist" in text


def test_cancelling_the_dialog_writes_nothing(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answers: dict[str, Any]
) -> None:
    monkeypatch.setattr(ExportDialog, "ask", classmethod(lambda cls, *args: None))
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: pytest.fail("no file is asked for")
    )
    window.export_action.trigger()
    assert answers["seen"] == []
    assert list(tmp_path.glob("*.xlsx")) == []


def test_the_dialog_offers_the_current_list(qtbot: Any, members: MembersTab) -> None:
    dialog = ExportDialog(members.spec, members.model.query, members.model.total)
    qtbot.addWidget(dialog)
    assert dialog.list_radio.isChecked()
    assert dialog.hint_labels[0].endswith("all of them, in the order shown.")
    choice = dialog.choice()
    assert choice.kind is ExportKind.LIST
    assert (choice.query.offset, choice.query.limit) == (0, None)  # every row, not one page
    assert members.model.query.limit is not None
