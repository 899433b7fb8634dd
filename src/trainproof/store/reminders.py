"""The reminders `report reminders --send` sent: one row per person, enrollment and threshold, never twice.

The database's unique key (account, user_id, enrollment_id, threshold) decides whether a reminder is new, so
two runs racing each other cannot both record (and send) the same one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from trainproof.store import schema
from trainproof.store.scoping import mine
from trainproof.store.upsert import dialect_insert

__all__ = ["SentReminder", "record_reminder", "reminders_sent"]


@dataclass(frozen=True, slots=True)
class SentReminder:
    """One reminder recorded as sent; `threshold` as written, e.g. "75%"."""

    reminder_id: int
    user_id: int
    enrollment_id: int
    threshold: str
    sent_at: datetime


def record_reminder(conn: Connection, *, user_id: int, enrollment_id: int, threshold: str, sent_at: datetime) -> bool:
    """Remember one reminder; False when that (person, enrollment, threshold) was already recorded.

    Decided by INSERT ... ON CONFLICT DO NOTHING RETURNING: a row comes back only when it was inserted.
    Not by rowcount, which psycopg reports as -1 for an insert SQLAlchemy runs with RETURNING.
    Runs in the caller's transaction.
    """
    t = schema.reminders_sent
    stmt = (
        dialect_insert(conn, t)
        .values(user_id=user_id, enrollment_id=enrollment_id, threshold=threshold, sent_at=sent_at)
        .on_conflict_do_nothing(index_elements=["account", "user_id", "enrollment_id", "threshold"])
        .returning(t.c.id)
    )
    return conn.execute(stmt).first() is not None


def reminders_sent(conn: Connection, *, user_id: int | None = None) -> list[SentReminder]:
    """The reminders recorded (of one person, or everyone), oldest first."""
    t = schema.reminders_sent
    query = (
        select(t.c.id, t.c.user_id, t.c.enrollment_id, t.c.threshold, t.c.sent_at).where(mine(conn, t)).order_by(t.c.id)
    )
    if user_id is not None:
        query = query.where(t.c.user_id == user_id)
    return [
        SentReminder(
            reminder_id=int(r.id),
            user_id=int(r.user_id),
            enrollment_id=int(r.enrollment_id),
            threshold=str(r.threshold),
            sent_at=r.sent_at,
        )
        for r in conn.execute(query)
    ]
