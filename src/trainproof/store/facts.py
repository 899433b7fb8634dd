"""The compliance facts in one call: people, campaigns, enrollments and sticky records, now or at `as_of`.

`load_facts(conn, as_of=None)` is the hot read. As they stood at `as_of`:

* each enrollment as its version current at `as_of` (the latest `enrollment_versions` row seen by
  then). For a date before the store first saw it, the earliest version is used, and the enrollment
  counts only if its `enrollment_date` is not after `as_of`;
* a completion counts only if `completion_date <= as_of` (or, with no completion date, if a sync saw
  it complete by then); otherwise it is presented as it stood: `In Progress` if started by then, else
  `Not Started`, with no completion date;
* the people population from `user_versions` the same way (people added to KnowBe4 after `as_of`,
  by `joined_on`, are left out; someone archived later is active on `as_of`);
* an enrollment or person marked removed by `as_of` is left out; sticky records recorded by `as_of`,
  with a reset made later not yet applied.

Each part is read by its own module (`people.py`, `campaigns.py`, `enrollments.py`, `sticky.py`) with
plain SQL, building the dataclasses directly: a million enrollments load in seconds.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from trainproof.compliance.facts import Campaign, EnrollmentFact, Person, StickyRecord
from trainproof.store.campaigns import load_campaigns
from trainproof.store.enrollments import load_enrollments
from trainproof.store.people import load_people
from trainproof.store.sticky import sticky_records

__all__ = ["Facts", "load_facts"]


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything the compliance engine judges, resolved for one point in time (None: now)."""

    as_of: datetime | None
    people: tuple[Person, ...]
    campaigns: tuple[Campaign, ...]
    enrollments: tuple[EnrollmentFact, ...]
    sticky: tuple[StickyRecord, ...]


def load_facts(
    conn: Connection,
    as_of: datetime | None = None,
    *,
    campaign_ids: Collection[int] | None = None,
    include_removed: bool = False,
) -> Facts:
    """The compliance facts now, or as they stood at `as_of` (see the module docstring).

    `campaign_ids` limits enrollments to those campaigns (the ones trainings select); `include_removed`
    keeps enrollments KnowBe4 no longer returns, with their `removed_at`.
    """
    return Facts(
        as_of=as_of,
        people=tuple(load_people(conn, as_of)),
        campaigns=tuple(load_campaigns(conn, as_of)),
        enrollments=tuple(load_enrollments(conn, as_of, campaign_ids=campaign_ids, include_removed=include_removed)),
        sticky=tuple(sticky_records(conn, as_of=as_of)),
    )
