"""Instants as the Reporting API writes them (`2019-04-02T15:02:38.000Z`), to and from epoch seconds."""

from __future__ import annotations

import calendar
import time
from datetime import date

__all__ = ["format_instant", "parse_exact_instant"]


def format_instant(epoch: int) -> str:
    """Epoch seconds as the API writes instants: `2019-04-02T15:02:38.000Z` (year 1 as `0001`)."""
    t = time.gmtime(epoch)
    text = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", t)
    return text if t.tm_year >= 1000 else f"{t.tm_year:04d}{text[text.index('-') :]}"  # C's %Y does not pad


_DAY_EPOCH: dict[str, int] = {}  # "YYYY-MM-DD" -> epoch of its midnight, filled as dates are seen
_DIGITS = frozenset("0123456789")


def parse_exact_instant(text: object) -> int | None:
    """Epoch seconds of an instant written exactly as `format_instant` writes it, else None.

    Runs for every date of a loaded tenant (millions at 50,000 users), hence the per-day cache.
    """
    if type(text) is not str or len(text) != 24 or text[19:] != ".000Z" or text[10] != "T":
        return None
    if text[13] != ":" or text[16] != ":" or not _DIGITS.issuperset(text[11:13] + text[14:16] + text[17:19]):
        return None
    hour, minute, second = int(text[11:13]), int(text[14:16]), int(text[17:19])
    if hour > 23 or minute > 59 or second > 59:
        return None
    day = text[:10]
    midnight = _DAY_EPOCH.get(day)
    if midnight is None:
        try:
            parsed = date.fromisoformat(day)
        except ValueError:
            return None
        if parsed.isoformat() != day:  # fromisoformat also takes other spellings
            return None
        midnight = calendar.timegm((parsed.year, parsed.month, parsed.day, 0, 0, 0, 0, 0, 0))
        if len(_DAY_EPOCH) < 100_000:
            _DAY_EPOCH[day] = midnight
    return midnight + hour * 3600 + minute * 60 + second
