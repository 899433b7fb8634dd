"""The retry policy: what is retried, how long it waits, and the bound it states."""

from __future__ import annotations

import httpx2
import pytest

from trainproof.client import RetryPolicy
from trainproof.client._retry import Overrun, Retryable, parse_retry_after


class Recorder:
    def __init__(self) -> None:
        self.waits: list[float] = []
        self.t = 0.0

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.t += seconds

    def now(self) -> float:
        return self.t


def policy(rec: Recorder, **kw: float) -> RetryPolicy:
    return RetryPolicy(
        attempts=int(kw.get("attempts", 8)),
        budget_s=kw.get("budget_s", 300.0),
        time_scale=kw.get("time_scale", 1.0),
        sleep=rec.sleep,
        now=rec.now,
        rand=lambda: 1.0,
    )


def failing(times: int, **kw: object):
    calls = {"n": 0}

    async def attempt(_allowed_s: float) -> str:
        calls["n"] += 1
        if calls["n"] <= times:
            raise Retryable(**kw)  # type: ignore[arg-type]
        return "ok"

    return attempt, calls


@pytest.mark.anyio
async def test_three_429s_then_success_with_exponential_backoff() -> None:
    rec = Recorder()
    attempt, calls = failing(3, status_code=429)
    result, failure = await policy(rec).run(attempt)
    assert (result, failure) == ("ok", None)
    assert calls["n"] == 4
    assert rec.waits == [1.0, 2.0, 4.0]


@pytest.mark.anyio
async def test_retry_after_is_honoured_in_real_seconds() -> None:
    rec = Recorder()
    attempt, _ = failing(2, status_code=503, retry_after=7.0)
    await policy(rec, time_scale=0.5).run(attempt)
    assert rec.waits == [7.0, 7.0]


@pytest.mark.anyio
async def test_attempt_bound_is_stated() -> None:
    rec = Recorder()
    attempt, calls = failing(99, status_code=500)
    result, failure = await policy(rec, attempts=3).run(attempt)
    assert result is None
    assert failure is not None
    assert calls["n"] == 3
    assert "limit 3 attempts" in failure[1]


@pytest.mark.anyio
async def test_time_budget_checked_before_a_long_retry_after() -> None:
    rec = Recorder()
    attempt, calls = failing(99, status_code=429, retry_after=3600.0)
    _, failure = await policy(rec, budget_s=300).run(attempt)
    assert calls["n"] == 1
    assert rec.waits == []
    assert failure is not None
    assert "Retry-After would pass the retry budget of 300 s" in failure[1]


@pytest.mark.anyio
async def test_an_answer_past_the_request_deadline_is_not_retried() -> None:
    rec = Recorder()
    allowed: list[float] = []

    async def attempt(allowed_s: float) -> str:
        allowed.append(allowed_s)
        rec.t += allowed_s
        raise Overrun

    p = policy(rec)
    p.deadline_s = 120.0
    result, failure = await p.run(attempt)
    assert result is None
    assert failure is not None
    assert allowed == [120.0]
    assert failure[0].deadline
    assert failure[0].kind == "the request deadline of 120 s"
    assert failure[1] == "1 attempt in 120.0 s; not retried"


@pytest.mark.anyio
async def test_a_retry_gets_no_more_time_than_the_retry_budget_has_left() -> None:
    rec = Recorder()
    allowed: list[float] = []

    async def attempt(allowed_s: float) -> str:
        allowed.append(allowed_s)
        if len(allowed) == 1:
            rec.t += 9.0
            raise Retryable(kind="no answer within 9 s (timeout)")
        rec.t += allowed_s
        raise Overrun

    p = policy(rec, budget_s=12.0)
    p.deadline_s = 120.0
    _, failure = await p.run(attempt)
    assert allowed == [120.0, 2.0]  # 12 s budget - 9 s - the 1 s backoff
    assert failure is not None
    assert failure[0].kind == "no answer within 9 s (timeout)"
    assert failure[1] == "2 attempts in 12.0 s; the retry budget of 12 s ran out during the last attempt"
    assert rec.t <= 12.0


def test_jitter_stays_between_half_and_full_backoff() -> None:
    low = RetryPolicy(rand=lambda: 0.0)
    high = RetryPolicy(rand=lambda: 1.0)
    assert [low.backoff(n) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert [high.backoff(n) for n in (1, 6, 7)] == [1.0, 30.0, 30.0]


@pytest.mark.parametrize(
    ("header", "expected"), [("3", 3.0), ("0.25", 0.25), ("-1", 0.0), ("soon", None), (None, None)]
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    headers = {"Retry-After": header} if header is not None else {}
    assert parse_retry_after(httpx2.Response(429, headers=headers)) == expected


def test_parse_retry_after_http_date_in_the_past_is_zero() -> None:
    r = httpx2.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert parse_retry_after(r) == 0.0
