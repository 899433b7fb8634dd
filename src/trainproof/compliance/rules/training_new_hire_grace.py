"""New hires are not yet due: inside N days of their start date they are in grace, not non-compliant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from trainproof.compliance.facts import Person
from trainproof.compliance.rules._metadata import RuleMetadata

METADATA = RuleMetadata(
    id="training_new_hire_grace",
    title="A new hire who is not yet compliant is in grace until new_hire_grace_days after their start date",
    rationale=(
        "Onboarding training takes time; an auditor expects new personnel to complete it within a stated "
        "window, so a person inside that window is not an exception yet."
    ),
    auditor_text=(
        "When a training sets new_hire_grace_days, a person who is not compliant and whose start date "
        "(KnowBe4's employee_start_date, or the date they joined KnowBe4 when it is missing) lies within "
        "that many days before the as-of date is reported in grace with the deadline, not as non-compliant."
    ),
    remediation="Enrol the new hire in the training's campaigns and make sure they complete them before the deadline.",
    source="trainproof.toml [trainings.*] new_hire_grace_days: a window the auditor agrees, beyond Drata's rule",
)


def grace_starts(people: Sequence[Person]) -> list[datetime | None]:
    """The date each person's grace counts from: KnowBe4's employee_start_date, else when they joined."""
    return [p.employee_start_date or p.joined_on for p in people]


_LATEST = datetime.max.replace(tzinfo=UTC)


def grace_deadlines(starts: Sequence[datetime | None], days: int) -> list[datetime | None]:
    """The end of each grace window starting on `starts` (in bulk: one timedelta, no call per person).

    A start too late for its deadline to exist (9999-12-31 from a broken import) gets the last instant
    there is, rather than an OverflowError that would stop everyone's decisions.
    """
    grace = timedelta(days=days)
    last = _LATEST - grace
    return [None if s is None else s + grace if s <= last else _LATEST for s in starts]


def still_in_grace(deadlines: Sequence[datetime | None], as_of: datetime) -> list[int]:
    """The indexes of the deadlines not yet reached on `as_of`: those people are in grace unless compliant."""
    return [i for i, d in enumerate(deadlines) if d is not None and as_of < d]
