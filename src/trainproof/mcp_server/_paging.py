"""Bounded pages: every list tool answers one slice and says whether to ask for the next."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from trainproof.mcp_server.models import PageInfo

T = TypeVar("T")

MAX_PER_PAGE = 500
MAX_PAGE = 100_000


def slice_page(items: Sequence[T], page: int, per_page: int) -> tuple[list[T], PageInfo]:
    """The `page`-th slice of a fully known list (1-based), with an exact total."""
    start = (page - 1) * per_page
    chunk = list(items[start : start + per_page])
    more = start + per_page < len(items)
    return chunk, PageInfo(
        page=page,
        per_page=per_page,
        returned=len(chunk),
        total=len(items),
        has_more=more,
        next_page=page + 1 if more else None,
    )


def page_info(page: int, per_page: int, returned: int, total: int | None, has_more: bool) -> PageInfo:
    return PageInfo(
        page=page,
        per_page=per_page,
        returned=returned,
        total=total,
        has_more=has_more,
        next_page=page + 1 if has_more else None,
    )
