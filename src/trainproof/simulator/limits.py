"""KnowBe4's published request limits, enforced the way the reference reads them (§5).

- 4 requests per second (sliding one-second window);
- 50 requests per minute (sliding window); the 51st starts a lockout of about five minutes in which every
  request gets 429 (afterwards the windows start empty);
- 2,000 + number_of_seats requests per day, in a window that opens at the first request and lasts 24 hours.

Only accepted requests count (a 429 does not use up quota). `time_scale` multiplies every duration, so
0.01 turns a minute into 0.6 s and the lockout into 3 s. The 429 body is `{"message": ...}`; KnowBe4 sends
no Retry-After, so none is sent unless `retry_after=True` (then whole seconds, at least 1).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["RateLimiter", "RateLimits", "Rejection"]


@dataclass(frozen=True)
class RateLimits:
    """The limits, in requests and (unscaled) seconds."""

    per_second: int = 4
    per_minute: int = 50
    lockout_s: float = 300.0
    daily_base: int = 2000
    day_s: float = 86_400.0


@dataclass(frozen=True)
class Rejection:
    """Why a request got 429, and when it would have been accepted."""

    reason: str  # "per_second", "burst", "lockout" or "daily"
    message: str
    wait_s: float

    def retry_after(self) -> str:
        return str(max(1, math.ceil(self.wait_s)))


class RateLimiter:
    """Decides 429 or not for each request; thread-safe (Python tests reset it while the server runs)."""

    def __init__(
        self,
        limits: RateLimits | None = None,
        *,
        time_scale: float = 1.0,
        seats: Callable[[], int] = lambda: 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.limits = limits or RateLimits()
        self.time_scale = time_scale
        self._seats = seats
        self._clock = clock
        self._lock = threading.Lock()
        self._second: deque[float] = deque()
        self._minute: deque[float] = deque()
        self._locked_until = -math.inf
        self._day_start: float | None = None
        self._day_count = 0

    def reset(self) -> None:
        """Forget every window and lockout (a fresh day)."""
        with self._lock:
            self._second.clear()
            self._minute.clear()
            self._locked_until = -math.inf
            self._day_start = None
            self._day_count = 0

    def daily_quota(self) -> int:
        return self.limits.daily_base + self._seats()

    def check(self) -> Rejection | None:
        """Count the request and return None, or return why it is refused (not counted)."""
        lim = self.limits
        scale = self.time_scale
        with self._lock:
            now = self._clock()
            if now < self._locked_until:
                return Rejection(
                    "lockout",
                    f"API burst limit exceeded ({lim.per_minute} requests per minute): locked out for about "
                    f"{round(lim.lockout_s / 60)} minutes",
                    self._locked_until - now,
                )
            if self._day_start is None or now >= self._day_start + lim.day_s * scale:
                self._day_start = now
                self._day_count = 0
            quota = self.daily_quota()
            if self._day_count >= quota:
                return Rejection(
                    "daily",
                    f"API daily limit of {quota} requests exceeded; it resets about 24 hours after the first request",
                    self._day_start + lim.day_s * scale - now,
                )
            second, minute = self._second, self._minute
            while second and second[0] <= now - scale:
                second.popleft()
            while minute and minute[0] <= now - 60 * scale:
                minute.popleft()
            if len(second) >= lim.per_second:
                return Rejection(
                    "per_second",
                    f"API rate limit exceeded: at most {lim.per_second} requests per second",
                    second[0] + scale - now,
                )
            if len(minute) >= lim.per_minute:
                self._locked_until = now + lim.lockout_s * scale
                minute.clear()  # after the lockout the client starts afresh
                second.clear()
                return Rejection(
                    "burst",
                    f"API burst limit exceeded ({lim.per_minute} requests per minute): locked out for about "
                    f"{round(lim.lockout_s / 60)} minutes",
                    lim.lockout_s * scale,
                )
            second.append(now)
            minute.append(now)
            self._day_count += 1
            return None

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            now = self._clock()
            return {
                "daily_quota": self.daily_quota(),
                "daily_used": self._day_count,
                "locked_out_for_s": max(0.0, self._locked_until - now),
                "time_scale": self.time_scale,
            }
