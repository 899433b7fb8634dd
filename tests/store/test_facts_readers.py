"""load_facts reads people and sticky records with plain column queries; they must be exactly what the
general readers (`load_people`, `sticky_records`) return, on SQLite and PostgreSQL, now and as of a date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from reports._tenant import sync_into_store
from trainproof.judging import keep_after_sync
from trainproof.simulator import generate_tenant
from trainproof.store import load_facts, load_people, reset_sticky, sticky_records, write_transaction

TOML = """
[trainings.security_awareness]
campaigns = ["Security Awareness 2026 - Part A", "Security Awareness 2026 - Part B"]
renew_every_days = 365

[trainings.hipaa]
campaigns = ["HIPAA Privacy and Security 2026"]
new_hire_grace_days = 30
"""


def test_load_facts_reads_what_the_general_readers_read(store_url: str, tmp_path: Path) -> None:
    data = generate_tenant(120, seed=5, reference_date=date(2026, 11, 1))
    engine, settings = sync_into_store(data, tmp_path, TOML, url=store_url)
    try:
        judged, kept, problem = keep_after_sync(settings)
        assert problem is None
        assert judged is not None
        assert kept > 10
        with engine.connect() as conn:
            held = sticky_records(conn, training="hipaa")
        recorded = max(r.recorded_at for r in held)
        reset_at = recorded + timedelta(hours=1)
        with engine.connect() as conn, write_transaction(conn):
            reset_sticky(conn, training="hipaa", user_ids=[r.user_id for r in held[:5]], at=reset_at,
                         reason="renewal", by="test")  # fmt: skip
        with engine.connect() as conn:
            now = load_facts(conn)
            assert now.people == tuple(load_people(conn))
            assert any(p.groups for p in now.people)
            assert any(p.archived_at for p in now.people)
            assert now.sticky == tuple(sticky_records(conn))
            assert sum(r.reset_at is not None for r in now.sticky) == 5
            assert all(r.earned_by for r in now.sticky)
            before = datetime(2026, 1, 1, tzinfo=UTC)
            assert load_facts(conn, before).sticky == tuple(sticky_records(conn, as_of=before)) == ()
            between = recorded + timedelta(minutes=30)  # kept, not yet reset
            then = load_facts(conn, between)
            assert then.sticky == tuple(sticky_records(conn, as_of=between))
            assert all(r.reset_at is None for r in then.sticky)
            assert then.people == tuple(load_people(conn, between))
    finally:
        engine.dispose()
