"""The record of every sync run, and of the API requests spent per day.

A run is inserted as `running` in its own small transaction before any request is made. A successful
run is finished inside the sync's one write transaction (so its record and its data commit together);
a failed run is finished in its own small transaction, leaving the data untouched. A `running` row
whose process died (kill -9) is marked `interrupted` by the next sync, which holds the lock and so
knows that nobody else is running.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select, update

from trainproof import __version__
from trainproof.store import schema
from trainproof.store.db import write_transaction
from trainproof.store.scoping import mine
from trainproof.store.upsert import dialect_insert

__all__ = [
    "RunOutcome",
    "add_usage",
    "fail_run",
    "finish_run",
    "last_run",
    "mark_interrupted",
    "start_run",
    "sync_runs",
]


@dataclass(frozen=True)
class RunOutcome:
    """The figures a run ends with, written to sync_runs."""

    requests: int
    retries: int
    request_ids: Sequence[str]
    minimum_requests: int | None = None
    planned_requests: int | None = None
    strategy: str | None = None
    counts: Mapping[str, Any] | None = None
    plan: Mapping[str, Any] | None = None
    budget_remaining: int | None = None


def start_run(conn: Connection, *, now: datetime, full: bool) -> int:
    """Insert a `running` row in its own transaction; returns the run id."""
    with write_transaction(conn):
        result = conn.execute(
            schema.sync_runs.insert().values(
                started_at=now, outcome="running", full=full, trainproof_version=__version__
            )
        )
        run_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
    assert isinstance(run_id, int)
    return run_id


def mark_interrupted(conn: Connection, *, now: datetime) -> int:
    """Close the account's runs left `running` by a process that died. Call only while holding its sync lock."""
    with write_transaction(conn):
        result = conn.execute(
            update(schema.sync_runs)
            .where(mine(conn, schema.sync_runs), schema.sync_runs.c.outcome == "running")
            .values(outcome="interrupted", error="the process ended before the sync finished", finished_at=now)
        )
    return max(result.rowcount, 0)


def _values(outcome: RunOutcome) -> dict[str, Any]:
    return {
        "requests": outcome.requests,
        "retries": outcome.retries,
        "request_ids": list(outcome.request_ids),
        "minimum_requests": outcome.minimum_requests,
        "planned_requests": outcome.planned_requests,
        "strategy": outcome.strategy,
        "counts": dict(outcome.counts) if outcome.counts is not None else None,
        "plan": dict(outcome.plan) if outcome.plan is not None else None,
        "budget_remaining": outcome.budget_remaining,
    }


def finish_run(conn: Connection, run_id: int, outcome: RunOutcome, *, now: datetime) -> None:
    """Mark the run ok, inside the caller's (the sync's) write transaction."""
    conn.execute(
        update(schema.sync_runs)
        .where(mine(conn, schema.sync_runs), schema.sync_runs.c.id == run_id)
        .values(outcome="ok", finished_at=now, error=None, **_values(outcome))
    )
    add_usage(conn, now.date(), requests=outcome.requests, retries=outcome.retries)


def fail_run(conn: Connection, run_id: int, outcome: RunOutcome, *, now: datetime, error: str) -> None:
    """Mark the run failed in its own small transaction; nothing else is written."""
    if conn.in_transaction():
        conn.rollback()
    with write_transaction(conn):
        conn.execute(
            update(schema.sync_runs)
            .where(mine(conn, schema.sync_runs), schema.sync_runs.c.id == run_id)
            .values(outcome="failed", finished_at=now, error=error, **_values(outcome))
        )
        add_usage(conn, now.date(), requests=outcome.requests, retries=outcome.retries)


def add_usage(conn: Connection, day: date, *, requests: int, retries: int) -> None:
    """Add one run's requests to the day's total (inside the caller's transaction)."""
    table = schema.api_usage
    ins = dialect_insert(conn, table).values(day=day, requests=requests, retries=retries, runs=1)
    conn.execute(
        ins.on_conflict_do_update(
            index_elements=["account", "day"],
            set_={
                "requests": table.c.requests + ins.excluded.requests,
                "retries": table.c.retries + ins.excluded.retries,
                "runs": table.c.runs + 1,
            },
        )
    )


def sync_runs(conn: Connection, *, limit: int = 20, outcome: str | None = None) -> list[dict[str, Any]]:
    """The most recent sync runs, newest first."""
    r = schema.sync_runs
    query = select(r).where(mine(conn, r)).order_by(r.c.id.desc()).limit(limit)
    if outcome is not None:
        query = query.where(r.c.outcome == outcome)
    return [dict(row) for row in conn.execute(query).mappings()]


def last_run(conn: Connection, *, outcome: str | None = "ok") -> dict[str, Any] | None:
    runs = sync_runs(conn, limit=1, outcome=outcome)
    return runs[0] if runs else None
