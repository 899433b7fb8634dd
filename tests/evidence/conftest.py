"""Fixtures for the evidence tests."""

from __future__ import annotations

import pytest

from trainproof.evidence import PersonRecord

from .builders import compliant, incomplete, not_enrolled


@pytest.fixture
def records() -> list[PersonRecord]:
    return [compliant(), incomplete(), not_enrolled(), compliant(10, "Grace Hopper", "grace@example.com")]
