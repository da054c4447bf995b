"""Find duplicates, driven on a real database: pairs listed best first, two records side by side
with a choice per field, Merge (refusals shown in the dialog, Ctrl+Z through the window's undo
stack, every tab refreshed), "Not a duplicate", the empty state and the keyboard."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QUndoStack

from anso_desktop.domain import MemberStatus, Relation
from anso_desktop.services import Services
from anso_desktop.services.meetings import MeetingData
from anso_desktop.services.organizations import ContactData, OrganizationData
from anso_desktop.ui.dialogs.duplicates import DuplicatesDialog
from anso_desktop.ui.dialogs.merge_fields import BLANK, FieldChoicesModel
from anso_desktop.ui.main_window import MainWindow
from anso_desktop.ui.tabs.meetings import MeetingsTab
from anso_desktop.ui.tabs.members import MembersTab

PAS = "Pakistan Academy of Sciences"
PAS_AGAIN = "Pakistan Academy of Science"
RAS = "Russian Academy of Sciences"
RAS_AGAIN = "The Russian Academy of Sciences"
TIMEOUT = 10000


@pytest.fixture
def planted(demo_services: Services) -> dict[str, int]:
    """The demo register with two organizations typed in twice: a strong pair (the same name
    with a leading "The") and a weak one (a similar name), the latter with a website and a
    contact of its own."""
    organizations = demo_services.organizations
    pas = organizations.find_by_name(PAS)
    ras = organizations.find_by_name(RAS)
    assert pas is not None and ras is not None
    pas_again = organizations.create(
        OrganizationData(name=PAS_AGAIN, country="PK", website="www.paspk.org", kind=pas.kind)
    )
    organizations.add_contact(ContactData(pas_again.id, "Dr Amina Khan", role="Secretary"))
    ras_again = organizations.create(OrganizationData(name=RAS_AGAIN, country="RU"))
    return {"pas": pas.id, "pas_again": pas_again.id, "ras": ras.id, "ras_again": ras_again.id}


@pytest.fixture
def open_dialog(qtbot: Any, undo_stack: QUndoStack) -> Iterator[Callable[..., DuplicatesDialog]]:
    opened: list[DuplicatesDialog] = []

    def open_(services: Services, table: str = "members") -> DuplicatesDialog:
        dialog = DuplicatesDialog(services, table, undo_stack)  # type: ignore[arg-type]
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(lambda: not dialog.busy, timeout=TIMEOUT)
        opened.append(dialog)
        return dialog

    yield open_
    for dialog in opened:  # never leave a worker thread behind
        qtbot.waitUntil(lambda d=dialog: not d.busy, timeout=TIMEOUT)


def shown_pairs(dialog: DuplicatesDialog) -> list[tuple[str, str]]:
    model = dialog.pairs_model
    return [(pair.first.name, pair.second.name) for pair in model.pairs[: model.rowCount()]]


def select(dialog: DuplicatesDialog, first: str, second: str) -> None:
    dialog.select_pair(shown_pairs(dialog).index((first, second)))


def wait_done(qtbot: Any, dialog: DuplicatesDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.busy, timeout=TIMEOUT)


def names(services: Services) -> set[str]:
    return {record.name for record in services.organizations.list().rows}


def menu_texts(menu: Any) -> list[str]:
    return [action.text() for action in menu.actions()]


# --- the list ----------------------------------------------------------------------------------


def test_find_duplicates_is_in_the_members_and_the_meetings_menus(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[str, Any]] = []

    def record(
        cls: type, parent: Any, services: Services, table: str, stack: Any, *_: Any, **__: Any
    ) -> None:
        asked.append((table, stack))

    monkeypatch.setattr(DuplicatesDialog, "ask", classmethod(record))
    members = next(a for a in window.members_menu.actions() if "duplicates" in a.text())
    meetings = next(a for a in window.meetings_menu.actions() if "duplicates" in a.text())
    assert members.text() == meetings.text() == "Find &duplicates…"
    assert "Endorse at board meeting…" in menu_texts(window.members_menu)  # still there
    members.trigger()
    meetings.trigger()
    assert asked == [("members", window.undo_stack), ("meetings", window.undo_stack)]


def test_pairs_are_listed_best_first_with_both_names_the_reason_and_a_score(
    qtmodeltester: Any,
    demo_services: Services,
    planted: dict[str, int],
    open_dialog: Callable[..., DuplicatesDialog],
) -> None:
    dialog = open_dialog(demo_services)
    qtmodeltester.check(dialog.pairs_model)
    assert shown_pairs(dialog) == [(RAS, RAS_AGAIN), (PAS, PAS_AGAIN)]
    model = dialog.pairs_model
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == [
        "Score",
        "One",
        "The other",
        "Why they look alike",
    ]
    assert model.index(0, 0).data() == 100
    assert model.index(0, 1).data() == f"{RAS} (#{planted['ras']})"
    assert model.index(0, 2).data() == f"{RAS_AGAIN} (#{planted['ras_again']})"
    assert "'The'" in model.index(0, 3).data()
    assert model.index(1, 0).data() == 98
    assert "similar name" in model.index(1, 3).data()
    assert dialog.stack.currentIndex() == 0
    assert dialog.pair is not None and dialog.pair.first.name == RAS  # the best one, selected


def test_no_likely_duplicates_says_so(
    empty_services: Services, open_dialog: Callable[..., DuplicatesDialog]
) -> None:
    empty_services.organizations.create(OrganizationData(name=PAS))
    dialog = open_dialog(empty_services)
    assert dialog.stack.currentWidget() is dialog.empty_label
    assert dialog.empty_label.text().startswith("No likely duplicates among the organizations.")
    assert not dialog.merge_button.isEnabled()
    assert not dialog.distinct_button.isEnabled()


# --- side by side ------------------------------------------------------------------------------


def test_a_pair_side_by_side_keeps_the_survivors_values_and_fills_its_blanks(
    qtbot: Any,
    qtmodeltester: Any,
    demo_services: Services,
    planted: dict[str, int],
    open_dialog: Callable[..., DuplicatesDialog],
) -> None:
    dialog = open_dialog(demo_services)
    select(dialog, PAS, PAS_AGAIN)
    fields = dialog.fields_model
    qtmodeltester.check(fields)
    assert (fields.keep_id, fields.other_id) == (planted["pas"], planted["pas_again"])
    assert PAS in dialog.compare_title.text() and PAS_AGAIN in dialog.compare_title.text()

    def cell(key: str, column: int, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> Any:
        return fields.index(fields.row_of(key), column).data(role)

    checked = Qt.ItemDataRole.CheckStateRole
    assert cell("name", FieldChoicesModel.FIELD) == "Name"
    assert (cell("name", 1), cell("name", 2)) == (PAS, PAS_AGAIN)
    assert cell("name", 1, checked) == Qt.CheckState.Checked  # the survivor's name stays
    assert cell("name", 2, checked) == Qt.CheckState.Unchecked
    assert (cell("website", 1), cell("website", 2)) == (BLANK, "www.paspk.org")
    assert cell("website", 2, checked) == Qt.CheckState.Checked  # a blank filled from the other
    assert (cell("relation", 1), cell("relation", 2)) == ("Member", "Other")
    assert (cell("country", 1), cell("country", 2)) == ("Pakistan", "Pakistan")
    assert cell("country", 1, checked) is None  # the same in both: nothing to choose
    assert fields.take_from_other() == ["website"]
    assert "Applied" not in [choice.label for choice in fields.choices]  # blank in both
    fields.choose("name", from_other=True)
    assert fields.surviving("name") == PAS_AGAIN
    assert fields.take_from_other() == ["name", "website"]
    # A click on a value keeps it; ticking off the kept one keeps the other.
    dialog.fields_view.clicked.emit(fields.index(fields.row_of("name"), 1))
    assert fields.surviving("name") == PAS
    fields.setData(fields.index(fields.row_of("website"), 2), Qt.CheckState.Unchecked, checked)
    assert fields.surviving("website") == ""
    assert fields.take_from_other() == []
    # Space on a value's tick box switches it, as a click on the box does.
    dialog.fields_view.setFocus()
    dialog.fields_view.setCurrentIndex(fields.index(fields.row_of("acronym"), 2))
    qtbot.keyClick(dialog.fields_view, Qt.Key.Key_Space)
    assert fields.surviving("acronym") == ""
    assert fields.take_from_other() == ["acronym"]


def test_swap_keeps_the_other_record(
    qtbot: Any,
    demo_services: Services,
    planted: dict[str, int],
    open_dialog: Callable[..., DuplicatesDialog],
) -> None:
    dialog = open_dialog(demo_services)
    select(dialog, PAS, PAS_AGAIN)
    dialog.swap_button.click()
    assert dialog.kept is not None and dialog.kept.id == planted["pas_again"]
    assert dialog.fields_model.keep_id == planted["pas_again"]
    assert dialog.fields_model.surviving("name") == PAS_AGAIN
    assert dialog.fields_model.surviving("acronym") == "PAS"  # its blank filled from the other
    dialog.merge_button.click()
    wait_done(qtbot, dialog)
    assert PAS not in names(demo_services)
    kept = demo_services.organizations.get(planted["pas_again"])
    assert (kept.name, kept.acronym, kept.website) == (PAS_AGAIN, "PAS", "www.paspk.org")
    assert demo_services.organizations.aliases(kept.id) == [PAS]


# --- merge, with undo --------------------------------------------------------------------------


@pytest.fixture
def from_the_menu(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str], DuplicatesDialog]]:
    """Open Find duplicates from the window's menu: the real dialog, shown without its modal
    loop, with what the tab hands it (the window's undo stack, the refresh of every tab)."""
    opened: list[DuplicatesDialog] = []

    def ask(cls: type[DuplicatesDialog], parent: Any, *args: Any, **kwargs: Any) -> None:
        dialog = cls(*args, parent=parent, **kwargs)  # type: ignore[misc]
        qtbot.addWidget(dialog)
        dialog.show()
        opened.append(dialog)

    monkeypatch.setattr(DuplicatesDialog, "ask", classmethod(ask))

    def open_(menu: str) -> DuplicatesDialog:
        chosen = window.members_menu if menu == "members" else window.meetings_menu
        next(a for a in chosen.actions() if "duplicates" in a.text()).trigger()
        dialog = opened[-1]
        qtbot.waitUntil(lambda: not dialog.busy, timeout=TIMEOUT)
        return dialog

    yield open_
    for dialog in opened:
        qtbot.waitUntil(lambda d=dialog: not d.busy, timeout=TIMEOUT)


def members_shown(window: MainWindow) -> set[str]:
    """What the Members tab shows, as it is (not read again here)."""
    members = next(t for t in window.record_tabs() if isinstance(t, MembersTab))
    return {members.model.record_at(r).name for r in range(members.model.rowCount())}


def test_merge_from_the_members_menu_refreshes_the_tabs_and_ctrl_z_undoes_it(
    qtbot: Any,
    planted: dict[str, int],
    window: MainWindow,
    demo_services: Services,
    from_the_menu: Callable[[str], DuplicatesDialog],
) -> None:
    before = demo_services.organizations.count()
    assert PAS_AGAIN in members_shown(window)
    dialog = from_the_menu("members")
    select(dialog, PAS, PAS_AGAIN)
    dialog.fields_model.choose("notes", from_other=True)  # the other has none: notes go blank
    dialog.merge_button.click()
    assert dialog.busy  # off the GUI thread
    wait_done(qtbot, dialog)

    assert dialog.isVisible()
    assert "Merged 'Pakistan Academy of Science'" in dialog.message_text()
    assert "moved 1 contact" in dialog.message_text()
    assert shown_pairs(dialog) == [(RAS, RAS_AGAIN)]  # the merged pair left the list
    assert demo_services.organizations.count() == before - 1
    kept = demo_services.organizations.get(planted["pas"])
    assert (kept.name, kept.acronym, kept.website, kept.notes) == (
        PAS,
        "PAS",
        "www.paspk.org",
        None,
    )
    assert kept.status is MemberStatus.ACTIVE
    assert [c.name for c in demo_services.organizations.contacts(kept.id)] == ["Dr Amina Khan"]
    assert demo_services.organizations.aliases(kept.id) == [PAS_AGAIN]
    assert PAS_AGAIN not in members_shown(window)  # the tab was refreshed
    dialog.close_button.click()
    assert not dialog.isVisible()

    # Ctrl+Z in the window (Edit › Undo) puts both back as they were; every tab shows it.
    undo_action = next(
        a for a in window.menuBar().actions()[1].menu().actions() if a.text().startswith("&Undo")
    )
    qtbot.waitUntil(lambda: not undo_action.shortcut().isEmpty(), timeout=2000)
    assert undo_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert window.undo_stack.undoText() == f"Merge “{PAS_AGAIN}” into “{PAS}”"
    undo_action.trigger()
    assert demo_services.organizations.count() == before
    restored = demo_services.organizations.get(planted["pas_again"])
    assert (restored.name, restored.website) == (PAS_AGAIN, "www.paspk.org")
    assert [c.name for c in demo_services.organizations.contacts(restored.id)] == ["Dr Amina Khan"]
    original = demo_services.organizations.get(planted["pas"])
    assert (original.website, original.notes) == (None, "Member named in the report.")
    assert demo_services.organizations.aliases(planted["pas"]) == []
    assert PAS_AGAIN in members_shown(window)

    # Redo merges them again, with the same choices.
    window.undo_stack.redo()
    assert demo_services.organizations.count() == before - 1
    assert demo_services.organizations.get(planted["pas"]).notes is None
    assert PAS_AGAIN not in members_shown(window)


def test_ctrl_z_in_the_dialog_undoes_the_merge_and_lists_the_pair_again(
    qtbot: Any,
    demo_services: Services,
    planted: dict[str, int],
    undo_stack: QUndoStack,
    open_dialog: Callable[..., DuplicatesDialog],
) -> None:
    dialog = open_dialog(demo_services)
    select(dialog, RAS, RAS_AGAIN)
    dialog.merge_button.click()
    wait_done(qtbot, dialog)
    assert shown_pairs(dialog) == [(PAS, PAS_AGAIN)]
    assert undo_stack.canUndo()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    qtbot.keyClick(dialog, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_done(qtbot, dialog)
    assert RAS_AGAIN in names(demo_services)
    assert shown_pairs(dialog) == [(RAS, RAS_AGAIN), (PAS, PAS_AGAIN)]
    assert dialog.message_text().startswith("Undone: Merge")


def test_a_refused_merge_is_explained_in_the_dialog_which_stays_open(
    qtbot: Any, empty_services: Services, open_dialog: Callable[..., DuplicatesDialog]
) -> None:
    organizations = empty_services.organizations
    for name, applied, approved in (
        ("Mongolian Academy of Sciences", date(2019, 1, 7), date(2019, 11, 4)),
        ("Mongolian Academy of Science", date(2020, 1, 6), date(2021, 5, 6)),
    ):
        organizations.create(
            OrganizationData(
                name=name,
                country="MN",
                relation=Relation.MEMBER,
                status=MemberStatus.APPROVED,
                applied_on=applied,
                endorsed_on=applied,
                approved_on=approved,
            )
        )
    dialog = open_dialog(empty_services)
    dialog.merge_button.click()
    wait_done(qtbot, dialog)
    assert dialog.isVisible()
    assert "two different approved memberships" in dialog.message_text()
    assert "Nothing was changed." in dialog.message_text()
    assert organizations.count() == 2
    assert len(shown_pairs(dialog)) == 1  # still offered
    assert dialog.merge_button.isEnabled()  # choose other values, swap, or close


def test_merging_two_meetings(
    qtbot: Any, empty_services: Services, open_dialog: Callable[..., DuplicatesDialog]
) -> None:
    meetings = empty_services.meetings
    typed = meetings.create(
        MeetingData("ANSO Workshop on Climate Change", date(2021, 4, 21), date(2021, 4, 23))
    )
    imported = meetings.create(
        MeetingData(
            "ANSO workshop on climate change.",
            date(2021, 4, 21),
            date(2021, 4, 23),
            location="Beijing",
            participants_count=120,
        )
    )
    dialog = open_dialog(empty_services, "meetings")
    assert dialog.windowTitle() == "Find duplicate meetings"
    assert dialog.kept is not None and dialog.kept.id == typed.id
    assert dialog.fields_model.surviving("location") == "Beijing"
    assert dialog.fields_model.surviving("participants_count") == "120"
    dialog.merge_button.click()
    wait_done(qtbot, dialog)
    assert [m.id for m in meetings.list().rows] == [typed.id]
    kept = meetings.get(typed.id)
    assert (kept.title, kept.location, kept.participants_count) == (
        "ANSO Workshop on Climate Change",
        "Beijing",
        120,
    )
    assert dialog.stack.currentWidget() is dialog.empty_label
    assert imported.id not in {m.id for m in meetings.list().rows}


def test_meetings_tab_refreshes_after_a_merge_from_its_menu(
    qtbot: Any,
    window: MainWindow,
    demo_services: Services,
    from_the_menu: Callable[[str], DuplicatesDialog],
) -> None:
    tab = next(t for t in window.record_tabs() if isinstance(t, MeetingsTab))
    first = demo_services.meetings.list().rows[0]
    copy = demo_services.meetings.create(
        MeetingData(first.title + ".", first.start_date, first.end_date, kind=first.kind)
    )
    tab.refresh()
    total = tab.model.total
    dialog = from_the_menu("meetings")
    select(dialog, first.title, copy.title)  # the pair names the older record first
    dialog.merge_button.click()
    wait_done(qtbot, dialog)
    assert tab.model.total == total - 1
    window.undo_stack.undo()
    assert tab.model.total == total


# --- not a duplicate ---------------------------------------------------------------------------


def test_not_a_duplicate_leaves_the_list_for_good_and_undo_offers_it_again(
    qtbot: Any,
    demo_services: Services,
    planted: dict[str, int],
    undo_stack: QUndoStack,
    open_dialog: Callable[..., DuplicatesDialog],
) -> None:
    dialog = open_dialog(demo_services)
    select(dialog, PAS, PAS_AGAIN)
    dialog.distinct_button.click()
    assert shown_pairs(dialog) == [(RAS, RAS_AGAIN)]
    assert "not offered again" in dialog.message_text()
    assert dialog.pair is not None and dialog.pair.second.name == RAS_AGAIN  # the next one
    assert PAS_AGAIN in names(demo_services)  # nothing merged
    assert [(p.first.name, p.second.name) for p in demo_services.merges.duplicates("members")] == [
        (RAS, RAS_AGAIN)
    ]
    again = open_dialog(demo_services)
    assert shown_pairs(again) == [(RAS, RAS_AGAIN)]

    assert undo_stack.undoText().startswith("Not a duplicate")
    again.undo_last()
    wait_done(qtbot, again)
    assert shown_pairs(again) == [(RAS, RAS_AGAIN), (PAS, PAS_AGAIN)]


# --- the keyboard ------------------------------------------------------------------------------


def test_enter_does_not_merge_and_escape_closes(
    qtbot: Any,
    demo_services: Services,
    planted: dict[str, int],
    open_dialog: Callable[..., DuplicatesDialog],
) -> None:
    dialog = open_dialog(demo_services)
    for button in (dialog.merge_button, dialog.distinct_button, dialog.swap_button):
        assert "&" in button.text()  # Alt+M, Alt+D, Alt+W
        assert not button.isDefault() and not button.autoDefault()
    dialog.pairs_view.setFocus()
    qtbot.keyClick(dialog.pairs_view, Qt.Key.Key_Return)
    qtbot.keyClick(dialog, Qt.Key.Key_Enter)
    assert not dialog.busy
    assert len(shown_pairs(dialog)) == 2
    assert RAS_AGAIN in names(demo_services)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert dialog.result() == dialog.DialogCode.Rejected


def test_the_review_screenshot_shows_a_planted_pair(window: MainWindow, tmp_path: Any) -> None:
    from PySide6.QtGui import QImage

    from anso_desktop.ui.screenshots import _save_duplicates

    path = _save_duplicates(window, tmp_path / "dialog-find-duplicates.png")
    image = QImage(str(path))
    assert (image.width(), image.height()) == (1040, 680)
    assert window.services is not None
    pairs = window.services.merges.duplicates("members")
    assert (pairs[0].first.name, pairs[0].second.name) == (PAS, PAS_AGAIN)


@pytest.fixture
def postgres_services() -> Iterator[Services]:
    """The demo on the PostgreSQL test server (skipped without one)."""
    from anso_desktop.services.demo import load_demo
    from anso_desktop.storage.database import Database
    from anso_desktop.storage.migrations import upgrade
    from tests.conftest import POSTGRES_ENV_VAR, postgres_url, reset_postgres_schema

    url = postgres_url()
    if url is None:
        pytest.skip(f"PostgreSQL: set {POSTGRES_ENV_VAR} to run this against a server")
    reset_postgres_schema(url)
    database = Database.open(url)
    upgrade(database, backup=False)
    services = Services.over(database)
    load_demo(services)
    yield services
    database.dispose()


def test_the_dialog_merges_and_undoes_on_postgresql(
    qtbot: Any,
    postgres_services: Services,
    undo_stack: QUndoStack,
    open_dialog: Callable[..., DuplicatesDialog],
) -> None:
    services = postgres_services
    ras = services.organizations.find_by_name(RAS)
    assert ras is not None
    again = services.organizations.create(OrganizationData(name=RAS_AGAIN, country="RU"))
    services.organizations.add_contact(ContactData(again.id, "Ivan Petrov"))
    before = services.organizations.count()
    dialog = open_dialog(services)
    select(dialog, RAS, RAS_AGAIN)
    dialog.merge_button.click()
    wait_done(qtbot, dialog)
    assert services.organizations.count() == before - 1
    assert [c.name for c in services.organizations.contacts(ras.id)] == ["Ivan Petrov"]
    assert services.organizations.aliases(ras.id) == [RAS_AGAIN]
    undo_stack.undo()
    assert services.organizations.count() == before
    assert [c.name for c in services.organizations.contacts(again.id)] == ["Ivan Petrov"]
    assert services.organizations.aliases(ras.id) == []
