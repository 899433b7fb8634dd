"""Merging a sync's staged rows into the store, keeping history: nothing overwritten silently, nothing deleted.

For each mirrored resource, inside the caller's single transaction and set-based in SQL:

1. count what is new, changed (its raw JSON differs) or restored (it had been marked removed);
2. append history rows: `enrollment_versions` / `user_versions` when a tracked field changed (status,
   dates, assignment; population fields), `record_versions` (with the raw JSON) for the small mirrors;
3. upsert the current row (`last_seen_at` moves on; `changed_at` only when the raw JSON changed);
4. for every scope fetched completely (all users; every enrollment of campaign 42; every enrollment
   of user 7), mark rows that were not in the fetch as removed (`removed_at`), with a history row.
   Rows outside every complete scope are left alone: not fetched is not gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    String,
    Table,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.sql.expression import insert

from trainproof.store import schema
from trainproof.store.staging import ALL, MIRRORS, Mirror, Staging
from trainproof.store.upsert import dialect_insert

__all__ = ["MergeCounts", "apply_staging"]


@dataclass
class MergeCounts:
    """What one merge did to one resource."""

    fetched: int = 0
    new: int = 0
    changed: int = 0
    restored: int = 0
    removed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "fetched": self.fetched,
            "new": self.new,
            "changed": self.changed,
            "restored": self.restored,
            "removed": self.removed,
        }


def apply_staging(conn: Connection, staging: Staging, *, now: datetime, run_id: int) -> dict[str, MergeCounts]:
    """Merge every staged resource into the store. The caller holds the one write transaction."""
    staging.flush()
    results: dict[str, MergeCounts] = {}
    for name, mirror in MIRRORS.items():
        results[name] = _merge(conn, mirror, staging.tables[name], staging.scopes, now=now, run_id=run_id)
    return results


def _key_text(table: Table, keys: tuple[str, ...]) -> ColumnElement[str]:
    parts: list[ColumnElement[Any]] = [cast(table.c[k], String) for k in keys]
    expr = parts[0]
    for part in parts[1:]:
        expr = expr + literal("/") + part
    return expr


def _history_table(mirror: Mirror) -> tuple[Table, str, tuple[str, ...]] | None:
    """(versions table, its foreign-key column, tracked columns) for typed histories."""
    if mirror.history == "enrollment":
        return schema.enrollment_versions, "enrollment_id", schema.ENROLLMENT_TRACKED
    if mirror.history == "user":
        return schema.user_versions, "user_id", schema.USER_TRACKED
    return None


def _merge(conn: Connection, mirror: Mirror, stage: Table, scopes: Table, *, now: datetime, run_id: int) -> MergeCounts:
    t = mirror.table
    keys = mirror.keys
    on = and_(*[t.c[k] == stage.c[k] for k in keys])
    joined = stage.outerjoin(t, on)
    absent = t.c[keys[0]].is_(None)
    was_removed = t.c.removed_at.is_not(None)
    raw_changed = t.c.raw.is_distinct_from(stage.c.raw)
    now_lit = literal(now, schema.UTCDateTime())
    run_lit = literal(run_id, Integer())

    # 1. Counts.
    row = conn.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((absent, 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(~absent, was_removed), 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(~absent, ~was_removed, raw_changed), 1), else_=0)), 0),
        ).select_from(joined)
    ).one()
    counts = MergeCounts(fetched=int(row[0]), new=int(row[1]), restored=int(row[2]), changed=int(row[3]))
    kind = case((absent, "new"), (was_removed, "restored"), else_="changed")

    # 2. History of what is new, changed or back.
    typed = _history_table(mirror)
    if typed is not None:
        versions, fk, tracked = typed
        tracked_changed = or_(*[stage.c[f].is_distinct_from(t.c[f]) for f in tracked])
        sel = (
            select(stage.c[keys[0]], now_lit, run_lit, kind, *[stage.c[f] for f in tracked])
            .select_from(joined)
            .where(or_(absent, was_removed, tracked_changed))
        )
        conn.execute(insert(versions).from_select([fk, "seen_at", "run_id", "kind", *tracked], sel))
    elif mirror.history == "record":
        rv = schema.record_versions
        sel = (
            select(literal(mirror.name), _key_text(stage, keys), now_lit, run_lit, kind, stage.c.raw)
            .select_from(joined)
            .where(or_(absent, was_removed, raw_changed))
        )
        conn.execute(insert(rv).from_select(["resource", "record_key", "seen_at", "run_id", "kind", "raw"], sel))

    # 3. Upsert the current rows.
    if counts.fetched:
        data = list(mirror.data_columns)
        ins = dialect_insert(conn, t)
        source = select(
            *[stage.c[c] for c in data],
            now_lit.label("first_seen_at"),
            now_lit.label("last_seen_at"),
            now_lit.label("changed_at"),
            run_lit.label("last_run_id"),
        ).where(true())  # SQLite needs a WHERE to parse INSERT ... SELECT ... ON CONFLICT
        ins = ins.from_select([*data, "first_seen_at", "last_seen_at", "changed_at", "last_run_id"], source)
        excluded = ins.excluded
        set_: dict[str, Any] = {c: excluded[c] for c in data if c not in keys}
        set_["last_seen_at"] = excluded.last_seen_at
        set_["last_run_id"] = excluded.last_run_id
        set_["removed_at"] = None
        set_["changed_at"] = case(
            (or_(t.c.raw.is_distinct_from(excluded.raw), t.c.removed_at.is_not(None)), excluded.changed_at),
            else_=t.c.changed_at,
        )
        conn.execute(ins.on_conflict_do_update(index_elements=list(keys), set_=set_))

    # 4. Removals within complete scopes.
    scope_rows = conn.execute(select(scopes.c.field).where(scopes.c.resource == mirror.name).distinct()).scalars()
    fields: list[str] = list(scope_rows)
    if not fields:
        return counts
    in_scope: ColumnElement[bool]
    if ALL in fields:
        in_scope = true()
    else:
        conds: list[ColumnElement[bool]] = []
        for f in fields:
            col: ColumnElement[Any] = t.c[f]
            ids = select(scopes.c.id).where(scopes.c.resource == mirror.name, scopes.c.field == f)
            conds.append(col.in_(ids))
        in_scope = or_(false(), *conds)
    gone = and_(
        t.c.removed_at.is_(None),
        in_scope,
        ~exists().where(and_(*[stage.c[k] == t.c[k] for k in keys])),
    )
    if typed is not None:
        versions, fk, tracked = typed
        sel = select(t.c[keys[0]], now_lit, run_lit, literal("removed"), *[t.c[f] for f in tracked]).where(gone)
        conn.execute(insert(versions).from_select([fk, "seen_at", "run_id", "kind", *tracked], sel))
    elif mirror.history == "record":
        rv = schema.record_versions
        sel = select(literal(mirror.name), _key_text(t, keys), now_lit, run_lit, literal("removed")).where(gone)
        conn.execute(insert(rv).from_select(["resource", "record_key", "seen_at", "run_id", "kind"], sel))
    result = conn.execute(update(t).where(gone).values(removed_at=now_lit, changed_at=now_lit))
    counts.removed = max(result.rowcount, 0)
    return counts
