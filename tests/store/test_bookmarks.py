"""What a sync remembers of its complete fetches, and what the next plan reads back (SQLite and PostgreSQL).

The planner skips a campaign that was finished when its enrollments were last fetched in full, and a
security test whose recipients cannot change any more; a bookmark written to the wrong row, or not at
all, makes a sync either fetch too much or skip data it never had.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from tests.store.helpers import T0, apply, at, campaign, user

from trainproof.compliance.facts import StickyRecord
from trainproof.store import open_store, reset_sticky, save_sticky_records, schema, write_transaction
from trainproof.store.bookmarks import (
    campaign_bookmarks,
    mark_campaigns_fetched,
    mark_recipients_fetched,
    mark_users_fetched,
    recipient_bookmarks,
    security_test_kinds,
)
from trainproof.store.handle import StoreEngine, read
from trainproof.store.people import active_user_ids
from trainproof.store.sticky import open_sticky_trainings


@pytest.fixture
def engine(store_url: str) -> Iterator[StoreEngine]:
    engine = open_store(store_url)
    yield engine
    engine.dispose()


def security_test(pst_id: int, status: str, kind: str = "standard") -> dict[str, Any]:
    return {
        "pst_id": pst_id,
        "campaign_id": 900,
        "campaign_type": kind,
        "name": f"Test {pst_id}",
        "status": status,
        "started_at": T0 - timedelta(days=3),
        "duration": 3,
        "phish_prone_percentage": 10.0,
        "scheduled_count": 5,
        "delivered_count": 5,
        "clicked_count": 1,
        "reported_count": 0,
        "raw": json.dumps({"pst_id": pst_id, "status": status}),
    }


def test_bookmarks_written_after_a_fetch_are_read_by_the_next_plan(engine: StoreEngine) -> None:
    apply(
        engine,
        at(0),
        {
            "training_campaigns": [campaign(42, status="Closed"), campaign(43), campaign(44)],
            "users": [user(7), user(8), user(9, status="archived")],
            "security_tests": [security_test(501, "Closed"), security_test(502, "Active", "callback")],
        },
    )
    assert not any(bm.fetched_at for bm in read(engine, campaign_bookmarks).values())
    assert read(engine, recipient_bookmarks) == {}

    with engine.connect() as conn, write_transaction(conn):
        mark_campaigns_fetched(conn, {42: 120, 43: 0}, at=at(1), run_id=5)
        mark_users_fetched(conn, [8], at=at(1))
        mark_recipients_fetched(conn, {501: 33}, at=at(1))
        mark_campaigns_fetched(conn, {}, at=at(1), run_id=5)  # nothing fetched, nothing written
        mark_users_fetched(conn, [], at=at(1))
        mark_recipients_fetched(conn, {}, at=at(1))

    bookmarks = read(engine, campaign_bookmarks)
    fetched = {cid: (bm.fetched_at, bm.fetched_status, bm.enrollment_count) for cid, bm in bookmarks.items()}
    assert fetched == {42: (at(1), "Closed", 120), 43: (at(1), "In Progress", 0), 44: (None, None, None)}
    assert read(engine, recipient_bookmarks) == {501: ("Closed", 33)}
    assert read(engine, security_test_kinds) == {501: ("Closed", "standard"), 502: ("Active", "callback")}
    assert read(engine, active_user_ids) == {7, 8}  # the archived person is left out

    # A person's bookmark is what decides which of their enrollments a per-person walk may remove.
    with engine.connect() as conn:
        u = schema.users
        stamped = dict(conn.execute(select(u.c.id, u.c.enrollments_fetched_at)).all())
    assert stamped == {7: None, 8: at(1), 9: None}


def test_open_sticky_trainings_leave_out_reset_records(engine: StoreEngine) -> None:
    """The planner re-reads the enrollments of people whose compliance is only held by a kept record."""
    records = [
        StickyRecord(7, "hipaa", at(0), (), recorded_at=at(1)),
        StickyRecord(7, "security_awareness", at(0), (), recorded_at=at(1)),
        StickyRecord(8, "hipaa", at(0), (), recorded_at=at(1)),
    ]
    with engine.connect() as conn, write_transaction(conn):
        save_sticky_records(conn, records)
        reset_sticky(conn, training="hipaa", user_ids=[8], at=at(2), reason="retrain", by="test")
    assert read(engine, open_sticky_trainings) == {7: frozenset({"hipaa", "security_awareness"})}
