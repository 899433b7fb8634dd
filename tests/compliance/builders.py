"""Small builders for compliance tests: plain facts with readable defaults."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from trainproof.compliance import Campaign, EnrollmentFact, Person, TrainingsConfig, parse_trainings

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    """Noon UTC, n days after 2026-01-01 (day(0) is 2026-01-01T12:00Z)."""
    return T0 + timedelta(days=n)


def person(uid: int, first: str = "", last: str = "", **kw: Any) -> Person:
    return Person(user_id=uid, email=kw.pop("email", f"user{uid}@example.com"), first_name=first or None,
                  last_name=last or None, **kw)  # fmt: skip


def campaign(cid: int, name: str | None = None, status: str = "In Progress", **kw: Any) -> Campaign:
    return Campaign(campaign_id=cid, name=name or f"Campaign {cid}", status=status, **kw)


_ids = itertools.count(1000)


def enrollment(
    uid: int | None,
    cid: int,
    module: str = "m1",
    status: str | None = "Completed",
    done: datetime | None = None,
    *,
    enrolled: datetime | None = None,
    removed: datetime | None = None,
    eid: int | None = None,
) -> EnrollmentFact:
    """An enrollment; a complete status without `done` gets day(1) as its completion date."""
    if done is None and status in ("Completed", "Passed"):
        done = day(1)
    return EnrollmentFact(
        enrollment_id=next(_ids) if eid is None else eid,
        user_id=uid,
        campaign_id=cid,
        module_key=f"sp:{module}",
        module_name=f"Module {module}",
        content_type="Store Purchase",
        status=status,
        enrollment_date=enrolled or day(0) - timedelta(days=1),
        completion_date=done,
        removed_at=removed,
    )


def policy(scope: dict[str, Any] | None = None, **trainings: dict[str, Any]) -> TrainingsConfig:
    raw: dict[str, Any] = {"trainings": trainings}
    if scope is not None:
        raw["scope"] = scope
    return parse_trainings(raw)
