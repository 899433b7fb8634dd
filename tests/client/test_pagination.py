"""The one pagination loop, driven by plain responses (no HTTP): page mode, body cursor, header cursor."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from trainproof.client import PaginationLoopError, endpoint
from trainproof.client._errors import MalformedResponse
from trainproof.client._pagination import PageLimit, list_params, page_limit, paginate


class FakeApi:
    """Answers queued in order; records the query of each request."""

    def __init__(self, answers: list[tuple[Any, dict[str, str]]]) -> None:
        self.answers = answers
        self.queries: list[dict[str, str]] = []

    async def __call__(self, query: dict[str, str]) -> tuple[Any, httpx2.Response]:
        self.queries.append(dict(query))
        body, headers = self.answers[len(self.queries) - 1]
        return body, httpx2.Response(200, json=body, headers=headers)


async def walk(name: str, api: FakeApi, per_page: int, params: dict[str, str] | None = None) -> list[Any]:
    return [item async for item in paginate(endpoint(name), api, params or {}, per_page, "GET /x")]


def records(start: int, n: int) -> list[dict[str, int]]:
    """Records `start` .. `start + n - 1`, with ids one higher (KnowBe4 ids are positive)."""
    return [{"id": i + 1} for i in range(start, start + n)]


@pytest.mark.anyio
async def test_page_mode_stops_on_short_page() -> None:
    api = FakeApi([(records(0, 3), {}), (records(3, 3), {}), (records(6, 1), {})])
    assert [r["id"] for r in await walk("users", api, 3)] == list(range(1, 8))
    assert [q["page"] for q in api.queries] == ["1", "2", "3"]
    assert all(q["per_page"] == "3" for q in api.queries)


@pytest.mark.anyio
async def test_page_mode_stops_on_empty_page() -> None:
    api = FakeApi([(records(0, 2), {}), ([], {})])
    assert len(await walk("groups", api, 2, {"status": "active"})) == 2
    assert api.queries[1] == {"status": "active", "per_page": "2", "page": "2"}


@pytest.mark.anyio
async def test_body_cursor_mode_follows_next_cursor_until_null() -> None:
    api = FakeApi(
        [
            ({"data": records(0, 2), "pagination": {"per_page": 2, "next_cursor": "2"}}, {}),
            ({"data": records(2, 2), "pagination": {"per_page": 2, "next_cursor": "4"}}, {}),
            ({"data": records(4, 1), "pagination": {"per_page": 2, "next_cursor": None}}, {}),
        ]
    )
    assert len(await walk("enrollments", api, 2, {"campaign_id": "101"})) == 5
    assert [q["cursor"] for q in api.queries] == ["true", "2", "4"]
    assert all(q["campaign_id"] == "101" and "page" not in q for q in api.queries)


@pytest.mark.anyio
async def test_header_cursor_on_bare_arrays() -> None:
    api = FakeApi([(records(0, 2), {"X-Next-Cursor": "abc"}), (records(2, 2), {"X-Next-Cursor": ""})])
    assert len(await walk("enrollments", api, 2)) == 4
    assert [q["cursor"] for q in api.queries] == ["true", "abc"]


@pytest.mark.anyio
async def test_envelope_on_a_page_mode_endpoint_is_followed_by_cursor() -> None:
    api = FakeApi([({"data": records(0, 1), "pagination": {"next_cursor": "9"}}, {}), ({"data": []}, {})])
    assert len(await walk("users", api, 500)) == 1
    assert api.queries[1]["cursor"] == "9"
    assert "page" not in api.queries[1]


@pytest.mark.anyio
async def test_cursor_request_answered_with_bare_array_falls_back_to_pages() -> None:
    api = FakeApi([(records(0, 2), {}), (records(2, 1), {})])
    assert len(await walk("enrollments", api, 2)) == 3
    assert api.queries[1]["page"] == "2"


@pytest.mark.anyio
async def test_repeated_cursor_raises_instead_of_looping() -> None:
    api = FakeApi(
        [
            ({"data": records(0, 2), "pagination": {"next_cursor": "2"}}, {}),
            ({"data": records(2, 2), "pagination": {"next_cursor": "4"}}, {}),
            ({"data": records(4, 2), "pagination": {"next_cursor": "2"}}, {}),
        ]
    )
    with pytest.raises(PaginationLoopError, match="cursor '2' a second time"):
        await walk("enrollments", api, 2)
    assert len(api.queries) == 3


@pytest.mark.anyio
async def test_identical_page_raises_instead_of_looping() -> None:
    api = FakeApi([(records(0, 2), {}), (records(0, 2), {})])
    with pytest.raises(PaginationLoopError, match="same page twice"):
        await walk("users", api, 2)


@pytest.mark.anyio
async def test_a_page_seen_earlier_raises_not_only_the_previous_one() -> None:
    api = FakeApi([(records(0, 2), {}), (records(2, 2), {}), (records(0, 2), {}), (records(2, 2), {})])
    with pytest.raises(PaginationLoopError, match="same page twice"):
        await walk("users", api, 2)
    assert len(api.queries) == 3


@pytest.mark.anyio
@pytest.mark.parametrize("cursor", [False, True])
async def test_endless_new_pages_stop_at_the_page_limit(cursor: bool) -> None:
    def page(n: int) -> tuple[Any, dict[str, str]]:
        if cursor:
            return {"data": records(n * 2, 2), "pagination": {"next_cursor": str(n * 2 + 2)}}, {}
        return records(n * 2, 2), {}

    api = FakeApi([page(n) for n in range(50)])
    name = "enrollments" if cursor else "users"
    limit = PageLimit(7, "a test's limit")
    with pytest.raises(
        PaginationLoopError, match=r"kept sending new pages .* after 7 pages \(14 records\).*a test's limit"
    ):
        _ = [item async for item in paginate(endpoint(name), api, {}, 2, "GET /x", limit=limit)]
    assert len(api.queries) == 7


@pytest.mark.anyio
async def test_a_list_that_ends_at_the_page_limit_is_complete() -> None:
    api = FakeApi([(records(0, 2), {}), (records(2, 2), {}), (records(4, 1), {})])
    got = [item async for item in paginate(endpoint("users"), api, {}, 2, "GET /x", limit=PageLimit(3, "x"))]
    assert len(got) == 5


def test_the_page_limit_is_a_twentieth_of_the_days_budget() -> None:
    assert page_limit(2050, 50).pages == 102  # 51,000 records for a 50-seat account; 10 % would be 205
    assert "5% of today's budget of 2,050 requests, for 50 seats" in page_limit(2050, 50).why
    assert page_limit(12_000, 10_000).pages == 600
    assert page_limit(10, None).pages == 2


@pytest.mark.anyio
@pytest.mark.parametrize("name", ["users", "enrollments", "policies"])
async def test_ids_not_positive_and_repeats_are_skipped_first_copy_kept_and_counted(name: str) -> None:
    key = {"users": "id", "enrollments": "enrollment_id", "policies": "id"}[name]
    sent = [
        {key: 5, "v": "first"},
        {key: 0, "v": "zero"},
        {key: "-3", "v": "negative as text"},
        {key: "5", "v": "second copy, as text"},
        {key: 6, "v": "ok"},
        {key: 5, "v": "third copy"},
        {key: "x", "v": "not a number: left for the model to name"},
    ]
    problems: list[str] = []
    api = FakeApi([(sent, {})])
    got = [item async for item in paginate(endpoint(name), api, {}, 500, "GET /x", on_problem=problems.append)]
    assert [r["v"] for r in got] == ["first", "ok", "not a number: left for the model to name"]
    assert problems == [
        "KnowBe4 answered GET /x with 2 records whose id is 0 or negative (skipped) "
        "and 2 repeated records (the first copy kept)"
    ]


@pytest.mark.anyio
async def test_a_clean_list_reports_nothing() -> None:
    problems: list[str] = []
    api = FakeApi([(records(0, 3), {})])
    got = [item async for item in paginate(endpoint("users"), api, {}, 500, "GET /x", on_problem=problems.append)]
    assert len(got) == 3
    assert problems == []


@pytest.mark.anyio
async def test_unpaginated_list_is_one_request() -> None:
    api = FakeApi([([{"risk_score": 1, "date": "2021-02-07"}] * 3, {})])
    assert len(await walk("user_risk_score_history", api, 500, {"full": "true"})) == 3
    assert api.queries == [{"full": "true"}]


@pytest.mark.anyio
@pytest.mark.parametrize("body", [{"message": "hello"}, "text", {"data": {"a": 1}}])
async def test_non_list_bodies_are_malformed(body: Any) -> None:
    with pytest.raises(MalformedResponse, match="GET /x"):
        await walk("users", FakeApi([(body, {})]), 500)


def test_training_campaigns_exclude_percentages_unless_asked(caplog: pytest.LogCaptureFixture) -> None:
    ep = endpoint("training-campaigns")
    assert list_params(ep, {}, 500) == ({"exclude_percentages": "true"}, 500)
    params, size = list_params(ep, {"exclude_percentages": "false"}, 500)
    assert params == {}
    assert size == 500
    assert "at most 10 training campaigns" in caplog.text
