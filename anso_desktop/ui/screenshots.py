"""Save a PNG of every tab and dialog on the demo data: the cheapest review of the whole window.

    python -m anso_desktop.ui.screenshots OUT_DIR

Runs offscreen on a throwaway database; nothing of the user's is touched.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget

WINDOW_SIZE = (1400, 820)
#: Who the demo's changes are recorded under (the edit the history dialogs show is another's).
SCREENSHOT_PERSON = "Li Wei"
#: What the window says on a reader's login to the office server (as the database layer words it).
READ_ONLY_REASON = (
    "Your database login 'reader' may only read postgresql://reader@office-server/anso; ask "
    "whoever runs the server for an editor login to change it."
)


#: The demo database's file, as the status bar and the window title show it.
DATABASE_FILE = "ANSO register.sqlite"
#: Opened by a relative URL from inside its folder, so the window names the file alone (a path
#: given as a path is made absolute, and would show the temporary folder).
DATABASE_URL = f"sqlite:///{DATABASE_FILE}"

#: The day of the Members tab's "as at" screenshot: the demo's fourth board meeting.
AS_AT_DAY = date(2021, 10, 9)


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


def _save(widget: QWidget, path: Path) -> Path:
    for _ in range(3):  # work deferred until after a paint runs on a later round
        QApplication.processEvents()
    widget.grab().save(str(path))
    return path


def _print_dialog(window: Any, tab: Any, settings: QSettings) -> QWidget:
    from anso_desktop.reports.documents import describe_filters
    from anso_desktop.ui.dialogs.print_dialog import PrintDialog

    request = tab.print_request()
    summary = describe_filters(window.services, request)
    return PrintDialog(request, summary, tab.print_row_count(), settings, window)


def _save_preview(window: Any, path: Path) -> Path:
    """The print preview of the member list grouped by country."""
    from anso_desktop.reports.documents import PrintRequest, build_list
    from anso_desktop.reports.rendering import PageSetup
    from anso_desktop.ui.printing import new_printer, preview_dialog

    document = build_list(window.services, PrintRequest("members", group_by="country"))
    dialog = preview_dialog(window, document, new_printer(document, PageSetup()))
    dialog.show()
    saved = _save(dialog, path)
    dialog.close()
    return saved


def _plant_duplicate(services: Any) -> str:
    """The Pakistan Academy typed in a second time, as a partner's sheet spells it, with a
    website and a contact of its own: a likely duplicate for Find duplicates to show."""
    from anso_desktop.services.organizations import ContactData, OrganizationData

    original = services.organizations.find_by_name("Pakistan Academy of Sciences")
    if original is None:  # the demo changed: the dialog shows whatever pairs there are
        return ""
    copy = services.organizations.create(
        OrganizationData(
            name="Pakistan Academy of Science",
            country="PK",
            kind=original.kind,
            website="www.paspk.org",
        )
    )
    services.organizations.add_contact(ContactData(copy.id, "Dr Amina Khan", role="Secretary"))
    return copy.name


def _save_duplicates(window: Any, path: Path) -> Path:
    """Find duplicates on the members, with the planted pair selected."""
    from anso_desktop.ui.dialogs.duplicates import DuplicatesDialog

    name = _plant_duplicate(window.services)
    dialog = DuplicatesDialog(
        window.services, "members", window.undo_stack, window.refresh_tabs, window
    )
    dialog.show()
    deadline = time.monotonic() + 30
    while dialog.busy and time.monotonic() < deadline:  # the pairs are found off the GUI thread
        QApplication.processEvents()
        time.sleep(0.01)
    rows = [i for i, pair in enumerate(dialog.pairs_model.pairs) if pair.second.name == name]
    if rows:
        dialog.select_pair(rows[0])
    saved = _save(dialog, path)
    dialog.close()
    return saved


def _wait(done: Any, seconds: float = 30) -> None:
    """Let background work (read off the GUI thread) finish."""
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)


def _plant_history(services: Any) -> tuple[int, int]:
    """What the history dialogs show beyond the demo's inserts: the planted duplicate's contact
    undone, then an edit and a new contact by a named person. (The organization's id, and the
    edit's change set.)"""
    from dataclasses import replace

    from anso_desktop.services.history import HistoryFilter
    from anso_desktop.services.organizations import ContactData, OrganizationData
    from anso_desktop.storage import history

    def newest() -> int:
        return services.history.change_sets(HistoryFilter(limit=1), with_rows=False)[0].id

    services.undo.undo(newest())
    record = services.organizations.find_by_name("Cuban Academy of Sciences")
    history.set_person("Maria Santos")
    try:
        with history.recorded_as("Edit organization"):
            data = replace(
                OrganizationData.from_record(record),
                acronym="ACC",
                website="www.academiaciencias.cu",
                joined_on=date(2022, 5, 17),
            )
            services.organizations.update(record.id, record.version, data)
        edit = newest()
        with history.recorded_as("New contact"):
            services.organizations.add_contact(
                ContactData(record.id, "Dr Luis Pérez", title="Secretary General", role="Contact")
            )
    finally:
        history.set_person(SCREENSHOT_PERSON)
    return record.id, edit


def _save_history(window: Any, out_dir: Path) -> list[Path]:
    """Record history… of an edited member, Recent changes on that edit, and Preferences."""
    from anso_desktop.ui.dialogs.history import HistoryDialog
    from anso_desktop.ui.dialogs.preferences import PreferencesDialog
    from anso_desktop.ui.dialogs.recent_changes import RecentChangesDialog

    record_id, edit = _plant_history(window.services)
    saved = []
    record = HistoryDialog(
        window.services, "members", record_id, "organization “Cuban Academy of Sciences”", window
    )
    record.show()
    _wait(lambda: not record.loading)
    saved.append(_save(record, out_dir / "dialog-record-history.png"))
    record.close()
    recent = RecentChangesDialog(window.services, window.refresh_tabs, window)
    recent.show()
    _wait(lambda: not recent.loading)
    recent.select(edit)
    _wait(lambda: recent.rows is not None and recent.rows.change_set.id == edit)
    saved.append(_save(recent, out_dir / "dialog-recent-changes.png"))
    recent.close()
    preferences = PreferencesDialog(window.settings, window)
    preferences.show()
    saved.append(_save(preferences, out_dir / "dialog-preferences.png"))
    preferences.close()
    return saved


def _save_as_at(window: Any, path: Path) -> Path:
    """The Members tab as at the fourth board meeting (9 October 2021): the day's register, its
    banner and the first member as it was."""
    from anso_desktop.ui.tabs.members import MembersTab

    members = next(tab for tab in window.record_tabs() if isinstance(tab, MembersTab))
    window.tabs.setCurrentWidget(members)
    members.set_as_at(AS_AT_DAY)
    _wait(lambda: members.as_at is not None)  # read off the GUI thread
    members.view.selectRow(0)
    saved = _save(window, path)
    members.show_now()
    return saved


def _save_read_only(window: Any, path: Path) -> Path:
    """The Members tab as a reader's login sees it: the banner, and nothing that changes data.

    The database is opened again, as the window opens any, with the database layer answering
    that it may only be read (a demo file cannot say so for every user, root included).
    """
    from unittest import mock

    from anso_desktop.storage.database import Database
    from anso_desktop.ui.tabs.members import MembersTab

    done: list[bool] = []
    with mock.patch.object(Database, "read_only_reason", lambda _self: READ_ONLY_REASON):
        # By its URL, so a relative one stays relative (and the status bar shows the file's name).
        url = window.services.database.location.url.render_as_string(hide_password=False)
        task = window.switch_database(url)
        task.finished.connect(lambda: done.append(True))
        deadline = time.monotonic() + 30
        while not done and time.monotonic() < deadline:  # opened off the GUI thread
            QApplication.processEvents()
            time.sleep(0.01)
    members = next(tab for tab in window.record_tabs() if isinstance(tab, MembersTab))
    window.tabs.setCurrentWidget(members)
    members.view.selectRow(0)
    return _save(window, path)


def save_screenshots(out_dir: Path) -> list[Path]:
    from anso_desktop.app import open_services
    from anso_desktop.services.demo import load_demo
    from anso_desktop.storage import history
    from anso_desktop.ui.main_window import MainWindow
    from anso_desktop.ui.tabs.base import RecordTab

    out_dir = out_dir.resolve()  # the database's folder becomes the working one
    out_dir.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    saved: list[Path] = []
    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
        services = open_services(DATABASE_URL)
        history.set_default_source("window")  # as the window records its changes
        history.set_person(SCREENSHOT_PERSON)
        with history.recorded_as("Demo data: the 2021 annual report"):
            load_demo(services)
        settings = QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(services, settings)
        window.resize(*WINDOW_SIZE)
        window.show()
        for index in range(window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            tab = window.tabs.widget(index)
            assert isinstance(tab, RecordTab)
            tab.view.selectRow(0)
            name = _slug(window.tabs.tabText(index))
            saved.append(_save(window, out_dir / f"tab-{name}.png"))
            lower_tabs = getattr(tab, "lower_tabs", None)
            for page in range(1, lower_tabs.count() if lower_tabs is not None else 0):
                lower_tabs.setCurrentIndex(page)
                pane = _slug(lower_tabs.tabText(page).replace("&", ""))
                saved.append(_save(window, out_dir / f"tab-{name}-{pane}.png"))
            if lower_tabs is not None:
                lower_tabs.setCurrentIndex(0)
            record = tab.model.record_at(0)
            dialogs: list[tuple[str, QWidget]] = [
                (f"new-{tab.noun}", tab.dialog(services, None, window))
            ]
            if record is not None:
                current = tab.service.get(record.id)
                dialogs.append((f"edit-{tab.noun}", tab.dialog(services, current, window)))
            dialogs += tab.extra_dialogs()
            dialogs.append((f"print-{tab.printed_list}", _print_dialog(window, tab, settings)))
            for dialog_name, dialog in dialogs:
                dialog.show()
                saved.append(_save(dialog, out_dir / f"dialog-{_slug(dialog_name)}.png"))
                dialog.close()
        saved.append(_save_as_at(window, out_dir / "tab-members-as-at.png"))
        saved.append(_save_preview(window, out_dir / "dialog-print-preview.png"))
        saved.append(_save_duplicates(window, out_dir / "dialog-find-duplicates.png"))
        saved += _save_history(window, out_dir)
        saved.append(_save_read_only(window, out_dir / "window-read-only.png"))
        window.close()
        window.services.database.dispose()  # opened again read-only
        services.database.dispose()
        history.set_person(None)
        history.set_default_source("command")
    app.processEvents()
    return saved


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m anso_desktop.ui.screenshots OUT_DIR", file=sys.stderr)
        return 2
    for path in save_screenshots(Path(argv[1])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
