"""The tenant: file round trips, exact quirky records, and changes between two requests."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest

from trainproof.simulator import Simulator, Tenant, TenantError, generate_tenant

from ._helpers import CAMPAIGN_ID, campaign, client, enrollment, tenant_with_enrollments, user

ENROLLMENTS = "/v1/training/enrollments"


def test_dump_and_load_round_trip_exactly(tmp_path: Path) -> None:
    original = generate_tenant(40, seed=3)
    first = tmp_path / "a.json"
    second = tmp_path / "b.json"
    original.dump(first)
    Tenant.load(first).dump(second)
    assert first.read_bytes() == second.read_bytes()
    data = json.loads(first.read_text())
    assert list(data)[:10] == [
        "account",
        "users",
        "groups",
        "training_campaigns",
        "store_purchases",
        "policies",
        "enrollments",
        "phishing_campaigns",
        "security_tests",
        "recipients",
    ]
    assert Tenant.from_dict(data).to_dict() == original.to_dict()


def test_pretty_printed_and_broken_files(tmp_path: Path) -> None:
    original = generate_tenant(15, seed=2)
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(original.to_dict(), indent=2))
    assert Tenant.load(pretty).to_dict() == original.to_dict()

    dumped = tmp_path / "dumped.json"
    original.dump(dumped)
    lines = dumped.read_text().splitlines(keepends=True)
    cut = tmp_path / "cut.json"
    cut.write_text("".join(lines[: len(lines) // 2]))
    with pytest.raises(TenantError, match="not readable JSON"):
        Tenant.load(cut)
    duplicate = tmp_path / "duplicate.json"
    users_at = lines.index('"users":[\n')
    duplicate.write_text("".join([*lines[: users_at + 2], lines[users_at + 1], *lines[users_at + 2 :]]))
    with pytest.raises(TenantError, match="repeats id"):
        Tenant.load(duplicate)


def test_quirky_records_are_served_exactly_as_given(simulator_factory: Callable[..., Simulator]) -> None:
    odd_order = {"status": "Passed", **enrollment(2, status="Passed")}
    string_id = enrollment(3, user_id=None)
    string_id["enrollment_id"] = "3"
    extra = enrollment(4, score=87.5, current_module="Quiz")
    long_date = enrollment(5, completion_date="2026-02-01T10:00:00.123Z", time_spent=True)
    tenant: dict[str, Any] = {
        "store_purchases": [{"store_purchased_id": 77, "content_type": "Store Purchase", "name": "Typo Module"}],
        "enrollments": [enrollment(1), odd_order, string_id, extra, long_date],
    }
    sim = simulator_factory(tenant, limits="off")
    with client(sim) as http:
        served = http.get(ENROLLMENTS, params={"include_campaign_id": "true", "include_store_purchase_id": "true"})
        by_string_id = http.get(f"{ENROLLMENTS}/3").json()
        typo = http.get("/v1/training/store_purchases/77").json()
    expected = [dict(r) for r in tenant["enrollments"]]
    for record in expected:
        if record["user"] is not None:
            record["user"] = {k: v for k, v in record["user"].items() if k != "employee_number"}
    assert served.json() == expected
    assert [list(r) for r in served.json()] == [list(r) for r in expected]
    assert by_string_id["enrollment_id"] == "3"
    assert typo["store_purchased_id"] == 77


def test_enrollments_without_hidden_ids_get_them_from_names(simulator_factory: Callable[..., Simulator]) -> None:
    bare = enrollment(1, campaign_name="Annual Training", module_name="Typo Module")
    del bare["campaign_id"], bare["store_purchase_id"]
    tenant = {
        "training_campaigns": [campaign(55, "Annual Training")],
        "store_purchases": [{"store_purchase_id": 77, "content_type": "Store Purchase", "name": "Typo Module"}],
        "enrollments": [bare],
    }
    sim = simulator_factory(tenant, limits="off")
    with client(sim) as http:
        found = http.get(ENROLLMENTS, params={"campaign_id": "55", "store_purchase_id": "77"}).json()
    assert [e["enrollment_id"] for e in found] == [1]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"enrolments": []}, "unknown tenant key"),
        ({"users": {"id": 1}}, "JSON array"),
        ({"users": [{"name": "no id"}]}, "users\\[0\\] has no id"),
        ({"users": [{"id": 1}, {"id": 1}]}, "repeats id 1"),
        ({"recipients": [{"recipient_id": 1}]}, "no pst_id"),
        ({"users": ["x"]}, "not an object"),
    ],
)
def test_bad_tenants_say_what_is_wrong(data: dict[str, Any], words: str) -> None:
    with pytest.raises(TenantError, match=words):
        Tenant.from_dict(data)


def test_load_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(TenantError, match="not found"):
        Tenant.load(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(TenantError, match="not readable JSON"):
        Tenant.load(broken)


def test_python_changes_show_in_the_next_request(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(tenant_with_enrollments(3, users=3), limits="off")
    with client(sim) as http:
        assert http.get(f"{ENROLLMENTS}/1000").json()["status"] == "Not Started"
        sim.tenant.update("enrollments", 1000, status="Passed", completion_date="2026-02-01T10:00:00.000Z")
        assert http.get(f"{ENROLLMENTS}/1000").json()["status"] == "Passed"

        sim.tenant.upsert("enrollments", enrollment(2000, user_id=2))
        assert [e["enrollment_id"] for e in http.get(ENROLLMENTS, params={"user_id": "2"}).json()] == [1001, 2000]

        sim.tenant.delete("enrollments", 1001)
        assert [e["enrollment_id"] for e in http.get(ENROLLMENTS, params={"user_id": "2"}).json()] == [2000]
        assert http.get(f"{ENROLLMENTS}/1001").status_code == 404

        sim.tenant.upsert("users", user(2, status="archived"))
        kept = http.get(ENROLLMENTS, params={"exclude_archived_users": "true"}).json()
        assert [e["enrollment_id"] for e in kept] == [1000, 1002]

        sim.tenant.update_account(number_of_seats=99)
        assert http.get("/v1/account").json()["number_of_seats"] == 99
        sim.tenant.replace(tenant_with_enrollments(1))
        assert len(http.get(ENROLLMENTS).json()) == 1


def test_readers_return_copies(simulator: Simulator) -> None:
    record = simulator.tenant.records("enrollments")[0]
    record["status"] = "Changed"
    if record["user"] is not None:
        record["user"]["first_name"] = "Changed"
    fresh = simulator.tenant.get("enrollments", record["enrollment_id"])
    assert fresh is not None
    assert fresh["status"] != "Changed"
    assert fresh["user"] is None or fresh["user"]["first_name"] != "Changed"


def test_update_of_a_missing_record_is_an_error(simulator: Simulator) -> None:
    with pytest.raises(TenantError, match="no enrollments record"):
        simulator.tenant.update("enrollments", 1, status="Passed")
    with pytest.raises(TenantError, match="unknown record kind"):
        simulator.tenant.upsert("enrolments", {"enrollment_id": 1})


def test_admin_endpoints_change_and_show_the_tenant(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(tenant_with_enrollments(3, users=3), limits="off")
    with httpx2.Client(base_url=sim.base_url) as admin, client(sim) as http:
        ops = {
            "ops": [
                {"op": "update", "kind": "enrollments", "id": 1000, "fields": {"status": "Passed"}},
                {"op": "upsert", "kind": "enrollments", "record": enrollment(5000, user_id=3)},
                {"op": "delete", "kind": "enrollments", "id": 1001},
                {"op": "update_account", "fields": {"number_of_seats": 42}},
            ]
        }
        done = admin.post("/_admin/mutate", json=ops)
        assert done.json() == {"upserted": 1, "updated": 1, "deleted": 1, "account": 1}
        assert [e["enrollment_id"] for e in http.get(ENROLLMENTS).json()] == [1000, 1002, 5000]
        assert http.get(f"{ENROLLMENTS}/1000").json()["status"] == "Passed"

        before = admin.get("/_admin/tenant").json()
        failing = {
            "ops": [
                {"op": "delete", "kind": "enrollments", "id": 1000},
                {"op": "update", "kind": "enrollments", "id": 424242, "fields": {"status": "Passed"}},
            ]
        }
        refused = admin.post("/_admin/mutate", json=failing)
        assert refused.status_code == 400
        assert "424242" in refused.json()["message"]
        assert admin.get("/_admin/tenant").json() == before  # all or nothing

        replaced = admin.put("/_admin/tenant", json=tenant_with_enrollments(2))
        assert replaced.json()["counts"]["enrollments"] == 2
        assert len(http.get(ENROLLMENTS).json()) == 2
        assert admin.get("/_admin/tenant").json() == sim.tenant.to_dict()
        assert admin.put("/_admin/tenant", json={"nope": []}).status_code == 400


def test_tenant_file_is_reread_when_it_changes(tmp_path: Path, simulator_factory: Callable[..., Simulator]) -> None:
    path = tmp_path / "tenant.json"
    path.write_text(json.dumps(tenant_with_enrollments(2)))
    sim = simulator_factory(path, limits="off")
    with client(sim) as http:
        assert len(http.get(ENROLLMENTS).json()) == 2
        path.write_text(json.dumps(tenant_with_enrollments(5)))
        assert len(http.get(ENROLLMENTS).json()) == 5
        path.write_text("{ half written")
        assert len(http.get(ENROLLMENTS).json()) == 5  # a broken file keeps the last good tenant
        path.write_text(json.dumps(tenant_with_enrollments(1)))
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
        assert len(http.get(ENROLLMENTS).json()) == 1
        sim.tenant.delete("enrollments", 1000)
        assert httpx2.post(sim.base_url + "/_admin/reload").json() == {"reloaded": True}
        assert len(http.get(ENROLLMENTS).json()) == 1


def test_changes_from_another_thread_while_serving(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(tenant_with_enrollments(200, users=20), limits="off")
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for i in range(200):
                sim.tenant.update("enrollments", 1000 + i, status="Passed")
        except BaseException as exc:  # reported below
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    statuses: set[int] = set()
    with client(sim) as http:
        while thread.is_alive():
            statuses.add(http.get(ENROLLMENTS, params={"campaign_id": str(CAMPAIGN_ID), "per_page": 500}).status_code)
        final = http.get(ENROLLMENTS, params={"per_page": 500}).json()
    thread.join()
    assert not errors
    assert statuses <= {200}
    assert {e["status"] for e in final} == {"Passed"}


def test_an_empty_tenant_serves_empty_lists(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory({}, limits="off")
    with client(sim) as http:
        assert http.get("/v1/users").json() == []
        assert http.get(ENROLLMENTS, params={"cursor": "true"}).json() == {
            "data": [],
            "pagination": {"per_page": 100, "next_cursor": None},
        }
        assert http.get("/v1/account").json()["name"]


def test_admin_tenant_streams_large_tenants_while_they_change(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(generate_tenant(150, seed=9), limits="off")
    assert sim.tenant.count("enrollments") > 1000
    with httpx2.Client(base_url=sim.base_url, timeout=30) as admin:
        with admin.stream("GET", "/_admin/tenant") as response:
            chunks = response.iter_text()
            first = next(chunks)
            sim.tenant.update("users", sim.tenant.records("users")[0]["id"], comment="changed mid-stream")
            text = first + "".join(chunks)
        streamed = json.loads(text)
    assert len(streamed["enrollments"]) == sim.tenant.count("enrollments")
    assert json.loads(admin_text(sim)) == sim.tenant.to_dict()


def admin_text(sim: Simulator) -> str:
    return httpx2.get(sim.base_url + "/_admin/tenant", timeout=30).text
