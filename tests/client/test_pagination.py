"""The one pagination loop, driven by plain responses (no HTTP): page mode, body cursor, header cursor."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from trainproof.client import PaginationLoopError, endpoint
from trainproof.client._errors import MalformedResponse
from trainproof.client._pagination import list_params, paginate


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
    return [{"id": i} for i in range(start, start + n)]


@pytest.mark.anyio
async def test_page_mode_stops_on_short_page() -> None:
    api = FakeApi([(records(0, 3), {}), (records(3, 3), {}), (records(6, 1), {})])
    assert [r["id"] for r in await walk("users", api, 3)] == list(range(7))
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
