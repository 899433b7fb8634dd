"""What the report tools share: the store they read, the errors they may raise, and reused results.

The reports (`trainproof.reports`) read the whole local store, phishing results included, so the report
tools answer from the store whatever `[mcp] source` says, and never spend an API request. A report is
computed once per question in a worker thread and its pages are served from that one result, so paging
through 50,000 rows judges the store once, and every page of an answer is judged at the same instant.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import anyio.to_thread
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from trainproof import clock
from trainproof.errors import ConfigError, StoreError
from trainproof.mcp_server._store import SyncRun
from trainproof.mcp_server.models import SourceInfo
from trainproof.store.db import redact_url

if TYPE_CHECKING:
    from trainproof.mcp_server._state import AppState

T = TypeVar("T")

REUSE_S = 120.0  # a computed report serves its pages this long (and never past the next sync)
KEEP = 8  # computed reports kept per server process

STORE_NOTE = "Computed by trainproof's reports from the local store (the same answer as `trainproof report`)."


@dataclass(frozen=True)
class ReportStore:
    """The store a report reads, and the successful sync it rests on."""

    engine: Engine
    run: SyncRun

    def source(self) -> SourceInfo:
        return SourceInfo(
            source="store",
            as_of=self.run.finished_at or self.run.started_at or clock.now(),
            requests_made=0,
            note=STORE_NOTE,
        )


async def report_store(state: AppState) -> ReportStore:
    """The local store once a sync has succeeded there; a StoreError saying to sync before that."""
    _, ok = await state.sync_runs()
    engine = state.engine
    if ok is None or engine is None:
        raise StoreError(
            f"the store at {state.store_label} has no successful sync yet",
            "run `trainproof sync` first (reports are computed from the local store, never from the live API)",
        )
    return ReportStore(engine, ok)


def guarded(compute: Callable[[], T]) -> T:
    """Run one report; database failures become a StoreError, and no KnowBe4 text reaches an error.

    A campaign name in trainproof.toml that the store does not know gets a hint that may quote KnowBe4
    campaign names (text an attacker can write): it is replaced by our own words, as the compliance
    tools do.
    """
    try:
        return compute()
    except ConfigError as exc:
        if "campaigns:" not in exc.what:
            raise
        raise ConfigError(
            "trainproof.toml selects a campaign by a name the store does not know, or that several share",
            "run `trainproof check` to see which, and select campaigns by id",
        ) from None
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot read the store ({type(exc).__name__})",
            "check that it is a trainproof store at the current schema (`trainproof db upgrade`)",
        ) from None


class ReportCache:
    """Computed reports of one server process, keyed by store, sync run and question."""

    def __init__(self, reuse_s: float = REUSE_S, keep: int = KEEP) -> None:
        self.reuse_s = reuse_s
        self.keep = keep
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[Any, ...], tuple[float, datetime, Any]] = OrderedDict()

    async def get(
        self, store: ReportStore, question: tuple[Any, ...], compute: Callable[[datetime], T]
    ) -> tuple[T, datetime]:
        """The report for `question` and the instant it was judged at, computed unless still fresh."""
        key = (redact_url(store.engine.url), store.run.run_id, store.run.finished_at, *question)
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and hit[0] > time.monotonic():
                self._entries.move_to_end(key)
                return hit[2], hit[1]
        at = clock.now()
        value = await anyio.to_thread.run_sync(lambda: guarded(lambda: compute(at)))
        with self._lock:
            self._entries[key] = (time.monotonic() + self.reuse_s, at, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.keep:
                self._entries.popitem(last=False)
        return value, at
