"""The only pagination loop for the Reporting API.

KnowBe4 pages two ways, and announced a move from the first to the second:

- page mode: `page=N&per_page=500`, the body is a bare JSON array, and the end is an empty or short page
  (there is no total count anywhere);
- cursor mode: `cursor=true&per_page=500` first, then `cursor=<next>`; the body is
  `{"data": [...], "pagination": {"per_page": 500, "next_cursor": "123" | null}}`, and some clients read
  the next cursor from an `X-Next-Cursor` header instead ("" or absent meaning the end).

The loop decides from what each answer looks like, not from what was asked, so a server that answers a
cursor request with a bare array (or a page request with an envelope) is still walked correctly. A cursor
seen before, or a page identical to the previous one, raises PaginationLoopError: never an endless loop.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import httpx2

from trainproof.client._endpoints import Endpoint
from trainproof.client._errors import MalformedResponse, PaginationLoopError, request_id_of

__all__ = ["MAX_PER_PAGE", "PERCENTAGES_CAP", "Page", "list_params", "paginate", "split_page"]

logger = logging.getLogger("trainproof.client")

MAX_PER_PAGE = 500
"""KnowBe4's documented maximum page size."""
PERCENTAGES_CAP = 10
"""Training campaigns are capped at 10 unless `exclude_percentages=true`."""

Fetch = Callable[[dict[str, str]], Awaitable[tuple[Any, httpx2.Response]]]
"""Send one GET with these query parameters; return the decoded body and the response."""


@dataclass(frozen=True)
class Page:
    """One answer, reduced to its records and what it says about the next page.

    `cursor_mode` is True when the answer carried cursor information (an envelope or the header);
    `next_cursor` is then the cursor to send next, or None at the end.
    """

    items: list[Any]
    cursor_mode: bool
    next_cursor: str | None


def split_page(body: Any, response: httpx2.Response, where: str) -> Page:
    """Records and next cursor of one answer, whichever shape it has."""
    header = response.headers.get("x-next-cursor")
    if isinstance(body, list):
        items = cast(list[Any], body)
        if header is None:
            return Page(items, cursor_mode=False, next_cursor=None)
        return Page(items, cursor_mode=True, next_cursor=header.strip() or None)
    if isinstance(body, dict) and "data" in body:
        envelope = cast(dict[str, Any], body)
        data = envelope["data"]
        if data is None:
            data = []
        if not isinstance(data, list):
            raise _malformed(response, where, f"a 'data' field holding {type(data).__name__} instead of a list")
        pagination = envelope.get("pagination")
        cursor: Any = None
        if isinstance(pagination, dict):
            info = cast(dict[str, Any], pagination)
            cursor = info.get("next_cursor", info.get("nextCursor"))
        if cursor is None and header is not None:
            cursor = header
        text = str(cursor).strip() if cursor is not None else ""
        return Page(cast(list[Any], data), cursor_mode=True, next_cursor=text or None)
    shown = type(body).__name__ if not isinstance(body, dict) else "an object without 'data'"
    raise _malformed(response, where, f"{shown} where a list of records belongs")


def _malformed(response: httpx2.Response, where: str, problem: str) -> MalformedResponse:
    return MalformedResponse(
        f"KnowBe4 answered {where} with {problem}",
        "the API changed or a proxy interfered: report it with the request id",
        request_id=request_id_of(response),
        status_code=response.status_code,
        endpoint=where,
    )


def _digest(items: list[Any]) -> str:
    return hashlib.sha256(json.dumps(items, sort_keys=True, default=str).encode()).hexdigest()


def list_params(ep: Endpoint, filters: Mapping[str, str], per_page: int) -> tuple[dict[str, str], int]:
    """Query parameters and page size for walking a list endpoint.

    Training campaigns get `exclude_percentages=true` unless the caller set it to false: anything else
    makes KnowBe4 answer with at most 10 campaigns (silently), which is logged as a warning.
    """
    params = dict(filters)
    size = max(1, min(per_page, MAX_PER_PAGE))
    if ep.name == "training_campaigns":
        if params.get("exclude_percentages", "true") == "true":
            params["exclude_percentages"] = "true"
        else:
            params.pop("exclude_percentages", None)
            logger.warning(
                "completion percentages asked for: KnowBe4 then lists at most %d training campaigns",
                PERCENTAGES_CAP,
            )
    return params, size


async def paginate(
    ep: Endpoint, fetch: Fetch, params: Mapping[str, str], per_page: int, where: str
) -> AsyncIterator[Any]:
    """Yield every record of a list endpoint, page after page, as the API sent it."""
    base = dict(params)
    if ep.pagination == "none":
        body, response = await fetch(base)
        for item in split_page(body, response, where).items:
            yield item
        return

    query = dict(base, per_page=str(per_page))
    if ep.pagination == "cursor":
        query["cursor"] = "true"
    else:
        query["page"] = "1"
    page_number = 1
    seen_cursors: set[str] = set()
    previous: str | None = None

    while True:
        body, response = await fetch(query)
        page = split_page(body, response, where)
        if page.items:
            digest = _digest(page.items)
            if digest == previous:
                raise PaginationLoopError(
                    f"KnowBe4 answered {where} with the same page twice (after {page_number} pages)",
                    "stopping instead of looping; try again later and report it with the request id",
                    request_id=request_id_of(response),
                    endpoint=where,
                )
            previous = digest
        for item in page.items:
            yield item
        if not page.items:
            return
        if page.cursor_mode:
            cursor = page.next_cursor
            if cursor is None:
                return
            if cursor in seen_cursors or cursor == query.get("cursor"):
                raise PaginationLoopError(
                    f"KnowBe4 answered {where} with cursor '{cursor}' a second time (after {page_number} pages)",
                    "stopping instead of looping; try again later and report it with the request id",
                    request_id=request_id_of(response),
                    endpoint=where,
                )
            seen_cursors.add(cursor)
            query = dict(base, per_page=str(per_page), cursor=cursor)
        else:
            if len(page.items) < per_page:
                return
            query = dict(base, per_page=str(per_page), page=str(page_number + 1))
        page_number += 1
