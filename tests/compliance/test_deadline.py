"""Deadlines for both kinds of KnowBe4 campaign and the reminder windows, worked out by hand on a calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trainproof.compliance.deadline import CampaignDeadline, Duration, days_until, parse_duration


def d(day: int, month: int = 3, hour: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def relative(text: str) -> CampaignDeadline:
    return CampaignDeadline.of("Relative End Date", None, text)


@pytest.mark.parametrize(
    ("text", "start", "due"),
    [
        ("1 week", d(4, hour=12), d(11, hour=12)),
        ("2 weeks", d(4), d(18)),
        ("14 days", d(4), d(18)),
        ("30", d(4), d(3, 4)),  # a bare number is days
        ("  3 Weeks ", d(4), d(25)),
        ("two weeks", d(4), d(18)),
        ("a month", d(4), d(4, 4)),
        ("one year", d(4), d(4, year=2027)),
        # Calendar months: the same day next month, or that month's last day when it is shorter.
        ("1 month", d(31, 1), d(28, 2)),
        ("1 month", d(31, 1, year=2028), d(29, 2, year=2028)),
        ("1 month", d(31, 3, hour=9), d(30, 4, hour=9)),
        ("3 months", d(30, 11, year=2025), d(28, 2)),
        ("13 months", d(31, 1), d(28, 2, year=2027)),
        ("1 year", d(29, 2, year=2028), d(28, 2, year=2029)),
        ("4 years", d(29, 2, year=2028), d(29, 2, year=2032)),
        # Business days skip Saturday and Sunday. 2026-03-06 is a Friday.
        ("1 business day", d(6, hour=10), d(9, hour=10)),
        ("5 business days", d(6), d(13)),
        ("10 business days", d(2), d(16)),  # Monday to the Monday two weeks on
        ("4 business days", d(4), d(10)),  # Wednesday: Thu, Fri, Mon, Tue
        ("1 business day", d(7), d(9)),  # from a Saturday: Monday
        ("5 business days", d(8), d(13)),  # from a Sunday: Mon..Fri
        ("3 working days", d(5), d(10)),
        # Decimals only for units of fixed length.
        ("1.5 weeks", d(4), d(14, hour=12)),
        ("2.5 days", d(4), d(6, hour=12)),
    ],
)
def test_relative_deadlines(text: str, start: datetime, due: datetime) -> None:
    assert relative(text).due(start) == due


@pytest.mark.parametrize(
    "text", [None, "", "string", "soon", "weeks", "1.5 months", "0.5 years", "2.5 business days", "-1 week", "9999999"]
)
def test_unreadable_durations_give_no_deadline_and_are_kept_for_check(text: str | None) -> None:
    assert parse_duration(text) is None
    rule = relative(text or "")
    assert rule.kind == "none"
    assert rule.due(d(4)) is None
    assert rule.unreadable == (text or "")


def test_a_deadline_beyond_the_calendar_is_its_last_instant() -> None:
    assert relative("999999 years").due(d(4)) == datetime.max.replace(tzinfo=UTC)
    assert relative("999999 weeks").due(d(4)) == datetime.max.replace(tzinfo=UTC)


def test_deadline_kinds_follow_duration_type_and_old_spellings() -> None:
    assert CampaignDeadline.of("Specific End Date", d(31), None).kind == "specific"
    assert CampaignDeadline.of("Relative End Date", None, "2 weeks").kind == "relative"
    assert CampaignDeadline.of("Relative Duration", None, "1 week").kind == "relative"  # older payloads
    assert CampaignDeadline.of("No End Date", d(31), None).kind == "none"
    assert CampaignDeadline.of("Specific End Date", None, None).kind == "none"  # no end date sent
    # The API documentation's sample: a specific campaign whose relative_duration is the placeholder "string".
    sample = CampaignDeadline.of("Specific End Date", d(31), "string")
    assert (sample.kind, sample.unreadable, sample.due(d(4))) == ("specific", None, d(31))
    # Without a type: an end date, else a relative duration.
    assert CampaignDeadline.of(None, d(31), "2 weeks").due(d(4)) == d(31)
    assert CampaignDeadline.of(None, None, "2 weeks").due(d(4)) == d(18)
    assert CampaignDeadline.of(None, None, "string").unreadable == "string"
    assert CampaignDeadline.of(None, None, None).kind == "none"


def test_a_relative_deadline_needs_the_enrollment_date() -> None:
    assert relative("2 weeks").due(None) is None
    assert relative("2 weeks").window(d(1), None) is None


def test_specific_end_date_window_and_thresholds() -> None:
    # Campaign runs 1 March 00:00 to 21 March 00:00: 20 days. 50 % is 11 March 00:00, 75 % is 16 March 00:00.
    w = CampaignDeadline.of("Specific End Date", d(21), None).window(d(1), d(1))
    assert w is not None
    assert (w.kind, w.start, w.end) == ("specific", d(1), d(21))
    assert w.elapsed_percent(d(10, hour=23)) == pytest.approx(100 * (9 * 24 + 23) / 480)
    assert w.elapsed_percent(d(11)) == 50.0
    assert w.elapsed_percent(d(16)) == 75.0
    assert days_until(w.end, d(16)) == 5


def test_specific_end_date_counts_from_a_late_enrollment() -> None:
    # Enrolled on 11 March in a campaign ending 21 March: their window is 10 days, 50 % on 16 March.
    w = CampaignDeadline.of("Specific End Date", d(21), None).window(d(1), d(11))
    assert w is not None
    assert w.start == d(11)
    assert w.elapsed_percent(d(16)) == 50.0


def test_relative_end_date_window_is_per_enrollment() -> None:
    # "2 weeks" from an enrollment on 4 March 12:00: deadline 18 March 12:00; 50 % at 11 March 12:00,
    # 75 % at 15 March 00:00 (10.5 days in).
    w = relative("2 weeks").window(d(1), d(4, hour=12))
    assert w is not None
    assert (w.kind, w.start, w.end) == ("relative", d(4, hour=12), d(18, hour=12))
    assert w.elapsed_percent(d(11, hour=12)) == 50.0
    assert w.elapsed_percent(d(15)) == 75.0


def test_no_end_date_has_no_window() -> None:
    assert CampaignDeadline.of("No End Date", None, None).window(d(1), d(2)) is None


def test_days_until_is_calendar_days() -> None:
    assert days_until(d(21), d(20, hour=23)) == 1
    assert days_until(d(21, hour=9), d(21, hour=8)) == 0
    assert days_until(d(21), d(24, hour=1)) == -3


@given(
    start=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
    days=st.integers(0, 60),
)
def test_business_days_match_counting_weekdays_one_by_one(start: datetime, days: int) -> None:
    at, left = start, days
    while left:
        at += timedelta(days=1)
        if at.weekday() < 5:
            left -= 1
    assert Duration(days, "business day").after(start) == at
