"""Writing rows into a store the way a sync does (staging, then one merge), without HTTP."""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from trainproof.store import write_transaction
from trainproof.store.history import MergeCounts, apply_staging
from trainproof.store.runs import RunOutcome, finish_run, start_run
from trainproof.store.staging import ALL, Staging

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def enrollment(
    eid: int,
    status: str = "Not Started",
    *,
    user_id: int | None = 7,
    campaign_id: int = 42,
    module: str = "store_purchase:3",
    enrolled: datetime | None = None,
    started: datetime | None = None,
    completed: datetime | None = None,
) -> dict[str, Any]:
    raw = {"enrollment_id": eid, "status": status, "completion_date": completed.isoformat() if completed else None}
    return {
        "enrollment_id": eid,
        "user_id": user_id,
        "user_email": None if user_id is None else f"user{user_id}@example.com",
        "user_employee_number": None,
        "campaign_id": campaign_id,
        "campaign_name": f"Campaign {campaign_id}",
        "content_type": "Store Purchase",
        "module_name": "Security Awareness",
        "store_purchase_id": 3,
        "policy_id": None,
        "module_key": module,
        "status": status,
        "enrollment_date": enrolled or T0 - timedelta(days=30),
        "start_date": started,
        "completion_date": completed,
        "time_spent": 0,
        "policy_acknowledged": False,
        "score": None,
        "raw": json.dumps(raw, separators=(",", ":")),
    }


def user(uid: int, *, status: str = "active", archived: datetime | None = None, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": uid,
        "employee_number": str(1000 + uid),
        "first_name": f"First{uid}",
        "last_name": f"Last{uid}",
        "email": f"user{uid}@example.com",
        "job_title": None,
        "department": "Engineering",
        "division": None,
        "location": None,
        "organization": None,
        "manager_name": None,
        "manager_email": None,
        "employee_start_date": T0 - timedelta(days=400),
        "joined_on": T0 - timedelta(days=400),
        "last_sign_in": None,
        "status": status,
        "archived_at": archived,
        "aliases": [],
        "group_ids": [],
        "phish_prone_percentage": None,
        "current_risk_score": None,
        "provisioning_managed": False,
        "language": None,
    }
    row.update(kw)
    row["raw"] = json.dumps({k: str(v) for k, v in row.items()}, sort_keys=True)
    return row


def campaign(cid: int, name: str = "", status: str = "In Progress") -> dict[str, Any]:
    return {
        "campaign_id": cid,
        "name": name or f"Campaign {cid}",
        "status": status,
        "duration_type": "Specific End Date",
        "start_date": T0 - timedelta(days=40),
        "end_date": T0 + timedelta(days=60),
        "relative_duration": None,
        "auto_enroll": True,
        "allow_multiple_enrollments": False,
        "group_ids": [0],
        "raw": json.dumps({"campaign_id": cid, "name": name, "status": status}),
    }


def apply(
    engine: Engine,
    now: datetime,
    rows: Mapping[str, Iterable[Mapping[str, Any]]],
    complete: Sequence[tuple[str, str, Sequence[int]]] = (),
) -> dict[str, MergeCounts]:
    """One run: stage `rows`, declare `complete` scopes ((resource, field, ids); field "*" = all), merge."""
    with engine.connect() as conn:
        run_id = start_run(conn, now=now, full=False)
        staging = Staging(conn, batch_size=3)  # small batches: exercise flushing
        staging.create()
        for resource, items in rows.items():
            staging.add_many(resource, items)
        for resource, field, ids in complete:
            staging.complete(resource, field, ids if field != ALL else (0,))
        with write_transaction(conn):
            result = apply_staging(conn, staging, now=now, run_id=run_id)
            finish_run(conn, run_id, RunOutcome(requests=0, retries=0, request_ids=[]), now=now)
        staging.drop()
    return result


def damage_a_page(path: Path, table: str = "enrollments") -> None:
    """Overwrite one 4 KB leaf page of `table` in the middle of the file with random bytes."""
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = con.execute("PRAGMA page_size").fetchone()[0]
        pages = [r[0] for r in con.execute("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf'", (table,))]
    finally:
        con.close()
    assert len(pages) > 4, pages
    with path.open("r+b") as fh:
        fh.seek((pages[len(pages) // 2] - 1) * size)
        fh.write(random.Random(7).randbytes(size))
