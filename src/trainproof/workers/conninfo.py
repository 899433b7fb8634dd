"""The queue lives in the store's PostgreSQL database: its libpq connection string from the store's URL."""

from __future__ import annotations

from trainproof.errors import ConfigError

__all__ = ["queue_conninfo"]

_SCHEMES = ("postgresql+psycopg://", "postgresql+psycopg2://", "postgresql://", "postgres://")


def queue_conninfo(database_url: str) -> str:
    """`postgresql+psycopg://u:p@h/db?options=...` -> `postgresql://u:p@h/db?options=...` (what psycopg takes).

    A SQLite store has no place for a shared queue: ConfigError pointing at `sync --all`.
    """
    for scheme in _SCHEMES:
        if database_url.startswith(scheme):
            return "postgresql://" + database_url[len(scheme) :]
    raise ConfigError(
        "workers need a PostgreSQL store (procrastinate keeps its queue in the store's database)",
        "set [store] url = 'postgresql+psycopg://...'; with SQLite run `trainproof sync --all` (e.g. from cron)",
    )
