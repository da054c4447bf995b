"""A table model over a service's list query: sorting and filtering happen in SQL, and rows are
fetched a page at a time as the view scrolls to them, so 100,000 rows open as fast as 100.

The model holds at most `MAX_CACHED_PAGES` pages of detached records; it never loads the table.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from anso_desktop.services.base import ListQuery, Page
from anso_desktop.tables import Column, TableSpec, ValueKind

RECORD_ROLE = Qt.ItemDataRole.UserRole + 1
PAGE_SIZE = 200
MAX_CACHED_PAGES = 50

AnyIndex = QModelIndex | QPersistentModelIndex


class RowStyle:
    """How a row stands out: upcoming meetings, overdue decisions, over-budget lines."""

    def __init__(
        self, background: str | None = None, foreground: str | None = None, bold: bool = False
    ) -> None:
        self.background = QBrush(QColor(background)) if background else None
        self.foreground = QBrush(QColor(foreground)) if foreground else None
        self.font: QFont | None = None
        if bold:
            self.font = QFont()
            self.font.setBold(True)


class RecordTableModel(QAbstractTableModel):
    #: Emitted after every reload with the number of rows the current query matches.
    reloaded = Signal(int)

    def __init__(
        self,
        spec: TableSpec,
        fetch: Callable[[ListQuery], Page[Any]],
        *,
        columns: tuple[Column, ...] | None = None,
        row_style: Callable[[Any], RowStyle | None] | None = None,
        page_size: int = PAGE_SIZE,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.spec = spec
        self.columns = columns if columns is not None else spec.grid_columns
        self._fetch = fetch
        self._row_style = row_style
        self._page_size = page_size
        self._query = ListQuery(limit=page_size)
        self._total = 0
        self._pages: OrderedDict[int, list[Any]] = OrderedDict()
        self._loaded = False  # nothing is read until the first set_query/reload

    # --- the query -----------------------------------------------------------------------------

    @property
    def query(self) -> ListQuery:
        return self._query

    def set_query(
        self, *, search: str | None = None, filters: Mapping[str, Any] | None = None
    ) -> None:
        changes: dict[str, Any] = {}
        if search is not None:
            changes["search"] = search
        if filters is not None:
            changes["filters"] = dict(filters)
        self._query = replace(self._query, **changes)
        self.reload()

    def reload(self) -> None:
        """Count again and drop every cached page (after an edit, or a change of query)."""
        self._load(count=True)

    def _load(self, *, count: bool) -> None:
        self.beginResetModel()
        self._pages.clear()
        window = replace(self._query, offset=0, limit=self._page_size)
        if count:
            first = self._fetch(window)
            self._total = first.total
        else:  # a new order of the same rows: the count stands
            first = self._fetch(replace(window, with_total=False))
        self._pages[0] = first.rows
        self._loaded = True
        self.endResetModel()
        if count:  # a new order of the same rows changes neither the count nor the totals
            self.reloaded.emit(self._total)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns) or self.columns[column].sort is None:
            return
        sort, descending = self.columns[column].sort, order == Qt.SortOrder.DescendingOrder
        if (sort, descending) == (self._query.sort, self._query.descending):
            return  # Qt asks twice for one header click
        self._query = replace(self._query, sort=sort, descending=descending)
        if self._loaded:  # a header click; before the first load, only remember the order
            self._load(count=False)

    # --- rows ----------------------------------------------------------------------------------

    def record_at(self, row: int) -> Any:
        if not 0 <= row < self._total:
            return None
        page_number, offset = divmod(row, self._page_size)
        page = self._pages.get(page_number)
        if page is None:
            page = self._fetch(
                replace(
                    self._query,
                    offset=page_number * self._page_size,
                    limit=self._page_size,
                    with_total=False,
                )
            ).rows
            self._pages[page_number] = page
            while len(self._pages) > MAX_CACHED_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_number)
        return page[offset] if offset < len(page) else None

    def row_of(self, record_id: int) -> int | None:
        """The row of a record among the pages already fetched (None if not among them)."""
        for page_number, page in self._pages.items():
            for offset, record in enumerate(page):
                if record.id == record_id:
                    return page_number * self._page_size + offset
        return None

    @property
    def total(self) -> int:
        return self._total

    # --- Qt's model interface ------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.column() >= len(self.columns):
            return None
        record = self.record_at(index.row())
        if record is None:
            return None
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(column.value(record))
        if role == Qt.ItemDataRole.ToolTipRole and column.kind in (
            ValueKind.LONG_TEXT,
            ValueKind.LIST,
            ValueKind.TEXT,
        ):
            text = column.display(column.value(record))
            return text if len(text) > 30 else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignRight if column.numeric else Qt.AlignmentFlag.AlignLeft
            )
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == RECORD_ROLE:
            return record
        if role in (
            Qt.ItemDataRole.BackgroundRole,
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.FontRole,
        ):
            style = self._row_style(record) if self._row_style else None
            if style is None:
                return None
            if role == Qt.ItemDataRole.BackgroundRole:
                return style.background
            if role == Qt.ItemDataRole.ForegroundRole:
                return style.foreground
            return style.font
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.ToolTipRole and column.sort is None:
            return f"{column.header} (cannot be sorted)"
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
