"""procrastinate's tables in the store's PostgreSQL database: installed by `trainproof worker --init`.

Why there and not in `trainproof db upgrade`: the queue is an opt-in extra that only PostgreSQL stores
running workers need, and its schema is procrastinate's own (evolved by procrastinate's migrations, not
trainproof's Alembic history), so `db upgrade` stays the same for every user and needs no extra installed.
"""

from __future__ import annotations

from procrastinate import App

from trainproof.errors import ConfigError

__all__ = ["install_queue_schema", "require_queue_schema"]


async def install_queue_schema(app: App) -> bool:
    """Create the queue's tables unless present; True when created now. Safe for two workers at once."""
    if await app.check_connection_async():
        return False
    try:
        await app.schema_manager.apply_schema_async()
    except Exception:
        if await app.check_connection_async():  # another worker's --init won the race
            return False
        raise
    return True


async def require_queue_schema(app: App, where: str) -> None:
    """ConfigError (what to run) when the queue's tables are not there yet."""
    if not await app.check_connection_async():
        raise ConfigError(f"the job queue's tables are not in {where}", "run `trainproof worker --init` once")
