"""The only rate limiter and the only daily budget for the Reporting API.

KnowBe4 allows 4 requests per second, 50 per minute (a burst breach locks the key out for about five
minutes) and 2,000 + licensed seats per day. The client stays under all three:

- `RateLimiter` keeps every sliding window: a request holds a slot until its answer arrived plus the
  window, so latency cannot bunch requests together at the server. One instance is shared by every
  task, event loop and thread in the process; `shared_limiter()` keeps one per base URL and token, since
  KnowBe4 counts each API key on its own (accounts synced side by side never slow each other). Every
  window is multiplied by `Limits.time_scale`.
- `DailyBudget` counts requests per UTC day in `state_dir/api-usage.json`, keyed by base URL, token
  fingerprint and day (never the token), under a file lock so two processes the same day agree. A
  request that would exceed the budget raises QuotaExhausted before anything is sent.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import anyio

from trainproof import clock
from trainproof.client._errors import QuotaExhausted
from trainproof.config import Limits
from trainproof.files import write_private

__all__ = ["DailyBudget", "RateLimiter", "Slot", "shared_limiter"]

SAFETY = 0.05
"""Every window is stretched by 5 %, for clock differences between us and KnowBe4's edge servers."""


class Slot:
    """One request's hold on the limiter: from the moment it may be sent until its answer arrived."""

    __slots__ = ("end", "start")

    def __init__(self, start: float) -> None:
        self.start = start
        self.end: float | None = None


class RateLimiter:
    """At most `count` requests in any `seconds`-long window, for each window, whatever the latency.

    A request holds its slot from when it may be sent until its answer arrived, plus the window. The
    server sees the request somewhere in between, so a new request is only let through when fewer than
    `count` others could still fall in the server's window with it: slow connections, event-loop lag and
    bunched arrivals cannot squeeze one request too many in. The state lives under a thread lock and the
    waiting happens outside it, so one instance serves every task, event loop and thread.
    """

    def __init__(self, windows: list[tuple[int, float]], *, now: Callable[[], float] = time.monotonic) -> None:
        self.windows = [(max(1, n), w) for n, w in windows]
        self._now = now
        self._lock = threading.Lock()
        self._slots: list[Slot] = []
        self._horizon = max((w for _, w in self.windows), default=0.0)

    @classmethod
    def from_limits(cls, limits: Limits) -> RateLimiter:
        """4/s and 50/min by default; fractional rates become one request per 1/rate seconds."""
        windows: list[tuple[int, float]] = []
        for rate, unit in ((limits.per_second, 1.0), (limits.per_minute, 60.0)):
            count = max(1, math.floor(rate))
            windows.append((count, count / rate * unit * limits.time_scale * (1 + SAFETY)))
        return cls(windows)

    def try_acquire(self) -> tuple[Slot | None, float]:
        """A slot now, or (None, the shortest time after which one may be free)."""
        with self._lock:
            now = self._now()
            self._slots = [s for s in self._slots if s.end is None or s.end + self._horizon > now]
            wait = 0.0
            for count, seconds in self.windows:
                holding = [s for s in self._slots if s.end is None or s.end + seconds > now]
                if len(holding) < count:
                    continue
                needed = len(holding) - count + 1
                known = sorted(s.end + seconds for s in holding if s.end is not None)
                # A request still in flight frees its place no sooner than a full window from now.
                wait = max(wait, known[needed - 1] - now if len(known) >= needed else seconds)
            if wait > 0:
                return None, wait
            slot = Slot(now)
            self._slots.append(slot)
            return slot, 0.0

    def release(self, slot: Slot) -> None:
        """The answer arrived (or the attempt failed): the slot's window starts counting down now."""
        with self._lock:
            slot.end = self._now()

    @contextlib.asynccontextmanager
    async def hold(self) -> AsyncGenerator[None]:
        """Wait for a slot, hold it for the block, release it on exit."""
        while True:
            slot, wait = self.try_acquire()
            if slot is not None:
                break
            await anyio.sleep(wait)
        try:
            yield
        finally:
            self.release(slot)


_SHARED: dict[tuple[str, float, float, float], RateLimiter] = {}
_SHARED_LOCK = threading.Lock()


def shared_limiter(base_url: str, limits: Limits, token_fingerprint: str = "") -> RateLimiter:
    """The process-wide limiter for one KnowBe4 host and token (and one pacing configuration).

    KnowBe4's limits are per API key: two accounts of one region share the host, never the limiter.
    """
    key = (f"{base_url.rstrip('/')} {token_fingerprint}", limits.per_second, limits.per_minute, limits.time_scale)
    with _SHARED_LOCK:
        limiter = _SHARED.get(key)
        if limiter is None:
            limiter = _SHARED[key] = RateLimiter.from_limits(limits)
        return limiter


@contextlib.contextmanager
def _locked(path: Path) -> Generator[None]:
    """An exclusive advisory lock on `path` (flock on POSIX, msvcrt on Windows)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # the state dir: nobody else may plant files
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType]
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


class DailyBudget:
    """Requests sent today (UTC) against `daily_base + seats`, shared by every process on this machine."""

    FILE = "api-usage.json"

    def __init__(self, state_dir: Path, base_url: str, fingerprint: str, daily_base: int, seats: int | None = None):
        self.path = Path(state_dir) / self.FILE
        self._lock_path = Path(state_dir) / (self.FILE + ".lock")
        self.account_key = f"{base_url.rstrip('/')} {fingerprint}"
        self.daily_base = daily_base
        self._seats = seats

    # -- file access (always under the lock) --------------------------------------------------
    def _read(self) -> dict[str, Any]:
        try:
            with self.path.open(encoding="utf-8") as fh:
                data = json.load(fh)
        except (FileNotFoundError, ValueError):
            return {"days": {}, "seats": {}}
        if not isinstance(data, dict):
            return {"days": {}, "seats": {}}
        state = cast(dict[str, Any], data)
        state.setdefault("days", {})
        state.setdefault("seats", {})
        return state

    def _write(self, state: dict[str, Any]) -> None:
        text = json.dumps(state, indent=1, sort_keys=True)
        write_private(self.path, text, todo="set TRAINPROOF_STATE_DIR to a folder this user can write")

    def _day_key(self) -> str:
        return f"{self.account_key} {clock.now().date().isoformat()}"

    def _prune(self, state: dict[str, Any]) -> None:
        oldest = (clock.now().date() - timedelta(days=2)).isoformat()
        days = cast(dict[str, int], state["days"])
        for key in [k for k in days if k.rsplit(" ", 1)[-1] < oldest]:
            del days[key]

    def _limit_in(self, state: dict[str, Any]) -> int:
        seats = self._seats
        if seats is None:
            stored = cast(dict[str, Any], state["seats"]).get(self.account_key)
            seats = stored if isinstance(stored, int) else None
        return self.daily_base + (seats or 0)

    def _snapshot(self) -> tuple[int, int]:
        with _locked(self._lock_path):
            state = self._read()
        used = cast(dict[str, int], state["days"]).get(self._day_key(), 0)
        return used, self._limit_in(state)

    # -- public --------------------------------------------------------------------------------
    @property
    def seats(self) -> int | None:
        """Licensed seats as last learned from /v1/account (None until then: the budget is the base only)."""
        if self._seats is not None:
            return self._seats
        with _locked(self._lock_path):
            stored = cast(dict[str, Any], self._read()["seats"]).get(self.account_key)
        return stored if isinstance(stored, int) else None

    def set_seats(self, seats: int) -> None:
        """Record the seat count (from /v1/account) so this and later processes get the full budget."""
        self._seats = seats
        with _locked(self._lock_path):
            state = self._read()
            seats_map = cast(dict[str, Any], state["seats"])
            if seats_map.get(self.account_key) != seats:
                seats_map[self.account_key] = seats
                self._write(state)

    @property
    def limit(self) -> int:
        return self._snapshot()[1]

    @property
    def used(self) -> int:
        """Requests sent today by every process using this host and token."""
        return self._snapshot()[0]

    @property
    def remaining(self) -> int:
        used, limit = self._snapshot()
        return max(0, limit - used)

    def spend(self, n: int = 1) -> int:
        """Count `n` requests about to be sent; QuotaExhausted (nothing counted) when they would not fit."""
        with _locked(self._lock_path):
            state = self._read()
            self._prune(state)
            key = self._day_key()
            days = cast(dict[str, int], state["days"])
            used = days.get(key, 0)
            limit = self._limit_in(state)
            if used + n > limit:
                raise QuotaExhausted(
                    f"the daily KnowBe4 request budget is spent ({used:,} of {limit:,} requests used today, UTC)",
                    "it resets at 00:00 UTC: run again then (KnowBe4 allows 2,000 + licensed seats a day; "
                    "[knowbe4.limits] daily_base sets the base)",
                )
            days[key] = used + n
            self._write(state)
            return limit - used - n

    def describe(self) -> str:
        """'2,019 of 2,050 requests left today'."""
        used, limit = self._snapshot()
        return f"{max(0, limit - used):,} of {limit:,} requests left today"
