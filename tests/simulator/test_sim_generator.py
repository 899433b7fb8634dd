"""The generated tenant: deterministic for a seed, and holding every case clients must handle."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from trainproof.simulator import DEMO_CAMPAIGN_NAMES, Tenant, generate_tenant


def dump(tenant: Tenant) -> str:
    out = io.StringIO()
    tenant.dump(out)
    return out.getvalue()


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def tenant() -> dict[str, Any]:
    return generate_tenant(300, seed=7).to_dict()


def test_same_seed_same_json_other_seed_other_json() -> None:
    assert dump(generate_tenant(60, seed=5)) == dump(generate_tenant(60, seed=5))
    assert dump(generate_tenant(60, seed=5)) != dump(generate_tenant(60, seed=6))
    moved = generate_tenant(60, seed=5, reference_date=date(2027, 1, 1))
    assert dump(moved) != dump(generate_tenant(60, seed=5))


def test_people(tenant: dict[str, Any]) -> None:
    users = tenant["users"]
    by_email = {u["email"]: u for u in users}
    reference = instant("2026-11-01T00:00:00.000Z")
    assert len(users) == 300
    assert len({u["id"] for u in users}) == 300
    assert len({u["department"] for u in users}) >= 8
    assert len({u["division"] for u in users}) >= 3
    assert len({u["location"] for u in users}) >= 4
    managed = [u for u in users if u["manager_email"] is not None]
    assert len(managed) == 299
    assert all(by_email[u["manager_email"]]["first_name"] in u["manager_name"] for u in managed)
    starts = [instant(u["employee_start_date"]) for u in users]
    assert min(starts) < reference - timedelta(days=3650)
    assert any(reference - timedelta(days=30) <= s <= reference for s in starts)  # new hires
    archived = [u for u in users if u["status"] == "archived"]
    assert archived
    assert all(u["archived_at"] is not None for u in archived)
    assert all(u["archived_at"] is None for u in users if u["status"] == "active")
    assert any(u["aliases"] for u in users)
    numbers = [u["employee_number"] for u in users]
    assert all(n is None or isinstance(n, str) for n in numbers)
    assert any(n is None for n in numbers)
    assert all(isinstance(g, int) for u in users for g in u["groups"])


def test_groups_and_membership(tenant: dict[str, Any]) -> None:
    groups = {g["id"]: g for g in tenant["groups"]}
    members = Counter(g for u in tenant["users"] if u["status"] == "active" for g in u["groups"])
    assert {g["group_type"] for g in groups.values()} == {"console_group", "smart_group", "provisioning_managed_group"}
    assert all(g["member_count"] == members[gid] for gid, g in groups.items() if g["status"] == "active")


def test_content(tenant: dict[str, Any]) -> None:
    purchases = tenant["store_purchases"]
    reference = instant("2026-11-01T00:00:00.000Z")
    assert {p["type"] for p in purchases} == {"Training Module", "Video", "Game", "Assessment", "Newsletter", "Poster"}
    assert any(p["retired"] and p["retirement_date"] for p in purchases)
    assert any(instant(p["purchase_date"]) < reference - timedelta(days=730) for p in purchases)
    assert {p["status"] for p in tenant["policies"]} == {0, 1}


def test_training_campaigns(tenant: dict[str, Any]) -> None:
    campaigns = tenant["training_campaigns"]
    names = [c["name"] for c in campaigns]
    assert len(campaigns) > 10
    assert set(DEMO_CAMPAIGN_NAMES) <= set(names)
    assert "Security Awareness 2025" in names
    statuses = {c["status"] for c in campaigns}
    assert statuses == {"Created", "Enrolling", "In Progress", "Completed", "Closed", "Cancelled", "Canceled"}
    assert {c["duration_type"] for c in campaigns} == {"Specific End Date", "Relative End Date", "No End Date"}
    for c in campaigns:
        kinds = {item["content_type"] for item in c["content"]}
        assert kinds <= {"Store Purchase", "Uploaded Policy"}
    assert any(len({i["content_type"] for i in c["content"]}) == 2 for c in campaigns)
    relative = [c for c in campaigns if c["duration_type"] == "Relative End Date"]
    assert all(c["relative_duration"] and c["end_date"] is None for c in relative)


def test_enrollments(tenant: dict[str, Any]) -> None:
    enrollments = tenant["enrollments"]
    campaigns = {c["campaign_id"]: c for c in tenant["training_campaigns"]}
    per_user = len(enrollments) / len(tenant["users"])
    assert 8 <= per_user <= 14
    assert {e["status"] for e in enrollments} == {"Not Started", "In Progress", "Completed", "Passed", "Past Due"}
    assert any(e["user"] is None for e in enrollments)
    pairs = Counter((e["user"]["id"], e["module_name"], e["campaign_id"]) for e in enrollments if e["user"])
    assert max(pairs.values()) >= 2
    late = [
        e
        for e in enrollments
        if e["completion_date"]
        and campaigns[e["campaign_id"]]["end_date"]
        and instant(e["completion_date"]) > instant(campaigns[e["campaign_id"]]["end_date"])
    ]
    assert late
    assert all(e["completion_date"] for e in enrollments if e["status"] in ("Passed", "Completed"))
    assert all(e["completion_date"] is None for e in enrollments if e["status"] not in ("Passed", "Completed"))
    assert all(e["campaign_name"] == campaigns[e["campaign_id"]]["name"] for e in enrollments)
    created = [c["campaign_id"] for c in campaigns.values() if c["status"] == "Created"]
    assert not [e for e in enrollments if e["campaign_id"] in created]
    names = {p["store_purchase_id"]: p["name"] for p in tenant["store_purchases"]}
    assert all(names[e["store_purchase_id"]] == e["module_name"] for e in enrollments if e["store_purchase_id"])
    assert any(e["policy_acknowledged"] for e in enrollments)


def test_phishing(tenant: dict[str, Any]) -> None:
    tests = tenant["security_tests"]
    recipients = tenant["recipients"]
    by_pst = Counter(r["pst_id"] for r in recipients)
    assert all(t["scheduled_count"] in (by_pst[t["pst_id"]], None) for t in tests)
    assert all(0 <= t["phish_prone_percentage"] <= 1 for t in tests)
    assert any(c.get("campaign_type") == "callback" for c in tenant["phishing_campaigns"])
    counts = ("clicked_count", "data_entered_count", "attachment_open_count", "reported_count", "qr_code_scanned_count")
    for key in counts:
        assert sum(t[key] or 0 for t in tests) > 0, key
    users = {u["id"] for u in tenant["users"]}
    assert all(r["user"]["id"] in users for r in recipients)
    remediation = next(c for c in tenant["training_campaigns"] if c["name"] == "Phishing Remediation - Q3 2026")
    remediated = {e["user"]["id"] for e in tenant["enrollments"] if e["campaign_id"] == remediation["campaign_id"]}
    q3_failures = {
        r["user"]["id"] for r in recipients if r["clicked_at"] and "2026-07-01" <= r["clicked_at"][:10] < "2026-10-01"
    }
    assert q3_failures <= remediated


@pytest.mark.parametrize("users", [0, 1, 3, 12])
def test_tiny_tenants_still_work(users: int) -> None:
    data = generate_tenant(users, seed=1).to_dict()
    assert len(data["users"]) == users
    assert len(data["training_campaigns"]) == 14


def test_scales_to_thousands_with_about_ten_enrollments_each() -> None:
    big = generate_tenant(3000, seed=2)
    assert 8 * 3000 <= big.count("enrollments") <= 14 * 3000
    first = big.get("enrollments", 1_425_001)
    assert first is not None
    assert first["campaign_name"] == "Security Awareness 2024"
