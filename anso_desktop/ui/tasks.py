"""Running slow work (files, big queries, backups) off the GUI thread, with progress and Cancel.

A `Task` runs a plain function on Qt's thread pool; the function receives a `Progress` it can
report to and ask whether the user cancelled. Results and errors come back to the GUI thread as
signals, so widgets are only ever touched from there.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised inside a task when the user pressed Cancel; the task's work is rolled back."""


class Progress:
    """Handed to the task function: report how far it is, and check for Cancel."""

    def __init__(self, emit: Callable[[int, int, str], None]) -> None:
        self._emit = emit
        self._cancelled = threading.Event()

    def report(self, done: int, total: int, message: str = "") -> None:
        self.check()
        self._emit(done, total, message)

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        if self._cancelled.is_set():
            raise Cancelled


class Task(QObject):
    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)  # the exception
    cancelled = Signal()
    finished = Signal()

    def __init__(self, function: Callable[[Progress], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._function = function
        self.progress = Progress(self.progressed.emit)

    def start(self, pool: QThreadPool | None = None) -> None:
        (pool or QThreadPool.globalInstance()).start(_Runner(self))

    def cancel(self) -> None:
        self.progress.cancel()

    def _run(self) -> None:
        try:
            result = self._function(self.progress)
        except Cancelled:
            self.cancelled.emit()
        except Exception as error:  # delivered to the GUI thread, which decides what to show
            if not _is_user_error(error):
                log.exception("Background task failed")
            self.failed.emit(error)
        else:
            self.succeeded.emit(result)
        finally:
            self.finished.emit()


def _is_user_error(error: BaseException) -> bool:
    from anso_desktop.errors import UserError

    return isinstance(error, UserError)


class _Runner(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self._task = task

    def run(self) -> None:
        self._task._run()
