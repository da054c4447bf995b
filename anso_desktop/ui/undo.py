"""Undo and redo of adds, edits, deletes and merges, made through the same services as the change
itself.

A change is made first (so its errors reach the dialog); the command pushed afterwards knows how
to reverse it and make it again. A record brought back by undo gets a new id, which the command
follows, so undo/redo can go back and forth any number of times.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QWidget

from anso_desktop.errors import UserError
from anso_desktop.services.base import CrudService
from anso_desktop.ui import messages

if TYPE_CHECKING:
    from anso_desktop.services import Services
    from anso_desktop.services.matching import DuplicatePair
    from anso_desktop.services.merging import MergeResult, MergeTable


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
    """Where one record is now: its id (new after an undone delete) and version.

    Every command about the same record shares one of these, so "edit, delete, undo the delete,
    undo the edit" finds the record under its new id and version.
    """

    def __init__(self, record_id: int, version: int) -> None:
        self.id = record_id
        self.version = version


# Per database (so that switching database never mixes them up): (model, id) -> tracked record.
_tracking: WeakKeyDictionary[object, dict[tuple[type, int], _Tracked]] = WeakKeyDictionary()


def _track(service: CrudService[Any, Any], record: Any) -> _Tracked:
    """The shared tracker of `record`, brought up to date with it (it was just read or saved)."""
    known = _tracking.setdefault(service.database, {})
    tracked = known.get((service.model, record.id))
    if tracked is None:
        tracked = _Tracked(record.id, record.version)
        known[(service.model, record.id)] = tracked
    tracked.version = record.version
    return tracked


def _follow(service: CrudService[Any, Any], tracked: _Tracked, record: Any) -> None:
    """After an undo or redo: the record's id and version now."""
    tracked.id, tracked.version = record.id, record.version
    _tracking.setdefault(service.database, {})[(service.model, record.id)] = tracked


def created(
    service: CrudService[Any, Any],
    record: Any,
    data: Any,
    on_change: Callable[[], None],
    parent: QWidget | None = None,
    *,
    label: str,
) -> ServiceCommand:
    tracked = _track(service, record)

    def undo() -> None:
        service.delete(tracked.id, tracked.version)

    def redo() -> None:
        _follow(service, tracked, service.create(data))

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
    tracked = _track(service, after)

    def undo() -> None:
        _follow(service, tracked, service.update(tracked.id, tracked.version, before_data))

    def redo() -> None:
        _follow(service, tracked, service.update(tracked.id, tracked.version, after_data))

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
    tracked = _track(service, record)

    def undo() -> None:
        _follow(service, tracked, recreate() if recreate is not None else service.create(data))

    def redo() -> None:
        service.delete(tracked.id, tracked.version)

    return ServiceCommand(f"Delete {label}", undo, redo, on_change, parent)


class _Merge:
    """Where a merge stands: its latest result, which undo puts back and redo replaces."""

    def __init__(self, result: MergeResult) -> None:
        self.result = result


def merged(
    services: Services,
    result: MergeResult,
    on_change: Callable[[], None],
    parent: QWidget | None = None,
) -> ServiceCommand:
    """A merge already made: undo puts back exactly what it wrote, redo merges the same two
    records again with the same fields taken from the other."""
    state = _Merge(result)

    def undo() -> None:
        services.merges.undo(state.result)

    def redo() -> None:
        done = state.result
        state.result = services.merges.merge(
            done.table, done.keep.id, done.other.id, take_from_other=done.taken_from_other
        )

    text = f"Merge “{result.other.name}” into “{result.keep.name}”"
    return ServiceCommand(text, undo, redo, on_change, parent)


def marked_distinct(
    services: Services,
    pair: DuplicatePair,
    table: MergeTable,
    on_change: Callable[[], None],
    parent: QWidget | None = None,
) -> ServiceCommand:
    """ "Not a duplicate", already said: undo offers the pair again."""
    first, second = pair.first.id, pair.second.id
    return ServiceCommand(
        f"Not a duplicate: “{pair.first.name}” and “{pair.second.name}”",
        lambda: services.merges.forget_distinct(table, first, second),
        lambda: services.merges.mark_distinct(table, first, second),
        on_change,
        parent,
    )
