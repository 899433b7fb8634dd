"""`kill -9` during `trainproof sync`, at many points: the store keeps its previous state and the next sync works.

A real `trainproof sync --full` process runs against the simulator (every answer slowed down a little, so
the fetch can be interrupted between any two requests) and is sent SIGKILL either after its k-th request
or a moment after its last one, while it merges and commits. Afterwards the store must hold exactly the
state before (or, if the kill came after the commit, exactly the new one: never anything in between),
and the next sync must succeed and mark the killed run `interrupted`.

The number of points is a parameter: `TRAINPROOF_KILL_POINTS=24 pytest tests/sync/test_kill.py` kills 24
syncs per database (half during the fetch, half around the commit), one after the other on the same store;
the default (4) keeps the suite fast.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from tests.sync.conftest import SettingsFor, sync_env

from trainproof.simulator import Simulator, generate_tenant
from trainproof.store import canonical_dump, open_store, sync_runs
from trainproof.sync import run_sync


def _points() -> list[tuple[str, float]]:
    n = max(2, int(os.environ.get("TRAINPROOF_KILL_POINTS", "4")))
    fetch = (n + 1) // 2
    commit = n - fetch
    points = [("request", round(i / fetch, 3)) for i in range(fetch)]  # fraction of the run's requests
    points += [("commit", round(0.5 * i / max(1, commit - 1), 3)) for i in range(commit)]  # seconds after the last
    return points


POINTS = _points()


@pytest.fixture(scope="module")
def tenant_json(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("kill") / "tenant.json"
    generate_tenant(250, seed=7).dump(path)
    return str(path)


@pytest.fixture
def sim(tenant_json: str) -> Iterator[Simulator]:
    with Simulator(tenant_json, limits="off") as s:
        yield s


def _content(url: str) -> dict[str, list[dict[str, Any]]]:
    engine = open_store(url)
    try:
        with engine.connect() as conn:
            return canonical_dump(conn)
    finally:
        engine.dispose()


def _outcomes(url: str) -> list[str]:
    engine = open_store(url)
    try:
        with engine.connect() as conn:
            return [r["outcome"] for r in sync_runs(conn, limit=50)]
    finally:
        engine.dispose()


def _kill_at(sim: Simulator, env: dict[str, str], phase: str, at: float, requests: int) -> None:
    """Start `trainproof sync --full` and SIGKILL it after a share of its requests, or after its last one."""
    base = sim.stats.total
    proc = subprocess.Popen(
        [sys.executable, "-m", "trainproof", "sync", "--full"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        wanted = base + (max(1, round(at * requests)) if phase == "request" else requests)
        while sim.stats.total < wanted and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        if phase == "commit":
            time.sleep(at)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)


@pytest.mark.slow
def test_kill_9_never_corrupts_the_store(sim: Simulator, store_url: str, settings_for: SettingsFor) -> None:
    settings = settings_for(sim, store_url)
    requests = run_sync(settings).requests
    env = {**os.environ, **sync_env(sim, store_url)}
    records = list(sim.tenant.records("enrollments"))
    for round_no, (phase, at) in enumerate(POINTS):
        where = f"kill point {round_no} ({phase} {at})"
        # Change the tenant so that the killed sync has something to write.
        for record in records[round_no :: len(POINTS) + 3]:
            sim.tenant.update("enrollments", record["enrollment_id"], time_spent=round_no + 1)
        before = _content(store_url)
        runs_before = len(_outcomes(store_url))
        sim.set_faults({"kind": "slow", "seconds": 0.02})  # room to land between any two requests
        _kill_at(sim, env, phase, at, requests)
        sim.set_faults()

        # Readable, and either exactly the previous state or exactly the committed new one.
        after = _content(store_url)
        outcomes = _outcomes(store_url)
        assert len(outcomes) == runs_before + 1, where
        killed_after_commit = outcomes[0] == "ok"
        if killed_after_commit:
            assert {e["enrollment_id"]: json.loads(e["raw"]) for e in after["enrollments"]} == {
                e["enrollment_id"]: e for e in sim.tenant.records("enrollments")
            }, where
        else:
            assert outcomes[0] == "running", where  # only the run's own record was written
            assert after == before, where

        # The next sync completes and closes the dead run.
        report = run_sync(settings, full=True, wait_s=30)
        assert report.outcome == "ok", where
        final = _content(store_url)
        assert {e["enrollment_id"]: json.loads(e["raw"]) for e in final["enrollments"]} == {
            e["enrollment_id"]: e for e in sim.tenant.records("enrollments")
        }, where
        outcomes = _outcomes(store_url)
        assert outcomes[0] == "ok", where
        assert outcomes[1] == ("ok" if killed_after_commit else "interrupted"), where
        assert "running" not in outcomes, where
