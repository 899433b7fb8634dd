"""Faults a real server cannot easily produce, injected through httpx2.MockTransport.

Dropped connections and timeouts raised inside the transport, a 200 carrying only "Invalid Token",
a proxy's HTML page and a body cut short. Everything the simulator can answer is tested over HTTP in
test_client_http.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest

from trainproof.client import (
    APIConnectionError,
    AuthError,
    KnowBe4Client,
    KnowBe4Error,
    MalformedResponse,
    RateLimitedError,
    ServerError,
)
from trainproof.config import Limits

TOKEN = "tok-3f1c9a7e-SECRET-do-not-print"
FAST = Limits(time_scale=0.001, retry_attempts=4)
Handler = Callable[[httpx2.Request], httpx2.Response]


def client(handler: Handler, tmp_path: Path, limits: Limits = FAST) -> KnowBe4Client:
    return KnowBe4Client(
        base_url="https://us.api.knowbe4.com",
        token=TOKEN,
        limits=limits,
        state_dir=tmp_path,
        transport=httpx2.MockTransport(handler),
    )


def json_ok(body: object) -> httpx2.Response:
    return httpx2.Response(200, json=body, headers={"X-Request-Id": "req-1"})


def assert_no_token(exc: BaseException) -> None:
    for text in (str(exc), repr(exc), repr(exc.args), getattr(exc, "message", "")):
        assert TOKEN not in text
    assert exc.__cause__ is None or TOKEN not in repr(exc.__cause__)


@pytest.mark.anyio
async def test_request_headers(tmp_path: Path) -> None:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return json_ok({"name": "Acme", "number_of_seats": 5})

    async with client(handler, tmp_path) as kb4:
        await kb4.account()
    request = seen[0]
    assert request.method == "GET"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["accept"] == "application/json"
    assert request.headers["user-agent"].startswith("trainproof/")
    assert TOKEN not in repr(kb4)


@pytest.mark.anyio
async def test_dropped_connections_are_retried(tmp_path: Path) -> None:
    calls = {"n": 0}

    def handler(request: httpx2.Request) -> httpx2.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            raise httpx2.RemoteProtocolError("peer closed connection without sending complete message body")
        if calls["n"] == 2:
            raise httpx2.ConnectError("connection reset")
        return json_ok([{"id": 1}])

    async with client(handler, tmp_path) as kb4:
        users = [u async for u in kb4.users()]
    assert [u.id for u in users] == [1]
    assert kb4.stats.retries == 2
    assert kb4.stats.requests == 3
    assert kb4.budget.used == 3  # every attempt counts against the day


@pytest.mark.anyio
async def test_timeouts_give_up_with_the_bound_in_the_message(tmp_path: Path) -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("timed out")

    async with client(handler, tmp_path) as kb4:
        with pytest.raises(APIConnectionError) as info:
            await kb4.account()
    assert "timeout" in info.value.message
    assert "4 attempts" in info.value.message
    assert_no_token(info.value)


@pytest.mark.anyio
@pytest.mark.parametrize(("status", "error"), [(429, RateLimitedError), (503, ServerError), (502, ServerError)])
async def test_persistent_retryable_statuses(status: int, error: type[KnowBe4Error], tmp_path: Path) -> None:
    async with client(lambda r: httpx2.Response(status, headers={"X-Request-Id": "rid-9"}), tmp_path) as kb4:
        with pytest.raises(error) as info:
            await kb4.training_campaign(5)
    assert f"{status}" in info.value.message
    assert "limit 4 attempts" in info.value.message
    assert "rid-9" in info.value.message
    assert kb4.stats.requests == 4


@pytest.mark.anyio
async def test_200_invalid_token_body_is_an_auth_error(tmp_path: Path) -> None:
    async with client(lambda r: json_ok({"message": "Invalid Token"}), tmp_path) as kb4:
        with pytest.raises(AuthError) as info:
            [u async for u in kb4.users()]
    assert info.value.exit_code == 2
    assert "KNOWBE4_API_KEY" in info.value.message
    assert "req-1" in info.value.message
    assert_no_token(info.value)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (
            httpx2.Response(200, text="<!DOCTYPE html><html>Bad gateway</html>", headers={"Content-Type": "text/html"}),
            "an HTML page (text/html) instead of JSON",
        ),
        (
            httpx2.Response(200, text='[{"id": 1}]', headers={"Content-Type": "text/plain"}),
            "text/plain instead of JSON",
        ),
        (
            httpx2.Response(200, content=b'[{"id": 1}, {"id": ', headers={"Content-Type": "application/json"}),
            "truncated JSON",
        ),
    ],
)
async def test_malformed_bodies_name_the_endpoint(response: httpx2.Response, expected: str, tmp_path: Path) -> None:
    async with client(lambda r: response, tmp_path) as kb4:
        with pytest.raises(MalformedResponse) as info:
            [u async for u in kb4.users(status="active")]
    assert expected in info.value.message
    assert "GET /v1/users" in info.value.message


@pytest.mark.anyio
async def test_token_never_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    calls = {"n": 0}

    def handler(request: httpx2.Request) -> httpx2.Response:
        calls["n"] += 1
        return httpx2.Response(503) if calls["n"] == 1 else httpx2.Response(401, json={"message": "Invalid Token"})

    async with client(handler, tmp_path) as kb4:
        with pytest.raises(AuthError) as info:
            await kb4.account()
    assert_no_token(info.value)
    assert "retrying" in caplog.text
    assert TOKEN not in caplog.text
    assert TOKEN not in (tmp_path / "api-usage.json").read_text()


@pytest.mark.anyio
async def test_bad_ids_and_filters_are_refused_before_sending(tmp_path: Path) -> None:
    async with client(lambda r: pytest.fail("nothing should be sent"), tmp_path) as kb4:
        with pytest.raises(KnowBe4Error, match="positive integer"):
            await kb4.user(-3)
        with pytest.raises(KnowBe4Error, match="not a filter of users"):
            [u async for u in kb4.iter_raw("users", campaign_id=1)]
        with pytest.raises(KnowBe4Error, match="use one of active, archived"):
            [u async for u in kb4.users(status="deleted")]
        with pytest.raises(KnowBe4Error, match="recipients needs pst_id"):
            [u async for u in kb4.iter_raw("recipients")]
    assert kb4.stats.requests == 0
