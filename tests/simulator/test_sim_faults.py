"""Every injectable fault, its targeting (path, regex, skip, times, every) and the three ways to set it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest

from trainproof.simulator import FaultRule, FaultSpecError, Simulator, parse_faults

from ._helpers import client, tenant_with_enrollments

ENROLLMENTS = "/v1/training/enrollments"


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_then_recovery(simulator: Simulator, status: int) -> None:
    simulator.add_fault("status", status=status, times=2)
    with client(simulator) as http:
        answers = [http.get("/v1/account") for _ in range(3)]
    assert [a.status_code for a in answers] == [status, status, 200]
    assert set(answers[0].json()) == {"message"}
    assert answers[0].headers["content-type"] == "application/json; charset=utf-8"
    assert answers[0].headers["x-request-id"]


def test_429_storm_without_and_with_retry_after(simulator: Simulator) -> None:
    simulator.set_faults({"kind": "rate_limit", "times": 3}, {"kind": "rate_limit", "times": 1, "retry_after": 2})
    with client(simulator) as http:
        answers = [http.get("/v1/users") for _ in range(5)]
    assert [a.status_code for a in answers] == [429, 429, 429, 429, 200]
    assert all("retry-after" not in a.headers for a in answers[:3])
    assert answers[3].headers["retry-after"] == "2"
    assert simulator.stats.rate_limited == {"/v1/users": 4}


def test_lockout_lasts_its_scaled_seconds(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(users=5, limits="off", time_scale=0.001, faults={"kind": "lockout", "skip": 1, "times": 1})
    with client(sim) as http:
        first = http.get("/v1/account").status_code
        locked = [http.get("/v1/account") for _ in range(3)]
        time.sleep(0.35)  # 300 s scaled by 0.001
        after = http.get("/v1/account").status_code
    assert first == 200
    assert {r.status_code for r in locked} == {429}
    assert "burst" in locked[0].json()["message"]
    assert after == 200


def test_daily_quota_runs_out_after_n_requests(simulator: Simulator) -> None:
    simulator.set_faults('{"kind": "daily_quota", "after": 3}')
    with client(simulator) as http:
        statuses = [http.get("/v1/users").status_code for _ in range(6)]
        message = http.get("/v1/account").json()["message"]
    assert statuses == [200, 200, 200, 429, 429, 429]
    assert "daily limit" in message


def test_html_error_page(simulator: Simulator) -> None:
    simulator.add_fault("html", times=1)
    with client(simulator) as http:
        page = http.get("/v1/account")
        assert http.get("/v1/account").status_code == 200
    assert page.status_code == 502
    assert page.headers["content-type"].startswith("text/html")
    assert page.text.startswith("<!DOCTYPE HTML")
    with pytest.raises(json.JSONDecodeError):
        page.json()


def test_slow_answer_beats_a_client_timeout(simulator: Simulator) -> None:
    simulator.add_fault("slow", seconds=0.5, times=1)
    with client(simulator, timeout=0.1) as http, pytest.raises(httpx2.ReadTimeout):
        http.get("/v1/account")
    simulator.add_fault("slow", seconds=0.2, times=1)
    with client(simulator) as http:
        started = time.monotonic()
        response = http.get("/v1/account")
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.2


def test_dropped_connection_then_recovery(simulator: Simulator) -> None:
    simulator.add_fault("drop", path=ENROLLMENTS, times=1)
    with client(simulator) as http:
        with pytest.raises(httpx2.RemoteProtocolError):
            http.get(ENROLLMENTS)
        assert http.get(ENROLLMENTS).status_code == 200


def test_truncated_json_is_a_complete_response_with_a_bad_body(simulator: Simulator) -> None:
    simulator.add_fault("truncate", times=1)
    with client(simulator) as http:
        response = http.get(ENROLLMENTS)
        whole = http.get(ENROLLMENTS)
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(response.content) < len(whole.content)
    assert whole.content.startswith(response.content)
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_wrong_content_type(simulator: Simulator) -> None:
    simulator.add_fault("content_type", content_type="text/html; charset=utf-8", times=1)
    with client(simulator) as http:
        response = http.get("/v1/account")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.json()["name"]


def test_repeat_page_in_page_and_cursor_mode(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(tenant_with_enrollments(12), limits="off", faults={"kind": "repeat_page"})
    with client(sim) as http:
        first = http.get(ENROLLMENTS, params={"page": 1, "per_page": 5}).json()
        second = http.get(ENROLLMENTS, params={"page": 2, "per_page": 5}).json()
        c1 = http.get(ENROLLMENTS, params={"cursor": "true", "per_page": 5}).json()
        c2 = http.get(ENROLLMENTS, params={"cursor": c1["pagination"]["next_cursor"], "per_page": 5}).json()
    assert second == first
    assert c2["data"] == c1["data"]
    assert c2["pagination"]["next_cursor"] == "10"


def test_cursor_that_never_ends(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(tenant_with_enrollments(7), limits="off", faults={"kind": "cursor_loop"})
    with client(sim) as http:
        first = http.get(ENROLLMENTS, params={"cursor": "true", "per_page": 5}).json()
        last = http.get(ENROLLMENTS, params={"cursor": "5", "per_page": 5})
        again = http.get(ENROLLMENTS, params={"cursor": last.json()["pagination"]["next_cursor"], "per_page": 5})
    assert first["pagination"]["next_cursor"] == "5"
    assert last.json()["pagination"]["next_cursor"] == "5"  # points at itself
    assert last.headers["x-next-cursor"] == "5"
    assert again.json() == last.json()

    sim.set_faults({"kind": "cursor_loop", "mode": "advance"})
    cursors: list[str] = []
    body: dict[str, Any] = {}
    with client(sim) as http:
        cursor = "5"
        for _ in range(4):
            body = http.get(ENROLLMENTS, params={"cursor": cursor, "per_page": 5}).json()
            cursor = body["pagination"]["next_cursor"]
            cursors.append(cursor)
        assert body["data"] == []
    assert cursors == ["10", "15", "20", "25"]


def test_wrong_types_in_payloads(simulator: Simulator) -> None:
    simulator.add_fault("wrong_types", path=ENROLLMENTS, times=1)
    simulator.add_fault("wrong_types", path="/v1/users", records="all", fields={"employee_start_date": 12345})
    with client(simulator) as http:
        bad = http.get(ENROLLMENTS, params={"per_page": 3}).json()
        good = http.get(ENROLLMENTS, params={"per_page": 3}).json()
        users = http.get("/v1/users", params={"per_page": 3}).json()
    assert bad[0]["enrollment_id"] == str(good[0]["enrollment_id"])
    assert isinstance(bad[0]["enrollment_date"], int)
    assert bad[1] == good[1]  # only the first record by default
    assert all(u["employee_start_date"] == 12345 for u in users)


def test_targeting_by_prefix_regex_skip_times_and_every(simulator: Simulator) -> None:
    simulator.set_faults(
        {"kind": "status", "status": 500, "path": "/v1/training/", "skip": 1, "times": 2},
        {"kind": "status", "status": 503, "regex": r"^/v1/users/\d+$", "every": 2},
    )
    with client(simulator) as http:
        training = [http.get("/v1/training/policies").status_code for _ in range(4)]
        account = http.get("/v1/account").status_code
        user_id = http.get("/v1/users").json()[0]["id"]
        single = [http.get(f"/v1/users/{user_id}").status_code for _ in range(4)]
    assert training == [200, 500, 500, 200]
    assert account == 200
    assert single == [503, 200, 503, 200]
    rules = simulator.app.faults.describe()
    assert rules[0]["matched"] == 4
    assert rules[0]["fired"] == 2


def test_faults_through_the_admin_endpoint(simulator: Simulator) -> None:
    with httpx2.Client(base_url=simulator.base_url) as admin, client(simulator) as http:
        set_rules = admin.post("/_admin/faults", json=[{"kind": "status", "status": 504, "times": 1}])
        assert set_rules.status_code == 200
        assert http.get("/v1/account").status_code == 504
        admin.post("/_admin/faults?append=true", json={"kind": "html"})
        listed = admin.get("/_admin/faults").json()["rules"]
        assert [r["kind"] for r in listed] == ["status", "html"]
        assert listed[0]["fired"] == 1
        assert http.get("/v1/account").status_code == 502
        admin.delete("/_admin/faults")
        assert http.get("/v1/account").status_code == 200
        bad = admin.post("/_admin/faults", json={"kind": "meteor"})
    assert bad.status_code == 400
    assert "unknown fault kind" in bad.json()["message"]


def test_admin_reset_zeroes_fault_counters(simulator: Simulator) -> None:
    simulator.add_fault("status", status=500, times=1)
    with client(simulator) as http:
        assert http.get("/v1/account").status_code == 500
        assert http.get("/v1/account").status_code == 200
        httpx2.post(simulator.base_url + "/_admin/reset")
        assert http.get("/v1/account").status_code == 500
    assert simulator.stats.total == 1


def test_fault_specs_from_json_text_files_and_objects(tmp_path: Path) -> None:
    spec = tmp_path / "faults.json"
    spec.write_text('{"rules": [{"kind": "slow", "seconds": 1}, {"kind": "truncate", "keep": 0.1}]}')
    assert [r.kind for r in parse_faults(spec)] == ["slow", "truncate"]
    assert [r.kind for r in parse_faults(str(spec))] == ["slow", "truncate"]
    assert parse_faults('[{"kind": "html"}]')[0].kind == "html"
    assert parse_faults(FaultRule("drop", times=1))[0].times == 1
    assert parse_faults(None) == []


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ('{"kind": "meteor"}', "unknown fault kind"),
        ('{"kind": "status", "colour": 1}', "unknown field"),
        ('{"status": 500}', "no 'kind'"),
        ('{"kind": "status", "status": 1000}', "not an HTTP status"),
        ('{"kind": "status", "regex": "("}', "does not compile"),
        ("[{", "not valid JSON"),
        ("/no/such/file.json", "neither JSON nor a readable file"),
        ('{"kind": "truncate", "keep": 1.5}', "keep"),
    ],
)
def test_bad_fault_specs_say_what_is_wrong(spec: str, words: str) -> None:
    with pytest.raises(FaultSpecError, match=words):
        parse_faults(spec)


def test_faults_never_touch_admin_endpoints(simulator: Simulator) -> None:
    simulator.add_fault("status", status=500)
    assert httpx2.get(simulator.base_url + "/_admin/health").json() == {"ok": True}
