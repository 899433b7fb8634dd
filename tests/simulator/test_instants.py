"""The simulator writes every instant as KnowBe4 does, at the ends of the calendar too."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from trainproof.simulator.instants import format_instant, parse_exact_instant


@pytest.mark.parametrize(
    ("when", "text"),
    [
        (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00.000Z"),  # C's %Y alone writes "1-01-01"
        (datetime(999, 5, 6, 7, 8, 9, tzinfo=UTC), "0999-05-06T07:08:09.000Z"),
        (datetime(2026, 9, 1, 12, tzinfo=UTC), "2026-09-01T12:00:00.000Z"),
        (datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), "9999-12-31T23:59:59.000Z"),
    ],
)
def test_instants_round_trip(when: datetime, text: str) -> None:
    epoch = int(when.timestamp())
    assert format_instant(epoch) == text
    assert parse_exact_instant(text) == epoch
