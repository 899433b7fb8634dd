"""KnowBe4Client over real HTTP against the simulator on 127.0.0.1: endpoints, paging, quirks, limits, faults."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import anyio
import pytest

from client._tenant import (
    BIG_CAMPAIGN,
    BIG_ENROLLMENTS,
    CAMPAIGNS,
    DATE_ONLY_ENROLLMENT,
    NULL_USER_ENROLLMENT,
    PST_HYPHEN,
    PST_UNDERSCORE,
    UNKNOWN_STATUS_ENROLLMENT,
    USERS,
    quirk_tenant,
)
from trainproof.client import (
    APIConnectionError,
    AuthError,
    ForbiddenError,
    KnowBe4Client,
    KnowBe4Error,
    MalformedResponse,
    NotFoundError,
    PaginationLoopError,
    QuotaExhausted,
    RateLimitedError,
    ResponseValidationError,
    ServerError,
)
from trainproof.config import Limits
from trainproof.simulator import Simulator, generate_tenant

ENROLLMENTS = "/v1/training/enrollments"
FAST = Limits(time_scale=0.001, retry_attempts=5)
StartSim = Callable[..., Simulator]


def own_enrollments(user_id: int) -> list[int]:
    """The ids of the enrollments the quirk tenant holds for one user (what the API's user filter must return)."""
    return sorted(e["enrollment_id"] for e in quirk_tenant()["enrollments"] if (e["user"] or {}).get("id") == user_id)


def connect(sim: Simulator, tmp_path: Path, limits: Limits = FAST, token: str | None = None) -> KnowBe4Client:
    return KnowBe4Client(base_url=sim.base_url, token=token or sim.token, limits=limits, state_dir=tmp_path / "state")


@pytest.fixture
def quirks(simulator_factory: StartSim) -> Simulator:
    return simulator_factory(quirk_tenant(), limits="off")


# -- every endpoint, typed ------------------------------------------------------------------------


@pytest.mark.anyio
async def test_every_endpoint_typed(quirks: Simulator, tmp_path: Path) -> None:
    # Histories the tenant holds, so each answer can be compared with what KnowBe4 would send. The oldest
    # point is more than six months before the newest: KnowBe4 sends it only when asked for `full`.
    history = [{"risk_score": 41.5, "date": "2026-03-01"}, {"risk_score": 39.25, "date": "2026-04-01T00:00:00.000Z"}]
    old_point = {"risk_score": 60.0, "date": "2025-01-01"}
    quirks.tenant.set_risk_score_history("account", history)
    quirks.tenant.set_risk_score_history("user", [old_point, *history], 700_001)
    quirks.tenant.set_risk_score_history("group", [old_point, *history], 3142)
    recent = [(41.5, date(2026, 3, 1)), (39.25, date(2026, 4, 1))]
    async with connect(quirks, tmp_path) as kb4:
        account = await kb4.account()
        assert account.number_of_seats == 25
        assert [(r.risk_score, r.date) async for r in kb4.account_risk_score_history(full=True)] == recent
        users = [u async for u in kb4.users()]
        assert len(users) == USERS
        assert [u.id async for u in kb4.users(status="archived")] == [700_000 + USERS]
        assert (await kb4.user(700_001)).joined_on is not None
        assert [(r.risk_score, r.date) async for r in kb4.user_risk_score_history(700_001)] == recent
        groups = [g async for g in kb4.groups()]
        assert {g.id for g in groups} == {3142, 3143}
        assert (await kb4.group(3143)).provisioning_guid == "abc12345-6789"
        assert {m.id async for m in kb4.group_members(3142)} == set(range(700_001, 700_001 + USERS))
        assert {m.id async for m in kb4.group_members(3143)} == set(range(700_002, 700_001 + USERS, 2))
        full = [(r.risk_score, r.date) async for r in kb4.group_risk_score_history(3142, full=True)]
        assert full == [(60.0, date(2025, 1, 1)), *recent]
        [phishing] = [c async for c in kb4.phishing_campaigns()]
        assert (await kb4.phishing_campaign(phishing.campaign_id)).psts_count == 2
        tests = [t async for t in kb4.phishing_campaign_security_tests(phishing.campaign_id)]
        assert {t.pst_id for t in tests} == {PST_HYPHEN, PST_UNDERSCORE}
        assert len([t async for t in kb4.security_tests()]) == 2
        assert (await kb4.security_test(PST_HYPHEN)).landing_page is not None
        recipients = [r async for r in kb4.recipients(PST_HYPHEN)]
        assert len(recipients) == 3
        assert (await kb4.recipient(PST_HYPHEN, recipients[2].recipient_id)).failed
        assert {p.store_purchase_id async for p in kb4.store_purchases()} == {7, 6420}
        assert (await kb4.store_purchase(6420)).name == "FFIEC (Financial Compliance)"
        assert {p.policy_id async for p in kb4.policies()} == {142, 2420}
        assert (await kb4.policy(2420)).is_published is True
        assert len([c async for c in kb4.training_campaigns()]) == CAMPAIGNS
        assert (await kb4.training_campaign(BIG_CAMPAIGN)).module_keys == ["store_purchase:7", "policy:142"]
        mine = [e async for e in kb4.enrollments(user_id=700_003)]
        assert sorted(e.enrollment_id for e in mine) == own_enrollments(700_003)
        one = await kb4.enrollment(2_000_001)
        assert one.campaign_id == BIG_CAMPAIGN
    assert kb4.stats.requests == quirks.stats.total
    assert len(kb4.stats.request_ids) == kb4.stats.requests


# -- pagination -----------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_1234_enrollments_in_one_campaign_take_exactly_three_requests(quirks: Simulator, tmp_path: Path) -> None:
    async with connect(quirks, tmp_path) as kb4:
        enrollments = [e async for e in kb4.enrollments(campaign_id=BIG_CAMPAIGN)]
    assert len(enrollments) == BIG_ENROLLMENTS
    assert len({e.enrollment_id for e in enrollments}) == BIG_ENROLLMENTS
    assert quirks.stats.count(ENROLLMENTS) == 3
    assert kb4.stats.by_endpoint["enrollments"] == 3
    queries = [r.query for r in quirks.stats.requests if r.path == ENROLLMENTS]
    assert "cursor=true" in queries[0]
    assert all("per_page=500" in q for q in queries)
    assert all(e.campaign_id == BIG_CAMPAIGN for e in enrollments)
    assert all(e.module_key == "store_purchase:7" for e in enrollments)


@pytest.mark.anyio
async def test_twelve_training_campaigns_all_listed_in_one_request(quirks: Simulator, tmp_path: Path) -> None:
    async with connect(quirks, tmp_path) as kb4:
        campaigns = [c async for c in kb4.training_campaigns()]
    assert len(campaigns) == CAMPAIGNS
    [request] = [r for r in quirks.stats.requests if r.path == "/v1/training/campaigns"]
    assert "exclude_percentages=true" in request.query
    assert all(c.completion_percentage is None for c in campaigns)


@pytest.mark.anyio
async def test_percentages_asked_for_warn_about_the_cap(
    quirks: Simulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with connect(quirks, tmp_path) as kb4:
        campaigns = [c async for c in kb4.training_campaigns(include_percentages=True)]
    assert len(campaigns) == 10
    assert all(c.completion_percentage is not None for c in campaigns)
    assert "at most 10" in caplog.text


@pytest.mark.anyio
async def test_cursor_on_every_list_endpoint_is_followed(simulator_factory: StartSim, tmp_path: Path) -> None:
    sim = simulator_factory(generate_tenant(120, seed=3), limits="off", cursor_everywhere=True)
    async with KnowBe4Client(
        base_url=sim.base_url, token=sim.token, limits=FAST, state_dir=tmp_path, per_page=50
    ) as kb4:
        users = [u async for u in kb4.iter_raw("users")]
    assert len(users) == sim.tenant.count("users")
    assert sim.stats.count("/v1/users") == -(-len(users) // 50) + (1 if len(users) % 50 == 0 else 0)


@pytest.mark.anyio
@pytest.mark.parametrize("style", ["body", "header"])
async def test_cursor_from_body_or_header(simulator_factory: StartSim, tmp_path: Path, style: str) -> None:
    sim = simulator_factory(quirk_tenant(), limits="off", cursor_style=style)
    async with connect(sim, tmp_path) as kb4:
        assert len([e async for e in kb4.iter_raw("enrollments", campaign_id=BIG_CAMPAIGN)]) == BIG_ENROLLMENTS
    assert sim.stats.count(ENROLLMENTS) == 3


@pytest.mark.anyio
async def test_repeated_cursor_is_an_error_not_a_loop(quirks: Simulator, tmp_path: Path) -> None:
    quirks.set_faults({"kind": "cursor_loop", "mode": "repeat", "path": ENROLLMENTS})
    async with connect(quirks, tmp_path) as kb4:
        with pytest.raises(PaginationLoopError, match="a second time") as info:
            [e async for e in kb4.enrollments(campaign_id=BIG_CAMPAIGN)]
    assert "GET /v1/training/enrollments" in info.value.message
    assert quirks.stats.count(ENROLLMENTS) <= 4


@pytest.mark.anyio
async def test_endless_empty_cursor_pages_stop(quirks: Simulator, tmp_path: Path) -> None:
    quirks.set_faults({"kind": "cursor_loop", "mode": "advance", "path": ENROLLMENTS})
    async with connect(quirks, tmp_path) as kb4:
        enrollments = [e async for e in kb4.enrollments(campaign_id=BIG_CAMPAIGN)]
    assert len(enrollments) == BIG_ENROLLMENTS
    assert quirks.stats.count(ENROLLMENTS) == 4


@pytest.mark.anyio
async def test_repeated_page_is_an_error_not_a_loop(simulator_factory: StartSim, tmp_path: Path) -> None:
    sim = simulator_factory(generate_tenant(120, seed=3), limits="off")
    sim.set_faults({"kind": "repeat_page", "path": "/v1/users"})
    async with KnowBe4Client(
        base_url=sim.base_url, token=sim.token, limits=FAST, state_dir=tmp_path, per_page=50
    ) as kb4:
        with pytest.raises(PaginationLoopError, match="same page twice"):
            [u async for u in kb4.users()]


# -- quirks ---------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_quirks_parse(quirks: Simulator, tmp_path: Path) -> None:
    async with connect(quirks, tmp_path) as kb4:
        by_id = {e.enrollment_id: e async for e in kb4.enrollments(campaign_id=BIG_CAMPAIGN)}
        assert by_id[NULL_USER_ENROLLMENT].user is None
        assert by_id[UNKNOWN_STATUS_ENROLLMENT].status == "Exempted By Admin"
        assert by_id[UNKNOWN_STATUS_ENROLLMENT].state == "unknown"
        assert by_id[DATE_ONLY_ENROLLMENT].enrollment_date is not None
        assert by_id[DATE_ONLY_ENROLLMENT].enrollment_date.hour == 0
        pairs = [(e.user_id, e.module_key) for e in by_id.values()]
        assert len(set(pairs)) < len(pairs)  # duplicates for one user and module are all kept
        numbers = {e.user.employee_number for e in by_id.values() if e.user is not None}
        assert "123459" in numbers  # sent as an int
        assert "19004" in numbers  # sent as a string
        second = [e async for e in kb4.enrollments(campaign_id=BIG_CAMPAIGN + 1)]
        assert {e.module_key for e in second} == {
            "store_purchase:7",
            "store_purchase:6420",
            "Uploaded Policy:Physical Security Policy",
        }
        campaigns = {c.campaign_id: c async for c in kb4.training_campaigns()}
        assert campaigns[BIG_CAMPAIGN + 1].module_keys == ["store_purchase:7", "store_purchase:6420"]
        assert campaigns[BIG_CAMPAIGN + 3].state == "cancelled"
        assert campaigns[BIG_CAMPAIGN + 4].state == "cancelled"
        assert campaigns[BIG_CAMPAIGN + 11].state == "unknown"
        assert campaigns[BIG_CAMPAIGN + 11].status == "Awaiting Something New"
        users = {u.id: u async for u in kb4.users()}
        assert users[700_002].model_extra == {"favourite_colour": "teal"}
        assert (users[700_002].employee_number, users[700_003].employee_number) == (None, "123459")
        policies = {p.policy_id: p async for p in kb4.policies()}
        assert (policies[142].status, policies[2420].status) == (1, "published")
        tests = {t.pst_id: t async for t in kb4.security_tests()}
        assert tests[PST_HYPHEN].landing_page is not None
        assert tests[PST_UNDERSCORE].landing_page is not None
        assert tests[PST_HYPHEN].landing_page.id == 1842
        assert tests[PST_UNDERSCORE].landing_page.id == 4072


@pytest.mark.anyio
async def test_raw_keeps_every_record_as_sent(quirks: Simulator, tmp_path: Path) -> None:
    async with connect(quirks, tmp_path) as kb4:
        raw = [
            e
            async for e in kb4.iter_raw(
                "enrollments",
                campaign_id=BIG_CAMPAIGN,
                include_campaign_id=True,
                include_store_purchase_id=True,
                include_employee_number=True,
            )
        ]
        purchases = [p async for p in kb4.iter_raw("store_purchases")]
        tests = [t async for t in kb4.iter_raw("security_tests")]
    stored = [e for e in quirk_tenant()["enrollments"] if e["campaign_id"] == BIG_CAMPAIGN]
    assert raw == stored
    assert any(e["user"] is None for e in raw)
    assert any("store_purchased_id" in p for p in purchases)
    assert {"landing-page", "landing_page"} <= {k for t in tests for k in t}


# -- limits, retries and the daily budget ---------------------------------------------------------


@pytest.mark.anyio
async def test_120_concurrent_requests_under_real_limits_get_no_429(
    simulator_factory: StartSim, tmp_path: Path
) -> None:
    sim = simulator_factory(generate_tenant(60, seed=2), limits="real", time_scale=0.01)
    user_ids = [u["id"] for u in sim.tenant.records("users")]
    async with connect(sim, tmp_path, Limits(time_scale=0.01)) as kb4:

        async def fetch(i: int) -> None:
            await kb4.user(user_ids[i % len(user_ids)])

        start = time.monotonic()
        async with anyio.create_task_group() as tg:
            for i in range(120):
                tg.start_soon(fetch, i)
        elapsed = time.monotonic() - start
    assert sim.stats.count(status=429) == 0
    assert kb4.stats.retries == 0
    assert sim.stats.total == kb4.stats.requests == 120
    assert elapsed < 10, elapsed


@pytest.mark.anyio
async def test_two_clients_in_one_process_share_the_pace(simulator_factory: StartSim, tmp_path: Path) -> None:
    sim = simulator_factory(generate_tenant(20, seed=2), limits="real", time_scale=0.01)
    limits = Limits(time_scale=0.01)
    async with connect(sim, tmp_path, limits) as a, connect(sim, tmp_path, limits) as b:

        async def burst(kb4: KnowBe4Client) -> None:
            for _ in range(40):
                await kb4.account()

        async with anyio.create_task_group() as tg:
            tg.start_soon(burst, a)
            tg.start_soon(burst, b)
    assert a.limiter is b.limiter
    assert sim.stats.count(status=429) == 0
    assert sim.stats.total == 80


@pytest.mark.anyio
@pytest.mark.parametrize("fault", [{"kind": "rate_limit", "times": 3}, {"kind": "status", "status": 503, "times": 3}])
async def test_first_three_answers_fail_then_the_call_succeeds(
    quirks: Simulator, tmp_path: Path, fault: dict[str, Any]
) -> None:
    quirks.set_faults(fault)
    async with connect(quirks, tmp_path) as kb4:
        campaigns = [c async for c in kb4.training_campaigns()]
    assert len(campaigns) == CAMPAIGNS
    assert kb4.stats.retries == 3
    assert quirks.stats.total == 4


@pytest.mark.anyio
@pytest.mark.parametrize("status", [500, 502, 504])
async def test_server_errors_are_retried(quirks: Simulator, tmp_path: Path, status: int) -> None:
    quirks.set_faults({"kind": "status", "status": status, "times": 2})
    async with connect(quirks, tmp_path) as kb4:
        assert (await kb4.account()).name == "Quirk Co"
    assert kb4.stats.retries == 2


@pytest.mark.anyio
async def test_retry_after_is_honoured(quirks: Simulator, tmp_path: Path) -> None:
    quirks.set_faults({"kind": "rate_limit", "times": 1, "retry_after": 1})
    async with connect(quirks, tmp_path, Limits(time_scale=0.01)) as kb4:
        start = time.monotonic()
        await kb4.account()
        elapsed = time.monotonic() - start
    assert kb4.stats.retries == 1
    assert elapsed >= 1.0  # the backoff alone would wait at most 0.01 s


@pytest.mark.anyio
async def test_endless_429_ends_with_the_bound_in_the_message(quirks: Simulator, tmp_path: Path) -> None:
    quirks.set_faults({"kind": "rate_limit"})
    async with connect(quirks, tmp_path, Limits(time_scale=0.001, retry_attempts=4)) as kb4:
        with pytest.raises(RateLimitedError) as info:
            await kb4.account()
    assert "limit 4 attempts" in info.value.message
    assert "X-Request-Id" in info.value.message
    assert quirks.stats.total == 4


@pytest.mark.anyio
async def test_endless_503_ends_with_a_server_error(quirks: Simulator, tmp_path: Path) -> None:
    quirks.set_faults({"kind": "status", "status": 503})
    async with connect(quirks, tmp_path, Limits(time_scale=0.001, retry_attempts=3)) as kb4:
        with pytest.raises(ServerError, match="HTTP 503"):
            await kb4.account()


@pytest.mark.anyio
async def test_daily_budget_persists_across_two_clients(quirks: Simulator, tmp_path: Path) -> None:
    limits = Limits(time_scale=0.001, daily_base=3)
    async with connect(quirks, tmp_path, limits) as first:
        [u async for u in first.users()]
        [g async for g in first.groups()]
        assert first.budget.used == 2
    async with connect(quirks, tmp_path, limits) as second:
        assert second.budget.remaining == 1
        [p async for p in second.policies()]
        with pytest.raises(QuotaExhausted, match="3 of 3 requests used today"):
            await second.account()
    assert quirks.stats.total == 3  # the refused request was never sent
    other_token = connect(quirks, tmp_path, limits, token="another-token")
    assert other_token.budget.used == 0
    await other_token.aclose()


@pytest.mark.anyio
async def test_seats_learned_from_the_account_raise_the_budget(quirks: Simulator, tmp_path: Path) -> None:
    async with connect(quirks, tmp_path, Limits(time_scale=0.001, daily_base=2000)) as kb4:
        assert kb4.budget.limit == 2000
        await kb4.account()
        assert kb4.budget.describe() == "2,024 of 2,025 requests left today"
    async with connect(quirks, tmp_path, Limits(time_scale=0.001, daily_base=2000)) as later:
        assert later.budget.limit == 2025


# -- errors ---------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("status", [401, 200])
async def test_wrong_token(simulator_factory: StartSim, tmp_path: Path, status: int) -> None:
    sim = simulator_factory(quirk_tenant(), limits="off", invalid_token_status=status)
    secret = "wrong-token-5a5a5a5a"
    async with connect(sim, tmp_path, token=secret) as kb4:
        with pytest.raises(AuthError) as info:
            [u async for u in kb4.users()]
    assert info.value.exit_code == 2
    assert "KnowBe4 rejected the API token: check KNOWBE4_API_KEY and KNOWBE4_REGION" in info.value.message
    assert "X-Request-Id" in info.value.message
    assert secret not in repr(info.value)
    assert secret not in str(info.value)
    assert sim.stats.total == 1  # not retried


@pytest.mark.anyio
async def test_forbidden_without_platinum(simulator_factory: StartSim, tmp_path: Path) -> None:
    sim = simulator_factory(quirk_tenant(), limits="off", platinum=False)
    async with connect(sim, tmp_path) as kb4:
        with pytest.raises(ForbiddenError, match="Platinum or Diamond") as info:
            await kb4.account()
    assert info.value.exit_code == 2


@pytest.mark.anyio
async def test_not_found_names_the_object(quirks: Simulator, tmp_path: Path) -> None:
    async with connect(quirks, tmp_path) as kb4:
        with pytest.raises(NotFoundError) as info:
            await kb4.training_campaign(123)
        assert info.value.message.startswith(
            "training campaign 123 not found: list training campaigns to see valid ids"
        )
        with pytest.raises(NotFoundError, match="recipient 99 of security test 16142 not found"):
            await kb4.recipient(PST_HYPHEN, 99)
        with pytest.raises(NotFoundError, match="group 999 not found"):
            [m async for m in kb4.group_members(999)]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ({"kind": "html", "status": 200}, "an HTML page (text/html) instead of JSON"),
        ({"kind": "content_type"}, "text/plain instead of JSON"),
        ({"kind": "truncate"}, "truncated JSON"),
    ],
)
async def test_malformed_answers_name_the_endpoint(
    quirks: Simulator, tmp_path: Path, fault: dict[str, Any], expected: str
) -> None:
    quirks.set_faults(fault)
    async with connect(quirks, tmp_path) as kb4:
        with pytest.raises(MalformedResponse) as info:
            [u async for u in kb4.users(status="active")]
    assert expected in info.value.message
    assert "GET /v1/users" in info.value.message


@pytest.mark.anyio
async def test_html_error_page_with_502_is_retried(quirks: Simulator, tmp_path: Path) -> None:
    quirks.set_faults({"kind": "html", "status": 502, "times": 2})
    async with connect(quirks, tmp_path) as kb4:
        assert (await kb4.account()).name == "Quirk Co"
    assert kb4.stats.retries == 2


@pytest.mark.anyio
async def test_dropped_connection_is_retried(quirks: Simulator, tmp_path: Path) -> None:
    quirks.set_faults({"kind": "drop", "times": 2, "path": ENROLLMENTS})
    async with connect(quirks, tmp_path) as kb4:
        enrollments = [e async for e in kb4.enrollments(campaign_id=BIG_CAMPAIGN)]
    assert len(enrollments) == BIG_ENROLLMENTS
    assert kb4.stats.retries == 2


@pytest.mark.anyio
async def test_slow_answers_time_out_and_are_retried(quirks: Simulator, tmp_path: Path) -> None:
    quirks.set_faults({"kind": "slow", "seconds": 0.5, "times": 1})
    async with connect(quirks, tmp_path, Limits(time_scale=0.001, timeout_s=0.2)) as kb4:
        assert (await kb4.account()).name == "Quirk Co"
    assert kb4.stats.retries == 1


@pytest.mark.anyio
async def test_timeouts_that_persist_state_the_bound(quirks: Simulator, tmp_path: Path) -> None:
    quirks.set_faults({"kind": "slow", "seconds": 0.3})
    async with connect(quirks, tmp_path, Limits(time_scale=0.001, timeout_s=0.1, retry_attempts=2)) as kb4:
        with pytest.raises(APIConnectionError) as info:
            await kb4.account()
    assert "no answer within 0.1 s (timeout)" in info.value.message
    assert "limit 2 attempts" in info.value.message


@pytest.mark.anyio
async def test_unreachable_server(tmp_path: Path, simulator_factory: StartSim) -> None:
    sim = simulator_factory(quirk_tenant(), limits="off")
    base_url = sim.base_url
    sim.stop()
    async with KnowBe4Client(
        base_url=base_url, token="t", limits=Limits(time_scale=0.001, retry_attempts=2), state_dir=tmp_path
    ) as kb4:
        with pytest.raises(APIConnectionError, match="connection failed"):
            await kb4.account()


@pytest.mark.anyio
async def test_wrong_types_name_the_field(quirks: Simulator, tmp_path: Path) -> None:
    quirks.set_faults({"kind": "wrong_types", "path": ENROLLMENTS})
    async with connect(quirks, tmp_path) as kb4:
        with pytest.raises(ResponseValidationError) as info:
            [e async for e in kb4.enrollments(campaign_id=BIG_CAMPAIGN)]
    assert "enrollment_date" in info.value.message or "_date" in info.value.message
    assert "GET /v1/training/enrollments" in info.value.message


# -- the token stays secret -----------------------------------------------------------------------


@pytest.mark.anyio
async def test_request_headers_and_repr(quirks: Simulator, tmp_path: Path) -> None:
    async with connect(quirks, tmp_path) as kb4:
        await kb4.account()  # the simulator checks the Bearer token and answers 406 without JSON in Accept
        headers = kb4._http.headers  # pyright: ignore[reportPrivateUsage]
        assert headers["accept"] == "application/json"
        assert headers["user-agent"].startswith("trainproof/")
        assert quirks.token not in repr(kb4)
        assert quirks.token not in repr(kb4.settings)


@pytest.mark.anyio
async def test_token_never_logged_or_stored(
    simulator_factory: StartSim, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "tok-3f1c9a7e-SECRET-do-not-print"
    sim = simulator_factory(quirk_tenant(), limits="off")
    sim.set_faults({"kind": "status", "status": 503, "times": 1})
    async with connect(sim, tmp_path, token=secret) as kb4:
        with pytest.raises(AuthError) as info:
            await kb4.account()
    assert "retrying" in caplog.text
    for text in (caplog.text, str(info.value), repr(info.value), repr(info.value.args)):
        assert secret not in text
    for path in (tmp_path / "state").iterdir():
        assert secret not in path.read_text()


@pytest.mark.anyio
async def test_bad_ids_and_filters_are_refused_before_sending(quirks: Simulator, tmp_path: Path) -> None:
    async with connect(quirks, tmp_path) as kb4:
        with pytest.raises(KnowBe4Error, match="positive integer"):
            await kb4.user(-3)
        with pytest.raises(KnowBe4Error, match="not a filter of users"):
            [u async for u in kb4.iter_raw("users", campaign_id=1)]
        with pytest.raises(KnowBe4Error, match="use one of active, archived"):
            [u async for u in kb4.users(status="deleted")]
        with pytest.raises(KnowBe4Error, match="recipients needs pst_id"):
            [u async for u in kb4.iter_raw("recipients")]
    assert kb4.stats.requests == 0
    assert quirks.stats.total == 0
