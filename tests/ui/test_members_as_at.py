"""The Members tab as at a past day: the register rebuilt from back-dated history in the same
grid, under the search, filters and sort, read only; Esc brings the live register back where the
user left it, and File › Print… prints the day's list."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import QDate, QPoint, QSettings, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication, QDialog
from sqlalchemy import text

from anso_desktop.domain import MemberStatus, Relation
from anso_desktop.reports.documents import PrintRequest, build_list
from anso_desktop.services import Services
from anso_desktop.services.organizations import OrganizationData
from anso_desktop.ui import printing
from anso_desktop.ui.dialogs.organization import OrganizationDialog
from anso_desktop.ui.dialogs.print_dialog import PrintChoice, PrintDialog
from anso_desktop.ui.main_window import MainWindow
from anso_desktop.ui.tabs.members import MembersTab

DAY = date(2021, 10, 9)
OLD_NAME = "Alpha Academy"
NEW_NAME = "Alpha Academy of Sciences"
LATER = "Beta University"  # entered after the day
GONE = "Gamma Institute"  # there on the day, deleted since


def _at(services: Services, when: str) -> None:
    """Date the newest change set in the past (the test's stand-in for time passing)."""
    newest = services.history.change_sets(with_rows=False)[0].id
    with services.database.connection() as connection:
        connection.execute(
            text("UPDATE change_sets SET at = :at WHERE id = :id"), {"at": when, "id": newest}
        )


@pytest.fixture
def services(empty_services: Services) -> Services:
    """Alpha (a member since January 2021, renamed in 2022), Gamma (deleted in 2022) and Beta
    (entered in 2022), each change dated when it happened."""
    organizations = empty_services.organizations
    alpha = organizations.create(
        OrganizationData(
            name=OLD_NAME,
            country="KE",
            relation=Relation.MEMBER,
            status=MemberStatus.APPLICANT,
            applied_on=date(2021, 1, 5),
        )
    )
    _at(empty_services, "2021-01-05 09:00:00")
    gamma = organizations.create(OrganizationData(name=GONE, country="GH"))
    _at(empty_services, "2021-01-06 09:00:00")
    organizations.update(
        alpha.id, alpha.version, replace(OrganizationData.from_record(alpha), name=NEW_NAME)
    )
    _at(empty_services, "2022-03-01 10:00:00")
    organizations.delete(gamma.id)
    _at(empty_services, "2022-03-02 10:00:00")
    organizations.create(OrganizationData(name=LATER, country="NG"))
    _at(empty_services, "2022-02-01 10:00:00")
    return empty_services


@pytest.fixture
def tab(qtbot: Any, services: Services, undo_stack: QUndoStack) -> MembersTab:
    widget = MembersTab(services, undo_stack)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def names(tab: MembersTab) -> list[str]:
    return [tab.model.record_at(row).name for row in range(tab.model.rowCount())]


def show_day(qtbot: Any, tab: MembersTab, expected: list[str]) -> None:
    """Tick "As at", type the day, and wait for the rows read off the GUI thread."""
    tab.as_at_check.click()
    tab.as_at_date.setDate(QDate(DAY.year, DAY.month, DAY.day))
    qtbot.waitUntil(lambda: tab.as_at is not None and names(tab) == expected, timeout=5000)


def test_the_grid_shows_the_register_as_it_was_on_the_day(
    qtbot: Any, tab: MembersTab, qtmodeltester: Any
) -> None:
    assert sorted(names(tab)) == [NEW_NAME, LATER]
    assert tab.as_at_date.text() == "Now" and not tab.as_at_date.isEnabled()

    show_day(qtbot, tab, [OLD_NAME, GONE])

    assert tab.as_at_day == DAY
    banner = tab.as_at_banner.text()
    assert tab.as_at_banner.isVisible()
    assert "The register as at 9 October 2021 — read only." in banner
    assert tab.as_at_date.text() == "9 October 2021"
    assert tab.status_text().startswith("2 organizations as at 9 October 2021")
    status = [c.key for c in tab.model.columns].index("status")
    assert tab.model.index(0, status).data() == MemberStatus.APPLICANT.label
    qtmodeltester.check(tab.model)


def test_search_filters_and_sort_apply_to_the_day(qtbot: Any, tab: MembersTab) -> None:
    show_day(qtbot, tab, [OLD_NAME, GONE])

    name = [c.key for c in tab.model.columns].index("name")
    tab.view.sortByColumn(name, Qt.SortOrder.DescendingOrder)
    assert names(tab) == [GONE, OLD_NAME]

    tab.search.setText("gamma")
    tab.apply_query()
    qtbot.waitUntil(lambda: names(tab) == [GONE], timeout=5000)
    tab.search.clear()
    tab.relation_filter.setCurrentIndex(tab.relation_filter.findData(Relation.MEMBER.value))
    qtbot.waitUntil(lambda: names(tab) == [OLD_NAME], timeout=5000)
    assert tab.print_request().filters == {"relation": Relation.MEMBER.value}


def test_the_past_cannot_be_edited(
    qtbot: Any,
    tab: MembersTab,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
    answers: dict[str, Any],
) -> None:
    opened: list[Any] = []
    monkeypatch.setattr(
        OrganizationDialog, "ask", classmethod(lambda cls, *args: opened.append(args))
    )
    show_day(qtbot, tab, [OLD_NAME, GONE])
    tab.view.selectRow(0)

    assert "as at 9 October 2021" in (tab.read_only_reason or "")
    assert not any(action.isEnabled() for action in tab.lifecycle_actions)
    assert not any(widget.isEnabled() for widget in tab.editing_widgets)
    assert not tab.add_contact_button.isEnabled() and tab.add_contact_button.isHidden()
    tab.new_record()
    tab.edit_selected()
    tab.view.doubleClicked.emit(tab.model.index(0, 0))
    tab.delete_selected()
    assert opened == []
    assert answers["seen"] == []  # not even asked to confirm the delete
    assert services.organizations.find_by_name(NEW_NAME) is not None
    # The pane shows the organization as it was, without today's contacts.
    assert OLD_NAME in tab.facts.text() and "As at 9 October 2021" in tab.facts.text()


def test_esc_brings_back_the_live_register_where_it_was(qtbot: Any, tab: MembersTab) -> None:
    later = names(tab).index(LATER)
    tab.view.selectRow(later)
    show_day(qtbot, tab, [OLD_NAME, GONE])

    tab.view.setFocus()
    qtbot.keyClick(tab.view, Qt.Key.Key_Escape)

    assert tab.as_at_day is None and tab.as_at_banner.isHidden()
    assert sorted(names(tab)) == [NEW_NAME, LATER]
    assert [record.name for record in tab.selected_records()] == [LATER]
    assert tab.as_at_date.text() == "Now" and not tab.as_at_check.isChecked()
    assert tab.read_only_reason is None and not tab.add_contact_button.isHidden()
    assert all(widget.isEnabled() for widget in tab.editing_widgets)
    assert tab.print_request().as_at is None


def test_esc_in_the_open_calendar_only_closes_it(qtbot: Any, tab: MembersTab) -> None:
    show_day(qtbot, tab, [OLD_NAME, GONE])
    arrow = QPoint(tab.as_at_date.width() - 8, tab.as_at_date.height() // 2)
    qtbot.mouseClick(tab.as_at_date, Qt.MouseButton.LeftButton, pos=arrow)
    calendar = tab.as_at_date.calendarWidget()
    qtbot.waitUntil(calendar.isVisible, timeout=2000)

    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)

    assert not calendar.isVisible()
    assert tab.as_at_day == DAY and names(tab) == [OLD_NAME, GONE]


def test_a_reading_overtaken_by_now_is_dropped(qtbot: Any, tab: MembersTab) -> None:
    tab.set_as_at(DAY)
    tab.show_now()  # before the day's rows have come
    qtbot.wait(300)
    assert tab.as_at_day is None and tab.as_at is None
    assert sorted(names(tab)) == [NEW_NAME, LATER]


def test_the_date_control_is_reachable_by_tab(qtbot: Any, tab: MembersTab) -> None:
    tab.clear_button.setFocus()
    assert tab.clear_button.nextInFocusChain() is tab.as_at_check
    tab.as_at_check.setFocus()
    qtbot.keyClick(tab.as_at_check, Qt.Key.Key_Space)
    assert tab.as_at_check.isChecked() and tab.as_at_date.isEnabled()
    assert tab.as_at_date.hasFocus()


def test_print_from_the_tab_prints_the_day(
    qtbot: Any, services: Services, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = MainWindow(services, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    tab = next(t for t in window.record_tabs() if isinstance(t, MembersTab))
    window.tabs.setCurrentWidget(tab)
    show_day(qtbot, tab, [OLD_NAME, GONE])
    asked: list[PrintDialog] = []

    def ask(
        cls: type[PrintDialog], parent: Any, request: PrintRequest, *rest: Any
    ) -> PrintChoice | None:
        dialog = cls(request, *rest, parent=parent)
        asked.append(dialog)
        dialog.preview_button.click()
        return dialog.choice() if dialog.result() == QDialog.DialogCode.Accepted else None

    seen: list[str] = []

    def look(dialog: QDialog) -> int:
        seen.append(dialog.windowTitle())
        return 0

    monkeypatch.setattr(PrintDialog, "ask", classmethod(ask))
    monkeypatch.setattr(printing, "run_modal", look)
    window.print_list()
    qtbot.waitUntil(lambda: bool(seen), timeout=10000)

    (dialog,) = asked
    assert dialog.request.as_at == DAY
    assert dialog.windowTitle() == "Print member organizations as at 9 October 2021"
    assert seen == ["Print preview — Member organizations as at 9 October 2021"]
    assert dialog.choice().file_name() == "ANSO members as at 2021-10-09.pdf"
    document = build_list(services, dialog.choice().request)
    printed = [row.cells[0] for group in document.groups for row in group.rows]
    assert sorted(printed) == [OLD_NAME, GONE]
