"""What the store holds, as a whole: rows per mirror table, and a canonical dump to compare two stores."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from trainproof.store import schema
from trainproof.store.scoping import mine

__all__ = ["MIRROR_TABLES", "canonical_dump", "store_counts"]

MIRROR_TABLES = (
    "users",
    "groups",
    "training_campaigns",
    "store_purchases",
    "policies",
    "enrollments",
    "phishing_campaigns",
    "security_tests",
    "security_test_recipients",
)
"""The tables that mirror a KnowBe4 resource (each with `removed_at`)."""


def store_counts(conn: Connection, tables: Sequence[str] = MIRROR_TABLES) -> dict[str, int]:
    """Rows per mirror table (all, or `tables`) that KnowBe4 still returns (removed ones left out).

    The sync planner asks for the small tables only: counting enrollments and recipients of a large
    tenant costs more than the plan gains from it.
    """
    out: dict[str, int] = {}
    for name in tables:
        t = schema.metadata.tables[name]
        query = select(func.count()).select_from(t).where(mine(conn, t), t.c.removed_at.is_(None))
        out[name] = int(conn.execute(query).scalar_one())
    return out


# Columns that legitimately differ between two stores holding the same content: surrogate ids, run
# ids and the wall-clock times a sync ran.
_VOLATILE = {"id", "run_id", "last_run_id", "enrollments_fetched_run_id"}
_RUN_TABLES = {"sync_runs", "api_usage"}


def _canon(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 9)
    return value


def canonical_dump(
    conn: Connection, *, tables: Sequence[str] | None = None, keep_times: bool = True
) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows in a dialect-neutral, deterministic form, to compare stores and snapshots.

    Sync runs and usage are left out (they record requests and ids, not content), as are surrogate
    ids; rows are sorted. Only the rows of the connection's account are dumped. `keep_times=False` also
    drops the bookkeeping timestamps.
    """
    names = tables or [t for t in schema.metadata.tables if t not in _RUN_TABLES]
    dump: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        table = schema.metadata.tables[name]
        rows: list[dict[str, Any]] = []
        for r in conn.execute(select(table).where(mine(conn, table))).mappings():
            row = {k: _canon(v) for k, v in r.items() if k not in _VOLATILE}
            if not keep_times:
                for k in ("first_seen_at", "last_seen_at", "changed_at", "seen_at", "enrollments_fetched_at"):
                    row.pop(k, None)
            rows.append(row)
        # One account is dumped, so `account` orders nothing: a key of it alone falls back to content.
        keys = [c.name for c in table.primary_key.columns if c.name not in _VOLATILE and c.name != "account"]
        if keys:
            rows.sort(key=lambda d: tuple(d[k] for k in keys))
        else:  # surrogate keys only (history, events): order by content
            rows.sort(key=lambda d: json.dumps(d, sort_keys=True, default=str))
        dump[name] = rows
    return dump
