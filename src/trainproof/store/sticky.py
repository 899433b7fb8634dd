"""The state the compliance engine keeps: sticky records and the event log (reminders: `reminders.py`).

Sticky records are never deleted or rewritten: a reset fills `reset_at`, `reset_reason` and
`reset_by` on the open record (and appends a `reset` event), after which a new record may be opened.
The database enforces one open record per person and training. The event log is append-only
(triggers refuse UPDATE and DELETE).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, select, update

from trainproof.compliance.facts import EnrollmentFact, StickyRecord
from trainproof.store import schema
from trainproof.store.scoping import mine

__all__ = [
    "append_events",
    "compliance_events",
    "open_sticky_trainings",
    "reset_sticky",
    "save_sticky_records",
    "sticky_records",
]


def save_sticky_records(
    conn: Connection, records: Iterable[StickyRecord], *, actor: str = "trainproof"
) -> list[StickyRecord]:
    """Persist new sticky records (record_id None) with a `compliant` event each; returns them with ids.

    A record for a person and training that already has an open record is skipped (the open one
    stands: that is what sticky means). Runs in the caller's transaction.
    """
    s = schema.sticky_records
    saved: list[StickyRecord] = []
    for rec in records:
        if rec.record_id is not None:
            continue
        open_id = conn.execute(
            select(s.c.id).where(
                mine(conn, s), s.c.user_id == rec.user_id, s.c.training == rec.training, s.c.reset_at.is_(None)
            )
        ).scalar()
        if open_id is not None:
            continue
        result = conn.execute(
            s.insert().values(
                user_id=rec.user_id,
                training=rec.training,
                compliant_since=rec.compliant_since,
                earned_by=json.dumps([e.to_dict() for e in rec.earned_by], separators=(",", ":")),
                recorded_at=rec.recorded_at,
            )
        )
        pk = result.inserted_primary_key
        record_id = int(pk[0]) if pk else None
        saved.append(
            StickyRecord(
                user_id=rec.user_id,
                training=rec.training,
                compliant_since=rec.compliant_since,
                earned_by=rec.earned_by,
                recorded_at=rec.recorded_at,
                record_id=record_id,
            )
        )
        append_events(
            conn,
            [
                {
                    "at": rec.recorded_at,
                    "kind": "compliant",
                    "user_id": rec.user_id,
                    "training": rec.training,
                    "state": "compliant",
                    "actor": actor,
                    "detail": {
                        "record_id": record_id,
                        "compliant_since": rec.compliant_since.isoformat(),
                        "enrollment_ids": [e.enrollment_id for e in rec.earned_by],
                    },
                }
            ],
        )
    return saved


def reset_sticky(
    conn: Connection,
    *,
    training: str,
    user_ids: Sequence[int],
    at: datetime,
    reason: str,
    by: str,
) -> list[int]:
    """Close the open sticky records of these people for `training`; returns the record ids reset."""
    s = schema.sticky_records
    ids = sorted({int(u) for u in user_ids})
    if not ids:
        return []
    rows = conn.execute(
        select(s.c.id, s.c.user_id).where(
            mine(conn, s), s.c.training == training, s.c.user_id.in_(ids), s.c.reset_at.is_(None)
        )
    ).all()
    if not rows:
        return []
    record_ids = [r.id for r in rows]
    conn.execute(
        update(s)
        .where(and_(mine(conn, s), s.c.id.in_(record_ids), s.c.reset_at.is_(None)))
        .values(reset_at=at, reset_reason=reason, reset_by=by)
    )
    append_events(
        conn,
        [
            {
                "at": at,
                "kind": "reset",
                "user_id": r.user_id,
                "training": training,
                "actor": by,
                "reason": reason,
                "detail": {"record_id": r.id},
            }
            for r in rows
        ],
    )
    return record_ids


def append_events(conn: Connection, events: Iterable[Mapping[str, Any]]) -> int:
    """Append decision/reset events: mappings with `at`, `kind` and any of user_id, training, state,
    actor, reason, detail (JSON-ready). Returns how many were written."""
    cols = ("at", "kind", "user_id", "training", "state", "actor", "reason", "detail")
    rows = [{c: ev.get(c) for c in cols} for ev in events]
    if rows:
        conn.execute(schema.compliance_events.insert(), rows)
    return len(rows)


def open_sticky_trainings(conn: Connection) -> dict[int, frozenset[str]]:
    """Person id -> the trainings they hold an open (not reset) sticky record for; no record bodies read."""
    s = schema.sticky_records
    out: dict[int, set[str]] = {}
    query = select(s.c.user_id, s.c.training).where(mine(conn, s), s.c.reset_at.is_(None))
    for uid, training in conn.execute(query):
        out.setdefault(int(uid), set()).add(str(training))
    return {uid: frozenset(trainings) for uid, trainings in out.items()}


def sticky_records(
    conn: Connection,
    *,
    as_of: datetime | None = None,
    training: str | None = None,
    user_ids: Iterable[int] | None = None,
    open_only: bool = False,
) -> list[StickyRecord]:
    """Sticky records, as they stood at `as_of` (recorded by then; a later reset not yet applied).

    `open_only` keeps the records that hold (not reset) at `as_of` (or now).
    """
    s = schema.sticky_records
    query = select(s).where(mine(conn, s)).order_by(s.c.id)
    if training is not None:
        query = query.where(s.c.training == training)
    if user_ids is not None:
        ids = sorted({int(i) for i in user_ids})
        query = query.where(s.c.user_id.in_(ids))
    if as_of is not None:
        query = query.where(s.c.recorded_at <= as_of)
    out: list[StickyRecord] = []
    for r in conn.execute(query):
        reset_at, reset_reason = r.reset_at, r.reset_reason
        if as_of is not None and reset_at is not None and reset_at > as_of:
            reset_at, reset_reason = None, None
        if open_only and reset_at is not None:
            continue
        earned = json.loads(r.earned_by)
        out.append(
            StickyRecord(
                user_id=r.user_id,
                training=r.training,
                compliant_since=r.compliant_since,
                earned_by=tuple(EnrollmentFact.from_dict(e) for e in earned),
                recorded_at=r.recorded_at,
                reset_at=reset_at,
                reset_reason=reset_reason,
                record_id=r.id,
            )
        )
    return out


def compliance_events(
    conn: Connection, *, user_id: int | None = None, training: str | None = None
) -> list[dict[str, Any]]:
    """The decision and reset log, oldest first."""
    e = schema.compliance_events
    query = select(e).where(mine(conn, e)).order_by(e.c.id)
    if user_id is not None:
        query = query.where(e.c.user_id == user_id)
    if training is not None:
        query = query.where(e.c.training == training)
    return [dict(r) for r in conn.execute(query).mappings()]
