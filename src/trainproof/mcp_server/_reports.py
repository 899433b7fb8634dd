"""What the report tools share: the store they read, and their place in the server's one answer cache.

The reports (`trainproof.reports`) read the whole local store, phishing results included, so the report
tools answer from the store whatever `[mcp] source` says, and never spend an API request. A report is
computed once per question in the cache's worker thread and its pages are served from that one result,
so paging through 50,000 rows judges the store once, and every page of an answer is judged at the same
instant. Reports count time to deadlines, so a result is reused for a couple of minutes at most.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from trainproof import clock
from trainproof.errors import StoreError
from trainproof.mcp_server._cache import store_key
from trainproof.mcp_server.models import SourceInfo
from trainproof.store.freshness import StoreVersion
from trainproof.store.handle import StoreEngine, reading
from trainproof.store.scoping import account_of

if TYPE_CHECKING:
    from trainproof.mcp_server._state import AppState

T = TypeVar("T")

REUSE_S = 120.0  # a computed report serves its pages this long (and never past the next sync)
REPORT_WEIGHT = 4  # against the answer cache's budget (a day's decisions weigh 16)

STORE_NOTE = "Computed by trainproof's reports from the local store (the same answer as `trainproof report`)."


@dataclass(frozen=True)
class ReportStore:
    """The store a report reads, and the version (successful sync) it rests on."""

    engine: StoreEngine
    version: StoreVersion

    def source(self) -> SourceInfo:
        return SourceInfo(
            source="store",
            account=account_of(self.engine),
            as_of=self.version.synced_at or clock.now(),
            requests_made=0,
            note=STORE_NOTE,
        )


async def report_store(state: AppState) -> ReportStore:
    """The local store once a sync has succeeded there; a StoreError saying to sync before that."""
    version = await state.version()
    engine = state.engine
    if version is None or version.ok is None or engine is None:
        raise StoreError(
            f"the store at {state.store_label} has no successful sync yet",
            f"run `{state.sync_command}` first (reports are computed from the local store, never from the live API)",
        )
    return ReportStore(engine, version)


async def cached_report(
    state: AppState, store: ReportStore, question: tuple[Hashable, ...], compute: Callable[[datetime], T]
) -> tuple[T, datetime]:
    """The report for `question` and the instant it was judged at, computed unless still fresh."""

    def run() -> tuple[T, datetime]:
        at = clock.now()
        with reading(store.engine):
            return compute(at), at

    return await state.cache.get(
        store_key(store.engine, store.version), ("report", *question), run, weight=REPORT_WEIGHT, max_age_s=REUSE_S
    )
