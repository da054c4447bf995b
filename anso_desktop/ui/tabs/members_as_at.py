"""The Members tab as at a past day: the register rebuilt from the history
(`services/register_as_at.py`) in the same grid, under the same search, filters and columns, and
read only — the past cannot be edited, and a change made "there" would land in today's register.

A mixin of `MembersTab`, listed first among its bases so that its `fetch`, `apply_query`,
`refresh`, `show_detail` and `read_only_reason` are the ones used.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDateEdit,
    QLabel,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from anso_desktop.errors import UserError
from anso_desktop.reports.documents import PrintRequest
from anso_desktop.services.base import ListQuery, Page
from anso_desktop.services.register_as_at import (
    RegisterAsAt,
    day_label,
    register_as_at,
    sort_key,
)
from anso_desktop.storage.models import Organization
from anso_desktop.ui import messages
from anso_desktop.ui.read_only import BANNER_STYLE
from anso_desktop.ui.tabs.member_details import NO_SELECTION
from anso_desktop.ui.tasks import Task

if TYPE_CHECKING:
    from PySide6.QtWidgets import (
        QHBoxLayout,
        QLineEdit,
        QPushButton,
        QStackedWidget,
        QTableView,
    )

    from anso_desktop.services import Services
    from anso_desktop.ui.models.record_table import RecordTableModel

#: The date control's "Now" (the live register): its minimum day, which it shows as "Now".
NOW = QDate(1900, 1, 1)
#: Readings under way, kept alive until they end (see `_read_as_at`).
_reading: set[Task] = set()
#: Stepping through days with the arrow keys reads the register once the user pauses.
DAY_DELAY_MS = 300


def as_at_reason(day: date) -> str:
    """Why nothing can be changed while a past day is shown (the actions' tooltip says it)."""
    return (
        f"This is the register as at {day_label(day)}, which cannot be changed: press Esc to "
        "go back to the register as it is now."
    )


def default_day(today: date | None = None) -> date:
    """The day first offered: the end of last year, the day an annual report counts members."""
    return date((today or date.today()).year - 1, 12, 31)


def _ordered(records: list[Organization], sort: str | None, descending: bool) -> list[Organization]:
    """The rows in a header click's order: the printed list's own rule, so screen and paper agree."""
    return sorted(records, key=sort_key(ListQuery(sort=sort)), reverse=descending)


@dataclass(frozen=True)
class _Place:
    """Where the user was in the live register, to come back to it from the past."""

    rows: list[int]
    ids: list[int]
    current_id: int | None
    current_column: int
    scroll: tuple[int, int]


class RegisterAsAtView:
    """The as-at control, its banner and the in-memory rows of the day shown."""

    if TYPE_CHECKING:  # given by RecordTab and MembersTab
        services: Services
        model: RecordTableModel
        view: QTableView
        search: QLineEdit
        filter_bar: QHBoxLayout
        clear_button: QPushButton
        plural: str
        _search_timer: QTimer
        # the detail pane's (MemberDetails)
        shown: Organization | None
        shown_aliases: list[str]
        detail_hint: QLabel
        detail_stack: QStackedWidget
        facts: QLabel
        contacts_empty: QLabel
        add_contact_button: QPushButton
        edit_contact_button: QPushButton
        delete_contact_button: QPushButton

        def _facts_html(self, record: Organization) -> str: ...

        def _fill_contacts(self, contacts: list[Any]) -> None: ...

        def layout(self) -> Any: ...

        def current_filters(self) -> dict[str, Any]: ...

        def selected_records(self) -> list[Any]: ...

        def select_ids(self, ids: list[int]) -> None: ...

        def update_editing(self) -> None: ...

    #: The day shown (None: the register as it is now).
    as_at_day: date | None = None
    #: The register of that day under the search and filters (None while it is being read).
    as_at: RegisterAsAt | None = None
    _database_read_only: str | None = None
    _as_at_generation = 0
    _remembered_day: date | None = None
    _as_at_sorted: tuple[tuple[str | None, bool], list[Organization]] | None = None
    _live_place: _Place | None = None

    def build_as_at(self) -> None:
        """ "As at" and a day in the filter row (showing "Now" while unticked), and the banner
        over the grid while a day is shown."""
        owner: Any = self
        self.as_at_check = QCheckBox("&As at")
        self.as_at_check.setToolTip(
            "Show the register as it stood on a day, from the history of changes (read only)"
        )
        self.as_at_date = QDateEdit()
        self.as_at_date.setCalendarPopup(True)
        self.as_at_date.setDisplayFormat("d MMMM yyyy")
        self.as_at_date.setSpecialValueText("Now")
        # Typing a day applies it on Enter or on leaving the field, not at every digit.
        self.as_at_date.setKeyboardTracking(False)
        self.as_at_date.setMinimumDate(NOW)
        self.as_at_date.setMaximumDate(QDate.currentDate())
        self.as_at_date.setDate(NOW)
        self.as_at_date.setEnabled(False)
        self.as_at_date.setMinimumWidth(self.as_at_date.fontMetrics().averageCharWidth() * 22)
        self.as_at_date.setToolTip("The day to show the register as at (Esc: back to now)")
        self._day_timer = QTimer(owner)
        self._day_timer.setSingleShot(True)
        self._day_timer.setInterval(DAY_DELAY_MS)
        self._day_timer.timeout.connect(self._day_chosen)
        self.as_at_check.toggled.connect(self._as_at_toggled)
        self.as_at_date.dateChanged.connect(lambda _day: self._day_timer.start())
        self.filter_bar.addWidget(self.as_at_check)
        self.filter_bar.addWidget(self.as_at_date)
        QWidget.setTabOrder(self.clear_button, self.as_at_check)
        QWidget.setTabOrder(self.as_at_check, self.as_at_date)
        QWidget.setTabOrder(self.as_at_date, self.view)

        self.as_at_banner = QLabel()
        self.as_at_banner.setWordWrap(True)
        self.as_at_banner.setStyleSheet(BANNER_STYLE)
        self.as_at_banner.setTextFormat(Qt.TextFormat.RichText)
        self.as_at_banner.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.as_at_banner.linkActivated.connect(lambda _link: self.show_now())
        self.as_at_banner.hide()
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.count() - 1, self.as_at_banner)  # just over the grid
        self.now_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), owner)
        self.now_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.now_shortcut.activated.connect(self._escape)
        self.now_shortcut.setEnabled(False)

    # --- nothing is changed in the past --------------------------------------------------------

    @property
    def read_only_reason(self) -> str | None:
        """The database's reason first (it outlasts the day shown), then the day's."""
        if self._database_read_only is not None:
            return self._database_read_only
        return as_at_reason(self.as_at_day) if self.as_at_day is not None else None

    @read_only_reason.setter
    def read_only_reason(self, reason: str | None) -> None:
        self._database_read_only = reason

    # --- choosing the day ----------------------------------------------------------------------

    def set_as_at(self, day: date | None) -> None:
        """Show the register as at `day`, read from the history off the GUI thread; None shows
        the live register again, where the user left it."""
        if day == self.as_at_day:
            return
        self._sync_controls(day)
        was_live = self.as_at_day is None
        if was_live:
            self._live_place = self._place()
        self.as_at_day = day
        self.as_at = None  # the rows of another day must not show under this day's banner
        self._as_at_sorted = None
        self.now_shortcut.setEnabled(day is not None)
        self.update_editing()
        if day is None:
            self._as_at_generation += 1  # a reading still under way is not wanted any more
            self.as_at_banner.hide()
            # The widgets may have moved on while a reading was under way: they say what to show.
            self.model.set_query(search=self.search.text(), filters=self.current_filters())
            if self._live_place is not None:
                self._return_to(self._live_place)
                self._live_place = None
            return
        self._show_banner()
        self.model.reload()  # empty, "Reading the register…", until the day's rows come
        self._read_as_at()

    def show_now(self) -> None:
        """Back to the register as it is now (Esc, the banner's link, unticking "As at")."""
        self.set_as_at(None)

    def _escape(self) -> None:
        """Esc closes the day's calendar if it is open (the shortcut sees its keys too), and
        otherwise goes back to now."""
        popup = QApplication.activePopupWidget()
        if popup is not None:
            popup.close()
            return
        self.show_now()

    def _sync_controls(self, day: date | None) -> None:
        for widget in (self.as_at_check, self.as_at_date):
            widget.blockSignals(True)
        self.as_at_check.setChecked(day is not None)
        self.as_at_date.setEnabled(day is not None)
        if day is None:
            self.as_at_date.setMinimumDate(NOW)
            self.as_at_date.setDate(NOW)
        else:
            self.as_at_date.setMinimumDate(NOW.addDays(1))
            self.as_at_date.setDate(QDate(day.year, day.month, day.day))
        for widget in (self.as_at_check, self.as_at_date):
            widget.blockSignals(False)

    def _as_at_toggled(self, checked: bool) -> None:
        if not checked:
            self.show_now()
            return
        self.set_as_at(self._remembered_day if self._remembered_day else default_day())
        self.as_at_date.setFocus(Qt.FocusReason.OtherFocusReason)

    def _day_chosen(self) -> None:
        chosen = self.as_at_date.date()
        if not self.as_at_check.isChecked() or chosen <= NOW:
            return
        self._remembered_day = date(chosen.year(), chosen.month(), chosen.day())
        self.set_as_at(self._remembered_day)

    # --- reading the day off the GUI thread ----------------------------------------------------

    def _read_as_at(self) -> None:
        """Read the day's register under the tab's search and filters; a newer reading (another
        day, another search) makes this one's answer stale, and it is dropped."""
        day = self.as_at_day
        assert day is not None
        self._as_at_generation += 1
        generation = self._as_at_generation
        query = ListQuery(search=self.search.text(), filters=self.current_filters())
        database = self.services.database
        owner: Any = self
        # Not owned by the tab: a reading outlives a tab closed meanwhile, and then goes unseen.
        task = Task(lambda _progress: register_as_at(database, day, query))
        _reading.add(task)
        task.succeeded.connect(
            lambda result: isValid(owner) and self._as_at_read(generation, query, result)
        )
        task.failed.connect(
            lambda error: isValid(owner) and self._as_at_failed(generation, day, error)
        )
        task.finished.connect(lambda: _reading.discard(task))
        task.start()

    def _as_at_read(self, generation: int, query: ListQuery, result: RegisterAsAt) -> None:
        if generation != self._as_at_generation:
            return
        selected = [record.id for record in self.selected_records()]
        self.as_at = result
        self._as_at_sorted = None
        self._show_banner()
        # The model takes the query the rows were read under (its sort stays the user's).
        self.model.set_query(search=query.search, filters=query.filters)
        self.select_ids(selected)

    def _as_at_failed(self, generation: int, day: date, error: BaseException) -> None:
        if generation != self._as_at_generation:
            return
        self.show_now()
        text = error.message if isinstance(error, UserError) else f"{type(error).__name__}: {error}"
        owner: Any = self
        messages.warn(owner, f"The register as at {day_label(day)} could not be read.\n\n{text}")

    # --- the tab's hooks while a day is shown --------------------------------------------------

    def fetch(self, query: ListQuery) -> Page[Any]:
        if self.as_at_day is None:
            return super().fetch(query)  # type: ignore[misc]
        records = self._sorted(query.sort, query.descending)
        end = None if query.limit is None else query.offset + query.limit
        return Page(records[query.offset : end], len(records) if query.with_total else -1)

    def _sorted(self, sort: str | None, descending: bool) -> list[Organization]:
        if self.as_at is None:
            return []
        if self._as_at_sorted is None or self._as_at_sorted[0] != (sort, descending):
            self._as_at_sorted = (
                (sort, descending),
                _ordered(self.as_at.records, sort, descending),
            )
        return self._as_at_sorted[1]

    def apply_query(self) -> None:
        if self.as_at_day is None:
            super().apply_query()  # type: ignore[misc]
            return
        self._search_timer.stop()
        self._read_as_at()  # the rows shown stay until the new ones come

    def refresh(self) -> None:
        """Read the day again: undo, or a colleague's change, may have touched its history."""
        if self.as_at_day is None:
            super().refresh()  # type: ignore[misc]
            return
        self._read_as_at()

    def show_detail(self) -> None:
        """The selected organization as it was on the day, without its contacts (today's)."""
        for button in self.contact_buttons:  # no contact is added to the past
            button.setVisible(self.as_at_day is None)
        if self.as_at_day is None:
            super().show_detail()  # type: ignore[misc]
            return
        records = self.selected_records()
        self.shown = None
        self.shown_aliases = []
        if len(records) != 1:
            count = f"{len(records)} {self.plural} selected." if records else NO_SELECTION
            self.detail_hint.setText(count)
            self.detail_stack.setCurrentWidget(self.detail_hint)
            return
        label = escape(day_label(self.as_at_day))
        self.facts.setText(
            f"<span style='color: #616161'>As at {label}</span><br>" + self._facts_html(records[0])
        )
        self._fill_contacts([])
        self.contacts_empty.setText("The contacts show in the register as it is now (Esc).")
        self.detail_stack.setCurrentIndex(1)

    @property
    def contact_buttons(self) -> tuple[QPushButton, ...]:
        return (self.add_contact_button, self.edit_contact_button, self.delete_contact_button)

    def print_request(self) -> PrintRequest:
        request: PrintRequest = super().print_request()  # type: ignore[misc]
        return replace(request, as_at=self.as_at_day)

    def empty_text(self) -> str:
        if self.as_at_day is None:
            return super().empty_text()  # type: ignore[misc]
        label = day_label(self.as_at_day)
        if self.as_at is None:
            return f"Reading the register as at {label}…"
        if self.search.text().strip() or any(
            value is not None for value in self.current_filters().values()
        ):
            return (
                f"No {self.plural} of the register as at {label} match the search and filters "
                "— press Ctrl+Shift+L to clear them."
            )
        return f"No {self.plural} were in the register on {label}. Press Esc to go back to now."

    def as_at_status_text(self) -> str:
        """The status bar's line for the day: how many, and how many of each status."""
        assert self.as_at_day is not None
        label = day_label(self.as_at_day)
        if self.as_at is None:
            return f"Reading the register as at {label}…"
        records = self.as_at.records
        counts: dict[str, int] = {}
        for record in records:
            if record.status is not None:
                counts[record.status.label] = counts.get(record.status.label, 0) + 1
        what = "organization" if len(records) == 1 else "organizations"
        return " · ".join(
            [f"{len(records):,} {what} as at {label}", *(f"{k} {n}" for k, n in counts.items())]
        )

    def _show_banner(self) -> None:
        assert self.as_at_day is not None
        label = escape(day_label(self.as_at_day))
        if self.as_at is None:
            text = f"<b>The register as at {label}</b> — reading it from the history…"
        else:
            note = self.as_at.note()
            text = f"<b>The register as at {label} — read only.</b>"
            if note:
                text += f" {escape(note)}"
        self.as_at_banner.setText(f"{text} &nbsp;<a href='now'>Back to now</a> (Esc)")
        self.as_at_banner.show()

    # --- the user's place in the live register -------------------------------------------------

    def _place(self) -> _Place:
        current = self.view.currentIndex()
        record = self.model.record_at(current.row()) if current.isValid() else None
        return _Place(
            rows=sorted({index.row() for index in self.view.selectionModel().selectedRows()}),
            ids=[record.id for record in self.selected_records()],
            current_id=record.id if record is not None else None,
            current_column=max(current.column(), 0),
            scroll=(self.view.verticalScrollBar().value(), self.view.horizontalScrollBar().value()),
        )

    def _return_to(self, place: _Place) -> None:
        for row in place.rows:  # the pages the selection was on: its records are looked for there
            self.model.record_at(row)
        self.select_ids(place.ids)
        if (
            place.current_id is not None
            and (row := self.model.row_of(place.current_id)) is not None
        ):
            selection = self.view.selectionModel()
            selection.setCurrentIndex(
                self.model.index(row, place.current_column), selection.SelectionFlag.NoUpdate
            )
        self.view.verticalScrollBar().setValue(place.scroll[0])
        self.view.horizontalScrollBar().setValue(place.scroll[1])
