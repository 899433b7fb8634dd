"""Answers from the local store that `trainproof sync` fills: no API request, as of the last sync.

Reads only, through `trainproof.store.api_records`: records come back as the client's own models,
rebuilt from the API JSON the store keeps, so a store answer and a live answer have exactly the same
shape. Database work runs in a worker thread so the server keeps answering.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import anyio.to_thread

from trainproof import clock
from trainproof.client.models import Enrollment, Policy, StorePurchase, TrainingCampaign
from trainproof.errors import StoreError
from trainproof.mcp_server._backend import Answer, SourceKind
from trainproof.store import api_records
from trainproof.store.freshness import StoreVersion
from trainproof.store.handle import StoreConnection, StoreEngine, read
from trainproof.store.scoping import account_of

R = TypeVar("R")


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


def _gone(ans: Answer, what: str, removed_at: datetime | None, kept: str = "") -> None:
    if removed_at is not None:
        ans.notes.append(f"KnowBe4 stopped returning this {what} on {removed_at.date().isoformat()}{kept}.")


class StoreBackend:
    """KnowBe4 records from the store, as of its last successful sync."""

    kind: SourceKind = "store"

    def __init__(self, engine: StoreEngine, version: StoreVersion) -> None:
        self.engine = engine
        self.version = version

    def begin(self) -> Answer:
        return Answer(kind="store", as_of=self.version.synced_at or clock.now(), account=account_of(self.engine))

    async def _read(self, work: Callable[[StoreConnection], R]) -> R:
        engine = self.engine
        return await anyio.to_thread.run_sync(lambda: read(engine, work))

    # -- Backend -------------------------------------------------------------------------------
    async def campaigns(self, ans: Answer) -> list[TrainingCampaign]:
        return await self._read(api_records.campaign_records)

    async def campaign(self, ans: Answer, campaign_id: int) -> TrainingCampaign | None:
        found = await self._read(lambda conn: api_records.campaign_record(conn, campaign_id))
        if found is None:
            return None
        _gone(ans, "campaign", found.removed_at)
        return found.record

    async def completion_percentages(self, ans: Answer, campaign_ids: list[int]) -> dict[int, float]:
        if not campaign_ids:
            return {}
        return await self._read(lambda conn: api_records.completion_percentages(conn, campaign_ids))

    async def enrollments(self, ans: Answer, campaign_id: int) -> list[Enrollment]:
        rows, _, _ = await self.enrollments_page(ans, campaign_id, 1, 2**62, None)
        return rows

    async def enrollments_page(
        self, ans: Answer, campaign_id: int, page: int, per_page: int, accepted: frozenset[str] | None
    ) -> tuple[list[Enrollment], int | None, bool]:
        found = await self._read(lambda conn: api_records.enrollment_page(conn, campaign_id, page, per_page, accepted))
        if found is None:
            raise NotInStore(campaign_id)
        return found.enrollments, found.total, found.has_more

    async def enrollment(self, ans: Answer, enrollment_id: int) -> Enrollment | None:
        found = await self._read(lambda conn: api_records.enrollment_record(conn, enrollment_id))
        if found is None:
            return None
        _gone(ans, "enrollment", found.removed_at, "; the store kept it")
        return found.record

    async def store_purchases(self, ans: Answer) -> list[StorePurchase]:
        return await self._read(api_records.store_purchase_records)

    async def store_purchase(self, ans: Answer, store_purchase_id: int) -> StorePurchase | None:
        found = await self._read(lambda conn: api_records.store_purchase_record(conn, store_purchase_id))
        return None if found is None else found.record

    async def policies(self, ans: Answer) -> list[Policy]:
        return await self._read(api_records.policy_records)

    async def policy(self, ans: Answer, policy_id: int) -> Policy | None:
        found = await self._read(lambda conn: api_records.policy_record(conn, policy_id))
        return None if found is None else found.record
