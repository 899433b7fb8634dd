"""Opening the store from a command: one clear line when there is nothing to open yet."""

from __future__ import annotations

from sqlalchemy import Engine

from trainproof.cli._app import settings
from trainproof.errors import StoreError


def read_engine() -> Engine:
    """The store named by the settings; a clear error when it does not exist yet."""
    from trainproof.store import open_store, sqlite_path

    url = settings().database_url
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise StoreError(f"no store at {path}", "run `trainproof sync` first (or `trainproof demo` to try)")
    return open_store(url)
