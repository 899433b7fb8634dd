"""Database failures an operator can fix, each as one line: what happened and what to do.

Every store engine routes its driver errors through `on_driver_error` (installed by
`create_store_engine`), so a damaged SQLite file, a file that is not a database, a read-only store or
a PostgreSQL server that went away becomes a StoreError wherever the command happened to touch the
store, instead of a traceback. Errors that are not the store's condition (a constraint violated, SQL
the database rejects) stay SQLAlchemy errors for the code that expects them; `store_failure` turns
any of those into one line too, for the CLI's last resort.

The texts come from our own words and SQLite's or PostgreSQL's first line of error, never from data.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from trainproof.errors import StoreError

__all__ = [
    "RESTORE",
    "StoreDamagedError",
    "StoreUnavailableError",
    "database_failure",
    "driver_message",
    "on_driver_error",
    "store_failure",
]

RESTORE = (
    "restore it from a backup, or sync into a new store "
    "(TRAINPROOF_DATABASE_URL=sqlite:///new.db trainproof sync --full); "
    "`trainproof db check` shows the damage"
)


class StoreDamagedError(StoreError):
    """The store's file is corrupt (SQLite's integrity check or a read found a malformed page)."""


class StoreUnavailableError(StoreError):
    """The store cannot be reached or opened: PostgreSQL down or gone, a file that cannot be opened."""


def driver_message(exc: BaseException) -> str:
    """The driver's first line of error (SQLAlchemy's wrapper and its SQL left out), at most 200 chars."""
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return (lines[0] if lines else type(orig).__name__)[:200]


def _where(url: URL | str | None) -> str:
    from trainproof.store.db import store_label

    return "the store" if url is None else store_label(url)


def _sqlite(orig: sqlite3.Error, where: str) -> StoreError | None:
    name = getattr(orig, "sqlite_errorname", "") or ""
    said = driver_message(orig)
    if name.startswith("SQLITE_CORRUPT"):
        return StoreDamagedError(f"{where} is damaged (SQLite: {said})", RESTORE)
    if name == "SQLITE_NOTADB":
        return StoreUnavailableError(
            f"{where} is not a SQLite database (SQLite: {said})",
            "point TRAINPROOF_DATABASE_URL or [store] url at a trainproof store, or at a new file that "
            "`trainproof sync` will create",
        )
    if name.startswith(("SQLITE_READONLY", "SQLITE_PERM", "SQLITE_AUTH")):
        return StoreError(
            f"{where} is read-only (SQLite: {said})",
            "make the file and its folder writable by this user (SQLite writes -wal and -shm files beside it), "
            "or copy the store somewhere writable",
        )
    if name.startswith("SQLITE_CANTOPEN"):
        return StoreUnavailableError(
            f"cannot open {where} (SQLite: {said})",
            "check that the folder exists and that this user may read and write the file and the folder",
        )
    if name == "SQLITE_FULL":
        return StoreError(f"the disk holding {where} is full (SQLite: {said})", "free some space and run again")
    if name.startswith("SQLITE_IOERR"):
        return StoreError(
            f"reading or writing {where} failed (SQLite: {said})",
            "check the disk and the file system, then run `trainproof db check`",
        )
    return None


# PostgreSQL SQLSTATEs that mean "the server is not there for us" (class 08: connection exception).
_PG_GONE = {"57P01", "57P02", "57P03", "53300"}
_PG_READONLY = {"25006", "42501"}


def _postgres(orig: BaseException, where: str, *, gone: bool) -> StoreError | None:
    import psycopg

    said = driver_message(orig)
    state = str(getattr(orig, "sqlstate", "") or "")
    # psycopg raises OperationalError without a SQLSTATE when it cannot connect or the connection broke.
    unreachable = isinstance(orig, psycopg.OperationalError) and not state
    if gone or unreachable or state.startswith("08") or state in _PG_GONE:
        what = f"lost the connection to {where}" if gone else f"cannot reach {where}"
        return StoreUnavailableError(
            f"{what} (PostgreSQL: {said})",
            "check that the server is running and reachable and the URL's user and password, then run the "
            "command again (a sync that was cut off keeps the store as it was)",
        )
    if state == "53100":
        return StoreError(f"the PostgreSQL server of {where} is out of disk (PostgreSQL: {said})", "free some space")
    if state in _PG_READONLY:
        return StoreError(
            f"{where} does not let this user write (PostgreSQL: {said})",
            "grant the role write access to the schema, or use a writable database",
        )
    return None


def _classify(orig: BaseException, url: URL | str | None, *, gone: bool = False) -> StoreError | None:
    where = _where(url)
    if isinstance(orig, sqlite3.Error):
        return _sqlite(orig, where)
    if type(orig).__module__.startswith("psycopg"):
        return _postgres(orig, where, gone=gone)
    return None


def on_driver_error(ctx: Any) -> BaseException | None:
    """SQLAlchemy's handle_error hook: the store's condition as a StoreError, anything else unchanged.

    Left alone during a pool pre-ping, where SQLAlchemy itself reconnects after a lost connection.
    """
    if getattr(ctx, "is_pre_ping", False):
        return None
    url = ctx.engine.url if ctx.engine is not None else None
    return _classify(ctx.original_exception, url, gone=bool(ctx.is_disconnect))


def store_failure(exc: BaseException, url: URL | str | None = None) -> StoreError:
    """Any database error as one line; the classified ones say what to do about the store."""
    if isinstance(exc, StoreError):
        return exc
    orig = getattr(exc, "orig", None) or exc
    known = _classify(orig, url, gone=bool(getattr(exc, "connection_invalidated", False)))
    if known is not None:
        return known
    return StoreError(
        f"{_where(url)} failed ({type(orig).__name__}: {driver_message(orig)})",
        "run `trainproof db check`; `trainproof --debug ...` shows the full error",
    )


def database_failure(exc: BaseException, url: URL | str | None = None) -> StoreError | None:
    """`store_failure` for a database error (SQLAlchemy's or SQLite's), None for any other exception.

    The CLI's last resort asks here, so starting the CLI need not import SQLAlchemy to name its errors.
    """
    if isinstance(exc, SQLAlchemyError | sqlite3.Error):
        return store_failure(exc, url)
    return None
