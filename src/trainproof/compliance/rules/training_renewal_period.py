"""Compliance lapses: renew_every_days after it was earned, or on the next fixed renewal date (renew_on)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from trainproof.compliance.rules._metadata import RuleMetadata
from trainproof.compliance.trainings import Training

METADATA = RuleMetadata(
    id="training_renewal_period",
    title="Compliance expires renew_every_days after it was earned, or on the next fixed renewal date renew_on",
    rationale=(
        "Frameworks expect awareness training to be repeated (typically every year); a completion older "
        "than the renewal period no longer shows the person is trained. Drata offers both a period after "
        "completion and a fixed date each year."
    ),
    auditor_text=(
        "When a training sets renew_every_days, compliance earned on a date (the latest first-completion "
        "date among the modules that made the person compliant) lapses that many days later. When it sets "
        "renew_on (a day of the year, MM-DD, 00:00 UTC), compliance earned before the most recent renewal "
        "date lapses on the first renewal date after it was earned. From then the person is reported "
        "expired until newer completions earn compliance again."
    ),
    remediation=(
        "Enrol the person in the current cycle's campaign, select it for the training, and run "
        "`trainproof reset --expired --training T` (preview first with --dry-run) to close the old records."
    ),
    source=(
        "trainproof.toml [trainings.*] renew_every_days or renew_on: the framework's repetition, beyond Drata's rule"
    ),
)

Lapse = Callable[[datetime], datetime]


def lapse_of(training: Training) -> Lapse | None:
    """When compliance earned at an instant lapses under the training's renewal; None when it never does.

    A function per training rather than per decision, so the evaluation's loop makes one call per person.
    """
    if training.renew_on is not None:
        return training.renew_on.next_after
    if training.renew_every_days is not None:
        period = timedelta(days=training.renew_every_days)
        return lambda earned: earned + period
    return None


def renews(training: Training) -> bool:
    """True when compliance for the training lapses at all."""
    return training.renew_every_days is not None or training.renew_on is not None
