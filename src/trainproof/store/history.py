"""Merging a sync's staged rows into the store, keeping history: nothing overwritten silently, nothing deleted.

For each mirrored resource, inside the caller's single transaction and set-based in SQL:

1. count what is new, changed (a stored column differs) or restored (it had been marked removed);
2. append history rows: `enrollment_versions` / `user_versions` when a tracked field changed (status,
   dates, assignment; population fields), `record_versions` (with the raw JSON) for the small mirrors;
3. update the rows that changed or came back, insert the new ones, and move `last_seen_at` on the
   rows seen (except enrollments, where rewriting every unchanged row would dominate the sync);
4. for every scope fetched completely (all users; every enrollment of campaign 42; every enrollment
   of user 7), mark rows that were not in the fetch as removed (`removed_at`), with a history row.
   Rows outside every complete scope are left alone: not fetched is not gone.

Every step reads and writes the rows of the connection's account only (`scoping.mine`): the staged rows
are one account's fetch, and another account's records with the same KnowBe4 ids are not theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
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
from trainproof.store.scoping import mine
from trainproof.store.staging import ALL, MIRRORS, Mirror, Staging

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
    ours = mine(conn, t)
    on = and_(ours, *[t.c[k] == stage.c[k] for k in keys])
    joined = stage.outerjoin(t, on)
    absent = t.c[keys[0]].is_(None)
    was_removed = t.c.removed_at.is_not(None)
    # Every stored column, not only raw: derived ones (the resolved module, say) may change on their own.
    # JSON columns are left out (PostgreSQL cannot compare them); they are derived from raw anyway.
    comparable = [c for c in mirror.data_columns if c not in keys and not isinstance(t.c[c].type, JSON)]
    differs = or_(*[stage.c[c].is_distinct_from(t.c[c]) for c in comparable])
    now_lit = literal(now, schema.UTCDateTime())
    run_lit = literal(run_id, Integer())

    # 1. Counts.
    row = conn.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((absent, 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(~absent, was_removed), 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(~absent, ~was_removed, differs), 1), else_=0)), 0),
        ).select_from(joined)
    ).one()
    counts = MergeCounts(fetched=int(row[0]), new=int(row[1]), restored=int(row[2]), changed=int(row[3]))
    if not counts.fetched and not _has_scope(conn, scopes, mirror):
        return counts
    kind = case((absent, "new"), (was_removed, "restored"), else_="changed")

    # 2. History of what is new, changed or back (before the rows change).
    typed = _history_table(mirror)
    if typed is not None and (counts.new or counts.changed or counts.restored):
        versions, fk, tracked = typed
        tracked_changed = or_(*[stage.c[f].is_distinct_from(t.c[f]) for f in tracked])
        sel = (
            select(stage.c[keys[0]], now_lit, run_lit, kind, *[stage.c[f] for f in tracked])
            .select_from(joined)
            .where(or_(absent, was_removed, tracked_changed))
        )
        conn.execute(insert(versions).from_select([fk, "seen_at", "run_id", "kind", *tracked], sel))
    elif mirror.history == "record" and (counts.new or counts.changed or counts.restored):
        rv = schema.record_versions
        sel = (
            select(literal(mirror.name), _key_text(stage, keys), now_lit, run_lit, kind, stage.c.raw)
            .select_from(joined)
            .where(or_(absent, was_removed, t.c.raw.is_distinct_from(stage.c.raw)))
        )
        conn.execute(insert(rv).from_select(["resource", "record_key", "seen_at", "run_id", "kind", "raw"], sel))

    # 3. The current rows: change what changed or came back, add what is new, note what was seen.
    data = list(mirror.data_columns)
    if counts.changed or counts.restored:
        values: dict[str, Any] = {c: stage.c[c] for c in data if c not in keys}
        values.update(changed_at=now_lit, removed_at=None, last_seen_at=now_lit, last_run_id=run_lit)
        conn.execute(update(t).where(on, or_(was_removed, differs)).values(values))
    if counts.new:
        source = select(
            *[stage.c[c] for c in data],
            now_lit.label("first_seen_at"),
            now_lit.label("last_seen_at"),
            now_lit.label("changed_at"),
            run_lit.label("last_run_id"),
        ).where(~exists().where(on))
        conn.execute(
            insert(t).from_select([*data, "first_seen_at", "last_seen_at", "changed_at", "last_run_id"], source)
        )
    if mirror.touch_unchanged and counts.fetched:
        conn.execute(update(t).where(on).values(last_seen_at=now_lit, last_run_id=run_lit))

    # 4. Removals within complete scopes.
    fields: list[str] = list(
        conn.execute(select(scopes.c.field).where(scopes.c.resource == mirror.name).distinct()).scalars()
    )
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
        ours,
    )
    if typed is not None:
        versions, fk, tracked = typed
        sel = select(t.c[keys[0]], now_lit, run_lit, literal("removed"), *[t.c[f] for f in tracked]).where(gone)
        conn.execute(insert(versions).from_select([fk, "seen_at", "run_id", "kind", *tracked], sel))
    elif mirror.history == "record":
        rv = schema.record_versions
        sel = select(literal(mirror.name), _key_text(t, keys), now_lit, run_lit, literal("removed")).where(gone)
        conn.execute(insert(rv).from_select(["resource", "record_key", "seen_at", "run_id", "kind"], sel))
    removal: dict[str, Any] = {"removed_at": now_lit, "changed_at": now_lit}
    if not mirror.touch_unchanged:
        removal["last_seen_at"] = _last_sighting(conn, t)
    result = conn.execute(update(t).where(gone).values(removal))
    counts.removed = max(result.rowcount, 0)
    return counts


def _has_scope(conn: Connection, scopes: Table, mirror: Mirror) -> bool:
    return conn.execute(select(scopes.c.field).where(scopes.c.resource == mirror.name).limit(1)).first() is not None


def _last_sighting(conn: Connection, t: Table) -> ColumnElement[Any]:
    """When a vanished enrollment was last seen: its row's own last sighting, or the last complete fetch
    of its campaign or of its person before this run, whichever is latest (each complete fetch since it
    was stored contained it, or it would have been marked removed then)."""
    c, u = schema.training_campaigns, schema.users
    by_campaign = (
        select(c.c.enrollments_fetched_at)
        .where(c.c.account == t.c.account, c.c.campaign_id == t.c.campaign_id)
        .scalar_subquery()
    )
    by_person = (
        select(u.c.enrollments_fetched_at).where(u.c.account == t.c.account, u.c.id == t.c.user_id).scalar_subquery()
    )
    seen = t.c.last_seen_at
    parts = [seen, func.coalesce(by_campaign, seen), func.coalesce(by_person, seen)]
    return func.max(*parts) if conn.dialect.name == "sqlite" else func.greatest(*parts)
