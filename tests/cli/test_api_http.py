"""`trainproof api` over HTTP against the simulator: every endpoint, all pages, the API's own objects."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest

from client._tenant import BIG_CAMPAIGN, BIG_ENROLLMENTS, PST_HYPHEN, quirk_tenant
from reports._cli import run
from running import as_process
from trainproof.client import ENDPOINTS
from trainproof.simulator import Simulator

ENROLLMENTS = "/v1/training/enrollments"

# Ids for every endpoint that needs one, all present in the quirk tenant.
IDS: dict[str, list[str]] = {
    "user": ["700001"],
    "user_risk_score_history": ["700001"],
    "group": ["3142"],
    "group_members": ["3142"],
    "group_risk_score_history": ["3142"],
    "phishing_campaign": ["242333"],
    "phishing_campaign_security_tests": ["242333"],
    "security_test": [str(PST_HYPHEN)],
    "recipients": [str(PST_HYPHEN)],
    "recipient": [str(PST_HYPHEN), "3077741"],
    "store_purchase": ["6420"],
    "policy": ["142"],
    "training_campaign": [str(BIG_CAMPAIGN)],
    "enrollment": ["2000007"],
}


@pytest.fixture
def sim(simulator_factory: Callable[..., Simulator], monkeypatch: pytest.MonkeyPatch) -> Simulator:
    server = simulator_factory(quirk_tenant(), limits="off")
    monkeypatch.setenv("KNOWBE4_API_KEY", server.token)
    monkeypatch.setenv("KNOWBE4_BASE_URL", server.base_url)
    monkeypatch.setenv("TRAINPROOF_TIME_SCALE", "0.001")
    return server


def api_json(args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    code, out, err = run(["api", *args], capsys, monkeypatch)
    assert code == 0, err
    data: Any = json.loads(out)
    assert isinstance(data, list)
    return cast(list[Any], data)


def expected_count(name: str, tenant: dict[str, Any]) -> int | None:
    """How many records the endpoint must print for the quirk tenant (None: not fixed by the tenant)."""
    counts = {
        "account": 1,
        "users": len(tenant["users"]),
        "groups": len(tenant["groups"]),
        "phishing_campaigns": len(tenant["phishing_campaigns"]),
        "phishing_campaign_security_tests": 2,
        "security_tests": len(tenant["security_tests"]),
        "recipients": len(tenant["recipients"]),
        "store_purchases": len(tenant["store_purchases"]),
        "policies": len(tenant["policies"]),
        "training_campaigns": len(tenant["training_campaigns"]),
        "enrollments": len(tenant["enrollments"]),
    }
    if name in counts:
        return counts[name]
    return 1 if name in IDS and not name.endswith(("history", "members")) else None


@pytest.mark.parametrize("ep", ENDPOINTS, ids=[e.cli_name for e in ENDPOINTS])
def test_every_endpoint(
    ep: Any, sim: Simulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    records = api_json([ep.cli_name, *IDS.get(ep.name, [])], capsys, monkeypatch)
    expected = expected_count(ep.name, quirk_tenant())
    if expected is not None:
        assert len(records) == expected
    assert all(isinstance(r, dict) for r in records)
    assert sim.stats.count(status=200) == sim.stats.total >= 1


def test_enrollments_every_page_joined_and_every_record_kept(
    sim: Simulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    records = api_json(["enrollments"], capsys, monkeypatch)
    tenant = quirk_tenant()
    assert records == tenant["enrollments"]  # API field names, status strings, include_* fields, order
    assert sim.stats.count(ENROLLMENTS) == 3  # 1,243 records, 500 per page
    assert sum(1 for r in records if r["user"] is None) == 1


def test_enrollment_filters(
    sim: Simulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    records = api_json(
        ["enrollments", "--campaign-id", str(BIG_CAMPAIGN), "--user-id", "700007", "--exclude-archived-users"],
        capsys,
        monkeypatch,
    )
    assert records
    assert {r["campaign_id"] for r in records} == {BIG_CAMPAIGN}
    assert {r["user"]["id"] for r in records} == {700007}
    [query] = [r.query for r in sim.stats.requests if r.path == ENROLLMENTS]
    for part in ("campaign_id=101", "user_id=700007", "exclude_archived_users=true", "include_campaign_id=true"):
        assert part in query


def test_enrollments_without_include_fields(
    sim: Simulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["enrollments", "--campaign-id", str(BIG_CAMPAIGN), "--no-include-campaign-id"]
    records = api_json([*args, "--no-include-store-purchase-id", "--no-include-employee-number"], capsys, monkeypatch)
    assert len(records) == BIG_ENROLLMENTS
    assert all("campaign_id" not in r and "store_purchase_id" not in r for r in records)
    assert all(r["user"] is None or "employee_number" not in r["user"] for r in records)


def test_quirky_keys_are_printed_as_sent(
    sim: Simulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    purchases = api_json(["store-purchases"], capsys, monkeypatch)
    assert any("store_purchased_id" in p for p in purchases)
    tests = api_json(["security-tests"], capsys, monkeypatch)
    assert {"landing-page", "landing_page"} <= {k for t in tests for k in t}
    campaign = api_json(["training-campaign", str(BIG_CAMPAIGN)], capsys, monkeypatch)
    assert isinstance(campaign[0]["content"][0], list)  # the nesting is kept in raw output
    users = api_json(["users", "--status", "active"], capsys, monkeypatch)
    assert len(users) == len(quirk_tenant()["users"]) - 1


def test_training_campaigns_with_percentages_warns(
    sim: Simulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(["api", "training-campaigns", "--include-percentages"], capsys, monkeypatch)
    assert code == 0
    assert len(json.loads(out)) == 10
    assert err == "warning: completion percentages asked for: KnowBe4 then lists at most 10 training campaigns\n"


@pytest.mark.parametrize("fmt", ["csv", "table"])
def test_csv_and_table(
    fmt: str, sim: Simulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(["api", "recipients", str(PST_HYPHEN), "--format", fmt], capsys, monkeypatch)
    assert code == 0
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [r["recipient_id"] for r in rows] == ["3077740", "3077741", "3077742"]
        assert len(rows[0]) == len(quirk_tenant()["recipients"][0])  # every field
    else:
        assert "recipient_id" in out
        assert "3077742" in out
        assert "the table shows 8 of" in err


def test_not_found_is_one_line(
    sim: Simulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(["api", "training-campaign", "123"], capsys, monkeypatch)
    assert code == 1
    assert out == ""
    assert err.startswith("error: training campaign 123 not found: list training campaigns to see valid ids")
    assert err.count("\n") == 1


def test_wrong_token_one_line_exit_2_token_nowhere(sim: Simulator, tmp_path: Path) -> None:
    """A real process, as a user runs it: one line on stderr, exit 2, no traceback, no token."""
    secret = "kb4-WRONG-token-0123456789abcdef"
    env = {"KNOWBE4_API_KEY": secret, "KNOWBE4_BASE_URL": sim.base_url, "TRAINPROOF_STATE_DIR": str(tmp_path)}
    for args in (["api", "users"], ["api", "enrollments", "--campaign-id", "101", "--format", "table"]):
        proc = as_process(args, env, timeout=60)  # a process of its own: Python's own stderr logging included
        assert proc.code == 2
        assert proc.stdout == ""
        assert proc.stderr.count("\n") == 1
        assert proc.stderr.startswith("error: KnowBe4 rejected the API token: check KNOWBE4_API_KEY and KNOWBE4_REGION")
        assert "Traceback" not in proc.stderr
        assert secret not in proc.stdout + proc.stderr
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert secret not in path.read_text()
