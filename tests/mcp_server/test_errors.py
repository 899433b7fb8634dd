"""Failures come back as tool errors whose text is the training guide's resolution, never leak the token."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
from mcp.types import CallToolResult, TextContent

from trainproof.simulator import Simulator

from .conftest import make_settings, make_tenant

WRONG_TOKEN = "wrong-token-5f2c9a"


def error_text(result: CallToolResult) -> str:
    assert result.is_error
    return " ".join(c.text for c in result.content if isinstance(c, TextContent))


@pytest.fixture
def own_sim() -> Any:
    """A simulator this test may break (faults, 403, limits)."""
    with Simulator(make_tenant(20, seed=5), limits="off") as s:
        yield s


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "args", "expected"),
    [
        (
            "knowbe4_training_get_campaign",
            {"campaign_id": 123},
            "Campaign 123 not found: list campaigns to see valid ids",
        ),
        ("knowbe4_training_list_enrollments", {"campaign_id": 123}, "Campaign 123 not found: list campaigns"),
        ("knowbe4_training_get_enrollment", {"enrollment_id": 77}, "Enrollment 77 not found: list enrollments to see"),
        ("knowbe4_training_get_module", {"module_id": 5}, "Module 5 not found: list modules to see valid ids"),
        ("knowbe4_training_get_store_purchase", {"store_purchase_id": 9}, "Store purchase 9 not found: list store"),
    ],
)
@pytest.mark.parametrize("mode", ["live", "store"])
async def test_missing_objects(
    mode: str, tool: str, args: dict[str, Any], expected: str, synced: Any, connect: Any
) -> None:
    async with connect(synced, mode) as client:
        assert expected in error_text(await client.call_tool(tool, args))


@pytest.mark.anyio
async def test_bad_token(own_sim: Simulator, tmp_path: Path, connect: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    settings = make_settings(tmp_path, own_sim, token=WRONG_TOKEN)
    async with connect(settings, "live") as client:
        for tool, args in [
            ("knowbe4_training_list_campaigns", {}),
            ("knowbe4_training_get_enrollment", {"enrollment_id": 1}),
            ("knowbe4_training_compliance_summary", {}),
        ]:
            text = error_text(await client.call_tool(tool, args))
            assert "401" in text
            assert "verify KNOWBE4_API_KEY" in text
            assert WRONG_TOKEN not in text
            assert own_sim.token not in text
    assert "401" in caplog.text  # the failures were logged (stderr in a real server)...
    assert WRONG_TOKEN not in caplog.text  # ...without the token


@pytest.mark.anyio
async def test_invalid_token_quirk_of_200(own_sim: Simulator, tmp_path: Path, connect: Any) -> None:
    own_sim.configure(invalid_token_status=200)  # KnowBe4 has been seen answering 200 {"message": "Invalid Token"}
    settings = make_settings(tmp_path, own_sim, token=WRONG_TOKEN)
    async with connect(settings, "live") as client:
        assert "verify KNOWBE4_API_KEY" in error_text(await client.call_tool("knowbe4_training_list_campaigns", {}))


@pytest.mark.anyio
async def test_forbidden(own_sim: Simulator, tmp_path: Path, connect: Any) -> None:
    own_sim.configure(platinum=False)
    async with connect(make_settings(tmp_path, own_sim), "live") as client:
        text = error_text(await client.call_tool("knowbe4_training_list_modules", {}))
        assert "403" in text
        assert "the token needs training permissions" in text
        assert "Platinum or Diamond" in text
        assert "Reporting API is available" not in text  # KnowBe4's own body is not relayed


@pytest.mark.anyio
async def test_rate_limit_exhausted(own_sim: Simulator, tmp_path: Path, connect: Any) -> None:
    own_sim.add_fault("rate_limit")  # every request: 429, a storm that outlasts the retries
    settings = make_settings(tmp_path, own_sim, TRAINPROOF_TIME_SCALE="0.01")  # retries bounded, and fast
    async with connect(settings, "live") as client:
        text = error_text(await client.call_tool("knowbe4_training_list_campaigns", {}))
        assert re.search(r"rate limit exceeded \(429 Too Many Requests\): retry after \d+ seconds", text), text
        # KnowBe4 sent no Retry-After: the wait said is its burst lockout's
        assert "retry after 300 seconds (KnowBe4 sent no Retry-After; its burst lockout lasts about 5 minutes)" in text
    assert own_sim.stats.count(status=429) >= 2  # it did retry before giving up


@pytest.mark.anyio
async def test_rate_limit_names_the_wait_knowbe4_asked_for(own_sim: Simulator, tmp_path: Path, connect: Any) -> None:
    own_sim.add_fault("rate_limit", retry_after=120)  # longer than the 30 s an MCP call may retry for
    async with connect(make_settings(tmp_path, own_sim), "live") as client:
        text = error_text(await client.call_tool("knowbe4_training_list_campaigns", {}))
        assert "rate limit exceeded (429 Too Many Requests): retry after 120 seconds" in text, text
        assert "Retry-After" not in text
    assert own_sim.stats.count(status=429) == 1  # waiting 120 s would pass the retry budget: no retry


@pytest.mark.anyio
async def test_daily_budget_spent(own_sim: Simulator, tmp_path: Path, connect: Any) -> None:
    settings = make_settings(tmp_path, own_sim, limits="daily_base = 2")
    async with connect(settings, "live") as client:
        first = await client.call_tool("knowbe4_training_list_campaigns", {})
        assert not first.is_error
        status = (await client.call_tool("knowbe4_training_sync_status", {})).structured_content
        assert status is not None
        assert status["requests_left_today"] == 1
        modules = await client.call_tool("knowbe4_training_list_modules", {})  # 2 requests: one too many
        text = error_text(modules)
        assert re.search(r"rate limit: the daily request budget is spent; retry after \d+ seconds", text), text
        seconds = int(re.findall(r"retry after (\d+) seconds", text)[0])
        assert 0 < seconds <= 86_400  # at 00:00 UTC
    assert own_sim.stats.count("/v1/training/policies") == 0  # refused before sending


@pytest.mark.anyio
async def test_store_only_before_any_sync(own_sim: Simulator, tmp_path: Path, connect: Any) -> None:
    async with connect(make_settings(tmp_path, own_sim), "store") as client:
        for tool, args in [
            ("knowbe4_training_list_campaigns", {}),
            ("knowbe4_training_compliance_summary", {}),
        ]:
            text = error_text(await client.call_tool(tool, args))
            assert "no successful sync yet" in text
            assert "trainproof sync" in text
    assert own_sim.stats.total == 0


@pytest.mark.anyio
async def test_live_compliance_refused_when_it_would_cost_too_much(
    own_sim: Simulator, tmp_path: Path, connect: Any
) -> None:
    settings = make_settings(tmp_path, own_sim, extra_toml="\n[mcp]\nlive_compliance_max_requests = 5\n")
    async with connect(settings, "live") as client:
        text = error_text(await client.call_tool("knowbe4_training_compliance_summary", {}))
        assert "answering compliance live would take about" in text
        assert "run `trainproof sync`" in text
    assert own_sim.stats.total == 1  # only the account, to learn the seats
    assert own_sim.stats.count("/v1/account") == 1
