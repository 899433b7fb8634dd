"""The store's version changes with every write an answer could depend on, and with nothing else.

The MCP server keys every answer it keeps by this version, so a version that missed a write would serve
stale answers and one that moved on every read would keep nothing. SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from trainproof.store import append_events, open_store, record_reminder, write_transaction
from trainproof.store.freshness import StoreVersion, store_version
from trainproof.store.handle import StoreEngine, read
from trainproof.store.runs import RunOutcome, fail_run, finish_run, start_run

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def engine(store_url: str) -> Iterator[StoreEngine]:
    engine = open_store(store_url)
    yield engine
    engine.dispose()


def version(engine: StoreEngine) -> StoreVersion:
    return read(engine, store_version)


def test_each_write_an_answer_rests_on_moves_the_version(engine: StoreEngine) -> None:
    empty = version(engine)
    assert (empty.last, empty.ok, empty.key, empty.synced_at) == (None, None, (0, 0, 0), None)
    assert version(engine) == empty  # reading changes nothing

    with engine.connect() as conn:
        run_id = start_run(conn, now=NOW, full=True)
    running = version(engine)
    assert running.last is not None
    assert running.last.outcome == "running"
    assert running.key == empty.key  # answers rest on successful syncs only

    with engine.connect() as conn, write_transaction(conn):
        finish_run(conn, run_id, RunOutcome(requests=7, retries=0, request_ids=[]), now=NOW)
    synced = version(engine)
    assert synced.ok is not None
    assert synced.ok.run_id == run_id
    assert synced.ok.requests == 7
    assert synced.synced_at == NOW
    assert synced.key == (run_id, 0, 0)

    with engine.connect() as conn:
        failed_id = start_run(conn, now=NOW, full=False)
        fail_run(conn, failed_id, RunOutcome(requests=1, retries=0, request_ids=[]), now=NOW, error="boom")
    failed = version(engine)
    assert failed.last is not None
    assert (failed.last.run_id, failed.last.outcome) == (failed_id, "failed")
    assert failed.key == synced.key  # a failed sync changed no data

    with engine.connect() as conn, write_transaction(conn):  # what `trainproof reset` and sticky keeping append
        append_events(conn, [{"at": NOW, "kind": "reset", "user_id": 1, "training": "hipaa", "actor": "test"}])
    reset = version(engine)
    assert reset.key[0] == run_id
    assert reset.key[1] > 0
    assert reset.key != failed.key

    with engine.connect() as conn, write_transaction(conn):  # what `report reminders --send` writes
        record_reminder(conn, user_id=1, enrollment_id=2, threshold="50%", sent_at=NOW)
    reminded = version(engine)
    assert reminded.key[:2] == reset.key[:2]
    assert reminded.key[2] > 0
