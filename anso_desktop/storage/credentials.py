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
    except (ArgumentError, ValueError):
        return None


def _bare(url: URL) -> URL:
    """The URL without any password: its own, or one given as a libpq option (`?password=`)."""
    query = {key: value for key, value in url.query.items() if key != "password"}
    return url._replace(password=None).set(query=query)  # `set` takes None as "leave it"


def account_of(url: URL) -> str:
    """What a password is kept for: the whole URL without its password and driver (user,
    server, port, database and libpq options such as `host=` or `service=`), so each server
    keeps its own whichever driver the URL names."""
    return _bare(url).set(drivername=url.get_backend_name()).render_as_string(hide_password=False)


def without_password(url_text: str) -> str:
    """The URL as a settings file may keep it: no password (file paths as they are)."""
    url = _parse(url_text)
    if url is None or (url.password is None and "password" not in url.query):
        return url_text
    return _bare(url).render_as_string(hide_password=False)


def remember_password(url_text: str) -> bool:
    """Keep the URL's password in the credential store; whether it could be kept."""
    url = _parse(url_text)
    password = url.password if url is not None else None
    if url is not None and password is None:
        given = url.query.get("password")
        password = given if isinstance(given, str) else None
    if url is None or not password:
        return False
    try:
        import keyring

        keyring.set_password(SERVICE, account_of(url), str(password))
    except Exception as error:  # no store, a locked one, a DBus error: never stop an open
        log.info("The password could not be kept in the credential store: %s", error)
        return False
    return True


def with_password(url_text: str) -> str:
    """The URL with its password from the credential store, when it has none of its own and
    the store knows one; else as it is (libpq may still find one in ~/.pgpass)."""
    url = _parse(url_text)
    if (
        url is None
        or url.password is not None
        or "password" in url.query
        or url.get_backend_name() == "sqlite"
    ):
        return url_text
    try:
        import keyring

        password = keyring.get_password(SERVICE, account_of(url))
    except Exception as error:  # no store, a locked one, a DBus error: libpq may still find one
        log.info("The credential store could not be read: %s", error)
        return url_text
    if not password:
        return url_text
    if url.username is None:  # the user is a libpq option (`?user=`): so is the password
        return url.update_query_dict({"password": password}).render_as_string(hide_password=False)
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
