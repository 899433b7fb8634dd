"""Rate limits: 4/s, 50/min with a ~5 minute lockout, 2,000 + seats a day; scaled in time for tests."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx2

from trainproof.simulator import RateLimits, Simulator
from trainproof.simulator.limits import RateLimiter

from ._helpers import client, tenant_with_enrollments


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_four_per_second_on_a_sliding_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    assert [limiter.check() for _ in range(4)] == [None] * 4
    refused = limiter.check()
    assert refused is not None
    assert refused.reason == "per_second"
    clock.now += 0.5
    assert limiter.check() is not None  # the window slides: still 4 in the last second
    clock.now += 0.51
    assert limiter.check() is None


def test_fifty_per_minute_then_a_five_minute_lockout() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    for _ in range(50):
        assert limiter.check() is None
        clock.now += 0.3  # 3.3 requests a second: under the per-second limit
    burst = limiter.check()
    assert burst is not None
    assert burst.reason == "burst"
    assert burst.wait_s == 300
    clock.now += 120  # the minute has long passed, the lockout has not
    locked = limiter.check()
    assert locked is not None
    assert locked.reason == "lockout"
    clock.now += 181
    assert limiter.check() is None


def test_daily_quota_is_2000_plus_seats_from_the_first_request() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(per_second=10**6, per_minute=10**6), clock=clock, seats=lambda: 25)
    assert limiter.daily_quota() == 2025
    for _ in range(2025):
        assert limiter.check() is None
        clock.now += 1
    refused = limiter.check()
    assert refused is not None
    assert refused.reason == "daily"
    assert "2025" in refused.message
    clock.now = 1000.0 + 86_400  # 24 hours after the first request
    assert limiter.check() is None


def test_time_scale_shrinks_every_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(time_scale=0.01, clock=clock)
    for _ in range(4):
        assert limiter.check() is None
    assert limiter.check() is not None
    clock.now += 0.0101  # a scaled second
    assert limiter.check() is None


def test_over_http_the_fifth_quick_request_gets_429_without_retry_after(
    simulator_factory: Callable[..., Simulator],
) -> None:
    sim = simulator_factory(users=5)
    with client(sim) as http:
        statuses = [http.get("/v1/account").status_code for _ in range(5)]
        refused = http.get("/v1/account")
    assert statuses == [200, 200, 200, 200, 429]
    assert refused.status_code == 429
    assert "4 requests per second" in refused.json()["message"]
    assert set(refused.json()) == {"message"}
    assert "retry-after" not in refused.headers
    assert sim.stats.rate_limited == {"/v1/account": 2}


def test_retry_after_is_sent_when_asked(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(users=5, retry_after=True)
    with client(sim) as http:
        answers = [http.get("/v1/account") for _ in range(5)]
    assert answers[-1].status_code == 429
    assert answers[-1].headers["retry-after"] == "1"


def test_burst_lockout_over_http_with_scaled_time(simulator_factory: Callable[..., Simulator]) -> None:
    # time_scale 0.02: a second lasts 20 ms, a minute 1.2 s; the 5-minute lockout is shortened to 0.3 s.
    sim = simulator_factory(users=5, time_scale=0.02, rate_limits=RateLimits(lockout_s=15))
    statuses: list[int] = []
    with client(sim) as http:
        started = time.monotonic()
        for _ in range(51):
            statuses.append(http.get("/v1/account").status_code)
            time.sleep(0.007)  # under 3 requests per scaled second: never the per-second limit
        elapsed = time.monotonic() - started
        during = http.get("/v1/account")
        time.sleep(0.35)
        after = http.get("/v1/account")
    assert elapsed < 1.2, "the machine was too slow to fit 51 requests in a scaled minute"
    assert statuses[:50] == [200] * 50
    assert statuses[50] == 429
    assert during.status_code == 429
    assert "burst" in during.json()["message"]
    assert after.status_code == 200


def test_reset_limits_ends_a_lockout(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(users=5, time_scale=0.01, rate_limits=RateLimits(per_minute=3))
    with client(sim) as http:
        for _ in range(3):
            assert http.get("/v1/account").status_code == 200
            time.sleep(0.012)
        assert http.get("/v1/account").status_code == 429
        assert http.get("/v1/account").status_code == 429
        sim.reset_limits()
        assert http.get("/v1/account").status_code == 200


def test_daily_quota_over_http(simulator_factory: Callable[..., Simulator]) -> None:
    limits = RateLimits(per_second=10**6, per_minute=10**6, daily_base=20)
    sim = simulator_factory(tenant_with_enrollments(3, seats=5), rate_limits=limits)
    with client(sim) as http:
        statuses = [http.get("/v1/training/enrollments").status_code for _ in range(26)]
        message = http.get("/v1/account").json()["message"]
    assert statuses == [200] * 25 + [429]
    assert "daily limit of 25 requests" in message
    assert sim.stats.rate_limited["/v1/training/enrollments"] == 1


def test_a_bad_token_does_not_use_up_quota(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(users=5)
    for _ in range(6):
        assert httpx2.get(sim.base_url + "/v1/account").status_code == 401
    with client(sim) as http:
        assert [http.get("/v1/account").status_code for _ in range(4)] == [200] * 4


def test_limits_off_never_answers_429(simulator: Simulator) -> None:
    with client(simulator) as http:
        statuses = {http.get("/v1/account").status_code for _ in range(80)}
    assert statuses == {200}
