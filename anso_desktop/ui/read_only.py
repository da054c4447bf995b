"""A database that may only be read: a reader's login on the server, or a read-only file.

The window learns why when it opens the database (`Database.read_only_reason`, asked off the GUI
thread with the open) and hands the reason to every tab, which disables what changes data. Each
command that changes data is also marked `@editing`, so no other way in (a double-click, Enter, a
dropped file) reaches the database either.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from html import escape
from typing import Concatenate, ParamSpec, Protocol, TypeVar

#: A notice, not an error: amber like a sticky note, with the window's own text colour.
BANNER_STYLE = (
    "background: #fff8e1; color: #4e342e; border-bottom: 1px solid #ffca28; padding: 8px 12px;"
)


class MayBeReadOnly(Protocol):
    #: Why nothing may be changed (None while the database may be written).
    read_only_reason: str | None


P = ParamSpec("P")
R = TypeVar("R")
Owner = TypeVar("Owner", bound=MayBeReadOnly)


def editing(
    method: Callable[Concatenate[Owner, P], R],
) -> Callable[Concatenate[Owner, P], R | None]:
    """Mark a command that changes data: it does nothing while the database may only be read."""

    @functools.wraps(method)
    def guarded(self: Owner, *args: P.args, **kwargs: P.kwargs) -> R | None:
        if self.read_only_reason is not None:
            return None
        return method(self, *args, **kwargs)

    return guarded


def banner_html(reason: str) -> str:
    """The banner over the tabs: why, and what still works."""
    return (
        f"<b>This database is open read-only.</b> {escape(reason)} "
        "You can still search, sort, print and export."
    )
