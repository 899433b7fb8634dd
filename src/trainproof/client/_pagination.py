"""The only pagination loop for the Reporting API.

KnowBe4 pages two ways, and announced a move from the first to the second:

- page mode: `page=N&per_page=500`, the body is a bare JSON array, and the end is an empty or short page
  (there is no total count anywhere);
- cursor mode: `cursor=true&per_page=500` first, then `cursor=<next>`; the body is
  `{"data": [...], "pagination": {"per_page": 500, "next_cursor": "123" | null}}`, and some clients read
  the next cursor from an `X-Next-Cursor` header instead ("" or absent meaning the end).

The loop decides from what each answer looks like, not from what was asked, so a server that answers a
cursor request with a bare array (or a page request with an envelope) is still walked correctly.

Never an endless walk: a cursor seen before, or a page identical to one already seen, raises
PaginationLoopError; so does a walk that keeps getting new full pages past `PageLimit` (a share of the
day's budget, which grows with the account's seats: no account holds that many records in one list).

The records themselves are checked once here, for every caller: a record whose id is 0 or negative is
skipped (KnowBe4 ids are positive; nothing could be stored or referred to under it), and a record whose
id was already seen in the same list is skipped (the first copy wins, so a later copy never replaces
it). Both are reported, with counts, through `on_problem`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import httpx2
from pydantic import BaseModel

from trainproof.client._endpoints import Endpoint
from trainproof.client._errors import MalformedResponse, PaginationLoopError, request_id_of
from trainproof.client.models import (
    Enrollment,
    Group,
    PhishingCampaign,
    Policy,
    Recipient,
    SecurityTest,
    StorePurchase,
    TrainingCampaign,
    User,
)

__all__ = [
    "MAX_PER_PAGE",
    "PERCENTAGES_CAP",
    "RUNAWAY_SHARE",
    "Page",
    "PageLimit",
    "list_params",
    "page_limit",
    "paginate",
    "split_page",
]

logger = logging.getLogger("trainproof.client")

MAX_PER_PAGE = 500
"""KnowBe4's documented maximum page size."""
PERCENTAGES_CAP = 10
"""Training campaigns are capped at 10 unless `exclude_percentages=true`."""

RUNAWAY_SHARE = 0.05
"""One list walk may spend at most this share of the day's request budget (2,000 + seats)."""

ID_KEYS: dict[type[BaseModel], tuple[str, ...]] = {
    User: ("id",),
    Group: ("id",),
    Enrollment: ("enrollment_id",),
    TrainingCampaign: ("campaign_id",),
    PhishingCampaign: ("campaign_id",),
    SecurityTest: ("pst_id",),
    Recipient: ("recipient_id",),
    StorePurchase: ("store_purchase_id", "store_purchased_id"),
    Policy: ("policy_id", "id"),
}
"""Where each listed record keeps its own id (as the models accept it); risk scores have none."""

Fetch = Callable[[dict[str, str]], Awaitable[tuple[Any, httpx2.Response]]]
"""Send one GET with these query parameters; return the decoded body and the response."""


@dataclass(frozen=True)
class PageLimit:
    """The most pages one walk may fetch, and where that number comes from (for the error)."""

    pages: int
    why: str


def page_limit(daily_limit: int, seats: int | None) -> PageLimit:
    """`RUNAWAY_SHARE` of the day's budget: 102 pages (51,000 records) for a 50-seat account, and more
    for larger ones, so a list that never ends stops long before 10 % of the day is spent."""
    pages = max(2, int(daily_limit * RUNAWAY_SHARE))
    held = f"for {seats:,} seats" if seats is not None else "seats not yet known"
    return PageLimit(pages, f"{RUNAWAY_SHARE:.0%} of today's budget of {daily_limit:,} requests, {held}")


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


def _record_id(record: Any, keys: tuple[str, ...]) -> int | None:
    """The record's id as an integer (KnowBe4 sends ints and numeric strings); None when absent or not a
    number (the model then names the bad field)."""
    if not isinstance(record, dict):
        return None
    obj = cast(dict[str, Any], record)
    value = next((obj[k] for k in keys if k in obj), None)
    if type(value) is int:
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


class _Records:
    """Skips records with ids <= 0 and repeats of an id already seen; counts both for the warning."""

    def __init__(self, ep: Endpoint) -> None:
        self.keys = ID_KEYS.get(ep.model, ())
        self.seen: set[int] = set()
        self.bad_ids = 0
        self.repeated = 0

    def keep(self, record: Any) -> bool:
        if not self.keys:
            return True
        rid = _record_id(record, self.keys)
        if rid is None:
            return True
        if rid <= 0:
            self.bad_ids += 1
            return False
        if rid in self.seen:
            self.repeated += 1
            return False
        self.seen.add(rid)
        return True

    def problem(self, where: str) -> str | None:
        parts: list[str] = []
        if self.bad_ids:
            parts.append(f"{self.bad_ids:,} record{_s(self.bad_ids)} whose id is 0 or negative (skipped)")
        if self.repeated:
            parts.append(f"{self.repeated:,} repeated record{_s(self.repeated)} (the first copy kept)")
        return f"KnowBe4 answered {where} with {' and '.join(parts)}" if parts else None


def _s(n: int) -> str:
    return "" if n == 1 else "s"


async def paginate(
    ep: Endpoint,
    fetch: Fetch,
    params: Mapping[str, str],
    per_page: int,
    where: str,
    *,
    limit: PageLimit | None = None,
    on_problem: Callable[[str], None] = lambda _line: None,
) -> AsyncIterator[Any]:
    """Yield every record of a list endpoint, page after page, as the API sent it, less the records
    skipped by the id rule (reported once, at the end, through `on_problem`)."""
    records = _Records(ep)
    async for item in _walk(ep, fetch, params, per_page, where, limit):
        if records.keep(item):
            yield item
    problem = records.problem(where)
    if problem is not None:
        on_problem(problem)


async def _walk(
    ep: Endpoint, fetch: Fetch, params: Mapping[str, str], per_page: int, where: str, limit: PageLimit | None
) -> AsyncIterator[Any]:
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
    seen_pages: set[str] = set()
    records = 0

    while True:
        body, response = await fetch(query)
        page = split_page(body, response, where)
        if page.items:
            digest = _digest(page.items)
            if digest in seen_pages:
                raise PaginationLoopError(
                    f"KnowBe4 answered {where} with the same page twice (after {page_number} pages)",
                    "stopping instead of looping; try again later and report it with the request id",
                    request_id=request_id_of(response),
                    endpoint=where,
                )
            seen_pages.add(digest)
        for item in page.items:
            yield item
        records += len(page.items)
        if not page.items:
            return
        more = page.next_cursor is not None if page.cursor_mode else len(page.items) >= per_page
        if more and limit is not None and page_number >= limit.pages:
            raise PaginationLoopError(
                f"KnowBe4 kept sending new pages for {where}: stopped after {page_number:,} pages "
                f"({records:,} records), the most one list may spend ({limit.why})",
                "no account holds that many records in one list: try again later and report it with the request id",
                request_id=request_id_of(response),
                endpoint=where,
            )
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
