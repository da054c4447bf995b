"""The Meetings tab: every workshop, conference, forum and board meeting, newest year first."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QCheckBox

from anso_desktop.domain import MeetingKind, MeetingMode
from anso_desktop.services.meetings import MeetingData, MeetingService
from anso_desktop.storage.models import Meeting
from anso_desktop.tables import MEETINGS
from anso_desktop.ui.dialogs.meeting import MeetingDialog
from anso_desktop.ui.models.record_table import RowStyle
from anso_desktop.ui.tabs.base import RecordTab, filter_combo

UPCOMING = RowStyle(background="#e3f2fd", bold=True)


class MeetingsTab(RecordTab):
    spec = MEETINGS
    printed_list = "meetings"
    noun = "meeting"
    plural = "meetings"
    dialog = MeetingDialog
    initial_sort = ("dates", True)  # the latest meetings first: last week's is at the top
    finds_duplicates = True

    @property
    def service(self) -> MeetingService:
        return self.services.meetings

    def build_filters(self) -> None:
        self.year = filter_combo([("All years", None)], self.apply_query, tooltip="Year")
        self._fill_years()
        self.kind = filter_combo(
            [("All kinds", None), *((k.label, k.value) for k in MeetingKind)],
            self.apply_query,
            tooltip="Kind of meeting",
        )
        self.mode = filter_combo(
            [("Online, onsite or hybrid", None), *((m.label, m.value) for m in MeetingMode)],
            self.apply_query,
            tooltip="Mode",
        )
        self.upcoming = QCheckBox("Upcoming only")
        self.upcoming.toggled.connect(lambda _checked: self.apply_query())
        for widget in (self.year, self.kind, self.mode, self.upcoming):
            self.filter_bar.addWidget(widget)

    def _fill_years(self) -> None:
        chosen = self.year.currentData()
        self.year.blockSignals(True)
        while self.year.count() > 1:
            self.year.removeItem(1)
        years = self.service.years()
        if chosen is not None and chosen not in years:
            # The filter keeps saying what the grid shows, even when its last meeting is gone.
            years = sorted([*years, chosen], reverse=True)
        for year in years:
            self.year.addItem(str(year), year)
        self.year.setCurrentIndex(max(self.year.findData(chosen), 0))
        self.year.blockSignals(False)

    def refresh(self) -> None:
        self._fill_years()
        super().refresh()

    def current_filters(self) -> dict[str, Any]:
        return {
            "year": self.year.currentData(),
            "kind": self.kind.currentData(),
            "mode": self.mode.currentData(),
            "upcoming": date.today() if self.upcoming.isChecked() else None,
        }

    def reset_filters(self) -> None:
        for combo in (self.year, self.kind, self.mode):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.upcoming.blockSignals(True)
        self.upcoming.setChecked(False)
        self.upcoming.blockSignals(False)

    def row_style(self, record: Meeting) -> RowStyle | None:
        return UPCOMING if record.end_date >= date.today() else None

    def empty_text(self) -> str:
        year = self.year.currentData()
        others = {k: v for k, v in self.current_filters().items() if k != "year" and v is not None}
        if year is not None and not others and not self.search.text().strip():
            return self.add_hint(f"No meetings in {year}")
        return super().empty_text()

    def status_text(self) -> str:
        text = super().status_text()
        upcoming = self.service.count_upcoming()
        return f"{text} · {upcoming} upcoming" if upcoming else text

    def data_of(self, record: Meeting) -> MeetingData:
        return MeetingData.from_record(record)

    def describe(self, record: Meeting) -> str:
        return record.title
