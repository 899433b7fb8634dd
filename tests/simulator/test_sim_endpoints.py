"""Account, users, groups, risk score histories and phishing endpoints: shapes and filters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import httpx2
import pytest

from trainproof.simulator import Simulator

from ._helpers import client

USER_KEYS = [
    "id",
    "employee_number",
    "first_name",
    "last_name",
    "job_title",
    "email",
    "phish_prone_percentage",
    "phone_number",
    "extension",
    "mobile_phone_number",
    "location",
    "division",
    "manager_name",
    "manager_email",
    "provisioning_managed",
    "provisioning_guid",
    "groups",
    "current_risk_score",
    "aliases",
    "joined_on",
    "last_sign_in",
    "status",
    "organization",
    "department",
    "language",
    "comment",
    "employee_start_date",
    "archived_at",
    "custom_field_1",
    "custom_field_2",
    "custom_field_3",
    "custom_field_4",
    "custom_date_1",
    "custom_date_2",
]


def get_all(http: httpx2.Client, path: str, **params: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for page in range(1, 100):
        chunk = http.get(path, params={"page": page, "per_page": 500, **params}).json()
        if not chunk:
            return out
        out.extend(chunk)
    raise AssertionError("no end")


def test_account(simulator: Simulator) -> None:
    with client(simulator) as http:
        account = http.get("/v1/account").json()
    assert set(account) == {
        "name",
        "type",
        "domains",
        "admins",
        "subscription_level",
        "subscription_end_date",
        "number_of_seats",
        "current_risk_score",
    }
    assert account["subscription_level"] == "Platinum"
    assert account["number_of_seats"] >= simulator.tenant.count("users") * 0.9


def test_users_filters_and_shape(simulator: Simulator) -> None:
    with client(simulator) as http:
        users = get_all(http, "/v1/users")
        active = get_all(http, "/v1/users", status="active")
        archived = get_all(http, "/v1/users", status="archived")
        group_id = users[-1]["groups"][0]
        in_group = get_all(http, "/v1/users", group_id=str(group_id))
        active_in_group = get_all(http, "/v1/users", group_id=str(group_id), status="active")
        members = get_all(http, f"/v1/groups/{group_id}/members")
        one = http.get(f"/v1/users/{users[0]['id']}").json()
        expanded = http.get(f"/v1/users/{users[-1]['id']}", params={"expand": "group"}).json()

    assert list(users[0]) == USER_KEYS
    assert len(users) == simulator.tenant.count("users")
    assert {u["id"] for u in active} | {u["id"] for u in archived} == {u["id"] for u in users}
    assert archived
    assert all(u["archived_at"] is not None for u in archived)
    assert in_group == [u for u in users if group_id in u["groups"]]
    assert active_in_group == [u for u in in_group if u["status"] == "active"]
    assert members == in_group
    assert one == users[0]
    assert expanded["groups"][0]["id"] == group_id
    assert "group_type" in expanded["groups"][0]


def test_groups(simulator: Simulator) -> None:
    with client(simulator) as http:
        groups = http.get("/v1/groups").json()
        archived = http.get("/v1/groups", params={"status": "archived"}).json()
        one = http.get(f"/v1/groups/{groups[0]['id']}").json()
        missing = http.get("/v1/groups/0")
        missing_members = http.get("/v1/groups/0/members")
    assert set(groups[0]) == {
        "id",
        "name",
        "group_type",
        "provisioning_guid",
        "member_count",
        "current_risk_score",
        "status",
    }
    assert {g["group_type"] for g in groups} == {"console_group", "smart_group", "provisioning_managed_group"}
    assert archived
    assert all(g["status"] == "archived" for g in archived)
    assert one == groups[0]
    assert missing.status_code == 404
    assert missing.json() == {"message": "Group not found"}
    assert missing_members.status_code == 404


@pytest.mark.parametrize("scope", ["account", "user", "group"])
def test_risk_score_history_six_months_or_full(simulator: Simulator, scope: str) -> None:
    with client(simulator) as http:
        prefix = {
            "account": "/v1/account",
            "user": f"/v1/users/{http.get('/v1/users').json()[0]['id']}",
            "group": f"/v1/groups/{http.get('/v1/groups').json()[0]['id']}",
        }[scope]
        recent = http.get(f"{prefix}/risk_score_history").json()
        full = http.get(f"{prefix}/risk_score_history", params={"full": "true"}).json()
    assert 0 < len(recent) < len(full) <= 1000
    assert set(recent[0]) == {"risk_score", "date"}
    newest = date.fromisoformat(full[-1]["date"])
    assert all((newest - date.fromisoformat(e["date"])).days <= 183 for e in recent)
    assert full[-len(recent) :] == recent


def test_user_history_from_the_tenant_wins(simulator: Simulator) -> None:
    uid = simulator.tenant.records("users")[0]["id"]
    simulator.tenant.set_risk_score_history("user", [{"risk_score": 1.5, "date": "2026-10-01"}], uid)
    with client(simulator) as http:
        assert http.get(f"/v1/users/{uid}/risk_score_history").json() == [{"risk_score": 1.5, "date": "2026-10-01"}]
        assert http.get("/v1/users/1/risk_score_history").status_code == 404


def test_phishing_campaigns_tests_and_recipients(simulator: Simulator) -> None:
    with client(simulator) as http:
        campaigns = get_all(http, "/v1/phishing/campaigns")
        callbacks = get_all(http, "/v1/phishing/campaigns", campaign_type="callback")
        tests = get_all(http, "/v1/phishing/security_tests")
        callback_tests = get_all(http, "/v1/phishing/security_tests", campaign_type="callback")
        first = campaigns[0]
        by_id = http.get(f"/v1/phishing/campaigns/{first['campaign_id']}").json()
        of_campaign = get_all(http, f"/v1/phishing/campaigns/{first['campaign_id']}/security_tests")
        pst = next(t for t in tests if t["scheduled_count"])
        pst_by_id = http.get(f"/v1/phishing/security_tests/{pst['pst_id']}").json()
        recipients = get_all(http, f"/v1/phishing/security_tests/{pst['pst_id']}/recipients")
        recipient = http.get(
            f"/v1/phishing/security_tests/{pst['pst_id']}/recipients/{recipients[0]['recipient_id']}"
        ).json()
        callback_by_plain_id = http.get(f"/v1/phishing/campaigns/{callbacks[0]['campaign_id']}")
        callback_by_id = http.get(
            f"/v1/phishing/campaigns/{callbacks[0]['campaign_id']}", params={"campaign_type": "callback"}
        ).json()
        wrong_pst = http.get(
            f"/v1/phishing/security_tests/{tests[1]['pst_id']}/recipients/{recipients[0]['recipient_id']}"
        )
        all_recipients = [
            r for t in tests for r in get_all(http, f"/v1/phishing/security_tests/{t['pst_id']}/recipients")
        ]

    assert by_id == [first]
    assert "campaign_type" not in first
    assert {c["campaign_id"] for c in callbacks}.isdisjoint({c["campaign_id"] for c in campaigns})
    assert callback_by_plain_id.status_code == 404
    assert callback_by_id == [callbacks[0]]
    assert {t["campaign_id"] for t in callback_tests} == {c["campaign_id"] for c in callbacks}
    assert of_campaign == [t for t in tests if t["campaign_id"] == first["campaign_id"]]
    assert pst_by_id == [pst]
    assert "landing_page" in pst
    assert pst["categories"]
    assert len(recipients) == pst["scheduled_count"]
    assert sum(r["clicked_at"] is not None for r in recipients) == pst["clicked_count"]
    assert recipient == [recipients[0]]
    assert wrong_pst.status_code == 404
    assert any(c["status"] == "Error" and c["last_run"] is None for c in campaigns)
    assert any(t["started_at"] is None and t["template"] == {"id": None, "name": None} for t in tests)
    for key in ("clicked_at", "data_entered_at", "attachment_opened_at", "reported_at", "opened_at", "bounced_at"):
        assert any(r[key] for r in all_recipients), key


def test_callback_and_qr_results_exist(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(users=400, limits="off")
    recipients = sim.tenant.records("recipients")
    for key in ("qr_code_scanned", "macro_enabled_at", "replied_at"):
        assert any(r[key] for r in recipients), key
