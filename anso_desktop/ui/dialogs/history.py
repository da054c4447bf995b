"""History… of one record: every change set that touched it or its parts (contacts, other names,
organizers), newest first — when, who, from where, and each field as it was and as it became.

The wording is in `history_words`; reading and wording both run off the GUI thread (naming a linked
record is a query).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Self

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from anso_desktop.errors import UserError
from anso_desktop.services import Services
from anso_desktop.services.history import ChangeSetView
from anso_desktop.ui import messages
from anso_desktop.ui.history_words import ChangeWords, FieldLine, RowLine, change_set_heading
from anso_desktop.ui.tasks import Task

# --- the tree both history dialogs show ------------------------------------------------------

CHANGE_HEADERS = ("Change", "Before", "After")


def change_tree() -> QTreeWidget:
    """A tree of rows and their fields, Before and After side by side."""
    tree = QTreeWidget()
    tree.setColumnCount(len(CHANGE_HEADERS))
    tree.setHeaderLabels(list(CHANGE_HEADERS))
    tree.setAlternatingRowColors(True)
    tree.setUniformRowHeights(True)
    header = tree.header()
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.resizeSection(0, 230)
    header.resizeSection(1, 300)
    return tree


def add_item(
    parent: QTreeWidget | QTreeWidgetItem,
    texts: Sequence[str],
    *,
    heading: bool = False,
    bold: bool = False,
    muted: bool = False,
) -> QTreeWidgetItem:
    """One line of the tree; a heading spans every column (a change set, a row)."""
    item = QTreeWidgetItem(parent, list(texts))
    for column, text in enumerate(texts):
        item.setToolTip(column, text)
    item.setFirstColumnSpanned(heading)
    if bold or muted:
        font = QFont(item.font(0))
        font.setBold(bold)
        font.setItalic(muted)
        item.setFont(0, font)
    return item


def add_fields(parent: QTreeWidgetItem, fields: Sequence[FieldLine], action: str) -> None:
    for field in fields:
        # An insert shows the values set, a delete the values removed: "—" marks the other side.
        before = field.before or ("" if action == "insert" else "—")
        after = field.after or ("" if action == "delete" else "—")
        add_item(parent, [field.label, before, after])


def add_row(parent: QTreeWidget | QTreeWidgetItem, line: RowLine) -> QTreeWidgetItem:
    item = add_item(parent, [line.title], heading=True)
    add_fields(item, line.fields, line.action)
    return item


#: Change sets with their rows in words.
Worded = list[tuple[ChangeSetView, list[RowLine]]]


def read_record_history(services: Services, table: str, record_id: int) -> Worded:
    """The record's change sets in words (background work: it reads the names it shows)."""
    words = ChangeWords(services, (table, record_id))
    return [
        (change_set, [words.row(change) for change in change_set.changes])
        for change_set in services.history.record_history(table, record_id)
    ]


def in_background(
    owner: QWidget,
    work: Callable[[], Any],
    done: Callable[[Any], None],
    failed: Callable[[Any], None],
) -> Task:
    """Run `work` off the GUI thread; the answer goes to `owner`'s slots unless it is gone by then
    (a dialog closed while it read). The task lives until it ends, with or without its dialog."""
    task = Task(lambda _progress: work())
    _running.add(task)
    task.succeeded.connect(lambda result: isValid(owner) and done(result))
    task.failed.connect(lambda error: isValid(owner) and failed(error))
    task.finished.connect(lambda: _running.discard(task))
    task.start()
    return task


_running: set[Task] = set()


class HistoryDialog(QDialog):
    """Every change of one record and its parts, newest first; read only."""

    def __init__(
        self,
        services: Services,
        table: str,
        record_id: int,
        what: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.setWindowTitle(f"History of the {what}")
        self.resize(920, 600)
        intro = QLabel(
            f"Every change of the {what} and its details, newest first: when, who, from where, "
            "and each field before and after."
        )
        intro.setWordWrap(True)
        self.tree = change_tree()
        self.message = QLabel("Reading the history…")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #616161; font-size: 14px; padding: 40px;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.message)
        self.stack.addWidget(self.tree)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.stack, 1)
        layout.addWidget(buttons)
        self.loading = True
        in_background(
            self, lambda: read_record_history(services, table, record_id), self._show, self._failed
        )

    def _show(self, history: Worded) -> None:
        self.loading = False
        self.tree.clear()
        if not history:
            self.message.setText("No change of this record is on record yet.")
            return
        for change_set, lines in history:
            own = [line for line in lines if line.own]
            top = add_item(
                self.tree,
                [change_set_heading(change_set, own)],
                heading=True,
                bold=True,
                muted=change_set.undone_by is not None,
            )
            for line in own:
                add_fields(top, line.fields, line.action)
            for line in lines:
                if not line.own:
                    add_row(top, line)
        self.tree.expandAll()
        self.stack.setCurrentWidget(self.tree)

    def _failed(self, error: BaseException) -> None:
        self.loading = False
        if isinstance(error, UserError):
            self.message.setText(error.message)
        else:
            self.message.setText("The history could not be read.")
            messages.error(self, f"Something went wrong: {type(error).__name__}: {error}")

    def lines(self) -> list[list[str]]:
        """Every line of the tree, indented by depth, as texts: what the tests read."""
        found: list[list[str]] = []

        def walk(item: QTreeWidgetItem, depth: int) -> None:
            found.append(["  " * depth + item.text(0), item.text(1), item.text(2)])
            for child in range(item.childCount()):
                walk(item.child(child), depth + 1)

        for index in range(self.tree.topLevelItemCount()):
            walk(self.tree.topLevelItem(index), 0)
        return found

    @classmethod
    def ask(
        cls, parent: QWidget | None, services: Services, table: str, record_id: int, what: str
    ) -> None:
        """Show the history until closed. Tests patch this."""
        dialog: Self = cls(services, table, record_id, what, parent)
        dialog.exec()
