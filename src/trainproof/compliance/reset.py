"""Resets: reopen kept (sticky) decisions so a person is judged again from KnowBe4's current data.

A reset never deletes anything: it is the same record with `reset_at` and `reset_reason` filled in,
which the store persists beside the original. `plan_reset` also re-evaluates the people concerned
before and after, so `--dry-run` can list who would flip before anyone does.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from trainproof.compliance.decision import Decision
from trainproof.compliance.engine import evaluate
from trainproof.compliance.facts import Campaign, EnrollmentFact, Person, StickyRecord
from trainproof.compliance.rules.training_compliance_sticky import standing
from trainproof.compliance.rules.training_renewal_period import lapse_of
from trainproof.compliance.trainings import Training, TrainingsConfig


def reset_records(
    sticky: Iterable[StickyRecord], *, training: str, user_ids: Collection[int], at: datetime, reason: str
) -> tuple[StickyRecord, ...]:
    """The reset copies of the records of `user_ids` for `training` that stand at `at`."""
    wanted = set(user_ids)
    held = standing((r for r in sticky if r.training == training and r.user_id in wanted), at)
    return tuple(r._replace(reset_at=at, reset_reason=reason) for r in held.values())


def expired_records(sticky: Iterable[StickyRecord], training: Training, *, at: datetime) -> tuple[StickyRecord, ...]:
    """Records of `training` standing at `at` whose renewal period has ended (none without renewal)."""
    lapse_at = lapse_of(training)
    if lapse_at is None:
        return ()
    held = standing((r for r in sticky if r.training == training.key), at)
    return tuple(r for r in held.values() if lapse_at(r.compliant_since) <= at)


@dataclass(frozen=True, slots=True)
class ResetChange:
    """One person's decision for the training before and after the reset."""

    before: Decision
    after: Decision

    @property
    def flips(self) -> bool:
        """True when the reset changes whether the person is compliant."""
        return self.before.compliant != self.after.compliant


@dataclass(frozen=True, slots=True)
class ResetPlan:
    training: str
    at: datetime
    reason: str
    records: tuple[StickyRecord, ...]  # reset copies to persist
    changes: tuple[ResetChange, ...]  # one per person whose record is reset
    new_sticky: tuple[StickyRecord, ...]  # records the re-evaluation keeps (compliant again from data)
    without_record: tuple[int, ...]  # requested user ids that had no kept record to reset

    @property
    def flips(self) -> tuple[ResetChange, ...]:
        return tuple(c for c in self.changes if c.flips)


def plan_reset(
    people: Sequence[Person],
    campaigns: Sequence[Campaign],
    enrollments: Sequence[EnrollmentFact],
    trainings_config: TrainingsConfig,
    sticky: Sequence[StickyRecord],
    *,
    training: str,
    at: datetime,
    user_ids: Collection[int] | None = None,
    expired: bool = False,
    reason: str | None = None,
) -> ResetPlan:
    """What `trainproof reset` would do: the records to reset and each person's before/after decision.

    Give either `user_ids` (reset these people) or `expired=True` (close every record whose renewal
    period has ended). Applying the plan means persisting `records` and then `new_sticky`.
    """
    if (user_ids is None) == (not expired):
        raise ValueError("give either user_ids or expired=True")
    scoped = trainings_config.only([training])
    spec = scoped.training(training)
    if expired:
        why = reason or "renewal period ended"
        targets = tuple(r._replace(reset_at=at, reset_reason=why) for r in expired_records(sticky, spec, at=at))
        missing: tuple[int, ...] = ()
    else:
        why = reason or "reset by trainproof reset"
        targets = reset_records(sticky, training=training, user_ids=user_ids or (), at=at, reason=why)
        found = {r.user_id for r in targets}
        missing = tuple(u for u in dict.fromkeys(user_ids or ()) if u not in found)

    affected = {r.user_id for r in targets}
    subset = [p for p in people if p.user_id in affected]
    before = evaluate(subset, campaigns, enrollments, scoped, sticky, at)
    replaced = {(r.user_id, r.training, r.recorded_at): r for r in targets}
    after_records = [replaced.get((r.user_id, r.training, r.recorded_at), r) for r in sticky]
    after = evaluate(subset, campaigns, enrollments, scoped, after_records, at)
    after_by_user = {d.user_id: d for d in after.decisions}
    changes = tuple(ResetChange(d, after_by_user[d.user_id]) for d in before.decisions if d.user_id in after_by_user)
    return ResetPlan(
        training=training,
        at=at,
        reason=why,
        records=targets,
        changes=changes,
        new_sticky=after.new_sticky,
        without_record=missing,
    )
