"""Sync many KnowBe4 accounts at once, in one process: `trainproof sync --all`.

Why one event loop: a sync spends nearly all its time waiting on KnowBe4's limits (4 requests a second,
50 a minute, per API key), so accounts interleave in one loop and the wall time approaches the slowest
account's, not the sum. Each account runs `run_sync_async` with its own Settings, hence its own client,
rate limiter (the client keeps one per host and token), daily budget (in the account's state folder)
and per-run counters (`ClientStats`, reported per account).

Isolation: an account's failure (a 401, a 429 storm that outlasts the retry budget, an outage, a
malformed payload) is caught at that account's task and becomes one line of the summary; it never
cancels the others, and its retries wait on its own limiter only.

Store writes are serialised, not staged elsewhere: while fetching, each account writes only the
temporary staging tables of its own connection (`store.staging`), which no other connection sees; its
one merge transaction, and the keeping of newly earned compliance after it, run synchronously on the
loop's thread, so two accounts never write the store's tables at the same moment (SQLite takes one
writer at a time anyway, and a second would only wait on its busy timeout).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio

from trainproof.config import Settings
from trainproof.errors import TrainproofError
from trainproof.sync.engine import run_sync_async
from trainproof.sync.report import SyncReport
from trainproof.text import terminal_text

__all__ = ["AccountOutcome", "ManyReport", "failure_text", "keep_compliance", "sync_accounts", "sync_accounts_async"]

DEFAULT_CONCURRENCY = 32
"""Accounts synced at once. Each holds a store connection and an HTTP client; 32 keeps both modest while
any realistic account is paced by KnowBe4's limits, not by this number."""

AfterSync = Callable[[Settings, SyncReport], Awaitable[tuple[int, str | None]]]
"""What runs after an account's successful sync: (records kept, warning)."""


async def keep_compliance(settings: Settings, report: SyncReport) -> tuple[int, str | None]:
    """Judge the account and keep what it newly earned, as `trainproof sync` does for one account.

    Synchronous on purpose (see the module docstring: store writes never overlap)."""
    from trainproof.judging import keep_after_sync

    _, kept, problem = keep_after_sync(settings)
    return kept, problem


@dataclass(frozen=True)
class AccountOutcome:
    """One account's result: its report, or the one-line reason it failed."""

    account: str
    duration_s: float
    report: SyncReport | None = None
    error: str | None = None
    kept: int = 0
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.report is not None

    def line(self) -> str:
        """`acme: synced ...` or `acme: failed: ...`, terminal-safe."""
        if self.report is not None:
            return terminal_text(f"{self.account}: {self.report.summary()}")
        return terminal_text(f"{self.account}: failed: {self.error}")

    def as_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "outcome": "ok" if self.ok else "failed",
            "error": self.error,
            "duration_s": round(self.duration_s, 3),
            "kept_sticky": self.kept,
            "warnings": list(self.warnings),
            "report": self.report.as_dict() if self.report is not None else None,
        }


@dataclass(frozen=True)
class ManyReport:
    """Every account's outcome, in the configuration's order, and the wall time of them all."""

    outcomes: tuple[AccountOutcome, ...]
    duration_s: float
    concurrency: int
    by_account: dict[str, AccountOutcome] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_account", {o.account: o for o in self.outcomes})

    @property
    def failed(self) -> list[AccountOutcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def requests(self) -> int:
        return sum(o.report.requests for o in self.outcomes if o.report is not None)

    @property
    def minimum_requests(self) -> int:
        return sum(o.report.minimum_requests for o in self.outcomes if o.report is not None)

    def summary(self) -> str:
        """One line for the whole run: how many synced, how many failed, requests and wall time."""
        n, bad = len(self.outcomes), len(self.failed)
        text = (
            f"{n - bad} of {n} account{'' if n == 1 else 's'} synced with {self.requests:,} requests "
            f"(minimum {self.minimum_requests:,}) in {self.duration_s:.1f} s"
        )
        if bad:
            text += f"; {bad} failed: " + ", ".join(o.account for o in self.failed)
        return terminal_text(text)

    def as_dict(self) -> dict[str, Any]:
        return {
            "accounts": [o.as_dict() for o in self.outcomes],
            "synced": len(self.outcomes) - len(self.failed),
            "failed": [o.account for o in self.failed],
            "requests": self.requests,
            "minimum_requests": self.minimum_requests,
            "duration_s": round(self.duration_s, 3),
            "concurrency": self.concurrency,
            "summary": self.summary(),
        }


def failure_text(exc: BaseException) -> str:
    """Why an account's sync failed, in one line without a traceback (never the token: see errors.py)."""
    if isinstance(exc, TrainproofError):
        return exc.message
    return f"unexpected {type(exc).__name__} (run the account alone with --debug for the traceback)"


async def sync_accounts_async(
    accounts: Sequence[Settings],
    *,
    full: bool = False,
    concurrency: int = DEFAULT_CONCURRENCY,
    after: AfterSync | None = keep_compliance,
) -> ManyReport:
    """Sync every account, at most `concurrency` at once; failures are reported per account, never raised."""
    limit = max(1, min(concurrency, len(accounts) or 1))
    slots = anyio.Semaphore(limit)
    outcomes: dict[str, AccountOutcome] = {}
    t0 = time.monotonic()

    async def one(settings: Settings) -> None:
        async with slots:
            outcomes[settings.account] = await _sync_one(settings, full=full, after=after)

    async with anyio.create_task_group() as group:
        for settings in accounts:
            group.start_soon(one, settings, name=f"sync {settings.account}")
    ordered = tuple(outcomes[s.account] for s in accounts)
    return ManyReport(ordered, time.monotonic() - t0, limit)


def sync_accounts(
    accounts: Sequence[Settings],
    *,
    full: bool = False,
    concurrency: int = DEFAULT_CONCURRENCY,
    after: AfterSync | None = keep_compliance,
) -> ManyReport:
    """Blocking form of `sync_accounts_async`."""
    return anyio.run(lambda: sync_accounts_async(accounts, full=full, concurrency=concurrency, after=after))


async def _sync_one(settings: Settings, *, full: bool, after: AfterSync | None) -> AccountOutcome:
    t0 = time.monotonic()
    try:
        report = await run_sync_async(settings, full=full)
    except Exception as exc:  # one account's failure is its own line, never the others' end
        return AccountOutcome(settings.account, time.monotonic() - t0, error=failure_text(exc))
    kept, warnings = 0, list(report.warnings)
    if after is not None:
        try:
            kept, problem = await after(settings, report)
        except Exception as exc:  # the data is stored; keeping compliance failed: a warning of this account
            problem = f"compliance not kept: {failure_text(exc)}"
        if problem:
            warnings.append(problem)
    duration = time.monotonic() - t0
    return AccountOutcome(settings.account, duration, report=report, kept=kept, warnings=tuple(warnings))
