"""`trainproof db upgrade` and `db check`: create, migrate and examine the local store."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from trainproof.cli._app import app, settings
from trainproof.cli._output import Format, render
from trainproof.errors import StoreError

db_app = typer.Typer(
    name="db",
    help="The local store: create or migrate its schema, or check that it is whole.",
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
    [store] url (default ./trainproof.db). Back it up before migrating an existing store. A damaged
    store, or one written by a newer trainproof, is refused.

    \b
    Example:
        trainproof db upgrade
    """
    from trainproof.store import StoreLock, create_store_engine, head_revision, redact_url, upgrade
    from trainproof.store.integrity import require_intact

    url = settings().database_url
    engine = create_store_engine(url)
    try:
        with StoreLock(engine, wait_s=1800 if wait else 0, holder="db upgrade"):
            require_intact(engine)
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


@db_app.command("check")
def check_command(
    fmt: Annotated[Format, typer.Option("--format", help="table, json or csv.")] = Format.table,
) -> None:
    """Check the store without changing it: integrity, schema revision, rows per table.

    Integrity is SQLite's `PRAGMA quick_check` (PostgreSQL checks its own pages; there the check is
    that the server answers). The schema must be the one this trainproof ships. Exits 1, saying what
    to do, when the store is damaged, behind (`trainproof db upgrade`) or newer than this trainproof.

    \b
    Example:
        trainproof db check
    """
    from trainproof.store import create_store_engine, sqlite_path
    from trainproof.store.integrity import check_store

    url = settings().database_url
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise StoreError(f"no store at {path}", "run `trainproof sync` first (or `trainproof demo` to try)")
    engine = create_store_engine(url)
    try:
        health = check_store(engine)
    finally:
        engine.dispose()
    integrity = "; ".join(health.integrity) if health.integrity else "ok"
    rows: list[dict[str, Any]] = [
        {"check": "store", "result": health.where.removeprefix("the store ").removeprefix("at "), "detail": ""},
        {
            "check": "integrity",
            "result": "damaged" if health.integrity else "ok",
            "detail": "PRAGMA quick_check: " + integrity if engine.dialect.name == "sqlite" else "server answers",
        },
        {
            "check": "schema",
            "result": health.schema,
            "detail": f"store at {health.revision or 'none'}, this trainproof at {health.head}"
            if not health.integrity
            else "not read from a damaged store",
        },
    ]
    rows += [{"check": "rows", "result": f"{n:,}", "detail": table} for table, n in health.counts.items()]
    render(rows, fmt.value, columns=["check", "result", "detail"])
    if health.problem is not None:
        raise health.problem
    if health.schema == "empty":
        sys.stderr.write("the store is empty: `trainproof sync` fills it\n")
