"""A damaged, foreign, read-only, newer or unreachable store, as a user meets it: `trainproof` through its entry point.

Every command that touches such a store ends with one line `error: ...` saying what to do and a
non-zero exit, never a traceback; `--debug` adds the traceback. A sync never writes into a damaged
file and no evidence is built from one. The store is a real SQLite file synced from the simulator on
127.0.0.1 (or a PostgreSQL URL whose port is closed).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.store.helpers import damage_a_page

from running import in_process
from trainproof.simulator import Simulator, generate_tenant

NOW = "2026-11-03T08:00:00+00:00"
TOML = """
[knowbe4.limits]
per_second = 10000
per_minute = 1000000

[sync]
campaigns = "all"

[trainings.security_awareness]
title = "Security Awareness Training"
campaigns = [4208, 4215]
"""
EVIDENCE = ("evidence", "--training", "security_awareness", "--out")


@dataclass
class Run:
    code: int
    out: str
    err: str


@dataclass
class Shop:
    """A simulator, a trainproof.toml, and a store synced from it once, copied for each test."""

    sim: Simulator
    root: Path
    synced: Path

    def env(self, url: str) -> dict[str, str]:
        return {
            "KNOWBE4_BASE_URL": self.sim.base_url,
            "KNOWBE4_API_KEY": self.sim.token,
            "TRAINPROOF_CONFIG": str(self.root / "trainproof.toml"),
            "TRAINPROOF_DATABASE_URL": url,
            "TRAINPROOF_STATE_DIR": str(self.root / "state"),
            "TRAINPROOF_NOW": NOW,
        }

    def run(self, url: str, *args: str, cwd: Path | None = None) -> Run:
        result = in_process(list(args), self.env(url), cwd=cwd or self.root)
        return Run(result.code, result.stdout, result.stderr)

    def copy(self, to: Path) -> Path:
        shutil.copyfile(self.synced, to)
        return to


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    root = tmp_path_factory.mktemp("damaged-store")
    (root / "trainproof.toml").write_text(TOML, encoding="utf-8")
    with Simulator(generate_tenant(60, seed=1), limits="off") as sim:
        shop = Shop(sim, root, root / "synced.db")
        done = shop.run(f"sqlite:///{shop.synced}", "sync")
        assert done.code == 0, done.err
        con = sqlite3.connect(shop.synced)  # one self-contained file to copy (no -wal beside it)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        yield shop


def one_line_error(run: Run, *needles: str) -> str:
    """The run failed with exactly one line on stderr, `error: ...`, holding every needle."""
    assert run.code != 0, run
    assert "Traceback" not in run.err, run.err
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    assert lines[0].startswith("error: "), run.err
    for needle in needles:
        assert needle in lines[0], run.err
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_damaged_store_is_never_written_nor_used_for_evidence(shop: Shop, tmp_path: Path) -> None:
    path = shop.copy(tmp_path / "store.db")
    damage_a_page(path, "ix_enrollments_facts")  # the index `status` answers from
    url = f"sqlite:///{path}"
    before = digest(path)
    damaged = f"the store {path} is damaged"

    one_line_error(shop.run(url, "status"), damaged, "database disk image is malformed")
    line = one_line_error(shop.run(url, "sync", "--full"), damaged, "SQLite quick_check")
    assert "restore it from a backup" in line
    assert "TRAINPROOF_DATABASE_URL=sqlite:///new.db trainproof sync --full" in line
    assert digest(path) == before
    one_line_error(shop.run(url, *EVIDENCE, str(tmp_path / "pack.zip")), damaged)
    assert not (tmp_path / "pack.zip").exists()
    one_line_error(shop.run(url, "db", "upgrade"), damaged)

    check = shop.run(url, "db", "check", "--format", "json")
    one_line_error(check, damaged)
    assert '"result": "damaged"' in check.out

    debug = shop.run(url, "--debug", "status")
    assert debug.code == 1
    assert "Traceback (most recent call last)" in debug.err
    assert "sqlite3.DatabaseError: database disk image is malformed" in debug.err
    assert debug.err.strip().splitlines()[-1].startswith(f"error: {damaged}")
    assert digest(path) == before

    # What the message says to do works: a full sync into a new file.
    fresh = tmp_path / "new.db"
    assert shop.run(f"sqlite:///{fresh}", "sync", "--full").code == 0
    assert shop.run(f"sqlite:///{fresh}", "db", "check").code == 0


def test_a_whole_store_passes_db_check(shop: Shop, tmp_path: Path) -> None:
    path = shop.copy(tmp_path / "store.db")
    run = shop.run(f"sqlite:///{path}", "db", "check", "--format", "csv")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[0] == "check,result,detail"
    assert "integrity,ok,PRAGMA quick_check: ok" in lines
    assert any(line.startswith("schema,current,") for line in lines)
    assert any(line.startswith("rows,60,users") for line in lines), lines


def test_a_file_that_is_not_a_database(shop: Shop, tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    path.write_bytes(os.urandom(40_000))
    before = digest(path)
    url = f"sqlite:///{path}"
    for args in (("status",), ("sync",), ("db", "check")):
        one_line_error(
            shop.run(url, *args), f"the store {path} is not a SQLite database", "point TRAINPROOF_DATABASE_URL"
        )
    assert digest(path) == before


def test_a_read_only_store_answers_but_a_sync_says_what_to_do(shop: Shop, tmp_path: Path) -> None:
    path = shop.copy(tmp_path / "store.db")
    before = digest(path)
    url = f"sqlite:///file:{path}?mode=ro&uri=true"  # SQLite's read-only open: read-only even for root
    assert shop.run(url, "status").code == 0
    assert shop.run(url, *EVIDENCE, str(tmp_path / "pack.zip")).code == 0
    assert shop.run(url, "db", "upgrade").code == 0  # up to date: nothing to write
    one_line_error(shop.run(url, "sync"), f"the store {path} is read-only", "make the file and its folder writable")
    assert digest(path) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file modes")
def test_a_store_in_a_read_only_folder(shop: Shop, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path = shop.copy(folder / "store.db")
    (folder / "store.db.lock").touch()
    folder.chmod(0o500)
    path.chmod(0o400)
    try:
        for args in (("sync",), ("db", "upgrade")):
            one_line_error(shop.run(f"sqlite:///{path}", *args), str(path))
        one_line_error(shop.run(f"sqlite:///{folder / 'new.db'}", "sync"), "cannot create the store")
    finally:
        folder.chmod(0o700)


def test_a_store_from_a_newer_trainproof(shop: Shop, tmp_path: Path) -> None:
    path = shop.copy(tmp_path / "store.db")
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = 'f00dfeed'")
    con.commit()
    con.close()
    before = digest(path)
    url = f"sqlite:///{path}"
    for args in (("status",), ("sync",), (*EVIDENCE, str(tmp_path / "p.zip")), ("db", "upgrade"), ("db", "check")):
        one_line_error(shop.run(url, *args), "schema f00dfeed, newer than this trainproof knows", "upgrade trainproof")
    assert digest(path) == before


def test_a_postgresql_server_that_is_not_there(shop: Shop, tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql+psycopg://trainproof:pg-secret@127.0.0.1:{port}/trainproof"
    for args in (("status",), ("sync",), ("db", "upgrade")):
        line = one_line_error(
            shop.run(url, *args), f"cannot reach the store at postgresql+psycopg://trainproof:***@127.0.0.1:{port}"
        )
        assert "pg-secret" not in line
        assert "check that the server is running" in line
