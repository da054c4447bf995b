"""Undo and redo of adds, edits and deletes, made through the same services as the change itself.

A change is made first (so its errors reach the dialog); the command pushed afterwards knows how
to reverse it and make it again. A record brought back by undo gets a new id, which the command
follows, so undo/redo can go back and forth any number of times.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QWidget

from anso_desktop.errors import UserError
from anso_desktop.services.base import CrudService
from anso_desktop.ui import messages


class ServiceCommand(QUndoCommand):
    def __init__(
        self,
        text: str,
        undo: Callable[[], None],
        redo: Callable[[], None],
        on_change: Callable[[], None],
        parent_widget: QWidget | None = None,
    ) -> None:
        super().__init__(text)
        self._undo = undo
        self._redo = redo
        self._on_change = on_change
        self._parent_widget = parent_widget
        self._done_already = True  # pushed after the change was made

    def redo(self) -> None:
        if self._done_already:
            self._done_already = False
            return
        self._run(self._redo, "redo")

    def undo(self) -> None:
        self._run(self._undo, "undo")

    def _run(self, step: Callable[[], None], verb: str) -> None:
        try:
            step()
        except UserError as error:
            messages.warn(self._parent_widget, f"Cannot {verb} “{self.text()}”: {error.message}")
            self.setObsolete(True)
        finally:
            self._on_change()


class _Tracked:
    """The id and version of the record a command is about, as they change with undo/redo."""

    def __init__(self, record: Any) -> None:
        self.id: int = record.id
        self.version: int = record.version

    def follow(self, record: Any) -> None:
        self.id, self.version = record.id, record.version


def created(
    service: CrudService[Any, Any],
    record: Any,
    data: Any,
    on_change: Callable[[], None],
    parent: QWidget | None = None,
    *,
    label: str,
) -> ServiceCommand:
    tracked = _Tracked(record)

    def undo() -> None:
        service.delete(tracked.id, tracked.version)

    def redo() -> None:
        tracked.follow(service.create(data))

    return ServiceCommand(f"Add {label}", undo, redo, on_change, parent)


def edited(
    service: CrudService[Any, Any],
    after: Any,
    before_data: Any,
    after_data: Any,
    on_change: Callable[[], None],
    parent: QWidget | None = None,
    *,
    label: str,
) -> ServiceCommand:
    tracked = _Tracked(after)

    def undo() -> None:
        tracked.follow(service.update(tracked.id, tracked.version, before_data))

    def redo() -> None:
        tracked.follow(service.update(tracked.id, tracked.version, after_data))

    return ServiceCommand(f"Edit {label}", undo, redo, on_change, parent)


def deleted(
    service: CrudService[Any, Any],
    record: Any,
    data: Any,
    on_change: Callable[[], None],
    parent: QWidget | None = None,
    *,
    label: str,
    recreate: Callable[[], Any] | None = None,
) -> ServiceCommand:
    """`recreate` brings back more than `data` holds (an organization's contacts, say)."""
    tracked = _Tracked(record)

    def undo() -> None:
        tracked.follow(recreate() if recreate is not None else service.create(data))

    def redo() -> None:
        service.delete(tracked.id, tracked.version)

    return ServiceCommand(f"Delete {label}", undo, redo, on_change, parent)
