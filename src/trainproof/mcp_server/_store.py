"""Answers from the local store that `trainproof sync` fills: no API request, as of the last sync.

Reads only. Records come back as the client's own models, rebuilt from the API JSON the store keeps
(`raw`), so a store answer and a live answer have exactly the same shape. Records KnowBe4 no longer
returns (the store keeps them, marked removed) are left out of lists, as KnowBe4 leaves them out.
Database work runs in a worker thread so the server keeps answering.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import anyio.to_thread
from pydantic import BaseModel
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from trainproof import clock
from trainproof.client.models import Enrollment, Policy, StorePurchase, TrainingCampaign
from trainproof.errors import StoreError
from trainproof.mcp_server._backend import Answer, SourceKind
from trainproof.statuses import COMPLETE_API_STATUSES, status_matches
from trainproof.store import schema as s
from trainproof.store.db import redact_url
from trainproof.store.runs import last_run

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")


@dataclass(frozen=True)
class SyncRun:
    run_id: int
    started_at: datetime | None
    finished_at: datetime | None
    outcome: str
    requests: int | None
    budget_remaining: int | None


def _run(row: dict[str, Any] | None) -> SyncRun | None:
    if row is None:
        return None
    return SyncRun(
        run_id=int(row["id"]),
        started_at=row.get("started_at"),
        finished_at=row.get("finished_at"),
        outcome=str(row.get("outcome")),
        requests=row.get("requests"),
        budget_remaining=row.get("budget_remaining"),
    )


def last_runs(conn: Connection) -> tuple[SyncRun | None, SyncRun | None]:
    """(the last sync run of any outcome, the last successful one)."""
    return _run(last_run(conn, outcome=None)), _run(last_run(conn, outcome="ok"))


class NotInStore(StoreError):
    """The store never fetched this campaign's enrollments (no training selects it)."""

    def __init__(self, campaign_id: int) -> None:
        super().__init__(
            f"the store holds no enrollments of campaign {campaign_id}: no training in trainproof.toml selects it "
            'and [sync] campaigns is "selected"',
            'set [sync] campaigns = "all" and run `trainproof sync`, or use [mcp] source = "auto" with '
            "KNOWBE4_API_KEY set so such questions go to KnowBe4",
        )
        self.campaign_id = campaign_id


class StoreBackend:
    """KnowBe4 records from the store, as of its last successful sync."""

    kind: SourceKind = "store"

    def __init__(self, engine: Engine, synced: SyncRun) -> None:
        self.engine = engine
        self.synced = synced

    def begin(self) -> Answer:
        return Answer(kind="store", as_of=self.synced.finished_at or self.synced.started_at or clock.now())

    async def _read(self, work: Callable[[Connection], R]) -> R:
        def run() -> R:
            try:
                with self.engine.connect() as conn:
                    return work(conn)
            except NotInStore:
                raise
            except SQLAlchemyError as exc:
                raise StoreError(
                    f"cannot read the store at {redact_url(self.engine.url)} ({type(exc).__name__})",
                    "check that it is a trainproof store at the current schema (`trainproof db upgrade`)",
                ) from None

        return await anyio.to_thread.run_sync(run)

    # -- Backend -------------------------------------------------------------------------------
    async def campaigns(self, ans: Answer) -> list[TrainingCampaign]:
        t = s.training_campaigns

        def work(conn: Connection) -> list[TrainingCampaign]:
            rows = conn.execute(select(t.c.raw).where(t.c.removed_at.is_(None)).order_by(t.c.campaign_id))
            return [TrainingCampaign.model_validate_json(r.raw) for r in rows]

        return await self._read(work)

    async def campaign(self, ans: Answer, campaign_id: int) -> TrainingCampaign | None:
        t = s.training_campaigns

        def work(conn: Connection) -> TrainingCampaign | None:
            row = conn.execute(select(t.c.raw, t.c.removed_at).where(t.c.campaign_id == campaign_id)).first()
            if row is None:
                return None
            if row.removed_at is not None:
                ans.notes.append(f"KnowBe4 stopped returning this campaign on {row.removed_at.date().isoformat()}.")
            return TrainingCampaign.model_validate_json(row.raw)

        return await self._read(work)

    async def completion_percentages(self, ans: Answer, campaign_ids: list[int]) -> dict[int, float]:
        """Completed enrollments / enrollments x 100 per campaign, from the stored enrollments."""
        e = s.enrollments

        def work(conn: Connection) -> dict[int, float]:
            rows = conn.execute(
                select(e.c.campaign_id, e.c.status, func.count())
                .where(e.c.campaign_id.in_(campaign_ids), e.c.removed_at.is_(None), e.c.user_id.is_not(None))
                .group_by(e.c.campaign_id, e.c.status)
            )
            done: dict[int, int] = {}
            total: dict[int, int] = {}
            for cid, status, n in rows:
                total[cid] = total.get(cid, 0) + n
                if status_matches(status, COMPLETE_API_STATUSES):
                    done[cid] = done.get(cid, 0) + n
            return {cid: round(100.0 * done.get(cid, 0) / n, 1) for cid, n in total.items() if n}

        return await self._read(work) if campaign_ids else {}

    @staticmethod
    def _enrollment(row: Any) -> Enrollment:
        """The stored API JSON, completed with what the store knows beside it.

        The sync asks for enrollments without the `include_*` flags (it knows the campaign from the
        filter), so the campaign id, purchase id and employee number come from the store's columns.
        """
        e = Enrollment.model_validate_json(row.raw)
        if e.campaign_id is None and row.campaign_id is not None:
            e.campaign_id = row.campaign_id
        if e.store_purchase_id is None and row.store_purchase_id is not None:
            e.store_purchase_id = row.store_purchase_id
        if e.user is not None and e.user.employee_number is None:
            e.user.employee_number = row.user_employee_number or row.employee_number
        return e

    @staticmethod
    def _enrollment_columns() -> tuple[Any, ...]:
        e, u = s.enrollments, s.users
        return (e.c.raw, e.c.campaign_id, e.c.store_purchase_id, e.c.user_employee_number, u.c.employee_number)

    @staticmethod
    def _with_users() -> Any:
        e, u = s.enrollments, s.users
        return e.outerjoin(u, u.c.id == e.c.user_id)

    async def enrollments(self, ans: Answer, campaign_id: int) -> list[Enrollment]:
        rows, _, _ = await self.enrollments_page(ans, campaign_id, 1, 2**62, None)
        return rows

    async def enrollments_page(
        self, ans: Answer, campaign_id: int, page: int, per_page: int, accepted: frozenset[str] | None
    ) -> tuple[list[Enrollment], int | None, bool]:
        e = s.enrollments

        t = s.training_campaigns

        def work(conn: Connection) -> tuple[list[Enrollment], int | None, bool]:
            fetched = conn.execute(
                select(t.c.enrollments_fetched_at).where(t.c.campaign_id == campaign_id)
            ).scalar_one_or_none()
            if fetched is None:
                raise NotInStore(campaign_id)
            where = [e.c.campaign_id == campaign_id, e.c.removed_at.is_(None)]
            if accepted is not None:
                # Which stored status strings the filter matches is decided by trainproof.statuses.
                present = conn.execute(select(e.c.status).where(*where).distinct()).scalars().all()
                where.append(e.c.status.in_([p for p in present if status_matches(p, accepted)]))
            total = conn.execute(select(func.count()).select_from(e).where(*where)).scalar_one()
            rows = conn.execute(
                select(*self._enrollment_columns())
                .select_from(self._with_users())
                .where(*where)
                .order_by(e.c.enrollment_id)
                .limit(per_page)
                .offset((page - 1) * per_page)
            )
            return [self._enrollment(r) for r in rows], total, page * per_page < total

        return await self._read(work)

    async def enrollment(self, ans: Answer, enrollment_id: int) -> Enrollment | None:
        e = s.enrollments

        def work(conn: Connection) -> Enrollment | None:
            row = conn.execute(
                select(*self._enrollment_columns(), e.c.removed_at)
                .select_from(self._with_users())
                .where(e.c.enrollment_id == enrollment_id)
            ).first()
            if row is None:
                return None
            if row.removed_at is not None:
                ans.notes.append(
                    f"KnowBe4 stopped returning this enrollment on {row.removed_at.date().isoformat()}; "
                    "the store kept it."
                )
            return self._enrollment(row)

        return await self._read(work)

    async def _all(self, table: Any, key: Any, model: type[M]) -> list[M]:
        def work(conn: Connection) -> list[M]:
            rows = conn.execute(select(table.c.raw).where(table.c.removed_at.is_(None)).order_by(key))
            return [model.model_validate_json(r.raw) for r in rows]

        return await self._read(work)

    async def _get(self, table: Any, key: Any, value: int, model: type[M]) -> M | None:
        def work(conn: Connection) -> M | None:
            row = conn.execute(select(table.c.raw).where(key == value)).first()
            return None if row is None else model.model_validate_json(row.raw)

        return await self._read(work)

    async def store_purchases(self, ans: Answer) -> list[StorePurchase]:
        t = s.store_purchases
        return await self._all(t, t.c.store_purchase_id, StorePurchase)

    async def store_purchase(self, ans: Answer, store_purchase_id: int) -> StorePurchase | None:
        t = s.store_purchases
        return await self._get(t, t.c.store_purchase_id, store_purchase_id, StorePurchase)

    async def policies(self, ans: Answer) -> list[Policy]:
        t = s.policies
        return await self._all(t, t.c.policy_id, Policy)

    async def policy(self, ans: Answer, policy_id: int) -> Policy | None:
        t = s.policies
        return await self._get(t, t.c.policy_id, policy_id, Policy)
