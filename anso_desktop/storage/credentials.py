"""Passwords of server databases, kept in the operating system's credential store (Windows
Credential Manager, macOS Keychain, the Secret Service on Linux) through `keyring`, never in a
settings file.

A URL is remembered without its password; opening it again takes the password from the store.
Where no store is available (a headless server), nothing is stored and the password must come
with the URL each time, or from PostgreSQL's own password file (`~/.pgpass`), `PGPASSWORD` or
service file (`?service=NAME`), which libpq reads by itself when the URL holds no password.
When the server still asks for one, the window asks (and keeps the answer in the store if told
to), and a command asks at the terminal.
"""

from __future__ import annotations

import getpass
import logging
import os
import sys
from typing import Literal

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

log = logging.getLogger(__name__)

#: The name the passwords are kept under in the credential store.
SERVICE = "ANSO Desktop"

#: What libpq says when the server wants a password it was not given, or refused the one it was.
_MISSING = ("no password supplied", "fe_sendauth")
_REFUSED = ("password authentication failed",)

PasswordProblem = Literal["missing", "refused"]


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


def has_password(url: URL) -> bool:
    """Whether the URL carries a password of its own (or as the libpq option `?password=`)."""
    return url.password is not None or "password" in url.query


def with_given_password(url: URL, password: str) -> URL:
    """The URL with this password, where libpq looks for it: beside the user, or as a libpq
    option when the user is one (`?user=`)."""
    bare = _bare(url)
    if bare.username is None:
        return bare.update_query_dict({"password": password})
    return bare.set(password=password)


def load_store() -> None:
    """Import the credential store and choose its backend, without reading it: done on the GUI
    thread before a worker reads it, as a first import on a worker thread is not safe under Qt
    for Python. (Choosing asks DBus whether a Secret Service runs; unlocking waits for a read.)"""
    try:
        import keyring

        keyring.get_keyring()
    except Exception as error:  # no store: a read will say so, and libpq may find a password
        log.info("The credential store could not be loaded: %s", error)


def stored_password(url: URL) -> str | None:
    """The password the credential store keeps for this server, if any. May wait for the user
    to unlock the store, so the window calls it on a worker thread."""
    if url.get_backend_name() == "sqlite":
        return None
    try:
        import keyring

        password = keyring.get_password(SERVICE, account_of(url))
    except Exception as error:  # no store, a locked one, a DBus error: libpq may still find one
        log.info("The credential store could not be read: %s", error)
        return None
    return password or None


def with_password(url_text: str) -> str:
    """The URL with its password from the credential store, when it has none of its own and
    the store knows one; else as it is (libpq may still find one in ~/.pgpass)."""
    url = _parse(url_text)
    if url is None or has_password(url):
        return url_text
    password = stored_password(url)
    if password is None:
        return url_text
    return with_given_password(url, password).render_as_string(hide_password=False)


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


def password_problem(error: BaseException) -> PasswordProblem | None:
    """Whether a failed connection wants a password ("missing": none was given, not even by
    ~/.pgpass, PGPASSWORD or a service file) or had the one given refused; None for any other
    failure. Read from libpq's message, through the errors wrapped around it."""
    seen: BaseException | None = error
    texts: list[str] = []
    while seen is not None and len(texts) < 5:
        texts.append(str(seen).lower())
        original = getattr(seen, "orig", None)
        seen = original if isinstance(original, BaseException) else seen.__cause__
    text = " ".join(texts)
    if any(mark in text for mark in _REFUSED):
        return "refused"
    if any(mark in text for mark in _MISSING):
        return "missing"
    return None


def _option(url: URL, name: str) -> str | None:
    value = url.query.get(name)
    if isinstance(value, tuple):
        value = value[0] if value else None
    return value or None


def account_label(url: URL) -> str:
    """Whose password, for which database, as a prompt names it: "editor on db.office:5432/anso"
    (libpq's defaults filled in), or "editor on service office" for a service-file entry."""
    given_user = url.username or _option(url, "user") or os.environ.get("PGUSER")
    host = url.host or _option(url, "host") or os.environ.get("PGHOST")
    service = _option(url, "service") or os.environ.get("PGSERVICE")
    if host is None and service is not None:  # the service file names the rest
        return f"{given_user} on service {service}" if given_user else f"service {service}"
    user = given_user or getpass.getuser()  # libpq's default: the system login
    port = url.port or _option(url, "port") or os.environ.get("PGPORT") or 5432
    database = url.database or _option(url, "dbname") or user
    return f"{user} on {host or 'localhost'}:{port}/{database}"


def _how_to_give(where: str, problem: PasswordProblem) -> str:
    said = (
        "refused the password it was given"
        if problem == "refused"
        else "needs a password, and none was found"
    )
    return (
        f"The database server {where} {said}. Give it in one of these ways: open the database "
        "once in the window and let it remember the password in the system's credential store; "
        "add a line for it to ~/.pgpass (or to the file PGPASSFILE names); set PGPASSWORD; or "
        "name a service (?service=NAME) whose entry in the service file holds it."
    )


def for_command_line(path_or_url: str | None) -> str | None:
    """The database a command opens, with a password typed at the terminal when the server asks
    for one that neither the URL, the credential store nor libpq's own files hold. Not kept in
    the store: the window is where a password is remembered. Without a terminal, a DatabaseError
    says how to give one."""
    from sqlalchemy import exc as sa_exc

    from anso_desktop.errors import DatabaseError
    from anso_desktop.paths import DB_ENV_VAR
    from anso_desktop.storage.database import Database, explain_database_error, resolve_location

    raw = path_or_url or os.environ.get(DB_ENV_VAR) or ""
    url = _parse(raw)
    if url is None or url.get_backend_name() == "sqlite" or has_password(url):
        return path_or_url
    location = resolve_location(raw)  # with the store's password, if it keeps one
    if has_password(location.url):
        return location.url.render_as_string(hide_password=False)
    database = Database(location)
    try:
        with database.engine.connect():
            return path_or_url  # libpq found one (~/.pgpass, PGPASSWORD), or none is needed
    except sa_exc.DBAPIError as error:
        problem = password_problem(error)
        if problem is None:
            raise explain_database_error(error, location) from error
    finally:
        database.dispose()
    where = location.describe()
    if not sys.stdin.isatty():
        raise DatabaseError(_how_to_give(where, problem))
    note = "The server refused the password it was given.\n" if problem == "refused" else ""
    try:
        password = getpass.getpass(f"{note}Password for {account_label(location.url)}: ")
    except EOFError:
        raise DatabaseError(f"No password given for {where}; nothing was done.") from None
    return with_given_password(location.url, password).render_as_string(hide_password=False)
