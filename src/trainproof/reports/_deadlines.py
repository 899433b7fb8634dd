"""Deadlines for both kinds of KnowBe4 campaign, shared by the campaigns, overdue and reminders reports.

KnowBe4 has no due date on an enrollment (§3.11): it must be derived from the campaign. A "Specific End
Date" campaign ends at its `end_date` for everyone; a "Relative End Date" campaign (older payloads say
"Relative Duration") gives each person `relative_duration` (e.g. "2 weeks") from their own enrollment;
"No End Date" campaigns have no deadline at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

__all__ = [
    "DeadlineKind",
    "Window",
    "days_until",
    "deadline_kind",
    "elapsed_percent",
    "enrollment_window",
    "parse_relative_duration",
    "thresholds_crossed",
]

DeadlineKind = Literal["specific", "relative", "none"]

_UNITS: dict[str, float] = {
    "minute": 1 / 1440,
    "hour": 1 / 24,
    "day": 1,
    "business day": 7 / 5,
    "week": 7,
    "month": 30,
    "year": 365,
}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(business\s+day|minute|hour|day|week|month|year)s?\s*$", re.IGNORECASE)
_WORDS = {"a": "1", "an": "1", "one": "1", "two": "2", "three": "3", "four": "4", "six": "6"}


def parse_relative_duration(text: str | None) -> timedelta | None:
    """ "2 weeks" -> 14 days; a month counts 30 days. None for empty or unreadable text (e.g. "string")."""
    if not text:
        return None
    raw = text.strip().lower()
    first, _, rest = raw.partition(" ")
    if first in _WORDS:
        raw = f"{_WORDS[first]} {rest}"
    if raw.isdigit():  # a bare number is days
        return timedelta(days=int(raw))
    match = _DURATION.match(raw)
    if not match:
        return None
    unit = " ".join(match.group(2).lower().split())
    return timedelta(days=float(match.group(1)) * _UNITS[unit])


def deadline_kind(duration_type: str | None, end_date: datetime | None, relative_duration: str | None) -> DeadlineKind:
    """Which kind of deadline a campaign has, tolerant of the API's older spellings and missing types."""
    kind = (duration_type or "").strip().lower()
    if kind.startswith("relative"):
        return "relative" if parse_relative_duration(relative_duration) else "none"
    if kind.startswith("specific") or (not kind and end_date is not None):
        return "specific" if end_date is not None else "none"
    if not kind and parse_relative_duration(relative_duration):
        return "relative"
    return "none"


@dataclass(frozen=True)
class Window:
    """The time one person was given: from `start` to the deadline `end`."""

    kind: DeadlineKind
    start: datetime
    end: datetime


def enrollment_window(
    *,
    duration_type: str | None,
    campaign_start: datetime | None,
    campaign_end: datetime | None,
    relative_duration: str | None,
    enrollment_date: datetime | None,
) -> Window | None:
    """The person's own window, or None when the campaign has no deadline or the dates are missing.

    Specific End Date: from the later of the campaign's start and the person's enrollment (someone
    auto-enrolled late has less time, and their reminders come sooner) to the campaign's end date.
    Relative End Date: from the enrollment to enrollment + relative_duration.
    """
    kind = deadline_kind(duration_type, campaign_end, relative_duration)
    if kind == "specific" and campaign_end is not None:
        starts = [d for d in (campaign_start, enrollment_date) if d is not None]
        if not starts:
            return None
        return Window("specific", min(max(starts), campaign_end), campaign_end)
    if kind == "relative":
        span = parse_relative_duration(relative_duration)
        start = enrollment_date or campaign_start
        if span is None or start is None:
            return None
        return Window("relative", start, start + span)
    return None


def elapsed_percent(window: Window, at: datetime) -> float:
    """Share of the window that has passed at `at`, in percent (can be below 0 or above 100)."""
    total = (window.end - window.start).total_seconds()
    if total <= 0:
        return 100.0 if at >= window.end else 0.0
    return 100.0 * (at - window.start).total_seconds() / total


def thresholds_crossed(thresholds: list[int], percent: float) -> list[int]:
    """The thresholds (sorted ascending) that `percent` has reached."""
    return sorted(t for t in set(thresholds) if percent >= t)


def days_until(deadline: datetime, at: datetime) -> int:
    """Calendar days (UTC) from `at` to `deadline`: 0 on the day itself, negative once it has passed."""
    return (deadline.astimezone(UTC).date() - at.astimezone(UTC).date()).days
