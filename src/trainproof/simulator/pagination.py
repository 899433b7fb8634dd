"""Page mode and cursor mode, as the Reporting API does them (reference §4).

Page mode: `page` (1-based, default 1) and `per_page` (default 100, clamped to 1..500); the body is a bare
JSON array and a page past the end is `[]`. Cursor mode (`cursor=true` or `cursor=0` to start, then the
returned cursor): the body is `{"data": [...], "pagination": {"per_page": N, "next_cursor": "<n>" | null}}`
and the next cursor is also sent as `X-Next-Cursor` ("" on the last page). `next_cursor` is null on the
last page, so N records at 500 per page take exactly ceil(N / 500) requests. A cursor is the position of
the next record, written as an integer string (production clients send it back as they got it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["DEFAULT_PER_PAGE", "MAX_PER_PAGE", "BadRequest", "PageSlice", "Paging", "parse_paging", "window"]

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 500


class BadRequest(Exception):
    """Answered with 400 and `{"message": ...}`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Paging:
    """What one request asked for."""

    cursor: bool
    per_page: int
    page: int = 1
    offset: int = 0


@dataclass(frozen=True)
class PageSlice:
    """Which records one answer holds, and the cursor to the rest."""

    start: int
    end: int
    next_cursor: str | None


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def parse_paging(query: Mapping[str, str], *, cursor_allowed: bool) -> Paging:
    """Read page/per_page/cursor; raise BadRequest for a cursor the server never issued."""
    per_page = min(MAX_PER_PAGE, max(1, _int(query.get("per_page"), DEFAULT_PER_PAGE)))
    raw = query.get("cursor")
    if cursor_allowed and raw is not None and raw.strip().lower() != "false":
        text = raw.strip().lower()
        if text in ("true", "0"):
            return Paging(cursor=True, per_page=per_page)
        if not text.isdigit():
            raise BadRequest("Invalid cursor")
        return Paging(cursor=True, per_page=per_page, offset=int(text))
    page = max(1, _int(query.get("page"), 1))
    return Paging(cursor=False, per_page=per_page, page=page, offset=(page - 1) * per_page)


def window(total: int, paging: Paging, *, lenient: bool = False) -> PageSlice:
    """The slice for this request; a cursor beyond the data is a 400 unless `lenient`."""
    start = paging.offset
    if paging.cursor and start > total and not lenient:
        raise BadRequest("Invalid cursor")
    end = min(total, start + paging.per_page) if start < total else start
    if not paging.cursor:
        return PageSlice(min(start, total), min(end, total), None)
    return PageSlice(min(start, total), min(end, total), str(end) if end < total else None)
