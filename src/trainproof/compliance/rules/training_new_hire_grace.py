"""New hires are not yet due: inside N days of their start date they are in grace, not non-compliant."""

from __future__ import annotations

from datetime import datetime, timedelta

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
    source="issue 4 '[trainings.*] new_hire_grace_days'",
)


def grace_window(person: Person, days: int | None) -> tuple[datetime, datetime] | None:
    """(start date, deadline) of the person's grace window, or None when none applies or is known."""
    if days is None:
        return None
    started = person.employee_start_date or person.joined_on
    if started is None:
        return None
    return started, started + timedelta(days=days)
