"""The compliance engine: who is compliant for which training, why, and since when.

Pure functions over plain facts (`facts`), the trainings configured in trainproof.toml (`trainings`), and
rules that explain themselves (`rules`, `frameworks`). The store supplies the facts and persists
sticky records; evidence and the CLI consume the `Decision`s.
"""

from trainproof.compliance.check import Finding, check
from trainproof.compliance.decision import STATES, CampaignResult, Decision, State
from trainproof.compliance.engine import Evaluation, Exclusion, evaluate
from trainproof.compliance.facts import Campaign, EnrollmentFact, Person, StickyRecord
from trainproof.compliance.frameworks import FRAMEWORKS, Framework, Requirement
from trainproof.compliance.reset import ResetChange, ResetPlan, expired_records, plan_reset, reset_records
from trainproof.compliance.rules import RULES, RuleMetadata
from trainproof.compliance.trainings import (
    KNOWN_TRAININGS,
    Scope,
    Training,
    TrainingsConfig,
    load_trainings,
    parse_trainings,
    resolve_campaigns,
)

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
    "Finding",
    "Framework",
    "Person",
    "Requirement",
    "ResetChange",
    "ResetPlan",
    "RuleMetadata",
    "Scope",
    "State",
    "StickyRecord",
    "Training",
    "TrainingsConfig",
    "check",
    "evaluate",
    "expired_records",
    "load_trainings",
    "parse_trainings",
    "plan_reset",
    "reset_records",
    "resolve_campaigns",
]
