"""A damaged, foreign, read-only, newer or unreachable store is a StoreError saying what to do.

Real SQLite files damaged the way a disk or a careless copy damages them (random bytes over a page),
a real PostgreSQL whose connection is terminated by the server, and a closed port.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError
from tests.store.helpers import apply, at, campaign, damage_a_page, enrollment, user

from trainproof.errors import StoreError
from trainproof.store import create_store_engine, head_revision, load_enrollments, open_store, upgrade
from trainproof.store.failures import StoreDamagedError, StoreUnavailableError, store_failure
from trainproof.store.integrity import check_store, quick_check, require_intact

ONE_LINE = "\n"


def filled(url: str) -> Engine:
    """A store holding 40 users and 1,500 enrollments: enough pages that one of them can be damaged."""
    engine = open_store(url)
    apply(
        engine,
        at(0),
        {
            "users": [user(u) for u in range(1, 41)],
            "training_campaigns": [campaign(42)],
            "enrollments": [enrollment(e, user_id=1 + e % 40) for e in range(1, 1501)],
        },
    )
    return engine


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


def test_a_damaged_page_is_found_before_use_and_on_any_read(sqlite_file: Path) -> None:
    url = f"sqlite:///{sqlite_file}"
    engine = filled(url)
    engine.dispose()
    with create_store_engine(url).connect() as conn:
        assert quick_check(conn) == []
    damage_a_page(sqlite_file)

    engine = create_store_engine(url)
    try:
        with pytest.raises(StoreDamagedError) as caught:
            require_intact(engine)
        message = caught.value.message
        assert ONE_LINE not in message
        assert f"the store {sqlite_file} is damaged (SQLite quick_check:" in message
        assert "restore it from a backup" in message
        assert "sync --full" in message

        # A read that walks the bad page says the same thing, whichever code made it.
        with (
            pytest.raises(StoreDamagedError, match=r"is damaged .*database disk image is malformed"),
            engine.connect() as conn,
        ):
            conn.execute(text("SELECT raw FROM enrollments")).all()

        health = check_store(engine)
        assert health.integrity
        assert health.schema == "unknown"
        assert health.counts == {}
        assert isinstance(health.problem, StoreDamagedError)
    finally:
        engine.dispose()


def test_a_file_that_is_not_a_database(sqlite_file: Path) -> None:
    sqlite_file.write_bytes(os.urandom(20_000))
    with pytest.raises(StoreUnavailableError) as caught:
        open_store(f"sqlite:///{sqlite_file}")
    assert caught.value.message.startswith(f"the store {sqlite_file} is not a SQLite database (SQLite: ")
    assert "point TRAINPROOF_DATABASE_URL or [store] url at a trainproof store" in caught.value.message


def test_a_read_only_store_is_read_but_not_written(sqlite_file: Path) -> None:
    filled(f"sqlite:///{sqlite_file}").dispose()
    # SQLite's own read-only open: root ignores file modes, so this is the read-only store every user gets.
    engine = open_store(f"sqlite:///file:{sqlite_file}?mode=ro&uri=true")
    try:
        with engine.connect() as conn:
            assert len(load_enrollments(conn, as_of=None)) == 1500
        with pytest.raises(StoreError, match=r"is read-only \(SQLite: attempt to write a readonly database\)"):
            apply(engine, at(1), {"users": [user(99)]})
    finally:
        engine.dispose()


def write_one_user(url: str) -> None:
    engine = open_store(url)
    try:
        apply(engine, at(1), {"users": [user(99)]})
    finally:
        engine.dispose()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file modes")
def test_a_store_in_a_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "store.db"
    filled(f"sqlite:///{path}").dispose()
    for leftover in folder.glob("store.db-*"):
        leftover.unlink()
    folder.chmod(0o500)
    try:
        with pytest.raises(StoreError) as caught:
            write_one_user(f"sqlite:///{path}")
        assert str(path) in caught.value.message
        assert ONE_LINE not in caught.value.message
        with pytest.raises(StoreError, match="cannot create the store"):
            open_store(f"sqlite:///{folder / 'new.db'}")
    finally:
        folder.chmod(0o700)


def test_a_newer_schema_is_refused_by_use_upgrade_and_check(store_url: str) -> None:
    engine = open_store(store_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = 'f00dfeed'"))
        for attempt in (lambda: open_store(store_url), lambda: upgrade(engine)):
            with pytest.raises(StoreError, match=r"at schema f00dfeed, newer than this trainproof knows \(head "):
                attempt()
        health = check_store(engine)
        assert (health.schema, health.revision, health.head) == ("newer", "f00dfeed", head_revision())
        assert health.problem is not None
        assert "upgrade trainproof" in health.problem.message
        with engine.connect() as conn:  # and upgrade changed nothing
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "f00dfeed"
    finally:
        engine.dispose()


def test_errors_that_are_not_the_stores_condition_stay_sqlalchemy_errors(sqlite_file: Path) -> None:
    """A constraint or SQL the database rejects is a programming matter: code that expects it still can."""
    url = f"sqlite:///{sqlite_file}"
    engine = open_store(url)
    try:
        with pytest.raises(DBAPIError) as caught, engine.connect() as conn:
            conn.execute(text("SELECT * FROM no_such_table"))
        line = store_failure(caught.value, url).message
        assert line.startswith(f"the store {sqlite_file} failed (OperationalError: no such table: no_such_table)")
        assert "`trainproof db check`" in line
        assert ONE_LINE not in line
    finally:
        engine.dispose()


# --- PostgreSQL ----------------------------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_postgresql_that_is_not_there(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://trainproof:secret-pw@127.0.0.1:{closed_port()}/trainproof"
    with pytest.raises(StoreUnavailableError) as caught:
        open_store(url)
    message = caught.value.message
    assert message.startswith("cannot reach the store at postgresql+psycopg://trainproof:***@127.0.0.1:")
    assert "Connection refused" in message
    assert "check that the server is running" in message
    assert "secret-pw" not in message
    assert ONE_LINE not in message


@pytest.mark.postgres
def test_postgresql_connection_terminated_by_the_server(pg_url: str) -> None:
    engine = open_store(pg_url)
    killer = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with killer.connect() as k:
                assert k.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
            with pytest.raises(StoreUnavailableError) as caught:
                load_enrollments(conn, as_of=None)
        message = caught.value.message
        assert message.startswith("lost the connection to the store at postgresql+psycopg://")
        assert "run the command again" in message
        assert ONE_LINE not in message
        # The pool recovers: the next connection works.
        with engine.connect() as conn:
            assert load_enrollments(conn, as_of=None) == []
    finally:
        killer.dispose()
        engine.dispose()
