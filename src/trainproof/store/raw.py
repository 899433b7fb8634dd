"""Fields the store keeps only in a record's `raw` JSON, read defensively: KnowBe4 data is not trusted.

A purchase's description, a test's categories and template, a campaign's completion_percentage and a
recipient's name are not columns; a value of the wrong shape reads as missing rather than failing.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["group_ids", "named", "raw_object"]


def raw_object(text: str | None) -> dict[str, Any]:
    """The record's raw JSON as an object ({} when empty, unreadable or not an object)."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}  # pyright: ignore[reportUnknownVariableType]


def group_ids(value: object) -> tuple[int, ...]:
    """Group ids from a list of ids or of `{"group_id": ...}` objects (KnowBe4 sends both shapes)."""
    if not isinstance(value, list):
        return ()
    out: list[int] = []
    for v in value:  # pyright: ignore[reportUnknownVariableType]
        if isinstance(v, int):
            out.append(v)
        elif isinstance(v, dict) and isinstance(v.get("group_id"), int):  # pyright: ignore[reportUnknownMemberType]
            out.append(v["group_id"])  # pyright: ignore[reportUnknownArgumentType]
    return tuple(out)


def named(value: object) -> str | None:
    """The non-empty `name` of a `{"name": ...}` object (a category, a template), else None."""
    if isinstance(value, dict):
        name = value.get("name")  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
        return name if isinstance(name, str) and name else None
    return None
