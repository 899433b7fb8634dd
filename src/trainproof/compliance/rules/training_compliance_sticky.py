"""Once compliant, the decision and its evidence are kept; KnowBe4's later changes do not undo it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from trainproof.compliance.facts import StickyRecord
from trainproof.compliance.rules._metadata import DRATA_ARTICLE, RuleMetadata

METADATA = RuleMetadata(
    id="training_compliance_sticky",
    title="A compliant decision is kept with the enrollments that earned it until a reset or renewal",
    rationale=(
        "Drata documents: once individuals are marked compliant for a training, Drata stops syncing their status "
        "from KnowBe4, so that changes in KnowBe4 (reset progress, removed enrollments) do not errantly "
        "overwrite it."
    ),
    auditor_text=(
        "The first time a person is found compliant, trainproof keeps a record of that decision with a "
        "snapshot of the completed enrollments that earned it. Later evaluations rely on the record even "
        "if KnowBe4 resets the progress or deletes the enrollment; only an explicit reset (kept in the "
        "history) or the end of the renewal period reopens it. For a past date, the records as they "
        "stood on that date are used."
    ),
    remediation=(
        "To re-evaluate someone from KnowBe4's current data, run `trainproof reset EMAIL --training T` "
        "(with --dry-run first); the earlier record stays in the history."
    ),
    source=f"{DRATA_ARTICLE}, 'Drata only syncs training for individuals that are not yet compliant'",
)


def standing(records: Iterable[StickyRecord], as_of: datetime) -> dict[tuple[int, str], StickyRecord]:
    """The record that stood on `as_of` for each (user, training): recorded by then, not reset by then.

    When several stood (an expired one and its renewal), the most recently recorded wins.
    """
    found: dict[tuple[int, str], StickyRecord] = {}
    for record in records:
        if not record.holds_on(as_of) or record.compliant_since > as_of:
            continue
        key = (record.user_id, record.training)
        current = found.get(key)
        if current is None or record.recorded_at > current.recorded_at:
            found[key] = record
    return found
