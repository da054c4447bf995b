"""The lazy table model on its own, with no window: pages fetched on demand, sorted in SQL."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from anso_desktop.services import Services
from anso_desktop.services.base import ListQuery, Page
from anso_desktop.tables import MEETINGS
from anso_desktop.ui.models import record_table
from anso_desktop.ui.models.record_table import RECORD_ROLE, RecordTableModel


class CountingFetch:
    """The meetings service's list, counting the queries the model makes."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.queries: list[ListQuery] = []

    def __call__(self, query: ListQuery) -> Page[Any]:
        self.queries.append(query)
        return self.services.meetings.list(query)


def test_pages_are_fetched_only_when_reached(
    qtbot: Any, demo_services: Services, qtmodeltester: Any
) -> None:
    fetch = CountingFetch(demo_services)
    model = RecordTableModel(MEETINGS, fetch, page_size=7)
    assert fetch.queries == []  # nothing read before the first query
    model.reload()
    assert model.rowCount() == 38
    assert len(fetch.queries) == 1
    assert model.index(3, 1).data() is not None
    assert len(fetch.queries) == 1  # row 3 is on the first page
    assert model.index(20, 1).data(RECORD_ROLE).title
    assert [q.offset for q in fetch.queries] == [0, 14]
    qtmodeltester.check(model, force_py=True)
    titles = [model.record_at(row).title for row in range(38)]
    assert len(set(titles)) == 38  # no row repeated or skipped across pages


def test_only_a_bounded_number_of_pages_is_kept(demo_services: Services, monkeypatch: Any) -> None:
    monkeypatch.setattr(record_table, "MAX_CACHED_PAGES", 3)
    fetch = CountingFetch(demo_services)
    model = RecordTableModel(MEETINGS, fetch, page_size=5)
    model.reload()
    for row in range(0, 38, 5):
        model.record_at(row)
    assert len(model._pages) == 3
    assert model.row_of(model.record_at(35).id) == 35


def test_sorting_is_one_query_in_sql(demo_services: Services) -> None:
    fetch = CountingFetch(demo_services)
    model = RecordTableModel(MEETINGS, fetch)
    model.reload()
    title = [c.key for c in model.columns].index("title")
    model.sort(title, Qt.SortOrder.DescendingOrder)
    assert fetch.queries[-1].sort == "title"
    assert fetch.queries[-1].descending is True
    first, second = model.record_at(0).title, model.record_at(1).title
    assert first >= second
    organizers = [c.key for c in model.columns].index("organizers")
    queries = len(fetch.queries)
    model.sort(organizers)  # a list column cannot be sorted: nothing happens
    assert len(fetch.queries) == queries


def test_numbers_are_right_aligned_and_long_text_has_a_tooltip(demo_services: Services) -> None:
    model = RecordTableModel(MEETINGS, demo_services.meetings.list)
    model.reload()
    participants = [c.key for c in model.columns].index("participants_count")
    alignment = model.index(0, participants).data(Qt.ItemDataRole.TextAlignmentRole)
    assert alignment & int(Qt.AlignmentFlag.AlignRight)
    title = [c.key for c in model.columns].index("title")
    long_rows = [r for r in range(38) if len(model.record_at(r).title) > 30]
    assert (
        model.index(long_rows[0], title).data(Qt.ItemDataRole.ToolTipRole)
        == model.record_at(long_rows[0]).title
    )
    assert model.headerData(title, Qt.Orientation.Horizontal) == "Title"
