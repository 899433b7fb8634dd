"""The one cache of a server process: answers computed from a store, keyed by the store's version.

Judging a 50,000-person store takes seconds and an assistant asks several questions in a row, so every
answer computed from a store (the decisions of a day, a filtered list of them, a report) is computed
once and then looked up. The key is the store (its URL, password hidden, and the KnowBe4 account its
handle is bound to: one store holds many accounts, and one account's answer must never serve another),
its `StoreVersion` (last successful sync run, newest decision-log and reminder rows: read on every call,
so a sync while the server runs shows in the next answer), today's date ("now" moves on at midnight)
and the question. Entries of an older version of the same store and account are dropped as soon as a
newer one is seen.

Computation runs in one worker thread, so two 50,000-person evaluations never hold memory at once and
callers asking the same question while it is computed share the one result. Entries are bounded by
weight (a day's decisions weigh far more than a page of them); a failed computation is not kept.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import anyio.to_thread

from trainproof import clock
from trainproof.store.db import redact_url
from trainproof.store.freshness import StoreVersion
from trainproof.store.handle import StoreEngine
from trainproof.store.scoping import account_of

T = TypeVar("T")

logger = logging.getLogger("trainproof.mcp")

BUDGET = 96
"""Total weight kept: e.g. 4 days' decisions (16 each), 8 reports (4 each) and their filtered views (1 each)."""

StoreKey = tuple[tuple[str, str], tuple[int, ...]]
"""((store URL without password, account), StoreVersion.key)."""


def store_key(engine: StoreEngine, version: StoreVersion) -> StoreKey:
    return ((redact_url(engine.url), account_of(engine)), version.key)


@dataclass
class _Entry:
    future: Future[Any]
    weight: int
    expires: float | None  # time.monotonic() deadline, or None: kept while its version is current


class AnswerCache:
    """Answers computed from a store, shared by every call of this server process."""

    def __init__(self, budget: int = BUDGET) -> None:
        self.budget = budget
        self._entries: OrderedDict[tuple[Hashable, ...], _Entry] = OrderedDict()
        self._versions: dict[tuple[str, str], tuple[int, ...]] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trainproof-answers")

    def submit(
        self,
        store: StoreKey,
        question: tuple[Hashable, ...],
        compute: Callable[[], T],
        *,
        weight: int = 1,
        max_age_s: float | None = None,
    ) -> Future[T]:
        """The future answer to `question`, computing it unless it is kept or under way."""
        where, version = store
        key = (where, version, clock.today(), *question)
        now = time.monotonic()
        with self._lock:
            if self._versions.get(where) != version:
                self._versions[where] = version  # a newer store: what was kept for the older one is stale
                for stale in [k for k in self._entries if k[0] == where and k[1] != version]:
                    del self._entries[stale]
            entry = self._entries.get(key)
            failed = entry is not None and entry.future.done() and entry.future.exception() is not None
            if entry is None or failed or (entry.expires is not None and entry.expires < now):
                future = self._pool.submit(compute)
                entry = _Entry(future, weight, None if max_age_s is None else now + max_age_s)
                self._entries[key] = entry
                self._evict()
            else:
                self._entries.move_to_end(key)
            return cast(Future[T], entry.future)

    def _evict(self) -> None:
        total = sum(e.weight for e in self._entries.values())
        while total > self.budget and len(self._entries) > 1:
            _, oldest = self._entries.popitem(last=False)
            total -= oldest.weight

    async def get(
        self,
        store: StoreKey,
        question: tuple[Hashable, ...],
        compute: Callable[[], T],
        *,
        weight: int = 1,
        max_age_s: float | None = None,
    ) -> T:
        """The answer to `question` (a lookup when kept; otherwise computed in the worker thread)."""
        future = self.submit(store, question, compute, weight=weight, max_age_s=max_age_s)
        if future.done():
            return future.result()
        return await anyio.to_thread.run_sync(future.result)

    def background(self, work: Callable[[], object]) -> None:
        """Start `work` in the worker thread and forget it (warming up); a failure is only logged."""

        def done(future: Future[object]) -> None:
            if not future.cancelled() and future.exception() is not None:
                logger.debug("background work failed", exc_info=future.exception())

        self._pool.submit(work).add_done_callback(done)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
