"""The account sync job's retry rule: backoff that doubles, and no retry of what only a person can fix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from procrastinate.jobs import Job

from trainproof.client import AuthError, QuotaExhausted, ServerError
from trainproof.errors import ConfigError
from trainproof.workers.retry import SyncRetry, backoff_s


def job(attempts: int) -> Job:
    return Job(id=1, queue="trainproof", lock="account:a", queueing_lock="sync:a", task_name="t", attempts=attempts)


def test_transient_failures_are_retried_later_each_time() -> None:
    rule = SyncRetry(max_attempts=4, base_s=60)
    waits: list[float] = []
    for attempts in range(3):
        before = datetime.now(UTC)
        decision = rule.get_retry_decision(exception=ServerError("KnowBe4 answered 503"), job=job(attempts))
        assert decision is not None
        assert decision.retry_at is not None
        waits.append((decision.retry_at - before).total_seconds())
    assert waits == pytest.approx([60, 120, 240], abs=1)
    assert rule.get_retry_decision(exception=ServerError("503"), job=job(3)) is None  # the fourth run was the last


@pytest.mark.parametrize(
    "error",
    [
        AuthError("KnowBe4 rejected the token"),
        ConfigError("no account 'acme'"),
        QuotaExhausted("the daily KnowBe4 request budget is spent"),
    ],
)
def test_what_the_same_try_would_meet_again_is_not_retried(error: Exception) -> None:
    assert SyncRetry(max_attempts=5, base_s=60).get_retry_decision(exception=error, job=job(0)) is None


def test_backoff_is_capped() -> None:
    assert backoff_s(0, 10) == 10
    assert backoff_s(20, 10) == timedelta(seconds=640).total_seconds()
