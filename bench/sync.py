"""Benchmark: `trainproof sync` against the simulator, tenants of 1,000 to 50,000 people.

For each size it starts `trainproof simulate --limits off` in its own process (its memory is not
counted), runs `trainproof sync --format json` in another process into a fresh store, then a second
sync with nothing changed, and prints per sync: requests made, the minimum they could be, the ratio
(goal 1.00), wall time, the sync process's peak memory (max RSS, from wait4; goal under 300 MB at
50,000 people) and how long KnowBe4's real limits (4/s, 50/min) would make the same requests take.
It then times `load_facts` (now and as of a past date) on the synced store.

`--facts N` instead writes N synthetic enrollments (12 campaigns, 10 per person) into a store the way a
sync does (staging tables, then the one merge), twice (the second time half of them changed), and
times the merges and `load_facts` now and as of a date between the two: the store's side of a
million-enrollment tenant, without generating one.

    .venv/bin/python bench/sync.py                          # 1,000, 10,000 and 50,000 people, SQLite
    .venv/bin/python bench/sync.py --sizes 1000 --db postgresql+psycopg://user:pass@127.0.0.1/db
    .venv/bin/python bench/sync.py --facts 1000000

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
    assert proc.stdout is not None
    assert proc.stderr is not None
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


def synthetic_facts(n: int, url: str) -> None:
    """Two merges of n synthetic enrollments, then load_facts now and as of a date between them."""
    import random
    from datetime import timedelta

    from trainproof.store import load_facts, open_store, write_transaction
    from trainproof.store.history import apply_staging
    from trainproof.store.runs import start_run
    from trainproof.store.staging import Staging

    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    pad = "x" * 450  # a raw payload the size of a real one (about 600 bytes)

    def rows(rnd: random.Random, done_share: float) -> Any:
        for i in range(n):
            done = rnd.random() < done_share
            enrolled = t0 + timedelta(days=i % 30, seconds=i % 3600)
            yield {
                "enrollment_id": i + 1,
                "user_id": i // 10 + 1,
                "user_email": f"user{i // 10}@example.com",
                "user_employee_number": None,
                "campaign_id": i % 12 + 1,
                "campaign_name": f"Campaign {i % 12 + 1}",
                "content_type": "Store Purchase",
                "module_name": f"Module {i % 12}",
                "store_purchase_id": i % 12,
                "policy_id": None,
                "module_key": f"store_purchase:{i % 12}",
                "status": "Passed" if done else "Not Started",
                "enrollment_date": enrolled,
                "start_date": enrolled + timedelta(hours=1) if done else None,
                "completion_date": enrolled + timedelta(days=1, seconds=i % 86400) if done else None,
                "time_spent": 600 if done else 0,
                "policy_acknowledged": False,
                "score": None,
                "raw": f'{{"enrollment_id":{i + 1},"status":"{"Passed" if done else "Not Started"}","p":"{pad}"}}',
            }

    engine = open_store(url)
    print(f"synthetic store: {n:,} enrollments, 12 campaigns ({url.split(':')[0]})")
    try:
        for run, (day, share) in enumerate(((40, 0.5), (80, 0.8))):
            when = t0 + timedelta(days=day)
            with engine.connect() as conn:
                run_id = start_run(conn, now=when, full=False)
                staging = Staging(conn)
                staging.create()
                started = time.perf_counter()
                staging.add_many("enrollments", rows(random.Random(run), share))
                staging.complete("enrollments", "campaign_id", range(1, 13))
                staging.flush()
                staged = time.perf_counter()
                with write_transaction(conn):
                    merged = apply_staging(conn, staging, now=when, run_id=run_id)["enrollments"]
                staging.drop()
            print(
                f"  merge {run + 1}: staged in {staged - started:.1f} s, merged in {time.perf_counter() - staged:.1f} s"
                f" ({merged.new:,} new, {merged.changed:,} changed)",
                flush=True,
            )
        with engine.connect() as conn:
            for label, as_of in (("now", None), ("as of 2026-03-02", datetime(2026, 3, 2, tzinfo=UTC))):
                started = time.perf_counter()
                facts = load_facts(conn, as_of)
                took = time.perf_counter() - started
                print(f"  load_facts {label}: {len(facts.enrollments):,} enrollments in {took:.2f} s")
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated tenant sizes (people)")
    parser.add_argument("--db", default="sqlite", help="sqlite (a temp file) or a PostgreSQL URL")
    parser.add_argument("--facts", type=int, default=0, help="time the store alone on N synthetic enrollments")
    args = parser.parse_args()
    if args.facts:
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
        if args.db == "sqlite":
            synthetic_facts(args.facts, f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-facts-')) / 'facts.db'}")
        else:
            url, schema = pg_schema_url(args.db, create=True)
            try:
                synthetic_facts(args.facts, url)
            finally:
                drop_schema(args.db, schema)
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
        return
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
