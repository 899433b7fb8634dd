"""Reopen kept (sticky) compliance: Drata's manual reset, shared by `trainproof reset` and the console.

Drata documents a manual reset as Personnel -> select people -> Reset: the old completion stays for audit
history and the person is judged again from current data. Here that is one plan (compliance/reset.py) and
one write: the reset copies and the records the re-evaluation keeps go to the store in one transaction,
with who asked (`by`) and why kept in the history.
"""

from __future__ import annotations

from collections.abc import Sequence

from trainproof import clock
from trainproof.compliance import plan_reset
from trainproof.compliance.reset import ResetPlan
from trainproof.config import Settings
from trainproof.judging import configured_trainings, judge
from trainproof.store.handle import StoreEngine
from trainproof.store.person_index import person_index
from trainproof.store.sticky import reset_sticky, save_sticky_records

__all__ = ["reset_compliance"]


def reset_compliance(
    engine: StoreEngine,
    settings: Settings,
    *,
    training: str,
    who: Sequence[str] = (),
    expired: bool = False,
    reason: str | None = None,
    by: str,
    dry_run: bool = False,
) -> ResetPlan:
    """Reset `training` for the people `who` names (emails, aliases, employee numbers, user ids), or for
    everyone whose renewal period has ended (`expired`); with `dry_run`, only say what would change.

    UnknownPerson / AmbiguousPerson / ConfigError for a name or training that selects nobody.
    """
    policy = configured_trainings(settings, [training])
    at = clock.now()
    with engine.connect() as conn:
        judged = judge(conn, settings, policy=policy)
        facts = judged.facts
        user_ids = None if expired else [person_index(conn).find(w) for w in who]
        plan = plan_reset(
            list(facts.people),
            list(facts.campaigns),
            list(facts.enrollments),
            judged.evaluation.trainings_config,
            list(facts.sticky),
            training=training,
            at=at,
            user_ids=user_ids,
            expired=expired,
            reason=reason,
        )
    if dry_run:
        return plan
    with engine.begin() as conn:
        reset_sticky(
            conn, training=training, user_ids=[r.user_id for r in plan.records], at=at, reason=plan.reason, by=by
        )
        save_sticky_records(conn, plan.new_sticky, actor=by)
    return plan
