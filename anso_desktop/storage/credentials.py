"""Passwords of server databases, kept in the operating system's credential store (Windows
Credential Manager, macOS Keychain, the Secret Service on Linux) through `keyring`, never in a
settings file.

A URL is remembered without its password; opening it again takes the password from the store.
Where no store is available (a headless server), nothing is stored and the password must come
with the URL each time, or from PostgreSQL's own password file (`~/.pgpass`) or service file
(`?service=NAME`), which libpq reads by itself when the URL holds no password.
"""

from __future__ import annotations

import logging

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

log = logging.getLogger(__name__)

#: The name the passwords are kept under in the credential store.
SERVICE = "ANSO Desktop"


def _parse(url_text: str) -> URL | None:
    if "://" not in url_text:
        return None  # a file path
    try:
        return make_url(url_text)
    except ArgumentError:
        return None


def account_of(url: URL) -> str:
    """What a password is kept for: user, server, port and database ("anso@db.office:5432/anso")."""
    port = f":{url.port}" if url.port else ""
    return f"{url.username or ''}@{url.host or ''}{port}/{url.database or ''}"


def without_password(url_text: str) -> str:
    """The URL as a settings file may keep it: no password (file paths as they are)."""
    url = _parse(url_text)
    if url is None or url.password is None:
        return url_text
    # `URL.set` takes None as "leave it": the named tuple's own replace clears it.
    return url._replace(password=None).render_as_string(hide_password=False)


def remember_password(url_text: str) -> bool:
    """Keep the URL's password in the credential store; whether it could be kept."""
    url = _parse(url_text)
    if url is None or not url.password:
        return False
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            keyring.set_password(SERVICE, account_of(url), str(url.password))
        except KeyringError as error:
            log.info("No credential store to keep the password in: %s", error)
            return False
    except ImportError:
        return False
    return True


def with_password(url_text: str) -> str:
    """The URL with its password from the credential store, when it has none of its own and
    the store knows one; else as it is (libpq may still find one in ~/.pgpass)."""
    url = _parse(url_text)
    if url is None or url.password is not None or url.get_backend_name() == "sqlite":
        return url_text
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            password = keyring.get_password(SERVICE, account_of(url))
        except KeyringError:
            return url_text
    except ImportError:
        return url_text
    if not password:
        return url_text
    return url.set(password=password).render_as_string(hide_password=False)


def moved_out(values: list[str]) -> tuple[list[str], bool]:
    """Settings values with their passwords moved to the credential store (an earlier version
    kept them in the settings file): the values as they may stay, and whether any changed."""
    cleaned = []
    changed = False
    for value in values:
        bare = without_password(value)
        if bare != value:
            remember_password(value)
            changed = True
        cleaned.append(bare)
    return cleaned, changed
