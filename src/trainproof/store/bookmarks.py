"""Sync bookkeeping: what the store knows of each campaign's and test's last complete fetch.

The sync planner reads these to skip campaigns that were finished when last fetched in full and still
are, and tests whose recipients cannot change any more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from trainproof.store import schema

__all__ = ["CampaignBookmark", "campaign_bookmarks", "recipient_bookmarks"]


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
