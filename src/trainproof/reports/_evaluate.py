"""The compliance decisions the departments, overdue, quarterly and HTML reports group and count.

Reports judge with the compliance engine, never with a rule of their own, so `report departments`
and `trainproof status` always agree. Read only: new sticky records are the nightly run's to keep.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from trainproof.compliance.engine import Evaluation, evaluate
from trainproof.compliance.policy import Policy, load_policy
from trainproof.config import Settings
from trainproof.errors import ConfigError
from trainproof.store.queries import load_facts

__all__ = ["evaluate_store", "report_policy"]


def report_policy(settings: Settings, training: str | None = None) -> Policy:
    """The configured trainings (or the one asked for); a ConfigError when there are none."""
    policy = load_policy(settings)
    if not policy.trainings:
        raise ConfigError(
            "no trainings are configured",
            'add [trainings.security_awareness] campaigns = [101, "Campaign name"] to trainproof.toml',
        )
    return policy.only([training] if training else None)


def evaluate_store(conn: Connection, settings: Settings, *, at: datetime, training: str | None = None) -> Evaluation:
    """Evaluate the store's current facts on `at` for every configured training (or one)."""
    policy = report_policy(settings, training)
    facts = load_facts(conn)
    return evaluate(facts.people, facts.campaigns, facts.enrollments, policy, facts.sticky, at)
