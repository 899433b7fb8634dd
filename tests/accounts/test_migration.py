"""Migration 0003 on a store made at the previous head (0002): every row is kept, under the account `default`,
and the single-account commands read it as before (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import inspect, text

from running import Trainproof
from trainproof.store import canonical_dump, open_store, upgrade
from trainproof.store.db import current_revision, downgrade

if TYPE_CHECKING:
    from trainproof.simulator import Simulator


def test_an_old_store_moves_to_default_without_loss(
    simulator: Simulator, store_url: str, trainproof: Trainproof
) -> None:
    env = {
        "KNOWBE4_API_KEY": simulator.token,
        "KNOWBE4_BASE_URL": simulator.base_url,
        "TRAINPROOF_DATABASE_URL": store_url,
    }
    assert trainproof("sync", env=env).code == 0
    before = trainproof("people", "--format", "json", env=env).stdout
    engine = open_store(store_url)
    try:
        with engine.connect() as conn:
            dump = canonical_dump(conn)
        downgrade(engine, "0002")  # the store as the previous trainproof made it: no account anywhere
        with engine.connect() as conn:
            assert current_revision(conn) == "0002"
            assert "account" not in {c["name"] for c in inspect(conn).get_columns("users")}
            counts = {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in dump}
        assert counts["users"] == simulator.tenant.count("users")
        assert counts["enrollments"] > 0
        assert counts["user_versions"] > 0
        assert upgrade(engine) == ("0002", "0003")
        with engine.connect() as conn:
            assert canonical_dump(conn) == dump
            assert {a for (a,) in conn.execute(text("SELECT DISTINCT account FROM enrollments"))} == {"default"}
            after = {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in dump}
        assert after == counts
    finally:
        engine.dispose()
    assert trainproof("people", "--format", "json", env=env).stdout == before
    # History stays append-only after the move.
    engine = open_store(store_url)
    try:
        with engine.connect() as conn, pytest.raises(Exception, match="append-only"):  # the trigger, either dialect
            conn.execute(text("UPDATE user_versions SET kind = 'x'"))
    finally:
        engine.dispose()
