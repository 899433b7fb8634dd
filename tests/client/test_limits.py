"""The shared rate limiter (sliding windows) and the persisted daily budget."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import anyio
import pytest

from trainproof.client import DailyBudget, QuotaExhausted, RateLimiter
from trainproof.client._limits import SAFETY, shared_limiter
from trainproof.config import Limits


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_a_burst_of_four_then_a_full_window_after_the_answers() -> None:
    clock = FakeClock()
    limiter = RateLimiter([(4, 1.0), (50, 60.0)], now=clock)
    slots = [limiter.try_acquire()[0] for _ in range(4)]
    assert all(s is not None for s in slots)
    blocked, wait = limiter.try_acquire()
    assert blocked is None
    assert wait == pytest.approx(1.0)  # still in flight: no sooner than a full window
    clock.t += 0.3
    for s in slots:
        assert s is not None
        limiter.release(s)  # answers arrive 0.3 s after sending
    clock.t += 0.5
    assert limiter.try_acquire() == (None, pytest.approx(0.5))  # free one window after the answer
    clock.t += 0.5
    assert limiter.try_acquire()[0] is not None


def test_slow_answers_keep_their_slot() -> None:
    """However late a request reaches the server, no fifth request can share its window."""
    clock = FakeClock()
    limiter = RateLimiter([(4, 1.0)], now=clock)
    first = limiter.try_acquire()[0]
    for _ in range(3):
        limiter.release(limiter.try_acquire()[0])  # type: ignore[arg-type]
    clock.t += 5.0  # the first request is still in flight after five windows
    others = [limiter.try_acquire()[0] for _ in range(3)]
    assert all(o is not None for o in others)
    assert limiter.try_acquire()[0] is None  # it still counts: only three may join it
    assert first is not None
    limiter.release(first)
    for o in others:
        limiter.release(o)  # type: ignore[arg-type]
    assert limiter.try_acquire()[0] is None
    clock.t += 1.0
    assert limiter.try_acquire()[0] is not None


def test_minute_window_counts_fifty() -> None:
    clock = FakeClock()
    limiter = RateLimiter([(4, 1.0), (50, 60.0)], now=clock)
    sent = 0
    while True:
        slot, wait = limiter.try_acquire()
        if slot is None:
            if wait > 2:
                break
            clock.t += wait
            continue
        limiter.release(slot)
        sent += 1
    assert sent == 50
    assert wait == pytest.approx(60.0 - (clock.t - 100.0), abs=1e-9)


def test_from_limits_scales_windows_and_adds_margin() -> None:
    limiter = RateLimiter.from_limits(Limits(per_second=4, per_minute=50, time_scale=0.01))
    assert limiter.windows == [(4, pytest.approx(0.01 * (1 + SAFETY))), (50, pytest.approx(0.6 * (1 + SAFETY)))]
    slow = RateLimiter.from_limits(Limits(per_second=0.5, per_minute=50))
    assert slow.windows[0] == (1, pytest.approx(2.0 * (1 + SAFETY)))


def test_one_limiter_per_base_url_and_configuration() -> None:
    lim = Limits(time_scale=0.5)
    assert shared_limiter("http://a/", lim) is shared_limiter("http://a", lim)
    assert shared_limiter("http://a", lim) is not shared_limiter("http://b", lim)


@pytest.mark.anyio
async def test_concurrent_tasks_share_the_pace() -> None:
    limiter = RateLimiter([(4, 0.1)])
    spans: list[tuple[float, float]] = []

    async def call() -> None:
        async with limiter.hold():
            start = time.monotonic()
            await anyio.sleep(0.01)  # the request's round trip
            spans.append((start, time.monotonic()))

    start = time.monotonic()
    async with anyio.create_task_group() as tg:
        for _ in range(12):
            tg.start_soon(call)
    assert time.monotonic() - start >= 0.2  # 12 requests at 4 per 0.1 s need two more windows
    spans.sort()
    for i in range(4, 12):
        assert spans[i][0] >= spans[i - 4][1] + 0.1 - 1e-3


@pytest.mark.anyio
async def test_one_limiter_across_event_loops_in_threads() -> None:
    limiter = RateLimiter([(2, 0.05)])
    starts: list[float] = []

    def worker() -> None:
        async def run() -> None:
            for _ in range(3):
                async with limiter.hold():
                    starts.append(time.monotonic())

        anyio.run(run)

    async with anyio.create_task_group() as tg:
        for _ in range(2):
            tg.start_soon(anyio.to_thread.run_sync, worker)
    starts.sort()
    assert len(starts) == 6
    for i in range(2, 6):
        assert starts[i] - starts[i - 2] >= 0.05 - 1e-3


def test_budget_persists_across_instances_and_processes_share_it(tmp_path: Path) -> None:
    first = DailyBudget(tmp_path, "http://sim", "fp1", daily_base=10)
    for _ in range(4):
        first.spend()
    second = DailyBudget(tmp_path, "http://sim", "fp1", daily_base=10)
    assert second.used == 4
    assert second.remaining == 6
    other_token = DailyBudget(tmp_path, "http://sim", "fp2", daily_base=10)
    assert other_token.used == 0
    other_host = DailyBudget(tmp_path, "http://other", "fp1", daily_base=10)
    assert other_host.used == 0


def test_budget_refuses_before_sending_and_counts_nothing(tmp_path: Path) -> None:
    budget = DailyBudget(tmp_path, "http://sim", "fp", daily_base=2)
    budget.spend()
    budget.spend()
    with pytest.raises(QuotaExhausted, match=r"2 of 2 requests used today"):
        budget.spend()
    assert budget.used == 2


def test_seats_raise_the_budget_and_are_remembered(tmp_path: Path) -> None:
    budget = DailyBudget(tmp_path, "http://sim", "fp", daily_base=2000)
    assert budget.limit == 2000
    budget.set_seats(50)
    budget.spend(31)
    later = DailyBudget(tmp_path, "http://sim", "fp", daily_base=2000)
    assert later.seats == 50
    assert later.describe() == "2,019 of 2,050 requests left today"


def test_budget_day_rolls_over_at_utc_midnight(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAINPROOF_NOW", "2026-11-20T23:59:00Z")
    budget = DailyBudget(tmp_path, "http://sim", "fp", daily_base=5)
    budget.spend(5)
    assert budget.remaining == 0
    monkeypatch.setenv("TRAINPROOF_NOW", "2026-11-21T00:00:01Z")
    assert budget.remaining == 5
    data = json.loads((tmp_path / "api-usage.json").read_text())
    assert all("2026-11-2" in key for key in data["days"])


def test_budget_file_holds_no_token_and_is_private(tmp_path: Path) -> None:
    from trainproof.config import Secret

    token = Secret("super-secret-token-value")
    DailyBudget(tmp_path, "http://sim", token.fingerprint(), daily_base=5).spend()
    text = (tmp_path / "api-usage.json").read_text()
    assert "super-secret-token-value" not in text
    assert token.fingerprint() in text
    if sys.platform != "win32":
        assert (tmp_path / "api-usage.json").stat().st_mode & 0o077 == 0


def test_two_processes_spending_at_once_agree(tmp_path: Path) -> None:
    script = (
        "import sys; from trainproof.client import DailyBudget, QuotaExhausted\n"
        "b = DailyBudget(sys.argv[1], 'http://sim', 'fp', daily_base=150)\n"
        "ok = 0\n"
        "for _ in range(100):\n"
        "    try:\n"
        "        b.spend(); ok += 1\n"
        "    except QuotaExhausted:\n"
        "        pass\n"
        "print(ok)\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    granted = [int(p.communicate(timeout=60)[0]) for p in procs]
    assert sum(granted) == 150
    assert DailyBudget(tmp_path, "http://sim", "fp", daily_base=150).used == 150
