"""Sync bookkeeping: what the store knows of each campaign's and test's last complete fetch.

The sync planner reads these to skip campaigns that were finished when last fetched in full and still
are, and tests whose recipients cannot change any more. A successful sync writes them (`mark_*`) in the
transaction that merges what it fetched, so a bookmark never claims data the store does not hold.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, func, select, update

from trainproof.store import schema

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
            .where(e.c.removed_at.is_(None), e.c.campaign_id.is_not(None))
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
        )
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
            s.c.recipients_fetched_at.is_not(None)
        )
    ).all()
    return {r.pst_id: (r.recipients_fetched_status, r.recipient_count) for r in rows}


def security_test_kinds(conn: Connection) -> dict[int, tuple[str | None, str | None]]:
    """Per security test KnowBe4 still lists: (its status, its campaign type), to plan the recipient walks."""
    t = schema.security_tests
    rows = conn.execute(select(t.c.pst_id, t.c.status, t.c.campaign_type).where(t.c.removed_at.is_(None)))
    return {r.pst_id: (r.status, r.campaign_type) for r in rows}


def mark_campaigns_fetched(conn: Connection, counts: Mapping[int, int], *, at: datetime, run_id: int) -> None:
    """These campaigns' enrollments (campaign id -> how many) were fetched completely at `at` by `run_id`;
    the status each campaign has now is remembered with it."""
    if not counts:
        return
    c = schema.training_campaigns
    stmt = (
        update(c)
        .where(c.c.campaign_id == bindparam("cid"))
        .values(
            enrollments_fetched_at=bindparam("at", type_=schema.UTCDateTime()),
            enrollments_fetched_status=c.c.status,
            enrollments_fetched_run_id=bindparam("run"),
            enrollment_count=bindparam("n"),
        )
    )
    conn.execute(stmt, [{"cid": cid, "at": at, "run": run_id, "n": n} for cid, n in counts.items()])


def mark_users_fetched(conn: Connection, user_ids: Collection[int], *, at: datetime) -> None:
    """These people's enrollments were fetched completely at `at` (the per-person walk)."""
    if not user_ids:
        return
    u = schema.users
    stmt = (
        update(u)
        .where(u.c.id == bindparam("uid"))
        .values(enrollments_fetched_at=bindparam("at", type_=schema.UTCDateTime()))
    )
    conn.execute(stmt, [{"uid": uid, "at": at} for uid in user_ids])


def mark_recipients_fetched(conn: Connection, counts: Mapping[int, int], *, at: datetime) -> None:
    """These security tests' recipients (test id -> how many) were fetched completely at `at`; the status
    each test has now is remembered with it."""
    if not counts:
        return
    t = schema.security_tests
    stmt = (
        update(t)
        .where(t.c.pst_id == bindparam("pid"))
        .values(
            recipients_fetched_at=bindparam("at", type_=schema.UTCDateTime()),
            recipients_fetched_status=t.c.status,
            recipient_count=bindparam("n"),
        )
    )
    conn.execute(stmt, [{"pid": pid, "at": at, "n": n} for pid, n in counts.items()])
