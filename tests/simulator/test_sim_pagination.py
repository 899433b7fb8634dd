"""Page mode and cursor mode, with the exact number of requests a complete walk takes."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from trainproof.simulator import Simulator

from ._helpers import CAMPAIGN_ID, client, tenant_with_enrollments

ENROLLMENTS = "/v1/training/enrollments"


def walk_cursor(sim: Simulator, path: str, params: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """Follow next_cursor to the end; returns the records and every X-Next-Cursor header seen."""
    records: list[dict[str, Any]] = []
    headers: list[str] = []
    with client(sim) as http:
        cursor = "true"
        for _ in range(100):
            response = http.get(path, params={**params, "cursor": cursor})
            assert response.status_code == 200, response.text
            body = response.json()
            records.extend(body["data"])
            headers.append(response.headers["x-next-cursor"])
            assert body["pagination"]["next_cursor"] == (response.headers["x-next-cursor"] or None)
            if body["pagination"]["next_cursor"] is None:
                return records, headers
            cursor = body["pagination"]["next_cursor"]
    raise AssertionError("cursor walk did not end")


@pytest.mark.parametrize(("count", "per_page"), [(1234, 500), (1000, 500), (500, 500), (1, 500), (7, 3)])
def test_cursor_walk_takes_exactly_ceil_n_over_per_page_requests(
    simulator_factory: Callable[..., Simulator], count: int, per_page: int
) -> None:
    sim = simulator_factory(tenant_with_enrollments(count), limits="off")
    records, headers = walk_cursor(sim, ENROLLMENTS, {"campaign_id": CAMPAIGN_ID, "per_page": per_page})

    assert sim.stats.count(ENROLLMENTS) == math.ceil(count / per_page)
    assert [r["enrollment_id"] for r in records] == [1000 + i for i in range(count)]
    assert headers[-1] == ""
    assert all(h for h in headers[:-1])


def test_cursor_mode_body_shape_and_zero_start(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(tenant_with_enrollments(12), limits="off")
    with client(sim) as http:
        first = http.get(ENROLLMENTS, params={"cursor": "0", "per_page": 5})
        body = first.json()
        assert set(body) == {"data", "pagination"}
        assert body["pagination"] == {"per_page": 5, "next_cursor": "5"}
        assert first.headers["x-next-cursor"] == "5"
        again = http.get(ENROLLMENTS, params={"cursor": "true", "per_page": 5}).json()
        assert again == body


@pytest.mark.parametrize("cursor", ["abc", "-5", "9999", "1.5", ""])
def test_a_cursor_never_issued_is_400(simulator_factory: Callable[..., Simulator], cursor: str) -> None:
    sim = simulator_factory(tenant_with_enrollments(12), limits="off")
    with client(sim) as http:
        response = http.get(ENROLLMENTS, params={"cursor": cursor})
    assert response.status_code == 400
    assert response.json() == {"message": "Invalid cursor"}


def test_page_mode_default_100_bare_arrays_and_empty_page_past_the_end(
    simulator_factory: Callable[..., Simulator],
) -> None:
    sim = simulator_factory(tenant_with_enrollments(250), limits="off")
    with client(sim) as http:
        sizes = [len(http.get(ENROLLMENTS, params={"page": p}).json()) for p in (1, 2, 3, 4)]
        first = http.get(ENROLLMENTS).json()
        assert first == http.get(ENROLLMENTS, params={"page": 1}).json()
        assert http.get(ENROLLMENTS, params={"page": 0}).json() == first  # pages start at 1
        assert "x-next-cursor" not in http.get(ENROLLMENTS).headers
    assert sizes == [100, 100, 50, 0]
    assert isinstance(first, list)


@pytest.mark.parametrize(("per_page", "expected"), [("1000", 500), ("500", 500), ("0", 1), ("-3", 1), ("x", 100)])
def test_per_page_is_clamped_to_1_500(
    simulator_factory: Callable[..., Simulator], per_page: str, expected: int
) -> None:
    sim = simulator_factory(tenant_with_enrollments(600), limits="off")
    with client(sim) as http:
        page = http.get(ENROLLMENTS, params={"per_page": per_page}).json()
        cursor_page = http.get(ENROLLMENTS, params={"per_page": per_page, "cursor": "true"}).json()
    assert len(page) == expected
    assert len(cursor_page["data"]) == expected
    assert cursor_page["pagination"]["per_page"] == expected


def test_page_and_cursor_walks_return_the_same_records(simulator: Simulator) -> None:
    with client(simulator) as http:
        by_page: list[dict[str, Any]] = []
        for page in range(1, 100):
            chunk = http.get(ENROLLMENTS, params={"page": page, "per_page": 250}).json()
            if not chunk:
                break
            by_page.extend(chunk)
    by_cursor, _ = walk_cursor(simulator, ENROLLMENTS, {"per_page": 250})
    assert by_cursor == by_page
    assert len(by_page) == simulator.tenant.count("enrollments")


def test_cursor_is_ignored_on_other_endpoints_unless_cursor_everywhere(
    simulator_factory: Callable[..., Simulator],
) -> None:
    plain = simulator_factory(users=30, limits="off")
    with client(plain) as http:
        assert isinstance(http.get("/v1/users", params={"cursor": "true"}).json(), list)

    everywhere = simulator_factory(users=30, limits="off", cursor_everywhere=True)
    records, _ = walk_cursor(everywhere, "/v1/users", {"per_page": 7})
    assert len(records) == 30
    assert everywhere.stats.count("/v1/users") == math.ceil(30 / 7)


def test_header_only_cursor_style_sends_bare_arrays(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(tenant_with_enrollments(8), limits="off", cursor_style="header")
    with client(sim) as http:
        first = http.get(ENROLLMENTS, params={"cursor": "true", "per_page": 5})
        assert first.json() == http.get(ENROLLMENTS, params={"per_page": 5}).json()
        assert first.headers["x-next-cursor"] == "5"
        last = http.get(ENROLLMENTS, params={"cursor": "5", "per_page": 5})
        assert len(last.json()) == 3
        assert last.headers["x-next-cursor"] == ""


def test_body_only_cursor_style_sends_no_header(simulator_factory: Callable[..., Simulator]) -> None:
    sim = simulator_factory(tenant_with_enrollments(8), limits="off", cursor_style="body")
    with client(sim) as http:
        response = http.get(ENROLLMENTS, params={"cursor": "true", "per_page": 5})
    assert "x-next-cursor" not in response.headers
    assert response.json()["pagination"]["next_cursor"] == "5"
