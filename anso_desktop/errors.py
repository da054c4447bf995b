"""Errors a user can cause, each with a message fit to show as it is.

Anything that is not one of these is a bug: it is logged with its traceback and the user is told
where the log is.
"""

from __future__ import annotations

from collections.abc import Mapping


class UserError(Exception):
    """A refusal the user can act on: bad input, a stale edit, a damaged file."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(UserError):
    """One or more fields hold values the service refuses; `errors` maps field name to message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        # The messages name what is wrong in the user's words; field keys are for forms.
        super().__init__("; ".join(dict.fromkeys(self.errors.values())))

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls({field: message})


class NotFoundError(UserError):
    """The record is gone (deleted elsewhere, or never existed)."""


class ConflictError(UserError):
    """The record changed since it was read; saving would overwrite someone else's edit."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what} was changed by someone else since you opened it. "
            "Reload it to see the current values, then make your change again."
        )


class DatabaseError(UserError):
    """The database cannot be used: not a database, damaged, locked, unreachable, too new."""


class ReadOnlyError(DatabaseError):
    """The database may only be read: a reader's login on the server, or a read-only file."""
