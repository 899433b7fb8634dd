"""The one source of "now" and of as-of dates, so answers are reproducible.

`TRAINPROOF_NOW` (an ISO date or datetime) freezes the clock for tests and demos.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time

from trainproof.errors import ConfigError


def now() -> datetime:
    """The current time in UTC, or the frozen `TRAINPROOF_NOW`."""
    frozen = os.environ.get("TRAINPROOF_NOW")
    if frozen:
        return parse_instant(frozen, end_of_day=False)
    return datetime.now(UTC)


def today() -> date:
    return now().date()


def parse_instant(text: str, *, end_of_day: bool = True) -> datetime:
    """Parse an ISO date or datetime given by a user into an aware UTC datetime.

    A bare date means the end of that day (`--as-of 2026-06-30` includes completions on the 30th)
    unless `end_of_day` is False.
    """
    raw = text.strip()
    try:
        if len(raw) == 10:
            d = date.fromisoformat(raw)
            return datetime.combine(d, time.max if end_of_day else time.min, tzinfo=UTC)
        dt = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"'{text}' is not a date", "use YYYY-MM-DD or an ISO 8601 datetime") from None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
