"""Text from KnowBe4 shown on a terminal as the text it is.

KnowBe4 names, departments, managers and titles are typed by thousands of people, so they are untrusted.
On a terminal an ESC or OSC sequence in them would retitle the window, clear the screen or draw a link,
and Rich would read `[/red]` as markup (and fail on it) or `[link=...]` as a clickable link. So every
value printed goes through `terminal_text` (control characters made visible) and reaches Rich as a
`rich.text.Text` (never parsed as markup or emoji codes), and a table cell is cut at `CELL_LIMIT`
characters with an ellipsis. JSON and CSV output keep the full value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported by `cell` when a table is drawn: errors and config use this module too
    from rich.text import Text

CELL_LIMIT = 200
"""Characters of one table cell; longer values end in '…' (the full value is in --format json or csv)."""

ELLIPSIS = "…"

# C0 controls and DEL become their Unicode Control Pictures (ESC shows as ␛, so "␛]0;title␇" is visible and
# inert); C1 controls, lone surrogates (which no terminal encoding can carry) and the bidirectional
# embedding, override and isolate controls (they reorder how the rest of a line reads) become U+FFFD.
# Line and paragraph separators show as ␤. Without ESC or a C1 byte no escape sequence can start.
_VISIBLE: dict[str, str] = {chr(c): chr(0x2400 + c) for c in range(0x20)}
_VISIBLE["\x7f"] = "\u2421"
_VISIBLE.update({chr(c): "\ufffd" for c in range(0x80, 0xA0)})
_VISIBLE.update({chr(c): "\ufffd" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})
_VISIBLE.update({"\u2028": "\u2424", "\u2029": "\u2424"})
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    return _VISIBLE.get(match.group(), "\ufffd")


def terminal_text(text: str) -> str:
    """`text` with no character a terminal would act on: controls shown as ␛, ␇, ␊..., others as U+FFFD.

    >>> terminal_text("\\x1b]0;owned\\x07Eve")
    '␛]0;owned␇Eve'
    """
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(_visible, text)


def shorten(text: str, limit: int = CELL_LIMIT) -> str:
    """At most `limit` characters; a longer text keeps its start and ends in '…'."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + ELLIPSIS


def _json_default(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime | date) else str(value)


def as_text(value: object) -> str:
    """How a value reads in a table or CSV cell: '' for None, ISO dates, yes/no, lists and dicts as JSON."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple | dict | Mapping):
        return json.dumps(value, default=_json_default, ensure_ascii=False)
    return str(value)


def cell(value: object, limit: int = CELL_LIMIT) -> Text:
    """A value as a Rich table cell: the text it is (no markup), controls visible, cut at `limit`."""
    from rich.text import Text

    return Text(shorten(terminal_text(as_text(value)), limit))
