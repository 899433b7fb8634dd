"""One sync job per account, as `trainproof enqueue` and the nightly task defer them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from procrastinate import App
from procrastinate.exceptions import AlreadyEnqueued

from trainproof.workers.queue import NIGHTLY_TASK, SYNC_TASK, sync_lock

__all__ = ["Deferred", "defer_every_account", "defer_nightly", "defer_syncs"]


@dataclass(frozen=True)
class Deferred:
    """An account's job: its id, or None when one was already waiting (the queueing lock held)."""

    account: str
    job_id: int | None

    def line(self) -> str:
        if self.job_id is None:
            return f"{self.account}: already queued (one sync of an account waits at a time)"
        return f"{self.account}: queued (job {self.job_id})"


async def defer_syncs(app: App, accounts: Sequence[str], *, full: bool = False) -> list[Deferred]:
    """Defer a sync of each account; an account whose sync already waits keeps that one job."""
    deferred: list[Deferred] = []
    for account in accounts:
        lock, queueing_lock = sync_lock(account)
        try:
            deferrer = app.configure_task(SYNC_TASK, allow_unknown=False, lock=lock, queueing_lock=queueing_lock)
            job_id = await deferrer.defer_async(account=account, full=full)
        except AlreadyEnqueued:
            deferred.append(Deferred(account, None))
        else:
            deferred.append(Deferred(account, job_id))
    return deferred


async def defer_every_account(app: App, config: Path | None) -> list[Deferred]:
    """The nightly fan-out: every account of the configuration, read now (accounts added since count)."""
    from trainproof.accounts import load_accounts

    return await defer_syncs(app, load_accounts(config).names)


async def defer_nightly(app: App) -> int | None:
    """Run the nightly fan-out now (`trainproof enqueue nightly`); None when one already waits."""
    import time

    try:
        return await app.configure_task(NIGHTLY_TASK, allow_unknown=False).defer_async(timestamp=int(time.time()))
    except AlreadyEnqueued:
        return None
