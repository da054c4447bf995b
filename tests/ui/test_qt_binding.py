"""The Qt binding itself: a release that mishandles reference counts aborts a long session."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject


def test_calls_that_return_nothing_leave_none_alive() -> None:
    # PySide6 6.12.0 on Python 3.11 took one reference from None per such call; None's count
    # (a few thousand) ran out after a few minutes of painting and the process aborted.
    holder = QObject()
    before = sys.getrefcount(None)
    for _ in range(1000):
        holder.setObjectName("printed list")
    assert sys.getrefcount(None) >= before - 10
