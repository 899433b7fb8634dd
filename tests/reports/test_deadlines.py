"""Reminder thresholds and deadlines for both kinds of campaign, worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trainproof.reports._deadlines import (
    days_until,
    deadline_kind,
    elapsed_percent,
    enrollment_window,
    parse_relative_duration,
    thresholds_crossed,
)


def d(day: int, month: int = 3, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("1 week", 7),
        ("2 weeks", 14),
        ("14 days", 14),
        ("1 day", 1),
        ("30", 30),
        ("1 month", 30),
        ("two weeks", 14),
        ("5 business days", 7),
        ("  3 Weeks ", 21),
    ],
)
def test_relative_durations(text: str, days: int) -> None:
    assert parse_relative_duration(text) == timedelta(days=days)


@pytest.mark.parametrize("text", [None, "", "string", "soon", "weeks"])
def test_unreadable_durations_are_none(text: str | None) -> None:
    assert parse_relative_duration(text) is None


def test_deadline_kinds_follow_duration_type_and_old_spellings() -> None:
    assert deadline_kind("Specific End Date", d(31), None) == "specific"
    assert deadline_kind("Relative End Date", None, "2 weeks") == "relative"
    assert deadline_kind("Relative Duration", None, "1 week") == "relative"  # older payloads
    assert deadline_kind("No End Date", None, None) == "none"
    assert deadline_kind("Specific End Date", None, None) == "none"  # no end date sent
    assert deadline_kind("Relative End Date", None, "string") == "none"  # the docs' placeholder value


def test_specific_end_date_window_and_thresholds() -> None:
    # Campaign runs 1 March 00:00 to 21 March 00:00: 20 days. 50 % is 11 March 00:00, 75 % is 16 March 00:00.
    w = enrollment_window(
        duration_type="Specific End Date",
        campaign_start=d(1),
        campaign_end=d(21),
        relative_duration=None,
        enrollment_date=d(1, hour=0),
    )
    assert w is not None
    assert w.kind == "specific"
    assert (w.start, w.end) == (d(1), d(21))
    assert elapsed_percent(w, d(10, hour=23)) == pytest.approx(100 * (9 * 24 + 23) / 480)
    assert thresholds_crossed([50, 75], elapsed_percent(w, d(10, hour=23))) == []
    assert thresholds_crossed([50, 75], elapsed_percent(w, d(11))) == [50]
    assert thresholds_crossed([75, 50], elapsed_percent(w, d(15, hour=23))) == [50]
    assert thresholds_crossed([50, 75], elapsed_percent(w, d(16))) == [50, 75]
    assert days_until(w.end, d(16)) == 5


def test_specific_end_date_counts_from_a_late_enrollment() -> None:
    # Enrolled on 11 March in a campaign ending 21 March: their window is 10 days, 50 % on 16 March.
    w = enrollment_window(
        duration_type="Specific End Date",
        campaign_start=d(1),
        campaign_end=d(21),
        relative_duration=None,
        enrollment_date=d(11),
    )
    assert w is not None
    assert w.start == d(11)
    assert elapsed_percent(w, d(16)) == 50.0


def test_relative_end_date_window_is_per_enrollment() -> None:
    # "2 weeks" from an enrollment on 4 March 12:00: deadline 18 March 12:00; 50 % at 11 March 12:00,
    # 75 % at 14 March 24:00 = 15 March 00:00 (10.5 days in).
    w = enrollment_window(
        duration_type="Relative End Date",
        campaign_start=d(1),
        campaign_end=None,
        relative_duration="2 weeks",
        enrollment_date=d(4, hour=12),
    )
    assert w is not None
    assert w.kind == "relative"
    assert w.end == d(18, hour=12)
    assert thresholds_crossed([50, 75], elapsed_percent(w, d(11, hour=11))) == []
    assert thresholds_crossed([50, 75], elapsed_percent(w, d(11, hour=12))) == [50]
    assert thresholds_crossed([50, 75], elapsed_percent(w, d(14, hour=23))) == [50]
    assert thresholds_crossed([50, 75], elapsed_percent(w, d(15))) == [50, 75]


def test_no_end_date_has_no_window() -> None:
    assert (
        enrollment_window(
            duration_type="No End Date",
            campaign_start=d(1),
            campaign_end=None,
            relative_duration=None,
            enrollment_date=d(2),
        )
        is None
    )


def test_days_until_is_calendar_days() -> None:
    assert days_until(d(21), d(20, hour=23)) == 1
    assert days_until(d(21, hour=9), d(21, hour=8)) == 0
    assert days_until(d(21), d(24, hour=1)) == -3
