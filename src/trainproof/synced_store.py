"""The store, when a sync has filled it: the commands that can also answer live ask here first.

`trainproof campaigns`, `trainproof trainings` and `trainproof init` answer from the store once a sync
has succeeded there, and from KnowBe4 before that; opening a SQLite store that does not exist yet must
not create an empty file as a side effect of asking.
"""

from __future__ import annotations

from trainproof.store import open_store, sqlite_path
from trainproof.store.freshness import store_version
from trainproof.store.handle import StoreEngine, read

__all__ = ["synced_store"]


def synced_store(database_url: str, account: str = "default") -> StoreEngine | None:
    """An open store with at least one successful sync of `account`, or None (the caller disposes of the engine)."""
    path = sqlite_path(database_url)
    if path is not None and not path.exists():
        return None
    engine = open_store(database_url, account=account)
    try:
        synced = read(engine, store_version).ok is not None
    except BaseException:
        engine.dispose()
        raise
    if not synced:
        engine.dispose()
        return None
    return engine
