"""Colleagues' changes reach an open window within seconds: the grid re-reads in place (the same
row selected, the same scroll position), the status bar says who changed what, and an edit
dialog whose record changed says so. A second `Services` on the same file is the colleague."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from shiboken6 import isValid

from anso_desktop.app import open_services
from anso_desktop.services import Services
from anso_desktop.services.history import ChangedRecords
from anso_desktop.services.organizations import OrganizationData
from anso_desktop.storage.history import set_person
from anso_desktop.ui import live_updates
from anso_desktop.ui.dialogs.organization import OrganizationDialog
from anso_desktop.ui.live_updates import ChangeWatcher, updated_text
from anso_desktop.ui.main_window import MainWindow
from anso_desktop.ui.tabs.members import MembersTab

#: Long enough for a look every 200 ms and a loaded CI machine.
WAIT_MS = 5000


@pytest.fixture(autouse=True)
def quick_looks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live_updates, "POLL_MS", 200)


@pytest.fixture
def colleague(demo_services: Services) -> Iterator[Services]:
    """Someone else on the same database file: their own engine, connections and commits."""
    file = demo_services.database.location.file
    assert file is not None
    services = open_services(str(file))
    yield services
    services.database.dispose()


@contextmanager
def as_person(name: str) -> Iterator[None]:
    set_person(name)
    try:
        yield
    finally:
        set_person(None)


def rename(services: Services, organization_id: int, name: str) -> None:
    record = services.organizations.get(organization_id)
    data = replace(OrganizationData.from_record(record), name=name)
    services.organizations.update(record.id, record.version, data)


def members_tab(window: MainWindow) -> MembersTab:
    tab = next(tab for tab in window.record_tabs() if isinstance(tab, MembersTab))
    window.tabs.setCurrentWidget(tab)
    return tab


def shown_name(tab: MembersTab, row: int) -> str:
    return str(tab.model.index(row, 0).data())


def test_a_colleagues_rename_shows_in_place(
    qtbot: Any, window: MainWindow, colleague: Services
) -> None:
    tab = members_tab(window)
    tab.view.resize(tab.view.width(), 200)  # a list taller than the view: it scrolls
    bar = tab.view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 20)
    row = 2
    tab.view.selectRow(row)
    (chosen,) = tab.selected_records()
    bar.setValue(15)  # the selected row out of sight: a plain refresh would scroll back to it
    new_name = f"{chosen.name} (renamed)"  # sorts right after the old name: the same row

    with as_person("Alice"):
        rename(colleague, chosen.id, new_name)

    qtbot.waitUntil(lambda: shown_name(tab, row) == new_name, timeout=WAIT_MS)
    assert [record.id for record in tab.selected_records()] == [chosen.id]
    assert tab.view.currentIndex().row() == row
    assert bar.value() == 15
    assert window.statusBar().currentMessage() == "Updated: 1 member changed by Alice"


def test_an_open_edit_dialog_says_its_record_changed(
    qtbot: Any, window: MainWindow, colleague: Services, answers: dict[str, Any]
) -> None:
    tab = members_tab(window)
    record = tab.model.record_at(0)
    dialog = OrganizationDialog(tab.services, tab.service.get(record.id), tab)
    dialog.show()
    assert dialog.notice.isHidden()

    with as_person("Alice"):
        rename(colleague, record.id, "Renamed by a colleague")

    qtbot.waitUntil(dialog.notice.isVisible, timeout=WAIT_MS)
    assert dialog.notice.text().startswith("Alice changed this organization at ")
    assert "saving now would be refused" in dialog.notice.text()
    # Saving anyway is refused by the version check; reloading takes the notice away.
    dialog.accept()
    assert [kind for kind, _text in answers["seen"]] == ["conflict"]
    assert dialog.name_edit.text() == "Renamed by a colleague"
    assert dialog.notice.isHidden()
    dialog.reject()


def test_a_dialog_opened_after_the_change_says_nothing(
    qtbot: Any, window: MainWindow, colleague: Services
) -> None:
    tab = members_tab(window)
    assert window.live_updates is not None
    record = tab.model.record_at(0)
    with as_person("Alice"):
        rename(colleague, record.id, "Renamed before the dialog opened")
    dialog = OrganizationDialog(tab.services, tab.service.get(record.id), tab)
    dialog.show()
    with qtbot.waitSignal(window.live_updates.watcher.changed, timeout=WAIT_MS):
        pass  # the window has seen the change, after the dialog read the record
    assert dialog.notice.isHidden()
    dialog.reject()


def test_own_changes_refresh_quietly_and_once(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab = members_tab(window)
    assert window.live_updates is not None
    watcher = window.live_updates.watcher
    record = tab.model.record_at(0)
    with qtbot.waitSignal(watcher.changed, timeout=WAIT_MS):
        rename(tab.services, record.id, "Renamed here")
    assert window.statusBar().currentMessage() == ""  # the user's own change: no news
    refreshed: list[int] = []
    monkeypatch.setattr(tab, "refresh_in_place", lambda: refreshed.append(1))
    with qtbot.assertNotEmitted(watcher.changed, wait=1000):  # re-reading writes nothing
        pass
    assert refreshed == []


def test_the_watcher_stops_with_the_window(qtbot: Any, window: MainWindow) -> None:
    updates = window.live_updates
    assert updates is not None
    watcher = updates.watcher
    assert watcher._poll.isActive()
    window.close()
    assert not watcher._poll.isActive()
    assert watcher._version is None  # its connection closed
    watcher.check()  # a look queued before the close does nothing


def test_switching_database_stops_the_old_watcher(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    old = window.live_updates
    assert old is not None
    old_watcher = old.watcher
    task = window.switch_database(str(tmp_path / "other.sqlite"))
    assert task is not None
    qtbot.waitUntil(lambda: window.live_updates is not old, timeout=WAIT_MS)
    assert old_watcher._stopped and old_watcher._version is None
    qtbot.waitUntil(lambda: not isValid(old_watcher))  # deleted with the old database's tabs
    assert window.live_updates is not None and window.live_updates.watcher._poll.isActive()


def test_a_restore_elsewhere_reads_everything_again(
    qtbot: Any, demo_services: Services, colleague: Services
) -> None:
    watcher = ChangeWatcher(demo_services, poll_ms=50)
    watcher.start()
    try:
        with colleague.database.connection() as connection:
            connection.exec_driver_sql("DELETE FROM changes WHERE id > 5")
        with qtbot.waitSignal(watcher.replaced, timeout=WAIT_MS):
            pass
        assert watcher.last_seen == 5
    finally:
        watcher.stop()


def test_the_status_bar_names_others_only() -> None:
    changes = ChangedRecords(
        latest=9,
        records={
            "members": {1: "Alice", 2: "Bob", 3: "me", 4: "Alice"},
            "finances": {7: "Alice"},
            "distinct-pairs": {None: "Alice"},
        },
    )
    assert (
        updated_text(changes, "me")
        == "Updated: 3 members and 1 finance entry changed by Alice and Bob"
    )
    assert updated_text(changes, "Alice") is not None
    mine = ChangedRecords(latest=9, records={"members": {1: "me"}})
    assert updated_text(mine, "me") is None


# --- PostgreSQL: told by NOTIFY -----------------------------------------------------------------


@pytest.fixture
def postgres_pair() -> Iterator[tuple[Services, Services]]:
    """Two sessions on the PostgreSQL test server: the window's and a colleague's."""
    from anso_desktop.storage.database import Database
    from anso_desktop.storage.migrations import upgrade
    from tests.conftest import POSTGRES_ENV_VAR, postgres_url, reset_postgres_schema

    url = postgres_url()
    if url is None:
        pytest.skip(f"PostgreSQL: set {POSTGRES_ENV_VAR} to run this against a server")
    reset_postgres_schema(url)
    mine = Database.open(url)
    upgrade(mine, backup=False)
    theirs = Database.open(url)
    yield Services.over(mine), Services.over(theirs)
    theirs.dispose()
    mine.dispose()


def test_a_change_on_postgresql_arrives_by_notify(
    qtbot: Any, postgres_pair: tuple[Services, Services]
) -> None:
    mine, theirs = postgres_pair
    watcher = ChangeWatcher(mine)
    watcher.start()
    try:
        qtbot.waitUntil(lambda: watcher.listening, timeout=WAIT_MS)
        with as_person("Alice"), qtbot.waitSignal(watcher.changed, timeout=WAIT_MS) as signal:
            created = theirs.organizations.create(OrganizationData(name="Told by NOTIFY"))
        (changes,) = signal.args
        assert changes.records["members"] == {created.id: "Alice"}
        assert watcher.notifications >= 1
    finally:
        watcher.stop()
    assert watcher._thread is None
    assert not watcher.listening


def test_without_listen_postgresql_is_polled(
    qtbot: Any, postgres_pair: tuple[Services, Services], monkeypatch: pytest.MonkeyPatch
) -> None:
    mine, theirs = postgres_pair
    monkeypatch.setattr(live_updates, "CHANNEL", "no such channel")  # LISTEN fails
    watcher = ChangeWatcher(mine, server_poll_s=0.2)
    watcher.start()
    try:
        with qtbot.waitSignal(watcher.changed, timeout=WAIT_MS) as signal:
            created = theirs.organizations.create(OrganizationData(name="Found by polling"))
        (changes,) = signal.args
        assert created.id in changes.records["members"]
        assert watcher.notifications == 0
        assert not watcher.listening
    finally:
        watcher.stop()
    assert watcher._thread is None


def test_a_window_on_postgresql_shows_a_colleagues_change(
    qtbot: Any, postgres_pair: tuple[Services, Services], settings: Any
) -> None:
    mine, theirs = postgres_pair
    first = mine.organizations.create(OrganizationData(name="Before"))
    window = MainWindow(mine, settings)
    qtbot.addWidget(window)
    window.show()
    tab = members_tab(window)
    tab.view.selectRow(0)
    assert window.live_updates is not None
    qtbot.waitUntil(lambda: window.live_updates.watcher.listening, timeout=WAIT_MS)
    with as_person("Alice"):
        rename(theirs, first.id, "After")
    qtbot.waitUntil(lambda: shown_name(tab, 0) == "After", timeout=WAIT_MS)
    assert [record.id for record in tab.selected_records()] == [first.id]
    window.close()
    assert window.live_updates.watcher._thread is None
