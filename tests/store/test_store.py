"""The store itself: migrations, owner-only files, history-keeping merges, append-only history, upserts, the lock."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError
from tests.store.helpers import T0, apply, at, campaign, enrollment, user

from running import Trainproof
from trainproof.errors import StoreError, SyncInProgressError
from trainproof.store import (
    StoreLock,
    canonical_dump,
    create_store_engine,
    current_revision,
    head_revision,
    open_store,
    schema,
    upgrade,
    write_transaction,
)
from trainproof.store.db import compare_type, downgrade
from trainproof.store.upsert import upsert_rows


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    eng = open_store(store_url)
    yield eng
    eng.dispose()


# --- migrations ---------------------------------------------------------------------------------------


def test_migrations_create_exactly_the_schema(engine: Engine) -> None:
    with engine.connect() as conn:
        assert current_revision(conn) == head_revision()
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": compare_type}), schema.metadata)
    assert diff == []


def test_upgrade_is_idempotent_and_downgrade_reverses(store_url: str) -> None:
    eng = create_store_engine(store_url)
    try:
        assert upgrade(eng) == (None, head_revision())
        assert upgrade(eng) == (head_revision(), head_revision())
        assert downgrade(eng, "base") == (head_revision(), None)
        with eng.connect() as conn:
            assert current_revision(conn) is None
        assert upgrade(eng) == (None, head_revision())
    finally:
        eng.dispose()


def test_a_store_from_a_newer_trainproof_is_refused(engine: Engine, store_url: str) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError, match="newer than this trainproof knows"):
        open_store(store_url)


def test_a_database_with_foreign_tables_is_not_taken_over(store_url: str) -> None:
    eng = create_store_engine(store_url)
    try:
        with eng.begin() as conn:
            conn.execute(text("CREATE TABLE somebody_elses (id INTEGER)"))
        with pytest.raises(StoreError, match="not a trainproof store"):
            open_store(store_url)
    finally:
        eng.dispose()


def test_db_upgrade_command(tmp_path: Path, trainproof: Trainproof) -> None:
    env = {"TRAINPROOF_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    first = trainproof("db", "upgrade", env=env)
    assert first.code == 0, first.stderr
    assert first.stdout.startswith("created the store at sqlite:///")
    assert head_revision() in first.stdout
    second = trainproof("db", "upgrade", env=env)
    assert second.code == 0
    assert "up to date" in second.stdout


# --- files readable by the owner only ---------------------------------------------------------------


def test_sqlite_files_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)  # a typical umask would otherwise give 0644
    try:
        url = f"sqlite:///{tmp_path / 'sub' / 'private.db'}"
        eng = open_store(url)
        with eng.connect() as conn, write_transaction(conn):
            conn.execute(schema.api_usage.insert().values(day=T0.date(), requests=1, retries=0, runs=1))
            files = sorted(p.name for p in (tmp_path / "sub").iterdir())
            assert {"private.db", "private.db-wal", "private.db-shm"} <= set(files)
            for name in files:
                mode = stat.S_IMODE((tmp_path / "sub" / name).stat().st_mode)
                assert mode == 0o600, f"{name} is {oct(mode)}"
        with StoreLock(eng):
            assert stat.S_IMODE((tmp_path / "sub" / "private.db.lock").stat().st_mode) == 0o600
        eng.dispose()
    finally:
        os.umask(old)


# --- history: nothing overwritten silently, nothing deleted --------------------------------------------


def test_enrollment_history_new_changed_removed_restored(engine: Engine) -> None:
    scope = [("enrollments", "campaign_id", [42])]
    first = apply(engine, at(0), {"enrollments": [enrollment(1), enrollment(2), enrollment(3)]}, scope)
    assert first["enrollments"].as_dict() == {"fetched": 3, "new": 3, "changed": 0, "restored": 0, "removed": 0}

    done = enrollment(1, "Completed", started=at(0.5), completed=at(1))
    second = apply(engine, at(1), {"enrollments": [done, enrollment(3)]}, scope)
    assert second["enrollments"].as_dict() == {"fetched": 2, "new": 0, "changed": 1, "restored": 0, "removed": 1}

    third = apply(engine, at(2), {"enrollments": [done, enrollment(2), enrollment(3)]}, scope)
    assert third["enrollments"].as_dict() == {"fetched": 3, "new": 0, "changed": 0, "restored": 1, "removed": 0}

    with engine.connect() as conn:
        dump = canonical_dump(conn)
    versions = sorted((v["enrollment_id"], v["seen_at"], v["kind"], v["status"]) for v in dump["enrollment_versions"])
    iso = [at(d).isoformat(timespec="microseconds") for d in (0, 1, 2)]
    assert versions == [
        (1, iso[0], "new", "Not Started"),
        (1, iso[1], "changed", "Completed"),
        (2, iso[0], "new", "Not Started"),
        (2, iso[1], "removed", "Not Started"),
        (2, iso[2], "restored", "Not Started"),
        (3, iso[0], "new", "Not Started"),
    ]
    current = {e["enrollment_id"]: e for e in dump["enrollments"]}
    assert current[1]["status"] == "Completed"
    assert current[1]["changed_at"] == iso[1]
    assert current[2]["removed_at"] is None
    assert current[2]["last_seen_at"] == iso[2]
    assert current[3]["changed_at"] == iso[0]
    assert current[3]["last_seen_at"] == iso[0]  # unchanged enrollments are not rewritten (see Mirror)


def test_removal_only_within_a_complete_scope(engine: Engine) -> None:
    apply(
        engine,
        at(0),
        {"enrollments": [enrollment(1, campaign_id=42), enrollment(2, campaign_id=43), enrollment(3, user_id=9)]},
        [("enrollments", "campaign_id", [42, 43])],
    )
    # Only campaign 42 was fetched completely: 2 (campaign 43) is not gone just because it was not fetched.
    result = apply(engine, at(1), {"enrollments": []}, [("enrollments", "campaign_id", [42])])
    assert result["enrollments"].removed == 2  # enrollments 1 and 3 (both in campaign 42)
    # A per-person fetch is complete for that person only.
    apply(engine, at(2), {"enrollments": [enrollment(3, user_id=9)]}, [("enrollments", "user_id", [9])])
    with engine.connect() as conn:
        rows = dict(conn.execute(select(schema.enrollments.c.enrollment_id, schema.enrollments.c.removed_at)).all())
    assert rows[1] == at(1)
    assert rows[2] is None
    assert rows[3] is None
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.enrollments)).scalar_one() == 3  # never deleted


def test_record_versions_keep_every_raw(engine: Engine) -> None:
    all_campaigns = [("training_campaigns", "*", [0])]
    apply(engine, at(0), {"training_campaigns": [campaign(42), campaign(43)]}, all_campaigns)
    apply(engine, at(1), {"training_campaigns": [campaign(42, status="Completed"), campaign(43)]}, all_campaigns)
    apply(engine, at(2), {"training_campaigns": [campaign(42, status="Completed")]}, all_campaigns)
    with engine.connect() as conn:
        dump = canonical_dump(conn, tables=["record_versions", "training_campaigns"])
    kinds = sorted(
        (v["record_key"], v["kind"], v["raw"] and '"Completed"' in v["raw"]) for v in dump["record_versions"]
    )
    assert kinds == [("42", "changed", True), ("42", "new", False), ("43", "new", False), ("43", "removed", None)]
    removed = {c["campaign_id"]: c["removed_at"] for c in dump["training_campaigns"]}
    assert removed == {42: None, 43: at(2).isoformat(timespec="microseconds")}


def test_user_versions_track_population_fields(engine: Engine) -> None:
    everyone = [("users", "*", [0])]
    apply(engine, at(0), {"users": [user(1), user(2)]}, everyone)
    apply(
        engine, at(1), {"users": [user(1, last_sign_in=at(1)), user(2, status="archived", archived=at(0.5))]}, everyone
    )
    with engine.connect() as conn:
        versions = conn.execute(
            select(schema.user_versions.c.user_id, schema.user_versions.c.kind, schema.user_versions.c.status)
        ).all()
    # user 1 changed only a field the population does not depend on: no new version.
    assert sorted(versions) == [(1, "new", "active"), (2, "changed", "archived"), (2, "new", "active")]


@pytest.mark.parametrize("table", schema.APPEND_ONLY)
def test_history_tables_refuse_update_and_delete(engine: Engine, table: str) -> None:
    apply(engine, at(0), {"enrollments": [enrollment(1)], "users": [user(1)], "training_campaigns": [campaign(42)]})
    with engine.begin() as conn:
        conn.execute(schema.compliance_events.insert().values(at=at(0), kind="compliant", user_id=1))
    for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() >= 1


# --- batched upserts -----------------------------------------------------------------------------------


def test_upsert_rows_batches_deduplicates_and_updates(engine: Engine) -> None:
    table = schema.reminders_sent

    def row(rid: int, uid: int) -> dict[str, object]:
        return {"id": rid, "user_id": uid, "enrollment_id": 1, "threshold": "50%", "sent_at": at(0)}

    with engine.begin() as conn:
        sent = upsert_rows(conn, table, [row(1, 10), row(2, 20), row(1, 11), row(3, 30), row(2, 21), row(1, 12)])
        assert sent == 3  # duplicates within a batch collapse to the last one (PostgreSQL would refuse them)
        assert upsert_rows(conn, table, [row(1, 99)], update=[]) == 1  # DO NOTHING
        upsert_rows(conn, table, [row(2, 22), row(4, 40), row(4, 41)], batch_size=2)  # across batches: last wins
        got = dict(conn.execute(select(table.c.id, table.c.user_id)).all())
    assert got == {1: 12, 2: 22, 3: 30, 4: 41}


# --- the sync lock -----------------------------------------------------------------------------------


def test_lock_is_exclusive_and_bounded(engine: Engine) -> None:
    with StoreLock(engine):
        with pytest.raises(SyncInProgressError) as info:
            StoreLock(engine).acquire()
        assert info.value.exit_code == 3
        assert "another trainproof sync is running" in info.value.message
        with pytest.raises(SyncInProgressError, match=r"after waiting 0\.5 s"):
            StoreLock(engine, wait_s=0.5).acquire()
    with StoreLock(engine):  # released on exit
        pass


def test_lock_dies_with_its_process(store_url: str, tmp_path: Path) -> None:
    """A holder killed with SIGKILL leaves no stale lock (flock / advisory lock die with the process)."""
    script = textwrap.dedent(
        f"""
        import os, sys, time
        from trainproof.store import StoreLock, open_store
        lock = StoreLock(open_store({store_url!r}))
        lock.acquire()
        print("locked", flush=True)
        time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "locked"
        eng = open_store(store_url)
        with pytest.raises(SyncInProgressError):
            StoreLock(eng).acquire()
        proc.kill()
        proc.wait(timeout=10)
        with StoreLock(eng, wait_s=10):
            pass
        eng.dispose()
    finally:
        proc.kill()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
