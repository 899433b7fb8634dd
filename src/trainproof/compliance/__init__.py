"""The compliance engine: who is compliant for which training, why, and since when.

Pure functions over plain facts (`facts`), a policy parsed from trainproof.toml (`policy`), and
rules that explain themselves (`rules`, `frameworks`). The store supplies the facts and persists
sticky records; evidence and the CLI consume the `Decision`s.
"""

from trainproof.compliance.check import Problem, check
from trainproof.compliance.decision import STATES, CampaignResult, Decision, State
from trainproof.compliance.engine import Evaluation, Exclusion, evaluate
from trainproof.compliance.facts import Campaign, EnrollmentFact, Person, StickyRecord
from trainproof.compliance.frameworks import FRAMEWORKS, Framework, Requirement
from trainproof.compliance.policy import (
    KNOWN_TRAININGS,
    Policy,
    Scope,
    Training,
    load_policy,
    parse_policy,
    resolve_campaigns,
)
from trainproof.compliance.reset import ResetChange, ResetPlan, expired_records, plan_reset, reset_records
from trainproof.compliance.rules import RULES, RuleMetadata

__all__ = [
    "FRAMEWORKS",
    "KNOWN_TRAININGS",
    "RULES",
    "STATES",
    "Campaign",
    "CampaignResult",
    "Decision",
    "EnrollmentFact",
    "Evaluation",
    "Exclusion",
    "Framework",
    "Person",
    "Policy",
    "Problem",
    "Requirement",
    "ResetChange",
    "ResetPlan",
    "RuleMetadata",
    "Scope",
    "State",
    "StickyRecord",
    "Training",
    "check",
    "evaluate",
    "expired_records",
    "load_policy",
    "parse_policy",
    "plan_reset",
    "reset_records",
    "resolve_campaigns",
]
