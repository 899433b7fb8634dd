"""Answers from the live KnowBe4 API, through the one `KnowBe4Client` of this server process.

The client brings the shared rate limiter, the daily budget (shared with the CLI through the state
directory) and the retry policy. On top of it this backend keeps the answers small and cheap:

* one API call at a time (a lock), so concurrent tool calls never fetch the same list twice and the
  requests each answer spent are counted exactly;
* complete lists (campaigns, store purchases, policies, a campaign's enrollments) are kept for
  `[mcp] cache_seconds` (default 300), so paging through a list costs its requests once;
* an unfiltered page of enrollments reads only as far as that page (plus one record, to know whether
  there is more) and stops: the API is cursor-paged, so page 1 of 100 costs one request; what was
  read is kept too, so the next pages within it cost nothing.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

import anyio

from trainproof import clock
from trainproof.client import KnowBe4Client, NotFoundError
from trainproof.client.models import Account, Enrollment, Policy, StorePurchase, TrainingCampaign
from trainproof.mcp_server._backend import Answer, SourceKind
from trainproof.statuses import status_matches

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class _Entry:
    value: Any
    fetched_at: datetime
    expires: float  # time.monotonic() deadline


def _by_id(e: Enrollment) -> int:
    return e.enrollment_id


class LiveBackend:
    """KnowBe4 records straight from the Reporting API."""

    kind: SourceKind = "live"

    def __init__(self, client: KnowBe4Client, *, cache_seconds: float = 300.0) -> None:
        self.client = client
        self.cache_seconds = cache_seconds
        self._cache: dict[tuple[Any, ...], _Entry] = {}
        self._lock = anyio.Lock()

    def begin(self) -> Answer:
        return Answer(kind="live", as_of=clock.now(), account=self.client.settings.account)

    def clear(self) -> None:
        self._cache.clear()

    # -- plumbing ------------------------------------------------------------------------------
    def _hit(self, ans: Answer, key: tuple[Any, ...]) -> Any | None:
        entry = self._cache.get(key)
        if entry is None or entry.expires < time.monotonic():
            return None
        ans.saw(entry.fetched_at)
        return entry.value

    def _keep(self, key: tuple[Any, ...], value: Any, fetched_at: datetime) -> None:
        if self.cache_seconds > 0:
            self._cache[key] = _Entry(value, fetched_at, time.monotonic() + self.cache_seconds)

    async def _counted(self, ans: Answer, fetch: Callable[[], Awaitable[R]]) -> R:
        """Run one API interaction under the lock and add the requests it sent to `ans`."""
        before = self.client.stats.requests
        try:
            return await fetch()
        finally:
            ans.requests += self.client.stats.requests - before

    async def _all(self, ans: Answer, key: tuple[Any, ...], items: Callable[[], AsyncIterator[T]]) -> list[T]:
        async with self._lock:
            cached = self._hit(ans, key)
            if cached is not None:
                return list(cached)
            fetched_at = clock.now()

            async def collect() -> list[T]:
                return [item async for item in items()]

            result: list[T] = await self._counted(ans, collect)
            self._keep(key, result, fetched_at)
            ans.saw(fetched_at)
            return list(result)

    async def _one(self, ans: Answer, key: tuple[Any, ...], get: Callable[[], Awaitable[Any]]) -> Any | None:
        async with self._lock:
            cached = self._hit(ans, key)
            if cached is not None:
                return cached
            fetched_at = clock.now()
            try:
                value = await self._counted(ans, get)
            except NotFoundError:
                return None
            self._keep(key, value, fetched_at)
            ans.saw(fetched_at)
            return value

    # -- Backend -------------------------------------------------------------------------------
    async def account(self, ans: Answer) -> Account:
        """The account (its seat count also sets the client's daily budget)."""
        async with self._lock:
            return await self._counted(ans, self.client.account)

    async def campaigns(self, ans: Answer) -> list[TrainingCampaign]:
        return await self._all(ans, ("campaigns",), self.client.training_campaigns)

    async def campaign(self, ans: Answer, campaign_id: int) -> TrainingCampaign | None:
        return await self._one(ans, ("campaign", campaign_id), lambda: self.client.training_campaign(campaign_id))

    async def completion_percentages(self, ans: Answer, campaign_ids: list[int]) -> dict[int, float]:
        """None known: listing campaigns with percentages makes KnowBe4 cap every answer at 10."""
        return {}

    async def enrollments(self, ans: Answer, campaign_id: int) -> list[Enrollment]:
        rows = await self._all(
            ans, ("enrollments", campaign_id), lambda: self.client.enrollments(campaign_id=campaign_id)
        )
        rows.sort(key=lambda e: e.enrollment_id)
        return rows

    async def enrollments_page(
        self, ans: Answer, campaign_id: int, page: int, per_page: int, accepted: frozenset[str] | None
    ) -> tuple[list[Enrollment], int | None, bool]:
        start = (page - 1) * per_page
        if accepted is not None:
            rows = [e for e in await self.enrollments(ans, campaign_id) if status_matches(e.status, accepted)]
            return rows[start : start + per_page], len(rows), start + per_page < len(rows)
        async with self._lock:
            cached: list[Enrollment] | None = self._hit(ans, ("enrollments", campaign_id))
        if cached is not None:
            rows = sorted(cached, key=_by_id)
            return rows[start : start + per_page], len(rows), start + per_page < len(rows)
        # Read only as far as this page and one record more (to know whether there is more), then stop.
        want = start + per_page + 1
        async with self._lock:
            prefix_hit: list[Enrollment] | None = self._hit(ans, ("enrollments_prefix", campaign_id))
        if prefix_hit is not None and len(prefix_hit) >= want:
            ans.notes.append("Read only as far as this page; the total is unknown without reading every page.")
            return prefix_hit[start : start + per_page], None, True

        # Keep the rest of the last API page too (it is paid for): later pages within it cost nothing.
        size = self.client.per_page
        target = -(-want // size) * size

        async def prefix() -> tuple[list[Enrollment], bool]:
            got: list[Enrollment] = []
            stream = cast(AsyncGenerator[Enrollment, None], self.client.enrollments(campaign_id=campaign_id))
            async with aclosing(stream):
                async for e in stream:
                    got.append(e)
                    if len(got) >= target:
                        return got, False
            return got, True

        async with self._lock:
            fetched_at = clock.now()
            rows, complete = await self._counted(ans, prefix)
            self._keep(("enrollments" if complete else "enrollments_prefix", campaign_id), rows, fetched_at)
        ans.saw(fetched_at)
        if complete:
            rows.sort(key=_by_id)
            return rows[start : start + per_page], len(rows), start + per_page < len(rows)
        ans.notes.append("Read only as far as this page; the total is unknown without reading every page.")
        return rows[start : start + per_page], None, True

    async def enrollment(self, ans: Answer, enrollment_id: int) -> Enrollment | None:
        return await self._one(ans, ("enrollment", enrollment_id), lambda: self.client.enrollment(enrollment_id))

    async def store_purchases(self, ans: Answer) -> list[StorePurchase]:
        return await self._all(ans, ("store_purchases",), self.client.store_purchases)

    async def store_purchase(self, ans: Answer, store_purchase_id: int) -> StorePurchase | None:
        return next((p for p in await self.store_purchases(ans) if p.store_purchase_id == store_purchase_id), None)

    async def policies(self, ans: Answer) -> list[Policy]:
        return await self._all(ans, ("policies",), self.client.policies)

    async def policy(self, ans: Answer, policy_id: int) -> Policy | None:
        return next((p for p in await self.policies(ans) if p.policy_id == policy_id), None)
