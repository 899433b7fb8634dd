"""What `trainproof check` finds: the configuration against the campaigns in the store, then the KnowBe4
rows whose dates the decisions cannot trust.

One function, so the CLI and the web console's overview name the same problems in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass

from trainproof.compliance.check import Finding, check, data_problems
from trainproof.compliance.facts import Campaign
from trainproof.compliance.trainings import TrainingsConfig, load_trainings
from trainproof.config import Settings
from trainproof.judging import Judged, judge
from trainproof.store import load_campaigns
from trainproof.store.handle import StoreConnection

__all__ = ["Checked", "check_store"]


@dataclass(frozen=True, slots=True)
class Checked:
    """The trainings checked, the campaigns they were checked against, and every problem, errors first."""

    policy: TrainingsConfig
    campaigns: tuple[Campaign, ...]
    problems: tuple[Finding, ...]


def check_store(conn: StoreConnection, settings: Settings, *, judged: Judged | None = None) -> Checked:
    """Validate [trainings.*] and [scope] against the stored campaigns and Drata's prerequisites; when that
    finds no error, also the data problems of the evaluation (`judged`: one of this store made already)."""
    policy = load_trainings(settings)
    campaigns = tuple(load_campaigns(conn))
    problems = check(policy, campaigns)
    if policy.trainings and not any(p.severity == "error" for p in problems):
        evaluation = (judged or judge(conn, settings, policy=policy)).evaluation
        problems = (*problems, *data_problems(evaluation, campaigns))
    return Checked(policy, campaigns, problems)
