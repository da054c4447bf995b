"""File › Print… in the window: the print dialog, the preview, a printer and a PDF, each from the
tab's own list as filtered, read back from real PDFs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QDialog, QFileDialog

from anso_desktop.domain import MemberStatus
from anso_desktop.reports.documents import PrintRequest, build_list, default_columns
from anso_desktop.reports.rendering import write_pdf
from anso_desktop.services.base import ListQuery
from anso_desktop.ui import printing
from anso_desktop.ui.dialogs.print_dialog import PrintAction, PrintChoice, PrintDialog
from anso_desktop.ui.main_window import MainWindow
from anso_desktop.ui.tabs.members import MembersTab
from tests.pdf_text import declared_pages, page_texts


def members_tab(window: MainWindow) -> MembersTab:
    tab = next(tab for tab in window.record_tabs() if isinstance(tab, MembersTab))
    window.tabs.setCurrentWidget(tab)
    return tab


def press(
    monkeypatch: pytest.MonkeyPatch, set_up: Any = None, button: str = "pdf_button"
) -> list[PrintDialog]:
    """Make File › Print… build the real dialog, let `set_up` change it, and press a button."""
    opened: list[PrintDialog] = []

    def ask(
        cls: type[PrintDialog],
        parent: Any,
        request: PrintRequest,
        summary: str,
        rows: int,
        settings: QSettings,
    ) -> PrintChoice | None:
        dialog = cls(request, summary, rows, settings, parent)
        opened.append(dialog)
        if set_up is not None:
            set_up(dialog)
        getattr(dialog, button).click()
        return dialog.choice() if dialog.result() == QDialog.DialogCode.Accepted else None

    monkeypatch.setattr(PrintDialog, "ask", classmethod(ask))
    return opened


def test_ctrl_p_opens_the_print_dialog_on_any_tab(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(
        PrintDialog,
        "ask",
        classmethod(lambda cls, parent, request, *rest: asked.append(request.table)),
    )
    qtbot.waitUntil(lambda: not window.print_action.shortcut().isEmpty(), timeout=2000)
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert asked == ["meetings", "members", "decisions", "finances"]


def test_the_dialog_offers_the_lists_columns_and_remembers_choices(
    qtbot: Any, settings: QSettings
) -> None:
    request = PrintRequest("members", filters={"status": "active"})
    dialog = PrintDialog(request, "Status: Active", 6, settings)
    qtbot.addWidget(dialog)
    assert dialog.chosen_columns() == default_columns("members")
    assert dialog.windowTitle() == "Print member organizations"
    acronym = next(
        dialog.columns.item(row)
        for row in range(dialog.columns.count())
        if dialog.columns.item(row).data(Qt.ItemDataRole.UserRole) == "acronym"
    )
    acronym.setCheckState(Qt.CheckState.Unchecked)
    dialog.group_by.setCurrentIndex(dialog.group_by.findData("country"))
    dialog.orientation.setCurrentIndex(1)
    dialog.pdf_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    choice = dialog.choice()
    assert choice.action is PrintAction.PDF
    assert "acronym" not in choice.request.columns and "name" in choice.request.columns
    assert choice.request.group_by == "country"
    assert choice.request.filters == {"status": "active"}
    assert choice.setup.landscape

    again = PrintDialog(request, "Status: Active", 6, settings)
    qtbot.addWidget(again)
    assert again.chosen_columns() == choice.request.columns
    assert again.group_by.currentData() == "country"
    assert again.orientation.currentData() is True


def test_a_list_with_no_columns_is_not_printed(qtbot: Any, settings: QSettings) -> None:
    dialog = PrintDialog(PrintRequest("meetings"), "All records", 44, settings)
    qtbot.addWidget(dialog)
    for row in range(dialog.columns.count()):
        dialog.columns.item(row).setCheckState(Qt.CheckState.Unchecked)
    dialog.preview_button.click()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert not dialog.error_label.isHidden()
    assert "at least one column" in dialog.error_label.text()


def test_save_as_pdf_prints_the_tab_as_filtered(
    qtbot: Any,
    window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    answers: dict[str, Any],
    tmp_path: Path,
) -> None:
    tab = members_tab(window)
    tab.status_filter.setCurrentIndex(tab.status_filter.findData(MemberStatus.ACTIVE.value))
    press(monkeypatch, lambda d: d.group_by.setCurrentIndex(d.group_by.findData("country")))
    target = tmp_path / "active members.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.print_action.trigger()
    qtbot.waitUntil(lambda: any(kind == "inform" for kind, _ in answers["seen"]), timeout=10000)
    pages = declared_pages(target)
    text = "\n".join(page_texts(target))
    active = window.services.organizations.list(ListQuery(filters={"status": "active"})).rows
    assert len(active) == 6
    for member in active:  # long names wrap: their first words are on the first line
        assert " ".join(member.name.split()[:2]) in text
    assert "Instituto Argentino de Radioastronomía" not in text  # endorsed, not active
    assert "Status: Active" in text
    assert "Member organizations, by country" in text
    assert "China — 1 organization" in text
    assert f"Page 1 of {pages}" in text
    informed = next(message for kind, message in answers["seen"] if kind == "inform")
    assert f"6 organizations on {pages} page" in informed


def test_preview_shows_the_pages_then_closes(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    members_tab(window)
    press(monkeypatch, button="preview_button")
    seen: dict[str, Any] = {}

    def look(dialog: QDialog) -> int:
        assert isinstance(dialog, QPrintPreviewDialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        seen["pages"] = printing.preview_page_count(dialog)
        seen["title"] = dialog.windowTitle()
        dialog.close()
        return 0

    monkeypatch.setattr(printing, "run_modal", look)
    window.print_action.trigger()
    qtbot.waitUntil(lambda: "pages" in seen, timeout=10000)
    document = build_list(window.services, PrintRequest("members"))
    expected = write_pdf(document, tmp_path / "same.pdf")
    assert seen["pages"] == expected > 1
    assert seen["title"] == "Print preview — Member organizations"


def test_print_to_a_printer_sends_every_page(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    members_tab(window)
    press(monkeypatch, button="printer_button")
    spooled = tmp_path / "spooled.pdf"

    def choose_printer(dialog: QDialog) -> int:
        assert isinstance(dialog, QPrintDialog)
        # The test's "printer" writes what it receives to a file.
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(spooled))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(printing, "run_modal", choose_printer)
    window.print_action.trigger()
    qtbot.waitUntil(lambda: "Sent" in window.statusBar().currentMessage(), timeout=10000)
    pages = declared_pages(spooled)
    assert window.statusBar().currentMessage().startswith(f"Sent {pages} pages of Member")
    assert "Chinese Academy of Sciences" in "\n".join(page_texts(spooled))


def test_the_finances_tab_prints_its_years_summary(
    qtbot: Any,
    window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    answers: dict[str, Any],
    tmp_path: Path,
) -> None:
    tab = next(t for t in window.record_tabs() if t.printed_list == "finances")
    window.tabs.setCurrentWidget(tab)
    tab.year.setCurrentIndex(tab.year.findData(2021))
    request = tab.print_request()
    assert request.table == "finances" and request.filters["year"] == 2021
    opened = press(monkeypatch)
    target = tmp_path / "finances.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.print_action.trigger()
    qtbot.waitUntil(target.exists, timeout=10000)
    assert not opened[0].group_by.isEnabled()
    text = "\n".join(page_texts(target))
    assert "Budget against actual 2021" in text
    assert "Total CNY" in text
