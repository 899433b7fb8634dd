"""Opening the store from a command: one clear line when there is nothing to open yet, or it is damaged."""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from trainproof.cli._app import settings
from trainproof.errors import StoreError

if TYPE_CHECKING:  # the store (and SQLAlchemy) load when a command opens it, not when the CLI starts
    from trainproof.store.handle import StoreEngine


def read_engine(*, intact: bool = False) -> StoreEngine:
    """The store named by the settings; a clear error when it does not exist yet.

    `intact` first runs SQLite's integrity check: evidence must not be built from a damaged file that
    happens to answer the queries it makes.
    """
    from trainproof.store import open_store, sqlite_path
    from trainproof.store.integrity import require_intact

    cfg = settings()
    url = cfg.database_url
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise StoreError(f"no store at {path}", "run `trainproof sync` first (or `trainproof demo` to try)")
    engine = open_store(url, account=cfg.account)
    if intact:
        try:
            require_intact(engine)
        except BaseException:
            engine.dispose()
            raise
    return engine


@contextmanager
def opened_store(*, intact: bool = False) -> Generator[StoreEngine]:
    """`read_engine`, disposed when the command is done with it.

    An engine left to the garbage collector keeps its pooled connections open until then (psycopg warns
    that a connection was deleted while still open), so a command that opens the store closes it here.
    """
    engine = read_engine(intact=intact)
    try:
        yield engine
    finally:
        engine.dispose()
