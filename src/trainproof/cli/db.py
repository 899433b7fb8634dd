"""`trainproof db upgrade`: create or migrate the local store's schema (Alembic, shipped in the package)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from trainproof.cli._app import app, settings
from trainproof.store import StoreLock, create_store_engine, head_revision, redact_url, upgrade

db_app = typer.Typer(
    name="db",
    help="The local store: create or migrate its schema.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade_command(
    wait: Annotated[
        bool, typer.Option("--wait", help="If a sync is running on this store, wait for it (up to 30 min).")
    ] = False,
) -> None:
    """Create the store's schema, or migrate it to this trainproof's version, in one transaction.

    The store is the SQLite file or PostgreSQL database named by TRAINPROOF_DATABASE_URL or
    [store] url (default ./trainproof.db). Back it up before migrating an existing store.

    \b
    Example:
        trainproof db upgrade
    """
    url = settings().database_url
    engine = create_store_engine(url)
    try:
        with StoreLock(engine, wait_s=1800 if wait else 0, holder="db upgrade"):
            before, after = upgrade(engine)
    finally:
        engine.dispose()
    where = redact_url(url)
    if before == after:
        sys.stdout.write(f"store at {where} is up to date (schema {after})\n")
    elif before is None:
        sys.stdout.write(f"created the store at {where} (schema {after})\n")
    else:
        sys.stdout.write(f"upgraded the store at {where} from schema {before} to {after or head_revision()}\n")
