"""The handle an open store is passed around as, and a read through it that fails in one line.

Code outside `store/` keeps an open store and hands it to store functions, but never queries it, so it
names the handle `StoreEngine` (a connection `StoreConnection`) and needs no SQLAlchemy import of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from trainproof.store.failures import store_failure

__all__ = ["StoreConnection", "StoreEngine", "read", "reading"]

R = TypeVar("R")

StoreEngine = Engine
"""An open store (SQLite or PostgreSQL): what `open_store` and `create_store_engine` return."""

StoreConnection = Connection
"""A connection to it, as store functions take it (`read` hands one to its callback)."""


@contextmanager
def reading(engine: StoreEngine) -> Generator[None]:
    """A database error inside the block becomes one StoreError line, as the CLI prints it (`failures.py`)."""
    try:
        yield
    except SQLAlchemyError as exc:
        raise store_failure(exc, engine.url) from None


def read(engine: StoreEngine, work: Callable[[Connection], R]) -> R:
    """`work` on a connection of its own, failing as `reading` does. Blocking: servers call it in a thread."""
    with reading(engine), engine.connect() as conn:
        return work(conn)
