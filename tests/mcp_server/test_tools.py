"""Every tool against the simulator, answering from the live API and from a synced store.

Expected values come from the simulator's tenant (what KnowBe4 holds), never from the server itself;
the same questions asked live and from the store must get the same records back.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from mcp.types import CallToolResult, TextContent

from trainproof.config import Settings
from trainproof.judging import judge
from trainproof.simulator import Simulator
from trainproof.store import open_store

from .conftest import INJECTED_CAMPAIGN, INJECTED_DESCRIPTION, INJECTED_PURCHASE, INJECTION

CAMPAIGN = 4215  # "Security Awareness 2026 - Part B", In Progress, selected by security_awareness

MODES = ["live", "store"]


def ok(result: CallToolResult) -> dict[str, Any]:
    text = " ".join(c.text for c in result.content if isinstance(c, TextContent))
    assert not result.is_error, text
    assert result.structured_content is not None
    return result.structured_content


async def call(client: Any, tool: str, **args: Any) -> dict[str, Any]:
    return ok(await client.call_tool(tool, args))


def check_source(out: dict[str, Any], mode: str) -> None:
    assert out["source"]["source"] == mode
    if mode == "store":
        assert out["source"]["requests_made"] == 0


# --- the eight knowbe4_training_* tools of KnowBe4's training guide ---------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_campaigns(mode: str, sim: Simulator, synced: Settings, connect: Any) -> None:
    tenant = {c["campaign_id"]: c for c in sim.tenant.records("training_campaigns")}
    async with connect(synced, mode) as client:
        out = await call(client, "knowbe4_training_list_campaigns")
        check_source(out, mode)
        assert [c["campaign_id"] for c in out["campaigns"]] == sorted(tenant)
        assert out["page"] == {
            "page": 1, "per_page": 100, "returned": len(tenant), "total": len(tenant), "has_more": False,
            "next_page": None,
        }  # fmt: skip
        for c in out["campaigns"]:
            assert c["name"] == tenant[c["campaign_id"]]["name"]
            assert c["api_status"] == tenant[c["campaign_id"]]["status"]

        # the guide's status word and API string, through trainproof.statuses
        active = await call(client, "knowbe4_training_list_campaigns", status="active")
        assert {c["api_status"] for c in active["campaigns"]} == {"In Progress"}
        assert {c["status"] for c in active["campaigns"]} == {"active"}
        same = await call(client, "knowbe4_training_list_campaigns", status="In Progress")
        assert same["campaigns"] == active["campaigns"]
        closed = await call(client, "knowbe4_training_list_campaigns", status="closed")
        assert {c["api_status"] for c in closed["campaigns"]} == {"Closed", "Completed"}
        completed = await call(client, "knowbe4_training_list_campaigns", status="Completed")
        assert {c["api_status"] for c in completed["campaigns"]} == {"Completed"}
        cancelled = await call(client, "knowbe4_training_list_campaigns", status="cancelled")
        assert {c["api_status"] for c in cancelled["campaigns"]} == {"Cancelled", "Canceled"}
        assert "after fetching" in (cancelled["source"]["note"] or "")

        paged = await call(client, "knowbe4_training_list_campaigns", page=2, per_page=5)
        assert [c["campaign_id"] for c in paged["campaigns"]] == sorted(tenant)[5:10]
        assert paged["page"]["has_more"] is True
        assert paged["page"]["next_page"] == 3

        one = await call(client, "knowbe4_training_get_campaign", campaign_id=CAMPAIGN)
        check_source(one, mode)
        c = one["campaign"]
        raw = tenant[CAMPAIGN]
        assert (c["name"], c["status"], c["api_status"]) == (raw["name"], "active", "In Progress")
        assert [x["module_id"] for x in c["content"]] == [
            x.get("store_purchase_id", x.get("policy_id")) for x in raw["content"]
        ]
        assert c["groups"] == [{"group_id": g["group_id"], "name": g["name"]} for g in raw["groups"]]
        assert c["duration_type"] == raw["duration_type"]
        pct = c["completion_percentage"]
        assert pct is None or 0 <= pct <= 100


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_enrollments(mode: str, sim: Simulator, synced: Settings, connect: Any) -> None:
    expected = sorted(
        (e for e in sim.tenant.records("enrollments") if e.get("campaign_id") == CAMPAIGN),
        key=lambda e: e["enrollment_id"],
    )
    assert len(expected) > 12
    async with connect(synced, mode) as client:
        seen: list[dict[str, Any]] = []
        page: int | None = 1
        while page is not None:
            out = await call(client, "knowbe4_training_list_enrollments", campaign_id=CAMPAIGN, page=page, per_page=5)
            check_source(out, mode)
            assert out["page"]["returned"] <= 5
            seen += out["enrollments"]
            page = out["page"]["next_page"]
        assert [e["enrollment_id"] for e in seen] == [e["enrollment_id"] for e in expected]
        for got, raw in zip(seen, expected, strict=True):
            assert got["campaign_id"] == CAMPAIGN
            assert got["api_status"] == raw["status"]
            assert got["module_name"] == raw["module_name"]
            assert (got["user"] or {}).get("email") == (raw["user"] or {}).get("email")
            assert got["time_spent"] == raw["time_spent"]
            assert got["current_module"] == (raw["module_name"] if raw["status"] == "In Progress" else None)

        done = await call(client, "knowbe4_training_list_enrollments", campaign_id=CAMPAIGN, status="completed")
        want = [e["enrollment_id"] for e in expected if e["status"] in ("Completed", "Passed")]
        assert [e["enrollment_id"] for e in done["enrollments"]] == want
        assert done["filtered_after_fetch"] is True
        assert done["page"]["total"] == len(want)
        assert "cannot filter enrollments by status" in done["source"]["note"]
        assert {e["status"] for e in done["enrollments"]} == {"completed"}
        passed = await call(client, "knowbe4_training_list_enrollments", campaign_id=CAMPAIGN, status="Not Started")
        want = [e["enrollment_id"] for e in expected if e["status"] == "Not Started"]
        assert want
        assert [e["enrollment_id"] for e in passed["enrollments"]] == want

        first = expected[0]
        one = await call(client, "knowbe4_training_get_enrollment", enrollment_id=first["enrollment_id"])
        check_source(one, mode)
        assert one["enrollment"]["enrollment_id"] == first["enrollment_id"]
        assert one["enrollment"]["module_name"] == first["module_name"]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_modules_and_store_purchases(mode: str, sim: Simulator, synced: Settings, connect: Any) -> None:
    purchases = {p["store_purchase_id"]: p for p in sim.tenant.records("store_purchases")}
    policies = {p["policy_id"]: p for p in sim.tenant.records("policies")}
    async with connect(synced, mode) as client:
        out = await call(client, "knowbe4_training_list_modules", per_page=500)
        check_source(out, mode)
        assert out["page"]["total"] == len(purchases) + len(policies)
        kinds = Counter(m["kind"] for m in out["modules"])
        assert kinds == {"store_purchase": len(purchases), "policy": len(policies)}
        types = Counter(m["type"] for m in out["modules"])
        assert types["Policy"] == len(policies)
        for m in out["modules"]:
            if m["kind"] == "store_purchase":
                assert m["type"] == purchases[m["module_id"]]["type"]  # the generator uses the guide's words

        videos = await call(client, "knowbe4_training_list_modules", type="video")
        assert videos["type_filter"] == "Video"
        assert {m["module_id"] for m in videos["modules"]} == {i for i, p in purchases.items() if p["type"] == "Video"}

        policy_id = min(policies)
        module = await call(client, "knowbe4_training_get_module", module_id=policy_id)
        assert module["module"]["kind"] == "policy"
        assert module["module"]["name"] == policies[policy_id]["name"]
        assert module["other_matches"] == []

        listed = await call(client, "knowbe4_training_list_store_purchases", per_page=3)
        assert listed["page"]["total"] == len(purchases)
        assert len(listed["store_purchases"]) == 3
        sp = await call(client, "knowbe4_training_get_store_purchase", store_purchase_id=INJECTED_PURCHASE)
        check_source(sp, mode)
        got = sp["store_purchase"]
        raw = purchases[INJECTED_PURCHASE]
        assert got["content_id"] == INJECTED_PURCHASE
        assert got["content_name"] == raw["name"]
        assert got["content_type"] == raw["type"]
        assert got["description"] == INJECTED_DESCRIPTION


@pytest.mark.anyio
async def test_live_and_store_answer_the_same(sim: Simulator, synced: Settings, connect: Any) -> None:
    calls: list[tuple[str, dict[str, Any]]] = [
        ("knowbe4_training_list_campaigns", {"status": "active"}),
        ("knowbe4_training_get_campaign", {"campaign_id": CAMPAIGN}),
        ("knowbe4_training_list_enrollments", {"campaign_id": CAMPAIGN, "per_page": 500}),
        ("knowbe4_training_list_enrollments", {"campaign_id": CAMPAIGN, "status": "past_due"}),
        ("knowbe4_training_list_modules", {"per_page": 500}),
        ("knowbe4_training_get_module", {"module_id": INJECTED_PURCHASE}),
        ("knowbe4_training_list_store_purchases", {}),
        ("knowbe4_training_get_store_purchase", {"store_purchase_id": INJECTED_PURCHASE}),
    ]

    def strip(out: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in out.items() if k != "source"}
        for c in [*out.get("campaigns", []), *([out["campaign"]] if "campaign" in out else [])]:
            c["completion_percentage"] = None  # live lists cannot have it without 10-per-page requests
        return out

    async with connect(synced, "live") as live, connect(synced, "store") as store:
        for tool, args in calls:
            assert strip(await call(live, tool, **args)) == strip(await call(store, tool, **args)), tool


@pytest.mark.anyio
async def test_store_answers_send_no_request(sim: Simulator, synced: Settings, connect: Any) -> None:
    before = sim.stats.total
    async with connect(synced, "auto") as client:  # auto: a sync has run, so the store answers
        for tool, args in [
            ("knowbe4_training_list_campaigns", {}),
            ("knowbe4_training_list_enrollments", {"campaign_id": CAMPAIGN, "status": "not_started"}),
            ("knowbe4_training_list_modules", {}),
            ("knowbe4_training_compliance_summary", {}),
            ("knowbe4_training_list_noncompliant", {"training": "hipaa"}),
            ("knowbe4_training_sync_status", {}),
        ]:
            out = await call(client, tool, **args)
            if "source" in out:
                check_source(out, "store")
    assert sim.stats.total == before


@pytest.mark.anyio
async def test_auto_answers_live_before_any_sync(sim: Simulator, unsynced: Settings, connect: Any) -> None:
    async with connect(unsynced, None) as client:
        out = await call(client, "knowbe4_training_get_campaign", campaign_id=CAMPAIGN)
        check_source(out, "live")
        assert out["source"]["requests_made"] == 1
        status = await call(client, "knowbe4_training_sync_status")
        assert status["answering_from"] == "live"
        assert status["last_sync"] is None
        assert status["requests_used_today"] >= 1
        assert status["requests_left_today"] == status["daily_budget"] - status["requests_used_today"]


@pytest.mark.anyio
async def test_live_lists_are_fetched_once_and_pages_reuse_what_was_read(
    sim: Simulator, unsynced: Settings, connect: Any
) -> None:
    async with connect(unsynced, "live") as client:
        first = await call(client, "knowbe4_training_list_campaigns")
        assert first["source"]["requests_made"] == 1
        again = await call(client, "knowbe4_training_list_campaigns", status="active", page=1)
        assert again["source"]["requests_made"] == 0  # reused for [mcp] cache_seconds

        sim.reset_stats()
        page = await call(client, "knowbe4_training_list_enrollments", campaign_id=CAMPAIGN, per_page=5)
        assert page["source"]["requests_made"] == 1
        assert sim.stats.count("/v1/training/enrollments") == 1
        assert page["page"]["has_more"] is True
        # One API page (500) held the whole campaign, so the total is known from that one request.
        in_campaign = [e for e in sim.tenant.records("enrollments") if e["campaign_id"] == CAMPAIGN]
        assert page["page"]["total"] == len(in_campaign)
        following = await call(client, "knowbe4_training_list_enrollments", campaign_id=CAMPAIGN, page=2, per_page=5)
        assert following["source"]["requests_made"] == 0  # within the API page already read
        assert following["enrollments"][0]["enrollment_id"] > page["enrollments"][-1]["enrollment_id"]


@pytest.mark.anyio
async def test_store_without_a_campaigns_enrollments(sim: Simulator, synced: Settings, connect: Any) -> None:
    """[sync] campaigns = "selected": auto asks KnowBe4 for the rest, store-only says how to get them."""
    async with connect(synced, "auto") as client:
        out = await call(client, "knowbe4_training_list_enrollments", campaign_id=INJECTED_CAMPAIGN)
        check_source(out, "live")
        assert "Answered live" in out["source"]["note"]
        assert out["page"]["returned"] > 0
    async with connect(synced, "store") as client:
        result = await client.call_tool("knowbe4_training_list_enrollments", {"campaign_id": INJECTED_CAMPAIGN})
        assert result.is_error
        text = result.content[0].text  # type: ignore[union-attr]
        assert f"no enrollments of campaign {INJECTED_CAMPAIGN}" in text
        assert '[sync] campaigns = "all"' in text


# --- compliance tools ----------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_compliance_summary_is_the_engines(mode: str, synced: Settings, connect: Any) -> None:
    engine = open_store(synced.database_url, create=False)
    with engine.connect() as conn:
        expected = judge(conn, synced).evaluation.totals()
    engine.dispose()
    async with connect(synced, mode) as client:
        out = await call(client, "knowbe4_training_compliance_summary")
        check_source(out, mode)
        if mode == "live":
            assert out["source"]["requests_made"] > 0  # fetched into the private mirror
            assert "mirror" in out["source"]["note"]
        got = {t["training"]: t for t in out["trainings"]}
        assert set(got) == {"security_awareness", "hipaa", "ai_awareness"}
        for key, t in got.items():
            assert t["population"] == expected[key]["total"]
            assert t["compliant"] == expected[key]["compliant"]
            assert t["counts"] == {s: n for s, n in expected[key].items() if s != "total"}
            assert t["rate"] == round(t["compliant"] / t["population"], 4)
        assert got["hipaa"]["title"] == "HIPAA Training"

        one = await call(client, "knowbe4_training_compliance_summary", training="hipaa")
        assert [t["training"] for t in one["trainings"]] == ["hipaa"]
        if mode == "live":
            assert one["source"]["requests_made"] == 0  # the mirror is reused

        bad = await client.call_tool("knowbe4_training_compliance_summary", {"training": "gdpr"})
        assert bad.is_error
        assert "configured trainings are security_awareness, hipaa, ai_awareness" in bad.content[0].text  # type: ignore[union-attr]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_person_status_and_noncompliant(mode: str, synced: Settings, connect: Any, sim: Simulator) -> None:
    engine = open_store(synced.database_url, create=False)
    with engine.connect() as conn:
        decisions = judge(conn, synced).evaluation.decisions
    engine.dispose()
    overdue = [d for d in decisions if d.training == "hipaa" and d.state in ("incomplete", "not_enrolled", "expired")]
    assert overdue, "the tenant should have someone overdue for HIPAA"
    target = overdue[0]
    department = target.department
    assert department is not None

    async with connect(synced, mode) as client:
        out = await call(client, "knowbe4_training_person_status", person=target.email.upper())
        check_source(out, mode)
        assert out["person"]["user_id"] == target.user_id
        by_training = {t["training"]: t for t in out["trainings"]}
        hipaa = by_training["hipaa"]
        assert hipaa["state"] == target.state
        assert hipaa["compliant"] is False
        assert hipaa["reason"] == target.reason
        assert hipaa["evidence"] == list(target.evidence_ids)
        by_id = await call(client, "knowbe4_training_person_status", person=str(target.user_id))
        assert by_id["trainings"] == out["trainings"]
        # The same lookup as `trainproof person`: a KnowBe4 alias and an employee number find the person too.
        aliased = next(u for u in sim.tenant.records("users") if u["aliases"] and u["employee_number"])
        for key in (aliased["aliases"][0].upper(), aliased["employee_number"]):
            found = await call(client, "knowbe4_training_person_status", person=key)
            assert found["person"]["user_id"] == aliased["id"], key

        missing = await client.call_tool("knowbe4_training_person_status", {"person": "nobody@example.com"})
        assert missing.is_error

        # "Who in <department> is overdue for HIPAA training, and who is their manager?" in one call.
        answer = await call(
            client,
            "knowbe4_training_list_noncompliant",
            training="hipaa",
            department=department.lower(),
            state="overdue",
            group_by="manager",
        )
        want = {d.user_id for d in overdue if d.department == department}
        people = [p for g in answer["groups"] for p in g["people"]]
        assert {p["user_id"] for p in people} == want
        assert answer["total"] == len(want)
        for g in answer["groups"]:
            assert g["total"] == len(g["people"])  # one page holds them all here
            for p in g["people"]:
                assert p["manager_email"] == g["key"]
                assert p["department"] == department
                assert p["state"] in ("incomplete", "not_enrolled", "expired")
                assert p["reason"]

        everyone = await call(client, "knowbe4_training_list_noncompliant", training="hipaa", per_page=3)
        total = sum(1 for d in decisions if d.training == "hipaa" and not d.compliant)
        assert everyone["total"] == total
        assert everyone["page"]["returned"] == min(3, total)
        assert everyone["page"]["has_more"] is (total > 3)
        by_dept = await call(client, "knowbe4_training_list_noncompliant", training="hipaa", group_by="department")
        keys = [g["key"] for g in by_dept["groups"]]
        assert len(keys) == len(set(keys))  # each department once, people grouped together


@pytest.mark.anyio
async def test_as_of_a_past_date(synced: Settings, connect: Any) -> None:
    async with connect(synced, "store") as client:
        now = await call(client, "knowbe4_training_compliance_summary", training="security_awareness")
        then = await call(
            client, "knowbe4_training_compliance_summary", training="security_awareness", as_of="2025-01-01"
        )
        assert then["as_of"] == "2025-01-01"
        assert then["trainings"][0]["compliant"] <= now["trainings"][0]["compliant"]


@pytest.mark.anyio
async def test_sync_status(sim: Simulator, synced: Settings, connect: Any) -> None:
    async with connect(synced, None) as client:
        out = await call(client, "knowbe4_training_sync_status")
        assert out["configured_source"] == "auto"
        assert out["answering_from"] == "store"
        assert out["last_successful_sync"]["outcome"] == "ok"
        assert out["last_successful_sync"]["requests"] > 0
        assert out["last_sync"]["run_id"] == out["last_successful_sync"]["run_id"]
        assert out["daily_budget"] >= 2000
        assert "store.db" in out["store"]


# --- KnowBe4 text is data ------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_instructions_in_knowbe4_text_come_back_as_data(mode: str, synced: Settings, connect: Any) -> None:
    async with connect(synced, mode) as client:
        tools_before = (await client.list_tools()).tools
        got = await call(client, "knowbe4_training_get_campaign", campaign_id=INJECTED_CAMPAIGN)
        assert got["campaign"]["name"] == INJECTION  # verbatim, in a data field
        listed = await call(client, "knowbe4_training_list_campaigns")
        assert INJECTION in [c["name"] for c in listed["campaigns"]]
        module = await call(client, "knowbe4_training_get_module", module_id=INJECTED_PURCHASE)
        assert module["module"]["description"] == INJECTED_DESCRIPTION

        # The server did not act on it: the same tools, nothing else called, and errors never quote it.
        assert (await client.list_tools()).tools == tools_before
        missing = await client.call_tool("knowbe4_training_get_campaign", {"campaign_id": 999_999})
        assert missing.is_error
        text = missing.content[0].text  # type: ignore[union-attr]
        assert text == (
            "Error executing tool knowbe4_training_get_campaign: "
            "Campaign 999999 not found: list campaigns to see valid ids"
        )
        for result in (got, listed, module):
            assert "source" in result
            assert INJECTION not in (result["source"]["note"] or "")
