"""`trainproof worker` and `trainproof enqueue` on the real PostgreSQL: procrastinate's queue in the store's
database, several worker processes sharing it, one sync per account, and a killed worker's job retried."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ._world import Accounts, StartSimulator, start_accounts

pytestmark = pytest.mark.postgres

FAST = ["--stalled-after", "2", "--retry-wait", "0.5"]
"""A worker silent 2 s is presumed dead (heartbeat every 0.67 s, recovery every second); retries soon."""


class Worker:
    """`python -m trainproof worker ...` in a process of its own, its stderr in a file."""

    def __init__(self, accounts: Accounts, name: str, *args: str) -> None:
        self.name = name
        self.log = accounts.root / f"{name}.log"
        with self.log.open("w") as stderr:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "trainproof", "worker", "--name", name, *FAST, *args],
                env={**os.environ, **accounts.env()},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_started(self, timeout: float = 30) -> None:
        until(lambda: f"worker {self.name}:" in self.text() or self.proc.poll() is not None, timeout)
        assert self.proc.poll() is None, self.text()

    def synced(self) -> list[str]:
        """Accounts this worker logged a finished sync of."""
        return [line.split(" trainproof.workers INFO ", 1)[1].split(":", 1)[0] for line in self._info()]

    def _info(self) -> list[str]:
        return [
            line for line in self.text().splitlines() if " trainproof.workers INFO " in line and ": synced " in line
        ]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def until(condition: Callable[[], bool], timeout: float, step: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s")
        time.sleep(step)


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    started: list[Worker] = []
    yield started
    for w in started:
        if w.proc.poll() is None:
            w.proc.kill()
            w.proc.wait(5)


def runs(accounts: Accounts, account: str) -> list[dict[str, Any]]:
    from trainproof.store import open_store, sync_runs

    engine = open_store(accounts.store_url, account=account, create=False)
    try:
        with engine.connect() as conn:
            return sync_runs(conn, limit=100)
    finally:
        engine.dispose()


def dump(url: str, account: str) -> dict[str, list[str]]:
    """The account's content, whatever the dialect's order and the moment each list was fetched."""
    import json

    from trainproof.store import canonical_dump, open_store

    engine = open_store(url, account=account, create=False)
    try:
        with engine.connect() as conn:
            tables = canonical_dump(conn, keep_times=False)
    finally:
        engine.dispose()
    return {
        name: sorted(json.dumps({k: v for k, v in row.items() if not k.endswith("_fetched_at")}) for row in rows)
        for name, rows in tables.items()
    }


def test_queue_is_installed_once_and_needed_first(
    trainproof, simulator_factory: StartSimulator, tmp_path: Path, pg_url: str
) -> None:
    accounts = start_accounts(simulator_factory, ["acme"], tmp_path, pg_url)
    env = accounts.env()
    missing = trainproof("enqueue", "sync", "--all", env=env)
    assert missing.code == 2
    assert missing.err_lines == [
        "error: the job queue's tables are not in the store at "
        f"{_redacted(pg_url)}: run `trainproof worker --init` once"
    ]
    first = trainproof("worker", "--init", env=env)
    assert first.code == 0, first.stderr
    assert first.stdout.startswith("job queue installed in the store at ")
    again = trainproof("worker", "--init", env=env)
    assert again.stdout.startswith("job queue already installed in ")

    queued = trainproof("enqueue", "sync", "--all", env=env)
    assert queued.code == 0, queued.stderr
    assert queued.out_lines[0].startswith("acme: queued (job ")
    duplicate = trainproof("enqueue", "sync", env=env)  # the only account, its sync still waiting
    assert duplicate.out_lines == ["acme: already queued (one sync of an account waits at a time)"]
    nightly = trainproof("enqueue", "nightly", env=env)
    assert nightly.out_lines[0].startswith("nightly: queued (job ")


def test_workers_need_postgresql_and_the_extra(trainproof, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"TRAINPROOF_DATABASE_URL": f"sqlite:///{tmp_path / 'trainproof.db'}"}
    sqlite = trainproof("worker", env=env)
    assert sqlite.code == 2
    assert sqlite.err_lines == [
        "error: workers need a PostgreSQL store (procrastinate keeps its queue in the store's database): "
        "set [store] url = 'postgresql+psycopg://...'; with SQLite run `trainproof sync --all` (e.g. from cron)"
    ]
    monkeypatch.setitem(sys.modules, "procrastinate", None)  # as if `pip install trainproof` without [workers]
    for args in (["worker"], ["enqueue", "sync"]):
        result = trainproof(*args, env=env)
        assert result.code == 2
        assert result.err_lines == [
            "error: the workers need procrastinate, which is not installed: "
            "install it with: pip install 'trainproof[workers]'"
        ]


def test_two_workers_sync_twenty_accounts_each_once(
    trainproof, simulator_factory: StartSimulator, tmp_path: Path, pg_url: str, workers: list[Worker]
) -> None:
    names = [f"customer-{i:02d}" for i in range(20)]
    accounts = start_accounts(simulator_factory, names, tmp_path, pg_url, users=5)
    for a in accounts.items:  # each sync lasts long enough for both workers to be busy at once
        a.sim.set_faults({"kind": "slow", "seconds": 0.2, "path": "/v1/account"})
    env = accounts.env()
    assert trainproof("worker", "--init", env=env).code == 0
    workers.extend(Worker(accounts, name, "--concurrency", "2") for name in ("w1", "w2"))
    for w in workers:
        w.wait_started()

    queued = trainproof("enqueue", "sync", "--all", env=env)
    again = trainproof("enqueue", "sync", "--all", env=env)  # while the first jobs wait or run
    assert len(queued.out_lines) == 20
    assert all(": queued (job " in line for line in queued.out_lines)
    assert all(": queued (job " in line or "already queued" in line for line in again.out_lines)

    until(lambda: sum(len(w.synced()) for w in workers) >= 20 + again.stdout.count(": queued"), 120, step=0.3)
    time.sleep(1)  # nothing more arrives
    for w in workers:
        w.stop()
    synced = [name for w in workers for name in w.synced()]
    assert sorted(synced) == sorted(names + [line.split(":")[0] for line in again.out_lines if ": queued" in line])
    assert all(w.synced() for w in workers), "both workers took jobs"
    for a in accounts.items:
        ok = [r for r in runs(accounts, a.name) if r["outcome"] == "ok"]
        expected = 1 + sum(1 for line in again.out_lines if line.startswith(f"{a.name}: queued"))
        assert len(ok) == expected
        assert a.sim.stats.count("/v1/account") == expected  # each sync once, never two at once


def test_the_nightly_task_queues_every_account(
    trainproof, simulator_factory: StartSimulator, tmp_path: Path, pg_url: str, workers: list[Worker]
) -> None:
    accounts = start_accounts(simulator_factory, ["east", "west"], tmp_path, pg_url, users=5)
    env = accounts.env()
    assert trainproof("worker", "--init", env=env).code == 0
    worker = Worker(accounts, "nightly", "--concurrency", "2")
    workers.append(worker)
    worker.wait_started()
    assert trainproof("enqueue", "nightly", env=env).code == 0
    until(lambda: len(worker.synced()) >= 2, 60, step=0.3)
    worker.stop()
    assert sorted(worker.synced()) == ["east", "west"]
    assert "nightly: 2 account sync(s) queued, 0 already waiting" in worker.text()


def test_a_killed_workers_job_is_retried_and_stored_once(
    trainproof, simulator_factory: StartSimulator, tmp_path: Path, pg_url: str, workers: list[Worker]
) -> None:
    accounts = start_accounts(simulator_factory, ["big", "small"], tmp_path, pg_url, users=[120, 5])
    big = accounts["big"]
    big.sim.set_faults({"kind": "slow", "seconds": 0.3, "path": "/v1/training/enrollments"})
    env = accounts.env()
    assert trainproof("worker", "--init", env=env).code == 0
    doomed = Worker(accounts, "doomed", "--concurrency", "1")
    workers.append(doomed)
    doomed.wait_started()
    assert trainproof("--account", "big", "enqueue", "sync", env=env).code == 0
    until(lambda: big.sim.stats.count("/v1/training/enrollments") >= 2, 60)  # mid-job: enrollments coming in

    doomed.proc.send_signal(signal.SIGKILL)
    doomed.proc.wait(5)
    assert [r["outcome"] for r in runs(accounts, "big")] == ["running"]  # the dead worker's run, left open
    big.sim.clear_faults()
    survivor = Worker(accounts, "survivor", "--concurrency", "2")
    workers.append(survivor)
    survivor.wait_started()
    until(lambda: "big" in survivor.synced(), 60, step=0.3)
    survivor.stop()

    assert "put back in the queue" in survivor.text()
    assert [r["outcome"] for r in runs(accounts, "big")] == ["ok", "interrupted"]
    clean = f"sqlite:///{tmp_path / 'clean.db'}"
    one = {**env, "TRAINPROOF_DATABASE_URL": clean}
    assert trainproof("--account", "big", "sync", env=one).code == 0
    assert dump(pg_url, "big") == dump(clean, "big")  # every record once, as a clean sync stores it


def _redacted(url: str) -> str:
    from trainproof.store import redact_url

    return redact_url(url)
