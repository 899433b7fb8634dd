"""Plain row tuples from a query, and driver values to aware UTC datetimes: the fast path of the large reads.

SQLAlchemy's row objects and per-value type processing cost several times the read itself at 50,000
people (300,000 enrollments): the large reads (facts, the rows reports read) take plain tuples in
batches instead. SQLite is read through its own cursor (named parameters are its native style),
PostgreSQL through a server-side cursor, so memory holds one batch of driver rows at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, text

__all__ = ["BATCH", "instant_reader", "plain_rows"]

BATCH = 20_000  # rows fetched at a time: one driver call per batch, not per row


def _run(conn: Connection, sql: str, params: dict[str, Any]) -> Any:
    stmt = text(sql).execution_options(stream_results=True)  # PostgreSQL: a server-side cursor
    if "cids" in params:
        stmt = stmt.bindparams(bindparam("cids", expanding=True))
    return conn.execute(stmt, params)


def plain_rows(conn: Connection, sql: str, params: dict[str, Any]) -> Iterator[Sequence[Any]]:
    """The rows of `sql` as plain tuples in batches: bounded memory on both dialects, no per-row fetch call.

    `params` may hold `cids`, a list expanded into `IN :cids`.
    """
    if conn.dialect.name != "sqlite":
        result = _run(conn, sql, params)
        try:
            for batch in result.partitions(BATCH):
                yield from batch
        finally:
            result.close()
        return
    flat = dict(params)
    ids = flat.pop("cids", None)
    if ids is not None:
        names = [f"c{i}" for i in range(len(ids))]
        sql = sql.replace(":cids", "(" + ", ".join(f":{n}" for n in names) + ")")
        flat.update(zip(names, ids, strict=True))
    conn.execute(text("SELECT 1"))  # make sure the connection's transaction has begun, as SQLAlchemy does
    cursor = conn.connection.dbapi_connection.cursor()  # pyright: ignore[reportOptionalMemberAccess]
    try:
        cursor.execute(sql, flat)
        while batch := cursor.fetchmany(BATCH):
            yield from batch
    finally:
        cursor.close()


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    if value.tzinfo is UTC:
        return value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def instant_reader(conn: Connection) -> Callable[[Any], datetime | None]:
    """Driver value -> aware UTC datetime, as `schema.UTCDateTime` reads it, each distinct value parsed once.

    SQLite holds fixed-width ISO text with its offset; PostgreSQL returns datetimes. Dates repeat by the
    thousand (an enrollment date is its campaign's): one datetime object per distinct value.
    """
    seen: dict[Any, datetime | None] = {}
    get = seen.get

    def read(value: Any) -> datetime | None:
        if value is None:
            return None
        found = get(value)
        if found is None:
            found = seen[value] = _aware(value)
        return found

    return read
