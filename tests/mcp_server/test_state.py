"""What the server keeps between calls: one answer cache keyed by the store's version, errors told by type.

A sync run while the server is up shows in the very next answer (no restart, no wait for a watcher); a
`[trainings.*]` reference that selects no campaign is one tool error in our own words, without the
campaign names KnowBe4 sent; a store that is not a database is one line too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import pytest
from mcp.types import CallToolResult, TextContent

from trainproof.judging import judge
from trainproof.mcp_server._cache import AnswerCache
from trainproof.selection import SelectionError
from trainproof.simulator import Simulator
from trainproof.store import open_store
from trainproof.sync import run_sync

from .conftest import INJECTION, make_settings, make_tenant

HIPAA_2026 = 4212


def text_of(result: CallToolResult) -> str:
    assert result.is_error
    return " ".join(c.text for c in result.content if isinstance(c, TextContent))


async def call(client: Any, tool: str, **args: Any) -> dict[str, Any]:
    result = await client.call_tool(tool, args)
    assert not result.is_error, result.content
    return dict(result.structured_content or {})


@pytest.mark.anyio
async def test_a_sync_while_the_server_runs_shows_in_the_next_answer(tmp_path: Path, connect: Any) -> None:
    with Simulator(make_tenant(20, seed=5), limits="off") as sim:
        settings = make_settings(tmp_path, sim)
        assert (await anyio.to_thread.run_sync(run_sync, settings)).outcome == "ok"
        unfinished = [
            e
            for e in sim.tenant.records("enrollments")
            if e["campaign_id"] == HIPAA_2026 and e["status"] not in ("Passed", "Completed")
        ]
        assert unfinished, "the tenant should have someone enrolled in HIPAA and not finished"
        who = unfinished[0]["user"]["id"]
        async with connect(settings, "store") as client:
            before = await call(client, "knowbe4_training_list_noncompliant", training="hipaa")
            assert who in {p["user_id"] for g in before["groups"] for p in g["people"]}
            summary = await call(client, "knowbe4_training_compliance_summary", training="hipaa")
            assert (await call(client, "knowbe4_training_compliance_summary", training="hipaa")) == summary  # kept

            for e in unfinished:
                if e["user"]["id"] == who:
                    sim.tenant.update(
                        "enrollments", e["enrollment_id"], status="Passed", completion_date="2026-01-05T10:00:00.000Z"
                    )
            assert (await anyio.to_thread.run_sync(run_sync, settings)).outcome == "ok"

            after = await call(client, "knowbe4_training_compliance_summary", training="hipaa")
            assert after["source"]["as_of"] > summary["source"]["as_of"]
            assert after["trainings"][0]["compliant"] == summary["trainings"][0]["compliant"] + 1
            person = await call(client, "knowbe4_training_person_status", person=str(who))
            hipaa = next(t for t in person["trainings"] if t["training"] == "hipaa")
            assert hipaa["compliant"] is True
            still = await call(client, "knowbe4_training_list_noncompliant", training="hipaa")
            assert who not in {p["user_id"] for g in still["groups"] for p in g["people"]}


@pytest.mark.anyio
async def test_a_campaign_selection_error_is_told_in_our_words(sim: Simulator, tmp_path: Path, connect: Any) -> None:
    assert (await anyio.to_thread.run_sync(run_sync, make_settings(tmp_path, sim))).outcome == "ok"
    # One letter away from a campaign name written to steer an assistant: the CLI's hint suggests that name.
    near = INJECTION.replace("admin mode", "admin  mode")
    settings = make_settings(tmp_path, sim, extra_toml=f'\n[trainings.gdpr]\ncampaigns = ["{near}"]\n')
    engine = open_store(settings.database_url, create=False)
    with engine.connect() as conn, pytest.raises(SelectionError) as raised:
        judge(conn, settings)
    engine.dispose()
    assert "admin mode" in raised.value.message  # KnowBe4's text, which must not reach the assistant

    async with connect(settings, "store") as client:
        for tool in ("knowbe4_training_compliance_summary", "knowbe4_training_departments"):
            text = text_of(await client.call_tool(tool, {}))
            assert text.endswith(
                "[trainings.gdpr] campaigns in trainproof.toml selects a name no campaign in the store has: "
                "run `trainproof check` to see which, and select campaigns by id"
            )


@pytest.mark.anyio
async def test_a_store_that_is_not_a_database_is_one_line(sim: Simulator, tmp_path: Path, connect: Any) -> None:
    settings = make_settings(tmp_path, sim)
    (tmp_path / "store.db").write_bytes(b"this is not a SQLite database, just some bytes " * 100)
    async with connect(settings, "store") as client:
        text = text_of(await client.call_tool("knowbe4_training_compliance_summary", {}))
    assert "store.db is not a SQLite database (SQLite: file is not a database): point TRAINPROOF_DATABASE_URL" in text
    assert "\n" not in text
    assert "Traceback" not in text


# --- the cache itself ---------------------------------------------------------------------------------------


def counting(value: Any) -> tuple[Callable[[], Any], list[int]]:
    calls: list[int] = []

    def compute() -> Any:
        calls.append(1)
        return value

    return compute, calls


@pytest.mark.anyio
async def test_the_cache_computes_each_question_once_per_store_version() -> None:
    cache = AnswerCache()
    try:
        compute, calls = counting("a")
        v1 = ("sqlite:///x.db", (1, 0, 0))
        assert await cache.get(v1, ("q",), compute) == "a"
        assert await cache.get(v1, ("q",), compute) == "a"
        assert len(calls) == 1
        v2 = ("sqlite:///x.db", (2, 0, 0))  # a new sync
        assert await cache.get(v2, ("q",), compute) == "a"
        assert len(calls) == 2
        assert await cache.get(v1, ("q",), compute) == "a"  # the older version's answers were dropped
        assert len(calls) == 3
        other = ("sqlite:///y.db", (2, 0, 0))  # another store's answers are its own
        await cache.get(other, ("q",), compute)
        assert len(calls) == 4
    finally:
        cache.close()


@pytest.mark.anyio
async def test_the_cache_shares_work_under_way_retries_failures_and_keeps_its_budget() -> None:
    cache = AnswerCache(budget=20)
    store = ("sqlite:///x.db", (1, 0, 0))
    try:
        release = threading.Event()
        calls: list[int] = []

        def slow() -> str:
            calls.append(1)
            release.wait(5)
            return "slow"

        results: list[str] = []
        async with anyio.create_task_group() as tg:
            for _ in range(3):
                tg.start_soon(lambda: _append(results, cache.get(store, ("slow",), slow)))
            await anyio.sleep(0.05)
            release.set()
        assert results == ["slow"] * 3
        assert len(calls) == 1  # three callers, one computation

        def broken() -> str:
            raise RuntimeError("the store went away")

        with pytest.raises(RuntimeError):
            await cache.get(store, ("flaky",), broken)
        compute, fixed = counting("ok")
        assert await cache.get(store, ("flaky",), compute) == "ok"  # a failure is not kept
        assert len(fixed) == 1

        heavy, heavy_calls = counting("day")
        await cache.get(store, ("decisions",), heavy, weight=16)
        for i in range(5):  # 16 + 5 > 20: the least recently used go first
            await cache.get(store, ("view", i), counting(i)[0])
        await cache.get(store, ("decisions",), heavy, weight=16)
        assert len(heavy_calls) == 2

        aged, aged_calls = counting("report")
        await cache.get(store, ("report",), aged, max_age_s=0.0)
        await anyio.sleep(0.01)
        await cache.get(store, ("report",), aged, max_age_s=0.0)
        assert len(aged_calls) == 2  # past its age, computed again
    finally:
        cache.close()


async def _append(results: list[str], pending: Any) -> None:
    results.append(await pending)
