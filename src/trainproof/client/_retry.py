"""The only retry policy for the Reporting API.

Retried: 429, 500, 502, 503, 504, timeouts and dropped connections. The wait is exponential with full
jitter (1 s, 2 s, 4 s ... capped at 30 s, each a random 50-100 % of that), or exactly what Retry-After
asks when KnowBe4 sends it (it usually does not). The whole effort is bounded twice: by a number of
attempts and by a time budget (`Limits.retry_attempts`, `Limits.retry_budget_s`); the backoff and the
budget are multiplied by `Limits.time_scale`, like every other window, while Retry-After is taken as the
real seconds HTTP defines it to be (a time-scaled simulator already scales what it sends). When a bound
is reached the caller gets one clear error that names it.

A small loop rather than stamina (or tenacity, on which it is built), which cannot express this policy:
its time bound is tenacity's `stop_after_delay`, which looks only at the time already spent, so it would
sleep a 3,600 s Retry-After with 5 s of budget left instead of stopping *before* the wait; it cannot hand
each attempt what is left of the budget as its deadline; and it does not say which bound stopped it,
which the error must state. The daily request budget needs nothing here: every attempt, a retry included, is
sent through `_limits.DailyBudget`, which refuses before sending once the day's budget is spent.

Each attempt also gets a time allowance for the whole exchange, headers to last byte: a per-read
timeout alone lets an answer that drips a few bytes a second run for ever. The allowance is the
request deadline (`Limits.request_deadline_s`, real seconds like every timeout), and for a retry no
more than what is left of the retry budget, so retries never outlast the budget by a whole attempt.
An answer still incomplete at the deadline is not retried: the same server would drip again.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

import anyio
import httpx2

from trainproof.config import Limits

__all__ = ["RETRY_STATUSES", "Overrun", "RetryPolicy", "Retryable", "parse_retry_after"]

T = TypeVar("T")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
INITIAL_WAIT_S = 1.0
MAX_WAIT_S = 30.0


class Retryable(Exception):
    """One attempt failed in a way worth retrying. Internal: converted to a KnowBe4Error at the end."""

    def __init__(
        self,
        *,
        status_code: int | None = None,
        kind: str = "",
        retry_after: float | None = None,
        request_id: str | None = None,
        deadline: bool = False,
    ) -> None:
        super().__init__(kind or f"HTTP {status_code}")
        self.status_code = status_code
        self.kind = kind or f"HTTP {status_code}"
        self.retry_after = retry_after
        self.request_id = request_id
        self.deadline = deadline
        """True when the request deadline, not a retryable answer, ended the effort."""


class Overrun(Exception):
    """An attempt used up its time allowance before the answer was complete (raised by the attempt)."""


def parse_retry_after(response: httpx2.Response) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date); None when absent or unreadable."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


@dataclass
class RetryPolicy:
    """Attempts, time budget, request deadline and backoff; `sleep`, `now` and `rand` are seams for tests."""

    attempts: int = 8
    budget_s: float = 300.0
    time_scale: float = 1.0
    deadline_s: float = 120.0
    initial_s: float = INITIAL_WAIT_S
    max_wait_s: float = MAX_WAIT_S
    sleep: Callable[[float], Awaitable[None]] = anyio.sleep
    now: Callable[[], float] = time.monotonic
    rand: Callable[[], float] = field(default=random.random)

    @classmethod
    def from_limits(cls, limits: Limits) -> RetryPolicy:
        return cls(
            attempts=max(1, limits.retry_attempts),
            budget_s=limits.retry_budget_s,
            time_scale=limits.time_scale,
            deadline_s=limits.request_deadline_s,
        )

    @property
    def budget(self) -> float:
        return self.budget_s * self.time_scale

    def backoff(self, retry_number: int) -> float:
        """Wait before retry `retry_number` (1-based): exponential with full jitter in [50 %, 100 %]."""
        ceiling = min(self.max_wait_s, self.initial_s * 2 ** (retry_number - 1))
        return ceiling * (0.5 + 0.5 * self.rand()) * self.time_scale

    def bound(self) -> str:
        return f"gave up after {self.attempts} attempts or {self.budget:g} s"

    async def run(
        self,
        attempt: Callable[[float], Awaitable[T]],
        on_retry: Callable[[Retryable, float], None] = lambda _failure, _wait: None,
    ) -> tuple[T, None] | tuple[None, tuple[Retryable, str]]:
        """Run `attempt(allowed_s)` until it returns or a bound is reached.

        `attempt` gets the seconds its exchange may take and raises Overrun when they ran out.
        Returns (result, None) on success, or (None, (last failure, why we stopped)) so the caller can
        build the one error message, with the bound in it.
        """
        start = self.now()
        number = 0
        last: Retryable | None = None
        while True:
            number += 1
            left = self.budget - (self.now() - start)
            allowed = self.deadline_s if number == 1 else max(0.0, min(self.deadline_s, left))
            try:
                return await attempt(allowed), None
            except Retryable as failure:
                last = failure
            except Overrun:
                elapsed = self.now() - start
                tries = f"{number} attempt{'' if number == 1 else 's'} in {elapsed:.1f} s"
                if allowed < self.deadline_s and last is not None:
                    spent = f"the retry budget of {self.budget:g} s ran out during the last attempt"
                    return None, (last, f"{tries}; {spent}")
                kind = f"the request deadline of {self.deadline_s:g} s"
                return None, (Retryable(kind=kind, deadline=True), f"{tries}; not retried")
            elapsed = self.now() - start
            tries = f"{number} attempt{'' if number == 1 else 's'} in {elapsed:.1f} s"
            if number >= self.attempts:
                return None, (last, f"{tries}; limit {self.attempts} attempts")
            wait = last.retry_after if last.retry_after is not None else self.backoff(number)
            if elapsed + wait > self.budget:
                asked = " asked by Retry-After" if last.retry_after is not None else ""
                return None, (
                    last,
                    f"{tries}; the next wait of {wait:.1f} s{asked} would pass the retry budget of {self.budget:g} s",
                )
            on_retry(last, wait)
            await self.sleep(wait)
