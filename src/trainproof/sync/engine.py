"""`run_sync()`: fetch what is needed from KnowBe4 and commit it to the store all at once, or not at all.

The order of a run:

1. take the store's sync lock (a second sync exits with SyncInProgressError, or waits with `wait_s`),
   create the schema of a new store, mark runs left `running` by a killed process as `interrupted`;
2. record the run as `running` (its own small transaction);
3. walk KnowBe4 into staging tables on the sync's own connection (see `store.staging`): account,
   users, groups, training campaigns, store purchases, policies; then the enrollment plan is chosen
   with the fresh campaign statuses (see `plan.py`) and walked; then phishing data. Before the bulk
   walks the plan is checked against the day's remaining request budget;
4. merge everything into the store in ONE transaction (`store.history.apply_staging`), together with
   the campaign bookmarks and the run's `ok` record.

Any failure (bad token, 5xx after retries, a malformed payload, the budget spent, `kill -9`) leaves the
store's data exactly as it was; the run is recorded `failed` in its own transaction (or `interrupted`
by the next sync, after a kill).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Mapping
from typing import Any

import anyio
import httpx2

from trainproof import clock
from trainproof.client import KnowBe4Client
from trainproof.config import Settings
from trainproof.errors import TrainproofError
from trainproof.store.bookmarks import mark_campaigns_fetched, mark_recipients_fetched, mark_users_fetched
from trainproof.store.db import create_store_engine, ensure_schema, write_transaction
from trainproof.store.failures import database_failure
from trainproof.store.handle import StoreConnection, StoreEngine, reading
from trainproof.store.history import MergeCounts, apply_staging
from trainproof.store.integrity import require_intact
from trainproof.store.lock import StoreLock
from trainproof.store.runs import RunOutcome, fail_run, finish_run, mark_interrupted, start_run
from trainproof.store.staging import Staging
from trainproof.sync.estimate import dry_run_report
from trainproof.sync.fetch import Fetch
from trainproof.sync.report import NoProgress, Progress, SyncReport
from trainproof.sync.state import SyncOptions, read_state, sync_options

__all__ = ["run_sync", "run_sync_async"]

logger = logging.getLogger("trainproof.sync")


# --- public entry points ---------------------------------------------------------------------------


def run_sync(
    settings: Settings,
    *,
    full: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    wait_s: float = 0.0,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> SyncReport:
    """Synchronise the store with KnowBe4 (see the module docstring). Blocking; for async callers
    (the MCP server) use `run_sync_async`. Expected failures raise TrainproofError subclasses."""
    return anyio.run(
        lambda: run_sync_async(
            settings, full=full, dry_run=dry_run, progress=progress, wait_s=wait_s, transport=transport
        )
    )


async def run_sync_async(
    settings: Settings,
    *,
    full: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    wait_s: float = 0.0,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> SyncReport:
    """The async form of `run_sync`. `transport` is for tests that inject faults a server cannot."""
    options = sync_options(settings)
    if dry_run:
        return dry_run_report(settings, options, full=full)
    settings.require_token()
    engine = create_store_engine(settings.database_url, account=settings.account)
    try:
        with StoreLock(engine, wait_s=wait_s):
            _ensure(engine)
            with engine.connect() as conn:
                runner = _Runner(conn, settings, options, full=full, progress=progress or NoProgress())
                return await runner.run(transport)
    finally:
        engine.dispose()


def _ensure(engine: StoreEngine) -> None:
    """The schema is current and the file whole before anything is written (a damaged SQLite file
    would take the sync's writes without a word and fail some later read)."""
    with reading(engine):
        ensure_schema(engine)
        require_intact(engine)


# --- the real run ----------------------------------------------------------------------------------


class _Runner:
    """One sync run on one connection (the staging tables live on it)."""

    def __init__(
        self, conn: StoreConnection, settings: Settings, options: SyncOptions, *, full: bool, progress: Progress
    ) -> None:
        self.conn = conn
        self.settings = settings
        self.options = options
        self.full = full
        self.progress = progress
        self.started = clock.now()
        self.t0 = time.monotonic()
        self.staging = Staging(conn)
        self.fetch: Fetch | None = None
        self.run_id: int | None = None

    async def run(self, transport: httpx2.AsyncBaseTransport | None) -> SyncReport:
        mark_interrupted(self.conn, now=self.started)
        state = read_state(self.conn)
        self.conn.rollback()  # end the read transaction before the run's own small write
        self.run_id = start_run(self.conn, now=self.started, full=self.full)
        try:
            async with KnowBe4Client(self.settings, transport=transport) as client:
                self.fetch = Fetch(
                    client,
                    self.staging,
                    state,
                    self.options,
                    full=self.full,
                    progress=self.progress,
                    started=self.started,
                )
                self.staging.create()
                await self.fetch.walk()
                return self._commit(self.fetch)
        except BaseException as exc:
            self._record_failure(exc)
            failure = database_failure(exc, self.settings.database_url)
            if failure is not None:
                raise failure from None
            raise
        finally:
            with contextlib.suppress(Exception):
                self.staging.drop()

    def _outcome(self, fetch: Fetch, counts: Mapping[str, Any] | None = None) -> RunOutcome:
        client, plan = fetch.client, fetch.plan
        ep = plan.enrollments
        budget_remaining: int | None = None
        with contextlib.suppress(Exception):
            budget_remaining = client.budget.remaining
        return RunOutcome(
            requests=client.stats.requests,
            retries=client.stats.retries,
            request_ids=list(client.stats.request_ids),
            minimum_requests=plan.minimum_requests(),
            planned_requests=plan.estimated_requests,
            strategy=ep.strategy if ep is not None else None,
            counts=counts,
            plan=plan.as_dict(),
            budget_remaining=budget_remaining,
        )

    def _commit(self, fetch: Fetch) -> SyncReport:
        assert self.run_id is not None
        client = fetch.client
        ep = fetch.plan.enrollments
        self.staging.flush()
        with write_transaction(self.conn):
            merged = apply_staging(self.conn, self.staging, now=self.started, run_id=self.run_id)
            self._bookmarks(fetch)
            counts = {name: c.as_dict() for name, c in merged.items() if c.fetched or c.removed}
            finish_run(self.conn, self.run_id, self._outcome(fetch, counts), now=clock.now())
        finished = clock.now()
        enrollments = merged.get("enrollments", MergeCounts()).fetched
        if fetch.future_completions:
            n = fetch.future_completions
            fetch.warnings.append(
                f"{n:,} enrollment{'' if n == 1 else 's'} carr{'ies' if n == 1 else 'y'} a completion date after this "
                f"sync ({self.started.date().isoformat()} {self.started:%H:%M} UTC): stored as received, never "
                "counted before that date; `trainproof check` names them"
            )
        budget_remaining = budget_limit = None
        with contextlib.suppress(Exception):
            budget_remaining, budget_limit = client.budget.remaining, client.budget.limit
        return SyncReport(
            outcome="ok",
            run_id=self.run_id,
            full=self.full,
            plan=fetch.plan,
            started_at=self.started,
            finished_at=finished,
            duration_s=time.monotonic() - self.t0,
            requests=client.stats.requests,
            retries=client.stats.retries,
            users=self.staging.counts.get("users", 0),
            campaigns=len(ep.campaign_ids) if ep is not None and ep.strategy == "campaigns" else 0,
            people=len(ep.user_ids) if ep is not None and ep.strategy == "users" else 0,
            enrollments=enrollments,
            counts=counts,
            budget_remaining=budget_remaining,
            budget_limit=budget_limit,
            request_ids=list(client.stats.request_ids),
            warnings=fetch.warnings,
            future_completions=fetch.future_completions,
        )

    def _bookmarks(self, fetch: Fetch) -> None:
        """What this run fetched completely, so the next plan may skip what cannot have changed."""
        assert self.run_id is not None
        ep = fetch.plan.enrollments
        if ep is not None and ep.strategy == "campaigns":
            counts = {cid: fetch.campaign_counts.get(cid, 0) for cid in ep.campaign_ids}
            mark_campaigns_fetched(self.conn, counts, at=self.started, run_id=self.run_id)
        if ep is not None and ep.strategy == "users":
            mark_users_fetched(self.conn, ep.user_ids, at=self.started)
        mark_recipients_fetched(self.conn, fetch.recipient_counts, at=self.started)

    def _record_failure(self, exc: BaseException) -> None:
        if self.run_id is None:
            return
        if isinstance(exc, TrainproofError):
            message = exc.message
        elif isinstance(exc, KeyboardInterrupt | anyio.get_cancelled_exc_class()):
            message = "interrupted"
        elif (failure := database_failure(exc, self.settings.database_url)) is not None:
            message = failure.message
        else:
            message = f"unexpected {type(exc).__name__}"
        outcome = (
            self._outcome(self.fetch) if self.fetch is not None else RunOutcome(requests=0, retries=0, request_ids=[])
        )
        try:
            fail_run(self.conn, self.run_id, outcome, now=clock.now(), error=message[:2000])
        except Exception:  # the store itself may be what failed; the original error matters more
            # One line for the operator; the traceback only in a debug log (`trainproof --debug`).
            logger.warning("could not record the failed sync run in the store")
            logger.debug("recording the failed sync run failed", exc_info=True)
