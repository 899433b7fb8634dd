"""When an enrollment is due: the one deadline function behind late flags, overdue lists and reminders.

KnowBe4 puts no due date on an enrollment: it follows from the campaign. A "Specific End Date"
campaign ends at its `end_date` for everyone; a "Relative End Date" campaign (older payloads say
"Relative Duration") gives each person `relative_duration` (e.g. "2 weeks") from their own
enrollment; a "No End Date" campaign has no deadline. The rule's late flags, the decisions' due
dates, the evidence pack, `report overdue`, `report reminders`, `report campaigns` and the MCP tools
all ask `CampaignDeadline`, so they cannot disagree about the same enrollment.

Durations read the way a person counts them on a calendar: "1 month" from 31 January is the last
day of February, "1 year" from 29 February is 28 February, "10 business days" skips Saturdays and
Sundays (UTC). Decimals are read only for units of fixed length ("1.5 weeks" is 10 days 12 hours);
"1.5 months" or "2.5 business days" have no single meaning, so they are unreadable like "string"
(the API documentation's placeholder): no deadline, and `trainproof check` names the campaign.

A training's fixed renewal date (`renew_on = "MM-DD"`, Drata's "a fixed date each year") is an
`AnnualDate` here too, so the calendar is counted in one module.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

__all__ = [
    "AnnualDate",
    "CampaignDeadline",
    "DeadlineKind",
    "DeadlineWindow",
    "Duration",
    "days_until",
    "parse_duration",
]

DeadlineKind = Literal["specific", "relative", "none"]
Unit = Literal["minute", "hour", "day", "week", "business day", "month", "year"]

_FIXED: dict[str, timedelta] = {
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
}
_UNITS: dict[str, Unit] = {
    "minute": "minute", "hour": "hour", "day": "day", "week": "week", "month": "month", "year": "year",
    "business day": "business day", "working day": "business day",
}  # fmt: skip
_DURATION = re.compile(
    r"^(?P<amount>\d{1,6}(?:\.\d{1,6})?)\s*(?P<unit>business\s+day|working\s+day|minute|hour|day|week|month|year)s?$"
)
_WORDS = {
    "a": "1", "an": "1", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Duration:
    """A relative duration as read from KnowBe4's text: a whole or (fixed units only) decimal amount of a unit."""

    amount: int | float
    unit: Unit

    def after(self, start: datetime) -> datetime:
        """`start` plus this duration, on the calendar (months clamp to the month's last day)."""
        fixed = _FIXED.get(self.unit)
        amount = int(self.amount)
        try:
            if fixed is not None:
                return start + fixed * self.amount
            if self.unit == "business day":
                return _add_business_days(start, amount)
            return _add_months(start, amount * 12 if self.unit == "year" else amount)
        except OverflowError:  # beyond year 9999: the last instant there is, as for other far deadlines
            return datetime.max.replace(tzinfo=start.tzinfo)


def parse_duration(text: str | None) -> Duration | None:
    """ "2 weeks", "one month", "10 business days", "30" (days) -> a Duration; None when unreadable."""
    if not text:
        return None
    words = text.strip().lower().split()
    if not words:
        return None
    words[0] = _WORDS.get(words[0], words[0])
    raw = " ".join(words)
    if raw.isdigit() and len(raw) <= 6:  # a bare number is days
        return Duration(int(raw), "day")
    match = _DURATION.match(raw)
    if match is None:
        return None
    unit = _UNITS[match["unit"]]
    amount = match["amount"]
    if "." not in amount:
        return Duration(int(amount), unit)
    if unit not in _FIXED:
        return None  # a fraction of a month, year or business day has no single meaning
    return Duration(float(amount), unit)


@dataclass(frozen=True, slots=True)
class DeadlineWindow:
    """The time one person was given for one enrollment: from `start` to the deadline `end`."""

    kind: DeadlineKind
    start: datetime
    end: datetime

    def elapsed_percent(self, at: datetime) -> float:
        """Share of the window that has passed at `at`, in percent (below 0 before it, above 100 after it)."""
        total = (self.end - self.start).total_seconds()
        if total <= 0:
            return 100.0 if at >= self.end else 0.0
        return 100.0 * (at - self.start).total_seconds() / total


@dataclass(slots=True)
class CampaignDeadline:
    """A campaign's deadline rule, read once; `due` gives each enrollment's deadline.

    The kind follows KnowBe4's `duration_type`; without one, an end date makes it specific and a
    readable relative duration makes it relative. `unreadable` keeps a relative duration that could
    not be read, so `trainproof check` can name the campaign. `due` is called for every completion
    in the evaluation's hot loop, so relative deadlines are cached per enrollment date (KnowBe4
    enrolls whole groups at one instant, so few dates repeat many times).
    """

    kind: DeadlineKind
    end: datetime | None = None  # specific: the campaign's end date
    duration: Duration | None = None  # relative: from each enrollment
    unreadable: str | None = None  # a relative duration that says no readable time
    _cache: dict[datetime, datetime] = field(default_factory=dict[datetime, datetime], repr=False, compare=False)

    @classmethod
    def of(
        cls, duration_type: str | None, end_date: datetime | None, relative_duration: str | None
    ) -> CampaignDeadline:
        kind = (duration_type or "").strip().lower()
        if kind.startswith("specific") or (not kind and end_date is not None):
            return cls("specific", end_date) if end_date is not None else cls("none")
        if kind.startswith("relative") or (not kind and relative_duration and relative_duration.strip()):
            duration = parse_duration(relative_duration)
            if duration is None:
                return cls("none", unreadable=relative_duration or "")
            return cls("relative", duration=duration)
        return cls("none")

    def due(self, enrolled: datetime | None) -> datetime | None:
        """The deadline of an enrollment made at `enrolled` (None: no deadline, or no enrollment date to count from)."""
        end = self.end
        if end is not None:
            return end
        duration = self.duration
        if duration is None or enrolled is None:
            return None
        found = self._cache.get(enrolled)
        if found is None:
            found = self._cache[enrolled] = duration.after(enrolled)
        return found

    def window(self, campaign_start: datetime | None, enrolled: datetime | None) -> DeadlineWindow | None:
        """The person's own window, or None without a deadline.

        Specific End Date: from the later of the campaign's start and the enrollment (someone
        auto-enrolled late has less time, and their reminders come sooner) to the end date.
        Relative End Date: from the enrollment to its deadline.
        """
        end = self.due(enrolled)
        if end is None:
            return None
        if self.kind == "relative":
            assert enrolled is not None  # a relative deadline is counted from it
            return DeadlineWindow("relative", enrolled, end)
        starts = [d for d in (campaign_start, enrolled) if d is not None]
        if not starts:
            return None
        return DeadlineWindow("specific", min(max(starts), end), end)


@dataclass(frozen=True, slots=True)
class AnnualDate:
    """A day of the year that comes round every year at 00:00 UTC, e.g. a fixed renewal date (01-15).

    29 February is allowed and falls on 28 February in common years: the last day of the month, as
    "1 year" from 29 February is counted above. Days no year has (02-30, 04-31) are not an AnnualDate.
    """

    month: int
    day: int

    @classmethod
    def parse(cls, text: str) -> AnnualDate | None:
        """ "MM-DD" (e.g. "01-15") -> an AnnualDate; None when it is not that form or no year has that day."""
        match = _MONTH_DAY.match(text.strip())
        if match is None:
            return None
        month, day = int(match["month"]), int(match["day"])
        if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2000, month)[1]:  # 2000: a leap year
            return None
        return cls(month, day)

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"

    def in_year(self, year: int) -> datetime:
        """This day's start (00:00 UTC) in `year`; 29 February is the 28th in a common year."""
        return datetime(year, self.month, min(self.day, calendar.monthrange(year, self.month)[1]), tzinfo=UTC)

    def next_after(self, at: datetime) -> datetime:
        """The first occurrence strictly after `at` (the last instant there is beyond year 9999)."""
        year = at.astimezone(UTC).year
        found = self.in_year(year)
        if found > at:
            return found
        if year >= 9999:
            return datetime.max.replace(tzinfo=UTC)
        return self.in_year(year + 1)


_MONTH_DAY = re.compile(r"^(?P<month>\d{2})-(?P<day>\d{2})$")


def days_until(deadline: datetime, at: datetime) -> int:
    """Calendar days (UTC) from `at` to `deadline`: 0 on the day itself, negative once it has passed."""
    return (deadline.astimezone(UTC).date() - at.astimezone(UTC).date()).days


def _add_months(value: datetime, months: int) -> datetime:
    year, month = divmod(value.month - 1 + months, 12)
    year += value.year
    month += 1
    if year > 9999:
        raise OverflowError("beyond year 9999")
    return value.replace(year=year, month=month, day=min(value.day, calendar.monthrange(year, month)[1]))


def _add_business_days(value: datetime, days: int) -> datetime:
    """The same time of day on the `days`-th weekday after `value`'s day (a weekend start counts from Friday)."""
    if days <= 0:
        return value
    weekday = value.weekday()
    if weekday >= 5:  # Saturday or Sunday: the next business day is Monday, as it is from Friday
        value -= timedelta(days=weekday - 4)
        weekday = 4
    weeks, rest = divmod(days, 5)
    if weekday + rest >= 5:  # crosses a weekend
        rest += 2
    return value + timedelta(days=weeks * 7 + rest)
