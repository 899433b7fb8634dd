"""`kill -9` during `trainproof sync`, at many points: the store keeps its previous state and the next sync works.

A real `trainproof sync` process runs against the simulator (every answer slowed down a little, so
the fetch can be interrupted between any two requests) and is sent SIGKILL either after its k-th request
or a moment after its last one, while it merges and commits. Afterwards the store must hold exactly the
state before (or, if the kill came after the commit, exactly the new one: never anything in between),
and the next sync must succeed and mark the killed run `interrupted`.

The number of points is a parameter: `TRAINPROOF_KILL_POINTS=40 pytest tests/sync/test_kill.py` kills 40
syncs per database (half during the fetch, half around the commit), one after the other on the same store;
the default, 24, runs in well under a minute per database. That is affordable because no process pays
Python's start-up and imports: one process imports `trainproof.cli` once, and every sync is a fork of it
that runs `trainproof.cli.main()`, the console script's own entry point, and is the one killed. The commit-phase
kill times are spread over the merge window measured on this machine by an in-process sync, so they
land inside it wherever the suite runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from tests.sync.conftest import SettingsFor, sync_env

from trainproof.simulator import Simulator, generate_tenant
from trainproof.statuses import is_finished_campaign
from trainproof.store import canonical_dump, open_store, sync_runs
from trainproof.sync import run_sync

SLOW_S = 0.005
"""Every answer of the killed run is this late: room to land between any two requests."""

FORK_SERVER = r"""
import json, os, sys
from trainproof.cli import main  # imported once: every sync below is a fork of this process
sys.stdout.write("ready\n")
sys.stdout.flush()
for line in sys.stdin:
    job = json.loads(line)
    pid = os.fork()
    if pid == 0:  # the child: one `trainproof` run, exactly what the console script does
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.environ.update(job["env"])
        sys.argv = ["trainproof", *job["args"]]
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        os._exit(code)
    sys.stdout.write(f"{pid}\n")
    sys.stdout.flush()
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(f"exit {status}\n")
    sys.stdout.flush()
"""


def _points() -> list[tuple[str, float]]:
    """("request", share of the run's requests) during the fetch; ("commit", share of the merge window)
    after the last request, from 0 to a little past the window."""
    n = max(2, int(os.environ.get("TRAINPROOF_KILL_POINTS", "24")))
    fetch = (n + 1) // 2
    commit = n - fetch
    points = [("request", round(i / fetch, 3)) for i in range(fetch)]
    points += [("commit", round(1.3 * i / max(1, commit - 1), 3)) for i in range(commit)]
    return points


POINTS = _points()


class _Processes:
    """`trainproof` processes without the import cost: forks of one process that imported the CLI.

    `run(args, env)` starts one and returns its pid; `wait(pid)` returns once it has ended.
    """

    def __init__(self) -> None:
        self._server = subprocess.Popen(
            [sys.executable, "-c", FORK_SERVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self._line(60) == "ready"

    def _line(self, timeout: float) -> str:
        assert self._server.stdout is not None
        ready, _, _ = select.select([self._server.stdout], [], [], timeout)
        assert ready, f"the fork server said nothing within {timeout:g} s"
        return self._server.stdout.readline().strip()

    def run(self, args: list[str], env: dict[str, str]) -> int:
        assert self._server.stdin is not None
        self._server.stdin.write(json.dumps({"args": args, "env": env}) + "\n")
        self._server.stdin.flush()
        return int(self._line(30))

    def ended(self) -> bool:
        """True once the running sync has ended by itself (the server then has its exit line to say)."""
        assert self._server.stdout is not None
        return bool(select.select([self._server.stdout], [], [], 0)[0])

    def wait(self, pid: int, timeout: float = 30) -> None:
        assert self._line(timeout).startswith("exit "), f"sync process {pid} did not end"

    def close(self) -> None:
        if self._server.stdin is not None:
            self._server.stdin.close()
        try:
            self._server.wait(timeout=30)
        finally:
            if self._server.poll() is None:
                self._server.kill()
                self._server.wait()
            if self._server.stdout is not None:
                self._server.stdout.close()


@pytest.fixture(scope="module")
def tenant_json(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("kill") / "tenant.json"
    generate_tenant(40, seed=7).dump(path)
    return str(path)


@pytest.fixture
def sim(tenant_json: str) -> Iterator[Simulator]:
    with Simulator(tenant_json, limits="off") as s:
        yield s


@pytest.fixture
def processes() -> Iterator[_Processes]:
    pool = _Processes()
    yield pool
    pool.close()


def _content(url: str) -> dict[str, list[dict[str, Any]]]:
    engine = open_store(url, create=False)
    try:
        with engine.connect() as conn:
            return canonical_dump(conn)
    finally:
        engine.dispose()


def _outcomes(url: str) -> list[str]:
    engine = open_store(url, create=False)
    try:
        with engine.connect() as conn:
            return [r["outcome"] for r in sync_runs(conn, limit=100)]
    finally:
        engine.dispose()


class _LastFetch:
    """Progress callbacks that remember when the fetch ended (the merge and commit follow)."""

    def __init__(self) -> None:
        self.at = 0.0

    def start(self, resource: str, total: int | None) -> None:
        pass

    def advance(self, resource: str, records: int) -> None:
        pass

    def finish(self, resource: str) -> None:
        self.at = time.monotonic()


def _merge_window(settings: Any) -> tuple[int, float]:
    """A sync in process: its requests, and the seconds from its last fetch to its commit."""
    fetch = _LastFetch()
    report = run_sync(settings, progress=fetch)
    return report.requests, max(0.01, time.monotonic() - fetch.at)


def _kill_at(
    processes: _Processes, sim: Simulator, env: dict[str, str], phase: str, at: float, requests: int, window: float
) -> None:
    """Start `trainproof sync` and SIGKILL it after a share of its requests, or after its last one."""
    base = sim.stats.total
    pid = processes.run(["sync"], env)
    try:
        deadline = time.monotonic() + 60
        wanted = base + (max(1, round(at * requests)) if phase == "request" else requests)
        while sim.stats.total < wanted and not processes.ended() and time.monotonic() < deadline:
            time.sleep(0.001)
        if phase == "commit":
            time.sleep(at * window)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        processes.wait(pid)


@pytest.mark.slow
def test_kill_9_never_corrupts_the_store(
    sim: Simulator, store_url: str, settings_for: SettingsFor, processes: _Processes
) -> None:
    settings = settings_for(sim, store_url)
    run_sync(settings)
    requests, window = _merge_window(settings)
    env = sync_env(sim, store_url)
    # Changes go to the campaigns every sync fetches (finished ones are skipped without --full).
    ongoing = {
        c["campaign_id"] for c in sim.tenant.records("training_campaigns") if not is_finished_campaign(c["status"])
    }
    records = [e for e in sim.tenant.records("enrollments") if e["campaign_id"] in ongoing]
    landed: list[str] = []
    final = _content(store_url)
    for round_no, (phase, at) in enumerate(POINTS):
        where = f"kill point {round_no} ({phase} {at}; merge window {window:.3f} s)"
        # Change the tenant so that the killed sync has something to write.
        for record in records[round_no :: len(POINTS) + 3]:
            sim.tenant.update("enrollments", record["enrollment_id"], time_spent=round_no + 1)
        before = final  # the store has not changed since the last successful sync
        runs_before = len(_outcomes(store_url))
        sim.set_faults({"kind": "slow", "seconds": SLOW_S})
        _kill_at(processes, sim, env, phase, at, requests, window)
        sim.set_faults()

        # Readable, and either exactly the previous state or exactly the committed new one.
        after = _content(store_url)
        outcomes = _outcomes(store_url)
        assert len(outcomes) == runs_before + 1, where
        killed_after_commit = outcomes[0] == "ok"
        landed.append(f"{phase}:{'after' if killed_after_commit else 'before'}")
        if killed_after_commit:
            assert {e["enrollment_id"]: json.loads(e["raw"]) for e in after["enrollments"]} == {
                e["enrollment_id"]: e for e in sim.tenant.records("enrollments")
            }, where
        else:
            assert outcomes[0] == "running", where  # only the run's own record was written
            assert after == before, where

        # The next sync completes and closes the dead run.
        report = run_sync(settings, wait_s=30)
        assert report.outcome == "ok", where
        final = _content(store_url)
        assert {e["enrollment_id"]: json.loads(e["raw"]) for e in final["enrollments"]} == {
            e["enrollment_id"]: e for e in sim.tenant.records("enrollments")
        }, where
        outcomes = _outcomes(store_url)
        assert outcomes[0] == "ok", where
        assert outcomes[1] == ("ok" if killed_after_commit else "interrupted"), where
        assert "running" not in outcomes, where

    # The points did spread: killed while fetching, and after the last request but before the commit.
    assert landed.count("request:before") >= len(POINTS) // 2 - 1, landed
    assert "commit:before" in landed, landed
