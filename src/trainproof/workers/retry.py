"""When a failed account sync is tried again: with backoff, and never for what only a person can fix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from procrastinate import BaseRetryStrategy, RetryDecision
from procrastinate.jobs import Job

from trainproof.client import AuthError, ForbiddenError, QuotaExhausted
from trainproof.errors import ConfigError

__all__ = ["PERMANENT", "SyncRetry", "backoff_s"]

PERMANENT: tuple[type[Exception], ...] = (AuthError, ForbiddenError, ConfigError, QuotaExhausted)
"""A rejected token, a missing Reporting API entitlement, a wrong configuration: the same error every try.
A spent daily budget returns at 00:00 UTC, when the nightly task defers the account again."""


def backoff_s(attempts: int, base_s: float) -> float:
    """base, 2 x base, 4 x base, ... after the first, second, third failure (capped at 64 x base)."""
    return base_s * 2 ** min(attempts, 6)


class SyncRetry(BaseRetryStrategy):
    """At most `max_attempts` runs of a job, waiting `backoff_s` between them; PERMANENT errors end it."""

    def __init__(self, *, max_attempts: int, base_s: float) -> None:
        self.max_attempts = max(1, max_attempts)
        self.base_s = base_s

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if isinstance(exception, PERMANENT) or job.attempts + 1 >= self.max_attempts:
            return None
        # The queue runs on the wall clock (never TRAINPROOF_NOW, which may freeze the store's "now").
        return RetryDecision(retry_at=datetime.now(UTC) + timedelta(seconds=backoff_s(job.attempts, self.base_s)))
