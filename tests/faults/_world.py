"""What every fault test starts from: a simulated tenant, a store holding a previous successful sync, and
the exact content a clean sync of the changed tenant writes. Commands run through tests/running.py, whose
hard time limit makes a hang fail the test.

The tenant is a generated one, padded so that two lists span two pages of 500 (users in page mode, one
open campaign's enrollments in cursor mode): faults that damage "the next page" need a next page.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from trainproof.simulator import Simulator, Tenant, generate_tenant
from trainproof.statuses import is_finished_campaign
from trainproof.store import canonical_dump, open_store, sync_runs

ENROLLMENTS = "/v1/training/enrollments"
USERS = "/v1/users"

NOW_BEFORE = "2026-11-02T08:00:00+00:00"
"""When the previous (successful) sync ran."""
NOW = "2026-11-03T08:00:00+00:00"
"""When the sync under test runs: the clock is frozen so a clean run and a run that survived faults
write byte-identical history timestamps."""

TIME_SCALE = 0.01
"""Simulator and client scale every window by this: the 5-minute lockout lasts 3 s, the retry budget
(300 s) 3 s, the backoff starts at 10 ms. Timeouts and Retry-After stay real seconds, as in production."""

LIMITS_TOML = """
[knowbe4.limits]
per_second = 1000          # the simulator's own limits are off: pacing is not under test here
per_minute = 100000
time_scale = {time_scale}
daily_base = {daily_base}
timeout_s = {timeout_s}
retry_attempts = {retry_attempts}
retry_budget_s = {retry_budget_s}
"""

Dump = dict[str, list[dict[str, Any]]]


def toml_text(
    *,
    timeout_s: float = 2.0,
    retry_attempts: int = 8,
    retry_budget_s: float = 300.0,
    daily_base: int = 2000,
    extra: str = "",
) -> str:
    return (
        LIMITS_TOML.format(
            time_scale=TIME_SCALE,
            daily_base=daily_base,
            timeout_s=timeout_s,
            retry_attempts=retry_attempts,
            retry_budget_s=retry_budget_s,
        )
        + extra
    )


def big_campaign(tenant: Tenant) -> int:
    """The open campaign with the most enrollments: a plain (non --full) sync always fetches it."""
    counts: dict[int, int] = {}
    for e in tenant.records("enrollments"):
        counts[e["campaign_id"]] = counts.get(e["campaign_id"], 0) + 1
    open_ids = [c["campaign_id"] for c in tenant.records("training_campaigns") if not is_finished_campaign(c["status"])]
    return max((cid for cid in open_ids if cid in counts), key=lambda cid: counts[cid])


FAULT_SEATS = 10
"""Licensed seats of the fault tenants: few, so that a day's budget a test derives from what a sync spends
(spent + planned - seats) keeps a daily_base of zero or more, which is all the configuration accepts."""


def fault_tenant() -> Tenant:
    """50 people from seed 1, plus archived former staff (510 users: two pages) and duplicated enrollments
    in the biggest open campaign (520: two cursor pages). Duplicates per person and module are a real quirk."""
    tenant = generate_tenant(50, seed=1, seats=FAULT_SEATS)
    users = tenant.records("users")
    extra_users: list[dict[str, Any]] = []
    for i in range(510 - len(users)):
        clone = dict(users[i % len(users)])
        clone.update(
            id=880_000 + i,
            email=f"former.staff.{i}@northwind-health.example",
            employee_number=str(90_000 + i),
            status="archived",
            archived_at="2025-06-30T00:00:00.000Z",
            aliases=[],
            groups=[],
            manager_name=None,
            manager_email=None,
        )
        extra_users.append(clone)
    tenant.upsert("users", *extra_users)
    cid = big_campaign(tenant)
    own = [e for e in tenant.records("enrollments") if e["campaign_id"] == cid]
    extra = [dict(own[i % len(own)], enrollment_id=1_990_000 + i) for i in range(520 - len(own))]
    tenant.upsert("enrollments", *extra)
    return tenant


def change_tenant(tenant: Tenant) -> None:
    """What happened at KnowBe4 between the two syncs: completions, a reset, removals, a moved person."""
    cid = big_campaign(tenant)
    own = [e for e in tenant.records("enrollments") if e["campaign_id"] == cid]
    todo = [e for e in own if e["status"] in ("Not Started", "In Progress", "Past Due")]
    done = [e for e in own if e["status"] in ("Completed", "Passed")]
    for e in todo[:12]:
        tenant.update("enrollments", e["enrollment_id"], status="Passed", completion_date="2026-11-02T15:00:00.000Z")
    for e in done[:2]:
        tenant.update("enrollments", e["enrollment_id"], status="Not Started", start_date=None, completion_date=None)
    tenant.delete("enrollments", *[e["enrollment_id"] for e in own[-3:]])
    person = tenant.records("users")[3]
    tenant.update("users", person["id"], department="Compliance", manager_name="Ada Moreau")


def dump_of(url: str) -> Dump:
    engine = open_store(url, create=False)
    try:
        with engine.connect() as conn:
            return canonical_dump(conn)
    finally:
        engine.dispose()


def runs_of(url: str) -> list[dict[str, Any]]:
    """Sync runs, newest first."""
    engine = open_store(url, create=False)
    try:
        with engine.connect() as conn:
            return sync_runs(conn, limit=100)
    finally:
        engine.dispose()


def copy_sqlite(src: Path, dst: Path) -> None:
    """A consistent copy of a SQLite store (WAL included), through SQLite's backup API."""
    with contextlib.closing(sqlite3.connect(src)) as a, contextlib.closing(sqlite3.connect(dst)) as b:
        a.backup(b)


@dataclass
class World:
    """A running simulator (tenant already changed), the previous store, and the two dumps to compare with."""

    sim: Simulator
    base_db: Path
    before: Dump
    expected: Dump
    clean_requests: int


T = TypeVar("T")


def bounded(call: Callable[[], T], timeout: float) -> T:
    """`call()` in a thread that must finish within `timeout` seconds (fixtures' in-process syncs)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:
            box["exc"] = exc

    thread = threading.Thread(target=target, name="bounded", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise AssertionError(f"did not finish within {timeout:g} s (a hang)")
    if "exc" in box:
        raise box["exc"]
    return box["value"]
