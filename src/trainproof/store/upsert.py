"""Dialect-aware INSERT ... ON CONFLICT, batched: the one upsert the store uses.

SQLite and PostgreSQL both spell upsert `ON CONFLICT (...) DO UPDATE`, but SQLAlchemy builds it from
dialect-specific `insert()` constructs; this module picks the right one so callers never branch on
the dialect. Rows are written in batches through `executemany` (PostgreSQL: psycopg's pipelined
"insertmanyvalues"), and each batch is de-duplicated by key first, because PostgreSQL refuses an
upsert that touches the same row twice in one statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

__all__ = ["BATCH_SIZE", "dialect_insert", "upsert_rows"]

BATCH_SIZE = 2000


def dialect_insert(conn: Connection, table: Table) -> sqlite.Insert | postgresql.Insert:
    """`insert(table)` for the connection's dialect, with `.on_conflict_do_update()` available."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for dialect {conn.dialect.name}")


def _batches(rows: Iterable[Mapping[str, Any]], size: int) -> Iterable[list[Mapping[str, Any]]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def upsert_rows(
    conn: Connection,
    table: Table,
    rows: Iterable[Mapping[str, Any]],
    *,
    keys: Sequence[str] | None = None,
    update: Sequence[str] | None = None,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Insert rows, or update the existing row with the same key; returns the number of rows sent.

    `keys` default to the primary key; `update` (the columns overwritten on conflict) to every other
    column present in the rows. An empty `update` means "insert if absent" (DO NOTHING). Every row must
    carry the same columns. The caller owns the transaction.
    """
    key_cols = list(keys) if keys is not None else [c.name for c in table.primary_key.columns]
    if not key_cols:
        raise ValueError(f"{table.name} has no key to upsert on")
    sent = 0
    for batch in _batches(rows, batch_size):
        unique = list({tuple(row[k] for k in key_cols): row for row in batch}.values())
        cols = list(unique[0].keys())
        set_cols = [c for c in cols if c not in key_cols] if update is None else list(update)
        stmt = dialect_insert(conn, table)
        if set_cols:
            stmt = stmt.on_conflict_do_update(index_elements=key_cols, set_={c: stmt.excluded[c] for c in set_cols})
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=key_cols)
        conn.execute(stmt, unique)
        sent += len(unique)
    return sent
