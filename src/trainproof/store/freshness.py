"""How fresh the store is: its last sync runs, and a version that changes whenever an answer could.

A server that keeps answers computed from the store (the MCP server) keys them by `StoreVersion.key`
and reads it on every call: a handful of primary-key lookups, so a sync, a `trainproof reset` or a
reminder sent while the server runs shows in the very next answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Table, func, select

from trainproof.store import schema
from trainproof.store.scoping import mine

__all__ = ["StoreVersion", "SyncRun", "last_sync_run", "store_version"]


@dataclass(frozen=True, slots=True)
class SyncRun:
    """One recorded sync run (store/runs.py writes them)."""

    run_id: int
    started_at: datetime | None
    finished_at: datetime | None
    outcome: str
    requests: int | None


@dataclass(frozen=True, slots=True)
class StoreVersion:
    """The last sync run, the last successful one, and the newest decision-log and reminder rows.

    Answers rest on the successful sync's data; sticky records kept or reset between syncs append to
    the decision log (append-only), and reminders sent add rows, so their newest ids complete the key.
    """

    last: SyncRun | None
    ok: SyncRun | None
    last_event_id: int
    last_reminder_id: int

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.ok.run_id if self.ok is not None else 0, self.last_event_id, self.last_reminder_id)

    @property
    def synced_at(self) -> datetime | None:
        """When the data answers rest on was fetched: the end of the last successful sync."""
        return None if self.ok is None else self.ok.finished_at or self.ok.started_at


def last_sync_run(conn: Connection, outcome: str | None = "ok") -> SyncRun | None:
    """The newest sync run (with `outcome`, by default the last successful one); None when there is none."""
    r = schema.sync_runs
    query = (
        select(r.c.id, r.c.started_at, r.c.finished_at, r.c.outcome, r.c.requests)
        .where(mine(conn, r))
        .order_by(r.c.id.desc())
    )
    if outcome is not None:
        query = query.where(r.c.outcome == outcome)
    row = conn.execute(query.limit(1)).first()
    if row is None:
        return None
    return SyncRun(int(row.id), row.started_at, row.finished_at, str(row.outcome), row.requests)


def _max_id(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.max(table.c.id)).where(mine(conn, table))).scalar() or 0)


def store_version(conn: Connection) -> StoreVersion:
    return StoreVersion(
        last=last_sync_run(conn, None),
        ok=last_sync_run(conn, "ok"),
        last_event_id=_max_id(conn, schema.compliance_events),
        last_reminder_id=_max_id(conn, schema.reminders_sent),
    )
