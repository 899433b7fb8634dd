"""A sync's staging area: temporary tables on the sync's own connection, filled while fetching.

Why: a sync must commit all of its changes or none, and a tenant of 50,000 people has half a million
enrollments, too many to hold as Python objects. So every fetched page goes into a temporary table
(SQLite: the connection's temp database, on disk; PostgreSQL: `pg_temp`), invisible to every other
connection, in short transactions that never touch the store's own tables. When the fetch is
complete, `history.apply_staging` merges the staged rows into the store in ONE transaction, set-based
in SQL. A process killed mid-fetch loses only its temporary tables; the store is untouched.

The `MIRRORS` registry says, for every mirrored KnowBe4 resource, its key and which history it keeps.
"""

from __future__ import annotations

import contextlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import JSON, BigInteger, Column, Connection, Date, Integer, MetaData, String, Table

from trainproof.store import schema
from trainproof.store.upsert import BATCH_SIZE, upsert_rows

__all__ = ["BOOKKEEPING", "MIRRORS", "Mirror", "Staging"]

History = Literal["enrollment", "user", "record", "none"]

# Columns the merge maintains; never staged. A sync stages one account's records: the merge writes them
# under the account its connection is bound to (`scoping.py`).
BOOKKEEPING = ("account", "first_seen_at", "last_seen_at", "changed_at", "removed_at", "last_run_id")
ALL = "*"


@dataclass(frozen=True)
class Mirror:
    """A store table that mirrors one KnowBe4 resource."""

    table: Table
    history: History
    bookmarks: tuple[str, ...] = ()
    touch_unchanged: bool = True
    """Move `last_seen_at` on every row fetched. Off for enrollments: rewriting a million unchanged rows
    each night would cost more than the sync; their last sighting is the scope's bookmark (the campaign's
    or person's `enrollments_fetched_at`), written into the row when it changes or is removed."""

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.table.primary_key.columns if c.name != "account")

    @property
    def data_columns(self) -> tuple[str, ...]:
        """The columns a staged row carries: everything but bookkeeping and sync bookmarks."""
        skip = {*BOOKKEEPING, *self.bookmarks}
        return tuple(c.name for c in self.table.columns if c.name not in skip)


MIRRORS: dict[str, Mirror] = {
    m.name: m
    for m in (
        Mirror(schema.account, "record"),
        Mirror(schema.users, "user", ("enrollments_fetched_at",)),
        Mirror(schema.groups, "record"),
        Mirror(schema.group_members, "none"),
        Mirror(
            schema.training_campaigns,
            "record",
            (
                "enrollments_fetched_at",
                "enrollments_fetched_status",
                "enrollments_fetched_run_id",
                "enrollment_count",
            ),
        ),
        Mirror(schema.campaign_content, "record"),
        Mirror(schema.store_purchases, "record"),
        Mirror(schema.policies, "record"),
        Mirror(schema.enrollments, "enrollment", touch_unchanged=False),
        Mirror(schema.phishing_campaigns, "record"),
        Mirror(
            schema.security_tests,
            "record",
            ("recipients_fetched_at", "recipients_fetched_status", "recipient_count"),
        ),
        Mirror(schema.security_test_recipients, "none"),
    )
}


def _stage_metadata() -> tuple[MetaData, dict[str, Table], Table]:
    md = MetaData()
    tables: dict[str, Table] = {}
    for mirror in MIRRORS.values():
        cols = [
            Column(c.name, c.type, primary_key=c.primary_key, autoincrement=False)
            for c in mirror.table.columns
            if c.name in mirror.data_columns
        ]
        tables[mirror.name] = Table(f"stage_{mirror.name}", md, *cols, prefixes=["TEMPORARY"])
    scopes = Table(
        "stage_scopes",
        md,
        Column("resource", String(40), primary_key=True),
        Column("field", String(40), primary_key=True),
        Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=False),
        prefixes=["TEMPORARY"],
    )
    return md, tables, scopes


class Staging:
    """Temporary tables for one sync, on one connection (temporary tables are per connection).

    `add()` buffers rows and writes them in batches, each batch in its own short transaction;
    `complete()` records that a fetch returned the whole set for a scope (all users, or every
    enrollment of campaign 42), which is what allows the merge to mark missing records as removed.
    """

    def __init__(self, conn: Connection, *, batch_size: int = BATCH_SIZE) -> None:
        self.conn = conn
        self.batch_size = batch_size
        self.metadata, self.tables, self.scopes = _stage_metadata()
        self.counts: dict[str, int] = defaultdict(int)
        self._buffers: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        self._scope_rows: set[tuple[str, str, int]] = set()
        self._writers: dict[str, _Writer] = {}
        self._created = False

    def create(self) -> None:
        """(Re)create the empty temporary tables."""
        with self.conn.begin():
            self._drop_tables()
            self.metadata.create_all(self.conn, checkfirst=False)
        self._created = True

    def _drop_tables(self) -> None:
        # Temporary tables survive on a pooled connection, so never assume they are absent.
        for table in [*self.tables.values(), self.scopes]:
            self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table.name}")

    def drop(self) -> None:
        if self._created and not self.conn.closed:
            if self.conn.in_transaction():
                self.conn.rollback()
            with self.conn.begin():
                self._drop_tables()
        self._created = False

    def add(self, resource: str, row: Mapping[str, Any]) -> None:
        buf = self._buffers[resource]
        buf.append(row)
        self.counts[resource] += 1
        if len(buf) >= self.batch_size:
            self._flush(resource)

    def add_many(self, resource: str, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self.add(resource, row)

    def complete(self, resource: str, field: str = ALL, ids: Iterable[int] = (0,)) -> None:
        """Declare the staged rows of `resource` complete for `field` in `ids` (ALL: the whole table)."""
        if resource not in MIRRORS:
            raise KeyError(resource)
        self._scope_rows.update((resource, field, int(i)) for i in ids)

    def is_complete(self, resource: str) -> bool:
        return any(r == resource for r, _, _ in self._scope_rows)

    def flush(self) -> None:
        for resource in list(self._buffers):
            self._flush(resource)
        if self._scope_rows:
            rows = [{"resource": r, "field": f, "id": i} for r, f, i in sorted(self._scope_rows)]
            with self._transaction():
                upsert_rows(self.conn, self.scopes, rows, update=[])

    def _flush(self, resource: str) -> None:
        rows = self._buffers.pop(resource, [])
        if not rows:
            return
        writer = self._writers.get(resource)
        if writer is None:
            writer = self._writers[resource] = _Writer(self.conn, MIRRORS[resource], self.tables[resource])
        params = [writer.values(row) for row in rows]
        with self._transaction():
            self.conn.exec_driver_sql(writer.sql, params)  # pyright: ignore[reportArgumentType]

    def _transaction(self) -> contextlib.AbstractContextManager[object]:
        """A short transaction of its own, or the caller's when one is open (the final merge)."""
        return contextlib.nullcontext() if self.conn.in_transaction() else self.conn.begin()


class _Writer:
    """The staging INSERT for one mirror, written for the DBAPI directly.

    Staging is the hot path of a large sync (half a million rows), so values are converted once here
    (times to the store's format, lists to JSON) and handed to the driver's executemany, skipping
    SQLAlchemy's per-row parameter processing. Upsert semantics: the last copy of a record wins.
    """

    def __init__(self, conn: Connection, mirror: Mirror, stage: Table) -> None:
        dialect = conn.dialect
        quote = dialect.identifier_preparer.quote
        self.columns = mirror.data_columns
        keys = set(mirror.keys)
        sqlite = dialect.name == "sqlite"
        mark = "?" if sqlite else "%s"
        cols = ", ".join(quote(c) for c in self.columns)
        updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in self.columns if c not in keys)
        conflict = ", ".join(quote(k) for k in mirror.keys)
        self.sql = (
            f"INSERT INTO {quote(stage.name)} ({cols}) VALUES ({', '.join(mark for _ in self.columns)}) "
            f"ON CONFLICT ({conflict}) DO " + (f"UPDATE SET {updates}" if updates else "NOTHING")
        )
        self.converters: list[Callable[[Any], Any] | None] = []
        for name in self.columns:
            column_type = stage.c[name].type
            if isinstance(column_type, schema.UTCDateTime):
                self.converters.append(schema.sqlite_instant if sqlite else _aware)
            elif isinstance(column_type, JSON):
                self.converters.append(_json_text if sqlite else _pg_json)
            elif isinstance(column_type, Date) and sqlite:
                self.converters.append(_iso_day)
            else:
                self.converters.append(None)

    def values(self, row: Mapping[str, Any]) -> tuple[Any, ...]:
        if len(row) != len(self.columns):
            missing = set(self.columns) - set(row)
            extra = set(row) - set(self.columns)
            raise ValueError(f"staged row: missing {sorted(missing)}, unexpected {sorted(extra)}")
        return tuple(
            row[c] if conv is None or row[c] is None else conv(row[c])
            for c, conv in zip(self.columns, self.converters, strict=True)
        )


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("staged times must be aware")
    return value


def _json_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _pg_json(value: Any) -> Any:
    from psycopg.types.json import Json

    return Json(value)


def _iso_day(value: date) -> str:
    return value.isoformat()
