"""Two records side by side, field by field, with a choice per field of which value the merged
record keeps: the comparison half of Find duplicates."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from anso_desktop.countries import country_name
from anso_desktop.errors import UserError
from anso_desktop.services import Services
from anso_desktop.services.merging import FieldChoice
from anso_desktop.tables.formatting import format_date

#: How a blank value reads in the comparison.
BLANK = "—"
_KEPT_BACKGROUND = QColor("#e8f5e9")
_DROPPED_FOREGROUND = QColor("#9e9e9e")
_SAME_FOREGROUND = QColor("#616161")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def format_value(services: Services, key: str, value: Any) -> str:
    """A stored value as people read it: labels for choices, country names, dates as the grid
    writes them, and the decision or meeting an id stands for."""
    if _blank(value):
        return ""
    if isinstance(value, Enum):
        return str(getattr(value, "label", value.value))
    if isinstance(value, date):
        return format_date(value)
    if key == "country":
        return country_name(value) or str(value)
    try:
        if key == "endorsement_decision_id":
            return services.decisions.describe(services.decisions.get(value))
        if key == "approval_meeting_id":
            return services.meetings.get(value).title
    except UserError:
        return f"#{value}"
    return str(value)


class FieldChoicesModel(QAbstractTableModel):
    """Field | kept record's value | other record's value. The value that survives the merge is
    ticked (Space or a click picks the other one); fields with the same value have no choice,
    and fields blank in both are not listed."""

    FIELD, KEEP, OTHER = range(3)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.choices: list[FieldChoice] = []
        self.texts: list[tuple[str, str]] = []
        self.from_other: list[bool] = []
        self.keep_id: int | None = None
        self.other_id: int | None = None
        self._bold = QFont()
        self._bold.setBold(True)

    def set_choices(
        self, services: Services, keep_id: int, other_id: int, choices: list[FieldChoice]
    ) -> None:
        """The fields of `keep_id` and `other_id`; each starts at the merge's default: the
        survivor's value, or the other's where the survivor has none."""
        self.beginResetModel()
        self.keep_id, self.other_id = keep_id, other_id
        # A field blank in both says nothing about the two: left out, the differences stand out.
        self.choices = [c for c in choices if not (_blank(c.keep_value) and _blank(c.other_value))]
        self.texts = [
            (
                format_value(services, c.key, c.keep_value),
                format_value(services, c.key, c.other_value),
            )
            for c in self.choices
        ]
        self.from_other = [c.differs and c.default_from_other for c in self.choices]
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self.choices, self.texts, self.from_other = [], [], []
        self.keep_id = self.other_id = None
        self.endResetModel()

    # --- what the merge takes ------------------------------------------------------------------

    def take_from_other(self) -> list[str]:
        """The keys of the fields whose value comes from the other record."""
        return [
            choice.key
            for choice, other in zip(self.choices, self.from_other, strict=True)
            if other and choice.differs
        ]

    def row_of(self, key: str) -> int:
        return next(row for row, choice in enumerate(self.choices) if choice.key == key)

    def choose(self, key: str, *, from_other: bool) -> None:
        """Keep the other record's value of `key` (or the kept record's), as a click would."""
        row = self.row_of(key)
        column = self.OTHER if from_other else self.KEEP
        self.setData(self.index(row, column), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)

    def surviving(self, key: str) -> str:
        """The value the merged record will have, as shown."""
        row = self.row_of(key)
        return self.texts[row][1 if self.from_other[row] else 0]

    # --- the model -----------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.choices)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        if section == self.FIELD:
            return "Field"
        if section == self.KEEP:
            return f"Kept record (#{self.keep_id})" if self.keep_id else "Kept record"
        return f"Merged into it (#{self.other_id})" if self.other_id else "Merged into it"

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() != self.FIELD and self.choices[index.row()].differs:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def _survives(self, row: int, column: int) -> bool:
        return self.from_other[row] == (column == self.OTHER)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        choice = self.choices[row]
        if column == self.FIELD:
            if role == Qt.ItemDataRole.DisplayRole:
                return choice.label
            if role == Qt.ItemDataRole.FontRole and choice.differs:
                return self._bold
            return None
        text = self.texts[row][0 if column == self.KEEP else 1]
        if role == Qt.ItemDataRole.DisplayRole:
            return " ".join(text.split()) or BLANK
        if role == Qt.ItemDataRole.ToolTipRole:
            if not choice.differs:
                return "The same in both records"
            kept = "This value is kept" if self._survives(row, column) else "Click to keep this"
            return f"{text}\n\n{kept}" if text else f"(blank)\n\n{kept}"
        if not choice.differs:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(_SAME_FOREGROUND)
            return None
        survives = self._survives(row, column)
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if survives else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.BackgroundRole and survives:
            return QBrush(_KEPT_BACKGROUND)
        if role == Qt.ItemDataRole.ForegroundRole and not survives:
            return QBrush(_DROPPED_FOREGROUND)
        if role == Qt.ItemDataRole.FontRole and survives:
            return self._bold
        return None

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = 0
    ) -> bool:
        """Ticking a value keeps it; unticking it keeps the other one (one of the two always
        survives)."""
        if (
            role != Qt.ItemDataRole.CheckStateRole
            or not index.isValid()
            or index.column() == self.FIELD
            or not self.choices[index.row()].differs
        ):
            return False
        row = index.row()
        checked = Qt.CheckState(value) == Qt.CheckState.Checked
        self.from_other[row] = (index.column() == self.OTHER) == checked
        self.dataChanged.emit(self.index(row, self.KEEP), self.index(row, self.OTHER))
        return True
