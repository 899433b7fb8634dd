"""The MCP server over three simulated KnowBe4 accounts in one store (SQLite and PostgreSQL), through the
official mcp client: every answer is about the account asked for and holds nothing of another (every
KnowBe4 id is the same in each account, the people differ), a call that does not say which account is
a tool error naming them, knowbe4_training_list_accounts lists them as `trainproof accounts` does, and
knowbe4_training_accounts_compliance compares them with the rows of `trainproof report accounts`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio.to_thread
import pytest
from mcp import Client
from mcp.types import CallToolResult, TextContent

from running import Trainproof
from trainproof import clock
from trainproof.accounts import Accounts, load_accounts
from trainproof.mcp_server import create_server
from trainproof.reports.accounts import AccountTrainingRow, account_states, report_accounts
from trainproof.sync import run_sync
from workers._world import Accounts as World
from workers._world import StartSimulator, start_accounts

NAMES = ["acme", "globex", "initech"]
ACROSS = "knowbe4_training_accounts_compliance"
TRAININGS = '\n[trainings.sat]\ntitle = "Security Awareness"\ncampaigns = ["Security Awareness 2025"]\n'


def _text(result: CallToolResult) -> str:
    return " ".join(c.text for c in result.content if isinstance(c, TextContent))


async def _call(client: Client, tool: str, **args: Any) -> dict[str, Any]:
    result = await client.call_tool(tool, args)
    assert not result.is_error, _text(result)
    assert result.structured_content is not None
    return result.structured_content


async def _world(
    simulator_factory: StartSimulator, tmp_path: Path, store_url: str, synced: list[str] = NAMES
) -> tuple[World, Accounts]:
    """Three accounts, those `synced` synced (in a thread: a sync runs its own event loop)."""
    return await anyio.to_thread.run_sync(_synced_world, simulator_factory, tmp_path, store_url, synced)


def _synced_world(
    simulator_factory: StartSimulator, tmp_path: Path, store_url: str, synced: list[str]
) -> tuple[World, Accounts]:
    world = start_accounts(simulator_factory, NAMES, tmp_path, store_url, users=[20, 30, 40])
    world.config.write_text(world.config.read_text() + TRAININGS)
    accounts = load_accounts(world.config, env=world.env())
    for name in synced:
        _sync(accounts, name)
    return world, accounts


def _sync(accounts: Accounts, name: str) -> None:
    assert run_sync(accounts.get(name).settings).outcome == "ok"


def _emails(world: World) -> dict[str, set[str]]:
    return {a.name: {str(u["email"]).lower() for u in a.sim.tenant.records("users")} for a in world.items}


@pytest.mark.anyio
async def test_each_answer_holds_only_its_own_account(
    simulator_factory: StartSimulator, store_url: str, tmp_path: Path
) -> None:
    world, accounts = await _world(simulator_factory, tmp_path, store_url)
    emails = _emails(world)
    assert not emails["acme"] & emails["globex"]  # the worlds differ, so a leak would show
    in_scope = {r.account: r.in_scope for r in report_accounts(accounts)}
    assert len(set(in_scope.values())) == 3  # a summary served from another account's cache entry would show

    async with Client(create_server(accounts=accounts, source="store"), raise_exceptions=True) as client:
        for name in NAMES:
            own = emails[name]
            others = set().union(*(emails[o] for o in NAMES if o != name))

            summary = await _call(client, "knowbe4_training_compliance_summary", account=name)
            assert summary["source"]["account"] == name
            assert [t["population"] for t in summary["trainings"]] == [in_scope[name]]

            listed = await _call(
                client, "knowbe4_training_list_noncompliant", training="sat", per_page=500, account=name
            )
            people = {str(p["email"]).lower() for g in listed["groups"] for p in g["people"]}
            assert people, name
            assert people <= own
            assert not people & others

            overdue = await _call(client, "knowbe4_training_overdue", per_page=500, account=name)
            assert overdue["source"]["account"] == name
            assert {str(r["email"]).lower() for r in overdue["rows"]} <= own

            someone_else = sorted(others)[0]
            missing = await client.call_tool(
                "knowbe4_training_person_status", {"person": someone_else, "account": name}
            )
            assert missing.is_error
            assert "Person not found" in _text(missing)
            mine = await _call(client, "knowbe4_training_person_status", person=sorted(own)[0], account=name)
            assert str(mine["person"]["email"]).lower() == sorted(own)[0]

            tenant = {c["campaign_id"]: c["name"] for c in world[name].sim.tenant.records("training_campaigns")}
            campaigns = await _call(client, "knowbe4_training_list_campaigns", account=name)
            assert {c["campaign_id"]: c["name"] for c in campaigns["campaigns"]} == tenant
            selected = next(c for c in campaigns["campaigns"] if c["name"] == "Security Awareness 2025")
            enrollments = await _call(
                client,
                "knowbe4_training_list_enrollments",
                campaign_id=selected["campaign_id"],
                per_page=500,
                account=name,
            )
            enrolled = {str(e["user"]["email"]).lower() for e in enrollments["enrollments"] if e["user"]}
            assert enrolled
            assert enrolled <= own

            status = await _call(client, "knowbe4_training_sync_status", account=name)
            assert status["account"] == name
            assert status["last_successful_sync"] is not None


@pytest.mark.anyio
async def test_a_call_without_account_names_them_and_the_list_tool_lists_them(
    simulator_factory: StartSimulator, tmp_path: Path
) -> None:
    world, accounts = await _world(simulator_factory, tmp_path, f"sqlite:///{tmp_path / 'store.db'}")
    async with Client(create_server(accounts=accounts), raise_exceptions=True) as client:
        unnamed = await client.call_tool("knowbe4_training_compliance_summary", {})
        assert unnamed.is_error
        assert (
            "this server answers for 3 KnowBe4 accounts (acme, globex, initech): say which with the account "
            "argument (knowbe4_training_list_accounts lists them)"
        ) in _text(unnamed)
        unknown = await client.call_tool("knowbe4_training_list_campaigns", {"account": "umbrella"})
        assert unknown.is_error
        assert "no account 'umbrella': this server answers for acme, globex, initech" in _text(unknown)

        listed = await _call(client, "knowbe4_training_list_accounts")
        assert listed["default_account"] is None
        expected = [s.model_dump(mode="json") for s in account_states(accounts)]
        got = listed["accounts"]
        assert [a["account"] for a in got] == NAMES
        for row, want in zip(got, expected, strict=True):  # the rows of `trainproof accounts`, not recomputed
            assert {k: v for k, v in row.items() if k != "age_hours"} == {
                k: v for k, v in want.items() if k != "age_hours"
            }
        assert {a["health"] for a in got} == {"ok"}
        assert [a["title"] for a in got] == [n.title() for n in NAMES]

    # Live answers go to the account's own KnowBe4 (its simulator, with its token), never another's.
    before = {a.name: a.sim.stats.total for a in world.items}
    async with Client(create_server(accounts=accounts, source="live"), raise_exceptions=True) as client:
        live = await _call(client, "knowbe4_training_list_campaigns", account="globex")
    assert live["source"] == live["source"] | {"source": "live", "account": "globex"}
    tenant = {c["campaign_id"]: c["name"] for c in world["globex"].sim.tenant.records("training_campaigns")}
    assert {c["campaign_id"]: c["name"] for c in live["campaigns"]} == tenant
    after = {a.name: a.sim.stats.total for a in world.items}
    assert after["globex"] > before["globex"]
    assert (after["acme"], after["initech"]) == (before["acme"], before["initech"])


@pytest.mark.anyio
async def test_a_server_for_one_account_needs_no_account_argument(
    simulator_factory: StartSimulator, tmp_path: Path
) -> None:
    _, accounts = await _world(simulator_factory, tmp_path, f"sqlite:///{tmp_path / 'store.db'}")
    only = Accounts((accounts.get("globex"),), configured=True)  # what `trainproof --account globex mcp` serves
    async with Client(create_server(accounts=only, source="store"), raise_exceptions=True) as client:
        summary = await _call(client, "knowbe4_training_compliance_summary")
        assert summary["source"]["account"] == "globex"
        listed = await _call(client, "knowbe4_training_list_accounts")
        assert listed["default_account"] == "globex"
        assert [a["account"] for a in listed["accounts"]] == ["globex"]
        other = await client.call_tool("knowbe4_training_compliance_summary", {"account": "acme"})
        assert other.is_error
        assert "no account 'acme': this server answers for globex" in _text(other)


def test_the_answer_cache_keeps_each_account_apart(tmp_path: Path) -> None:
    """Two accounts of one store at the same version (run ids may coincide) are two cache entries."""
    from trainproof.mcp_server._cache import AnswerCache, store_key
    from trainproof.store import open_store
    from trainproof.store.freshness import StoreVersion

    url = f"sqlite:///{tmp_path / 'store.db'}"
    acme, globex = open_store(url, account="acme"), open_store(url, account="globex")
    version = StoreVersion(last=None, ok=None, last_event_id=7, last_reminder_id=0)
    cache = AnswerCache()
    try:
        first = cache.submit(store_key(acme, version), ("decisions",), lambda: "acme's").result()
        second = cache.submit(store_key(globex, version), ("decisions",), lambda: "globex's").result()
        assert (first, second) == ("acme's", "globex's")
    finally:
        cache.close()
        acme.dispose()
        globex.dispose()


@pytest.mark.anyio
async def test_compliance_across_accounts_is_report_accounts(
    simulator_factory: StartSimulator,
    store_url: str,
    tmp_path: Path,
    trainproof: Trainproof,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The cross-customer tool answers with the rows of `trainproof report accounts` (filtered, never
    recomputed), names the accounts that cannot answer, and sees an account's sync in its next answer."""
    monkeypatch.setenv("TRAINPROOF_NOW", clock.now().isoformat())  # the tool and the command judge at one instant
    world, accounts = await _world(simulator_factory, tmp_path, store_url, synced=["acme", "globex"])

    def printed() -> list[AccountTrainingRow]:
        result = trainproof("report", "accounts", "--format", "json", env=world.env())
        return [AccountTrainingRow.model_validate(r) for r in result.json()]

    async with Client(create_server(accounts=accounts, source="store"), raise_exceptions=True) as client:
        before = await _call(client, ACROSS)
        assert {r["account"] for r in before["rows"]} == {"acme", "globex"}
        worst_first = [r["percent_compliant"] for r in before["rows"]]
        assert worst_first == sorted(worst_first)
        assert [(u["account"], u["problem"]) for u in before["unanswered"]] == [
            ("initech", "never synced: run trainproof --account initech sync")
        ]
        assert before["accounts_served"] == 3

        await anyio.to_thread.run_sync(_sync, accounts, "initech")
        everything = await _call(client, ACROSS)  # a sync of one account shows in the next answer
        assert everything["unanswered"] == []
        rows = [AccountTrainingRow.model_validate(r) for r in everything["rows"]]
        assert rows == await anyio.to_thread.run_sync(printed)  # the command's rows, worst first
        assert {r.account for r in rows} == set(NAMES)
        percents = [r.percent_compliant for r in rows]
        assert None not in percents
        assert len(set(percents)) == 3  # three different answers, so a filter that chose wrongly would show

        threshold = max(p for p in percents if p is not None)  # every account but the best is below it
        below = await _call(client, ACROSS, training="sat", below_percent=threshold)
        want = [r for r in rows if r.percent_compliant is not None and r.percent_compliant < threshold]
        assert [AccountTrainingRow.model_validate(r) for r in below["rows"]] == want
        assert below["accounts"] == [r.account for r in want]
        assert len(below["accounts"]) == 2
        assert (below["training_filter"], below["below_percent"]) == ("sat", threshold)

        paged = await _call(client, ACROSS, per_page=1, page=2)
        assert [AccountTrainingRow.model_validate(r) for r in paged["rows"]] == rows[1:2]
        assert paged["page"] | {"has_more": True, "next_page": 3, "total": 3} == paged["page"]
        assert paged["accounts"] == [r.account for r in rows]  # across every page

        unknown = await client.call_tool(ACROSS, {"training": "gdpr"})
        assert unknown.is_error
        assert "unknown training 'gdpr': the configured trainings are sat" in _text(unknown)
        too_high = await client.call_tool(ACROSS, {"below_percent": 101})
        assert too_high.is_error
