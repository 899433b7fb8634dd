"""Sync bookkeeping: what the store knows of each campaign's and test's last complete fetch.

The sync planner reads these to skip campaigns that were finished when last fetched in full and still
are, and tests whose recipients cannot change any more. A successful sync writes them (`mark_*`) in the
transaction that merges what it fetched, so a bookmark never claims data the store does not hold.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, Connection, Table, bindparam, func, select, update

from trainproof.store import schema
from trainproof.store.scoping import mine

__all__ = [
    "CampaignBookmark",
    "campaign_bookmarks",
    "mark_campaigns_fetched",
    "mark_recipients_fetched",
    "mark_users_fetched",
    "recipient_bookmarks",
    "security_test_kinds",
]


@dataclass(frozen=True)
class CampaignBookmark:
    """What the store knows about a training campaign, for the sync planner."""

    campaign_id: int
    name: str | None
    status: str | None
    removed: bool
    fetched_at: datetime | None
    fetched_status: str | None
    enrollment_count: int | None
    stored_enrollments: int


def campaign_bookmarks(conn: Connection) -> dict[int, CampaignBookmark]:
    c = schema.training_campaigns
    e = schema.enrollments
    counts = dict(
        conn.execute(
            select(e.c.campaign_id, func.count())
            .where(mine(conn, e), e.c.removed_at.is_(None), e.c.campaign_id.is_not(None))
            .group_by(e.c.campaign_id)
        ).all()
    )
    rows = conn.execute(
        select(
            c.c.campaign_id,
            c.c.name,
            c.c.status,
            c.c.removed_at,
            c.c.enrollments_fetched_at,
            c.c.enrollments_fetched_status,
            c.c.enrollment_count,
        ).where(mine(conn, c))
    ).all()
    return {
        r.campaign_id: CampaignBookmark(
            campaign_id=r.campaign_id,
            name=r.name,
            status=r.status,
            removed=r.removed_at is not None,
            fetched_at=r.enrollments_fetched_at,
            fetched_status=r.enrollments_fetched_status,
            enrollment_count=r.enrollment_count,
            stored_enrollments=int(counts.get(r.campaign_id, 0)),
        )
        for r in rows
    }


def recipient_bookmarks(conn: Connection) -> dict[int, tuple[str | None, int | None]]:
    """Per security test: (its status when its recipients were last fetched, how many there were)."""
    s = schema.security_tests
    rows = conn.execute(
        select(s.c.pst_id, s.c.recipients_fetched_status, s.c.recipient_count).where(
            mine(conn, s), s.c.recipients_fetched_at.is_not(None)
        )
    ).all()
    return {r.pst_id: (r.recipients_fetched_status, r.recipient_count) for r in rows}


def security_test_kinds(conn: Connection) -> dict[int, tuple[str | None, str | None]]:
    """Per security test KnowBe4 still lists: (its status, its campaign type), to plan the recipient walks."""
    t = schema.security_tests
    rows = conn.execute(
        select(t.c.pst_id, t.c.status, t.c.campaign_type).where(mine(conn, t), t.c.removed_at.is_(None))
    )
    return {r.pst_id: (r.status, r.campaign_type) for r in rows}


def _mark(conn: Connection, table: Table, key: str, rows: list[dict[str, Any]], **values: Any) -> None:
    """UPDATE `table` SET `values` WHERE `key` = :key, once per row (one executemany); no rows, no query.

    Each row carries "key" and "at" (the fetch time) and whatever else `values` binds.
    """
    if rows:
        conn.execute(update(table).where(mine(conn, table), table.c[key] == bindparam("key")).values(**values), rows)


def _at() -> BindParameter[datetime]:
    return bindparam("at", type_=schema.UTCDateTime())


def mark_campaigns_fetched(conn: Connection, counts: Mapping[int, int], *, at: datetime, run_id: int) -> None:
    """These campaigns' enrollments (campaign id -> how many) were fetched completely at `at` by `run_id`;
    the status each campaign has now is remembered with it."""
    c = schema.training_campaigns
    rows: list[dict[str, Any]] = [{"key": cid, "at": at, "run": run_id, "n": n} for cid, n in counts.items()]
    _mark(
        conn,
        c,
        "campaign_id",
        rows,
        enrollments_fetched_at=_at(),
        enrollments_fetched_status=c.c.status,
        enrollments_fetched_run_id=bindparam("run"),
        enrollment_count=bindparam("n"),
    )


def mark_users_fetched(conn: Connection, user_ids: Collection[int], *, at: datetime) -> None:
    """These people's enrollments were fetched completely at `at` (the per-person walk)."""
    rows: list[dict[str, Any]] = [{"key": uid, "at": at} for uid in user_ids]
    _mark(conn, schema.users, "id", rows, enrollments_fetched_at=_at())


def mark_recipients_fetched(conn: Connection, counts: Mapping[int, int], *, at: datetime) -> None:
    """These security tests' recipients (test id -> how many) were fetched completely at `at`; the status
    each test has now is remembered with it."""
    t = schema.security_tests
    rows: list[dict[str, Any]] = [{"key": pid, "at": at, "n": n} for pid, n in counts.items()]
    _mark(
        conn,
        t,
        "pst_id",
        rows,
        recipients_fetched_at=_at(),
        recipients_fetched_status=t.c.status,
        recipient_count=bindparam("n"),
    )
