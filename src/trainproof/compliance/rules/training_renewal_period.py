"""Compliance lapses renew_every_days after it was earned."""

from __future__ import annotations

from datetime import datetime, timedelta

from trainproof.compliance.rules._metadata import RuleMetadata

METADATA = RuleMetadata(
    id="training_renewal_period",
    title="Compliance expires renew_every_days after it was earned",
    rationale=(
        "Frameworks expect awareness training to be repeated (typically every year); a completion older "
        "than the renewal period no longer shows the person is trained."
    ),
    auditor_text=(
        "When a training sets renew_every_days, compliance earned on a date (the latest first-completion "
        "date among the modules that made the person compliant) lapses that many days later; from then "
        "the person is reported expired until newer completions earn compliance again."
    ),
    remediation=(
        "Enrol the person in the current cycle's campaign, select it for the training, and run "
        "`trainproof reset --expired --training T` (preview first with --dry-run) to close the old records."
    ),
    source="trainproof.toml [trainings.*] renew_every_days: the framework's repetition, beyond Drata's rule",
)


def expires_at(earned: datetime, days: int | None) -> datetime | None:
    """When compliance earned on `earned` lapses; None when the training never lapses."""
    return None if days is None else earned + timedelta(days=days)
