"""Benchmark: `trainproof sync` against the simulator, tenants of 1,000 to 50,000 people.

For each size it starts `trainproof simulate --limits off` in its own process (its memory is not
counted), runs `trainproof sync --format json` in another process into a fresh store, then a second
sync with nothing changed, and prints per sync: requests made, the minimum they could be, the ratio
(goal 1.00), wall time, the sync process's peak memory (max RSS, from wait4; goal under 300 MB at
50,000 people) and how long KnowBe4's real limits (4/s, 50/min) would make the same requests take.
It then times `load_facts` (now and as of a past date) on the synced store.

    .venv/bin/python bench/sync.py                          # 1,000, 10,000 and 50,000 people, SQLite
    .venv/bin/python bench/sync.py --sizes 1000 --db postgresql+psycopg://user:pass@127.0.0.1/db

A PostgreSQL URL gets a fresh schema per size (dropped afterwards). The client's pacing is scaled
away (TRAINPROOF_TIME_SCALE) because the simulator's limits are off: what is measured is trainproof.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PYTHON = sys.executable
BURST_PER_MIN = 50  # KnowBe4: 50 requests a minute (and 4 a second), so 1.2 s per request at best
PER_SECOND = 4


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_simulator(users: int, port: int) -> subprocess.Popen[bytes]:
    cmd = [PYTHON, "-m", "trainproof", "simulate", "--users", str(users), "--limits", "off", "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_admin/health", timeout=2):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"the simulator for {users} users did not start")


def admin_stats(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_admin/stats", timeout=30) as r:
        return json.loads(r.read())


def run_sync(env: dict[str, str]) -> tuple[dict[str, Any], float, float]:
    """One `trainproof sync --format json` process: (its report, wall seconds, peak RSS in MB)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [PYTHON, "-m", "trainproof", "sync", "--format", "json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"sync failed ({proc.returncode}): {err.decode().strip()}")
    return json.loads(out), wall, usage.ru_maxrss / 1024


def real_limits(requests: int) -> str:
    seconds = max(requests / PER_SECOND, (requests - 1) * 60 / BURST_PER_MIN) if requests else 0.0
    minutes = seconds / 60
    return f"{minutes:.0f} min" if minutes < 120 else f"{minutes / 60:.1f} h"


def pg_schema_url(base: str, create: bool) -> tuple[str, str]:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    if create:
        engine = create_engine(base, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        engine.dispose()
    return make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    ), schema


def drop_schema(base: str, schema: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    engine.dispose()


def time_load_facts(url: str) -> tuple[int, float, float]:
    from trainproof.store import load_facts, open_store

    engine = open_store(url)
    try:
        with engine.connect() as conn:
            t0 = time.perf_counter()
            facts = load_facts(conn)
            now_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            load_facts(conn, datetime(2026, 6, 30, 23, 59, 59, tzinfo=UTC))
            as_of_s = time.perf_counter() - t0
    finally:
        engine.dispose()
    return len(facts.enrollments), now_s, as_of_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated tenant sizes (people)")
    parser.add_argument("--db", default="sqlite", help="sqlite (a temp file) or a PostgreSQL URL")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f} at start; Python {sys.version.split()[0]}")
    header = (
        f"{'people':>7} {'enrollments':>11} {'sync':>6} {'requests':>8} {'minimum':>7} {'ratio':>5} "
        f"{'wall s':>7} {'sync s':>7} {'peak MB':>7}  {'at 50/min':>9}"
    )
    print(header)
    rows: list[str] = []
    for users in sizes:
        port = free_port()
        sim = start_simulator(users, port)
        tmp = Path(tempfile.mkdtemp(prefix=f"bench-sync-{users}-"))
        schema = None
        if args.db == "sqlite":
            url = f"sqlite:///{tmp / 'trainproof.db'}"
        else:
            url, schema = pg_schema_url(args.db, create=True)
        env = {
            **os.environ,
            "KNOWBE4_API_KEY": "sim-token",
            "KNOWBE4_BASE_URL": f"http://127.0.0.1:{port}",
            "TRAINPROOF_DATABASE_URL": url,
            "TRAINPROOF_STATE_DIR": str(tmp / "state"),
            "TRAINPROOF_TIME_SCALE": "0.000001",
            "TRAINPROOF_NO_KEYRING": "1",
        }
        env.pop("TRAINPROOF_CONFIG", None)
        try:
            for label in ("first", "second"):
                served_before = admin_stats(port)["total"]
                report, wall, peak = run_sync(env)
                served = admin_stats(port)["total"] - served_before
                assert served == report["requests"], (served, report["requests"])
                ratio = report["requests"] / report["minimum_requests"] if report["minimum_requests"] else math.nan
                line = (
                    f"{users:>7,} {report['enrollments']:>11,} {label:>6} {report['requests']:>8,} "
                    f"{report['minimum_requests']:>7,} {ratio:>5.2f} {wall:>7.1f} {report['duration_s']:>7.1f} "
                    f"{peak:>7.0f}  {real_limits(report['requests']):>9}"
                )
                print(line, flush=True)
                rows.append(line)
            n, now_s, as_of_s = time_load_facts(url)
            print(f"{'':>7} load_facts: {n:,} enrollments now in {now_s:.2f} s, as of 2026-06-30 in {as_of_s:.2f} s")
            if args.db == "sqlite":
                size = (tmp / "trainproof.db").stat().st_size / 1e6
                print(f"{'':>7} store: {size:,.0f} MB SQLite file")
        finally:
            sim.terminate()
            sim.wait(timeout=30)
            if schema is not None:
                drop_schema(args.db, schema)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
