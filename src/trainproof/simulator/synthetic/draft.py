"""The tenant being generated, the people behind it, and the small helpers every part uses."""

from __future__ import annotations

import calendar
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from trainproof.simulator.dataset import Tenant
from trainproof.simulator.instants import format_instant
from trainproof.simulator.kinds import Record

__all__ = [
    "DAY",
    "Draft",
    "Person",
    "add_months",
    "between",
    "epoch",
    "instant",
    "mean_risk",
    "random_guid",
    "slug",
]

DAY = 86_400


def epoch(d: date, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    return calendar.timegm((d.year, d.month, d.day, hour, minute, second, 0, 0, 0))


def instant(at: int | None) -> str | None:
    return None if at is None else format_instant(at)


def between(rng: random.Random, lo: int, hi: int) -> int:
    """An int in [lo, hi): randrange's job at a third of its cost (this runs millions of times)."""
    return lo + int(rng.random() * (hi - lo))


def slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def random_guid(rng: random.Random) -> str:
    """A version-4 UUID drawn from the part's own stream (uuid4() would make the tenant differ per run)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def add_months(d: date, months: int) -> date:
    month = d.month - 1 + months
    year = d.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


@dataclass(slots=True, eq=False)
class Person:
    """Working state of one generated user (slots keep 50,000 of them small)."""

    id: int
    first: str
    last: str
    email: str
    employee_number: str | None
    start: int
    joined: int
    archived_at: int | None
    dept: int
    location: int
    title: str
    manager: Person | None
    is_manager: bool
    provisioned: bool
    guid: str | None
    aliases: list[str]
    groups: list[int]
    diligence: float
    phished: int
    fails: list[int]
    risk: float
    enroll_user: dict[str, Any]
    phish_user: dict[str, Any]

    @property
    def phish_prone_percentage(self) -> float:
        return round(100 * len(self.fails) / self.phished, 3) if self.phished else 0.0


def mean_risk(people: Sequence[Person]) -> float:
    """The average risk score of these people, to 3 decimals (0.0 for nobody): a group's or the account's."""
    return round(sum(p.risk for p in people) / len(people), 3) if people else 0.0


class Draft:
    """The tenant under construction and the working state its parts share."""

    def __init__(self, users: int, seed: int, reference: date, seats: int | None) -> None:
        if users < 0:
            raise ValueError("users must be >= 0")
        self.n = users
        self.seed = seed
        self.ref_date = reference
        self.ref = epoch(reference, 12)
        self.seats = seats
        self.people: list[Person] = []
        self.tenant = Tenant()
        self.purchases: list[Record] = []
        self.policies: list[Record] = []
        self.group_ids: dict[str, int] = {}
        self.group_guids: dict[str, str | None] = {}
        self.group_records: list[Record] = []
        self.strings: dict[str, str] = {}

    def rng(self, part: int) -> random.Random:
        """One stream per section, so changing one section leaves the others' data unchanged."""
        return random.Random(self.seed * 7919 + part)

    def s(self, text: str) -> str:
        """Share equal strings between records (memory)."""
        return self.strings.setdefault(text, text)

    def days_ago(self, days: float, hour: int = 0) -> int:
        return epoch(self.ref_date - timedelta(days=days), hour)

    def group_ref(self, name: str) -> list[dict[str, Any]]:
        """The `groups` list of a campaign aimed at one group, as KnowBe4 writes it."""
        return [{"group_id": self.group_ids[name], "name": name}]
