"""Training endpoints: the 10-campaign cap, completion percentages, include_* flags and filters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from trainproof.simulator import Simulator, generate_tenant

from ._helpers import CAMPAIGN_ID, campaign, client, enrollment, tenant_with_enrollments, user

CAMPAIGNS = "/v1/training/campaigns"
ENROLLMENTS = "/v1/training/enrollments"


def test_campaign_list_is_capped_at_ten_without_exclude_percentages(simulator: Simulator) -> None:
    total = simulator.tenant.count("training_campaigns")
    assert total > 10
    with client(simulator) as http:
        capped = http.get(CAMPAIGNS).json()
        page_two = http.get(CAMPAIGNS, params={"page": 2}).json()
        small_pages = [http.get(CAMPAIGNS, params={"page": p, "per_page": 4}).json() for p in (1, 2, 3, 4)]
        full = http.get(CAMPAIGNS, params={"exclude_percentages": "true", "per_page": 500}).json()
        not_true = http.get(CAMPAIGNS, params={"exclude_percentages": "false"}).json()

    assert len(capped) == 10
    assert page_two == []
    assert [len(p) for p in small_pages] == [4, 4, 2, 0]
    assert [c["campaign_id"] for p in small_pages for c in p] == [c["campaign_id"] for c in capped]
    assert all(isinstance(c["completion_percentage"], int) for c in capped)
    assert len(full) == total
    assert all("completion_percentage" not in c for c in full)
    assert [c["campaign_id"] for c in full[:10]] == [c["campaign_id"] for c in capped]
    assert len(not_true) == 10


def test_exclude_percentages_pages_normally(simulator: Simulator) -> None:
    with client(simulator) as http:
        pages = [
            http.get(CAMPAIGNS, params={"exclude_percentages": "true", "per_page": 5, "page": p}).json()
            for p in (1, 2, 3, 4)
        ]
    assert [len(p) for p in pages] == [5, 5, 4, 0]


def test_completion_percentage_follows_the_enrollments(simulator_factory: Callable[..., Simulator]) -> None:
    tenant = tenant_with_enrollments(4, users=4)
    for record, status in zip(tenant["enrollments"], ["Passed", "Completed", "Past Due", "In Progress"], strict=True):
        record["status"] = status
    sim = simulator_factory(tenant, limits="off")
    with client(sim) as http:
        assert http.get(f"{CAMPAIGNS}/{CAMPAIGN_ID}").json()["completion_percentage"] == 50
        assert http.get(f"{CAMPAIGNS}/{CAMPAIGN_ID + 1}").json()["completion_percentage"] == 0
        sim.tenant.update("enrollments", 1002, status="Passed")
        assert http.get(f"{CAMPAIGNS}/{CAMPAIGN_ID}").json()["completion_percentage"] == 75
        single = http.get(f"{CAMPAIGNS}/{CAMPAIGN_ID}", params={"exclude_percentages": "true"}).json()
    assert "completion_percentage" not in single


def test_a_completion_percentage_given_by_the_tenant_is_served_as_is(
    simulator_factory: Callable[..., Simulator],
) -> None:
    sim = simulator_factory({"training_campaigns": [campaign(7, completion_percentage=-1)]}, limits="off")
    with client(sim) as http:
        assert http.get(CAMPAIGNS).json()[0]["completion_percentage"] == -1


def test_include_flags_add_hidden_fields_only_when_asked(simulator: Simulator) -> None:
    with client(simulator) as http:
        plain = http.get(ENROLLMENTS, params={"per_page": 500}).json()
        flagged = http.get(
            ENROLLMENTS,
            params={
                "per_page": 500,
                "include_campaign_id": "true",
                "include_store_purchase_id": "true",
                "include_employee_number": "true",
            },
        ).json()
        campaign_only = http.get(ENROLLMENTS, params={"include_campaign_id": "true"}).json()

    with_user = [e for e in plain if e["user"] is not None]
    assert with_user
    assert all("campaign_id" not in e and "store_purchase_id" not in e for e in plain)
    assert all("employee_number" not in e["user"] for e in with_user)
    assert list(plain[0]) == [
        "enrollment_id",
        "content_type",
        "module_name",
        "user",
        "campaign_name",
        "enrollment_date",
        "start_date",
        "completion_date",
        "status",
        "time_spent",
        "policy_acknowledged",
    ]
    assert all(isinstance(e["campaign_id"], int) for e in flagged)
    policies = [e for e in flagged if e["content_type"] == "Uploaded Policy"]
    modules = [e for e in flagged if e["content_type"] == "Store Purchase"]
    assert policies
    assert all(e["store_purchase_id"] is None for e in policies)
    assert modules
    assert all(isinstance(e["store_purchase_id"], int) for e in modules)
    numbers = [e["user"]["employee_number"] for e in flagged if e["user"] is not None]
    assert all(n is None or isinstance(n, str) for n in numbers)
    assert any(numbers)
    assert all("campaign_id" in e and "store_purchase_id" not in e for e in campaign_only)


def test_employee_number_comes_from_the_user_when_the_enrollment_lacks_it(
    simulator_factory: Callable[..., Simulator],
) -> None:
    record = enrollment(1, user_id=5)
    del record["user"]["employee_number"]
    tenant = {"users": [user(5, employee_number=123456)], "enrollments": [record]}
    sim = simulator_factory(tenant, limits="off")
    with client(sim) as http:
        shown = http.get(f"{ENROLLMENTS}/1", params={"include_employee_number": "true"}).json()
    assert shown["user"]["employee_number"] == 123456


def _uid(record: dict[str, Any]) -> object:
    user_obj: dict[str, Any] | None = record["user"]
    return None if user_obj is None else user_obj["id"]


def _expected(sim: Simulator, keep: Callable[[dict[str, Any]], bool]) -> list[int]:
    return [e["enrollment_id"] for e in sim.tenant.records("enrollments") if keep(e)]


def _fetch(sim: Simulator, **params: str) -> list[int]:
    with client(sim) as http:
        records = http.get(ENROLLMENTS, params={"per_page": 500, **params}).json()
    return [e["enrollment_id"] for e in records]


def test_enrollment_filters(simulator: Simulator) -> None:
    sim = simulator
    records = sim.tenant.records("enrollments")
    some = next(e for e in records if e["user"] is not None and e["store_purchase_id"] is not None)
    uid, cid, spid = some["user"]["id"], some["campaign_id"], some["store_purchase_id"]
    archived = {u["id"] for u in sim.tenant.records("users") if u["status"] == "archived"}
    assert archived

    assert _fetch(sim, campaign_id=str(cid)) == _expected(sim, lambda e: e["campaign_id"] == cid)
    assert _fetch(sim, user_id=str(uid)) == _expected(sim, lambda e: _uid(e) == uid)
    assert _fetch(sim, store_purchase_id=str(spid)) == _expected(sim, lambda e: e["store_purchase_id"] == spid)
    assert _fetch(sim, campaign_id=str(cid), user_id=str(uid)) == _expected(
        sim, lambda e: e["campaign_id"] == cid and _uid(e) == uid
    )
    not_archived = _expected(sim, lambda e: _uid(e) not in archived)
    with client(sim) as http:
        walked: list[int] = []
        for page in range(1, 50):
            chunk = http.get(ENROLLMENTS, params={"exclude_archived_users": "true", "per_page": 500, "page": page})
            if not chunk.json():
                break
            walked.extend(e["enrollment_id"] for e in chunk.json())
    assert walked == not_archived
    assert len(walked) < len(records)
    assert _fetch(sim, campaign_id="999999") == []
    assert _fetch(sim, campaign_id="abc") == []


def test_enrollments_keep_null_users_and_duplicates(simulator: Simulator) -> None:
    with client(simulator) as http:
        everything: list[dict[str, Any]] = []
        for page in range(1, 50):
            chunk = http.get(ENROLLMENTS, params={"per_page": 500, "page": page}).json()
            if not chunk:
                break
            everything.extend(chunk)
    assert any(e["user"] is None for e in everything)
    pairs = [(e["user"]["id"], e["module_name"], e["campaign_name"]) for e in everything if e["user"]]
    assert len(pairs) > len(set(pairs))  # the same user enrolled twice in one module of one campaign


def test_single_records_and_not_found(simulator: Simulator) -> None:
    first = simulator.tenant.records("enrollments")[0]
    with client(simulator) as http:
        one = http.get(f"{ENROLLMENTS}/{first['enrollment_id']}").json()
        flagged = http.get(f"{ENROLLMENTS}/{first['enrollment_id']}", params={"include_campaign_id": "true"}).json()
        missing = http.get(f"{ENROLLMENTS}/1")
        purchase = http.get("/v1/training/store_purchases").json()[0]
        purchase_one = http.get(f"/v1/training/store_purchases/{purchase['store_purchase_id']}").json()
        policy = http.get("/v1/training/policies").json()[0]
        policy_one = http.get(f"/v1/training/policies/{policy['policy_id']}").json()
        missing_campaign = http.get(f"{CAMPAIGNS}/1")
        missing_purchase = http.get("/v1/training/store_purchases/1")
        missing_policy = http.get("/v1/training/policies/1")
    assert one["enrollment_id"] == first["enrollment_id"]
    assert "campaign_id" not in one
    assert flagged["campaign_id"] == first["campaign_id"]
    assert missing.status_code == 404
    assert missing.json() == {"message": "Enrollment not found"}
    assert purchase_one == purchase
    assert policy_one == policy
    assert missing_campaign.json() == {"message": "Campaign not found"}
    assert missing_purchase.json() == {"message": "Store purchase not found"}
    assert missing_policy.json() == {"message": "Policy not found"}


def test_campaign_content_is_flat_and_mixes_purchases_and_policies(simulator: Simulator) -> None:
    with client(simulator) as http:
        campaigns = http.get(CAMPAIGNS, params={"exclude_percentages": "true"}).json()
        purchases = http.get("/v1/training/store_purchases").json()
    items = [item for c in campaigns for item in c["content"]]
    assert all(isinstance(item, dict) for item in items)
    assert {"Store Purchase", "Uploaded Policy"} <= {item["content_type"] for item in items}
    policy_item = next(item for item in items if item["content_type"] == "Uploaded Policy")
    assert set(policy_item) == {"policy_id", "content_type", "name", "minimum_time", "default_language", "published"}
    by_id = {p["store_purchase_id"]: p for p in purchases}
    assert all(by_id[i["store_purchase_id"]] == i for i in items if i["content_type"] == "Store Purchase")


@pytest.mark.parametrize("seed", [1, 2])
def test_every_content_type_is_used_by_some_campaign(seed: int) -> None:
    tenant = generate_tenant(30, seed=seed)
    types = {item.get("type", "Uploaded Policy") for c in tenant.records("training_campaigns") for item in c["content"]}
    assert types == {"Training Module", "Video", "Game", "Assessment", "Newsletter", "Poster", "Uploaded Policy"}
