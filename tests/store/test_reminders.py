"""A reminder is recorded once per person, enrollment and threshold, and the store says whether it was new.

`report reminders --send` sends a message only when its row was new, so a wrong answer either sends a
reminder twice or never. SQLite and PostgreSQL (psycopg reports rowcount -1 for an INSERT run with
RETURNING, so the answer must come from the returned row).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from trainproof.store import SentReminder, open_store, record_reminder, reminders_sent, write_transaction
from trainproof.store.handle import StoreEngine, read

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def engine(store_url: str) -> Iterator[StoreEngine]:
    engine = open_store(store_url)
    yield engine
    engine.dispose()


def record(engine: StoreEngine, user_id: int, enrollment_id: int, threshold: str, at: datetime) -> bool:
    with engine.connect() as conn, write_transaction(conn):
        return record_reminder(conn, user_id=user_id, enrollment_id=enrollment_id, threshold=threshold, sent_at=at)


def test_a_reminder_is_new_once(engine: StoreEngine) -> None:
    assert record(engine, 1, 10, "50%", NOW) is True
    assert record(engine, 1, 10, "50%", NOW + timedelta(days=1)) is False  # a rerun: already sent
    assert record(engine, 1, 10, "75%", NOW + timedelta(days=2)) is True  # the next threshold
    assert record(engine, 1, 11, "50%", NOW) is True  # another enrollment of the same person
    assert record(engine, 2, 10, "50%", NOW) is True  # another person

    everyone = read(engine, reminders_sent)
    assert [(r.user_id, r.enrollment_id, r.threshold) for r in everyone] == [
        (1, 10, "50%"),
        (1, 10, "75%"),
        (1, 11, "50%"),
        (2, 10, "50%"),
    ]
    assert everyone[0] == SentReminder(everyone[0].reminder_id, 1, 10, "50%", NOW)  # the first send's time stays
    assert [r.enrollment_id for r in read(engine, lambda conn: reminders_sent(conn, user_id=2))] == [10]


def test_a_reminder_recorded_in_a_transaction_that_fails_is_not_kept(engine: StoreEngine) -> None:
    """The send happens inside the recording transaction: a send that fails must leave no row behind."""

    def record_then_fail_to_send() -> None:
        with engine.connect() as conn, write_transaction(conn):
            assert record_reminder(conn, user_id=1, enrollment_id=10, threshold="50%", sent_at=NOW)
            raise ConnectionError("the mail server went away")

    with pytest.raises(ConnectionError):
        record_then_fail_to_send()
    assert read(engine, reminders_sent) == []
    assert record(engine, 1, 10, "50%", NOW) is True
