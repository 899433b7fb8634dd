"""The procrastinate App of trainproof's workers: its three tasks, their locks and their retry rule.

- `trainproof.sync_account(account, full)`: one account's sync and the keeping of what it earned, as
  `trainproof --account NAME sync` does. Deferred with lock `account:NAME` (never two at once) and
  queueing lock `sync:NAME` (never two waiting). A job carries the account's name only: each worker
  reads the account's token and settings from its own configuration, so no secret is ever queued.
- `trainproof.nightly`: periodic (cron, 02:15 UTC by default), defers one sync per configured account.
- `trainproof.recover_stalled`: periodic, puts back in the queue the jobs of a worker that stopped
  sending heartbeats (killed, its machine gone), so a `kill -9` never loses an account's sync.

The sync runs in a thread of its own (its own event loop): it does blocking store work (staging, the
merge, judging), and the worker's loop must keep sending heartbeats meanwhile, or a busy worker would
look stalled and its job be run twice.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import anyio
from procrastinate import App, PsycopgConnector
from procrastinate.exceptions import ProcrastinateException

from trainproof.errors import TrainproofError
from trainproof.workers.conninfo import queue_conninfo
from trainproof.workers.retry import SyncRetry

__all__ = ["NIGHTLY_TASK", "QUEUE", "RECOVER_TASK", "SYNC_TASK", "QueueOptions", "build_app", "sync_lock"]

logger = logging.getLogger("trainproof.workers")

QUEUE = "trainproof"
SYNC_TASK = "trainproof.sync_account"
NIGHTLY_TASK = "trainproof.nightly"
RECOVER_TASK = "trainproof.recover_stalled"


@dataclass(frozen=True)
class QueueOptions:
    """How the tasks behave; the defaults are for production, tests shorten the waits."""

    config: Path | None = None
    """The trainproof.toml the worker reads accounts from (None: TRAINPROOF_CONFIG or ./trainproof.toml)."""
    nightly_cron: str = "15 2 * * *"
    stalled_after_s: float = 30.0
    """A worker silent this long is presumed dead (it sends a heartbeat every third of it)."""
    retry_attempts: int = 5
    retry_base_s: float = 60.0

    @property
    def heartbeat_s(self) -> float:
        return max(0.2, self.stalled_after_s / 3)

    @property
    def recover_cron(self) -> str:
        """Every half of `stalled_after_s`, 1 to 60 s (cron's sixth field is seconds)."""
        step = int(min(60, max(1, self.stalled_after_s // 2)))
        return "* * * * *" if step >= 60 else f"* * * * * */{step}"


def sync_lock(account: str) -> tuple[str, str]:
    """(lock, queueing lock) of an account's sync job."""
    return f"account:{account}", f"sync:{account}"


def build_app(database_url: str, options: QueueOptions) -> App:
    """The App on the store's PostgreSQL database, with the tasks registered (not yet opened)."""
    app = App(connector=PsycopgConnector(conninfo=queue_conninfo(database_url)))

    @app.task(
        name=SYNC_TASK,
        queue=QUEUE,
        retry=SyncRetry(max_attempts=options.retry_attempts, base_s=options.retry_base_s),
    )
    async def sync_account(account: str, full: bool = False) -> None:  # pyright: ignore[reportUnusedFunction]
        t0 = time.monotonic()
        try:
            line = await anyio.to_thread.run_sync(lambda: _sync_blocking(options.config, account, full))
        except TrainproofError as exc:
            logger.warning("%s: failed after %.1f s: %s", account, time.monotonic() - t0, exc.message)
            raise
        logger.info("%s", line)

    @app.periodic(cron=options.nightly_cron, periodic_id="nightly")
    @app.task(name=NIGHTLY_TASK, queue=QUEUE, queueing_lock="nightly")
    async def nightly(timestamp: int) -> None:  # pyright: ignore[reportUnusedFunction]
        from trainproof.workers.deferring import defer_every_account

        deferred = await defer_every_account(app, options.config)
        queued = sum(1 for d in deferred if d.job_id is not None)
        logger.info("nightly: %d account sync(s) queued, %d already waiting", queued, len(deferred) - queued)

    @app.periodic(cron=options.recover_cron, periodic_id="recover")
    @app.task(name=RECOVER_TASK, queue=QUEUE, queueing_lock="recover_stalled")
    async def recover_stalled(timestamp: int) -> None:  # pyright: ignore[reportUnusedFunction]
        stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=options.stalled_after_s)
        for job in stalled:
            try:
                await app.job_manager.retry_job(job)
            except ProcrastinateException:  # another worker put it back first
                continue
            logger.warning("job %s (%s) of a stalled worker put back in the queue", job.id, job.task_name)

    return app


def _sync_blocking(config: Path | None, account: str, full: bool) -> str:
    """One account's sync and keeping of compliance, in this thread's own event loop; its summary line."""
    from trainproof.accounts import load_accounts
    from trainproof.judging import keep_after_sync
    from trainproof.sync import run_sync
    from trainproof.text import terminal_text

    settings = load_accounts(config).get(account).settings
    report = run_sync(settings, full=full)
    _, kept, problem = keep_after_sync(settings, actor="trainproof worker")
    extra = f"; kept {kept} newly earned compliance record(s)" if kept else ""
    warning = f"; warning: {problem}" if problem else ""
    return terminal_text(f"{account}: {report.summary()}{extra}{warning}")
